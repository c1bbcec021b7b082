/**
 * pcpu_alloc_area of v4.13: first fit from first_free, with the head and tail rules and the
 * contig hint that is only recomputed after a full scan. Pictures are map entries,
 * `offset` + `u`(in use) / `f`(free), then `|end` (the sentinel). Unit = 512 KiB.
 */
import { describe, expect, it } from 'vitest';
import { allocArea } from '../../src/kernel/areamap/alloc-area.ts';
import { bitmapClear } from '../../src/kernel/bitops.ts';
import { drawMap, freshChunk, newAreamap, picture } from './areamap-helpers.ts';

describe('areamap pcpu_alloc_area', () => {
  it('splits a fresh chunk into the allocation and a free tail', () => {
    // [0f |U]  ->  [0u 8f |U]
    const { s } = newAreamap();
    const c = freshChunk(s);
    expect(allocArea(s, c, 8, 8, false)).toBe(0);
    expect(picture(c)).toBe(`0u 8f |${s.unitSize}`);
    expect(c.freeSize).toBe(s.unitSize - 8);
    expect(c.firstFree).toBe(1);
    // the new tail entry means the allocation is no longer the last area: the hint is kept,
    // overestimating by 8
    expect(c.contigHint).toBe(s.unitSize);
  });

  it('a head smaller than an int joins the in-use area before it and is lost from free_size', () => {
    // [0u(2) 2f]  + 4 bytes aligned 4  ->  [0u 4u 8f]: bytes 2..3 belong to the first area now
    const { s } = newAreamap();
    const c = freshChunk(s);
    drawMap(s, c, [['u', 2], ['f', 0]]);
    const free0 = c.freeSize;
    expect(allocArea(s, c, 4, 4, false)).toBe(4);
    expect(picture(c)).toBe(`0u 4u 8f |${s.unitSize}`);
    expect(c.freeSize).toBe(free0 - 2 - 4);
  });

  it('a head of an int or more after an in-use area keeps its own free entry', () => {
    // [0u(4) 4f]  + 8 bytes aligned 16  ->  [0u 4f 16u 24f]
    const { s } = newAreamap();
    const c = freshChunk(s);
    drawMap(s, c, [['u', 4], ['f', 0]]);
    expect(allocArea(s, c, 8, 16, false)).toBe(16);
    expect(picture(c)).toBe(`0u 4f 16u 24f |${s.unitSize}`);
    expect(c.freeSize).toBe(s.unitSize - 4 - 8);
    expect(c.firstFree).toBe(1);
  });

  it('an atomic request skips unpopulated pages, leaving the skipped part as a free head', () => {
    // [0u(8) 8f(rest)], pages: 0 populated, 1 not, 2.. populated
    //   ->  [0u 8f 8192u 8200f]
    const { s } = newAreamap();
    const c = freshChunk(s);
    drawMap(s, c, [['u', 8], ['f', 0]]);
    bitmapClear(c.populated, 1, 1);
    c.nrPopulated--;
    expect(allocArea(s, c, 4096, 8, true)).toBe(8192);
    expect(picture(c)).toBe(`0u 8f 8192u 12288f |${s.unitSize}`);
    // the same request may sleep and populate: it takes the first fit
    const d = freshChunk(s);
    drawMap(s, d, [['u', 8], ['f', 0]]);
    bitmapClear(d.populated, 1, 1);
    expect(allocArea(s, d, 4096, 8, false)).toBe(8);
  });

  it('a tail smaller than an int is absorbed into the allocation', () => {
    // [0f(8) 8u(8) 16f]  + 6 bytes  ->  [0u 8u 16f], and 8 bytes leave free_size, not 6
    const { s } = newAreamap();
    const c = freshChunk(s);
    drawMap(s, c, [['f', 8], ['u', 8], ['f', 0]]);
    const free0 = c.freeSize;
    expect(allocArea(s, c, 6, 2, false)).toBe(0);
    expect(picture(c)).toBe(`0u 8u 16f |${s.unitSize}`);
    expect(c.freeSize).toBe(free0 - 8);
    // first_free is a lower bound: the scan stopped right after the area it used
    expect(c.firstFree).toBe(1);
  });

  it('keeps an overestimating contig hint when the allocation is not from the last area', () => {
    // [0f(4096) 4096u(8) 4104f(rest)] with the big area last... make the first area the largest:
    const { s } = newAreamap();
    const c = freshChunk(s);
    const rest = 64;
    drawMap(s, c, [['f', s.unitSize - 8 - rest], ['u', 8], ['f', rest]]);
    const before = c.contigHint; // unit - 72, exact
    expect(allocArea(s, c, 16, 8, false)).toBe(0);
    // the first area shrank by 16, but the hint is max(old hint, what the scan saw)
    expect(c.contigHint).toBe(before);
    expect(before - 16).toBe((c.map[2]! & ~1) - (c.map[1]! & ~1));
  });

  it('a failed scan leaves the exact contig hint and the first free index it passed', () => {
    // [0u(8) 8f(8) 16u(8) 24f(16) 40u(rest)] with an overestimated hint of 1000
    const { s } = newAreamap();
    const c = freshChunk(s);
    drawMap(s, c, [['u', 8], ['f', 8], ['u', 8], ['f', 16], ['u', 0]]);
    c.contigHint = 1000;
    c.firstFree = 0;
    expect(allocArea(s, c, 32, 8, false)).toBe(-1);
    expect(c.contigHint).toBe(16);
    expect(c.firstFree).toBe(1);
  });

  it('counts every map entry the scan examined', () => {
    // [0u 8u 16u 24f]: a scan from first_free 0 reads four entries
    const { s } = newAreamap();
    const c = freshChunk(s);
    drawMap(s, c, [['u', 8], ['u', 8], ['u', 8], ['f', 0]]);
    c.firstFree = 0;
    const before = s.work.mapEntriesScanned;
    expect(allocArea(s, c, 8, 8, false)).toBe(24);
    expect(s.work.mapEntriesScanned - before).toBe(4);
  });
});
