/**
 * The one decision v6.13 and later make differently from v6.12 (seen unchanged in v6.18 and
 * v7.1): pcpu_alloc_noprof tests for "fewer than PCPU_EMPTY_POP_PAGES_LOW empty populated pages"
 * right at area_found, under the lock, instead of after the population step. At that point the
 * hint update has already taken away every empty page the new area touches and the pages about
 * to be populated for it are not counted yet, so an allocation landing on unpopulated pages can
 * schedule balance work v6.12 would not (and does so even when population then fails).
 */
import { allocDone, allocFail, placeArea, populateForAlloc, scheduleIfLow, type AllocResult } from '../bitmap/alloc.ts';
import type { PcpuState } from '../bitmap/state.ts';

/** mirrors pcpu_alloc_noprof (v6.18): the placement, population and return of v6.12, the empty-page test moved */
export function pcpuAllocV618(state: PcpuState, out: AllocResult, reqSize: number, reqAlign: number, atomicReq: boolean, reserved: boolean): number {
  const atomic = reserved ? false : atomicReq;
  const off = placeArea(state, out, reqSize, reqAlign, atomic, reserved, allocFail);
  if (off < 0) return -1;
  scheduleIfLow(state);
  if (!populateForAlloc(state, out, off, atomic, reserved, allocFail)) return -1;
  return allocDone(state, out, off, atomic, reserved);
}
