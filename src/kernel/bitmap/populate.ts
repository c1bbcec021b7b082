/**
 * Chunk life and backing pages: creating and destroying chunks through the backend, and the
 * bookkeeping after pages are populated or depopulated (pcpu_chunk_populated /
 * pcpu_chunk_depopulated), which is where the empty-page counts move.
 */
import { bitmapClear, bitmapSet } from '../bitops.ts';
import { BitmapChunk, MD_BYTES } from './chunk.ts';
import { updateEmptyPages } from './slots.ts';
import type { PcpuState } from './state.ts';
import { entryOf } from './state.ts';

/** metadata bytes of a chunk struct without its populated bitmap (64-bit, stats off) */
const CHUNK_STRUCT_BYTES = 128;

/** mirrors pcpu_chunk_populated */
export function chunkPopulated(state: PcpuState, chunk: BitmapChunk, pageStart: number, pageEnd: number): void {
  const nr = pageEnd - pageStart;
  bitmapSet(chunk.populated, pageStart, nr);
  chunk.nrPopulated += nr;
  state.nrPopulated += nr;
  updateEmptyPages(state, chunk, nr);
  chunk.popDirty = true;
}

/** mirrors pcpu_chunk_depopulated */
export function chunkDepopulated(state: PcpuState, chunk: BitmapChunk, pageStart: number, pageEnd: number): void {
  const nr = pageEnd - pageStart;
  bitmapClear(chunk.populated, pageStart, nr);
  chunk.nrPopulated -= nr;
  state.nrPopulated -= nr;
  updateEmptyPages(state, chunk, -nr);
  chunk.popDirty = true;
}

/** registers a chunk under its id (and in the list storage, on no list yet) */
export function registerChunk(state: PcpuState, chunk: BitmapChunk): void {
  const entry = entryOf(chunk);
  while (state.chunks.length <= entry) state.chunks.push(null);
  state.chunks[entry] = chunk;
  state.lists.ensure(entry);
}

/** metadata buffers of a chunk, as pcpu_alloc_chunk sizes them (BITS_TO_LONGS in 8-byte longs) */
function allocChunkMeta(state: PcpuState, chunk: BitmapChunk): void {
  const p = state.platform;
  const longs = (bits: number): number => Math.ceil(bits / 64) * 8;
  chunk.metaAddr = p.metaAlloc(CHUNK_STRUCT_BYTES + longs(chunk.nrPages));
  chunk.allocMapAddr = p.metaAlloc(longs(chunk.mapBits));
  chunk.boundMapAddr = p.metaAlloc(longs(chunk.mapBits + 1));
  chunk.mdAddr = p.metaAlloc(chunk.nrBlocks * MD_BYTES);
}

function freeChunkMeta(state: PcpuState, chunk: BitmapChunk): void {
  const p = state.platform;
  const longs = (bits: number): number => Math.ceil(bits / 64) * 8;
  p.metaFree(chunk.mdAddr, chunk.nrBlocks * MD_BYTES);
  p.metaFree(chunk.boundMapAddr, longs(chunk.mapBits + 1));
  p.metaFree(chunk.allocMapAddr, longs(chunk.mapBits));
  p.metaFree(chunk.metaAddr, CHUNK_STRUCT_BYTES + longs(chunk.nrPages));
}

/**
 * mirrors pcpu_create_chunk (pcpu_alloc_chunk + the backend's area): a new, fully free chunk on
 * no list, or null when the backend has no room. The id is consumed only on success.
 */
export function createChunk(state: PcpuState): BitmapChunk | null {
  const base = state.backend.createChunk();
  if (base < 0) return null;
  const chunk = new BitmapChunk(state.nextChunkId++, state.unitPages, state.blockBits);
  chunk.baseAddr = base;
  chunk.freeBytes = state.unitPages * state.pageSize;
  allocChunkMeta(state, chunk);
  registerChunk(state, chunk);
  if (state.backend.populatedOnCreate) chunkPopulated(state, chunk, 0, chunk.nrPages);
  state.tracer?.createChunk(chunk.id, chunk.baseAddr);
  return chunk;
}

/** mirrors pcpu_destroy_chunk: the chunk is already off every list and fully depopulated */
export function destroyChunk(state: PcpuState, chunk: BitmapChunk): void {
  state.tracer?.destroyChunk(chunk.id, chunk.baseAddr);
  state.lists.del(entryOf(chunk));
  state.backend.destroyChunk(chunk.baseAddr);
  freeChunkMeta(state, chunk);
  state.chunks[entryOf(chunk)] = null;
}

/** mirrors pcpu_populate_chunk: back [pageStart, pageEnd) in every unit; false on failure */
export function populateChunk(state: PcpuState, chunk: BitmapChunk, pageStart: number, pageEnd: number): boolean {
  return state.backend.populate(chunk.baseAddr, pageStart, pageEnd);
}

/** mirrors pcpu_depopulate_chunk (no TLB flush: the caller decides) */
export function depopulateChunk(state: PcpuState, chunk: BitmapChunk, pageStart: number, pageEnd: number): void {
  state.backend.depopulate(chunk.baseAddr, pageStart, pageEnd);
}
