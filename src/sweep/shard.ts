/**
 * `--shard i/n`: a deterministic slice of a sweep, the points whose grid index mod n is i, so
 * n batch jobs (a Slurm job array, a Kubernetes indexed job) cover every point exactly once.
 */
import { InputError } from '../input/input-error.ts';

export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new InputError(`--shard: expected i/n (the i-th of n slices, 0 <= i < n), got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new InputError(`--shard: expected 0 <= i < n and n >= 1, got ${index}/${count}`);
  return { index, count };
}

export const inShard = (pointIndex: number, shard: Shard): boolean => pointIndex % shard.count === shard.index;
