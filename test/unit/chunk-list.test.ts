/** The slot lists: head/tail insertion order and safe iteration, as the kernel's list.h gives them. */
import { describe, expect, it } from 'vitest';
import { ChunkLists } from '../../src/kernel/chunk-list.ts';

describe('ChunkLists', () => {
  it('list_add puts at the head, list_add_tail at the tail', () => {
    const l = new ChunkLists(3);
    l.add(5, 1);
    l.add(7, 1);
    l.addTail(2, 1);
    expect(l.toArray(1)).toEqual([7, 5, 2]);
    expect(l.first(1)).toBe(7);
    expect(l.last(1)).toBe(2);
    expect(l.listOf(5)).toBe(1);
    expect(l.count(1)).toBe(3);
    expect(l.isEmpty(0)).toBe(true);
  });

  it('list_move and list_move_tail take a chunk off its list first', () => {
    const l = new ChunkLists(3);
    for (const c of [0, 1, 2]) l.addTail(c, 0);
    l.move(1, 2);
    l.moveTail(0, 2);
    expect(l.toArray(0)).toEqual([2]);
    expect(l.toArray(2)).toEqual([1, 0]);
    l.move(0, 2); // moving within the same list goes to its head
    expect(l.toArray(2)).toEqual([0, 1]);
    l.del(0);
    expect(l.listOf(0)).toBe(-1);
    expect(l.toArray(2)).toEqual([1]);
  });

  it('iterating head to tail with the next entry taken first survives moving the current one', () => {
    const l = new ChunkLists(2);
    for (const c of [0, 1, 2, 3]) l.addTail(c, 1);
    const seen: number[] = [];
    for (let c = l.first(1), n; c !== -1; c = n) {
      n = l.next(c);
      seen.push(c);
      if (c % 2 === 0) l.move(c, 0);
    }
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(l.toArray(0)).toEqual([2, 0]);
    expect(l.toArray(1)).toEqual([1, 3]);
    expect(l.prev(3)).toBe(1);
    expect(l.prev(1)).toBe(-1);
  });

  it('grows to large chunk indices without disturbing existing lists', () => {
    const l = new ChunkLists(2, 2);
    l.add(0, 0);
    l.add(1000, 0);
    l.addTail(37, 1);
    expect(l.toArray(0)).toEqual([1000, 0]);
    expect(l.toArray(1)).toEqual([37]);
    expect(l.listOf(999)).toBe(-1);
  });

  it('nextNonEmpty finds the first list holding a chunk, across more than 32 lists, and forgets emptied ones', () => {
    const l = new ChunkLists(70);
    expect(l.nextNonEmpty(0)).toBe(70);
    l.add(1, 5);
    l.addTail(2, 40);
    l.add(3, 69);
    expect(l.nextNonEmpty(0)).toBe(5);
    expect(l.nextNonEmpty(5)).toBe(5);
    expect(l.nextNonEmpty(6)).toBe(40);
    expect(l.nextNonEmpty(41)).toBe(69);
    expect(l.nextNonEmpty(70)).toBe(70);
    l.move(1, 40);
    expect(l.nextNonEmpty(0)).toBe(40);
    l.del(2);
    expect(l.nextNonEmpty(0)).toBe(40);
    l.del(1);
    expect(l.nextNonEmpty(0)).toBe(69);
    for (let list = 0; list < 70; list++) {
      let want = 70;
      for (let k = list; k < 70; k++) if (!l.isEmpty(k)) { want = k; break; }
      expect(l.nextNonEmpty(list)).toBe(want);
    }
  });
});
