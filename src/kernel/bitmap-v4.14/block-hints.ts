/**
 * Per-block hints of v4.14 (struct pcpu_block_md: contig_hint, contig_hint_start, left_free,
 * right_free, first_free; no scan hint). Offsets here are block-relative bits unless named
 * otherwise; block `i` covers chunk bits [i·BB, (i+1)·BB).
 */
import { findLastBitFrom, findNextBit, findNextZeroBit } from '../bitops.ts';
import type { ChunkV414 } from './chunk.ts';
import { BLOCK_MD_BYTES } from './constants.ts';
import { chunkRefreshHint, chunkUpdate } from './chunk-hints.ts';
import type { PcpuV414 } from './state.ts';

/** __ffs of a non-zero bit offset */
function ffs(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/**
 * mirrors pcpu_block_update: fold the known free run [start, end) into block `i`'s hints;
 * an equal-sized run wins only if it starts better aligned
 */
export function blockUpdate(c: ChunkV414, i: number, start: number, end: number): void {
  const contig = end - start;
  if (start < c.mdFirstFree[i]!) c.mdFirstFree[i] = start;
  if (start === 0) c.mdLeftFree[i] = contig;
  if (end === c.blockBits) c.mdRightFree[i] = contig;
  const hint = c.mdContigHint[i]!;
  if (contig > hint) {
    c.mdContigHintStart[i] = start;
    c.mdContigHint[i] = contig;
  } else if (c.mdContigHintStart[i] !== 0 && contig === hint && (start === 0 || ffs(start) > ffs(c.mdContigHintStart[i]!))) {
    c.mdContigHintStart[i] = start;
  }
}

/**
 * mirrors pcpu_block_refresh_hint (v4.14): clear contig, left and right, then fold in every
 * free run of the block from its first_free on
 */
export function blockRefreshHint(p: PcpuV414, c: ChunkV414, i: number): void {
  const work = p.work;
  const bb = c.blockBits;
  const base = i * bb;
  const end = base + bb;
  c.mdContigHint[i] = 0;
  c.mdLeftFree[i] = 0;
  c.mdRightFree[i] = 0;
  const from = c.mdFirstFree[i]!;
  let rs = findNextZeroBit(work, c.allocMap, end, base + from);
  let re = findNextBit(work, c.allocMap, end, rs + 1);
  while (rs < re) {
    blockUpdate(c, i, rs - base, re - base);
    rs = findNextZeroBit(work, c.allocMap, end, re + 1);
    re = findNextBit(work, c.allocMap, end, rs + 1);
  }
  p.platform.touchRead(c.allocMapAddr + (base >>> 3) + ((from >>> 6) << 3), (bb - from + 7) >>> 3);
  work.blockMdWritten++;
  p.platform.touchWrite(c.mdAddr + i * BLOCK_MD_BYTES, BLOCK_MD_BYTES);
}

/** first zero bit of block `i` at or after block offset `off`, as a block offset (BB if none) */
function blockNextZero(p: PcpuV414, c: ChunkV414, i: number, off: number): number {
  const base = i * c.blockBits;
  return findNextZeroBit(p.work, c.allocMap, base + c.blockBits, base + off) - base;
}

/**
 * mirrors pcpu_block_update_hint_alloc (v4.14): bits [bitOff, bitOff + bits) were just
 * allocated. A block is rescanned only when the allocation starts inside its contig hint (start
 * block) or ends past its contig start (end block); the chunk is rescanned only when the
 * allocation starts inside the chunk's contig hint.
 */
export function blockUpdateHintAlloc(p: PcpuV414, c: ChunkV414, bitOff: number, bits: number): void {
  const bb = c.blockBits;
  const sIndex = Math.floor(bitOff / bb);
  const eIndex = Math.floor((bitOff + bits - 1) / bb);
  const sOff = bitOff % bb;
  const eOff = ((bitOff + bits - 1) % bb) + 1;
  const work = p.work;
  work.blockMdRead++;
  p.platform.touchRead(c.mdAddr + sIndex * BLOCK_MD_BYTES, (eIndex - sIndex + 1) * BLOCK_MD_BYTES);

  // start block
  if (sOff === c.mdFirstFree[sIndex]) c.mdFirstFree[sIndex] = blockNextZero(p, c, sIndex, sOff + bits);
  const sStart = c.mdContigHintStart[sIndex]!;
  if (sOff >= sStart && sOff < sStart + c.mdContigHint[sIndex]!) {
    blockRefreshHint(p, c, sIndex);
  } else {
    if (sOff < c.mdLeftFree[sIndex]!) c.mdLeftFree[sIndex] = sOff;
    if (sIndex === eIndex) {
      if (bb - eOff < c.mdRightFree[sIndex]!) c.mdRightFree[sIndex] = bb - eOff;
    } else {
      c.mdRightFree[sIndex] = 0;
    }
    work.blockMdWritten++;
  }

  if (sIndex !== eIndex) {
    // end block: the allocation covers its left part
    work.blockMdRead++;
    c.mdFirstFree[eIndex] = blockNextZero(p, c, eIndex, eOff);
    let middleEnd = eIndex;
    if (eOff === bb) {
      // fully covered: reset along with the middle blocks
      middleEnd = eIndex + 1;
    } else if (eOff > c.mdContigHintStart[eIndex]!) {
      blockRefreshHint(p, c, eIndex);
    } else {
      c.mdLeftFree[eIndex] = 0;
      if (bb - eOff < c.mdRightFree[eIndex]!) c.mdRightFree[eIndex] = bb - eOff;
      work.blockMdWritten++;
    }
    // blocks in between are now full (first_free and the contig start are left as they were)
    for (let b = sIndex + 1; b < middleEnd; b++) {
      c.mdContigHint[b] = 0;
      c.mdLeftFree[b] = 0;
      c.mdRightFree[b] = 0;
    }
    if (middleEnd > sIndex + 1) {
      work.blockMdWritten += middleEnd - sIndex - 1;
      p.platform.touchWrite(c.mdAddr + (sIndex + 1) * BLOCK_MD_BYTES, (middleEnd - sIndex - 1) * BLOCK_MD_BYTES);
    }
  }
  c.markDirty(sIndex, eIndex + 1);

  // the chunk hint is rescanned only when the allocation starts inside it
  if (bitOff >= c.contigBitsStart && bitOff < c.contigBitsStart + c.contigBits) chunkRefreshHint(p, c);
}

/**
 * mirrors pcpu_block_update_hint_free (v4.14): bits [bitOff, bitOff + bits) were just freed.
 * The free run is widened to its full extent within the start and end blocks (using the contig
 * hints when the run touches them, else a bitmap scan), folded into those blocks, and the
 * blocks in between become fully free. The chunk is rescanned when a whole block became free or
 * the run crosses blocks; otherwise only the block's contig size is offered to the chunk, at the
 * freed run's start.
 */
export function blockUpdateHintFree(p: PcpuV414, c: ChunkV414, bitOff: number, bits: number): void {
  const bb = c.blockBits;
  const work = p.work;
  const sIndex = Math.floor(bitOff / bb);
  const eIndex = Math.floor((bitOff + bits - 1) / bb);
  const sOff = bitOff % bb;
  const eOff = ((bitOff + bits - 1) % bb) + 1;
  work.blockMdRead += sIndex === eIndex ? 1 : 2;
  p.platform.touchRead(c.mdAddr + sIndex * BLOCK_MD_BYTES, (eIndex - sIndex + 1) * BLOCK_MD_BYTES);

  let start = sOff;
  if (sOff === c.mdContigHint[sIndex]! + c.mdContigHintStart[sIndex]!) {
    start = c.mdContigHintStart[sIndex]!;
  } else {
    // find_last_bit returns its size when nothing is set: then the run reaches the block start
    const lBit = findLastBitFrom(work, c.allocMap, sIndex * bb, start);
    start = start === lBit ? 0 : lBit + 1;
  }

  let end = eOff;
  if (eOff === c.mdContigHintStart[eIndex]) {
    end = c.mdContigHintStart[eIndex]! + c.mdContigHint[eIndex]!;
  } else {
    const eBase = eIndex * bb;
    end = findNextBit(work, c.allocMap, eBase + bb, eBase + end) - eBase;
  }

  blockUpdate(c, sIndex, start, sIndex === eIndex ? end : bb);
  work.blockMdWritten++;

  if (sIndex !== eIndex) {
    blockUpdate(c, eIndex, 0, end);
    for (let b = sIndex + 1; b < eIndex; b++) {
      c.mdFirstFree[b] = 0;
      c.mdContigHintStart[b] = 0;
      c.mdContigHint[b] = bb;
      c.mdLeftFree[b] = bb;
      c.mdRightFree[b] = bb;
    }
    work.blockMdWritten += eIndex - sIndex;
  }
  p.platform.touchWrite(c.mdAddr + sIndex * BLOCK_MD_BYTES, (eIndex - sIndex + 1) * BLOCK_MD_BYTES);
  c.markDirty(sIndex, eIndex + 1);

  // a block is a page here, so "a page became free" and "a block became free" are one test
  if (Math.floor(end / bb) * bb > Math.ceil(start / bb) * bb || sIndex !== eIndex) {
    chunkRefreshHint(p, c);
  } else {
    chunkUpdate(c, sIndex * bb + start, c.mdContigHint[sIndex]!);
  }
}
