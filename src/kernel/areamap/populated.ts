/** Bookkeeping after pages of a chunk were (de)populated. */
import { bitmapClear, bitmapSet } from '../bitops.ts';
import type { AreamapChunk } from './chunk.ts';
import type { AreamapState } from './state.ts';

/**
 * mirrors pcpu_chunk_populated: pages [pageStart, pageEnd) now have memory. They count as
 * empty; an allocation that populated them takes its occupied pages off again afterwards.
 */
export function chunkPopulated(s: AreamapState, chunk: AreamapChunk, pageStart: number, pageEnd: number): void {
  const nr = pageEnd - pageStart;
  bitmapSet(chunk.populated, pageStart, Math.min(pageEnd, s.unitPages) - pageStart);
  chunk.nrPopulated += nr;
  chunk.changed();
  s.nrEmptyPopPages += nr;
  s.platform.touchWrite(chunk.structAddr, chunk.structBytes);
}

/** mirrors pcpu_chunk_depopulated */
export function chunkDepopulated(s: AreamapState, chunk: AreamapChunk, pageStart: number, pageEnd: number): void {
  const nr = pageEnd - pageStart;
  bitmapClear(chunk.populated, pageStart, nr);
  chunk.nrPopulated -= nr;
  chunk.changed();
  s.nrEmptyPopPages -= nr;
  s.platform.touchWrite(chunk.structAddr, chunk.structBytes);
}
