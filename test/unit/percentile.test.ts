import { describe, expect, it } from 'vitest';
import { latencyPercentiles } from '../../src/engine/percentile.ts';

function bySorting(values: Float64Array): { p50: number; p99: number; max: number } {
  const sorted = Float64Array.from(values).sort();
  const rank = (p: number): number => (sorted.length === 0 ? 0 : sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!);
  return { p50: rank(0.5), p99: rank(0.99), max: rank(1) };
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('latency percentiles by selection', () => {
  it('equal the ranks of a sorted copy, for sizes 0..300 and many repeated values', () => {
    const r = rng(5);
    for (let n = 0; n < 300; n++) {
      const v = Float64Array.from({ length: n }, () => (n % 3 === 0 ? Math.floor(r() * 4) * 12.5 : r() * 1000));
      expect(latencyPercentiles(v), `n=${n}`).toEqual(bySorting(v));
    }
  });

  it('equal them with zeros, infinities, negative zero, negative values and NaN', () => {
    const cases = [
      [0, 0, 5, 3, 0],
      [Infinity, 1, 2, Infinity],
      [-0, 0, 1, -0, 2],
      [3, -1, 2, -5, 0],
      [NaN, 1, 2, 3],
      [1e-300, 5e-324, 0, 1e300],
    ];
    for (const c of cases) expect(latencyPercentiles(Float64Array.from(c)), String(c)).toEqual(bySorting(Float64Array.from(c)));
  });

  it('equal them on a large phase with a long tail, and leave the input as it was', () => {
    const r = rng(9);
    const v = Float64Array.from({ length: 100_003 }, () => (r() < 0.98 ? 20 + Math.floor(r() * 10) : 1000 * r()));
    const copy = v.slice();
    expect(latencyPercentiles(v)).toEqual(bySorting(v));
    expect(v).toEqual(copy);
  });
});
