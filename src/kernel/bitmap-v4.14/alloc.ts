/**
 * The v4.14 allocation entry (pcpu_alloc): argument checks, the reserved chunk, the slot walk
 * from the request's slot to the free slot, chunk creation, population and zeroing.
 */
import { findBlockFit } from './fit.ts';
import { allocArea, freeArea } from './area.ts';
import { chunkOf } from '../bitmap/state.ts';
import type { BitmapChunk } from './chunk.ts';
import * as constants from './constants.ts';
import { createChunk } from './lifecycle.ts';
import { populateForAlloc } from './populate.ts';
import { chunkRelocate, sizeToSlot } from './slots.ts';
import type { PcpuV414 } from './state.ts';

// an imported binding is checked on every read (an accessor call under vitest): hot paths use module-level copies
const { PCPU_MIN_ALLOC_SHIFT, PCPU_MIN_ALLOC_SIZE, pcpuMinUnitSize } = constants;

/** where pcpu_alloc leaves its result besides the return value */
export interface AllocOutcome {
  lastChunkId: number;
  lastFailReason: string | null;
}

const isPowerOf2 = (x: number): boolean => x > 0 && (x & (x - 1)) === 0;

/**
 * mirrors pcpu_alloc (v4.14): returns the byte offset from the chunk's base_addr, or -1.
 * Reserved requests come through __alloc_reserved_percpu and so are always GFP_KERNEL.
 */
export function pcpuAlloc(p: PcpuV414, out: AllocOutcome, size: number, align: number, reserved: boolean, atomic: boolean): number {
  const isAtomic = reserved ? false : atomic;
  // v4.14 raises the alignment to the minimum allocation size before checking it
  if (align < PCPU_MIN_ALLOC_SIZE) align = PCPU_MIN_ALLOC_SIZE;
  size = Math.ceil(size / PCPU_MIN_ALLOC_SIZE) * PCPU_MIN_ALLOC_SIZE;
  const bits = size >>> PCPU_MIN_ALLOC_SHIFT;
  const bitAlign = align >>> PCPU_MIN_ALLOC_SHIFT;

  if (!size || size > pcpuMinUnitSize(p.pageSize) || align > p.pageSize || !isPowerOf2(align)) {
    // WARN(), not subject to warn_limit; no trace event
    const text = `illegal size (${size}) or align (${align}) for percpu allocation`;
    p.work.warnings++;
    p.tracer?.warn(text);
    return fail(p, out, text);
  }

  let chunk: BitmapChunk | null = null;
  let off = -1;

  search: {
    if (reserved && p.reserved) {
      chunk = p.reserved;
      off = findBlockFit(p, chunk, bits, bitAlign, isAtomic);
      if (off >= 0) off = allocArea(p, chunk, bits, bitAlign, off);
      if (off >= 0) break search;
      return failTraced(p, out, reserved, isAtomic, size, align, 'alloc from reserved chunk failed');
    }

    const lists = p.lists;
    for (;;) {
      for (let slot = lists.nextNonEmpty(sizeToSlot(p, size)); slot < p.nrSlots; slot = lists.nextNonEmpty(slot + 1)) {
        for (let e = lists.first(slot); e !== -1; e = lists.next(e)) {
          const c = chunkOf(p, e);
          off = findBlockFit(p, c, bits, bitAlign, isAtomic);
          if (off < 0) continue;
          off = allocArea(p, c, bits, bitAlign, off);
          if (off >= 0) {
            chunk = c;
            break search;
          }
        }
      }
      // no space left: a sleeping request makes a chunk if none is empty, then searches again
      if (isAtomic) return failTraced(p, out, reserved, isAtomic, size, align, 'atomic alloc failed, no space left');
      if (lists.isEmpty(p.freeSlot)) {
        const c = createChunk(p);
        if (!c) return failTraced(p, out, reserved, isAtomic, size, align, 'failed to allocate new chunk');
        chunkRelocate(p, c, -1);
      }
    }
  }

  // area found
  if (!isAtomic && !populateForAlloc(p, chunk, off, size)) {
    freeArea(p, chunk, off);
    return failTraced(p, out, reserved, isAtomic, size, align, 'failed to populate');
  }

  if (p.nrEmptyPopPages < p.knobs.emptyPopPagesLow) p.scheduleBalanceWork();

  p.platform.zeroUnits(chunk.baseAddr, off, size);
  p.work.bytesZeroedPerUnit += size;
  p.tracer?.allocPercpu(reserved, isAtomic, size, align, chunk.id, chunk.baseAddr, off);
  out.lastChunkId = chunk.id;
  out.lastFailReason = null;
  return off;
}

/** a NULL return before the trace point (illegal request) */
function fail(p: PcpuV414, out: AllocOutcome, reason: string): number {
  p.work.failedAllocs++;
  out.lastFailReason = reason;
  return -1;
}

/**
 * the fail path of pcpu_alloc: trace, warn (v4.14: sleeping requests only, while warn_limit
 * lasts), and after an atomic failure ask the balance work to populate the full HIGH amount
 */
function failTraced(
  p: PcpuV414,
  out: AllocOutcome,
  reserved: boolean,
  isAtomic: boolean,
  size: number,
  align: number,
  err: string,
): number {
  p.tracer?.allocPercpuFail(reserved, isAtomic, size, align);
  if (!isAtomic && p.warnLimit) {
    p.work.warnings++;
    p.tracer?.warn(`allocation failed, size=${size} align=${align} atomic=0, ${err}`);
    // the closing pr_info is printed but is not a warning
    if (!--p.warnLimit) p.tracer?.warn('limit reached, disable warning');
  }
  if (isAtomic) {
    p.atomicAllocFailed = true;
    p.scheduleBalanceWork();
  }
  return fail(p, out, err);
}
