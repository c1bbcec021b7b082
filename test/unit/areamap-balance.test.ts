/** pcpu_balance_workfn and free_percpu's scheduling of it, v4.13. */
import { describe, expect, it } from 'vitest';
import { DYN, newAreamap } from './areamap-helpers.ts';

describe('areamap balance work', () => {
  it('a free that leaves a second fully free chunk schedules the work, which keeps the free-list head', () => {
    const { a, s } = newAreamap();
    expect(a.alloc(DYN, 8, false, false)).toBeGreaterThan(0); // first chunk full
    const big = 32768;
    const offs: [number, number][] = [];
    // fill chunk 1 (512 KiB unit) and spill into chunk 2
    for (let k = 0; k < s.unitSize / big + 1; k++) {
      const off = a.alloc(big, 8, false, false);
      offs.push([a.lastChunkId, off]);
    }
    expect(s.work.chunksCreated).toBe(2);
    if (a.balancePending) a.runBalance();
    // empty chunk 2, then chunk 1: only the second fully free chunk wakes the work
    a.free(2, 0);
    expect(a.balancePending).toBe(false);
    for (const [chunk, off] of offs) if (chunk === 1) a.free(chunk, off);
    expect(a.balancePending).toBe(true);
    // chunk 1 became free last, so it heads the free list and survives
    expect(s.lists.toArray(s.freeSlot)).toEqual([1, 2]);
    a.runBalance();
    expect(s.chunks[2]).toBe(null);
    expect(s.work.chunksDestroyed).toBe(1);
    expect(a.stats().nr_chunks).toBe(2);
    a.checkInvariants();
  });

  it('destroying a chunk depopulates it first and takes its pages off the empty count', () => {
    const { a, s, platform } = newAreamap({ nrCpus: 2 });
    expect(a.alloc(DYN, 8, false, false)).toBeGreaterThan(0); // first chunk full
    const inChunk1: number[] = [];
    let inChunk2 = -1;
    while (inChunk2 < 0) {
      const off = a.alloc(32768, 8, false, false);
      if (a.lastChunkId === 2) inChunk2 = off;
      else inChunk1.push(off);
    }
    if (a.balancePending) a.runBalance();
    a.free(2, inChunk2);
    expect(a.balancePending).toBe(false); // the only fully free chunk
    for (const off of inChunk1) a.free(1, off);
    expect(a.balancePending).toBe(true);
    const empty = s.nrEmptyPopPages;
    const populated2 = s.chunks[2]!.nrPopulated;
    a.runBalance();
    expect(s.chunks[2]).toBe(null); // chunk 1 became free last, heads the list and stays
    expect(s.work.pagesDepopulated).toBe(populated2 * 2);
    expect(s.nrEmptyPopPages).toBe(empty - populated2);
    expect(platform.pagesInUse).toBe(s.work.pagesPopulated - s.work.pagesDepopulated);
    a.checkInvariants();
  });

  it('after an atomic failure it populates PCPU_EMPTY_POP_PAGES_HIGH pages, whatever the count', () => {
    const { a, s } = newAreamap();
    expect(a.alloc(DYN - 8, 8, false, false)).toBeGreaterThan(0);
    expect(a.alloc(64, 8, true, false)).toBe(-1); // 8 bytes left in the first chunk
    expect(s.atomicAllocFailed).toBe(true);
    const before = s.nrEmptyPopPages;
    a.runBalance();
    expect(s.atomicAllocFailed).toBe(false);
    expect(s.nrEmptyPopPages - before).toBe(4);
    // without the flag it tops up to HIGH only
    a.runBalance();
    expect(s.nrEmptyPopPages).toBe(Math.max(before + 4, 4));
    a.checkInvariants();
  });

  it('populates the fullest chunk with unpopulated pages first, lowest pages first', () => {
    const { a, s } = newAreamap();
    expect(a.alloc(DYN, 8, false, false)).toBeGreaterThan(0);
    expect(a.alloc(3 * 4096, 4096, false, false)).toBe(0); // chunk 1: pages 0..2 populated, in use
    const c = s.chunks[1]!;
    expect(c.nrPopulated).toBe(3);
    a.runBalance();
    expect(c.nrPopulated).toBe(3 + 4);
    expect(c.populated[0]! & 0x7f).toBe(0x7f);
    expect(s.nrEmptyPopPages).toBe(4);
  });
});
