/**
 * A weighted distribution of request shapes: each entry is a size (or an inclusive range of
 * sizes, drawn uniformly) with an alignment and a weight. `draw` sets `size` and `align`
 * instead of returning an object, so drawing allocates nothing.
 */
export interface SizeEntry {
  /** bytes, or [min, max] drawn uniformly (whole bytes) */
  size: number | [number, number];
  align: number;
  weight: number;
}

export class SizeDistribution {
  size = 0;
  align = 0;
  private readonly lo: Int32Array;
  private readonly hi: Int32Array;
  private readonly aligns: Int32Array;
  /** cumulative weights, normalised so the last is 1 */
  private readonly cum: Float64Array;

  constructor(entries: readonly SizeEntry[]) {
    const n = entries.length;
    if (n === 0) throw new Error('SizeDistribution: no entries');
    this.lo = new Int32Array(n);
    this.hi = new Int32Array(n);
    this.aligns = new Int32Array(n);
    this.cum = new Float64Array(n);
    let total = 0;
    entries.forEach((e, i) => {
      const [lo, hi] = typeof e.size === 'number' ? [e.size, e.size] : e.size;
      this.lo[i] = lo;
      this.hi[i] = hi;
      this.aligns[i] = e.align;
      total += e.weight;
      this.cum[i] = total;
    });
    for (let i = 0; i < n; i++) this.cum[i] = this.cum[i]! / total;
    this.cum[n - 1] = 1;
  }

  /** one draw: the entry first (by weight), then the size within its range; uses one or two numbers of `random` */
  draw(random: () => number): void {
    const u = random();
    let i = 0;
    while (u >= this.cum[i]! && i < this.cum.length - 1) i++;
    const lo = this.lo[i]!;
    const hi = this.hi[i]!;
    this.size = lo === hi ? lo : lo + Math.floor(random() * (hi - lo + 1));
    this.align = this.aligns[i]!;
  }
}
