/**
 * The bitmap primitives against a naive bit-by-bit reference, over small drawn bitmaps
 * (sizes around word edges, sparse and dense fills, every offset).
 */
import { describe, expect, it } from 'vitest';
import {
  bitmapClear,
  bitmapFindNextZeroAreaOff,
  bitmapSet,
  bitmapWeight,
  ctz32,
  ffs0,
  findLastBit,
  findLastBitFrom,
  findNextBit,
  findNextZeroBit,
  fls,
  testBit,
} from '../../src/kernel/bitops.ts';
import { newWorkCounters } from '../../src/kernel/platform.ts';

/** a tiny deterministic generator so failures reproduce */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function drawBits(rand: () => number, size: number, density: number): boolean[] {
  return Array.from({ length: size }, () => rand() < density);
}

function toMap(bits: boolean[], extraWords = 1): Uint32Array {
  const map = new Uint32Array(((bits.length + 31) >>> 5) + extraWords);
  bits.forEach((b, i) => {
    if (b) map[i >>> 5] |= 1 << (i & 31);
  });
  return map;
}

const SIZES = [1, 5, 31, 32, 33, 63, 64, 65, 100, 128, 130];
const DENSITIES = [0, 0.05, 0.5, 0.95, 1];

describe('find_next_bit / find_next_zero_bit', () => {
  it('match the naive search for every offset, size and fill', () => {
    const rand = rng(1);
    const work = newWorkCounters();
    for (const size of SIZES) {
      for (const d of DENSITIES) {
        const bits = drawBits(rand, size, d);
        const map = toMap(bits);
        // bits beyond size are set, as neighbouring blocks' bits are in the kernel's maps
        for (let i = size; i < map.length * 32; i++) map[i >>> 5] |= 1 << (i & 31);
        for (let off = 0; off <= size + 2; off++) {
          let nb = size;
          for (let i = off; i < size; i++) if (bits[i]) { nb = i; break; }
          let nz = size;
          for (let i = off; i < size; i++) if (!bits[i]) { nz = i; break; }
          expect(findNextBit(work, map, size, off)).toBe(nb);
          expect(findNextZeroBit(work, map, size, off)).toBe(nz);
        }
      }
    }
    expect(work.bitmapWordsScanned).toBeGreaterThan(0);
  });

  it('counts one word per 32 bits walked', () => {
    const work = newWorkCounters();
    const map = new Uint32Array(4);
    map[3] = 1;
    expect(findNextBit(work, map, 128, 0)).toBe(96);
    expect(work.bitmapWordsScanned).toBe(4);
  });
});

describe('find_last_bit', () => {
  it('returns the last set bit below size, or size when there is none', () => {
    const rand = rng(2);
    const work = newWorkCounters();
    for (const size of SIZES) {
      for (const d of DENSITIES) {
        const bits = drawBits(rand, 160, d);
        const map = toMap(bits);
        for (let s = 0; s <= size; s++) {
          let want = s;
          for (let i = s - 1; i >= 0; i--) if (bits[i]) { want = i; break; }
          expect(findLastBit(work, map, s)).toBe(want);
        }
      }
    }
  });

  it('works on a sub-bitmap starting at a word boundary, ignoring bits before it', () => {
    const work = newWorkCounters();
    const map = new Uint32Array(4);
    map[0] = 0xffffffff;
    expect(findLastBitFrom(work, map, 32, 40)).toBe(40);
    map[2] = 1 << 3;
    expect(findLastBitFrom(work, map, 32, 40)).toBe(35);
    expect(findLastBitFrom(work, map, 32, 35)).toBe(35);
  });
});

describe('bitmap_set / bitmap_clear / bitmap_weight', () => {
  it('change exactly the requested range', () => {
    const rand = rng(3);
    const work = newWorkCounters();
    for (let trial = 0; trial < 400; trial++) {
      const size = 1 + Math.floor(rand() * 150);
      const bits = drawBits(rand, size, 0.5);
      const map = toMap(bits);
      const start = Math.floor(rand() * size);
      const len = Math.floor(rand() * (size - start + 1));
      const set = rand() < 0.5;
      if (set) bitmapSet(map, start, len);
      else bitmapClear(map, start, len);
      for (let i = start; i < start + len; i++) bits[i] = set;
      for (let i = 0; i < size; i++) expect(testBit(map, i)).toBe(bits[i]);
      expect(bitmapWeight(work, map, size)).toBe(bits.filter(Boolean).length);
    }
  });
});

describe('bitmap_find_next_zero_area_off', () => {
  it('finds the first aligned run of clear bits like the naive search', () => {
    const rand = rng(4);
    const work = newWorkCounters();
    for (let trial = 0; trial < 500; trial++) {
      const size = 1 + Math.floor(rand() * 140);
      const bits = drawBits(rand, size, [0.1, 0.3, 0.7][trial % 3]!);
      const map = toMap(bits);
      const start = Math.floor(rand() * size);
      const nr = 1 + Math.floor(rand() * 12);
      const align = [1, 2, 4, 8, 16][Math.floor(rand() * 5)]!;
      let want = -1;
      for (let i = Math.ceil(start / align) * align; i + nr <= size; i += align) {
        let ok = true;
        for (let j = i; j < i + nr; j++) if (bits[j]) { ok = false; break; }
        if (ok) { want = i; break; }
      }
      const got = bitmapFindNextZeroAreaOff(work, map, size, start, nr, align - 1, 0);
      if (want >= 0) expect(got).toBe(want);
      else expect(got + nr).toBeGreaterThan(size);
    }
  });
});

describe('word helpers', () => {
  it('ctz, __ffs and fls agree with their definitions', () => {
    for (let b = 0; b < 32; b++) {
      expect(ctz32(1 << b)).toBe(b);
      expect(ctz32((1 << b) | (b < 31 ? 1 << 31 : 0))).toBe(b);
      expect(fls(1 << b)).toBe(b + 1);
    }
    expect(fls(0)).toBe(0);
    expect(fls(4096)).toBe(13);
    expect(ffs0(3872)).toBe(5);
    expect(ffs0(2 ** 40)).toBe(40);
  });
});
