/** Giving an area back to a chunk's area map. */
import { InvariantError } from '../allocator.ts';
import type { AreamapChunk } from './chunk.ts';
import { countOccupiedPages } from './occupied-pages.ts';
import { chunkRelocate, chunkSlot } from './slots.ts';
import type { AreamapState } from './state.ts';

/**
 * mirrors pcpu_free_area: binary-search the map for the in-use entry at `freeme`, mark it
 * free, then merge it with a free next and/or previous area, moving the rest of the map down
 * (the memmove that makes in-order frees quadratic). `s.occPages` gets the pages the area
 * gives back to the empty count, computed before the merge. The contig hint only grows.
 */
export function freeArea(s: AreamapState, chunk: AreamapChunk, freeme: number): void {
  const oslot = chunkSlot(s, chunk);
  const map = chunk.map;
  const work = s.work;
  const key = freeme | 1;

  let lo = 0;
  let hi = chunk.mapUsed;
  let off = 0;
  let probes = 0;
  while (lo !== hi) {
    const k = (lo + hi) >>> 1;
    off = map[k]!;
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
  map[i] = off;
  chunk.freeSize += (map[i + 1]! & ~1) - off;

  s.occPages = countOccupiedPages(s, chunk, i);

  let toFree = 0;
  if ((map[i + 1]! & 1) === 0) toFree++;
  if (i > 0 && (map[i - 1]! & 1) === 0) {
    toFree++;
    i--;
  }
  if (toFree !== 0) {
    chunk.mapUsed -= toFree;
    // entries after the merged area, the sentinel included, move down by toFree
    const moved = chunk.mapUsed - i;
    map.copyWithin(i + 1, i + 1 + toFree, i + 1 + toFree + moved);
    work.bytesMoved += moved * 4;
    s.platform.touchWrite(chunk.mapAddr + (i + 1) * 4, moved * 4);
  } else {
    s.platform.touchWrite(chunk.mapAddr + i * 4, 4);
  }

  chunk.mapChanged(i, i + 1);
  const merged = map[i + 1]! - map[i]! - 1;
  if (merged > chunk.contigHint) chunk.contigHint = merged;
  chunkRelocate(s, chunk, oslot);
}
