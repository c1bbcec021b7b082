/**
 * v5.10's free_percpu: the area is freed as in v6.12 (pcpu_free_area), but nothing is ever
 * isolated for reclaim; the only reason to wake the balance work is a second fully free chunk.
 */
import type { BitmapChunk } from '../bitmap/chunk.ts';
import { anotherFreeChunk, freeArea } from '../bitmap/free.ts';
import type { PcpuState } from '../bitmap/state.ts';

/** mirrors free_percpu (v5.10) for the allocation at byte `off` of `chunk` */
export function freePercpuV510(state: PcpuState, chunk: BitmapChunk, off: number): void {
  freeArea(state, chunk, off);
  const needBalance = chunk.freeBytes === state.unitSize && anotherFreeChunk(state, chunk);
  state.tracer?.freePercpu(chunk.id, chunk.baseAddr, off);
  if (needBalance) state.balancePending = true;
}
