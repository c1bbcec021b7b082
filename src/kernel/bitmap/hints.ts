/**
 * The hint ladder of the modern allocator: fold a known free run into a block, rescan one
 * block, or recombine the blocks into the chunk hint, each only when the cheaper step cannot
 * keep the hints honest. Every function mirrors its mm/percpu.c namesake bit for bit,
 * including stale `*_start` values and the block-relative end of the free path (Q1).
 *
 * A hint block is an index into `chunk.md` (see chunk.ts); block i is at i * MD_STRIDE and
 * chunk_md at `chunk.chunkMd`. Offsets named *Off are chunk bits; sOff/eOff are block bits.
 */
import { ctz32, findLastBitFrom, findNextBit, findNextZeroBit } from '../bitops.ts';
import type { BitmapChunk } from './chunk.ts';
import * as layout from './chunk.ts';
import { updateEmptyPages } from './slots.ts';
import type { PcpuCore, PcpuState } from './state.ts';

// an imported binding is checked on every read (an accessor call under vitest): hot paths use module-level copies
const { MD_CONTIG, MD_CONTIG_START, MD_FIRST_FREE, MD_LEFT_FREE, MD_NR_BITS, MD_RIGHT_FREE, MD_SCAN, MD_SCAN_START, MD_BYTES, MD_STRIDE } = layout;

/** ALIGN for a power-of-two `a` */
export function alignUp(x: number, a: number): number {
  return (x + a - 1) & ~(a - 1);
}

/** mirrors pcpu_region_overlap: [a, b) and [x, y) intersect */
function regionOverlap(a: number, b: number, x: number, y: number): boolean {
  return a < y && x < b;
}

/** mirrors pcpu_check_block_hint: can `bits` at `align` fit in the contig hint of block `b` */
export function checkBlockHint(md: Int32Array, b: number, bits: number, align: number): boolean {
  const cs = md[b + MD_CONTIG_START]!;
  return alignUp(cs, align) - cs + bits <= md[b + MD_CONTIG]!;
}

/** mirrors pcpu_next_hint: skip past the scan hint when it cannot serve the request */
export function nextHint(md: Int32Array, b: number, allocBits: number): number {
  const scan = md[b + MD_SCAN]!;
  if (scan && md[b + MD_CONTIG_START]! > md[b + MD_SCAN_START]! && allocBits > scan) {
    return md[b + MD_SCAN_START]! + scan;
  }
  return md[b + MD_FIRST_FREE]!;
}

/** mirrors pcpu_block_update: fold the free run [start, end) into block `b` */
export function blockUpdate(md: Int32Array, b: number, start: number, end: number): void {
  const contig = end - start;
  if (start < md[b + MD_FIRST_FREE]!) md[b + MD_FIRST_FREE] = start;
  if (start === 0) md[b + MD_LEFT_FREE] = contig;
  if (end === md[b + MD_NR_BITS]) md[b + MD_RIGHT_FREE] = contig;

  const contigHint = md[b + MD_CONTIG]!;
  const contigStart = md[b + MD_CONTIG_START]!;
  if (contig > contigHint) {
    // the old contig run may become the scan hint
    if (start > contigStart) {
      if (contigHint > md[b + MD_SCAN]!) {
        md[b + MD_SCAN_START] = contigStart;
        md[b + MD_SCAN] = contigHint;
      } else if (start < md[b + MD_SCAN_START]!) {
        md[b + MD_SCAN] = 0;
      }
    } else {
      md[b + MD_SCAN] = 0;
    }
    md[b + MD_CONTIG_START] = start;
    md[b + MD_CONTIG] = contig;
  } else if (contig === contigHint) {
    if (contigStart !== 0 && (start === 0 || ctz32(start) > ctz32(contigStart))) {
      // an equal run with better alignment takes over
      md[b + MD_CONTIG_START] = start;
      if (start < md[b + MD_SCAN_START]! && contigHint > md[b + MD_SCAN]!) md[b + MD_SCAN] = 0;
    } else if (start > md[b + MD_SCAN_START]! || contigHint > md[b + MD_SCAN]!) {
      md[b + MD_SCAN_START] = start;
      md[b + MD_SCAN] = contig;
    }
  } else if (
    start < contigStart &&
    (contig > md[b + MD_SCAN]! || (contig === md[b + MD_SCAN]! && start > md[b + MD_SCAN_START]!))
  ) {
    md[b + MD_SCAN_START] = start;
    md[b + MD_SCAN] = contig;
  }
}

/**
 * mirrors pcpu_block_update_scan: record a run the fit scan skipped, widened leftwards over free
 * bits lost to alignment; runs crossing a block edge are dropped
 */
export function blockUpdateScan(state: PcpuState, chunk: BitmapChunk, bitOff: number, bits: number): void {
  const bb = state.blockBits;
  let sOff = bitOff & (bb - 1);
  const eOff = sOff + bits;
  if (eOff > bb) return;
  const sIndex = (bitOff / bb) | 0;
  const lBit = findLastBitFrom(state.work, chunk.allocMap, sIndex * bb, sOff);
  sOff = sOff === lBit ? 0 : lBit + 1;
  blockUpdate(chunk.md, sIndex * MD_STRIDE, sOff, eOff);
  chunk.noteBlocksWritten(sIndex, sIndex, bb);
  state.work.blockMdWritten++;
}

/**
 * mirrors pcpu_next_md_free_region: from chunk bit `bitOff`, the next free run the block hints
 * expose at chunk level (a block's inner contig run, or a right_free run joined with the
 * following blocks' left_free). Result in state.regionOff / state.regionBits. Shared with
 * v4.14, whose block records are `mdBytes` long.
 */
export function nextMdFreeRegion(state: PcpuCore, chunk: BitmapChunk, bitOff: number, mdBytes = MD_BYTES): void {
  const bb = state.blockBits;
  const md = chunk.md;
  const nrBlocks = chunk.nrBlocks;
  let i = (bitOff / bb) | 0;
  const firstBlock = i;
  let blockOff = bitOff & (bb - 1);
  let bits = 0;
  for (; i < nrBlocks; i++) {
    const b = i * MD_STRIDE;
    if (bits) {
      // a right_free run goes on through every fully free block and ends in the next one's left_free
      const tail = chunk.freeTail;
      for (;;) {
        if (i >= tail) {
          // every block from freeTail on is fully free: the run reaches the end of the chunk
          bits += (nrBlocks - i) * bb;
          i = nrBlocks;
          break;
        }
        const left = md[i * MD_STRIDE + MD_LEFT_FREE]!;
        bits += left;
        if (left !== bb || ++i >= nrBlocks) break;
      }
      break;
    }
    bits = md[b + MD_CONTIG]!;
    const cs = md[b + MD_CONTIG_START]!;
    if (bits && cs >= blockOff && bits + cs < bb) {
      bitOff = i * bb + cs;
      break;
    }
    blockOff = 0;
    bits = md[b + MD_RIGHT_FREE]!;
    bitOff = (i + 1) * bb - bits;
  }
  // blocks read: up to the one the walk stopped in, or to the end
  const reads = (i < nrBlocks ? i + 1 : nrBlocks) - firstBlock;
  if (reads > 0) {
    state.work.blockMdRead += reads;
    state.platform.touchRead(chunk.mdAddr + firstBlock * mdBytes, reads * mdBytes);
  }
  state.regionOff = bitOff;
  state.regionBits = bits;
}

/**
 * mirrors pcpu_next_fit_region: from chunk bit `bitOff`, the next region the block hints
 * promise can hold `allocBits` at `align`, or chunk.mapBits. Result in state.regionOff /
 * state.regionBits.
 */
export function nextFitRegion(state: PcpuState, chunk: BitmapChunk, allocBits: number, align: number, bitOff: number): void {
  const bb = state.blockBits;
  const md = chunk.md;
  let i = (bitOff / bb) | 0;
  const firstBlock = i;
  let blockOff = bitOff & (bb - 1);
  let bits = 0;
  let found = false;
  for (; i < chunk.nrBlocks; i++) {
    const b = i * MD_STRIDE;
    if (bits) {
      bits += md[b + MD_LEFT_FREE]!;
      if (bits >= allocBits) {
        found = true;
        break;
      }
      if (md[b + MD_LEFT_FREE] === bb) continue;
    }
    const cs = md[b + MD_CONTIG_START]!;
    const contig = md[b + MD_CONTIG]!;
    bits = alignUp(cs, align) - cs;
    if (contig && cs >= blockOff && contig >= bits + allocBits) {
      const start = nextHint(md, b, allocBits);
      bits += allocBits + cs - start;
      bitOff = i * bb + start;
      found = true;
      break;
    }
    blockOff = 0;
    const off = alignUp(bb - md[b + MD_RIGHT_FREE]!, align);
    bits = bb - off;
    bitOff = i * bb + off;
    if (bits >= allocBits) {
      found = true;
      break;
    }
  }
  const reads = (found ? i + 1 : i) - firstBlock;
  if (reads > 0) {
    state.work.blockMdRead += reads;
    state.platform.touchRead(chunk.mdAddr + firstBlock * MD_BYTES, reads * MD_BYTES);
  }
  state.regionOff = found ? bitOff : chunk.mapBits;
  state.regionBits = bits;
}

/**
 * mirrors pcpu_chunk_refresh_hint: rebuild chunk_md's contig hint from the block hints, either
 * from first_free (full) or by promoting the scan hint and walking on after it; the chunk's scan
 * hint is left as it was in the full case (Q4)
 */
export function chunkRefreshHint(state: PcpuState, chunk: BitmapChunk, fullScan: boolean): void {
  const md = chunk.md;
  const c = chunk.chunkMd;
  let bitOff: number;
  if (!fullScan && md[c + MD_SCAN]) {
    bitOff = md[c + MD_SCAN_START]! + md[c + MD_SCAN]!;
    md[c + MD_CONTIG_START] = md[c + MD_SCAN_START]!;
    md[c + MD_CONTIG] = md[c + MD_SCAN]!;
    md[c + MD_SCAN] = 0;
  } else {
    bitOff = md[c + MD_FIRST_FREE]!;
    md[c + MD_CONTIG] = 0;
  }
  const mapBits = chunk.mapBits;
  nextMdFreeRegion(state, chunk, bitOff);
  while (state.regionOff < mapBits) {
    const off = state.regionOff;
    const bits = state.regionBits;
    blockUpdate(md, c, off, off + bits);
    nextMdFreeRegion(state, chunk, off + bits + 1);
  }
}

/**
 * mirrors pcpu_block_refresh_hint: rescan block `index` from its first free bit, or from after a
 * promoted scan hint
 */
export function blockRefreshHint(state: PcpuState, chunk: BitmapChunk, index: number): void {
  const md = chunk.md;
  const b = index * MD_STRIDE;
  const bb = state.blockBits;
  const base = index * bb;
  const work = state.work;
  let start: number;
  if (md[b + MD_SCAN]) {
    start = md[b + MD_SCAN_START]! + md[b + MD_SCAN]!;
    md[b + MD_CONTIG_START] = md[b + MD_SCAN_START]!;
    md[b + MD_CONTIG] = md[b + MD_SCAN]!;
    md[b + MD_SCAN] = 0;
  } else {
    start = md[b + MD_FIRST_FREE]!;
    md[b + MD_CONTIG] = 0;
  }
  md[b + MD_RIGHT_FREE] = 0;
  const limit = base + bb;
  const map = chunk.allocMap;
  for (;;) {
    const s = findNextZeroBit(work, map, limit, base + start);
    if (s >= limit) break;
    const e = findNextBit(work, map, limit, s + 1);
    blockUpdate(md, b, s - base, e - base);
    start = e - base + 1;
  }
  work.blockMdRead++;
  work.blockMdWritten++;
  state.platform.touchRead(chunk.allocMapAddr + (base >>> 3), bb >>> 3);
}

/** mirrors pcpu_block_update_hint_alloc: hints after [bitOff, bitOff + bits) was allocated */
export function blockUpdateHintAlloc(state: PcpuState, chunk: BitmapChunk, bitOff: number, bits: number): void {
  const md = chunk.md;
  const bb = state.blockBits;
  const work = state.work;
  const map = chunk.allocMap;
  let nrEmptyPages = 0;

  const sIndex = (bitOff / bb) | 0;
  const eIndex = ((bitOff + bits - 1) / bb) | 0;
  const sOff = bitOff & (bb - 1);
  const eOff = ((bitOff + bits - 1) & (bb - 1)) + 1;
  const s = sIndex * MD_STRIDE;
  const e = eIndex * MD_STRIDE;

  // start block
  if (md[s + MD_CONTIG] === bb) nrEmptyPages++;
  if (sOff === md[s + MD_FIRST_FREE]) {
    const base = sIndex * bb;
    md[s + MD_FIRST_FREE] = findNextZeroBit(work, map, base + bb, base + sOff + bits) - base;
  }
  if (regionOverlap(md[s + MD_SCAN_START]!, md[s + MD_SCAN_START]! + md[s + MD_SCAN]!, sOff, sOff + bits)) {
    md[s + MD_SCAN] = 0;
  }
  if (regionOverlap(md[s + MD_CONTIG_START]!, md[s + MD_CONTIG_START]! + md[s + MD_CONTIG]!, sOff, sOff + bits)) {
    // the block's contig run is broken: rescan the block
    if (!sOff) md[s + MD_LEFT_FREE] = 0;
    blockRefreshHint(state, chunk, sIndex);
  } else {
    md[s + MD_LEFT_FREE] = Math.min(md[s + MD_LEFT_FREE]!, sOff);
    if (sIndex === eIndex) md[s + MD_RIGHT_FREE] = Math.min(md[s + MD_RIGHT_FREE]!, bb - eOff);
    else md[s + MD_RIGHT_FREE] = 0;
  }
  let writes = 1;

  if (sIndex !== eIndex) {
    // end block
    if (md[e + MD_CONTIG] === bb) nrEmptyPages++;
    const base = eIndex * bb;
    md[e + MD_FIRST_FREE] = findNextZeroBit(work, map, base + bb, base + eOff) - base;
    let midEnd = eIndex;
    if (eOff === bb) {
      // the allocation fills the end block: reset it with the middle ones
      midEnd = eIndex + 1;
    } else {
      if (eOff > md[e + MD_SCAN_START]!) md[e + MD_SCAN] = 0;
      md[e + MD_LEFT_FREE] = 0;
      if (eOff > md[e + MD_CONTIG_START]!) {
        blockRefreshHint(state, chunk, eIndex);
      } else {
        md[e + MD_RIGHT_FREE] = Math.min(md[e + MD_RIGHT_FREE]!, bb - eOff);
      }
    }
    nrEmptyPages += eIndex - sIndex - 1;
    for (let i = sIndex + 1; i < midEnd; i++) {
      const b = i * MD_STRIDE;
      md[b + MD_SCAN] = 0;
      md[b + MD_CONTIG] = 0;
      md[b + MD_LEFT_FREE] = 0;
      md[b + MD_RIGHT_FREE] = 0;
    }
    writes += midEnd - sIndex;
  }
  chunk.noteBlocksWritten(sIndex, eIndex, bb);
  work.blockMdRead += writes;
  work.blockMdWritten += writes;

  // pages not yet populated are counted too; populating adds them back
  if (nrEmptyPages) updateEmptyPages(state, chunk, -nrEmptyPages);

  const c = chunk.chunkMd;
  if (regionOverlap(md[c + MD_SCAN_START]!, md[c + MD_SCAN_START]! + md[c + MD_SCAN]!, bitOff, bitOff + bits)) {
    md[c + MD_SCAN] = 0;
  }
  // only a broken chunk contig run needs the blocks recombined
  if (regionOverlap(md[c + MD_CONTIG_START]!, md[c + MD_CONTIG_START]! + md[c + MD_CONTIG]!, bitOff, bitOff + bits)) {
    chunkRefreshHint(state, chunk, false);
  }
}

/**
 * mirrors pcpu_block_update_hint_free: hints after [bitOff, bitOff + bits) was freed. The free
 * run is widened to its full extent within the start and end blocks; the chunk hint is rebuilt
 * only when a page empties or the run crosses blocks, otherwise folded in with a chunk start and
 * a block-relative end (Q1: for any block but the first, that length is negative and only
 * first_free can change).
 */
export function blockUpdateHintFree(state: PcpuState, chunk: BitmapChunk, bitOff: number, bits: number): void {
  const md = chunk.md;
  const bb = state.blockBits;
  const work = state.work;
  const map = chunk.allocMap;
  let nrEmptyPages = 0;

  const sIndex = (bitOff / bb) | 0;
  const eIndex = ((bitOff + bits - 1) / bb) | 0;
  const sOff = bitOff & (bb - 1);
  let eOff = ((bitOff + bits - 1) & (bb - 1)) + 1;
  const s = sIndex * MD_STRIDE;
  const e = eIndex * MD_STRIDE;

  let start = sOff;
  if (sOff === md[s + MD_CONTIG]! + md[s + MD_CONTIG_START]!) {
    start = md[s + MD_CONTIG_START]!;
  } else {
    const lBit = findLastBitFrom(work, map, sIndex * bb, start);
    start = start === lBit ? 0 : lBit + 1;
  }

  let end = eOff;
  if (eOff === md[e + MD_CONTIG_START]) {
    end = md[e + MD_CONTIG_START]! + md[e + MD_CONTIG]!;
  } else {
    const base = eIndex * bb;
    end = findNextBit(work, map, base + bb, base + end) - base;
  }

  eOff = sIndex === eIndex ? end : bb;
  if (!start && eOff === bb) nrEmptyPages++;
  blockUpdate(md, s, start, eOff);
  let writes = 1;

  if (sIndex !== eIndex) {
    if (end === bb) nrEmptyPages++;
    blockUpdate(md, e, 0, end);
    nrEmptyPages += eIndex - sIndex - 1;
    for (let i = sIndex + 1; i < eIndex; i++) {
      const b = i * MD_STRIDE;
      md[b + MD_FIRST_FREE] = 0;
      md[b + MD_SCAN] = 0;
      md[b + MD_CONTIG_START] = 0;
      md[b + MD_CONTIG] = bb;
      md[b + MD_LEFT_FREE] = bb;
      md[b + MD_RIGHT_FREE] = bb;
    }
    writes += eIndex - sIndex;
  }
  chunk.noteBlocksWritten(sIndex, eIndex, bb);
  work.blockMdRead += writes;
  work.blockMdWritten += writes;

  if (nrEmptyPages) updateEmptyPages(state, chunk, nrEmptyPages);

  if (end - start >= bb || sIndex !== eIndex) chunkRefreshHint(state, chunk, true);
  else blockUpdate(md, chunk.chunkMd, sIndex * bb + start, end);
}
