/**
 * The free path of the modern allocator: pcpu_free_area (the bound map gives the size) and
 * free_percpu's decision to wake the balance work.
 */
import { unmarkArea } from './area-bits.ts';
import type { BitmapChunk } from './chunk.ts';
import * as layout from './chunk.ts';
import { blockUpdateHintFree } from './hints.ts';
import { chunkRelocate, chunkSlot, isolateChunk } from './slots.ts';
import type { PcpuCore, PcpuState } from './state.ts';
import * as statics from './state.ts';
import { entryOf } from './state.ts';
import { chunkAddrSearch } from '../chunk-addr-search.ts';
import { memcgFreeHook } from '../memcg.ts';

// an imported binding is checked on every read (an accessor call under vitest): hot paths use module-level copies
const { MD_FIRST_FREE } = layout;
const { PCPU_MIN_ALLOC_SHIFT, PCPU_MIN_ALLOC_SIZE } = statics;

/** mirrors pcpu_free_area: returns the bytes freed */
export function freeArea(state: PcpuState, chunk: BitmapChunk, off: number): number {
  const md = chunk.md;
  const oslot = chunkSlot(state, chunk);
  const bitOff = off >>> PCPU_MIN_ALLOC_SHIFT;

  const end = unmarkArea(state.work, chunk, bitOff);
  const bits = end - bitOff;
  const p = state.platform;
  p.touchRead(chunk.boundMapAddr + (bitOff >>> 5) * 4, ((end >>> 5) - (bitOff >>> 5) + 1) * 4);
  p.touchWrite(chunk.allocMapAddr + (bitOff >>> 5) * 4, ((end >>> 5) - (bitOff >>> 5) + 1) * 4);

  const freed = bits * PCPU_MIN_ALLOC_SIZE;
  chunk.freeBytes += freed;
  const c = chunk.chunkMd;
  if (bitOff < md[c + MD_FIRST_FREE]!) md[c + MD_FIRST_FREE] = bitOff;

  blockUpdateHintFree(state, chunk, bitOff, bits);
  p.touchWrite(chunk.mdAddr + ((bitOff / state.blockBits) | 0) * 32, 32);
  chunkRelocate(state, chunk, oslot);
  chunk.markDirty((bitOff / state.blockBits) | 0, ((end - 1) / state.blockBits) | 0);
  return freed;
}

/**
 * mirrors pcpu_should_reclaim_chunk (percpu-vm.c; percpu-km never reclaims): an isolated chunk
 * with empty pages, or one holding a quarter of its pages empty while the rest of the system
 * has more than the high watermark
 */
export function shouldReclaimChunk(state: PcpuState, chunk: BitmapChunk): boolean {
  if (!state.backend.reclaims) return false;
  if (chunk === state.firstChunk || chunk === state.reservedChunk) return false;
  return (
    (chunk.isolated && chunk.nrEmptyPopPages > 0) ||
    (state.nrEmptyPopPages > state.knobs.emptyPopPagesHigh + chunk.nrEmptyPopPages &&
      chunk.nrEmptyPopPages >= Math.floor(chunk.nrPages / 4))
  );
}

/**
 * free_percpu's test (every bitmap version) after it emptied `chunk`: is some other chunk fully
 * free too (a second one is one too many, so the balance work should run)
 */
export function anotherFreeChunk(state: PcpuCore, chunk: BitmapChunk): boolean {
  const lists = state.lists;
  const self = entryOf(chunk);
  for (let e = lists.first(state.freeSlot); e !== -1; e = lists.next(e)) {
    if (e !== self) return true;
  }
  return false;
}

/** mirrors free_percpu for the allocation at byte `off` of `chunk` */
export function freePercpu(state: PcpuState, chunk: BitmapChunk, off: number): void {
  chunkAddrSearch(state.platform, chunk === state.firstChunk || chunk === state.reservedChunk, chunk.baseAddr + off);
  const size = freeArea(state, chunk, off);
  if (state.memcg !== null) memcgFreeHook(state.memcg, chunk.objExts, off, size, state.nrPossibleCpus);

  let needBalance = false;
  if (!chunk.isolated && chunk.freeBytes === state.unitSize) {
    needBalance = anotherFreeChunk(state, chunk);
  } else if (shouldReclaimChunk(state, chunk)) {
    isolateChunk(state, chunk);
    needBalance = true;
  }

  state.tracer?.freePercpu(chunk.id, chunk.baseAddr, off);
  if (needBalance) state.balancePending = true;
}
