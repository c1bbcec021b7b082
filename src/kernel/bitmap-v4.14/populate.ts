/**
 * Populated-page bookkeeping of v4.14 and the populate step of the allocation path. v4.14
 * adds no empty pages for pages populated to serve an allocation (`for_alloc`), and keeps no
 * global populated-page count.
 */
import * as bitops from '../bitops.ts';
import { populateArea } from '../bitmap/populate.ts';
import type { BitmapChunk } from './chunk.ts';
import type { PcpuV414 } from './state.ts';

// an imported binding is checked on every read (an accessor call under vitest): hot paths use module-level copies
const { bitmapClear, bitmapSet } = bitops;

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

/** chunkPopulated for pages populated to serve an allocation (`for_alloc`: not empty) */
function populatedForAlloc(p: PcpuV414, c: BitmapChunk, pageStart: number, pageEnd: number): void {
  chunkPopulated(p, c, pageStart, pageEnd, true);
}

/**
 * The populate loop of pcpu_alloc (shared with v6.12): back every unpopulated page under
 * [off, off + size). Returns false when a page run could not be populated.
 */
export function populateForAlloc(p: PcpuV414, c: BitmapChunk, off: number, size: number): boolean {
  return populateArea(p, c, off, size, populatedForAlloc);
}
