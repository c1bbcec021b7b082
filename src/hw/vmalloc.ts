/**
 * The vmalloc address space as pcpu_get_vm_areas / pcpu_free_vm_areas use it: a range
 * [start, start + size) from which sets of congruent areas are carved top-down.
 *
 * Placement mirrors pcpu_get_vm_areas: the highest base, aligned to `align`, at which every
 * area [base + offsets[i], base + offsets[i] + sizes[i]) lies in free space; none found
 * means the space is exhausted (the kernel warns and returns NULL). Freed areas are free
 * again at once (the kernel's lazy purge is not modelled).
 *
 * Busy space is kept as maximal runs (areas that touch are one run), so a base lowered past a
 * conflict skips a whole packed run at once: every base inside a run would overlap it anyway,
 * so the highest fitting base is the one the area-by-area walk finds.
 */

interface AreaSet {
  starts: number[];
  ends: number[];
  bytes: number;
}

export class VmallocSpace {
  /** busy runs, sorted by start, disjoint and not touching */
  private busyStart: number[] = [];
  private busyEnd: number[] = [];
  private readonly sets = new Map<number, AreaSet>();
  bytesInUse = 0;
  peakBytes = 0;

  /** @param start first address (aligned to every atom used); @param size bytes */
  constructor(
    readonly start: number,
    readonly size: number,
  ) {}

  get end(): number {
    return this.start + this.size;
  }

  get areaSets(): number {
    return this.sets.size;
  }

  /**
   * Carves one area per group; returns the common base (area i at base + offsets[i]),
   * or -1 when no aligned base fits.
   */
  alloc(offsets: readonly number[], sizes: readonly number[], align: number): number {
    const n = offsets.length;
    if (n === 0 || sizes.length !== n) throw new RangeError('pcpu_get_vm_areas: expected one size per offset');
    if (!(align > 0) || !Number.isInteger(Math.log2(align))) throw new RangeError(`pcpu_get_vm_areas: align ${align} is not a power of two`);
    let lastEnd = 0;
    for (let i = 0; i < n; i++) {
      if (offsets[i]! % align !== 0 || sizes[i]! % align !== 0) throw new RangeError(`pcpu_get_vm_areas: area ${i} (offset ${offsets[i]}, size ${sizes[i]}) is not aligned to ${align}`);
      lastEnd = Math.max(lastEnd, offsets[i]! + sizes[i]!);
    }
    const lowest = Math.ceil(this.start / align) * align;
    let base = Math.floor((this.end - lastEnd) / align) * align;
    // lower the base past each conflict until every area fits, or the space runs out
    for (;;) {
      if (base < lowest) return -1;
      let moved = false;
      for (let i = 0; i < n && !moved; i++) {
        if (sizes[i] === 0) continue;
        const s = base + offsets[i]!;
        const e = s + sizes[i]!;
        const k = this.firstBusyEndingAfter(s);
        if (k < this.busyStart.length && this.busyStart[k]! < e) {
          base = Math.floor((this.busyStart[k]! - offsets[i]! - sizes[i]!) / align) * align;
          moved = true;
        }
      }
      if (!moved) break;
    }
    const set: AreaSet = { starts: [], ends: [], bytes: 0 };
    for (let i = 0; i < n; i++) {
      if (sizes[i] === 0) continue;
      const s = base + offsets[i]!;
      this.insertBusy(s, s + sizes[i]!);
      set.starts.push(s);
      set.ends.push(s + sizes[i]!);
      set.bytes += sizes[i]!;
    }
    this.sets.set(base, set);
    this.bytesInUse += set.bytes;
    if (this.bytesInUse > this.peakBytes) this.peakBytes = this.bytesInUse;
    return base;
  }

  /** Releases the areas handed out at `base`; returns how many areas that was. */
  free(base: number): number {
    const set = this.sets.get(base);
    if (!set) throw new RangeError(`pcpu_free_vm_areas: no areas at ${base}`);
    this.sets.delete(base);
    for (let i = 0; i < set.starts.length; i++) this.releaseBusy(set.starts[i]!, set.ends[i]!);
    this.bytesInUse -= set.bytes;
    return set.starts.length;
  }

  /** index of the first busy interval whose end is above `addr` */
  private firstBusyEndingAfter(addr: number): number {
    let lo = 0;
    let hi = this.busyEnd.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.busyEnd[mid]! <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** [s, e) becomes busy (it was free): joined with the runs it touches */
  private insertBusy(s: number, e: number): void {
    const starts = this.busyStart;
    const ends = this.busyEnd;
    // the first run ending at or after s: the one s may extend, or the first above it
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid]! < s) lo = mid + 1;
      else hi = mid;
    }
    const k = lo;
    const joinsBelow = k < ends.length && ends[k] === s;
    const aboveAt = joinsBelow ? k + 1 : k;
    const joinsAbove = aboveAt < starts.length && starts[aboveAt] === e;
    if (joinsBelow && joinsAbove) {
      ends[k] = ends[k + 1]!;
      starts.splice(k + 1, 1);
      ends.splice(k + 1, 1);
    } else if (joinsBelow) ends[k] = e;
    else if (joinsAbove) starts[aboveAt] = s;
    else {
      starts.splice(k, 0, s);
      ends.splice(k, 0, e);
    }
  }

  /** [s, e) becomes free again: cut out of the run that holds it */
  private releaseBusy(s: number, e: number): void {
    const k = this.firstBusyEndingAfter(s);
    const runStart = this.busyStart[k]!;
    const runEnd = this.busyEnd[k]!;
    if (runStart === s && runEnd === e) {
      this.busyStart.splice(k, 1);
      this.busyEnd.splice(k, 1);
    } else if (runStart === s) this.busyStart[k] = e;
    else if (runEnd === e) this.busyEnd[k] = s;
    else {
      this.busyEnd[k] = s;
      this.busyStart.splice(k + 1, 0, e);
      this.busyEnd.splice(k + 1, 0, runEnd);
    }
  }
}
