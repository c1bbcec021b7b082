/**
 * The vmalloc address space as pcpu_get_vm_areas / pcpu_free_vm_areas use it: a range
 * [start, start + size) from which sets of congruent areas are carved top-down.
 *
 * Placement mirrors pcpu_get_vm_areas: the highest base, aligned to `align`, at which every
 * area [base + offsets[i], base + offsets[i] + sizes[i]) lies in free space; none found
 * means the space is exhausted (the kernel warns and returns NULL). Freed areas are free
 * again at once (the kernel's lazy purge is not modelled).
 */

interface AreaSet {
  starts: number[];
  ends: number[];
  bytes: number;
}

export class VmallocSpace {
  /** busy intervals, sorted by start, disjoint */
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
    const floorAlign = (x: number): number => Math.floor(x / align) * align;
    const lowest = Math.ceil(this.start / align) * align;
    let base = floorAlign(this.end - lastEnd);
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
          base = floorAlign(this.busyStart[k]! - offsets[i]! - sizes[i]!);
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
    for (let i = 0; i < set.starts.length; i++) {
      const k = this.firstBusyEndingAfter(set.starts[i]!);
      this.busyStart.splice(k, 1);
      this.busyEnd.splice(k, 1);
    }
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

  private insertBusy(s: number, e: number): void {
    const k = this.firstBusyEndingAfter(s);
    this.busyStart.splice(k, 0, s);
    this.busyEnd.splice(k, 0, e);
  }
}
