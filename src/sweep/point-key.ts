/**
 * Stable keys for sweep points: a hash of the point's full specification written as JSON with
 * sorted keys, so the same point gets the same key in every shard, on every machine, and
 * after the grid grows (the index of a point is not part of it).
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** 16 hex digits (64 bits) of SHA-256 over the canonical JSON */
export function hashKey(v: unknown): string {
  return createHash('sha256').update(canonicalJson(v)).digest('hex').slice(0, 16);
}
