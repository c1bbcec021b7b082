/**
 * Per-block hints of v4.14 (struct pcpu_block_md: contig_hint, contig_hint_start, left_free,
 * right_free, first_free; no scan hint). Block `i` covers chunk bits [i·BB, (i+1)·BB); its
 * record starts at `chunk.md[i * MD_STRIDE]`. Offsets are block-relative unless named otherwise.
 */
import * as bitops from '../bitops.ts';
import * as layout from '../bitmap/chunk.ts';
import type { BitmapChunk } from './chunk.ts';
import * as constants from './constants.ts';
import { chunkRefreshHint, chunkUpdate, contigCovers } from './chunk-hints.ts';
import type { PcpuV414 } from './state.ts';

// an imported binding is checked on every read (an accessor call under vitest): hot paths use module-level copies
const { ctz32, findLastBitFrom, findNextBit, findNextZeroBit } = bitops;
const { MD_CONTIG, MD_CONTIG_START, MD_FIRST_FREE, MD_LEFT_FREE, MD_RIGHT_FREE, MD_STRIDE } = layout;
const { BLOCK_MD_BYTES } = constants;

/**
 * mirrors pcpu_block_update (v4.14): fold the free run [start, end) into the record at `b`;
 * an equal-sized run wins only if it starts better aligned
 */
export function blockUpdate(md: Int32Array, b: number, bb: number, start: number, end: number): void {
  const contig = end - start;
  if (start < md[b + MD_FIRST_FREE]!) md[b + MD_FIRST_FREE] = start;
  if (start === 0) md[b + MD_LEFT_FREE] = contig;
  if (end === bb) md[b + MD_RIGHT_FREE] = contig;
  const hint = md[b + MD_CONTIG]!;
  const hintStart = md[b + MD_CONTIG_START]!;
  if (contig > hint) {
    md[b + MD_CONTIG_START] = start;
    md[b + MD_CONTIG] = contig;
  } else if (hintStart !== 0 && contig === hint && (start === 0 || ctz32(start) > ctz32(hintStart))) {
    md[b + MD_CONTIG_START] = start;
  }
}

/**
 * mirrors pcpu_block_refresh_hint (v4.14): clear contig, left and right, then fold in every
 * free run of the block from its first_free on
 */
export function blockRefreshHint(p: PcpuV414, c: BitmapChunk, i: number): void {
  const work = p.work;
  const md = c.md;
  const b = i * MD_STRIDE;
  const bb = p.blockBits;
  const base = i * bb;
  const end = base + bb;
  md[b + MD_CONTIG] = 0;
  md[b + MD_LEFT_FREE] = 0;
  md[b + MD_RIGHT_FREE] = 0;
  const from = md[b + MD_FIRST_FREE]!;
  let rs = findNextZeroBit(work, c.allocMap, end, base + from);
  let re = findNextBit(work, c.allocMap, end, rs + 1);
  while (rs < re) {
    blockUpdate(md, b, bb, rs - base, re - base);
    rs = findNextZeroBit(work, c.allocMap, end, re + 1);
    re = findNextBit(work, c.allocMap, end, rs + 1);
  }
  p.platform.touchRead(c.allocMapAddr + ((base + from) >>> 6) * 8, (((bb - from) >>> 6) + 1) * 8);
  work.blockMdWritten++;
  p.platform.touchWrite(c.mdAddr + i * BLOCK_MD_BYTES, BLOCK_MD_BYTES);
}

/** first zero bit of block `i` at or after block offset `off`, as a block offset (BB if none) */
function blockNextZero(p: PcpuV414, c: BitmapChunk, i: number, bb: number, off: number): number {
  const base = i * bb;
  return findNextZeroBit(p.work, c.allocMap, base + bb, base + off) - base;
}

/**
 * mirrors pcpu_block_update_hint_alloc (v4.14): bits [bitOff, bitOff + bits) were just
 * allocated. The start block is rescanned only when the allocation starts inside its contig
 * hint, the end block only when the allocation ends past its contig start; the chunk only when
 * the allocation starts inside the chunk's contig hint (v6.12 asks for any overlap).
 */
export function blockUpdateHintAlloc(p: PcpuV414, c: BitmapChunk, bitOff: number, bits: number): void {
  const md = c.md;
  const bb = p.blockBits;
  const sIndex = (bitOff / bb) | 0;
  const eIndex = ((bitOff + bits - 1) / bb) | 0;
  const sOff = bitOff % bb;
  const eOff = ((bitOff + bits - 1) % bb) + 1;
  const s = sIndex * MD_STRIDE;
  const e = eIndex * MD_STRIDE;
  const work = p.work;
  work.blockMdRead += eIndex - sIndex + 1;
  p.platform.touchRead(c.mdAddr + sIndex * BLOCK_MD_BYTES, (eIndex - sIndex + 1) * BLOCK_MD_BYTES);

  // start block: first_free moves if the allocation took it
  if (sOff === md[s + MD_FIRST_FREE]) md[s + MD_FIRST_FREE] = blockNextZero(p, c, sIndex, bb, sOff + bits);
  const sStart = md[s + MD_CONTIG_START]!;
  if (sOff >= sStart && sOff < sStart + md[s + MD_CONTIG]!) {
    blockRefreshHint(p, c, sIndex);
  } else {
    if (sOff < md[s + MD_LEFT_FREE]!) md[s + MD_LEFT_FREE] = sOff;
    if (sIndex === eIndex) {
      if (bb - eOff < md[s + MD_RIGHT_FREE]!) md[s + MD_RIGHT_FREE] = bb - eOff;
    } else {
      md[s + MD_RIGHT_FREE] = 0;
    }
    work.blockMdWritten++;
  }

  if (sIndex !== eIndex) {
    // end block: the allocation covers its left part
    md[e + MD_FIRST_FREE] = blockNextZero(p, c, eIndex, bb, eOff);
    let middleEnd = eIndex;
    if (eOff === bb) {
      // fully covered: reset along with the blocks in between
      middleEnd = eIndex + 1;
    } else if (eOff > md[e + MD_CONTIG_START]!) {
      blockRefreshHint(p, c, eIndex);
    } else {
      md[e + MD_LEFT_FREE] = 0;
      if (bb - eOff < md[e + MD_RIGHT_FREE]!) md[e + MD_RIGHT_FREE] = bb - eOff;
      work.blockMdWritten++;
    }
    // blocks in between are now full (first_free and the contig start keep their old values)
    for (let i = sIndex + 1; i < middleEnd; i++) {
      const m = i * MD_STRIDE;
      md[m + MD_CONTIG] = 0;
      md[m + MD_LEFT_FREE] = 0;
      md[m + MD_RIGHT_FREE] = 0;
    }
    if (middleEnd > sIndex + 1) {
      work.blockMdWritten += middleEnd - sIndex - 1;
      p.platform.touchWrite(c.mdAddr + (sIndex + 1) * BLOCK_MD_BYTES, (middleEnd - sIndex - 1) * BLOCK_MD_BYTES);
    }
  }
  c.markDirty(sIndex, eIndex);
  c.noteBlocksWritten(sIndex, eIndex, bb);

  if (contigCovers(c, bitOff)) chunkRefreshHint(p, c);
}

/**
 * mirrors pcpu_block_update_hint_free (v4.14): bits [bitOff, bitOff + bits) were just freed.
 * The run is widened to its full extent within the start and end blocks (from the contig hints
 * when the run touches them, else by scanning the bitmap), folded into those blocks, and the
 * blocks in between become fully free. The chunk is rescanned when a whole block (a page) became
 * free or the run crosses blocks; otherwise the block's contig size is offered to the chunk at
 * the freed run's start, which may not be where that contig run is.
 */
export function blockUpdateHintFree(p: PcpuV414, c: BitmapChunk, bitOff: number, bits: number): void {
  const md = c.md;
  const bb = p.blockBits;
  const work = p.work;
  const sIndex = (bitOff / bb) | 0;
  const eIndex = ((bitOff + bits - 1) / bb) | 0;
  const sOff = bitOff % bb;
  const eOff = ((bitOff + bits - 1) % bb) + 1;
  const s = sIndex * MD_STRIDE;
  const e = eIndex * MD_STRIDE;
  work.blockMdRead += sIndex === eIndex ? 1 : 2;
  p.platform.touchRead(c.mdAddr + sIndex * BLOCK_MD_BYTES, (eIndex - sIndex + 1) * BLOCK_MD_BYTES);

  let start = sOff;
  if (sOff === md[s + MD_CONTIG]! + md[s + MD_CONTIG_START]!) {
    start = md[s + MD_CONTIG_START]!;
  } else {
    // find_last_bit returns its size when nothing is set: the run then reaches the block start
    const lBit = findLastBitFrom(work, c.allocMap, sIndex * bb, start);
    start = start === lBit ? 0 : lBit + 1;
  }

  let end = eOff;
  if (eOff === md[e + MD_CONTIG_START]) {
    end = md[e + MD_CONTIG_START]! + md[e + MD_CONTIG]!;
  } else {
    const eBase = eIndex * bb;
    end = findNextBit(work, c.allocMap, eBase + bb, eBase + end) - eBase;
  }

  blockUpdate(md, s, bb, start, sIndex === eIndex ? end : bb);
  work.blockMdWritten++;

  if (sIndex !== eIndex) {
    blockUpdate(md, e, bb, 0, end);
    for (let i = sIndex + 1; i < eIndex; i++) {
      const m = i * MD_STRIDE;
      md[m + MD_FIRST_FREE] = 0;
      md[m + MD_CONTIG_START] = 0;
      md[m + MD_CONTIG] = bb;
      md[m + MD_LEFT_FREE] = bb;
      md[m + MD_RIGHT_FREE] = bb;
    }
    work.blockMdWritten += eIndex - sIndex;
  }
  p.platform.touchWrite(c.mdAddr + sIndex * BLOCK_MD_BYTES, (eIndex - sIndex + 1) * BLOCK_MD_BYTES);
  c.markDirty(sIndex, eIndex);
  c.noteBlocksWritten(sIndex, eIndex, bb);

  // a block is a page, so "a page became free" and "a block became free" are one test
  if (((end / bb) | 0) * bb > (((start + bb - 1) / bb) | 0) * bb || sIndex !== eIndex) {
    chunkRefreshHint(p, c);
  } else {
    chunkUpdate(c, sIndex * bb + start, md[s + MD_CONTIG]!);
  }
}
