/**
 * Chunk slots: which list a chunk belongs on, moving it there, and isolating chunks from the
 * active lists for reclaim. Slot numbers come from the chunk hints, never from the list a
 * chunk currently sits on (so a chunk parked in slot 0 stays there until its hints move).
 */
import { fls } from '../bitops.ts';
import type { BitmapChunk } from './chunk.ts';
import * as layout from './chunk.ts';
import type { PcpuCore, PcpuState } from './state.ts';
import * as statics from './state.ts';
import { entryOf } from './state.ts';

// an imported binding is checked on every read (an accessor call under vitest): hot paths use module-level copies
const { MD_CONTIG } = layout;
const { PCPU_MIN_ALLOC_SIZE, PCPU_SLOT_BASE_SHIFT } = statics;

/** mirrors __pcpu_size_to_slot: slot of a free run of `size` bytes */
export function rawSizeToSlot(size: number): number {
  const highbit = fls(size);
  return Math.max(highbit - PCPU_SLOT_BASE_SHIFT + 2, 1);
}

/** mirrors pcpu_size_to_slot (every bitmap version): a whole unit's worth of space means the free slot */
export function sizeToSlot(state: PcpuCore, size: number): number {
  if (size === state.unitSize) return state.freeSlot;
  return rawSizeToSlot(size);
}

/** mirrors pcpu_chunk_slot */
export function chunkSlot(state: PcpuState, chunk: BitmapChunk): number {
  const contig = chunk.md[chunk.chunkMd + MD_CONTIG]!;
  if (chunk.freeBytes < PCPU_MIN_ALLOC_SIZE || contig === 0) return 0;
  return sizeToSlot(state, contig * PCPU_MIN_ALLOC_SIZE);
}

/** mirrors __pcpu_chunk_move: to the head (moveFront) or tail of `slot`; never the reserved chunk */
export function chunkMoveTo(state: PcpuState, chunk: BitmapChunk, slot: number, moveFront: boolean): void {
  if (chunk === state.reservedChunk) return;
  if (moveFront) state.lists.move(entryOf(chunk), slot);
  else state.lists.moveTail(entryOf(chunk), slot);
  state.work.listMoves++;
}

/** mirrors pcpu_chunk_relocate: emptier goes to the head of its new slot, fuller to the tail */
export function chunkRelocate(state: PcpuState, chunk: BitmapChunk, oslot: number): void {
  const nslot = chunkSlot(state, chunk);
  if (chunk.isolated) return;
  if (oslot !== nslot) chunkMoveTo(state, chunk, nslot, oslot < nslot);
}

/** mirrors pcpu_isolate_chunk: off the active lists, its empty pages no longer counted globally */
export function isolateChunk(state: PcpuState, chunk: BitmapChunk): void {
  if (!chunk.isolated) {
    chunk.isolated = true;
    state.nrEmptyPopPages -= chunk.nrEmptyPopPages;
  }
  state.lists.move(entryOf(chunk), state.toDepopulateSlot);
  state.work.listMoves++;
}

/** mirrors pcpu_reintegrate_chunk: back to the head of the slot its hints give */
export function reintegrateChunk(state: PcpuState, chunk: BitmapChunk): void {
  if (!chunk.isolated) return;
  chunk.isolated = false;
  state.nrEmptyPopPages += chunk.nrEmptyPopPages;
  chunkRelocate(state, chunk, -1);
}

/** mirrors pcpu_update_empty_pages */
export function updateEmptyPages(state: PcpuState, chunk: BitmapChunk, nr: number): void {
  chunk.nrEmptyPopPages += nr;
  if (chunk !== state.reservedChunk && !chunk.isolated) state.nrEmptyPopPages += nr;
}
