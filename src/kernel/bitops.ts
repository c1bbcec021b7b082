/**
 * The kernel's bitmap primitives (include/linux/find.h, lib/find_bit.c, include/linux/bitmap.h)
 * over `Uint32Array` bitmaps, with the kernel's exact return conventions: a search that finds
 * nothing returns the bitmap size it was given.
 *
 * Searches go a 32-bit word at a time and add every word they read to
 * `work.bitmapWordsScanned`, and every call to `work.bitmapSearches`. The word size differs from the kernel's 64-bit longs, but no
 * result does: every search result is clamped to `size`, as the kernel clamps it.
 */
import type { WorkCounters } from './platform.ts';

/** index of the lowest set bit of a non-zero 32-bit word (kernel __ffs / ctz) */
export function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** mirrors __ffs for non-negative integers below 2^53 (the offsets the allocator compares) */
export function ffs0(x: number): number {
  if (x === 0) return 0; // the kernel leaves this undefined; callers never pass 0
  const lo = x % 0x100000000 | 0;
  if (lo !== 0) return ctz32(lo);
  return 32 + ctz32(Math.floor(x / 0x100000000) | 0);
}

/** mirrors fls: 1-based index of the highest set bit, 0 for 0 (32-bit values) */
export function fls(x: number): number {
  return 32 - Math.clz32(x);
}

/** words needed for a bitmap of `bits` bits */
export function bitmapWords(bits: number): number {
  return (bits + 31) >>> 5;
}

/** mirrors test_bit */
export function testBit(map: Uint32Array, bit: number): boolean {
  return (map[bit >>> 5]! & (1 << (bit & 31))) !== 0;
}

/** mirrors set_bit (non-atomic: nothing runs concurrently here) */
export function setBit(map: Uint32Array, bit: number): void {
  map[bit >>> 5] |= 1 << (bit & 31);
}

/** mirrors clear_bit */
export function clearBit(map: Uint32Array, bit: number): void {
  map[bit >>> 5] &= ~(1 << (bit & 31));
}

/** mask of bits [lo, 32) of a word */
function maskFrom(lo: number): number {
  return (0xffffffff << lo) | 0;
}

/** mask of bits [0, hi) of a word, hi in 1..32 */
function maskTo(hi: number): number {
  return hi === 32 ? -1 : (1 << hi) - 1;
}

/** mirrors bitmap_set: sets [start, start + len) */
export function bitmapSet(map: Uint32Array, start: number, len: number): void {
  if (len <= 0) return;
  const end = start + len;
  let w = start >>> 5;
  const lastW = (end - 1) >>> 5;
  if (w === lastW) {
    map[w] |= maskFrom(start & 31) & maskTo(((end - 1) & 31) + 1);
    return;
  }
  map[w] |= maskFrom(start & 31);
  for (w++; w < lastW; w++) map[w] = 0xffffffff;
  map[lastW] |= maskTo(((end - 1) & 31) + 1);
}

/** mirrors bitmap_clear: clears [start, start + len) */
export function bitmapClear(map: Uint32Array, start: number, len: number): void {
  if (len <= 0) return;
  const end = start + len;
  let w = start >>> 5;
  const lastW = (end - 1) >>> 5;
  if (w === lastW) {
    map[w] &= ~(maskFrom(start & 31) & maskTo(((end - 1) & 31) + 1));
    return;
  }
  map[w] &= ~maskFrom(start & 31);
  for (w++; w < lastW; w++) map[w] = 0;
  map[lastW] &= ~maskTo(((end - 1) & 31) + 1);
}

/** mirrors bitmap_fill over the first `bits` bits (bits beyond stay untouched) */
export function bitmapFill(map: Uint32Array, bits: number): void {
  bitmapSet(map, 0, bits);
}

/** mirrors find_next_bit: first set bit in [offset, size), or size */
export function findNextBit(work: WorkCounters, map: Uint32Array, size: number, offset: number): number {
  work.bitmapSearches++;
  if (offset >= size) return size;
  let w = offset >>> 5;
  let word = map[w]! & maskFrom(offset & 31);
  const lastW = (size - 1) >>> 5;
  let scanned = 1;
  while (word === 0) {
    if (w >= lastW) {
      work.bitmapWordsScanned += scanned;
      return size;
    }
    w++;
    scanned++;
    word = map[w]!;
  }
  work.bitmapWordsScanned += scanned;
  const bit = (w << 5) + ctz32(word);
  return bit < size ? bit : size;
}

/** mirrors find_next_zero_bit: first clear bit in [offset, size), or size */
export function findNextZeroBit(work: WorkCounters, map: Uint32Array, size: number, offset: number): number {
  work.bitmapSearches++;
  if (offset >= size) return size;
  let w = offset >>> 5;
  let word = ~map[w]! & maskFrom(offset & 31);
  const lastW = (size - 1) >>> 5;
  let scanned = 1;
  while (word === 0) {
    if (w >= lastW) {
      work.bitmapWordsScanned += scanned;
      return size;
    }
    w++;
    scanned++;
    word = ~map[w]!;
  }
  work.bitmapWordsScanned += scanned;
  const bit = (w << 5) + ctz32(word);
  return bit < size ? bit : size;
}

/**
 * mirrors find_last_bit on the sub-bitmap starting at bit `base` (a multiple of 32, like the
 * kernel's pointer into a longer map): the last set bit in [base, base + size) as an offset from
 * `base`, or `size` when there is none
 */
export function findLastBitFrom(work: WorkCounters, map: Uint32Array, base: number, size: number): number {
  work.bitmapSearches++;
  if (size <= 0) return size;
  const firstW = base >>> 5;
  let w = (base + size - 1) >>> 5;
  let word = map[w]! & maskTo(((base + size - 1) & 31) + 1);
  let scanned = 1;
  while (word === 0) {
    if (w <= firstW) {
      work.bitmapWordsScanned += scanned;
      return size;
    }
    w--;
    scanned++;
    word = map[w]!;
  }
  work.bitmapWordsScanned += scanned;
  return (w << 5) + 31 - Math.clz32(word) - base;
}

/** mirrors find_last_bit: the last set bit in [0, size), or size */
export function findLastBit(work: WorkCounters, map: Uint32Array, size: number): number {
  return findLastBitFrom(work, map, 0, size);
}

/** mirrors bitmap_weight: set bits in [0, size) */
export function bitmapWeight(work: WorkCounters, map: Uint32Array, size: number): number {
  let n = 0;
  const full = size >>> 5;
  for (let w = 0; w < full; w++) n += popcount32(map[w]!);
  if (size & 31) n += popcount32(map[full]! & maskTo(size & 31));
  work.bitmapWordsScanned += bitmapWords(size);
  return n;
}

export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * mirrors bitmap_find_next_zero_area_off: the first index >= start (aligned so that
 * index + alignOffset is a multiple of alignMask + 1) with `nr` clear bits below `size`;
 * a value > size - nr (index + nr) when there is none
 */
export function bitmapFindNextZeroAreaOff(
  work: WorkCounters,
  map: Uint32Array,
  size: number,
  start: number,
  nr: number,
  alignMask: number,
  alignOffset: number,
): number {
  for (;;) {
    let index = findNextZeroBit(work, map, size, start);
    index = ((index + alignOffset + alignMask) & ~alignMask) - alignOffset;
    const end = index + nr;
    if (end > size) return end;
    const i = findNextBit(work, map, end, index);
    if (i >= end) return index;
    start = i + 1;
  }
}
