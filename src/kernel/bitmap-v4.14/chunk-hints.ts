/**
 * Chunk-wide hints of v4.14: `contig_bits`/`contig_bits_start`, kept from block hints, and the
 * chunk's count of empty populated pages, which v4.14 recomputes only when it rescans the hints.
 */
import * as bitops from '../bitops.ts';
import * as layout from '../bitmap/chunk.ts';
import { nextMdFreeRegion } from '../bitmap/hints.ts';
import type { BitmapChunk } from './chunk.ts';
import { firstBit } from './chunk.ts';
import * as constants from './constants.ts';
import type { PcpuV414 } from './state.ts';

// an imported binding is checked on every read (an accessor call under vitest): hot paths use module-level copies
const { bitmapWeight, ctz32 } = bitops;
const { MD_CONTIG, MD_CONTIG_START, MD_LEFT_FREE, MD_RIGHT_FREE, MD_STRIDE } = layout;
const { BLOCK_MD_BYTES, PCPU_MIN_ALLOC_SIZE } = constants;

/** does the chunk's contig hint run [contig_bits_start, +contig_bits) hold bit `bitOff`? */
export function contigCovers(c: BitmapChunk, bitOff: number): boolean {
  const start = c.md[c.chunkMd + MD_CONTIG_START]!;
  return bitOff >= start && bitOff < start + c.md[c.chunkMd + MD_CONTIG]!;
}

/**
 * mirrors pcpu_chunk_update: take the free run (bitOff, bits) as the chunk hint if it is
 * bigger, or equal and better aligned
 */
export function chunkUpdate(c: BitmapChunk, bitOff: number, bits: number): void {
  const md = c.md;
  const m = c.chunkMd;
  if (bits > md[m + MD_CONTIG]!) {
    md[m + MD_CONTIG_START] = bitOff;
    md[m + MD_CONTIG] = bits;
  } else if (bits === md[m + MD_CONTIG] && md[m + MD_CONTIG_START] !== 0) {
    if (bitOff === 0 || ctz32(bitOff) > ctz32(md[m + MD_CONTIG_START]!)) md[m + MD_CONTIG_START] = bitOff;
  }
}

/**
 * mirrors pcpu_cnt_pop_pages: populated pages lying entirely inside the free run
 * [bitOff, bitOff + bits)
 */
export function cntPopPages(p: PcpuV414, c: BitmapChunk, bitOff: number, bits: number): number {
  const pageStart = ((bitOff * PCPU_MIN_ALLOC_SIZE + p.pageSize - 1) / p.pageSize) | 0;
  const pageEnd = (((bitOff + bits) * PCPU_MIN_ALLOC_SIZE) / p.pageSize) | 0;
  if (pageStart >= pageEnd) return 0;
  return bitmapWeight(p.work, c.populated, pageEnd) - bitmapWeight(p.work, c.populated, pageStart);
}

/**
 * mirrors pcpu_chunk_refresh_hint (v4.14): rebuild contig_bits from the block hints, walking
 * from first_bit, and recount the chunk's empty populated pages from the same runs; the global
 * count moves by the difference (the reserved chunk does not count globally)
 */
export function chunkRefreshHint(p: PcpuV414, c: BitmapChunk): void {
  c.md[c.chunkMd + MD_CONTIG] = 0;
  let nrEmptyPopPages = 0;
  nextMdFreeRegion(p, c, firstBit(c), BLOCK_MD_BYTES);
  while (p.regionOff < c.mapBits) {
    const off = p.regionOff;
    const bits = p.regionBits;
    chunkUpdate(c, off, bits);
    nrEmptyPopPages += cntPopPages(p, c, off, bits);
    nextMdFreeRegion(p, c, off + bits + 1, BLOCK_MD_BYTES);
  }
  if (c !== p.reserved) p.nrEmptyPopPages += nrEmptyPopPages - c.nrEmptyPopPages;
  c.nrEmptyPopPages = nrEmptyPopPages;
}
