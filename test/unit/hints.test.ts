/**
 * The hint ladder of the modern allocator (pcpu_block_update and friends), on small drawn
 * states. Each test opens with the picture it builds ('#' allocated, '.' free, one char per
 * 4-byte bit).
 */
import { describe, expect, it } from 'vitest';
import type { BitmapChunk } from '../../src/kernel/bitmap/chunk.ts';
import {
  MD_CONTIG,
  MD_CONTIG_START,
  MD_FIRST_FREE,
  MD_LEFT_FREE,
  MD_NR_BITS,
  MD_RIGHT_FREE,
  MD_SCAN,
  MD_SCAN_START,
  MD_STRIDE,
  initMdBlock,
} from '../../src/kernel/bitmap/chunk.ts';
import { allocArea, findBlockFit } from '../../src/kernel/bitmap/alloc.ts';
import { freeArea } from '../../src/kernel/bitmap/free.ts';
import { blockUpdate } from '../../src/kernel/bitmap/hints.ts';
import { chunkPopulated, createChunk } from '../../src/kernel/bitmap/populate.ts';
import { chunkRelocate, chunkSlot } from '../../src/kernel/bitmap/slots.ts';
import type { PcpuState } from '../../src/kernel/bitmap/state.ts';
import { checkInvariants } from '../../src/kernel/bitmap/invariants.ts';
import { exactBlockHints, largestFreeRun, picture, rng, smallState } from './bitmap-harness.ts';

function hints(md: Int32Array, b: number) {
  return {
    contig: md[b + MD_CONTIG], contigStart: md[b + MD_CONTIG_START],
    scan: md[b + MD_SCAN], scanStart: md[b + MD_SCAN_START],
    left: md[b + MD_LEFT_FREE], right: md[b + MD_RIGHT_FREE], firstFree: md[b + MD_FIRST_FREE],
  };
}

/** a fresh normal chunk on its list */
function freshChunk(state: PcpuState): BitmapChunk {
  const chunk = createChunk(state)!;
  chunkRelocate(state, chunk, -1);
  return chunk;
}

/** allocate like pcpu_alloc does once a chunk is chosen; returns the bit offset or -1 */
function allocBits(state: PcpuState, chunk: BitmapChunk, bits: number, alignBits = 1): number {
  const start = findBlockFit(state, chunk, bits, alignBits, false);
  if (start < 0) return -1;
  const off = allocArea(state, chunk, bits, alignBits, start);
  return off < 0 ? -1 : off / 4;
}

describe('pcpu_block_update', () => {
  const block = (): Int32Array => {
    const md = new Int32Array(MD_STRIDE);
    initMdBlock(md, 0, 64);
    md[MD_CONTIG] = 0;
    md[MD_LEFT_FREE] = 0;
    md[MD_RIGHT_FREE] = 0;
    md[MD_FIRST_FREE] = 64;
    return md;
  };

  it('a larger run later in the block takes the contig hint and demotes the old one to scan', () => {
    // ..........##########################....................##########
    const md = block();
    blockUpdate(md, 0, 0, 10);
    blockUpdate(md, 0, 36, 56);
    expect(hints(md, 0)).toMatchObject({ contig: 20, contigStart: 36, scan: 10, scanStart: 0, left: 10, firstFree: 0 });
  });

  it('an equal run with better alignment takes the contig hint', () => {
    // ####......######........ (runs of 6 at 4 and 6 at 16)
    const md = block();
    blockUpdate(md, 0, 4, 10);
    blockUpdate(md, 0, 16, 22);
    expect(hints(md, 0)).toMatchObject({ contig: 6, contigStart: 16 });
    blockUpdate(md, 0, 40, 46); // ctz(40) = 3 < ctz(16) = 4: keeps 16, remembered as scan
    expect(hints(md, 0)).toMatchObject({ contig: 6, contigStart: 16, scan: 6, scanStart: 40 });
  });

  it('a smaller run before the contig run becomes the scan hint only if not smaller than it', () => {
    const md = block();
    blockUpdate(md, 0, 40, 60);
    blockUpdate(md, 0, 10, 14);
    expect(hints(md, 0)).toMatchObject({ scan: 4, scanStart: 10 });
    blockUpdate(md, 0, 2, 5); // smaller: ignored
    expect(hints(md, 0)).toMatchObject({ scan: 4, scanStart: 10, firstFree: 2 });
    blockUpdate(md, 0, 20, 24); // equal and farther: replaces
    expect(hints(md, 0)).toMatchObject({ scan: 4, scanStart: 20 });
  });

  it('a run reaching the block end sets right_free', () => {
    const md = block();
    blockUpdate(md, 0, 50, md[MD_NR_BITS]!);
    expect(md[MD_RIGHT_FREE]).toBe(14);
  });
});

describe('hint updates on the allocation path', () => {
  it('the first allocation in a fresh 64-page chunk moves it from the free slot to slot 15 (doc example A)', () => {
    const { state } = smallState({ unitPages: 64 });
    const chunk = freshChunk(state);
    expect(state.lists.listOf(chunk.id + 1)).toBe(state.freeSlot);
    const emptyBefore = chunk.nrEmptyPopPages;
    expect(allocBits(state, chunk, 2, 2)).toBe(0);
    // ##......
    expect(picture(chunk, 0, 4)).toBe('##..');
    expect(hints(chunk.md, 0)).toMatchObject({ contig: 1022, contigStart: 2, right: 1022, firstFree: 2 });
    expect(hints(chunk.md, chunk.chunkMd)).toMatchObject({ contig: 65534, contigStart: 2, firstFree: 2 });
    expect(chunk.nrEmptyPopPages).toBe(emptyBefore - 1);
    expect(chunkSlot(state, chunk)).toBe(15);
    expect(state.lists.listOf(chunk.id + 1)).toBe(15);
  });

  it('breaking a block contig run promotes the scan hint and rescans after it (doc example B)', () => {
    const { state } = smallState();
    const chunk = freshChunk(state);
    // ##########..........##########............ (in use [0,10) and [20,30))
    allocBits(state, chunk, 10);
    const mid = allocBits(state, chunk, 10);
    allocBits(state, chunk, 10);
    freeArea(state, chunk, mid * 4);
    expect(picture(chunk, 0, 32)).toBe('##########..........##########..');
    expect(hints(chunk.md, 0)).toMatchObject({ contig: 994, contigStart: 30, scan: 10, scanStart: 10 });
    // 16 bits aligned to 16: skips the 10-bit scan run, lands at 32, hole [30,32) unrecorded
    expect(allocBits(state, chunk, 16, 16)).toBe(32);
    expect(hints(chunk.md, 0)).toMatchObject({ contig: 976, contigStart: 48, scan: 10, scanStart: 10 });
  });

  it('an allocation spanning blocks empties the middle blocks\' hints and counts their pages', () => {
    const { state } = smallState();
    const chunk = freshChunk(state);
    const before = chunk.nrEmptyPopPages;
    // block 0: .......########...  block 1: ##########  block 2: ####........
    const off = allocBits(state, chunk, 1024 + 512, 512);
    expect(off).toBe(0);
    const off2 = allocBits(state, chunk, 1024 + 600);
    expect(off2).toBe(1536);
    expect(hints(chunk.md, 2 * MD_STRIDE)).toMatchObject({ contig: 0, left: 0, right: 0 });
    expect(hints(chunk.md, 3 * MD_STRIDE)).toMatchObject({ left: 0, firstFree: 88, contig: 936, contigStart: 88 });
    expect(chunk.nrEmptyPopPages).toBe(before - 4);
  });
});

describe('hint updates on the free path', () => {
  it('a free inside one block beyond the first never raises the chunk contig hint (Q1)', () => {
    const { state } = smallState();
    const chunk = freshChunk(state);
    // fill the chunk with 72-byte objects: 18 bits each
    const offs: number[] = [];
    for (let o = allocBits(state, chunk, 18); o >= 0; o = allocBits(state, chunk, 18)) offs.push(o);
    // the leftover tail of each block is too small; fill it with 1-bit objects
    for (let o = allocBits(state, chunk, 1); o >= 0; o = allocBits(state, chunk, 1)) offs.push(o);
    expect(chunk.md[chunk.chunkMd + MD_CONTIG]).toBe(0);
    expect(chunkSlot(state, chunk)).toBe(0);
    const victim = offs.find((o) => o >= 3 * 1024 + 10 && o < 3 * 1024 + 1000)!;
    freeArea(state, chunk, victim * 4);
    // block 3 knows the 18-bit hole, the chunk does not
    expect(chunk.md[3 * MD_STRIDE + MD_CONTIG]).toBe(18);
    expect(chunk.md[chunk.chunkMd + MD_CONTIG]).toBe(0);
    expect(chunk.md[chunk.chunkMd + MD_FIRST_FREE]).toBe(victim);
    expect(chunkSlot(state, chunk)).toBe(0);
    // the same free in block 0 is folded in correctly
    const first = offs.find((o) => o >= 18 && o < 1000)!;
    freeArea(state, chunk, first * 4);
    expect(chunk.md[chunk.chunkMd + MD_CONTIG]).toBe(18);
  });

  it('a free that empties a page recombines the chunk hint across blocks', () => {
    const { state } = smallState();
    const chunk = freshChunk(state);
    const a = allocBits(state, chunk, 1024);
    const b = allocBits(state, chunk, 1024);
    allocBits(state, chunk, 1024 * 14);
    expect(chunk.md[chunk.chunkMd + MD_CONTIG]).toBe(0);
    freeArea(state, chunk, b * 4);
    freeArea(state, chunk, a * 4);
    expect(hints(chunk.md, chunk.chunkMd)).toMatchObject({ contig: 2048, contigStart: 0, firstFree: 0 });
  });
});

describe('hints on drawn states', () => {
  for (const pageSize of [4096, 65536]) {
    it(`block edge hints stay exact and no hint exceeds the bitmap (${pageSize / 1024} KiB pages)`, () => {
      const rand = rng(pageSize);
      const { state } = smallState({ pageSize, unitPages: pageSize === 4096 ? 16 : 4 });
      const bb = state.blockBits;
      for (let round = 0; round < 3; round++) {
        const chunk = freshChunk(state);
        chunkPopulated(state, chunk, 0, chunk.nrPages);
        const live: number[] = [];
        for (let step = 0; step < 300; step++) {
          if (live.length && rand() < 0.45) {
            const k = Math.floor(rand() * live.length);
            freeArea(state, chunk, live[k]! * 4);
            live[k] = live[live.length - 1]!;
            live.pop();
          } else {
            const bits = rand() < 0.1 ? 1 + Math.floor(rand() * bb * 1.5) : 1 + Math.floor(rand() * 64);
            const align = 1 << Math.floor(rand() * 7);
            const off = allocBits(state, chunk, bits, align);
            if (off >= 0) live.push(off);
          }
          for (let i = 0; i < chunk.nrBlocks; i++) {
            const exact = exactBlockHints(chunk, i, bb);
            const h = hints(chunk.md, i * MD_STRIDE);
            const where = `block ${i} at step ${step}`;
            expect({ left: h.left, right: h.right }, where).toEqual({ left: exact.left, right: exact.right });
            // the contig hint can lag behind a run the rescan after a promoted scan hint skipped
            expect(h.contig, where).toBeLessThanOrEqual(exact.contig);
            // a block filled as the middle of a spanning allocation keeps its old first_free: a lower bound
            expect(h.firstFree, where).toBeLessThanOrEqual(exact.firstFree);
          }
          expect(chunk.md[chunk.chunkMd + MD_CONTIG]!).toBeLessThanOrEqual(largestFreeRun(chunk));
          checkInvariants(state);
        }
      }
    });
  }
});
