/**
 * Compares fresh runs with a golden file, metric by metric, each with its tolerance. The run
 * sets must match first: a golden with other runs (the scenario's matrix changed, or it is the
 * golden of another scenario) is bad input, not a regression.
 */
import type { RunMetrics } from '../engine/metrics.ts';
import { InputError } from '../input/input-error.ts';
import type { Golden } from './golden-file.ts';
import { updateHint } from './golden-file.ts';
import type { LeafValue } from './metric-leaves.ts';
import { metricLeaves, pathText } from './metric-leaves.ts';
import type { RunIdentity } from './run-identity.ts';
import { describeRun, runKey } from './run-identity.ts';
import type { Tolerance, ToleranceSet } from './tolerances.ts';

export interface MetricChange {
  run: string;
  metric: string;
  /** undefined: the metric is not in the golden (new) */
  golden: LeafValue | undefined;
  /** undefined: the run no longer reports the metric */
  now: LeafValue | undefined;
  /** (now - golden) / |golden|; null when not a number on both sides; ±Infinity from 0 */
  change: number | null;
  allowed: Tolerance;
  pass: boolean;
}

export interface Comparison {
  runs: number;
  /** metrics compared (ignored ones left out) */
  compared: number;
  /** every metric whose value differs, in run order, beyond-tolerance ones and the rest */
  changes: MetricChange[];
  failed: number;
}

const MAX_LISTED = 5;

function listed(items: string[]): string {
  return items.slice(0, MAX_LISTED).join('; ') + (items.length > MAX_LISTED ? `; ... (${items.length - MAX_LISTED} more)` : '');
}

/** throws unless the golden holds exactly the runs the scenario makes */
export function checkRunSet(golden: Golden, identities: readonly RunIdentity[], scenarioName: string, scenarioFile: string): void {
  if (golden.scenario !== scenarioName) {
    throw new InputError(`${golden.where(['scenario'])}: scenario: this golden is for "${golden.scenario}", not "${scenarioName}" (${scenarioFile}); is --golden the right file?`);
  }
  const want = new Set(identities.map(runKey));
  const have = new Set(golden.runs.map(runKey));
  const extra = golden.runs.flatMap((r, i) => (want.has(runKey(r)) ? [] : [`${describeRun(r)} (${golden.where(['runs', i])})`]));
  const missing = identities.filter((r) => !have.has(runKey(r))).map(describeRun);
  if (extra.length === 0 && missing.length === 0) return;
  const parts = [`${golden.file}: holds other runs than ${scenarioFile} makes (golden ${golden.runs.length}, scenario ${identities.length})`];
  if (extra.length > 0) parts.push(`not made by the scenario: ${listed(extra)}`);
  if (missing.length > 0) parts.push(`not in the golden: ${listed(missing)}`);
  parts.push(`if the scenario changed on purpose, ${updateHint(scenarioFile, golden.file)}`);
  throw new InputError(parts.join('; '));
}

function within(t: Tolerance, golden: LeafValue | undefined, now: LeafValue | undefined): boolean {
  if (t.kind === 'ignore') return true;
  if (golden === undefined || now === undefined) return false;
  if (typeof golden !== 'number' || typeof now !== 'number') return golden === now;
  if (t.kind === 'exact') return golden === now;
  return Math.abs(now - golden) <= t.within * Math.abs(golden);
}

function relativeChange(golden: LeafValue | undefined, now: LeafValue | undefined): number | null {
  if (typeof golden !== 'number' || typeof now !== 'number') return null;
  if (golden === now) return 0;
  if (golden === 0) return now > 0 ? Infinity : -Infinity;
  return (now - golden) / Math.abs(golden);
}

/** metric-by-metric comparison of runs already known to match the golden's run set */
export function compareRuns(golden: readonly RunMetrics[], now: readonly RunMetrics[], tolerances: ToleranceSet): Comparison {
  const byKey = new Map(golden.map((r) => [runKey(r), r]));
  const changes: MetricChange[] = [];
  let compared = 0;
  for (const run of now) {
    const old = byKey.get(runKey(run));
    if (!old) continue;
    const name = describeRun(run);
    const oldLeaves = new Map(metricLeaves(old).map((l) => [pathText(l.path), l]));
    const seen = new Set<string>();
    const visit = (path: string[], g: LeafValue | undefined, n: LeafValue | undefined): void => {
      const allowed = tolerances.toleranceOf(path);
      if (allowed.kind === 'ignore') return;
      compared++;
      if (g === n) return;
      changes.push({ run: name, metric: pathText(path), golden: g, now: n, change: relativeChange(g, n), allowed, pass: within(allowed, g, n) });
    };
    for (const leaf of metricLeaves(run)) {
      const key = pathText(leaf.path);
      seen.add(key);
      visit(leaf.path, oldLeaves.get(key)?.value, leaf.value);
    }
    for (const [key, leaf] of oldLeaves) if (!seen.has(key)) visit(leaf.path, leaf.value, undefined);
  }
  return { runs: now.length, compared, changes, failed: changes.filter((c) => !c.pass).length };
}
