/**
 * The runs `sim check` compares: a scenario's runs (every matrix point, every allocator), or,
 * when the scenario declares a sweep grid, every point of the grid, labelled as `sim sweep`
 * labels them. The identities are known before anything runs, so a golden that does not hold
 * the same runs is rejected at once.
 */
import { chooseWorkers, estimateRuns, idleCpus } from '../engine/estimate.ts';
import type { RunMetrics } from '../engine/metrics.ts';
import { runAll } from '../engine/pool.ts';
import type { Labels, RunSpec } from '../scenario/load.ts';
import { loadScenario } from '../scenario/load.ts';
import { planSweep } from '../sweep/plan.ts';
import type { RunIdentity } from './run-identity.ts';

export interface CheckPlan {
  file: string;
  /** the scenario's name: its file name without extension */
  name: string;
  specs: RunSpec[];
  /** each run's identity as its metrics will carry it */
  identities: RunIdentity[];
  /** true when the runs are the scenario's sweep grid */
  sweep: boolean;
}

export function planCheck(file: string): CheckPlan {
  const loaded = loadScenario(file);
  if (loaded.scenario.sweep && Object.keys(loaded.scenario.sweep).length > 0) {
    const plan = planSweep(file);
    return {
      file,
      name: plan.name,
      specs: plan.points.map((p, i) => ({ ...p.spec, index: i })),
      identities: plan.points.map((p) => ({ allocator: p.spec.allocator, labels: p.labels })),
      sweep: true,
    };
  }
  return { file, name: loaded.name, specs: loaded.runs, identities: loaded.runs.map((r) => ({ allocator: r.allocator, labels: r.labels })), sweep: false };
}

export interface ExecuteCheckOptions {
  /** worker threads; null: chosen from the runs' estimated work (engine/estimate.ts) */
  workers: number | null;
  /** fraction of all runs done */
  onProgress?: (fraction: number) => void;
}

/** runs the plan; results in plan order, labelled with the plan's identities */
export async function executePlan(plan: CheckPlan, opts: ExecuteCheckOptions): Promise<RunMetrics[]> {
  const fraction = new Float64Array(plan.specs.length);
  const report = (): void => opts.onProgress?.(fraction.reduce((a, b) => a + b, 0) / Math.max(1, fraction.length));
  const runs = await runAll(plan.specs, {
    workers: opts.workers ?? chooseWorkers(estimateRuns(plan.specs), idleCpus()).workers,
    check: false,
    onProgress: (i, f) => {
      fraction[i] = f;
      report();
    },
    onResult: (spec) => {
      fraction[spec.index] = 1;
      report();
    },
  });
  return runs.map((r, i) => ({ ...r, labels: plan.identities[i]!.labels as Labels }));
}
