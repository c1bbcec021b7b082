/**
 * The simplest machine an allocator can run on: unlimited (or budgeted) pages, synthetic
 * top-down vmalloc addresses, and no cost model. The conformance runner uses it; the
 * modeled machine (hw/machine-platform.ts) replaces it when time matters.
 */
import type { Platform, WorkCounters } from '../kernel/platform.ts';
import { newWorkCounters } from '../kernel/platform.ts';

/** top of the synthetic vmalloc space, like VMALLOC_END on x86-64 (below 2^53) */
const VMALLOC_TOP = 2 ** 46;
/** the first chunk sits in the linear map, far from vmalloc and metadata */
const LINEAR_MAP_BASE = 2 ** 36;
/** synthetic metadata addresses grow upward from here */
const META_BASE = 2 ** 40;

export class SimplePlatform implements Platform {
  readonly work: WorkCounters = newWorkCounters();
  /** page allocations that succeeded so far (never given back) */
  pagesAllocated = 0;
  /** pages currently held */
  pagesInUse = 0;
  private vmNext = VMALLOC_TOP;
  private metaNext = META_BASE;

  /** @param pageLimit how many page allocations succeed in total (null: no limit) */
  constructor(private readonly pageLimit: number | null = null) {}

  allocPage(_node: number): boolean {
    if (this.pageLimit !== null && this.pagesAllocated >= this.pageLimit) return false;
    this.pagesAllocated++;
    this.pagesInUse++;
    return true;
  }

  freePage(_node: number): void {
    this.pagesInUse--;
  }

  getVmAreas(groupOffsets: readonly number[], groupSizes: readonly number[], align: number): number {
    let span = 0;
    for (let g = 0; g < groupOffsets.length; g++) span = Math.max(span, groupOffsets[g]! + groupSizes[g]!);
    const start = Math.floor((this.vmNext - span) / align) * align;
    this.vmNext = start;
    return start - (groupOffsets[0] ?? 0);
  }

  freeVmAreas(_baseAddr: number): void {}

  embedFirstChunk(groupOffsets: readonly number[], _groupSizes: readonly number[], _align: number): number {
    return LINEAR_MAP_BASE - (groupOffsets[0] ?? 0);
  }
  mapPages(_nrUnits: number, _nrPages: number): void {}
  unmapPages(_nrUnits: number, _nrPages: number): void {}
  flushTlbKernelRange(_start: number, _end: number): void {}

  vmallocToPage(_addr: number): void {}

  metaAlloc(bytes: number): number {
    const addr = this.metaNext;
    this.metaNext += Math.ceil(bytes / 64) * 64 + 64;
    return addr;
  }

  metaFree(_addr: number, _bytes: number): void {}
  touchRead(_addr: number, _bytes: number): void {}
  touchWrite(_addr: number, _bytes: number): void {}
  zeroUnits(_baseAddr: number, _off: number, _bytes: number): void {}
}
