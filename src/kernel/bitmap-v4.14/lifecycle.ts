/** Making and unmaking chunks after boot (v4.14 pcpu_create_chunk / pcpu_destroy_chunk). */
import { registerChunk } from '../bitmap/populate.ts';
import { entryOf } from '../bitmap/state.ts';
import type { BitmapChunk } from './chunk.ts';
import { allocChunkV414, freeChunkV414 } from './chunk.ts';
import { chunkPopulated } from './populate.ts';
import type { PcpuV414 } from './state.ts';

/**
 * mirrors pcpu_create_chunk: metadata (pcpu_alloc_chunk), then the backend's address space;
 * the chunk is on no list yet. A percpu-km chunk is born populated: v4.14 records the whole
 * first group's pages (pcpu_group_sizes[0]), one unit's worth on a one-unit machine.
 */
export function createChunk(p: PcpuV414): BitmapChunk | null {
  const id = p.nextChunkId;
  const c = allocChunkV414(p.platform, id, p.unitPages, p.pageSize, p.blockBits);
  const base = p.backend.createChunk();
  if (base < 0) {
    freeChunkV414(p.platform, c);
    return null;
  }
  p.nextChunkId++;
  c.baseAddr = base;
  registerChunk(p, c);
  p.nrChunks++;
  if (p.backend.populatedOnCreate) chunkPopulated(p, c, 0, p.geo.groupSizes[0]! / p.pageSize, false);
  p.tracer?.createChunk(id, base);
  return c;
}

/** mirrors pcpu_destroy_chunk (the chunk is already fully depopulated and off every list) */
export function destroyChunk(p: PcpuV414, c: BitmapChunk): void {
  p.nrChunks--;
  p.tracer?.destroyChunk(c.id, c.baseAddr);
  p.backend.destroyChunk(c.baseAddr);
  freeChunkV414(p.platform, c);
  p.chunks[entryOf(c)] = null;
}
