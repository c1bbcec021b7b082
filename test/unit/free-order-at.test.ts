import { describe, expect, it } from 'vitest';
import { fixedOrderAt, freeOrder } from '../../src/engine/free-order.ts';

describe('fixed free orders computed per index', () => {
  it('give the same sequence as the materialised orders, for odd and even lengths', () => {
    const never = (): number => {
      throw new Error('fixed orders draw no random numbers');
    };
    for (const order of ['inorder', 'reverse', 'alternating'] as const) {
      for (const n of [0, 1, 2, 3, 7, 8, 1001]) {
        const want = [...freeOrder(n, order, never)];
        const got = Array.from({ length: n }, (_, k) => fixedOrderAt(k, n, order));
        expect(got, `${order} ${n}`).toEqual(want);
      }
    }
  });
});
