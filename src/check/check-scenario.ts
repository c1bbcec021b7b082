/**
 * `sim check` as a function: run a scenario and compare it with its golden file, or with
 * `update` rewrite the golden from the run (showing what that changes). Bad input (the
 * scenario, the golden, a tolerance override) throws an InputError before anything runs.
 */
import type { RunMetrics } from '../engine/metrics.ts';
import { InputError } from '../input/input-error.ts';
import type { Comparison } from './compare.ts';
import { checkRunSet, compareRuns } from './compare.ts';
import { renderDiff } from './diff-table.ts';
import { metricLeaves } from './metric-leaves.ts';
import type { Golden } from './golden-file.ts';
import { readGolden, writeGolden } from './golden-file.ts';
import type { CheckPlan } from './scenario-runs.ts';
import { executePlan, planCheck } from './scenario-runs.ts';
import type { ToleranceOverride } from './tolerances.ts';
import { describeTolerance, ToleranceSet } from './tolerances.ts';

export interface CheckOptions {
  golden: string;
  update: boolean;
  /** worker threads; null: chosen from the estimated work */
  workers: number | null;
  /** overrides from the command line; they win over the golden file's */
  tolerances: readonly ToleranceOverride[];
  /** rows of the diff table; null prints every changed metric */
  maxRows: number | null;
  onProgress?: (fraction: number) => void;
}

export interface CheckOutcome {
  /** 0 within tolerance (or golden written), 1 a metric moved beyond its tolerance */
  status: 0 | 1;
  /** what to print */
  text: string;
  /** the comparison with the golden (with the old golden on --update; null when there was none) */
  comparison: Comparison | null;
  runs: RunMetrics[];
}

function summary(cmp: Comparison): string {
  const within = cmp.changes.length - cmp.failed;
  return `${cmp.compared} metrics in ${cmp.runs} runs: ${cmp.failed} moved beyond tolerance, ${within} moved within it, ${cmp.compared - cmp.changes.length} unchanged`;
}

function tolerancesInForce(set: ToleranceSet): string {
  if (set.overrides.length === 0) return '';
  return `tolerance overrides: ${set.overrides.map((o) => `${o.name}=${describeTolerance(o.tolerance)} (${o.source.replace(/: tolerances$/, '')})`).join(', ')}\n`;
}

export async function checkScenario(scenarioFile: string, opts: CheckOptions): Promise<CheckOutcome> {
  const plan: CheckPlan = planCheck(scenarioFile);
  return opts.update ? updateGolden(plan, opts) : compareWithGolden(plan, opts);
}

async function compareWithGolden(plan: CheckPlan, opts: CheckOptions): Promise<CheckOutcome> {
  const golden = readGolden(opts.golden, plan.file);
  checkRunSet(golden, plan.identities, plan.name, plan.file);
  const tolerances = new ToleranceSet([...opts.tolerances, ...golden.tolerances]);
  tolerances.requireMatches(golden.runs.flatMap((r) => metricLeaves(r).map((l) => l.path)), golden.file);
  const runs = await executePlan(plan, { workers: opts.workers, onProgress: opts.onProgress });
  const cmp = compareRuns(golden.runs, runs, tolerances);
  const header = `${plan.name}: ${plan.specs.length} runs${plan.sweep ? ' (the sweep grid)' : ''} against ${opts.golden}\n${tolerancesInForce(tolerances)}`;
  const table = renderDiff(cmp, { title: `metrics that moved (${cmp.failed} beyond tolerance)`, maxRows: opts.maxRows });
  const verdict = cmp.failed > 0 ? `FAILED: ${summary(cmp)}` : `ok: ${summary(cmp)}`;
  return { status: cmp.failed > 0 ? 1 : 0, text: `${header}\n${table}${table ? '\n' : ''}${verdict}\n`, comparison: cmp, runs };
}

async function updateGolden(plan: CheckPlan, opts: CheckOptions): Promise<CheckOutcome> {
  let old: Golden | null = null;
  let note = '';
  try {
    old = readGolden(opts.golden, plan.file);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    if (!/no such golden file/.test(e.message)) note = `the old golden could not be read, so it is replaced whole: ${e.message}\n`;
  }
  const runs = await executePlan(plan, { workers: opts.workers, onProgress: opts.onProgress });
  writeGolden(opts.golden, plan.name, runs, old?.rawTolerances);
  let cmp: Comparison | null = null;
  let diff = '';
  if (old) {
    try {
      checkRunSet(old, plan.identities, plan.name, plan.file);
      cmp = compareRuns(old.runs, runs, new ToleranceSet([...opts.tolerances, ...old.tolerances]));
      const table = renderDiff(cmp, { title: 'what this update changes in the golden', maxRows: opts.maxRows });
      diff = `${table}${table ? '\n' : ''}against the old golden: ${summary(cmp)}\n`;
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      diff = `the run set changed: ${e.message.replace(/; if the scenario changed on purpose.*$/, '')}\n`;
    }
  }
  const text = `${plan.name}: ${plan.specs.length} runs${plan.sweep ? ' (the sweep grid)' : ''}\n${note}${diff}golden ${opts.golden} ${old ? 'updated' : 'written'} on purpose (--update): ${runs.length} runs\n`;
  return { status: 0, text, comparison: cmp, runs };
}
