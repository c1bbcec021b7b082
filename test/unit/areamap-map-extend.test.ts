/** pcpu_need_to_extend / pcpu_extend_area_map of v4.13, synchronous and through the balance work. */
import { describe, expect, it } from 'vitest';
import { extendAreaMap, needToExtend } from '../../src/kernel/areamap/map-extend.ts';
import { freshChunk, newAreamap, picture } from './areamap-helpers.ts';

describe('areamap map extension', () => {
  it('a sleeping request wants 64 spare entries, in powers of two from 16', () => {
    const { s } = newAreamap();
    const c = freshChunk(s, 16); // map_used 1 of 16
    expect(needToExtend(s, c, false)).toBe(128); // smallest 16·2^k >= 1 + 64
    c.mapUsed = 64;
    c.map = new Int32Array(128);
    c.mapAlloc = 128;
    expect(needToExtend(s, c, false)).toBe(0); // 128 >= 64 + 64
    c.mapUsed = 65;
    expect(needToExtend(s, c, false)).toBe(256);
    expect(s.balancePending).toBe(false);
  });

  it('an atomic request needs only 3 spare entries, but queues the chunk below 32', () => {
    const { s } = newAreamap();
    const c = freshChunk(s, 16);
    expect(needToExtend(s, c, true)).toBe(0);
    expect(s.mapExtendQueue.first(0)).toBe(c.id + 1);
    expect(s.balancePending).toBe(true);
    // queued once only
    needToExtend(s, c, true);
    expect(s.mapExtendQueue.count(0)).toBe(1);
    c.mapUsed = 14;
    expect(needToExtend(s, c, true)).toBe(32); // 16 < 14 + 3
  });

  it('extension keeps the map and counts the copy', () => {
    const { s } = newAreamap();
    const c = freshChunk(s, 16);
    const before = picture(c);
    const moved0 = s.work.bytesMoved;
    extendAreaMap(s, c, 128);
    expect(c.mapAlloc).toBe(128);
    expect(c.map.length).toBe(128);
    expect(picture(c)).toBe(before);
    expect(s.work.mapExtensions).toBe(1);
    expect(s.work.bytesMoved - moved0).toBe(16 * 4);
    // a smaller or equal target is dropped
    extendAreaMap(s, c, 64);
    expect(c.mapAlloc).toBe(128);
    expect(s.work.mapExtensions).toBe(1);
  });

  it('an extension takes a buffer an earlier extension left behind, zero-filled past the copy', () => {
    const { s } = newAreamap();
    const c1 = freshChunk(s, 16);
    const c2 = freshChunk(s, 16);
    extendAreaMap(s, c1, 32);
    const left32 = c1.map;
    left32.fill(7, c1.mapUsed + 1); // stale contents beyond the live entries
    extendAreaMap(s, c1, 64); // leaves the 32-entry buffer behind
    const before = picture(c2);
    const moved0 = s.work.bytesMoved;
    extendAreaMap(s, c2, 32);
    expect(c2.map).toBe(left32);
    expect(picture(c2)).toBe(before);
    expect(Array.from(c2.map.subarray(c2.mapUsed + 1))).toEqual(new Array<number>(32 - c2.mapUsed - 1).fill(0));
    // counted as before: the copy of the old map
    expect(s.work.bytesMoved - moved0).toBe(16 * 4);
    expect(c1.map.length).toBe(64);
  });

  it('the first sleeping allocation in a new chunk grows its 16-entry map to 128', () => {
    const { a, s } = newAreamap();
    expect(a.alloc(28672, 8, false, false)).toBeGreaterThan(0); // fills the first chunk
    expect(a.alloc(8, 8, false, false)).toBe(0);
    expect(a.lastChunkId).toBe(1);
    expect(s.chunks[1]!.mapAlloc).toBe(128);
    expect(s.work.mapExtensions).toBe(1);
  });

  it('atomic allocations queue a crowded map and the balance work extends it', () => {
    // the first chunk's map has 128 entries; 8-byte atomic allocations aligned 16 leave a
    // free 8-byte head entry each, so the map fills two entries per allocation
    const { a, s } = newAreamap();
    const first = s.firstChunk;
    while (first.mapUsed + 32 <= first.mapAlloc) {
      expect(a.alloc(8, 16, true, false)).toBeGreaterThan(0);
      if (a.balancePending) {
        expect(s.mapExtendQueue.count(0)).toBe(0); // only the empty-page low mark so far
        a.runBalance();
      }
    }
    expect(a.alloc(8, 16, true, false)).toBeGreaterThan(0);
    expect(s.mapExtendQueue.first(0)).toBe(first.id + 1);
    expect(a.balancePending).toBe(true);
    const used = first.mapUsed;
    a.runBalance();
    expect(s.mapExtendQueue.isEmpty(0)).toBe(true);
    let want = 16;
    while (want < used + 64) want *= 2;
    expect(first.mapAlloc).toBe(want);
    a.checkInvariants();
  });
});
