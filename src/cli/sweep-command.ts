/** `sim sweep SCENARIO --out DIR [--grid NAME=V1,V2]... [--shard i/n] [--workers N] [--json FILE] [--no-wall-clock] [--check]` */
import { defaultWorkers } from '../engine/pool.ts';
import { InputError } from '../input/input-error.ts';
import { preflightRuns } from '../engine/preflight.ts';
import { renderTable } from '../report/text-table.ts';
import { checkOutputFile, writeOutputFile } from './output-file.ts';
import { planSweep } from '../sweep/plan.ts';
import { runSweep } from '../sweep/run-sweep.ts';
import { parseShard } from '../sweep/shard.ts';
import { sweepMetricsText, sweepTable } from '../sweep/sweep-report.ts';
import { progressBar } from './progress.ts';

export interface SweepCommandOptions {
  out: string | null;
  grid: string[];
  shard: string | null;
  workers: number | null;
  json: string | null;
  wallClock: boolean;
  check: boolean;
}

export const sweepTitle = (scenario: string): string => `${scenario}: modeled ms per allocator and phase, footprint at peak`;

export async function sweepCommand(file: string, opts: SweepCommandOptions, out: (text: string) => void): Promise<number> {
  if (!opts.out) throw new InputError('sweep: --out DIR is required (the result directory; a rerun resumes from it)');
  if (opts.json) checkOutputFile(opts.json, '--json');
  const shard = opts.shard === null ? null : parseShard(opts.shard);
  const plan = planSweep(file, opts.grid);
  const pointOf = new Map(plan.points.map((p) => [p.spec, p]));
  preflightRuns(file, plan.points.map((p) => p.spec), (spec) => `sweep point ${Object.entries(pointOf.get(spec)?.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const bar = progressBar();
  const outcome = await runSweep(plan, {
    dir: opts.out,
    workers: opts.workers ?? defaultWorkers(),
    check: opts.check,
    shard,
    onProgress: (f, done, pending) => bar.update(f, `${done}/${pending} points`),
  });
  bar.done();
  const header = `${plan.name}: ${plan.scenario.description ?? ''}`.trimEnd();
  const slice = shard ? `, shard ${shard.index}/${shard.count}: ${outcome.points.length} of them` : '';
  out(`${header}\n${plan.points.length} points${slice}; ran ${outcome.ran}, ${outcome.skipped} already in ${opts.out}\n\n`);
  out(renderTable(sweepTable(sweepTitle(plan.name), plan.labelNames, outcome.runs)) + '\n');
  if (opts.json) {
    writeOutputFile(opts.json, '--json', sweepMetricsText(plan.name, outcome.runs, { wallClock: opts.wallClock }));
    out(`metrics written to ${opts.json}\n`);
  }
  return 0;
}
