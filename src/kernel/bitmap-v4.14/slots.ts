/**
 * Slot arithmetic of v4.14: chunks are sorted by free bytes (v6.12 sorts by contig hint), the
 * last slot holds fully free chunks, and there is no sidelined or to-depopulate list.
 */
import { fls } from '../bitops.ts';
import type { ChunkV414 } from './chunk.ts';
import { PCPU_MIN_ALLOC_SIZE, PCPU_SLOT_BASE_SHIFT } from './constants.ts';
import type { PcpuV414 } from './state.ts';

/** mirrors __pcpu_size_to_slot */
export function rawSizeToSlot(size: number): number {
  const highbit = fls(size);
  return Math.max(highbit - PCPU_SLOT_BASE_SHIFT + 2, 1);
}

/** mirrors pcpu_size_to_slot: a unit-sized request only fits an empty chunk */
export function sizeToSlot(p: PcpuV414, size: number): number {
  if (size === p.unitSize) return p.nrSlots - 1;
  return rawSizeToSlot(size);
}

/** mirrors pcpu_chunk_slot (v4.14: by free bytes) */
export function chunkSlot(p: PcpuV414, chunk: ChunkV414): number {
  if (chunk.freeBytes < PCPU_MIN_ALLOC_SIZE || chunk.contigBits === 0) return 0;
  return sizeToSlot(p, chunk.freeBytes);
}

/** mirrors pcpu_chunk_relocate: emptier chunks go to the head of their new slot, fuller ones to the tail */
export function chunkRelocate(p: PcpuV414, chunk: ChunkV414, oslot: number): void {
  const nslot = chunkSlot(p, chunk);
  if (chunk === p.reserved || oslot === nslot) return;
  if (oslot < nslot) p.lists.move(chunk.id, nslot);
  else p.lists.moveTail(chunk.id, nslot);
  p.work.listMoves++;
}
