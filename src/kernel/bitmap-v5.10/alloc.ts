/**
 * v5.10's pcpu_alloc: the same placement, population and empty-page test (after population) as
 * v6.12; only sleeping requests warn when they fail (v6.12 warns atomic failures too). Chunks
 * are never isolated in v5.10, so the reintegration the shared placement does never happens.
 */
import { allocDone, failBookkeeping, placeArea, populateForAlloc, scheduleIfLow, type AllocResult } from '../bitmap/alloc.ts';
import type { PcpuState } from '../bitmap/state.ts';

/** the fail / fail_unlock labels of v5.10 pcpu_alloc: warnings (while the budget lasts) only for GFP_KERNEL */
export function allocFailV510(state: PcpuState, out: AllocResult, reserved: boolean, atomic: boolean, size: number, align: number, err: string): number {
  return failBookkeeping(state, out, reserved, atomic, size, align, err, !atomic);
}

/** mirrors pcpu_alloc (v5.10, one bank of chunks: no memcg-accounted requests) */
export function pcpuAllocV510(state: PcpuState, out: AllocResult, reqSize: number, reqAlign: number, atomicReq: boolean, reserved: boolean): number {
  const atomic = reserved ? false : atomicReq;
  const off = placeArea(state, out, reqSize, reqAlign, atomic, reserved, allocFailV510);
  if (off < 0) return -1;
  if (!populateForAlloc(state, out, off, atomic, reserved, allocFailV510)) return -1;
  scheduleIfLow(state);
  return allocDone(state, out, off, atomic, reserved);
}
