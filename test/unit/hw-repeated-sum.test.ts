import { describe, expect, it } from 'vitest';
import { addRepeated } from '../../src/hw/repeated-sum.ts';

function loop(x: number, c: number, k: number): number {
  for (let i = 0; i < k; i++) x += c;
  return x;
}

/** a small deterministic generator (tests must not depend on Math.random) */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('addRepeated: k rounded additions at once', () => {
  it('matches the addition loop bit for bit on the cache model costs', () => {
    // the costs of seed-2017 lines (latencies and line / bandwidth), and sums that cross binades
    const costs = [1.25, 3.75, 18, 0.64, 64 / 60, 64 / 25, 85, 130, 64 / 11, 64 / 7.5, 2.56, 1.0666666666666667];
    for (const c of costs) {
      for (const x of [0, c, 1e-3, 17.5, 1234.5678, 2 ** 20 + 0.1, 3e9 + 0.3]) {
        for (const k of [0, 1, 3, 4, 5, 63, 64, 65, 1000, 4095, 65536, 1_000_003]) {
          expect(addRepeated(x, c, k)).toBe(loop(x, c, k));
        }
      }
    }
  });

  it('matches the loop on random values, including costs whose low bits tie at some grid', () => {
    const r = rng(7);
    for (let t = 0; t < 3000; t++) {
      const c = t % 3 === 0 ? Math.floor(r() * 64) / 8 + 0.125 : r() * 10 ** Math.floor(r() * 6 - 2);
      const x = t % 5 === 0 ? 0 : r() * 10 ** Math.floor(r() * 9);
      const k = Math.floor(r() * (t % 2 ? 100 : 200_000));
      expect(addRepeated(x, c, k), `x=${x} c=${c} k=${k}`).toBe(loop(x, c, k));
    }
  });

  it('matches the loop where the sum stops moving (c below half a grid step)', () => {
    expect(addRepeated(2 ** 60, 1, 1000)).toBe(loop(2 ** 60, 1, 1000));
    expect(addRepeated(2 ** 53, 1, 10)).toBe(2 ** 53);
    expect(addRepeated(2 ** 53 - 2, 1.5, 10)).toBe(loop(2 ** 53 - 2, 1.5, 10));
  });

  it('matches the loop where every addition is a tie (rounded to even)', () => {
    for (const c of [1.5, 2.5, 0.5, 3.5]) {
      for (const x of [2 ** 52, 2 ** 52 + 1, 2 ** 52 - 8]) expect(addRepeated(x, c, 1001)).toBe(loop(x, c, 1001));
    }
  });
});
