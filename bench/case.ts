/** Runs one benchmark case in a fresh process and prints its figures as one JSON line. */
import { executeRun } from '../src/engine/execute.ts';
import { loadMachineSetup } from '../src/engine/machines.ts';
import { benchCases } from './cases.ts';

const [name, count] = process.argv.slice(2);
const c = benchCases(Number(count)).find((x) => x.name === name);
if (!c) {
  process.stderr.write(`no bench case ${name}\n`);
  process.exit(2);
}
const m = executeRun(c.spec, loadMachineSetup, { check: false });
const ops = m.phases.alloc!.ops + m.phases.free!.ops;
process.stdout.write(
  JSON.stringify({
    name,
    ops,
    alloc_ms: m.phases.alloc!.wall_ms,
    free_ms: m.phases.free!.wall_ms,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    modeled_alloc_ms: m.phases.alloc!.modeled_ms,
    modeled_free_ms: m.phases.free!.modeled_ms,
  }) + '\n',
);
