/**
 * Runs one benchmark case in a fresh process and prints its figures as one JSON line.
 *
 * Arguments: case name, object count, cost model, warm-up runs, inline budget, timed runs.
 *
 * Start-up is excluded: before the timed runs, the same case runs untimed (WARMUP_RUNS times, or
 * as many times as the fourth argument says; 0 for a cold run), so the timed runs measure
 * compiled code on memory the process already has, rather than the JIT compiling (and
 * recompiling, on the next runs) and the host faulting in fresh pages; the native figures it
 * is compared with pre-fault their chunk memory too. Then it runs the case TIMED_RUNS times and
 * reports the fastest run (noise from other processes on the host only adds time). Peak RSS
 * covers every run of the process (a forced collection between runs would keep earlier runs'
 * garbage out of it, but leaves the next runs half again slower); `--warmup 0 --timed 1`
 * gives one run's.
 *
 * Besides wall time per phase (the engine's own figure), it reports this process's CPU time
 * per phase (user + system), which other processes' load on the machine disturbs much less:
 * the alloc/free split is taken at the engine's progress report that falls exactly at the end
 * of the alloc phase (reports come every 65536 calls, so `count` must be a multiple of that;
 * otherwise only the total is split by wall time).
 */
import type { MachineLoader } from '../src/engine/execute.ts';
import { executeRun } from '../src/engine/execute.ts';
import { loadMachineSetup } from '../src/engine/machines.ts';
import { loadMachine, machineFirstChunk, machineTopology } from '../src/hw/machine-config.ts';
import type { CostModel } from '../src/hw/machine-platform.ts';
import { MachinePlatform } from '../src/hw/machine-platform.ts';
import { INLINE_BUDGET_BYTES, raiseInliningBudget } from '../src/engine/jit-budget.ts';
import type { PhaseMetrics } from '../src/engine/run.ts';
import { TIMED_RUNS, WARMUP_RUNS, benchCases } from './cases.ts';

const [name, count, costModel, warmupArg, budgetArg, timedArg] = process.argv.slice(2);
/** V8's inlining budget as `sim` sets it, or V8's own default ('default') */
const inlineBudget = budgetArg === 'default' ? 'default' : Number(budgetArg ?? INLINE_BUDGET_BYTES);
if (inlineBudget !== 'default') raiseInliningBudget(inlineBudget);
const c = benchCases(Number(count)).find((x) => x.name === name);
if (!c) {
  process.stderr.write(`no bench case ${name}\n`);
  process.exit(2);
}
/** untimed runs of the same case before the timed ones (0: none, the first timed run starts cold) */
const warmupRuns = Number(warmupArg ?? WARMUP_RUNS);
/** timed runs; the figures are the fastest one's */
const timedRuns = Math.max(1, Number(timedArg ?? TIMED_RUNS));
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** the engine's machine loader; the cost model is the case's unless --cost-model names one */
const loader: MachineLoader = loadMachineSetup;
const spec = costModel === undefined || costModel === 'default' ? c.spec : { ...c.spec, costModel: costModel as CostModel };

interface TimedRun {
  alloc: PhaseMetrics;
  free: PhaseMetrics;
  allocCpu: number;
  freeCpu: number;
}

/** one run of the case, with this process's CPU time split at the end of the alloc phase */
function timedRun(): TimedRun {
  let cpuSplit = -1;
  const cpu0 = cpuMs();
  const m = executeRun(spec, loader, {
    check: false,
    progress: (f) => {
      if (f === 0.5) cpuSplit = cpuMs();
    },
  });
  const cpu1 = cpuMs();
  const alloc = m.phases.alloc!;
  const free = m.phases.free!;
  if (cpuSplit < 0) cpuSplit = cpu0 + ((cpu1 - cpu0) * alloc.wall_ms) / (alloc.wall_ms + free.wall_ms);
  return { alloc, free, allocCpu: cpuSplit - cpu0, freeCpu: cpu1 - cpuSplit };
}

// start-up excluded: the same runs untimed first, so the timed runs meet compiled code and faulted-in memory
let warmupMs = 0;
for (let i = 0; i < warmupRuns; i++) {
  const t = performance.now();
  timedRun();
  warmupMs += performance.now() - t;
}

// the fastest of the timed runs: other processes on the host only ever add time
const runs = Array.from({ length: timedRuns }, timedRun);
const wall = (r: TimedRun): number => r.alloc.wall_ms + r.free.wall_ms;
const best = runs.reduce((a, r) => (wall(r) < wall(a) ? r : a));
const { alloc, free } = best;
const ops = alloc.ops + free.ops;
process.stdout.write(
  JSON.stringify({
    name,
    ops,
    alloc_ms: alloc.wall_ms,
    free_ms: free.wall_ms,
    alloc_cpu_ms: best.allocCpu,
    free_cpu_ms: best.freeCpu,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    modeled_alloc_ms: alloc.modeled_ms,
    modeled_free_ms: free.modeled_ms,
    warmup_runs: warmupRuns,
    warmup_ms: warmupMs,
    timed_runs: timedRuns,
    // every timed run's alloc and free wall ms, to show the spread
    timed_wall_ms: runs.map((r) => [Math.round(r.alloc.wall_ms), Math.round(r.free.wall_ms)]),
    inline_budget: inlineBudget,
  }) + '\n',
);
