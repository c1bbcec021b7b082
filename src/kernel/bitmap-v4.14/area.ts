/**
 * Carving an allocation out of a chunk's bitmaps and giving it back (v4.14 pcpu_alloc_area /
 * pcpu_free_area). The boundary map remembers where each allocation ends, so a free needs only
 * the offset.
 */
import * as bitops from '../bitops.ts';
import { markArea, unmarkArea } from '../bitmap/area-bits.ts';
import { blockUpdateHintAlloc, blockUpdateHintFree } from './block-hints.ts';
import type { Platform } from '../platform.ts';
import type { BitmapChunk } from './chunk.ts';
import { firstBit, setFirstBit } from './chunk.ts';
import * as constants from './constants.ts';
import { chunkRelocate, chunkSlot } from './slots.ts';
import type { PcpuV414 } from './state.ts';

// an imported binding is checked on every read (an accessor call under vitest): hot paths use module-level copies
const { bitmapFindNextZeroAreaOff, findNextZeroBit } = bitops;
const { PCPU_MIN_ALLOC_SHIFT, PCPU_MIN_ALLOC_SIZE } = constants;

/** byte range of bitmap bits [lo, hi) as the kernel's 8-byte words hold them */
function touchBits(plat: Platform, write: boolean, addr: number, lo: number, hi: number): void {
  const w0 = lo >>> 6;
  const w1 = (hi + 63) >>> 6;
  if (w1 <= w0) return;
  if (write) plat.touchWrite(addr + w0 * 8, (w1 - w0) * 8);
  else plat.touchRead(addr + w0 * 8, (w1 - w0) * 8);
}

/**
 * mirrors pcpu_alloc_area (v4.14): first fit for `allocBits` at `align` (in bits) scanning from
 * `start` over at most allocBits + one block; returns the byte offset, or -1
 */
export function allocArea(p: PcpuV414, c: BitmapChunk, allocBits: number, align: number, start: number): number {
  const work = p.work;
  const plat = p.platform;
  const oslot = chunkSlot(p, c);

  // the kernel's window can run past the map; a fit promised by the hints never does, and past
  // the map nothing is free
  const end = start + allocBits + p.blockBits;
  const limit = end < c.mapBits ? end : c.mapBits;
  const bitOff = bitmapFindNextZeroAreaOff(work, c.allocMap, limit, start, allocBits, align - 1, 0);
  touchBits(plat, false, c.allocMapAddr, start, Math.min(bitOff + allocBits, limit));
  if (bitOff + allocBits > limit) return -1;

  markArea(c, bitOff, allocBits);
  touchBits(plat, true, c.allocMapAddr, bitOff, bitOff + allocBits);
  touchBits(plat, true, c.boundMapAddr, bitOff, bitOff + allocBits + 1);

  c.freeBytes -= allocBits * PCPU_MIN_ALLOC_SIZE;

  if (bitOff === firstBit(c)) setFirstBit(c, findNextZeroBit(work, c.allocMap, c.mapBits, bitOff + allocBits));

  blockUpdateHintAlloc(p, c, bitOff, allocBits);
  chunkRelocate(p, c, oslot);
  return bitOff * PCPU_MIN_ALLOC_SIZE;
}

/** mirrors pcpu_free_area (v4.14): the allocation at byte offset `off` is given back */
export function freeArea(p: PcpuV414, c: BitmapChunk, off: number): void {
  const plat = p.platform;
  const oslot = chunkSlot(p, c);
  const bitOff = off >>> PCPU_MIN_ALLOC_SHIFT;

  const end = unmarkArea(p.work, c, bitOff);
  touchBits(plat, false, c.boundMapAddr, bitOff, end + 1);
  const bits = end - bitOff;
  touchBits(plat, true, c.allocMapAddr, bitOff, end);

  c.freeBytes += bits * PCPU_MIN_ALLOC_SIZE;
  if (bitOff < firstBit(c)) setFirstBit(c, bitOff);

  blockUpdateHintFree(p, c, bitOff, bits);
  chunkRelocate(p, c, oslot);
}

