/**
 * What names a run inside a metrics file: its allocator and its labels (the matrix point, and
 * for a sweep the grid point). A golden run and a fresh run are the same run when these match.
 */
import type { Labels } from '../scenario/load.ts';

export interface RunIdentity {
  allocator: string;
  labels: Labels;
}

/** order-free key for matching */
export function runKey(r: RunIdentity): string {
  const labels = Object.keys(r.labels)
    .sort()
    .map((k) => [k, r.labels[k]]);
  return JSON.stringify([r.allocator, labels]);
}

/** `areamap size=4 order=inorder` */
export function describeRun(r: RunIdentity): string {
  const labels = Object.entries(r.labels).map(([k, v]) => `${k}=${v}`);
  return [r.allocator, ...labels].join(' ');
}
