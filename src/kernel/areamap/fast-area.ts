/**
 * The area map's alloc and free steps as the allocator runs them by default: the same
 * decisions, map contents, counters and metadata touches as alloc-area.ts and free-area.ts
 * (the straightforward ports, kept as the reference and selected by `fastPath: false`),
 * done faster:
 *  - the map keeps a gap (chunk.ts): an insert or removal moves the entries between the last
 *    edit and this one, not the whole tail, while the counted memmove stays the kernel's;
 *  - a long first-fit walk is answered by the chunk's FitIndex (fit-index.ts), which also
 *    reports what the walk would have seen on the way (largest free area, first free area)
 *    and the entries it would have scanned.
 * test/unit/areamap-fastpath.test.ts runs both side by side on random streams.
 */
import { InvariantError } from '../allocator.ts';
import type { AreamapChunk } from './chunk.ts';
import { SIZEOF_INT } from './constants.ts';
import { FitIndex } from './fit-index.ts';
import { fitInArea } from './fit-in-area.ts';
import { chunkRelocate, chunkSlot } from './slots.ts';
import type { AreamapState } from './state.ts';

/** walks from first_free longer than this many entries build the chunk's fit index */
const INDEX_WALK = 256;

/** mirrors pcpu_alloc_area (see alloc-area.ts for the kernel's quirks, which this keeps) */
export function allocAreaFast(s: AreamapState, chunk: AreamapChunk, size: number, align: number, popOnly: boolean): number {
  const oslot = chunkSlot(s, chunk);
  const work = s.work;
  const scanStart = chunk.firstFree;
  let maxContig = 0;
  let seenFree = false;
  let i = -1;
  let head = 0;

  if (!popOnly && (chunk.fitIndex !== null || chunk.mapUsed - scanStart > INDEX_WALK)) {
    const index = chunk.fitIndex ?? (chunk.fitIndex = new FitIndex(chunk));
    i = index.findFit(chunk, scanStart, size, align);
    maxContig = index.maxContig;
    if (index.firstFree >= 0) {
      chunk.firstFree = index.firstFree;
      seenFree = true;
    }
    if (i >= 0) {
      const off = chunk.at(i);
      head = ((off + align - 1) & ~(align - 1)) - off;
    }
  } else {
    const used = chunk.mapUsed;
    let off = chunk.at(scanStart);
    for (let k = scanStart; k < used; k++) {
      const next = chunk.at(k + 1);
      if ((off & 1) === 0) {
        const thisSize = (next & ~1) - off;
        const h = fitInArea(s, chunk, off, thisSize, size, align, popOnly);
        if (h >= 0) {
          i = k;
          head = h;
          break;
        }
        if (!seenFree) {
          chunk.firstFree = k;
          seenFree = true;
        }
        if (thisSize > maxContig) maxContig = thisSize;
      }
      off = next;
    }
  }

  if (i < 0) {
    work.mapEntriesScanned += chunk.mapUsed - scanStart;
    s.platform.touchRead(chunk.mapAddr + scanStart * 4, (chunk.mapUsed - scanStart + 1) * 4);
    chunk.contigHint = maxContig;
    chunk.mapChanged(scanStart, chunk.mapUsed);
    chunkRelocate(s, chunk, oslot);
    return -1;
  }

  work.mapEntriesScanned += i - scanStart + 1;
  s.platform.touchRead(chunk.mapAddr + scanStart * 4, (i - scanStart + 2) * 4);

  let off = chunk.at(i);
  let thisSize = (chunk.at(i + 1) & ~1) - off;
  const origOff = off;
  const index = chunk.fitIndex;
  let prevChanged = -1;

  const prev = i > 0 ? chunk.at(i - 1) : 1;
  if (head !== 0 && (head < SIZEOF_INT || (prev & 1) === 0)) {
    off += head;
    chunk.setAt(i, off);
    if ((prev & 1) !== 0) chunk.freeSize -= head;
    else {
      if (off - prev > maxContig) maxContig = off - prev;
      prevChanged = prev;
    }
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
    const moved = chunk.mapUsed - i;
    chunk.insertEntries(i + 1, nrExtra);
    work.bytesMoved += moved * 4;
    s.platform.touchWrite(chunk.mapAddr + (i + 1) * 4, (moved + nrExtra) * 4);

    if (head !== 0) {
      if (!seenFree) {
        chunk.firstFree = i;
        seenFree = true;
      }
      i++;
      off += head;
      chunk.setAt(i, off);
      if (head > maxContig) maxContig = head;
    }
    if (tail !== 0) {
      chunk.setAt(i + 1, off + size);
      if (tail > maxContig) maxContig = tail;
    }
  }

  if (!seenFree) chunk.firstFree = i + 1;

  if (i + 1 === chunk.mapUsed) chunk.contigHint = maxContig;
  else if (maxContig > chunk.contigHint) chunk.contigHint = maxContig;

  chunk.freeSize -= size;
  chunk.setAt(i, chunk.at(i) | 1);
  s.platform.touchWrite(chunk.mapAddr + i * 4, 4);

  chunk.mapChanged(scanStart, i + 1);
  s.occPages = countOccupiedPagesFast(s, chunk, i);
  if (index !== null) {
    // the areas whose start, size or use changed: the one split (its pieces) and a grown neighbour
    if (prevChanged >= 0) index.refresh(chunk, prevChanged);
    index.refresh(chunk, origOff);
    index.refresh(chunk, off);
    if (tail !== 0) index.refresh(chunk, off + size);
  }
  chunkRelocate(s, chunk, oslot);
  return off;
}

/** mirrors pcpu_free_area (see free-area.ts) */
export function freeAreaFast(s: AreamapState, chunk: AreamapChunk, freeme: number): void {
  const oslot = chunkSlot(s, chunk);
  const work = s.work;
  const key = freeme | 1;

  let lo = 0;
  let hi = chunk.mapUsed;
  let off = 0;
  let probes = 0;
  while (lo !== hi) {
    const k = (lo + hi) >>> 1;
    off = chunk.at(k);
    probes++;
    s.platform.touchRead(chunk.mapAddr + k * 4, 4);
    if (off < key) lo = k + 1;
    else if (off > key) hi = k;
    else hi = lo = k;
  }
  work.mapEntriesScanned += probes;
  if (off !== key) {
    throw new InvariantError(`pcpu_free_area: chunk ${chunk.id} has no allocation at offset ${freeme}`);
  }

  let i = lo;
  if (i < chunk.firstFree) chunk.firstFree = i;

  off &= ~1;
  chunk.setAt(i, off);
  const nextOff = chunk.at(i + 1);
  chunk.freeSize += (nextOff & ~1) - off;

  s.occPages = countOccupiedPagesFast(s, chunk, i);

  const index = chunk.fitIndex;
  let prevOff = -1;
  let toFree = 0;
  if ((nextOff & 1) === 0) toFree++;
  if (i > 0 && (chunk.at(i - 1) & 1) === 0) {
    toFree++;
    i--;
    prevOff = chunk.at(i);
  }
  if (toFree !== 0) {
    const moved = chunk.mapUsed - toFree - i;
    chunk.removeEntries(i + 1, toFree);
    work.bytesMoved += moved * 4;
    s.platform.touchWrite(chunk.mapAddr + (i + 1) * 4, moved * 4);
  } else {
    s.platform.touchWrite(chunk.mapAddr + i * 4, 4);
  }

  chunk.mapChanged(i, i + 1);
  const merged = chunk.at(i + 1) - chunk.at(i) - 1;
  if (merged > chunk.contigHint) chunk.contigHint = merged;
  if (index !== null) {
    if (prevOff >= 0) index.refresh(chunk, prevOff);
    index.refresh(chunk, off);
    if ((nextOff & 1) === 0) index.refresh(chunk, nextOff);
  }
  chunkRelocate(s, chunk, oslot);
}

/** mirrors pcpu_count_occupied_pages (see occupied-pages.ts), reading the map through its gap */
export function countOccupiedPagesFast(s: AreamapState, chunk: AreamapChunk, i: number): number {
  const pageMask = s.pageSize - 1;
  let off = chunk.at(i) & ~1;
  let end = chunk.at(i + 1) & ~1;

  if ((off & pageMask) !== 0 && i > 0) {
    const prev = chunk.at(i - 1);
    const pageStart = off & ~pageMask;
    if ((prev & 1) === 0 && prev <= pageStart) off = pageStart;
  }

  if ((end & pageMask) !== 0 && i + 1 < chunk.mapUsed) {
    const next = chunk.at(i + 1);
    const nextEnd = chunk.at(i + 2) & ~1;
    const pageEnd = (end + pageMask) & ~pageMask;
    if ((next & 1) === 0 && nextEnd >= pageEnd) end = pageEnd;
  }

  const n = (end >> s.pageShift) - ((off + pageMask) >> s.pageShift);
  return n > 0 ? n : 0;
}
