/** The allocation path of v4.13 (pcpu_alloc). */
import { findNextBit, findNextZeroBit } from '../bitops.ts';
import { allocArea } from './alloc-area.ts';
import { allocAreaFast, freeAreaFast } from './fast-area.ts';
import type { AreamapChunk } from './chunk.ts';
import { createChunk } from './chunk-lifecycle.ts';
import * as constants from './constants.ts';
import { freeArea } from './free-area.ts';
import { extendAreaMap, needToExtend } from './map-extend.ts';
import { chunkPopulated } from './populated.ts';
import { chunkRelocate, sizeToSlot } from './slots.ts';
import type { AreamapState } from './state.ts';
import { scheduleBalanceWork } from './state.ts';

// an imported binding is checked on every read (an accessor call under vitest): hot paths use module-level copies
const { PCPU_CHUNK_WALK_BYTES } = constants;

/** Where a successful allocation landed; `failReason` when it did not. */
export interface AllocResult {
  chunkId: number;
  failReason: string | null;
}

/**
 * mirrors pcpu_alloc: returns the offset from the chunk's base_addr, or -1 (then
 * `out.failReason` holds the kernel's reason). A reserved request always sleeps (the kernel's
 * reserved entry point passes GFP_KERNEL). Atomic requests never populate pages, extend maps
 * or create chunks; they only take areas lying on populated pages.
 */
export function pcpuAlloc(
  s: AreamapState,
  reqSize: number,
  reqAlign: number,
  atomic: boolean,
  reserved: boolean,
  out: AllocResult,
): number {
  out.failReason = null;
  if (reserved) atomic = false;
  // offsets keep bit 0 for the in-use flag: at least 2-byte alignment, even sizes
  const align = reqAlign < 2 ? 2 : reqAlign;
  const size = reqSize + (reqSize % 2);

  if (size === 0 || size > s.maxAllocSize || align > s.pageSize || (align & (align - 1)) !== 0) {
    const text = `illegal size (${size}) or align (${align}) for percpu allocation`;
    s.work.warnings++;
    s.work.failedAllocs++;
    s.tracer?.warn(text);
    out.failReason = text;
    return -1;
  }

  const off =
    reserved && s.reservedChunk !== null
      ? allocReserved(s, s.reservedChunk, size, align, out)
      : allocFromSlots(s, size, align, atomic, out);
  if (off < 0) return allocFailed(s, size, align, atomic, reserved, out);

  const chunk = out.chunkId === -1 ? s.reservedChunk! : s.chunks[out.chunkId]!;
  if (!atomic && !populateArea(s, chunk, off, size)) {
    if (s.fastPath) freeAreaFast(s, chunk, off);
    else freeArea(s, chunk, off);
    out.failReason = 'failed to populate';
    return allocFailed(s, size, align, atomic, reserved, out);
  }

  if (chunk !== s.reservedChunk) s.nrEmptyPopPages -= s.occPages;
  if (s.nrEmptyPopPages < s.knobs.emptyPopPagesLow) scheduleBalanceWork(s);

  s.platform.zeroUnits(chunk.baseAddr, off, size);
  s.work.bytesZeroedPerUnit += size;
  s.tracer?.allocPercpu(reserved, atomic, size, align, chunk.id, chunk.baseAddr, off);
  return off;
}

/** the reserved path of pcpu_alloc: only the reserved chunk, its map extended first if need be */
function allocReserved(s: AreamapState, chunk: AreamapChunk, size: number, align: number, out: AllocResult): number {
  out.failReason = 'alloc from reserved chunk failed';
  if (size > chunk.contigHint) return -1;
  let newAlloc: number;
  while ((newAlloc = needToExtend(s, chunk, false)) !== 0) extendAreaMap(s, chunk, newAlloc);
  const off = s.fastPath ? allocAreaFast(s, chunk, size, align, false) : allocArea(s, chunk, size, align, false);
  if (off < 0) return -1;
  out.chunkId = chunk.id;
  out.failReason = null;
  return off;
}

/** pcpu_alloc's population step: every unpopulated run the new area covers; false on failure */
function populateArea(s: AreamapState, chunk: AreamapChunk, off: number, size: number): boolean {
  const populated = chunk.populated;
  const pageEnd = (off + size + s.pageSize - 1) >> s.pageShift;
  let rs = off >> s.pageShift;
  for (;;) {
    rs = findNextZeroBit(s.work, populated, pageEnd, rs);
    const re = findNextBit(s.work, populated, pageEnd, rs + 1);
    if (rs >= re) return true;
    if (!s.backend.populate(chunk.baseAddr, rs, re)) return false;
    chunkPopulated(s, chunk, rs, re);
    rs = re + 1;
  }
}

/**
 * The slot walk of pcpu_alloc: ascending slots from the request's, each list head to tail,
 * skipping chunks whose hint is too small. A sleeping request that finds a map short of room
 * extends it and restarts the walk; when nothing fits it creates a chunk if there is no fully
 * free one, and restarts. Sets out.chunkId, or out.failReason when it returns -1.
 */
function allocFromSlots(s: AreamapState, size: number, align: number, atomic: boolean, out: AllocResult): number {
  const lists = s.lists;
  const firstSlot = sizeToSlot(s, size);
  restart: for (;;) {
    // empty slots are skipped by the lists' occupancy bits: the same chunks in the same order
    for (let slot = lists.nextNonEmpty(firstSlot); slot < s.nrSlots; slot = lists.nextNonEmpty(slot + 1)) {
      for (let c = lists.first(slot); c !== -1; c = lists.next(c)) {
        const chunk = s.chunks[c]!;
        s.platform.touchRead(chunk.structAddr, PCPU_CHUNK_WALK_BYTES);
        if (size > chunk.contigHint) continue;

        const newAlloc = needToExtend(s, chunk, atomic);
        if (newAlloc !== 0) {
          if (atomic) continue;
          extendAreaMap(s, chunk, newAlloc);
          continue restart;
        }

        const off = s.fastPath ? allocAreaFast(s, chunk, size, align, atomic) : allocArea(s, chunk, size, align, atomic);
        if (off >= 0) {
          out.chunkId = c;
          out.failReason = null;
          return off;
        }
        // A failed scan only lowers the hint, and that moves the chunk (to slot 0) only when
        // every free area is under 4 bytes, which takes requests of 2 bytes or less. The
        // kernel's list walk would then step from slot 0's list head as if it were a chunk;
        // we end this slot's walk instead.
        if (lists.listOf(c) !== slot) break;
      }
    }

    if (atomic) {
      out.failReason = 'atomic alloc failed, no space left';
      return -1;
    }
    if (lists.isEmpty(s.freeSlot)) {
      const chunk = createChunk(s);
      if (chunk === null) {
        out.failReason = 'failed to allocate new chunk';
        return -1;
      }
      chunkRelocate(s, chunk, -1);
    }
  }
}

/** the fail path of pcpu_alloc: trace, warn (sleeping requests, up to warn_limit), kick the balance work for atomic ones */
function allocFailed(
  s: AreamapState,
  size: number,
  align: number,
  atomic: boolean,
  reserved: boolean,
  out: AllocResult,
): number {
  const err = out.failReason ?? '';
  s.tracer?.allocPercpuFail(reserved, atomic, size, align);
  s.work.failedAllocs++;
  if (!atomic && s.warnLimit > 0) {
    s.work.warnings++;
    s.tracer?.warn(`allocation failed, size=${size} align=${align} atomic=${atomic ? 1 : 0}, ${err}`);
    s.warnLimit--;
  }
  if (atomic) {
    s.atomicAllocFailed = true;
    scheduleBalanceWork(s);
  }
  return -1;
}
