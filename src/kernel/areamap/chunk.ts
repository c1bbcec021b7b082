/**
 * One v4.13 chunk (struct pcpu_chunk): the area map and the populated-page bitmap.
 *
 * The map is an `Int32Array` of `mapAlloc` entries. Entry k holds the start offset of area k
 * with bit 0 set while the area is in use; area k ends where entry k+1 starts. `mapUsed`
 * entries are live and `map[mapUsed]` is the sentinel, `end | 1`. Offsets are even, which is
 * why pcpu_alloc rounds sizes to 2 and raises alignments to 2.
 */
import { bitmapWords } from '../bitops.ts';

const CLEAN = 0x7fffffff;

export class AreamapChunk {
  /** 0 first chunk, -1 reserved chunk, 1.. created chunks (never reused) */
  readonly id: number;
  /** base_addr: offsets count from here (for the first chunk: the start of the unit) */
  baseAddr = 0;

  map: Int32Array;
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
    this.map = new Int32Array(mapAlloc);
    this.mapAlloc = mapAlloc;
    this.populated = new Uint32Array(bitmapWords(unitPages));
  }
}
