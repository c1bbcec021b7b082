/** `sim sweep SCENARIO --out DIR [--grid NAME=V1,V2]... [--shard i/n|auto/n|auto] [--workers N] [--max-memory SIZE] [--json FILE] [--no-wall-clock] [--check]` */
import { estimateRuns } from '../engine/estimate.ts';
import type { RunSpec } from '../scenario/load.ts';
import { InputError } from '../input/input-error.ts';
import { preflightRuns } from '../engine/preflight.ts';
import type { TableFormat } from '../report/text-table.ts';
import { renderTables } from '../report/text-table.ts';
import { writeSweepHtml } from '../report/sweep-html.ts';
import { checkOutputFile, writeOutputFile } from './output-file.ts';
import { planSweep } from '../sweep/plan.ts';
import { runSweep, shardPoints } from '../sweep/run-sweep.ts';
import type { SweepPoint } from '../sweep/plan.ts';
import { describePoint } from '../sweep/plan.ts';
import { parseShard } from '../sweep/shard.ts';
import { sweepMetricsText, sweepTables } from '../sweep/sweep-report.ts';
import type { RunsProgress } from './progress.ts';
import { runsProgress } from './progress.ts';
import { formatSeconds, sizeRuns } from './run-size.ts';

export interface SweepCommandOptions {
  out: string | null;
  grid: string[];
  shard: string | null;
  workers: number | null;
  /** refuse points whose estimated peak exceeds this many bytes (default: the memory this process may use) */
  maxMemory?: number | null;
  json: string | null;
  /** the sweep report with charts */
  html?: string | null;
  format?: TableFormat;
  wallClock: boolean;
  check: boolean;
}

export const sweepTitle = (scenario: string): string => `${scenario}: time per phase and memory at peak`;

export async function sweepCommand(file: string, opts: SweepCommandOptions, out: (text: string) => void): Promise<number> {
  if (!opts.out) throw new InputError('sweep: --out DIR is required (the result directory; a rerun resumes from it)');
  if (opts.json) checkOutputFile(opts.json, '--json');
  if (opts.html) checkOutputFile(opts.html, '--html');
  const shard = opts.shard === null ? null : parseShard(opts.shard);
  const plan = planSweep(file, opts.grid);
  const pointOf = new Map(plan.points.map((p) => [p.spec, p]));
  const context = (spec: RunSpec): string => `sweep point ${describePoint({ ...(pointOf.get(spec)?.labels ?? {}), allocator: spec.allocator })}`;
  preflightRuns(file, plan.points.map((p) => p.spec), context);
  const costs = estimateRuns(plan.points.map((p) => p.spec)).map((e) => e.seconds);
  const mine = shard ? shardPoints(plan, shard, costs) : plan.points;
  const note = (line: string): void => void process.stderr.write(line + '\n');
  const sized = sizeRuns(file, mine.map((p) => p.spec), { maxMemory: opts.maxMemory ?? null, workers: opts.workers, note, context });
  const estimateOf = new Map(mine.map((p, i) => [p.key, sized.estimates[i]!]));
  let bar: RunsProgress | null = null;
  const started = performance.now();
  const outcome = await runSweep(plan, {
    dir: opts.out,
    workers: sized.workers,
    check: opts.check,
    shard,
    costs,
    onStart: (pending: readonly SweepPoint[]) => {
      bar = runsProgress(pending.map((p) => ({ label: describePoint({ ...p.labels, allocator: p.spec.allocator }), estimate: estimateOf.get(p.key)! })), 'points');
    },
    onPointProgress: (i, f) => bar?.update(i, f),
  });
  (bar as RunsProgress | null)?.done();
  const tookSeconds = (performance.now() - started) / 1000;
  const header = `${plan.name}: ${plan.scenario.description ?? ''}`.trimEnd();
  const estimated = mine.reduce((t, p) => t + estimateOf.get(p.key)!.seconds, 0);
  const slice = shard ? `, shard ${shard.index}/${shard.count}${shard.source ? ` (${shard.source})` : ''}: ${outcome.points.length} of them, estimated ${formatSeconds(estimated)} of work, took ${formatSeconds(tookSeconds)}` : '';
  const format = opts.format ?? 'text';
  const tables = sweepTables(sweepTitle(plan.name), plan.labelNames, outcome.runs);
  if (format === 'csv' || format === 'json') out(renderTables(tables, format));
  else {
    out(`${header}\n${plan.points.length} points${slice}; ran ${outcome.ran}, ${outcome.skipped} already in ${opts.out}\n\n`);
    out(renderTables(tables, format) + '\n');
  }
  const say = format === 'csv' || format === 'json' ? (s: string): void => void process.stderr.write(s) : out;
  if (opts.html) {
    await writeSweepHtml(opts.html, plan.name, plan.scenario.description ?? '', plan.labelNames, outcome.runs);
    say(`report written to ${opts.html}\n`);
  }
  if (opts.json) {
    writeOutputFile(opts.json, '--json', sweepMetricsText(plan.name, outcome.runs, { wallClock: opts.wallClock }));
    say(`metrics written to ${opts.json}\n`);
  }
  return 0;
}
