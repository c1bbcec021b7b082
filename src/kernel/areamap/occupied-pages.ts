/** How many whole pages an area takes away from (or gives back to) the empty-page count. */
import type { AreamapChunk } from './chunk.ts';
import type { AreamapState } from './state.ts';

/**
 * mirrors pcpu_count_occupied_pages: the pages lying wholly inside area `i`, where a page the
 * area only partly covers counts too when the free neighbour on that side covers the rest
 */
export function countOccupiedPages(s: AreamapState, chunk: AreamapChunk, i: number): number {
  const map = chunk.map;
  const pageMask = s.pageSize - 1;
  let off = map[i]! & ~1;
  let end = map[i + 1]! & ~1;

  if ((off & pageMask) !== 0 && i > 0) {
    const prev = map[i - 1]!;
    const pageStart = off & ~pageMask;
    if ((prev & 1) === 0 && prev <= pageStart) off = pageStart;
  }

  if ((end & pageMask) !== 0 && i + 1 < chunk.mapUsed) {
    const next = map[i + 1]!;
    const nextEnd = map[i + 2]! & ~1;
    const pageEnd = (end + pageMask) & ~pageMask;
    if ((next & 1) === 0 && nextEnd >= pageEnd) end = pageEnd;
  }

  const n = (end >> s.pageShift) - ((off + pageMask) >> s.pageShift);
  return n > 0 ? n : 0;
}
