/**
 * Runs a sweep's points (or one shard of them) on worker threads, saving each point's result
 * the moment it finishes; points whose result file already exists are not run again.
 */
import { runAll } from '../engine/pool.ts';
import type { RunMetrics } from '../engine/metrics.ts';
import type { SweepPlan, SweepPoint } from './plan.ts';
import type { Shard } from './shard.ts';
import { assignShards } from './shard.ts';
import { estimateRuns } from '../engine/estimate.ts';
import { isDone, prepareDir, readPoint, writePoint } from './result-dir.ts';

export interface SweepOptions {
  dir: string;
  workers: number;
  check: boolean;
  shard: Shard | null;
  /** estimated seconds of each point of the plan (estimated here when absent): what shards are balanced by */
  costs?: readonly number[];
  /** called once, before anything runs, with the points this invocation will run */
  onStart?: (pending: readonly SweepPoint[]) => void;
  /** a pending point (by its position in onStart's list) is this fraction done */
  onPointProgress?: (position: number, fraction: number) => void;
  /** fraction of this invocation's pending work done, and points finished of those pending */
  onProgress?: (fraction: number, finished: number, pending: number) => void;
}

export interface SweepOutcome {
  /** the points of this invocation (all, or the shard's), in grid order */
  points: SweepPoint[];
  /** their metrics, in the same order */
  runs: RunMetrics[];
  ran: number;
  skipped: number;
}

export async function runSweep(plan: SweepPlan, opts: SweepOptions): Promise<SweepOutcome> {
  prepareDir(opts.dir, plan);
  const points = opts.shard ? shardPoints(plan, opts.shard, opts.costs) : plan.points;
  const pending = points.filter((p) => !isDone(opts.dir, p.key));
  const fresh = new Map<string, RunMetrics>();
  const fraction = new Float64Array(pending.length);
  let finished = 0;
  opts.onStart?.(pending);
  const report = (): void => opts.onProgress?.(fraction.reduce((a, b) => a + b, 0) / Math.max(1, pending.length), finished, pending.length);
  // the pool sees pending points by position; the point keeps its grid index
  await runAll(
    pending.map((p, i) => ({ ...p.spec, index: i })),
    {
      workers: opts.workers,
      check: opts.check,
      onProgress: (i, f) => {
        fraction[i] = f;
        opts.onPointProgress?.(i, f);
        report();
      },
      onResult: (spec, metrics) => {
        const point = pending[spec.index]!;
        const m: RunMetrics = { ...metrics, labels: point.labels };
        writePoint(opts.dir, point, m);
        fresh.set(point.key, m);
        fraction[spec.index] = 1;
        opts.onPointProgress?.(spec.index, 1);
        finished++;
        report();
      },
    },
  );
  const runs = points.map((p) => fresh.get(p.key) ?? readPoint(opts.dir, p.key).metrics);
  return { points, runs, ran: pending.length, skipped: points.length - pending.length };
}

/** the points of one shard, in grid order; points go to shards by estimated cost (shard.ts) */
export function shardPoints(plan: SweepPlan, shard: Shard, costs?: readonly number[]): SweepPoint[] {
  const shardOf = assignShards(costs ?? estimateRuns(plan.points.map((p) => p.spec)).map((e) => e.seconds), shard.count);
  return plan.points.filter((p) => shardOf[p.index] === shard.index);
}
