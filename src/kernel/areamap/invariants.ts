/**
 * What v4.13 relies on about its chunks, checked against the maps and bitmaps themselves.
 * Each failure names the broken invariant. Note what does NOT hold: the contig hint may
 * overestimate the largest free area (it is only recomputed after a full scan), so it is
 * checked from below only.
 *
 * The per-map checks cost a walk of the map, so they run for chunks changed since the last
 * check (every path that changes a chunk marks it dirty); list placement and the global
 * empty-page count are checked over all chunks every time.
 */
import { InvariantError } from '../allocator.ts';
import { popcount32, testBit } from '../bitops.ts';
import type { AreamapChunk } from './chunk.ts';
import { chunkSlot } from './slots.ts';
import type { AreamapState } from './state.ts';

export function checkAreamapInvariants(s: AreamapState): void {
  if (s.reservedChunk !== null && s.reservedChunk.dirty) checkChunk(s, s.reservedChunk);
  let emptyPages = 0;
  for (const chunk of s.chunks) {
    if (chunk === null) continue;
    if (chunk.dirty) checkChunk(s, chunk);
    emptyPages += chunk.checkedEmptyPages;
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

/** the whole-map checks of one chunk; records its empty populated pages */
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

  const pageMask = s.pageSize - 1;
  const shift = s.pageShift;
  let free = 0;
  let largest = 0;
  let emptyPages = 0;
  for (let i = 0; i < chunk.mapUsed; i++) {
    const start = map[i]! & ~1;
    const end = map[i + 1]! & ~1;
    if (end <= start) fail(chunk, `map not strictly ascending at ${i}: ${start} then ${end}`);
    if ((map[i]! & 1) !== 0) {
      for (let p = start >> shift, last = (end - 1) >> shift; p <= last; p++) {
        if (!testBit(chunk.populated, p)) fail(chunk, `area at ${start} is in use on unpopulated page ${p}`);
      }
      continue;
    }
    if (i < chunk.firstFree) fail(chunk, `free area at index ${i} lies below first_free ${chunk.firstFree}`);
    if (i > 0 && (map[i - 1]! & 1) === 0) fail(chunk, `free areas ${i - 1} and ${i} are adjacent, not merged`);
    free += end - start;
    if (end - start > largest) largest = end - start;
    for (let p = (start + pageMask) >> shift, last = end >> shift; p < last; p++) {
      if (testBit(chunk.populated, p)) emptyPages++;
    }
  }
  if (free !== chunk.freeSize) fail(chunk, `free_size ${chunk.freeSize} differs from the map's free bytes ${free}`);
  if (chunk.contigHint < largest) fail(chunk, `contig_hint ${chunk.contigHint} is below the largest free area ${largest}`);

  // percpu-km counts its whole block (all units) as populated; the bitmap only has one unit
  if (!s.backend.populatedOnCreate) {
    let weight = 0;
    for (let w = 0; w < chunk.populated.length; w++) weight += popcount32(chunk.populated[w]!);
    if (weight !== chunk.nrPopulated) fail(chunk, `nr_populated ${chunk.nrPopulated} differs from the populated bitmap's ${weight}`);
  }
  chunk.checkedEmptyPages = emptyPages;
  chunk.dirty = false;
}
