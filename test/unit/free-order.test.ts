import { describe, expect, it } from 'vitest';
import { freeOrder } from '../../src/engine/free-order.ts';
import { LiveSet } from '../../src/engine/live-set.ts';

describe('free orders of the seed workload', () => {
  const never = (): number => {
    throw new Error('no randomness expected');
  };
  it('alternating frees every even-indexed object first, then the odd ones', () => {
    expect([...freeOrder(7, 'alternating', never)]).toEqual([0, 2, 4, 6, 1, 3, 5]);
  });
  it('in order and reverse walk the allocation order both ways', () => {
    expect([...freeOrder(4, 'inorder', never)]).toEqual([0, 1, 2, 3]);
    expect([...freeOrder(4, 'reverse', never)]).toEqual([3, 2, 1, 0]);
  });
  it('random is a permutation fixed by the random source', () => {
    let x = 0.1;
    const rnd = (): number => (x = (x * 9301 + 0.49297) % 1);
    const p = [...freeOrder(50, 'random', rnd)];
    expect([...p].sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
    expect(p).not.toEqual([...Array(50).keys()]);
  });
});

describe('LiveSet', () => {
  it('keeps allocation order through growth and compaction', () => {
    const s = new LiveSet();
    for (let i = 0; i < 3000; i++) s.push(i % 7, i * 4);
    for (let i = 0; i < 3000; i += 3) s.kill(i);
    s.compact();
    expect(s.length).toBe(2000);
    expect(s.count).toBe(2000);
    expect([s.off[0], s.off[1], s.off[2]]).toEqual([4, 8, 16]);
  });
});
