/** The first chunk and the reserved chunk, as v4.13 pcpu_setup_first_chunk builds them. */
import type { AllocInfo } from '../allocator.ts';
import { bitmapFill } from '../bitops.ts';
import type { UnitGeometry } from '../chunk-backend.ts';
import type { Platform } from '../platform.ts';
import { AreamapChunk } from './chunk.ts';
import { chunkStructBytes } from './chunk-lifecycle.ts';
import { PERCPU_DYNAMIC_EARLY_SLOTS } from './constants.ts';
import { countOccupiedPages } from './occupied-pages.ts';
import { chunkRelocate } from './slots.ts';
import type { AreamapState } from './state.ts';

export interface FirstChunks {
  first: AreamapChunk;
  reserved: AreamapChunk | null;
}

/**
 * mirrors the chunk half of pcpu_setup_first_chunk (and percpu_init_late's move of the maps
 * to the heap, keeping their PERCPU_DYNAMIC_EARLY_SLOTS length). Offsets count from the start
 * of the unit: the static area is one in-use entry at 0, so the maps are
 *   reserved chunk: [1, static, (static + reserved) | 1]
 *   first chunk:    [1, static + reserved, (static + reserved + dyn) | 1]
 * and without a reserved area the static chunk serves the dynamic area itself.
 * Every page of both is populated and never depopulated.
 */
export function buildFirstChunks(geo: UnitGeometry, ai: AllocInfo, platform: Platform): FirstChunks {
  // The embedded first chunk lives outside vmalloc space in the kernel; any stable, distinct
  // address range of the first chunk's shape serves the platform's address-based models.
  const baseAddr = platform.embedFirstChunk(geo.groupOffsets, geo.groupSizes, geo.atomSize);
  const staticSize = ai.static_size;
  let dynSize = ai.dyn_size;

  const schunk = newImmutableChunk(ai.reserved_size !== 0 ? -1 : 0, geo, baseAddr, platform);
  let reservedLimit = 0;
  if (ai.reserved_size !== 0) {
    schunk.freeSize = ai.reserved_size;
    reservedLimit = staticSize + ai.reserved_size;
  } else {
    schunk.freeSize = dynSize;
    dynSize = 0;
  }
  schunk.contigHint = schunk.freeSize;
  schunk.map[0] = 1;
  schunk.map[1] = staticSize;
  schunk.mapUsed = 1;
  if (schunk.freeSize !== 0) schunk.map[++schunk.mapUsed] = staticSize + schunk.freeSize;
  schunk.map[schunk.mapUsed] = schunk.map[schunk.mapUsed]! | 1;
  schunk.regionEnd = schunk.map[schunk.mapUsed]! & ~1;

  if (dynSize === 0) return { first: schunk, reserved: null };

  const dchunk = newImmutableChunk(0, geo, baseAddr, platform);
  dchunk.contigHint = dchunk.freeSize = dynSize;
  dchunk.map[0] = 1;
  dchunk.map[1] = reservedLimit;
  dchunk.map[2] = (reservedLimit + dynSize) | 1;
  dchunk.mapUsed = 2;
  dchunk.regionEnd = reservedLimit + dynSize;
  return { first: dchunk, reserved: schunk };
}

function newImmutableChunk(id: number, geo: UnitGeometry, baseAddr: number, platform: Platform): AreamapChunk {
  const chunk = new AreamapChunk(id, geo.unitPages, PERCPU_DYNAMIC_EARLY_SLOTS);
  chunk.baseAddr = baseAddr;
  chunk.structBytes = chunkStructBytes(geo.unitPages);
  chunk.structAddr = platform.metaAlloc(chunk.structBytes);
  chunk.mapAddr = platform.metaAlloc(PERCPU_DYNAMIC_EARLY_SLOTS * 4);
  chunk.immutable = true;
  bitmapFill(chunk.populated, geo.unitPages);
  chunk.nrPopulated = geo.unitPages;
  return chunk;
}

/** the end of pcpu_setup_first_chunk: count the first chunk's empty pages and slot it */
export function linkFirstChunk(s: AreamapState): void {
  s.nrEmptyPopPages += countOccupiedPages(s, s.firstChunk, 1);
  chunkRelocate(s, s.firstChunk, -1);
}
