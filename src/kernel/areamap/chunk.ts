/**
 * One v4.13 chunk (struct pcpu_chunk): the area map and the populated-page bitmap.
 *
 * The map is an `Int32Array` of `mapAlloc` entries. Entry k holds the start offset of area k
 * with bit 0 set while the area is in use; area k ends where entry k+1 starts. `mapUsed`
 * entries are live and `map[mapUsed]` is the sentinel, `end | 1`. Offsets are even, which is
 * why pcpu_alloc rounds sizes to 2 and raises alignments to 2.
 */
import { bitmapWords } from '../bitops.ts';
import type { FitIndex } from './fit-index.ts';

const CLEAN = 0x7fffffff;
/** gap moves of up to this many entries copy by hand: copyWithin's call costs more than the copy */
const SHORT_MOVE = 16;

export class AreamapChunk {
  /** 0 first chunk, -1 reserved chunk, 1.. created chunks (never reused) */
  readonly id: number;
  /** base_addr: offsets count from here (for the first chunk: the start of the unit) */
  baseAddr = 0;

  /**
   * The map's storage. The fast path (fast-area.ts) keeps a gap in it, so that inserting or
   * removing entries moves only the entries between the last edit and this one instead of the
   * whole tail; `map` closes the gap first, so every other reader sees the kernel's layout.
   */
  buf: Int32Array;
  /** a gap of gapLen unused entries sits before logical entry gapStart (else the gap is after the sentinel) */
  gapOpen = false;
  gapStart = 0;
  gapLen = 0;
  /** the fast path's first-fit index over this map (built when a scan gets long; keyed by offsets, so it survives map growth) */
  fitIndex: FitIndex | null = null;
  /** the fast path's guess for the next free: the map index of the area the last free left (a hint only, never trusted) */
  freeHint = 0;

  /** the map as the kernel lays it out: entries 0..map_used, the sentinel last */
  get map(): Int32Array {
    if (this.gapOpen) this.closeGap();
    return this.buf;
  }

  set map(m: Int32Array) {
    this.buf = m;
    this.gapOpen = false;
  }

  /** map[i] for 0 <= i <= map_used, wherever the gap is */
  at(i: number): number {
    return this.gapOpen && i >= this.gapStart ? this.buf[i + this.gapLen]! : this.buf[i]!;
  }

  /** map[i] = v */
  setAt(i: number, v: number): void {
    if (this.gapOpen && i >= this.gapStart) this.buf[i + this.gapLen] = v;
    else this.buf[i] = v;
  }

  /** moves the gap to just before logical entry `pos` (0 <= pos <= map_used + 1) */
  moveGap(pos: number): void {
    const buf = this.buf;
    if (!this.gapOpen) {
      this.gapOpen = true;
      this.gapStart = this.mapUsed + 1;
      this.gapLen = buf.length - this.gapStart;
    }
    const g = this.gapStart;
    const len = this.gapLen;
    if (pos < g) {
      if (g - pos <= SHORT_MOVE) for (let j = g - 1; j >= pos; j--) buf[j + len] = buf[j]!;
      else buf.copyWithin(pos + len, pos, g);
    } else if (pos > g) {
      if (pos - g <= SHORT_MOVE) for (let j = g; j < pos; j++) buf[j] = buf[j + len]!;
      else buf.copyWithin(g, g + len, pos + len);
    }
    this.gapStart = pos;
  }

  /** `n` new entries before logical entry `pos` (their values to be set); map_used grows by n */
  insertEntries(pos: number, n: number): void {
    this.moveGap(pos);
    this.gapStart += n;
    this.gapLen -= n;
    this.mapUsed += n;
  }

  /** removes logical entries pos..pos+n-1; map_used shrinks by n */
  removeEntries(pos: number, n: number): void {
    this.moveGap(pos);
    this.gapLen += n;
    this.mapUsed -= n;
  }

  private closeGap(): void {
    this.moveGap(this.mapUsed + 1);
    this.gapOpen = false;
  }

  /** map_alloc: entries allocated (the map's length) */
  mapAlloc: number;
  /** map_used: live entries before the sentinel */
  mapUsed = 0;
  /** synthetic metadata address of the map, for touch reports */
  mapAddr = 0;
  /** synthetic metadata address of the chunk struct and its populated bitmap */
  structAddr = 0;
  structBytes = 0;

  /** free_size: free bytes per the map (bytes donated to a neighbour are not free) */
  freeSize = 0;
  /** contig_hint: at least the largest free area; may overestimate */
  contigHint = 0;
  /** first_free: map index with no free area below it */
  firstFree = 0;

  /** populated: one bit per page of the unit */
  readonly populated: Uint32Array;
  nrPopulated = 0;
  /** immutable: the first chunk's pages are never (de)populated */
  immutable = false;
  /** end offset of the chunk's region (the sentinel's offset); fixed for the chunk's life */
  regionEnd = 0;

  /**
   * What changed since the invariant checker last looked, so it can recheck only that: map
   * entries below `dirtyLo` are untouched, and so are the last `cleanTail` entries (the
   * sentinel included; an insert or removal shifts them without changing them).
   */
  dirtyLo = 0;
  cleanTail = 0;
  /** the checker's record of the last state it verified (see invariants.ts) */
  readonly checked = { shadow: new Int32Array(0), used: 0, free: 0, emptyPages: 0, hint: 0, firstFree: 0 };

  /** map entries lo..hi (current indices) may have changed; later entries may have shifted */
  mapChanged(lo: number, hi: number): void {
    if (lo < this.dirtyLo) this.dirtyLo = lo;
    const tail = this.mapUsed - hi;
    if (tail < this.cleanTail) this.cleanTail = tail;
  }

  /** anything may have changed (populated pages, a new map): the checker rechecks it all */
  changed(): void {
    this.dirtyLo = 0;
    this.cleanTail = 0;
  }

  get dirty(): boolean {
    return this.dirtyLo !== CLEAN;
  }

  /** the checker is done with this state */
  markChecked(): void {
    this.dirtyLo = CLEAN;
    this.cleanTail = CLEAN;
  }

  constructor(id: number, unitPages: number, mapAlloc: number) {
    this.id = id;
    this.buf = new Int32Array(mapAlloc);
    this.mapAlloc = mapAlloc;
    this.populated = new Uint32Array(bitmapWords(unitPages));
  }
}
