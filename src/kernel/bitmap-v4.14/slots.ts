/**
 * Slot arithmetic of v4.14: chunks are sorted by free bytes (v6.12 sorts by contig hint), the
 * last slot holds fully free chunks, and there is no sidelined or to-depopulate list.
 * __pcpu_size_to_slot and pcpu_size_to_slot are unchanged and come from the modern port.
 */
import { rawSizeToSlot, sizeToSlot } from '../bitmap/slots.ts';
import { entryOf } from '../bitmap/state.ts';
import type { BitmapChunk } from './chunk.ts';
import { contigBits } from './chunk.ts';
import * as constants from './constants.ts';
import type { PcpuV414 } from './state.ts';

// an imported binding is checked on every read (an accessor call under vitest): hot paths use module-level copies
const { PCPU_MIN_ALLOC_SIZE } = constants;

export { rawSizeToSlot, sizeToSlot };


/** mirrors pcpu_chunk_slot (v4.14: by free bytes) */
export function chunkSlot(p: PcpuV414, chunk: BitmapChunk): number {
  if (chunk.freeBytes < PCPU_MIN_ALLOC_SIZE || contigBits(chunk) === 0) return 0;
  return sizeToSlot(p, chunk.freeBytes);
}

/** mirrors pcpu_chunk_relocate: emptier chunks go to the head of their new slot, fuller ones to the tail */
export function chunkRelocate(p: PcpuV414, chunk: BitmapChunk, oslot: number): void {
  const nslot = chunkSlot(p, chunk);
  if (chunk === p.reserved || oslot === nslot) return;
  if (oslot < nslot) p.lists.move(entryOf(chunk), nslot);
  else p.lists.moveTail(entryOf(chunk), nslot);
  p.work.listMoves++;
}
