/**
 * `npm run bench [-- --json FILE] [--only SUBSTRING] [--skip SUBSTRING] [--count N] [--cost-model full|counts]`:
 * wall time of the allocator
 * work of the seed's workload and the contrived case, each case in a fresh process (so peak RSS
 * is its own), start-up excluded. Prints figures; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { SEED_OBJECTS, benchCases } from './cases.ts';

interface CaseFigures {
  name: string;
  ops: number;
  alloc_ms: number;
  free_ms: number;
  alloc_cpu_ms: number;
  free_cpu_ms: number;
  peak_rss_mb: number;
  modeled_alloc_ms: number;
  modeled_free_ms: number;
}

const args = process.argv.slice(2);
const opt = (flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const json = opt('--json');
const only = opt('--only');
const skip = opt('--skip');
const count = Number(opt('--count') ?? SEED_OBJECTS);
/** the platform's cost model; the engine's default when absent */
const costModel = opt('--cost-model') ?? 'default';
const caseScript = fileURLToPath(new URL('./case.ts', import.meta.url));

const cases = benchCases(count).filter((c) => (!only || c.name.includes(only)) && (!skip || !c.name.includes(skip)));
const results: CaseFigures[] = [];
const pad = (s: string | number, n: number): string => String(s).padStart(n);
console.log(`cost model: ${costModel}; load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (${availableParallelism()} CPUs)`);
console.log(
  `${'case'.padEnd(32)} ${pad('alloc ms', 10)} ${pad('free ms', 10)} ${pad('alloc cpu', 10)} ${pad('free cpu', 10)} ${pad('Mops/s', 8)} ${pad('peak MB', 8)}`,
);
for (const c of cases) {
  let line: string;
  try {
    line = execFileSync(process.execPath, [...process.execArgv, caseScript, c.name, String(count), costModel], { encoding: 'utf8', maxBuffer: 1 << 20 });
  } catch (e) {
    console.log(`${c.name.padEnd(32)} failed: ${(e as Error).message.split('\n')[0]}`);
    continue;
  }
  const r = JSON.parse(line) as CaseFigures;
  results.push(r);
  const opsPerSec = r.ops / ((r.alloc_ms + r.free_ms) / 1000) / 1e6;
  console.log(
    `${c.name.padEnd(32)} ${pad(r.alloc_ms.toFixed(0), 10)} ${pad(r.free_ms.toFixed(0), 10)} ${pad(r.alloc_cpu_ms.toFixed(0), 10)} ${pad(r.free_cpu_ms.toFixed(0), 10)} ${pad(opsPerSec.toFixed(2), 8)} ${pad(r.peak_rss_mb.toFixed(0), 8)}`,
  );
}
if (json) writeFileSync(json, JSON.stringify({ schema: 'percpu-sim/bench/1', objects: count, cost_model: costModel, load_average: loadavg(), cases: results }, null, 1) + '\n');
