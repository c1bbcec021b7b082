/**
 * Chunk life and backing pages: creating and destroying chunks through the backend, and the
 * bookkeeping after pages are populated or depopulated (pcpu_chunk_populated /
 * pcpu_chunk_depopulated), which is where the empty-page counts move.
 */
import * as bitops from '../bitops.ts';
import { BitmapChunk, MD_BYTES } from './chunk.ts';
import { allocChunkMeta, freeChunkMeta, type ChunkMetaSizes } from './chunk-meta.ts';
import { updateEmptyPages } from './slots.ts';
import type { PcpuCore, PcpuState } from './state.ts';
import { entryOf } from './state.ts';

// an imported binding is checked on every read (an accessor call under vitest): hot paths use module-level copies
const { bitmapClear, bitmapSet, findNextBit, findNextZeroBit } = bitops;

/** v6.12's metadata sizes: a 128-byte struct up to populated[] (64-bit, stats off), 32-byte hint blocks */
export const META_SIZES: ChunkMetaSizes = { structBytes: 128, blockMdBytes: MD_BYTES, freesBlockMd: true };

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
export function registerChunk(state: PcpuCore, chunk: BitmapChunk): void {
  const entry = entryOf(chunk);
  while (state.chunks.length <= entry) state.chunks.push(null);
  state.chunks[entry] = chunk;
  state.lists.ensure(entry);
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
  allocChunkMeta(state.platform, chunk, META_SIZES, state.memcg !== null);
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
  freeChunkMeta(state.platform, chunk, META_SIZES);
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

/**
 * The populate loop of pcpu_alloc (every bitmap version): back each unpopulated page run under
 * [off, off + size) and book it with the version's `populated` (v6.12 counts the new pages as
 * empty until the hints say otherwise; v4.14 does not, `for_alloc`). Returns false when a run
 * could not be populated (earlier runs stay populated).
 */
export function populateArea<S extends PcpuCore>(
  s: S,
  chunk: BitmapChunk,
  off: number,
  size: number,
  populated: (s: S, chunk: BitmapChunk, pageStart: number, pageEnd: number) => void,
): boolean {
  const work = s.work;
  const ps = s.pageSize;
  const pageEnd = ((off + size + ps - 1) / ps) | 0;
  let rs = (off / ps) | 0;
  for (;;) {
    rs = findNextZeroBit(work, chunk.populated, pageEnd, rs);
    if (rs >= pageEnd) return true;
    const re = findNextBit(work, chunk.populated, pageEnd, rs + 1);
    if (!s.backend.populate(chunk.baseAddr, rs, re)) return false;
    populated(s, chunk, rs, re);
    rs = re + 1;
  }
}

/**
 * The depopulate loop of pcpu_balance_free (every bitmap version): give back each populated
 * page run of the chunk and book it with the version's `depopulated`.
 */
export function depopulateAll<S extends PcpuCore>(
  s: S,
  chunk: BitmapChunk,
  depopulated: (s: S, chunk: BitmapChunk, pageStart: number, pageEnd: number) => void,
): void {
  const work = s.work;
  const nr = chunk.nrPages;
  for (let rs = 0; ; ) {
    rs = findNextBit(work, chunk.populated, nr, rs);
    if (rs >= nr) return;
    const re = findNextZeroBit(work, chunk.populated, nr, rs + 1);
    s.backend.depopulate(chunk.baseAddr, rs, re);
    depopulated(s, chunk, rs, re);
    rs = re + 1;
  }
}
