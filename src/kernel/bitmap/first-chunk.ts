/**
 * The first chunk: the static area, the optional reserved chunk and the dynamic first chunk,
 * all inside the boot-time unit (pcpu_setup_first_chunk / pcpu_alloc_first_chunk). Each region
 * gets a page-aligned base_addr, with the bytes before and after it hidden as allocated bits.
 */
import type { AllocInfo, AllocatorConfig } from '../allocator.ts';
import { bitmapFill, bitmapSet, setBit } from '../bitops.ts';
import { createChunkBackend, unitGeometry, type ChunkBackendKind } from '../chunk-backend.ts';
import { pcpuMinUnitSize } from '../constants.ts';
import type { Platform } from '../platform.ts';
import { BitmapChunk, MD_FIRST_FREE } from './chunk.ts';
import { allocChunkMeta } from './chunk-meta.ts';
import { blockUpdateHintAlloc } from './hints.ts';
import { META_SIZES, registerChunk } from './populate.ts';
import { chunkRelocate, rawSizeToSlot } from './slots.ts';
import type { PcpuState, SlotLayout } from './state.ts';
import { PCPU_MIN_ALLOC_SIZE, PCPU_WARN_LIMIT, modernSlotLayout, newLists } from './state.ts';

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

  allocChunkMeta(state.platform, chunk, META_SIZES);
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
  state.bootPages = Math.floor(sizeSum / state.pageSize);
  state.nrPopulated += state.bootPages;
}

/**
 * The allocator state right after boot: geometry and slot numbers from the allocation info
 * (pcpu_setup_first_chunk; the lists after the size slots as the version has them), the chunk
 * backend, and the reserved and first chunks in place.
 */
export function createPcpuState(
  config: AllocatorConfig,
  platform: Platform,
  ai: AllocInfo,
  backendKind: ChunkBackendKind,
  slotLayout: (sizeSlots: number) => SlotLayout = modernSlotLayout,
): PcpuState {
  const topo = config.topology;
  const geo = unitGeometry(ai, topo);
  const backend = createChunkBackend(backendKind, geo, platform);
  const { nrSlots, sidelinedSlot, freeSlot, toDepopulateSlot } = slotLayout(rawSizeToSlot(geo.unitSize));
  const state: PcpuState = {
    platform,
    work: platform.work,
    backend,
    geo,
    knobs: config.knobs,
    tracer: null,
    accountedCall: false,
    pageSize: topo.pageSize,
    blockBits: topo.pageSize / PCPU_MIN_ALLOC_SIZE,
    unitPages: geo.unitPages,
    unitSize: geo.unitSize,
    minUnitSize: pcpuMinUnitSize(topo.pageSize),
    nrSlots,
    sidelinedSlot,
    freeSlot,
    toDepopulateSlot,
    lists: newLists(nrSlots),
    chunks: [],
    nextChunkId: 1,
    firstChunk: null,
    reservedChunk: null,
    nrEmptyPopPages: 0,
    nrPopulated: 0,
    bootPages: 0,
    atomicAllocFailed: false,
    balancePending: false,
    warnLimit: PCPU_WARN_LIMIT,
    chunkLifeRecorded: false,
    memcg: config.memcg ?? null,
    nrPossibleCpus: topo.nrCpus,
    regionOff: 0,
    regionBits: 0,
    largestOff: 0,
    largestBits: 0,
  };
  // the boot-time unit lives outside the chunk backend; any distinct page-aligned address will do
  const base = platform.embedFirstChunk(geo.groupOffsets, geo.groupSizes, Math.max(geo.atomSize, topo.pageSize));
  setupFirstChunk(state, ai, base);
  return state;
}
