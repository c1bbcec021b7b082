/**
 * pcpu_free_area of v4.13: binary search for the entry, merge with free neighbours, move the
 * rest of the map down. Pictures as in areamap-alloc-area.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../src/kernel/allocator.ts';
import { freeArea } from '../../src/kernel/areamap/free-area.ts';
import { DYN_START, drawMap, freshChunk, newAreamap, picture } from './areamap-helpers.ts';

describe('areamap pcpu_free_area', () => {
  it('merges with free areas on both sides and moves the rest of the map down', () => {
    // [0f 8u 16f 24u 32f]  free 8  ->  [0f 24u 32f]
    const { s } = newAreamap();
    const c = freshChunk(s);
    drawMap(s, c, [['f', 8], ['u', 8], ['f', 8], ['u', 8], ['f', 0]]);
    const moved0 = s.work.bytesMoved;
    freeArea(s, c, 8);
    expect(picture(c)).toBe(`0f 24u 32f |${s.unitSize}`);
    expect(c.freeSize).toBe(s.unitSize - 8);
    // entries after the merged area: 24u, 32f and the sentinel
    expect(s.work.bytesMoved - moved0).toBe(3 * 4);
    expect(c.contigHint).toBe(s.unitSize - 32);
  });

  it('lowers first_free to the freed entry and grows the hint to the merged size', () => {
    // [0u 8u 16u 24f(8) 32u(rest)]  free 16  ->  [0u 8u 16f 32u], hint 16
    const { s } = newAreamap();
    const c = freshChunk(s);
    drawMap(s, c, [['u', 8], ['u', 8], ['u', 8], ['f', 8], ['u', 0]]);
    freeArea(s, c, 16);
    expect(picture(c)).toBe(`0u 8u 16f 32u |${s.unitSize}`);
    expect(c.firstFree).toBe(2);
    expect(c.contigHint).toBe(16);
  });

  it('frees in address order cost a quadratic memmove, in reverse order a constant one', () => {
    const n = 200;
    const moved = (order: 'inorder' | 'reverse'): number => {
      const { a, s } = newAreamap();
      const offs: number[] = [];
      for (let k = 0; k < n; k++) offs.push(a.alloc(8, 8, false, false));
      expect(offs[0]).toBe(DYN_START);
      if (order === 'reverse') offs.reverse();
      const before = s.work.bytesMoved;
      for (const off of offs) a.free(0, off);
      return s.work.bytesMoved - before;
    };
    // in order, the k-th free (k >= 1) merges with the free run below it and moves the
    // n - k + 1 entries above; the last one merges both ways and moves only the sentinel
    let entries = 1;
    for (let k = 1; k <= n - 2; k++) entries += n - k + 1;
    expect(moved('inorder')).toBe(entries * 4);
    // from the top, each free merges with the free tail and moves just the sentinel
    expect(moved('reverse')).toBe(n * 4);
  });

  it('freeing an offset that is not an allocation is a bug', () => {
    const { s } = newAreamap();
    const c = freshChunk(s);
    drawMap(s, c, [['u', 8], ['f', 0]]);
    expect(() => freeArea(s, c, 4)).toThrow(InvariantError);
    expect(() => freeArea(s, c, 8)).toThrow(/no allocation at offset 8/);
  });

  it('returns the pages an area gives back, counting straddled pages whose rest is free', () => {
    // [0u(4100) 4100f(rest)] on 4 KiB pages: freeing the first area gives back page 0 and,
    // since the free area after it covers the rest of page 1, page 1 too
    const { s } = newAreamap();
    const c = freshChunk(s);
    drawMap(s, c, [['u', 4100], ['f', 0]]);
    freeArea(s, c, 0);
    expect(s.occPages).toBe(2);
    // [0u(4100) 4100u(8) 4108f]: page 1 is shared with a live area, only page 0 comes back
    const d = freshChunk(s);
    drawMap(s, d, [['u', 4100], ['u', 8], ['f', 0]]);
    freeArea(s, d, 0);
    expect(s.occPages).toBe(1);
  });
});
