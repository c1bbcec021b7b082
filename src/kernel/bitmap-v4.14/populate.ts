/**
 * Populated-page bookkeeping of v4.14 and the populate step of the allocation path. v4.14
 * adds no empty pages for pages populated to serve an allocation (`for_alloc`), and keeps no
 * global populated-page count.
 */
import * as bitops from '../bitops.ts';
import type { BitmapChunk } from './chunk.ts';
import type { PcpuV414 } from './state.ts';

// imported bindings turn into accessor calls once transpiled (tsx, vitest): hot paths use module-level copies
const { bitmapClear, bitmapSet, findNextBit, findNextZeroBit } = bitops;

/** mirrors pcpu_chunk_populated (v4.14): pages [pageStart, pageEnd) are now backed */
export function chunkPopulated(p: PcpuV414, c: BitmapChunk, pageStart: number, pageEnd: number, forAlloc: boolean): void {
  const nr = pageEnd - pageStart;
  bitmapSet(c.populated, pageStart, Math.min(pageEnd, c.nrPages) - pageStart);
  c.nrPopulated += nr;
  if (!forAlloc) {
    c.nrEmptyPopPages += nr;
    p.nrEmptyPopPages += nr;
  }
  c.popDirty = true;
}

/** mirrors pcpu_chunk_depopulated: pages [pageStart, pageEnd) were empty and are gone */
export function chunkDepopulated(p: PcpuV414, c: BitmapChunk, pageStart: number, pageEnd: number): void {
  const nr = pageEnd - pageStart;
  bitmapClear(c.populated, pageStart, nr);
  c.nrPopulated -= nr;
  c.nrEmptyPopPages -= nr;
  p.nrEmptyPopPages -= nr;
  c.popDirty = true;
}

/**
 * The populate loop of pcpu_alloc: back every unpopulated page under [off, off + size).
 * Returns false when a page run could not be populated (earlier runs stay populated).
 */
export function populateForAlloc(p: PcpuV414, c: BitmapChunk, off: number, size: number): boolean {
  const work = p.work;
  const pageStart = Math.floor(off / p.pageSize);
  const pageEnd = Math.ceil((off + size) / p.pageSize);
  let rs = findNextZeroBit(work, c.populated, pageEnd, pageStart);
  let re = findNextBit(work, c.populated, pageEnd, rs + 1);
  while (rs < re) {
    if (!p.backend.populate(c.baseAddr, rs, re)) return false;
    chunkPopulated(p, c, rs, re, true);
    rs = findNextZeroBit(work, c.populated, pageEnd, re + 1);
    re = findNextBit(work, c.populated, pageEnd, rs + 1);
  }
  return true;
}
