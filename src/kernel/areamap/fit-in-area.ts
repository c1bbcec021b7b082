/** Whether a request fits in one free area, and where. */
import { findNextBit, findNextZeroBit } from '../bitops.ts';
import type { AreamapChunk } from './chunk.ts';
import type { AreamapState } from './state.ts';

/**
 * mirrors pcpu_fit_in_area: the padding after `off` at which `size` bytes aligned to `align`
 * fit in the area [off, off + thisSize), or -1. With `popOnly` (atomic requests) the
 * allocation must also lie on populated pages: after each unpopulated run in the way, the
 * candidate moves past it and the check repeats.
 */
export function fitInArea(
  s: AreamapState,
  chunk: AreamapChunk,
  off: number,
  thisSize: number,
  size: number,
  align: number,
  popOnly: boolean,
): number {
  const alignMask = align - 1;
  const pageMask = s.pageSize - 1;
  const shift = s.pageShift;
  let candOff = off;
  for (;;) {
    const head = ((candOff + alignMask) & ~alignMask) - off;
    if (thisSize < head + size) return -1;
    if (!popOnly) return head;

    const pageStart = (head + off) >> shift;
    const pageEnd = (head + off + size + pageMask) >> shift;
    const searchEnd = (off + thisSize + pageMask) >> shift;
    // pcpu_next_unpop: the first unpopulated run at or after pageStart
    const rs = findNextZeroBit(s.work, chunk.populated, searchEnd, pageStart);
    if (rs >= pageEnd) return head;
    const re = findNextBit(s.work, chunk.populated, searchEnd, rs + 1);
    candOff = re * s.pageSize;
  }
}
