/**
 * The v4.14 hint ladder, driven directly on small chunks: block records without scan hints,
 * chunk hints kept as contig_bits / contig_bits_start / first_bit, and the rules that decide
 * when each is rescanned. Pictures: '#' allocated, '.' free.
 */
import { describe, expect, it } from 'vitest';
import { bitmapClear, bitmapSet, setBit } from '../../src/kernel/bitops.ts';
import { allocArea, freeArea } from '../../src/kernel/bitmap-v4.14/area.ts';
import { blockRefreshHint, blockUpdate, blockUpdateHintAlloc } from '../../src/kernel/bitmap-v4.14/block-hints.ts';
import type { BitmapChunk } from '../../src/kernel/bitmap-v4.14/chunk.ts';
import {
  MD_CONTIG, MD_CONTIG_START, MD_FIRST_FREE, MD_LEFT_FREE, MD_RIGHT_FREE, MD_STRIDE,
  contigBits, contigBitsStart, firstBit,
} from '../../src/kernel/bitmap-v4.14/chunk.ts';
import { chunkRefreshHint } from '../../src/kernel/bitmap-v4.14/chunk-hints.ts';
import { checkInvariantsV414 } from '../../src/kernel/bitmap-v4.14/invariants.ts';
import { createChunk } from '../../src/kernel/bitmap-v4.14/lifecycle.ts';
import { chunkPopulated } from '../../src/kernel/bitmap-v4.14/populate.ts';
import type { PcpuV414 } from '../../src/kernel/bitmap-v4.14/state.ts';
import { picture, smallV414, smallV414State } from './bitmap-v414-harness.ts';

const BB = 1024;

function block(c: BitmapChunk, i: number): { contig: number; start: number; left: number; right: number; firstFree: number } {
  const b = i * MD_STRIDE;
  return {
    contig: c.md[b + MD_CONTIG]!,
    start: c.md[b + MD_CONTIG_START]!,
    left: c.md[b + MD_LEFT_FREE]!,
    right: c.md[b + MD_RIGHT_FREE]!,
    firstFree: c.md[b + MD_FIRST_FREE]!,
  };
}

/** a fresh 16-page chunk (on no list) in a small allocator */
function freshChunk(): { p: PcpuV414; c: BitmapChunk } {
  const { p } = smallV414State();
  const c = createChunk(p)!;
  return { p, c };
}

describe('pcpu_block_update', () => {
  it('takes a bigger run, and an equal one only when it starts better aligned', () => {
    const md = new Int32Array(MD_STRIDE);
    md[MD_CONTIG] = 8;
    md[MD_CONTIG_START] = 12;
    blockUpdate(md, 0, BB, 16, 24); // ctz(16) = 4 > ctz(12) = 2
    expect(md[MD_CONTIG_START]).toBe(16);
    blockUpdate(md, 0, BB, 20, 28); // ctz(20) = 2: worse aligned
    expect(md[MD_CONTIG_START]).toBe(16);
    blockUpdate(md, 0, BB, 0, 8); // start 0 is the best alignment there is
    expect([md[MD_CONTIG_START], md[MD_LEFT_FREE]]).toEqual([0, 8]);
    blockUpdate(md, 0, BB, 512, 520); // a hint at 0 is never replaced by an equal run
    expect(md[MD_CONTIG_START]).toBe(0);
    blockUpdate(md, 0, BB, 1000, 1024);
    expect([md[MD_CONTIG], md[MD_CONTIG_START], md[MD_RIGHT_FREE]]).toEqual([24, 1000, 24]);
  });
});

describe('pcpu_block_refresh_hint', () => {
  it('clears contig, left and right and rebuilds them from the runs at or after first_free', () => {
    const { p, c } = freshChunk();
    // ##########..........##########......(to the end of the block)
    bitmapSet(c.allocMap, 0, 10);
    bitmapSet(c.allocMap, 20, 10);
    c.md[MD_FIRST_FREE] = 10;
    blockRefreshHint(p, c, 0);
    expect(picture(c, 0, 32)).toBe('##########..........##########..');
    expect(block(c, 0)).toEqual({ contig: 994, start: 30, left: 0, right: 994, firstFree: 10 });
  });
});

describe('pcpu_block_update_hint_alloc (v4.14)', () => {
  it('leaves a block contig hint alone when the allocation starts outside it, clamping left_free', () => {
    const { p, c } = freshChunk();
    // block 0: ..........(90 free)[100,200) allocated, [200,1024) free
    bitmapSet(c.allocMap, 100, 100);
    blockRefreshHint(p, c, 0);
    expect(block(c, 0)).toEqual({ contig: 824, start: 200, left: 100, right: 824, firstFree: 0 });
    bitmapSet(c.allocMap, 0, 10);
    blockUpdateHintAlloc(p, c, 0, 10);
    expect(block(c, 0)).toEqual({ contig: 824, start: 200, left: 0, right: 824, firstFree: 10 });
  });

  it('rescans the start block, rescans the end block when the allocation ends past its contig start, and rescans the chunk when the allocation starts inside its hint', () => {
    const { p, c } = freshChunk();
    const off = allocArea(p, c, 100, 1, 1000); // [1000, 1100): blocks 0 and 1
    expect(off).toBe(4000);
    expect(block(c, 0)).toEqual({ contig: 1000, start: 0, left: 1000, right: 0, firstFree: 0 });
    expect(block(c, 1)).toEqual({ contig: 948, start: 76, left: 0, right: 948, firstFree: 76 });
    // the chunk walk sees block 0's run and block 1's right run joined to the free blocks after it
    expect([contigBits(c), contigBitsStart(c)]).toEqual([948 + 14 * BB, BB + 76]);
  });
});

describe('pcpu_block_update_hint_free (v4.14)', () => {
  it('offers the block contig size at the freed run start, so an equal, better-aligned free moves the chunk hint onto a small run', () => {
    const { p, c } = freshChunk();
    // everything allocated but block 0's [500, 800) and a 10-bit allocation at [256, 266)
    bitmapSet(c.allocMap, 0, c.mapBits);
    bitmapClear(c.allocMap, 500, 300);
    for (let i = 0; i < c.nrBlocks; i++) blockRefreshHint(p, c, i);
    c.freeBytes = 300 * 4;
    chunkRefreshHint(p, c);
    expect([contigBits(c), contigBitsStart(c)]).toEqual([300, 500]);
    setBit(c.boundMap, 256);
    setBit(c.boundMap, 266);

    freeArea(p, c, 256 * 4);
    expect(picture(c, 254, 270)).toBe('##..........####');
    // pcpu_chunk_update(chunk, 256, 300): same size, ctz(256) = 8 beats ctz(500) = 2
    expect([contigBits(c), contigBitsStart(c)]).toEqual([300, 256]);
    expect(block(c, 0).start).toBe(500);
  });
});

describe('chunk hints through the allocator', () => {
  it('keeps contig_bits standing when an allocation starts left of its recorded start (it can exceed free_bytes)', () => {
    const { a } = smallV414(); // first chunk: 5 pages from a page boundary, 5120 bits
    expect(a.alloc(64, 4, false, false)).toBe(0); // X = [0, 16)
    expect(a.alloc(64, 4, false, false)).toBe(64); // A = [16, 32)
    expect(a.alloc(64, 4, false, false)).toBe(128); // B = [32, 48): hint now 5072@48
    a.free(0, 128); // the run [32, ...) grows leftwards inside block 0: the hint keeps start 48
    expect(a.alloc(128, 4, false, false)).toBe(128); // [32, 64) starts left of 48: no rescan
    const chunk = a.stats().chunks[0]!;
    expect(chunk.extra).toMatchObject({ contig_hint: 5072, contig_hint_start: 48, first_free: 64 });
    expect(chunk.free_bytes).toBe((5120 - 64) * 4);
    expect(chunk.contig_bytes).toBeGreaterThan(chunk.free_bytes);
    expect(() => a.checkInvariants()).not.toThrow();
  });

  it('recounts empty populated pages only on a chunk rescan, so an allocation outside the hint leaves the counts stale', () => {
    const { a } = smallV414();
    expect(a.alloc(4096, 4096, false, false)).toBe(0);
    expect(a.alloc(4096, 4096, false, false)).toBe(4096);
    expect(a.alloc(4096, 4096, false, false)).toBe(8192);
    expect(a.stats().nr_empty_pop_pages).toBe(2);
    a.free(0, 0); // a whole page comes free: rescan, 3 empty pages
    expect(a.stats().nr_empty_pop_pages).toBe(3);
    expect(a.alloc(16, 4, false, false)).toBe(0); // page 0 is no longer empty, but the hint is at page 3
    const s = a.stats();
    expect(s.nr_empty_pop_pages).toBe(3);
    expect(s.chunks[0]!.nr_empty_pop_pages).toBe(3);
    expect(s.chunks[0]!.extra).toMatchObject({ contig_hint: 2048, contig_hint_start: 3072 });
  });

  it('moves first_bit past an allocation that starts on it, and back on a free below it', () => {
    const { p, c } = freshChunk();
    chunkPopulated(p, c, 0, 1, false);
    allocArea(p, c, 8, 1, 0);
    allocArea(p, c, 8, 1, 0);
    expect(firstBit(c)).toBe(16);
    freeArea(p, c, 0);
    expect(firstBit(c)).toBe(0);
    checkInvariantsV414(p);
  });
});
