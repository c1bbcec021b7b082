/**
 * Boot-time setup of v4.14 (pcpu_setup_first_chunk and pcpu_alloc_first_chunk): the reserved
 * chunk and the first chunk both serve a region of the embedded first unit, each with a
 * page-aligned base_addr and hidden bits covering what lies outside its region.
 */
import { registerChunk } from '../bitmap/populate.ts';
import type { AllocInfo, AllocatorConfig } from '../allocator.ts';
import { PercpuConfigError } from '../allocator.ts';
import { bitmapFill, bitmapSet, setBit } from '../bitops.ts';
import type { ChunkBackendKind } from '../chunk-backend.ts';
import { createChunkBackend, unitGeometry } from '../chunk-backend.ts';
import type { Platform } from '../platform.ts';
import { blockUpdateHintAlloc } from './block-hints.ts';
import type { BitmapChunk } from './chunk.ts';
import { MD_CONTIG, allocChunkV414, setFirstBit } from './chunk.ts';
import { cntPopPages } from './chunk-hints.ts';
import { PCPU_MIN_ALLOC_SIZE, V414_DYNAMIC_EARLY_SIZE, pcpuMinUnitSize } from './constants.ts';
import { chunkRelocate } from './slots.ts';
import { PcpuV414 } from './state.ts';

/**
 * mirrors pcpu_alloc_first_chunk (v4.14): a chunk serving [tmpAddr, tmpAddr + mapSize), its
 * base_addr rounded down to a page and its end rounded up to a page (the lcm of page and block
 * size, which are equal), everything outside the region marked allocated
 */
export function allocFirstChunk(p: PcpuV414, id: number, tmpAddr: number, mapSize: number): BitmapChunk {
  const pageSize = p.pageSize;
  const alignedAddr = tmpAddr - (tmpAddr % pageSize);
  const startOffset = tmpAddr - alignedAddr;
  const regionSize = Math.ceil((startOffset + mapSize) / pageSize) * pageSize;

  const c = allocChunkV414(p.platform, id, regionSize / pageSize, pageSize, p.blockBits);
  c.baseAddr = alignedAddr;
  c.startOffset = startOffset;
  c.endOffset = regionSize - startOffset - mapSize;

  c.immutable = true;
  bitmapFill(c.populated, c.nrPages);
  c.nrPopulated = c.nrPages;
  c.nrEmptyPopPages = cntPopPages(p, c, startOffset / PCPU_MIN_ALLOC_SIZE, mapSize / PCPU_MIN_ALLOC_SIZE);

  c.md[c.chunkMd + MD_CONTIG] = mapSize / PCPU_MIN_ALLOC_SIZE;
  c.freeBytes = mapSize;

  if (c.startOffset) {
    const offsetBits = c.startOffset / PCPU_MIN_ALLOC_SIZE;
    bitmapSet(c.allocMap, 0, offsetBits);
    setBit(c.boundMap, 0);
    setBit(c.boundMap, offsetBits);
    setFirstBit(c, offsetBits);
    blockUpdateHintAlloc(p, c, 0, offsetBits);
  }
  if (c.endOffset) {
    const offsetBits = c.endOffset / PCPU_MIN_ALLOC_SIZE;
    bitmapSet(c.allocMap, c.mapBits - offsetBits, offsetBits);
    setBit(c.boundMap, (startOffset + mapSize) / PCPU_MIN_ALLOC_SIZE);
    setBit(c.boundMap, c.mapBits);
    blockUpdateHintAlloc(p, c, c.mapBits - offsetBits, offsetBits);
  }
  return c;
}

/** the sanity checks of pcpu_setup_first_chunk (the kernel BUG()s; we refuse the configuration) */
function checkAllocInfo(p: PcpuV414, ai: AllocInfo, baseAddr: number): void {
  const sizeSum = ai.static_size + ai.reserved_size + ai.dyn_size;
  const bug = (cond: boolean, what: string): void => {
    if (cond) throw new PercpuConfigError(`percpu: failed to initialize, ${what}`);
  };
  bug(ai.nr_groups <= 0, 'ai->nr_groups <= 0');
  bug(!ai.static_size, '!ai->static_size');
  bug(baseAddr % p.pageSize !== 0, 'offset_in_page(base_addr)');
  bug(ai.unit_size < sizeSum, 'ai->unit_size < size_sum');
  bug(ai.unit_size % p.pageSize !== 0, 'offset_in_page(ai->unit_size)');
  bug(ai.unit_size < pcpuMinUnitSize(p.pageSize), 'ai->unit_size < PCPU_MIN_UNIT_SIZE');
  bug(ai.dyn_size < V414_DYNAMIC_EARLY_SIZE, 'ai->dyn_size < PERCPU_DYNAMIC_EARLY_SIZE');
  bug(ai.reserved_size % PCPU_MIN_ALLOC_SIZE !== 0, '!IS_ALIGNED(ai->reserved_size, PCPU_MIN_ALLOC_SIZE)');
  bug(p.backend.kind === 'km' && ai.nr_groups !== 1, "pcpu_verify_alloc_info(ai) < 0 (can't handle more than one group)");
}

/**
 * mirrors the chunk part of pcpu_setup_first_chunk (v4.14): the static area is rounded up to
 * the minimum allocation size and the dynamic area shrinks by as much; with a reserved area the
 * reserved chunk comes first, then the first (dynamic) chunk, which alone counts empty pages
 * globally and goes on a slot list
 */
export function setupFirstChunk(p: PcpuV414, ai: AllocInfo, baseAddr: number): void {
  checkAllocInfo(p, ai, baseAddr);
  const staticSize = Math.ceil(ai.static_size / PCPU_MIN_ALLOC_SIZE) * PCPU_MIN_ALLOC_SIZE;
  const dynSize = ai.dyn_size - (staticSize - ai.static_size);

  let chunk: BitmapChunk;
  if (ai.reserved_size) {
    p.reserved = allocFirstChunk(p, -1, baseAddr + staticSize, ai.reserved_size);
    registerChunk(p, p.reserved);
    chunk = allocFirstChunk(p, 0, baseAddr + staticSize + ai.reserved_size, dynSize);
  } else {
    chunk = allocFirstChunk(p, 0, baseAddr + staticSize, dynSize);
  }

  p.first = chunk;
  registerChunk(p, chunk);
  p.nrChunks = 1;
  p.nrEmptyPopPages = chunk.nrEmptyPopPages;
  chunkRelocate(p, chunk, -1);
}

/**
 * The allocator state right after boot: unit geometry and slots from the allocation info, the
 * chunk backend, and the reserved and first chunks in place. The boot-time unit lives outside
 * the backend (memblock memory): any distinct page-aligned synthetic address will do, taken
 * the way the modern port takes it.
 */
export function createPcpuV414(config: AllocatorConfig, platform: Platform, ai: AllocInfo, backend: ChunkBackendKind): PcpuV414 {
  const geo = unitGeometry(ai, config.topology);
  const p = new PcpuV414(platform, geo, createChunkBackend(backend, geo, platform), config.knobs);
  const base = platform.embedFirstChunk(geo.groupOffsets, geo.groupSizes, Math.max(geo.atomSize, geo.pageSize));
  setupFirstChunk(p, ai, base);
  return p;
}
