/** Carving an allocation out of a chunk's area map. */
import type { AreamapChunk } from './chunk.ts';
import * as constants from './constants.ts';
import { fitInArea } from './fit-in-area.ts';
import { countOccupiedPages } from './occupied-pages.ts';
import { chunkRelocate, chunkSlot } from './slots.ts';
import type { AreamapState } from './state.ts';

// an imported binding is checked on every read (an accessor call under vitest): hot paths use module-level copies
const { SIZEOF_INT } = constants;

/**
 * mirrors pcpu_alloc_area: first fit, scanning the map from first_free. Returns the offset, or
 * -1 when no area fits (the contig hint is then exact: the scan saw every free area). On
 * success `s.occPages` holds the pages the new area took from the empty count.
 *
 * The quirks are the kernel's:
 * - a head padding smaller than an int, or any head after a free area, gets no entry of its
 *   own: it joins the previous area. If that area is in use the bytes are simply lost from
 *   free_size until the neighbour is freed.
 * - a tail smaller than an int is absorbed into the allocation.
 * - the contig hint is only recomputed when the allocation came from the last area; otherwise
 *   it is the larger of the old hint and what this scan saw, so it may overestimate.
 *
 * The map must have room for two more entries (pcpu_need_to_extend made sure).
 */
export function allocArea(s: AreamapState, chunk: AreamapChunk, size: number, align: number, popOnly: boolean): number {
  const oslot = chunkSlot(s, chunk);
  const map = chunk.map;
  const work = s.work;
  const scanStart = chunk.firstFree;
  let maxContig = 0;
  let seenFree = false;

  for (let i = scanStart; i < chunk.mapUsed; i++) {
    let off = map[i]!;
    if ((off & 1) !== 0) continue;
    let thisSize = (map[i + 1]! & ~1) - off;

    let head = fitInArea(s, chunk, off, thisSize, size, align, popOnly);
    if (head < 0) {
      if (!seenFree) {
        chunk.firstFree = i;
        seenFree = true;
      }
      if (thisSize > maxContig) maxContig = thisSize;
      continue;
    }
    work.mapEntriesScanned += i - scanStart + 1;
    s.platform.touchRead(chunk.mapAddr + scanStart * 4, (i - scanStart + 2) * 4);

    // index 0 has no predecessor; the first entry of every map here is in use or starts at 0,
    // where a head can only come from skipping unpopulated pages: treat it as in use
    const prev = i > 0 ? map[i - 1]! : 1;
    if (head !== 0 && (head < SIZEOF_INT || (prev & 1) === 0)) {
      off += head;
      map[i] = off;
      if ((prev & 1) !== 0) chunk.freeSize -= head;
      else if (off - prev > maxContig) maxContig = off - prev;
      thisSize -= head;
      head = 0;
    }

    let tail = thisSize - head - size;
    if (tail < SIZEOF_INT) {
      tail = 0;
      size = thisSize - head;
    }

    if (head !== 0 || tail !== 0) {
      const nrExtra = (head !== 0 ? 1 : 0) + (tail !== 0 ? 1 : 0);
      // shift entries i+1 .. map_used (the sentinel included) up to make room
      const moved = chunk.mapUsed - i;
      map.copyWithin(i + 1 + nrExtra, i + 1, i + 1 + moved);
      work.bytesMoved += moved * 4;
      s.platform.touchWrite(chunk.mapAddr + (i + 1) * 4, (moved + nrExtra) * 4);
      chunk.mapUsed += nrExtra;

      if (head !== 0) {
        if (!seenFree) {
          chunk.firstFree = i;
          seenFree = true;
        }
        i++;
        off += head;
        map[i] = off;
        if (head > maxContig) maxContig = head;
      }
      if (tail !== 0) {
        map[i + 1] = off + size;
        if (tail > maxContig) maxContig = tail;
      }
    }

    if (!seenFree) chunk.firstFree = i + 1;

    if (i + 1 === chunk.mapUsed) chunk.contigHint = maxContig;
    else if (maxContig > chunk.contigHint) chunk.contigHint = maxContig;

    chunk.freeSize -= size;
    map[i] = map[i]! | 1;
    s.platform.touchWrite(chunk.mapAddr + i * 4, 4);

    chunk.mapChanged(scanStart, i + 1);
    s.occPages = countOccupiedPages(s, chunk, i);
    chunkRelocate(s, chunk, oslot);
    return off;
  }

  work.mapEntriesScanned += chunk.mapUsed - scanStart;
  s.platform.touchRead(chunk.mapAddr + scanStart * 4, (chunk.mapUsed - scanStart + 1) * 4);
  chunk.contigHint = maxContig;
  chunk.mapChanged(scanStart, chunk.mapUsed);
  chunkRelocate(s, chunk, oslot);
  return -1;
}
