/**
 * A sweep's result directory:
 *
 * ```
 * DIR/sweep.json           the plan: scenario, grid, every point's key and labels in grid order
 * DIR/points/<key>.json    one finished point: its spec and its metrics (percpu-sim/metrics/1 run)
 * ```
 *
 * Every file is written whole or not at all (a temporary file renamed into place), so a point
 * file that exists is complete, and an interrupted sweep resumes by skipping them. The plan
 * file is the same whichever shard writes it, so shards may share one directory.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../input/input-error.ts';
import type { RunMetrics } from '../engine/metrics.ts';
import type { Labels, RunSpec } from '../scenario/load.ts';
import type { Grid } from '../scenario/sweep-schema.ts';
import { readTextFile } from '../input/json5-file.ts';
import { writeFileAtomic } from '../report/write-file.ts';
import type { SweepPlan, SweepPoint } from './plan.ts';

export const SWEEP_SCHEMA = 'percpu-sim/sweep/1';
export const POINT_SCHEMA = 'percpu-sim/sweep-point/1';

export interface SweepManifest {
  schema: typeof SWEEP_SCHEMA;
  scenario: string;
  id: string;
  grid: Grid;
  labelNames: string[];
  points: { key: string; allocator: string; labels: Labels }[];
}

export interface PointFile {
  schema: typeof POINT_SCHEMA;
  key: string;
  spec: Omit<RunSpec, 'index'>;
  metrics: RunMetrics;
}

export const manifestPath = (dir: string): string => join(dir, 'sweep.json');
export const pointPath = (dir: string, key: string): string => join(dir, 'points', `${key}.json`);

export function manifestOf(plan: SweepPlan): SweepManifest {
  return {
    schema: SWEEP_SCHEMA,
    scenario: plan.name,
    id: plan.id,
    grid: plan.grid,
    labelNames: plan.labelNames,
    points: plan.points.map((p) => ({ key: p.key, allocator: p.spec.allocator, labels: p.labels })),
  };
}

/** creates DIR/points and writes the plan file */
export function prepareDir(dir: string, plan: SweepPlan): void {
  try {
    mkdirSync(join(dir, 'points'), { recursive: true });
  } catch (e) {
    throw new InputError(`${dir}: cannot create the result directory: ${(e as Error).message}`);
  }
  writeFileAtomic(manifestPath(dir), JSON.stringify(manifestOf(plan), null, 1) + '\n');
}

export const isDone = (dir: string, key: string): boolean => existsSync(pointPath(dir, key));

export function writePoint(dir: string, point: SweepPoint, metrics: RunMetrics): void {
  const { index: _index, ...spec } = point.spec;
  const file: PointFile = { schema: POINT_SCHEMA, key: point.key, spec, metrics };
  writeFileAtomic(pointPath(dir, point.key), JSON.stringify(file) + '\n');
}

function readJson(file: string): unknown {
  const text = readTextFile(file);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: not JSON: ${(e as Error).message}`);
  }
}

export function readManifest(dir: string): SweepManifest {
  const file = manifestPath(dir);
  if (!existsSync(file)) throw new InputError(`${dir}: not a sweep result directory (no sweep.json)`);
  const m = readJson(file) as Partial<SweepManifest>;
  if (m?.schema !== SWEEP_SCHEMA || !Array.isArray(m.points)) throw new InputError(`${file}: expected a ${SWEEP_SCHEMA} file`);
  return m as SweepManifest;
}

export function readPoint(dir: string, key: string): PointFile {
  const file = pointPath(dir, key);
  const p = readJson(file) as Partial<PointFile>;
  if (p?.schema !== POINT_SCHEMA || p.key !== key || typeof p.metrics !== 'object') throw new InputError(`${file}: expected a ${POINT_SCHEMA} file for point ${key}`);
  return p as PointFile;
}
