/**
 * Marking and unmarking an area in a chunk's allocation and boundary maps: the part of
 * pcpu_alloc_area and pcpu_free_area that every bitmap allocator (v4.14 to v6.12) does the same
 * way. Metadata touches and hint updates stay with the callers (their word sizes differ).
 */
import * as bitops from '../bitops.ts';
import type { WorkCounters } from '../platform.ts';
import type { BitmapChunk } from './chunk.ts';

// an imported binding is checked on every read (an accessor call under vitest): hot paths use module-level copies
const { bitmapClear, bitmapSet, findNextBit, setBit } = bitops;

/** the marking half of pcpu_alloc_area: bits [bitOff, bitOff + bits) allocated, bounded on both sides */
export function markArea(chunk: BitmapChunk, bitOff: number, bits: number): void {
  bitmapSet(chunk.allocMap, bitOff, bits);
  setBit(chunk.boundMap, bitOff);
  bitmapClear(chunk.boundMap, bitOff + 1, bits - 1);
  setBit(chunk.boundMap, bitOff + bits);
}

/**
 * the unmarking half of pcpu_free_area: the boundary map gives where the allocation at `bitOff`
 * ends; its allocation bits are cleared. Returns that end (exclusive).
 */
export function unmarkArea(work: WorkCounters, chunk: BitmapChunk, bitOff: number): number {
  const end = findNextBit(work, chunk.boundMap, chunk.mapBits, bitOff + 1);
  bitmapClear(chunk.allocMap, bitOff, end - bitOff);
  return end;
}
