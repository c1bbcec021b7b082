/**
 * The first chunk: the static area, the optional reserved chunk and the dynamic first chunk,
 * all inside the boot-time unit (pcpu_setup_first_chunk / pcpu_alloc_first_chunk). Each region
 * gets a page-aligned base_addr, with the bytes before and after it hidden as allocated bits.
 */
import type { AllocInfo } from '../allocator.ts';
import { bitmapFill, bitmapSet, setBit } from '../bitops.ts';
import { BitmapChunk, MD_BYTES, MD_FIRST_FREE } from './chunk.ts';
import { blockUpdateHintAlloc } from './hints.ts';
import { registerChunk } from './populate.ts';
import { chunkRelocate } from './slots.ts';
import type { PcpuState } from './state.ts';
import { PCPU_MIN_ALLOC_SIZE } from './state.ts';

/** mirrors pcpu_alloc_first_chunk: a chunk serving [tmpAddr, tmpAddr + mapSize) */
export function allocFirstChunk(state: PcpuState, id: number, tmpAddr: number, mapSize: number): BitmapChunk {
  const ps = state.pageSize;
  const alignedAddr = Math.floor(tmpAddr / ps) * ps;
  const startOffset = tmpAddr - alignedAddr;
  const regionSize = Math.ceil((startOffset + mapSize) / ps) * ps;

  const chunk = new BitmapChunk(id, regionSize / ps, state.blockBits);
  chunk.baseAddr = alignedAddr;
  chunk.startOffset = startOffset;
  chunk.endOffset = regionSize - startOffset - mapSize;
  const regionBits = chunk.mapBits;

  const p = state.platform;
  chunk.metaAddr = p.metaAlloc(128 + Math.ceil(chunk.nrPages / 64) * 8);
  chunk.allocMapAddr = p.metaAlloc(Math.ceil(regionBits / 64) * 8);
  chunk.boundMapAddr = p.metaAlloc(Math.ceil((regionBits + 1) / 64) * 8);
  chunk.mdAddr = p.metaAlloc(chunk.nrBlocks * MD_BYTES);
  registerChunk(state, chunk);

  chunk.immutable = true;
  bitmapFill(chunk.populated, chunk.nrPages);
  chunk.nrPopulated = chunk.nrPages;
  chunk.nrEmptyPopPages = chunk.nrPages;
  chunk.freeBytes = mapSize;

  if (chunk.startOffset) {
    // hide the bytes before the region
    const offsetBits = chunk.startOffset / PCPU_MIN_ALLOC_SIZE;
    bitmapSet(chunk.allocMap, 0, offsetBits);
    setBit(chunk.boundMap, 0);
    setBit(chunk.boundMap, offsetBits);
    chunk.md[chunk.chunkMd + MD_FIRST_FREE] = offsetBits;
    blockUpdateHintAlloc(state, chunk, 0, offsetBits);
  }
  if (chunk.endOffset) {
    // hide the bytes after the region
    const offsetBits = chunk.endOffset / PCPU_MIN_ALLOC_SIZE;
    bitmapSet(chunk.allocMap, regionBits - offsetBits, offsetBits);
    setBit(chunk.boundMap, (startOffset + mapSize) / PCPU_MIN_ALLOC_SIZE);
    setBit(chunk.boundMap, regionBits);
    blockUpdateHintAlloc(state, chunk, regionBits - offsetBits, offsetBits);
  }
  return chunk;
}

/**
 * mirrors the chunk part of pcpu_setup_first_chunk, with the first chunk's unit 0 at `baseAddr`
 * (page aligned): builds the reserved and first chunks, seeds the global counters and puts the
 * first chunk on its slot
 */
export function setupFirstChunk(state: PcpuState, ai: AllocInfo, baseAddr: number): void {
  const sizeSum = ai.static_size + ai.reserved_size + ai.dyn_size;
  const staticSize = Math.ceil(ai.static_size / PCPU_MIN_ALLOC_SIZE) * PCPU_MIN_ALLOC_SIZE;
  const dynSize = ai.dyn_size - (staticSize - ai.static_size);

  if (ai.reserved_size) {
    state.reservedChunk = allocFirstChunk(state, -1, baseAddr + staticSize, ai.reserved_size);
  }
  state.firstChunk = allocFirstChunk(state, 0, baseAddr + staticSize + ai.reserved_size, dynSize);

  state.nrEmptyPopPages = state.firstChunk.nrEmptyPopPages;
  chunkRelocate(state, state.firstChunk, -1);
  state.nrPopulated += Math.floor(sizeSum / state.pageSize);
}
