/**
 * Finding where to start scanning for an allocation (v4.14): the chunk's contig hint filters,
 * then the block hints propose candidate regions starting at a block's first_free.
 */
import { findNextBit, findNextZeroBit } from '../bitops.ts';
import type { ChunkV414 } from './chunk.ts';
import { BLOCK_MD_BYTES, PCPU_MIN_ALLOC_SIZE } from './constants.ts';
import type { PcpuV414 } from './state.ts';

/** ALIGN(x, a) for a power of two a */
function alignUp(x: number, a: number): number {
  return (x + a - 1) & ~(a - 1);
}

/**
 * mirrors pcpu_next_fit_region (v4.14): from chunk bit p.regionOff, the next region that the
 * block hints say can hold `allocBits` at `align`, as (p.regionOff, p.regionBits). Within a
 * block whose contig hint fits, the region starts at the block's first_free so that holes before
 * the contig hint get a chance. No fit leaves regionOff at mapBits.
 */
export function nextFitRegion(p: PcpuV414, c: ChunkV414, allocBits: number, align: number): void {
  const bb = c.blockBits;
  let i = Math.floor(p.regionOff / bb);
  let blockOff = p.regionOff % bb;
  let bits = 0;
  const i0 = i;
  let found = false;
  for (; i < c.nrBlocks; i++) {
    if (bits) {
      bits += c.mdLeftFree[i]!;
      if (bits >= allocBits) {
        found = true;
        break;
      }
      if (c.mdLeftFree[i] === bb) continue;
    }
    const cs = c.mdContigHintStart[i]!;
    bits = alignUp(cs, align) - cs;
    if (c.mdContigHint[i] && cs >= blockOff && c.mdContigHint[i]! >= bits + allocBits) {
      bits += allocBits + cs - c.mdFirstFree[i]!;
      p.regionOff = i * bb + c.mdFirstFree[i]!;
      found = true;
      break;
    }
    blockOff = 0;
    const off = alignUp(bb - c.mdRightFree[i]!, align);
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
export function isPopulated(p: PcpuV414, c: ChunkV414, bitOff: number, bits: number): boolean {
  const pageStart = Math.floor((bitOff * PCPU_MIN_ALLOC_SIZE) / p.pageSize);
  const pageEnd = Math.ceil(((bitOff + bits) * PCPU_MIN_ALLOC_SIZE) / p.pageSize);
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
export function findBlockFit(p: PcpuV414, c: ChunkV414, allocBits: number, align: number, popOnly: boolean): number {
  const pad = alignUp(c.contigBitsStart, align) - c.contigBitsStart;
  if (pad + allocBits > c.contigBits) return -1;

  p.regionOff = c.firstBit;
  p.regionBits = 0;
  nextFitRegion(p, c, allocBits, align);
  while (p.regionOff < c.mapBits) {
    if (!popOnly || isPopulated(p, c, p.regionOff, p.regionBits)) break;
    // isPopulated left the resume point in regionOff
    nextFitRegion(p, c, allocBits, align);
  }
  if (p.regionOff === c.mapBits) return -1;
  return p.regionOff;
}
