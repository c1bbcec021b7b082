/** Chunk slots: which list a chunk sits on, by its free size (v4.13). */
import type { AreamapChunk } from './chunk.ts';
import * as constants from './constants.ts';
import type { AreamapState } from './state.ts';
import { sizeToSlotRaw } from './state.ts';

// an imported binding is checked on every read (an accessor call under vitest): hot paths use module-level copies
const { PCPU_SLOT_BASE_SHIFT, SIZEOF_INT } = constants;

/** mirrors pcpu_size_to_slot: a fully free chunk goes to the last slot */
export function sizeToSlot(s: AreamapState, size: number): number {
  if (size === s.unitSize) return s.freeSlot;
  return sizeToSlotRaw(size);
}

/** mirrors pcpu_chunk_slot: slot 0 holds chunks with no room for even an int */
export function chunkSlot(s: AreamapState, chunk: AreamapChunk): number {
  const free = chunk.freeSize;
  if (free < SIZEOF_INT || chunk.contigHint < SIZEOF_INT) return 0;
  if (free === s.unitSize) return s.freeSlot;
  // __pcpu_size_to_slot, spelled out: this runs twice on every alloc and free
  const slot = 32 - Math.clz32(free) - PCPU_SLOT_BASE_SHIFT + 2;
  return slot > 1 ? slot : 1;
}

/**
 * mirrors pcpu_chunk_relocate: after a change, move the chunk to the slot its state implies;
 * to the head when it got emptier (or is new: oslot -1), to the tail when it got fuller.
 * The reserved chunk is never on a slot.
 */
export function chunkRelocate(s: AreamapState, chunk: AreamapChunk, oslot: number): void {
  const nslot = chunkSlot(s, chunk);
  if (chunk === s.reservedChunk || oslot === nslot) return;
  if (oslot < nslot) s.lists.move(chunk.id, nslot);
  else s.lists.moveTail(chunk.id, nslot);
  s.work.listMoves++;
}
