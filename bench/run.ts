/**
 * `npm run bench [-- --json FILE] [--only SUBSTRING] [--skip SUBSTRING] [--count N] [--cost-model full|counts]
 * [--repeat N] [--warmup N] [--timed N] [--inline-budget BYTES|default]`: wall time of the allocator work of the seed's workload and the contrived case,
 * each case in a fresh process (so peak RSS is its own), start-up excluded (`--warmup N`
 * untimed runs of the same case first, default WARMUP_RUNS; 0 for a cold run; then `--timed N`
 * timed runs, default TIMED_RUNS, of which the fastest counts). With `--repeat N` each
 * case runs N times and every figure is the median. `--inline-budget` sets V8's inlining budget
 * (src/engine/jit-budget.ts; `default` leaves V8's own, as before sim raised it). Prints figures;
 * asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { INLINE_BUDGET_BYTES } from '../src/engine/jit-budget.ts';
import { SEED_OBJECTS, TIMED_RUNS, WARMUP_RUNS, benchCases } from './cases.ts';

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
  warmup_runs: number;
  warmup_ms: number;
  timed_runs: number;
  timed_wall_ms: [number, number][];
  inline_budget: number | 'default';
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
const repeat = Math.max(1, Number(opt('--repeat') ?? 1));
const warmup = Number(opt('--warmup') ?? WARMUP_RUNS);
/** timed runs per process (the fastest counts) */
const timed = Math.max(1, Number(opt('--timed') ?? TIMED_RUNS));
/** V8's inlining budget in the case processes (bytes, or 'default' for V8's own) */
const inlineBudget = opt('--inline-budget') ?? String(INLINE_BUDGET_BYTES);
if (inlineBudget !== 'default' && !(Number.isInteger(Number(inlineBudget)) && Number(inlineBudget) > 0)) {
  console.error(`--inline-budget: expected a positive number of bytes or "default", got "${inlineBudget}"`);
  process.exit(2);
}
const caseScript = fileURLToPath(new URL('./case.ts', import.meta.url));

const cases = benchCases(count).filter((c) => (!only || c.name.includes(only)) && (!skip || !c.name.includes(skip)));
const results: CaseFigures[] = [];
const pad = (s: string | number, n: number): string => String(s).padStart(n);
console.log(`cost model: ${costModel}; inline budget: ${inlineBudget}; warm-up: ${warmup} untimed runs; fastest of ${timed} timed runs; ${repeat > 1 ? `median of ${repeat}; ` : ''}load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (${availableParallelism()} CPUs)`);
console.log(
  `${'case'.padEnd(32)} ${pad('alloc ms', 10)} ${pad('free ms', 10)} ${pad('alloc cpu', 10)} ${pad('free cpu', 10)} ${pad('Mops/s', 8)} ${pad('peak MB', 8)}`,
);
/** the median of each numeric figure over the repeats (the name is the same in all) */
function median(runs: CaseFigures[]): CaseFigures {
  const out = { ...runs[0]! };
  const mid = (xs: number[]): number => {
    const v = [...xs].sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
  };
  for (const k of Object.keys(out) as (keyof CaseFigures)[]) {
    if (typeof out[k] === 'number') (out as Record<string, unknown>)[k] = mid(runs.map((r) => r[k] as number));
  }
  return out;
}

for (const c of cases) {
  const runs: CaseFigures[] = [];
  try {
    for (let i = 0; i < repeat; i++) {
      const line = execFileSync(process.execPath, [...process.execArgv, caseScript, c.name, String(count), costModel, String(warmup), inlineBudget, String(timed)], { encoding: 'utf8', maxBuffer: 1 << 20 });
      runs.push(JSON.parse(line) as CaseFigures);
    }
  } catch (e) {
    console.log(`${c.name.padEnd(32)} failed: ${(e as Error).message.split('\n')[0]}`);
    continue;
  }
  const r = median(runs);
  results.push(r);
  const opsPerSec = r.ops / ((r.alloc_ms + r.free_ms) / 1000) / 1e6;
  console.log(
    `${c.name.padEnd(32)} ${pad(r.alloc_ms.toFixed(0), 10)} ${pad(r.free_ms.toFixed(0), 10)} ${pad(r.alloc_cpu_ms.toFixed(0), 10)} ${pad(r.free_cpu_ms.toFixed(0), 10)} ${pad(opsPerSec.toFixed(2), 8)} ${pad(r.peak_rss_mb.toFixed(0), 8)}`,
  );
}
if (json) writeFileSync(json, JSON.stringify({ schema: 'percpu-sim/bench/1', objects: count, cost_model: costModel, inline_budget: inlineBudget, repeat, warmup_runs: warmup, timed_runs: timed, load_average: loadavg(), cases: results }, null, 1) + '\n');
