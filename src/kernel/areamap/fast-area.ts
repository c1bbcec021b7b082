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
import * as constants from './constants.ts';
import { FitIndex } from './fit-index.ts';
import { fitInArea } from './fit-in-area.ts';
import { chunkRelocate, chunkSlot } from './slots.ts';
import type { AreamapState } from './state.ts';

// an imported binding is checked on every read (an accessor call under vitest): hot paths use module-level copies
const { SIZEOF_INT } = constants;

/** walks from first_free longer than this many entries build the chunk's fit index */
const INDEX_WALK = 256;

/**
 * Map entry k lives at buf[k] before the gap and at buf[k + gapLen] from it on; the functions
 * below read the gap's place into locals once and index the buffer themselves (NO_GAP when the
 * map is laid out plainly), which keeps the hot paths free of calls.
 */
const NO_GAP = 0x3fffffff;

/** mirrors pcpu_alloc_area (see alloc-area.ts for the kernel's quirks, which this keeps) */
export function allocAreaFast(s: AreamapState, chunk: AreamapChunk, size: number, align: number, popOnly: boolean): number {
  const oslot = chunkSlot(s, chunk);
  const work = s.work;
  const platform = s.platform;
  const scanStart = chunk.firstFree;
  const used = chunk.mapUsed;
  const buf = chunk.buf;
  let gs = chunk.gapOpen ? chunk.gapStart : NO_GAP;
  let gl = chunk.gapLen;
  let maxContig = 0;
  let seenFree = false;
  let i = -1;
  let head = 0;

  if (!popOnly && (chunk.fitIndex !== null || used - scanStart > INDEX_WALK)) {
    const index = chunk.fitIndex ?? (chunk.fitIndex = new FitIndex(chunk));
    i = index.findFit(chunk, scanStart, size, align);
    maxContig = index.maxContig;
    if (index.firstFree >= 0) {
      chunk.firstFree = index.firstFree;
      seenFree = true;
    }
    if (i >= 0) {
      const off = buf[i < gs ? i : i + gl]!;
      head = ((off + align - 1) & ~(align - 1)) - off;
    }
  } else {
    const mask = align - 1;
    let off = buf[scanStart < gs ? scanStart : scanStart + gl]!;
    for (let k = scanStart; k < used; k++) {
      const k1 = k + 1;
      const next = buf[k1 < gs ? k1 : k1 + gl]!;
      if ((off & 1) === 0) {
        const thisSize = (next & ~1) - off;
        // pcpu_fit_in_area; only atomic requests care about populated pages
        let h = ((off + mask) & ~mask) - off;
        if (thisSize < h + size) h = -1;
        else if (popOnly) h = fitInArea(s, chunk, off, thisSize, size, align, true);
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
    work.mapEntriesScanned += used - scanStart;
    platform.touchRead(chunk.mapAddr + scanStart * 4, (used - scanStart + 1) * 4);
    chunk.contigHint = maxContig;
    chunk.mapChanged(scanStart, used);
    chunkRelocate(s, chunk, oslot);
    return -1;
  }

  work.mapEntriesScanned += i - scanStart + 1;
  platform.touchRead(chunk.mapAddr + scanStart * 4, (i - scanStart + 2) * 4);

  let pi = i < gs ? i : i + gl;
  let off = buf[pi]!;
  let thisSize = (buf[i + 1 < gs ? i + 1 : i + 1 + gl]! & ~1) - off;
  const origOff = off;
  const index = chunk.fitIndex;
  let prevChanged = -1;

  const prev = i > 0 ? buf[i - 1 < gs ? i - 1 : i - 1 + gl]! : 1;
  if (head !== 0 && (head < SIZEOF_INT || (prev & 1) === 0)) {
    off += head;
    buf[pi] = off;
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
    platform.touchWrite(chunk.mapAddr + (i + 1) * 4, (moved + nrExtra) * 4);
    // the gap now starts after the new entries: entries up to i + nrExtra sit at their index
    gs = chunk.gapStart;
    gl = chunk.gapLen;
    pi = i;

    if (head !== 0) {
      if (!seenFree) {
        chunk.firstFree = i;
        seenFree = true;
      }
      i++;
      pi = i;
      off += head;
      buf[i] = off;
      if (head > maxContig) maxContig = head;
    }
    if (tail !== 0) {
      buf[i + 1] = off + size;
      if (tail > maxContig) maxContig = tail;
    }
  }

  if (!seenFree) chunk.firstFree = i + 1;

  if (i + 1 === chunk.mapUsed) chunk.contigHint = maxContig;
  else if (maxContig > chunk.contigHint) chunk.contigHint = maxContig;

  chunk.freeSize -= size;
  buf[pi] = buf[pi]! | 1;
  platform.touchWrite(chunk.mapAddr + i * 4, 4);

  chunk.mapChanged(scanStart, i + 1);
  // pcpu_count_occupied_pages on the new area (entry i is in use, so its own bit reads as such)
  {
    const nowUsed = chunk.mapUsed;
    const prevE = i > 0 ? buf[i - 1 < gs ? i - 1 : i - 1 + gl]! : 1;
    const nextE = buf[i + 1 < gs ? i + 1 : i + 1 + gl]!;
    const afterE = i + 1 < nowUsed ? buf[i + 2 < gs ? i + 2 : i + 2 + gl]! : 0;
    s.occPages = occupiedPages(s, prevE, off, nextE, i + 1 < nowUsed ? nextE : 1, afterE);
  }
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
  const platform = s.platform;
  const mapAddr = chunk.mapAddr;
  const key = freeme | 1;
  const used = chunk.mapUsed;
  const buf = chunk.buf;
  const gs = chunk.gapOpen ? chunk.gapStart : NO_GAP;
  const gl = chunk.gapLen;

  // in-order, reverse and alternating frees find their entry next to where the last free left off
  let i = -1;
  const h = chunk.freeHint;
  if (h > 0 && h <= used && buf[h - 1 < gs ? h - 1 : h - 1 + gl] === key) i = h - 1;
  else if (h + 1 < used && buf[h + 1 < gs ? h + 1 : h + 1 + gl] === key) i = h + 1;
  else if (h + 2 < used && buf[h + 2 < gs ? h + 2 : h + 2 + gl] === key) i = h + 2;

  let lo = 0;
  let hi = used;
  let probes = 0;
  if (i >= 0) {
    // the kernel's binary search, replayed for its probes (each a counted entry and a touch):
    // offsets strictly increase, so a probe below i reads less than the key and one above it
    // more, and the path follows from k against i alone
    for (;;) {
      const k = (lo + hi) >>> 1;
      probes++;
      platform.touchRead(mapAddr + k * 4, 4);
      if (k < i) lo = k + 1;
      else if (k > i) hi = k;
      else break;
    }
  } else {
    let found = 0;
    while (lo !== hi) {
      const k = (lo + hi) >>> 1;
      found = buf[k < gs ? k : k + gl]!;
      probes++;
      platform.touchRead(mapAddr + k * 4, 4);
      if (found < key) lo = k + 1;
      else if (found > key) hi = k;
      else hi = lo = k;
    }
    if (found !== key) {
      work.mapEntriesScanned += probes;
      throw new InvariantError(`pcpu_free_area: chunk ${chunk.id} has no allocation at offset ${freeme}`);
    }
    i = lo;
  }
  work.mapEntriesScanned += probes;
  if (i < chunk.firstFree) chunk.firstFree = i;

  const off = key & ~1;
  buf[i < gs ? i : i + gl] = off;
  const nextOff = buf[i + 1 < gs ? i + 1 : i + 1 + gl]!;
  chunk.freeSize += (nextOff & ~1) - off;

  const prevE = i > 0 ? buf[i - 1 < gs ? i - 1 : i - 1 + gl]! : 1;
  {
    const afterE = i + 1 < used ? buf[i + 2 < gs ? i + 2 : i + 2 + gl]! : 0;
    s.occPages = occupiedPages(s, prevE, off, nextOff, i + 1 < used ? nextOff : 1, afterE);
  }

  const index = chunk.fitIndex;
  let prevOff = -1;
  let toFree = 0;
  if ((nextOff & 1) === 0) toFree++;
  if (i > 0 && (prevE & 1) === 0) {
    toFree++;
    i--;
    prevOff = prevE;
  }
  if (toFree !== 0) {
    const moved = used - toFree - i;
    chunk.removeEntries(i + 1, toFree);
    work.bytesMoved += moved * 4;
    platform.touchWrite(mapAddr + (i + 1) * 4, moved * 4);
  } else {
    platform.touchWrite(mapAddr + i * 4, 4);
  }

  chunk.mapChanged(i, i + 1);
  chunk.freeHint = i;
  {
    const g2 = chunk.gapOpen ? chunk.gapStart : NO_GAP;
    const l2 = chunk.gapLen;
    const merged = buf[i + 1 < g2 ? i + 1 : i + 1 + l2]! - buf[i < g2 ? i : i + l2]! - 1;
    if (merged > chunk.contigHint) chunk.contigHint = merged;
  }
  if (index !== null) {
    if (prevOff >= 0) index.refresh(chunk, prevOff);
    index.refresh(chunk, off);
    if ((nextOff & 1) === 0) index.refresh(chunk, nextOff);
  }
  chunkRelocate(s, chunk, oslot);
}

/**
 * pcpu_count_occupied_pages for an area [start, end of `endE`): its whole pages, plus a page it
 * only partly covers when the free neighbour on that side covers the rest. `prevE` is the
 * entry before it (1, in use, when there is none); `nextE` the entry after it as a neighbour
 * (1 when it is the sentinel) and `afterE` the one after that.
 */
function occupiedPages(s: AreamapState, prevE: number, start: number, endE: number, nextE: number, afterE: number): number {
  const pageMask = s.pageSize - 1;
  let off = start;
  let end = endE & ~1;
  if ((off & pageMask) !== 0) {
    const pageStart = off & ~pageMask;
    if ((prevE & 1) === 0 && prevE <= pageStart) off = pageStart;
  }
  if ((end & pageMask) !== 0) {
    const pageEnd = (end + pageMask) & ~pageMask;
    if ((nextE & 1) === 0 && (afterE & ~1) >= pageEnd) end = pageEnd;
  }
  const n = (end >> s.pageShift) - ((off + pageMask) >> s.pageShift);
  return n > 0 ? n : 0;
}
