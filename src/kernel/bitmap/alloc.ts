/**
 * The allocation path of the modern allocator (pcpu_alloc_noprof and what it calls): find a
 * chunk whose hints promise room, scan its bitmap for the exact spot, mark it, update the
 * hints, then populate pages and zero every unit.
 */
import { ctz32, findNextBit, findNextZeroBit } from '../bitops.ts';
import { markArea } from './area-bits.ts';
import type { BitmapChunk } from './chunk.ts';
import * as layout from './chunk.ts';
import { freeArea } from './free.ts';
import { blockUpdateHintAlloc, blockUpdateScan, checkBlockHint, nextFitRegion, nextHint } from './hints.ts';
import { chunkPopulated, createChunk, populateArea } from './populate.ts';
import { chunkMoveTo, chunkRelocate, chunkSlot, reintegrateChunk, sizeToSlot } from './slots.ts';
import type { PcpuState } from './state.ts';
import { memcgPostAllocHook, memcgPreAllocHook } from '../memcg.ts';
import * as statics from './state.ts';
import { chunkOf } from './state.ts';

// an imported binding is checked on every read (an accessor call under vitest): hot paths use module-level copies
const { MD_FIRST_FREE } = layout;
const { PCPU_MIN_ALLOC_SHIFT, PCPU_MIN_ALLOC_SIZE, PCPU_SLOT_FAIL_THRESHOLD } = statics;

/**
 * mirrors pcpu_is_populated: are all pages under [bitOff, bitOff + bits) populated; if not,
 * returns the bit after the unpopulated run as a negative number -(next + 1)
 */
function isPopulated(state: PcpuState, chunk: BitmapChunk, bitOff: number, bits: number): number {
  const ps = state.pageSize;
  let start = ((bitOff * PCPU_MIN_ALLOC_SIZE) / ps) | 0;
  let end = (((bitOff + bits) * PCPU_MIN_ALLOC_SIZE + ps - 1) / ps) | 0;
  start = findNextZeroBit(state.work, chunk.populated, end, start);
  if (start >= end) return 0;
  end = findNextBit(state.work, chunk.populated, end, start + 1);
  return -((end * ps) / PCPU_MIN_ALLOC_SIZE + 1);
}

/**
 * mirrors pcpu_find_block_fit: the bit to start the bitmap scan at, or -1 when the hints
 * rule the chunk out (with popOnly, also every page of the candidate must be populated)
 */
export function findBlockFit(state: PcpuState, chunk: BitmapChunk, allocBits: number, align: number, popOnly: boolean): number {
  const md = chunk.md;
  state.work.blockMdRead++;
  state.platform.touchRead(chunk.metaAddr, 64);
  if (!checkBlockHint(md, chunk.chunkMd, allocBits, align)) return -1;

  const mapBits = chunk.mapBits;
  let bitOff = nextHint(md, chunk.chunkMd, allocBits);
  nextFitRegion(state, chunk, allocBits, align, bitOff);
  bitOff = state.regionOff;
  while (bitOff < mapBits) {
    if (!popOnly) break;
    const r = isPopulated(state, chunk, bitOff, state.regionBits);
    if (r === 0) break;
    nextFitRegion(state, chunk, allocBits, align, -r - 1);
    bitOff = state.regionOff;
  }
  if (bitOff === mapBits) return -1;
  return bitOff;
}

/**
 * mirrors pcpu_find_zero_area (bitmap_find_next_zero_area_off that also remembers the largest
 * run it skipped, preferring the better-aligned one on ties, in state.largestOff/largestBits)
 */
function findZeroArea(state: PcpuState, map: Uint32Array, size: number, start: number, nr: number, alignMask: number): number {
  const work = state.work;
  for (;;) {
    let index = findNextZeroBit(work, map, size, start);
    index = (index + alignMask) & ~alignMask;
    const areaOff = index;
    const end = index + nr;
    if (end > size) return end;
    const i = findNextBit(work, map, end, index);
    if (i >= end) return index;
    const areaBits = i - areaOff;
    if (
      areaBits > state.largestBits ||
      (areaBits === state.largestBits && state.largestOff !== 0 && (areaOff === 0 || ctz32(areaOff) > ctz32(state.largestOff)))
    ) {
      state.largestOff = areaOff;
      state.largestBits = areaBits;
    }
    start = i + 1;
  }
}

/**
 * mirrors pcpu_alloc_area: scan at most a block past `start` for the first fit, mark it in the
 * alloc and bound maps, update the hints and the chunk's slot. Returns the byte offset or -1.
 */
export function allocArea(state: PcpuState, chunk: BitmapChunk, allocBits: number, align: number, start: number): number {
  const alignMask = align ? align - 1 : 0;
  const oslot = chunkSlot(state, chunk);
  const work = state.work;

  const end = Math.min(start + allocBits + state.blockBits, chunk.mapBits);
  state.largestOff = 0;
  state.largestBits = 0;
  const scanned0 = work.bitmapWordsScanned;
  const bitOff = findZeroArea(state, chunk.allocMap, end, start, allocBits, alignMask);
  state.platform.touchRead(chunk.allocMapAddr + (start >>> 5) * 4, (work.bitmapWordsScanned - scanned0) * 4);
  if (bitOff >= end) return -1;

  if (state.largestBits) blockUpdateScan(state, chunk, state.largestOff, state.largestBits);

  // the scan from `start` may have refreshed scan hints before the area: those blocks are dirty too
  commitArea(state, chunk, bitOff, allocBits, oslot, start);
  return bitOff * PCPU_MIN_ALLOC_SIZE;
}

/**
 * The second half of pcpu_alloc_area, once the spot is known: mark [bitOff, bitOff + allocBits)
 * in the alloc and bound maps, account the bytes, move first_free past it, update the hints and
 * relocate the chunk from `oslot` (its slot when pcpu_alloc_area began). The blocks from
 * `dirtyFrom` (the scan's start, or the area) to the area's end are marked changed.
 */
export function commitArea(state: PcpuState, chunk: BitmapChunk, bitOff: number, allocBits: number, oslot: number, dirtyFrom = bitOff): void {
  const md = chunk.md;
  markArea(chunk, bitOff, allocBits);
  state.platform.touchWrite(chunk.allocMapAddr + (bitOff >>> 5) * 4, (((bitOff + allocBits) >>> 5) - (bitOff >>> 5) + 1) * 4);
  state.platform.touchWrite(chunk.boundMapAddr + (bitOff >>> 5) * 4, (((bitOff + allocBits) >>> 5) - (bitOff >>> 5) + 1) * 4);

  chunk.freeBytes -= allocBits * PCPU_MIN_ALLOC_SIZE;

  const c = chunk.chunkMd;
  if (bitOff === md[c + MD_FIRST_FREE]) {
    md[c + MD_FIRST_FREE] = findNextZeroBit(state.work, chunk.allocMap, chunk.mapBits, bitOff + allocBits);
  }

  blockUpdateHintAlloc(state, chunk, bitOff, allocBits);
  state.platform.touchWrite(chunk.mdAddr + ((bitOff / state.blockBits) | 0) * 32, 32);
  chunkRelocate(state, chunk, oslot);
  chunk.markDirty((dirtyFrom / state.blockBits) | 0, ((bitOff + allocBits - 1) / state.blockBits) | 0);
}

function isPowerOf2(x: number): boolean {
  return x > 0 && (x & (x - 1)) === 0;
}

/**
 * The failure bookkeeping every bitmap version shares (the fail / fail_unlock labels): the
 * failure tracepoint, a rate-limited warning when `warn`, and an atomic failure waking the
 * balance work.
 */
export function failBookkeeping(state: PcpuState, out: AllocResult, reserved: boolean, atomic: boolean, size: number, align: number, err: string, warn: boolean): number {
  state.tracer?.allocPercpuFail(reserved, atomic, size, align);
  if (warn && state.warnLimit > 0) {
    state.work.warnings++;
    state.tracer?.warn(`allocation failed, size=${size} align=${align} atomic=${atomic ? 1 : 0}, ${err}`);
    if (--state.warnLimit === 0) state.tracer?.warn('limit reached, disable warning');
  }
  if (atomic) {
    state.atomicAllocFailed = true;
    state.balancePending = true;
  }
  state.work.failedAllocs++;
  out.failReason = err;
  return -1;
}

/** Failure bookkeeping of pcpu_alloc_noprof: v6.12 warns atomic failures too. */
export function allocFail(state: PcpuState, out: AllocResult, reserved: boolean, atomic: boolean, size: number, align: number, err: string): number {
  return failBookkeeping(state, out, reserved, atomic, size, align, err, true);
}

/** a version's failure bookkeeping (the versions differ in which failures they warn about) */
export type AllocFailFn = (state: PcpuState, out: AllocResult, reserved: boolean, atomic: boolean, size: number, align: number, err: string) => number;

/**
 * where pcpuAlloc reports which chunk served the request, or why it failed; between the steps
 * of an allocation it also carries the placed area's chunk and the rounded size and alignment
 */
export interface AllocResult {
  chunkId: number;
  failReason: string | null;
  /** the chunk placeArea put the area in */
  chunk: BitmapChunk | null;
  /** the request's size and alignment as pcpu_alloc_noprof rounds them */
  size: number;
  align: number;
}

export function newAllocResult(): AllocResult {
  return { chunkId: -1, failReason: null, chunk: null, size: 0, align: 0 };
}

/**
 * The first half of pcpu_alloc_noprof (every bitmap version from v5.10 on), up to the area_found
 * label: round and check the request, then place the area in the reserved chunk or the first
 * chunk that fits, creating chunks as needed. Returns the byte offset (out.chunk, out.size and
 * out.align set) or -1 after the version's failure bookkeeping. A reserved request always runs
 * as GFP_KERNEL. A chunk that serves the request is reintegrated (a no-op for a version that
 * never isolates chunks).
 */
export function placeArea(state: PcpuState, out: AllocResult, reqSize: number, reqAlign: number, atomic: boolean, reserved: boolean, fail: AllocFailFn): number {
  const work = state.work;
  const align = reqAlign < PCPU_MIN_ALLOC_SIZE ? PCPU_MIN_ALLOC_SIZE : reqAlign;
  const size = Math.ceil(reqSize / PCPU_MIN_ALLOC_SIZE) * PCPU_MIN_ALLOC_SIZE;
  // integer shifts keep these int-typed on the hot path (only used once the checks below passed)
  const bits = size >>> PCPU_MIN_ALLOC_SHIFT;
  const bitAlign = align >>> PCPU_MIN_ALLOC_SHIFT;
  out.size = size;
  out.align = align;

  if (!size || size > state.minUnitSize || align > state.pageSize || !isPowerOf2(align)) {
    const text = `illegal size (${size}) or align (${align}) for percpu allocation`;
    work.warnings++;
    work.failedAllocs++;
    state.tracer?.warn(text);
    out.failReason = text;
    return -1;
  }

  if (reserved && state.reservedChunk) {
    const chunk = state.reservedChunk;
    let off = findBlockFit(state, chunk, bits, bitAlign, atomic);
    if (off >= 0) off = allocArea(state, chunk, bits, bitAlign, off);
    if (off < 0) return fail(state, out, reserved, atomic, size, align, 'alloc from reserved chunk failed');
    out.chunk = chunk;
    return off;
  }

  const lists = state.lists;
  for (;;) {
    for (let slot = lists.nextNonEmpty(sizeToSlot(state, size)); slot <= state.freeSlot; slot = lists.nextNonEmpty(slot + 1)) {
      for (let e = lists.first(slot), n: number; e !== -1; e = n) {
        n = lists.next(e);
        const cand = chunkOf(state, e);
        const start = findBlockFit(state, cand, bits, bitAlign, atomic);
        if (start < 0) {
          if (slot < PCPU_SLOT_FAIL_THRESHOLD) chunkMoveTo(state, cand, 0, true);
          continue;
        }
        const off = allocArea(state, cand, bits, bitAlign, start);
        if (off >= 0) {
          reintegrateChunk(state, cand);
          out.chunk = cand;
          return off;
        }
      }
    }
    if (atomic) return fail(state, out, reserved, atomic, size, align, 'atomic alloc failed, no space left');
    if (lists.isEmpty(state.freeSlot)) {
      // following a recording, chunks come and go only where it says
      const fresh = state.chunkLifeRecorded ? null : createChunk(state);
      if (!fresh) return fail(state, out, reserved, atomic, size, align, 'failed to allocate new chunk');
      chunkRelocate(state, fresh, -1);
    }
  }
}

/**
 * The population step after area_found: back whatever the area covers that is not backed yet
 * (may sleep: not for atomic requests). On failure the area is freed again and the version's
 * failure bookkeeping runs; returns false then.
 */
export function populateForAlloc(state: PcpuState, out: AllocResult, off: number, atomic: boolean, reserved: boolean, fail: AllocFailFn): boolean {
  const chunk = out.chunk!;
  if (atomic || populateArea(state, chunk, off, out.size, chunkPopulated)) return true;
  freeArea(state, chunk, off);
  fail(state, out, reserved, atomic, out.size, out.align, 'failed to populate');
  return false;
}

/** pcpu_alloc_noprof's "fewer than PCPU_EMPTY_POP_PAGES_LOW empty populated pages" test */
export function scheduleIfLow(state: PcpuState): void {
  if (state.nrEmptyPopPages < state.knobs.emptyPopPagesLow) state.balancePending = true;
}

/** The end of a successful pcpu_alloc_noprof: zero every unit's copy, trace, report the chunk. */
export function allocDone(state: PcpuState, out: AllocResult, off: number, atomic: boolean, reserved: boolean): number {
  const chunk = out.chunk!;
  const size = out.size;
  state.platform.zeroUnits(chunk.baseAddr, off, size);
  state.work.bytesZeroedPerUnit += size;
  state.tracer?.allocPercpu(reserved, atomic, size, out.align, chunk.id, chunk.baseAddr, off, state.accountedCall);
  out.chunkId = chunk.id;
  out.failReason = null;
  return off;
}

/**
 * mirrors pcpu_alloc_noprof (v6.12) for GFP_KERNEL (atomic false) or GFP_NOWAIT (atomic true);
 * a reserved request always runs as GFP_KERNEL. The empty-page test comes after population,
 * outside the lock. Returns the byte offset from the serving chunk's base_addr, or -1 with
 * out.failReason set.
 */
export function pcpuAlloc(state: PcpuState, out: AllocResult, reqSize: number, reqAlign: number, atomicReq: boolean, reserved: boolean): number {
  const atomic = reserved ? false : atomicReq;
  const off = placeArea(state, out, reqSize, reqAlign, atomic, reserved, allocFail);
  if (off < 0) return -1;
  if (!populateForAlloc(state, out, off, atomic, reserved, allocFail)) return -1;
  scheduleIfLow(state);
  return allocDone(state, out, off, atomic, reserved);
}

/** a version's pcpu_alloc_noprof without its memcg hooks (pcpuAlloc, pcpuAllocV618, ...) */
export type VersionAllocFn = (state: PcpuState, out: AllocResult, reqSize: number, reqAlign: number, atomic: boolean, reserved: boolean) => number;

/** why an accounted call returned NULL at pcpu_memcg_pre_alloc_hook (the kernel prints nothing there) */
export const MEMCG_CHARGE_REFUSED = 'memcg charge refused';

/**
 * pcpu_alloc_noprof with its memcg hooks (v6.12, v6.18): once the request passed the size and
 * alignment checks, an accounted one is charged (pcpu_memcg_pre_alloc_hook) before the version's
 * allocation runs; a refused charge returns NULL with no allocator work, no trace and no warning.
 * Afterwards pcpu_memcg_post_alloc_hook keeps the charge in the chunk's obj_exts, or returns it
 * when the call failed or the area has no obj_exts.
 */
export function pcpuAllocMemcg(state: PcpuState, out: AllocResult, reqSize: number, reqAlign: number, atomic: boolean, reserved: boolean, accounted: boolean, alloc: VersionAllocFn): number {
  const memcg = state.memcg;
  state.accountedCall = accounted;
  if (memcg === null || !accounted) return alloc(state, out, reqSize, reqAlign, atomic, reserved);
  const align = reqAlign < PCPU_MIN_ALLOC_SIZE ? PCPU_MIN_ALLOC_SIZE : reqAlign;
  const size = Math.ceil(reqSize / PCPU_MIN_ALLOC_SIZE) * PCPU_MIN_ALLOC_SIZE;
  // an illegal request fails at its own check, before the hook
  if (!size || size > state.minUnitSize || align > state.pageSize || !isPowerOf2(align)) return alloc(state, out, reqSize, reqAlign, atomic, reserved);
  const objcg = memcgPreAllocHook(memcg, size, true, state.nrPossibleCpus);
  if (objcg < 0) {
    out.chunk = null;
    out.failReason = MEMCG_CHARGE_REFUSED;
    return -1;
  }
  const off = alloc(state, out, reqSize, reqAlign, atomic, reserved);
  memcgPostAllocHook(memcg, objcg, off >= 0 ? out.chunk!.objExts : null, off, size, state.nrPossibleCpus);
  return off;
}
