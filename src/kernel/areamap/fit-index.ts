/**
 * A first-fit index over one chunk's area map, for the fast path (fast-area.ts). pcpu_alloc_area
 * walks the map from first_free to the first area that fits; with thousands of small free
 * areas that cannot take the request (4-byte holes before 8-byte-aligned requests), that walk
 * is the whole cost. The index finds the same area, and everything the walk would have
 * learned on the way (the largest free area it passed, the first free area it passed), in
 * logarithmic time plus one short walk.
 *
 * It is keyed by offset, not by map index, so inserting or removing map entries shifts
 * nothing in it: the chunk's offset range is cut into blocks of BLOCK_BYTES, and segment
 * trees over the blocks keep the largest free area starting in each block and, for each
 * alignment asked for so far, the most an aligned request could use of a free area starting
 * in it (its size minus the padding to the alignment). Map indices come from a binary search
 * of the map (it is sorted by offset).
 */
import type { AreamapChunk } from './chunk.ts';

const BLOCK_SHIFT = 8;
/** bytes of offset space per block */
const BLOCK_BYTES = 1 << BLOCK_SHIFT;
/** no free area in the block */
const NONE = -2147483648;
/** an end no map offset reaches (offsets are int32) */
const NO_END = 0x7fffffff;
/** map entry k sits at buf[k] before the chunk's gap and at buf[k + gapLen] from it on (chunk.ts); NO_GAP stands for no gap */
const NO_GAP = 0x3fffffff;

export class FitIndex {
  readonly nBlocks: number;
  /** leaves of the trees (a power of two); node k's children are 2k and 2k + 1 */
  private readonly leaves: number;
  /** largest free area starting in each block */
  private readonly maxFree: Int32Array;
  /** per alignment (> 2) asked for so far, in `aligns`: the most an aligned request could use of a free area starting in each block */
  private readonly usable: Int32Array[] = [];
  private readonly aligns: number[] = [];

  /** counts refreshes: a miss remembered at one version holds while the map is unchanged */
  private version = 0;
  /** the last request findFit answered with no fit, and what its walk saw */
  private missVersion = -1;
  private missScan = 0;
  private missUsed = 0;
  private missSize = 0;
  private missAlign = 0;
  private missMaxContig = 0;
  private missFirstFree = -1;

  // results of findFit
  /** the largest free area the walk passed before the fit (or all of them after first_free) */
  maxContig = 0;
  /** the first free area the walk passed before the fit, or -1 */
  firstFree = -1;

  constructor(chunk: AreamapChunk) {
    this.nBlocks = Math.max(1, (chunk.regionEnd + BLOCK_BYTES - 1) >> BLOCK_SHIFT);
    let l = 1;
    while (l < this.nBlocks) l *= 2;
    this.leaves = l;
    this.maxFree = this.buildTree(chunk, 0);
  }

  /** a tree over every free area of the map: sizes (align 0), or usable bytes at `align` */
  private buildTree(chunk: AreamapChunk, align: number): Int32Array {
    const L = this.leaves;
    const t = new Int32Array(2 * L).fill(NONE);
    const mask = align - 1;
    const used = chunk.mapUsed;
    let off = chunk.at(0);
    for (let i = 0; i < used; i++) {
      const next = chunk.at(i + 1);
      if ((off & 1) === 0) {
        const size = (next & ~1) - off;
        const v = align > 2 ? size - (((off + mask) & ~mask) - off) : size;
        const leaf = L + (off >> BLOCK_SHIFT);
        if (v > t[leaf]!) t[leaf] = v;
      }
      off = next;
    }
    for (let k = L - 1; k >= 1; k--) t[k] = Math.max(t[2 * k]!, t[2 * k + 1]!);
    return t;
  }

  private usableTree(chunk: AreamapChunk, align: number): Int32Array {
    if (align <= 2) return this.maxFree;
    const aligns = this.aligns;
    for (let a = 0; a < aligns.length; a++) if (aligns[a] === align) return this.usable[a]!;
    const t = this.buildTree(chunk, align);
    aligns.push(align);
    this.usable.push(t);
    if (aligns.length > this.scratchBest.length) this.scratchBest = new Int32Array(2 * aligns.length);
    return t;
  }

  /**
   * The first free area at or after map index `scanStart` that takes `size` bytes at `align`
   * (non-atomic: populated pages do not matter), or -1. Also sets `maxContig` and `firstFree`
   * to what the kernel's walk would have seen before it (or in all, on failure).
   */
  findFit(chunk: AreamapChunk, scanStart: number, size: number, align: number): number {
    const used = chunk.mapUsed;
    if (
      this.missVersion === this.version &&
      this.missScan === scanStart &&
      this.missUsed === used &&
      this.missSize === size &&
      this.missAlign === align
    ) {
      // the same request missed on this map before (chunks that filled up with holes too
      // small for it are walked on every allocation)
      this.maxContig = this.missMaxContig;
      this.firstFree = this.missFirstFree;
      return -1;
    }
    const mask = align - 1;
    const buf = chunk.buf;
    const gs = chunk.gapOpen ? chunk.gapStart : NO_GAP;
    const gl = chunk.gapLen;
    this.maxContig = 0;
    this.firstFree = -1;
    if (scanStart >= used) return -1;
    // the rest of scanStart's block. No area below first_free is free, so the block's leaves
    // describe exactly the free areas from scanStart to the block's end: unless one of them
    // fits, the leaves give the largest, and only the first free one needs finding.
    let i = scanStart;
    let off = buf[i < gs ? i : i + gl]!;
    const b0 = (off & ~1) >> BLOCK_SHIFT;
    const b0End = (b0 + 1) << BLOCK_SHIFT;
    const t = this.usableTree(chunk, align);
    if (t[this.leaves + b0]! < size) {
      const largest = this.maxFree[this.leaves + b0]!;
      if (largest !== NONE) {
        this.maxContig = largest;
        while ((off & 1) !== 0) {
          i++;
          off = buf[i < gs ? i : i + gl]!;
        }
        this.firstFree = i;
      }
    } else {
      const hit = this.walkEntries(chunk, i, b0End, size, mask);
      if (hit >= 0) return hit;
    }
    // whole blocks: the first whose best area fits
    const b = this.firstAtLeast(t, b0 + 1, size);
    const passedEnd = b < 0 ? this.nBlocks - 1 : b - 1;
    const passedMax = this.rangeMax(this.maxFree, b0 + 1, passedEnd);
    if (passedMax > this.maxContig) this.maxContig = passedMax;
    if (this.firstFree < 0) {
      const fb = this.firstAtLeast(this.maxFree, b0 + 1, 0);
      if (fb >= 0 && (b < 0 || fb < b)) {
        for (let j = lowerBound(chunk, fb << BLOCK_SHIFT); ; j++) {
          if ((buf[j < gs ? j : j + gl]! & 1) === 0) {
            this.firstFree = j;
            break;
          }
        }
      }
    }
    if (b < 0) {
      this.missVersion = this.version;
      this.missScan = scanStart;
      this.missUsed = used;
      this.missSize = size;
      this.missAlign = align;
      this.missMaxContig = this.maxContig;
      this.missFirstFree = this.firstFree;
      return -1;
    }
    // the fitting block, entry by entry
    const hit = this.walkEntries(chunk, lowerBound(chunk, b << BLOCK_SHIFT), NO_END, size, mask);
    if (hit >= 0) return hit;
    throw new Error(`fit index of chunk ${chunk.id}: block ${b} promised a fit that its areas do not hold`);
  }

  /**
   * the kernel's first-fit walk over map entries from index `i` while their offsets lie below
   * `end`: the index of the first free area that holds `size` at alignment `mask + 1`, or -1.
   * The free areas it passes raise `maxContig` and set `firstFree` when it is still -1.
   */
  private walkEntries(chunk: AreamapChunk, i: number, end: number, size: number, mask: number): number {
    const used = chunk.mapUsed;
    const buf = chunk.buf;
    const gs = chunk.gapOpen ? chunk.gapStart : NO_GAP;
    const gl = chunk.gapLen;
    let maxContig = this.maxContig;
    let firstFree = this.firstFree;
    let found = -1;
    let off = buf[i < gs ? i : i + gl]!;
    for (; i < used && (off & ~1) < end; i++) {
      const i1 = i + 1;
      const next = buf[i1 < gs ? i1 : i1 + gl]!;
      if ((off & 1) === 0) {
        const thisSize = (next & ~1) - off;
        const head = ((off + mask) & ~mask) - off;
        if (thisSize >= head + size) {
          found = i;
          break;
        }
        if (firstFree < 0) firstFree = i;
        if (thisSize > maxContig) maxContig = thisSize;
      }
      off = next;
    }
    this.maxContig = maxContig;
    this.firstFree = firstFree;
    return found;
  }

  /** recompute the block holding offset `off` from the map (after areas starting in it changed) */
  refresh(chunk: AreamapChunk, off: number): void {
    this.version++;
    const b = off >> BLOCK_SHIFT;
    if (b >= this.nBlocks) return;
    const start = b << BLOCK_SHIFT;
    const end = start + BLOCK_BYTES;
    const used = chunk.mapUsed;
    const buf = chunk.buf;
    const gs = chunk.gapOpen ? chunk.gapStart : NO_GAP;
    const gl = chunk.gapLen;
    const aligns = this.aligns;
    const nAligns = aligns.length;
    const bestAt = this.scratchBest;
    for (let a = 0; a < nAligns; a++) bestAt[a] = NONE;
    let best = NONE;
    let i = lowerBound(chunk, start);
    let o = buf[i < gs ? i : i + gl]!;
    // usable per alignment, computed in the same walk
    while (i < used && (o & ~1) < end) {
      const i1 = i + 1;
      const next = buf[i1 < gs ? i1 : i1 + gl]!;
      if ((o & 1) === 0) {
        const size = (next & ~1) - o;
        if (size > best) best = size;
        for (let a = 0; a < nAligns; a++) {
          const mask = aligns[a]! - 1;
          const v = size - (((o + mask) & ~mask) - o);
          if (v > bestAt[a]!) bestAt[a] = v;
        }
      }
      i = i1;
      o = next;
    }
    setLeaf(this.maxFree, this.leaves, b, best);
    for (let a = 0; a < nAligns; a++) setLeaf(this.usable[a]!, this.leaves, b, bestAt[a]!);
  }

  private scratchBest = new Int32Array(16);

  /** the first block >= from whose value is >= val, or -1 */
  private firstAtLeast(t: Int32Array, from: number, val: number): number {
    const L = this.leaves;
    if (from >= this.nBlocks) return -1;
    let i = from + L;
    if (t[i]! < val) {
      for (;;) {
        while (i & 1) {
          if (i === 1) return -1;
          i >>= 1;
        }
        if (i === 0) return -1;
        i++;
        if (t[i]! >= val) break;
      }
      while (i < L) {
        i *= 2;
        if (t[i]! < val) i++;
      }
    }
    const b = i - L;
    return b < this.nBlocks ? b : -1;
  }

  /** the largest value over blocks lo..hi (inclusive), NONE when empty */
  private rangeMax(t: Int32Array, lo: number, hi: number): number {
    let best = NONE;
    if (lo > hi) return best;
    let l = lo + this.leaves;
    let r = hi + this.leaves + 1;
    while (l < r) {
      if (l & 1) {
        if (t[l]! > best) best = t[l]!;
        l++;
      }
      if (r & 1) {
        r--;
        if (t[r]! > best) best = t[r]!;
      }
      l >>= 1;
      r >>= 1;
    }
    return best;
  }
}

function setLeaf(t: Int32Array, L: number, b: number, v: number): void {
  let i = L + b;
  t[i] = v;
  for (i >>= 1; i >= 1; i >>= 1) {
    const m = Math.max(t[2 * i]!, t[2 * i + 1]!);
    if (t[i] === m) break;
    t[i] = m;
  }
}

/** the first map index whose offset is >= off (the sentinel's index when none) */
export function lowerBound(chunk: AreamapChunk, off: number): number {
  const buf = chunk.buf;
  const gs = chunk.gapOpen ? chunk.gapStart : NO_GAP;
  const gl = chunk.gapLen;
  let lo = 0;
  let hi = chunk.mapUsed;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((buf[mid < gs ? mid : mid + gl]! & ~1) < off) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
