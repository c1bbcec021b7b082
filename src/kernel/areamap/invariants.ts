/**
 * What v4.13 relies on about its chunks, checked against the maps and bitmaps themselves.
 * Each failure names the broken invariant. Note what does NOT hold: the contig hint may
 * overestimate the largest free area (it is only recomputed after a full scan), so it is
 * checked from below only.
 *
 * A map can hold tens of thousands of entries, so a chunk is rechecked only where it changed:
 * every path that changes a map records the window of entries it touched (entries below it
 * are untouched, entries above it at most shifted). The checker keeps a copy of the map as it
 * last verified it, subtracts the old window's free bytes and empty pages from its totals and
 * adds the new window's. Whenever that cannot settle a question (the hint dropped without a
 * scan of every free area, first_free moved past the window, a total disagrees) it checks
 * the whole map, so a failure is always reported from a full check.
 */
import { InvariantError } from '../allocator.ts';
import { popcount32 } from '../bitops.ts';
import type { AreamapChunk } from './chunk.ts';
import { chunkSlot } from './slots.ts';
import type { AreamapState } from './state.ts';

export function checkAreamapInvariants(s: AreamapState): void {
  if (s.reservedChunk !== null && s.reservedChunk.dirty) checkChunk(s, s.reservedChunk);
  let emptyPages = 0;
  for (const chunk of s.chunks) {
    if (chunk === null) continue;
    if (chunk.dirty) checkChunk(s, chunk);
    emptyPages += chunk.checked.emptyPages;
    const list = s.lists.listOf(chunk.id);
    const slot = chunkSlot(s, chunk);
    if (list !== slot) fail(chunk, `sits on list ${list}, but its free size and hint put it in slot ${slot}`);
  }
  if (emptyPages !== s.nrEmptyPopPages) {
    throw new InvariantError(
      `pcpu_nr_empty_pop_pages is ${s.nrEmptyPopPages}, but ${emptyPages} populated pages lie wholly in free areas`,
    );
  }
}

function fail(chunk: AreamapChunk, what: string): never {
  throw new InvariantError(`chunk ${chunk.id}: ${what}`);
}

function checkChunk(s: AreamapState, chunk: AreamapChunk): void {
  const map = chunk.map;
  if (map.length !== chunk.mapAlloc) fail(chunk, `map length ${map.length} differs from map_alloc ${chunk.mapAlloc}`);
  if (chunk.mapUsed < 1 || chunk.mapUsed >= chunk.mapAlloc) {
    fail(chunk, `map_used ${chunk.mapUsed} leaves no room for the sentinel in ${chunk.mapAlloc} entries`);
  }
  const sentinel = map[chunk.mapUsed]!;
  if ((sentinel & 1) === 0 || (sentinel & ~1) !== chunk.regionEnd) {
    fail(chunk, `sentinel map[${chunk.mapUsed}] = ${sentinel}, expected ${chunk.regionEnd} | 1`);
  }
  if (chunk.firstFree < 0 || chunk.firstFree > chunk.mapUsed) fail(chunk, `first_free ${chunk.firstFree} is outside the map`);

  if (!checkWindow(s, chunk)) checkWholeMap(s, chunk);
  chunk.checked.hint = chunk.contigHint;
  chunk.checked.firstFree = chunk.firstFree;
  chunk.markChecked();
}

/** running results of walking a range of areas */
interface Walk {
  free: number;
  largest: number;
  emptyPages: number;
}
/**
 * Checks areas a..b of `map` (area k spans map[k] to map[k+1]) and sums their free bytes,
 * largest free area and populated pages lying wholly in free areas.
 * With `verify` false it only sums (for the checker's old copy of the map).
 */
function walkAreas(s: AreamapState, chunk: AreamapChunk, map: Int32Array, a: number, b: number, verify: boolean): Walk {
  const pageMask = s.pageSize - 1;
  const shift = s.pageShift;
  const pop = chunk.populated;
  const firstFree = chunk.firstFree;
  let free = 0;
  let largest = 0;
  let emptyPages = 0;
  let cur = map[a]!;
  let prevFree = a > 0 && (map[a - 1]! & 1) === 0;
  for (let i = a; i <= b; i++) {
    const next = map[i + 1]!;
    const start = cur & ~1;
    const end = next & ~1;
    if ((cur & 1) !== 0) {
      if (verify) {
        if (end <= start) fail(chunk, `map not strictly ascending at ${i}: ${start} then ${end}`);
        for (let p = start >> shift, last = (end - 1) >> shift; p <= last; p++) {
          if (((pop[p >>> 5]! >>> (p & 31)) & 1) === 0) fail(chunk, `area at ${start} is in use on unpopulated page ${p}`);
        }
      }
      prevFree = false;
    } else {
      if (verify) {
        if (end <= start) fail(chunk, `map not strictly ascending at ${i}: ${start} then ${end}`);
        if (i < firstFree) fail(chunk, `free area at index ${i} lies below first_free ${firstFree}`);
        if (prevFree) fail(chunk, `free areas ${i - 1} and ${i} are adjacent, not merged`);
      }
      prevFree = true;
      const len = end - start;
      free += len;
      if (len > largest) largest = len;
      for (let p = (start + pageMask) >> shift, last = end >> shift; p < last; p++) {
        emptyPages += (pop[p >>> 5]! >>> (p & 31)) & 1;
      }
    }
    cur = next;
  }
  return { free, largest, emptyPages };
}

/** every area of the map, then a fresh copy for later window checks */
function checkWholeMap(s: AreamapState, chunk: AreamapChunk): void {
  const w = walkAreas(s, chunk, chunk.map, 0, chunk.mapUsed - 1, true);
  if (w.free !== chunk.freeSize) fail(chunk, `free_size ${chunk.freeSize} differs from the map's free bytes ${w.free}`);
  if (chunk.contigHint < w.largest) fail(chunk, `contig_hint ${chunk.contigHint} is below the largest free area ${w.largest}`);
  // percpu-km counts its whole block (all units) as populated; the bitmap only has one unit
  if (!s.backend.populatedOnCreate) {
    let weight = 0;
    for (let k = 0; k < chunk.populated.length; k++) weight += popcount32(chunk.populated[k]!);
    if (weight !== chunk.nrPopulated) fail(chunk, `nr_populated ${chunk.nrPopulated} differs from the populated bitmap's ${weight}`);
  }
  const c = chunk.checked;
  if (c.shadow.length < chunk.mapAlloc) c.shadow = new Int32Array(chunk.mapAlloc);
  c.shadow.set(chunk.map.subarray(0, chunk.mapUsed + 1));
  c.used = chunk.mapUsed;
  c.free = w.free;
  c.emptyPages = w.emptyPages;
}

/** the changed window only; false when that cannot settle every invariant */
function checkWindow(s: AreamapState, chunk: AreamapChunk): boolean {
  const c = chunk.checked;
  const used = chunk.mapUsed;
  if (chunk.dirtyLo === 0 || c.shadow.length < used + 1) return false;
  const tail = Math.min(chunk.cleanTail, used + 1, c.used + 1);
  const hiNew = used - tail; // last entry that may differ, current indices
  const hiOld = c.used - tail; // the same in the checker's copy
  const lo = Math.min(chunk.dirtyLo, hiNew + 1, hiOld + 1);
  const a = lo > 0 ? lo - 1 : 0; // the area ending at entry lo changed too
  const bNew = Math.min(hiNew + 1, used - 1); // the area after the window has a new neighbour
  const bOld = Math.min(hiOld + 1, c.used - 1);

  // first_free: areas below the window were verified against the old first_free only
  if (chunk.firstFree > Math.max(c.firstFree, a) || chunk.firstFree > bNew + 1) return false;

  const old = walkAreas(s, chunk, c.shadow, a, bOld, false);
  const w = walkAreas(s, chunk, chunk.map, a, bNew, true);
  if (chunk.contigHint < w.largest) fail(chunk, `contig_hint ${chunk.contigHint} is below the largest free area ${w.largest}`);
  // a lower hint is only right if the window saw every free area
  if (chunk.contigHint < c.hint && (a > chunk.firstFree || bNew !== used - 1)) return false;
  const free = c.free - old.free + w.free;
  if (free !== chunk.freeSize) return false;

  // bring the copy up to date: shift the unchanged tail, then the window
  c.shadow.copyWithin(hiNew + 1, hiOld + 1, c.used + 1);
  c.shadow.set(chunk.map.subarray(lo, hiNew + 1), lo);
  c.used = used;
  c.free = free;
  c.emptyPages = c.emptyPages - old.emptyPages + w.emptyPages;
  return true;
}
