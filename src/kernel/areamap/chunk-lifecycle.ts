/** Creating and destroying dynamic chunks (v4.13). */
import { bitmapWords } from '../bitops.ts';
import { AreamapChunk } from './chunk.ts';
import { PCPU_CHUNK_STRUCT_BYTES, PCPU_DFL_MAP_ALLOC } from './constants.ts';
import { chunkPopulated } from './populated.ts';
import type { AreamapState } from './state.ts';

/** the chunk struct plus its populated bitmap (BITS_TO_LONGS longs), pcpu_chunk_struct_size */
export function chunkStructBytes(unitPages: number): number {
  return PCPU_CHUNK_STRUCT_BYTES + Math.ceil(bitmapWords(unitPages) / 2) * 8;
}

/**
 * mirrors pcpu_alloc_chunk + pcpu_create_chunk: a fully free chunk with a 16-entry map
 * `[0, unit_size | 1]`, backed by new vm areas (percpu-vm) or a block of pages (percpu-km,
 * whose chunks are born populated). Returns null when the backend has no room. The caller
 * links it in with chunkRelocate(chunk, -1).
 */
export function createChunk(s: AreamapState): AreamapChunk | null {
  const platform = s.platform;
  const id = s.nextChunkId;
  const chunk = new AreamapChunk(id, s.unitPages, PCPU_DFL_MAP_ALLOC);
  chunk.structBytes = chunkStructBytes(s.unitPages);
  chunk.structAddr = platform.metaAlloc(chunk.structBytes);
  chunk.mapAddr = platform.metaAlloc(PCPU_DFL_MAP_ALLOC * 4);
  chunk.map[0] = 0;
  chunk.map[1] = s.unitSize | 1;
  chunk.mapUsed = 1;
  chunk.regionEnd = s.unitSize;
  chunk.freeSize = s.unitSize;
  chunk.contigHint = s.unitSize;

  const base = s.backend.createChunk();
  if (base < 0) {
    platform.metaFree(chunk.mapAddr, chunk.mapAlloc * 4);
    platform.metaFree(chunk.structAddr, chunk.structBytes);
    return null;
  }
  chunk.baseAddr = base;
  s.nextChunkId++;
  s.chunks[id] = chunk;
  s.lists.ensure(id);
  if (s.backend.populatedOnCreate) {
    // percpu-km marks the whole contiguous block populated: group_sizes[0] in pages
    chunkPopulated(s, chunk, 0, s.geo.groupSizes[0]! / s.pageSize);
  }
  s.tracer?.createChunk(id, base);
  return chunk;
}

/**
 * mirrors pcpu_destroy_chunk: always after full depopulation. The chunk has already left its
 * slot list and the map-extension queue.
 */
export function destroyChunk(s: AreamapState, chunk: AreamapChunk): void {
  s.tracer?.destroyChunk(chunk.id, chunk.baseAddr);
  s.backend.destroyChunk(chunk.baseAddr);
  s.platform.metaFree(chunk.mapAddr, chunk.mapAlloc * 4);
  s.platform.metaFree(chunk.structAddr, chunk.structBytes);
  s.chunks[chunk.id] = null;
}
