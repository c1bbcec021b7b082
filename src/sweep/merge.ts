/**
 * Joins the result directories of a sweep's shards: every point of the plan, in grid order,
 * taken from whichever directory holds it. The directories must hold the same sweep (the same
 * plan id), and together every one of its points.
 */
import { existsSync } from 'node:fs';
import type { RunMetrics } from '../engine/metrics.ts';
import { InputError } from '../input/input-error.ts';
import { describePoint } from './plan.ts';
import type { SweepManifest } from './result-dir.ts';
import { pointPath, readManifest, readPoint } from './result-dir.ts';

export interface MergedSweep {
  manifest: SweepManifest;
  runs: RunMetrics[];
}

export function mergeDirs(dirs: readonly string[]): MergedSweep {
  if (dirs.length === 0) throw new InputError('merge: no directory given');
  const manifests = dirs.map(readManifest);
  const first = manifests[0]!;
  manifests.forEach((m, i) => {
    if (m.id !== first.id) {
      throw new InputError(`${dirs[i]}: holds another sweep than ${dirs[0]} (${m.scenario}, ${m.points.length} points, plan ${m.id} vs ${first.scenario}, ${first.points.length} points, plan ${first.id}); were the shards run with the same scenario and --grid options?`);
    }
  });
  const runs: RunMetrics[] = [];
  const missing: string[] = [];
  first.points.forEach((p, index) => {
    const dir = dirs.find((d) => existsSync(pointPath(d, p.key)));
    if (dir === undefined) missing.push(`#${index} ${describePoint({ ...p.labels, allocator: p.allocator })}`);
    else runs.push(readPoint(dir, p.key).metrics);
  });
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).join('; ');
    throw new InputError(`merge: ${missing.length} of ${first.points.length} points of ${first.scenario} have no result in ${dirs.join(', ')} (${shown}${missing.length > 5 ? '; ...' : ''}); run the missing shards (sim sweep resumes where it stopped)`);
  }
  return { manifest: first, runs };
}
