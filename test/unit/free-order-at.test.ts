import { describe, expect, it } from 'vitest';
import { fixedOrderAt } from '../../src/engine/free-order.ts';

const seq = (n: number, order: 'inorder' | 'reverse' | 'alternating'): number[] => Array.from({ length: n }, (_, k) => fixedOrderAt(k, n, order));

describe('fixed free orders computed per index', () => {
  it('alternating takes the even indices first, then the odd ones, for odd and even lengths', () => {
    expect(seq(8, 'alternating')).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
    expect(seq(7, 'alternating')).toEqual([0, 2, 4, 6, 1, 3, 5]);
    expect(seq(2, 'alternating')).toEqual([0, 1]);
    expect(seq(1, 'alternating')).toEqual([0]);
  });
  it('in order and reverse', () => {
    expect(seq(5, 'inorder')).toEqual([0, 1, 2, 3, 4]);
    expect(seq(5, 'reverse')).toEqual([4, 3, 2, 1, 0]);
  });
  it('every fixed order is a permutation', () => {
    for (const order of ['inorder', 'reverse', 'alternating'] as const) {
      for (const n of [0, 3, 1000, 1001]) expect(new Set(seq(n, order)).size, `${order} ${n}`).toBe(n);
    }
  });
});
