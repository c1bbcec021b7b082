/**
 * Finding where to start scanning for an allocation (v4.14): the chunk's contig hint filters,
 * then the block hints propose candidate regions starting at a block's first_free. There is
 * no scan hint and no pcpu_next_hint.
 */
import * as bitops from '../bitops.ts';
import * as layout from '../bitmap/chunk.ts';
import { alignUp } from '../bitmap/hints.ts';
import type { BitmapChunk } from './chunk.ts';
import { contigBits, contigBitsStart, firstBit } from './chunk.ts';
import * as constants from './constants.ts';
import type { PcpuV414 } from './state.ts';

// an imported binding is checked on every read (an accessor call under vitest): hot paths use module-level copies
const { findNextBit, findNextZeroBit } = bitops;
const { MD_CONTIG, MD_CONTIG_START, MD_FIRST_FREE, MD_LEFT_FREE, MD_RIGHT_FREE, MD_STRIDE } = layout;
const { BLOCK_MD_BYTES, PCPU_MIN_ALLOC_SIZE } = constants;

/**
 * mirrors pcpu_next_fit_region (v4.14): from chunk bit p.regionOff, the next region that the
 * block hints say can hold `allocBits` at `align`, as (p.regionOff, p.regionBits). Within a
 * block whose contig hint fits, the region starts at the block's first_free so that holes
 * before the contig hint get a chance. No fit leaves regionOff at mapBits.
 */
export function nextFitRegion(p: PcpuV414, c: BitmapChunk, allocBits: number, align: number): void {
  const md = c.md;
  const bb = p.blockBits;
  let i = (p.regionOff / bb) | 0;
  let blockOff = p.regionOff % bb;
  let bits = 0;
  const i0 = i;
  let found = false;
  for (; i < c.nrBlocks; i++) {
    const b = i * MD_STRIDE;
    // a run carried over from the previous block's right edge
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
      bits += allocBits + cs - md[b + MD_FIRST_FREE]!;
      p.regionOff = i * bb + md[b + MD_FIRST_FREE]!;
      found = true;
      break;
    }
    blockOff = 0;
    const off = alignUp(bb - md[b + MD_RIGHT_FREE]!, align);
    bits = bb - off;
    p.regionOff = i * bb + off;
    if (bits >= allocBits) {
      found = true;
      break;
    }
  }
  const n = Math.min(i + 1, c.nrBlocks) - i0;
  if (n > 0) {
    p.work.blockMdRead += n;
    p.platform.touchRead(c.mdAddr + i0 * BLOCK_MD_BYTES, n * BLOCK_MD_BYTES);
  }
  p.regionBits = bits;
  if (!found) p.regionOff = c.mapBits;
}

/**
 * mirrors pcpu_is_populated: are all pages under [bitOff, bitOff + bits) populated? If not,
 * p.regionOff is set to the bit just past the first unpopulated run.
 */
export function isPopulated(p: PcpuV414, c: BitmapChunk, bitOff: number, bits: number): boolean {
  const pageStart = ((bitOff * PCPU_MIN_ALLOC_SIZE) / p.pageSize) | 0;
  const pageEnd = (((bitOff + bits) * PCPU_MIN_ALLOC_SIZE + p.pageSize - 1) / p.pageSize) | 0;
  const rs = findNextZeroBit(p.work, c.populated, pageEnd, pageStart);
  if (rs >= pageEnd) return true;
  const re = findNextBit(p.work, c.populated, pageEnd, rs + 1);
  p.regionOff = (re * p.pageSize) / PCPU_MIN_ALLOC_SIZE;
  return false;
}

/**
 * mirrors pcpu_find_block_fit (v4.14): the bit offset to start the allocation scan at, or -1.
 * The chunk is skipped unless an aligned request fits its contig hint; atomic requests
 * (`popOnly`) also skip regions whose pages are not all populated.
 */
export function findBlockFit(p: PcpuV414, c: BitmapChunk, allocBits: number, align: number, popOnly: boolean): number {
  const cs = contigBitsStart(c);
  if (alignUp(cs, align) - cs + allocBits > contigBits(c)) return -1;

  p.regionOff = firstBit(c);
  nextFitRegion(p, c, allocBits, align);
  while (p.regionOff < c.mapBits) {
    if (!popOnly || isPopulated(p, c, p.regionOff, p.regionBits)) break;
    // isPopulated left the resume point in regionOff
    nextFitRegion(p, c, allocBits, align);
  }
  if (p.regionOff === c.mapBits) return -1;
  return p.regionOff;
}
