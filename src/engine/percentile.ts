/**
 * Latency percentiles of a phase without sorting a million values: the value of rank k (0-based,
 * ascending) found by selection, which is exactly `sorted[k]` of a sorted copy.
 */

/** `sorted[max(0, ceil(p * n) - 1)]` of the ascending order of `values` (0 when empty), for p = 0.5, 0.99, 1 */
export function latencyPercentiles(values: Float64Array): { p50: number; p99: number; max: number } {
  const n = values.length;
  if (n === 0) return { p50: 0, p99: 0, max: 0 };
  const rankOf = (p: number): number => Math.max(0, Math.ceil(p * n) - 1);
  let max = values[0]!;
  for (let i = 1; i < n; i++) if (values[i]! > max) max = values[i]!;
  const a = values.slice();
  const k99 = rankOf(0.99);
  const k50 = rankOf(0.5);
  const p99 = select(a, 0, n - 1, k99);
  // after selecting k99, everything at or below index k99 is <= a[k99]
  const p50 = select(a, 0, k99, k50);
  return { p50, p99, max: rankOf(1) === n - 1 ? max : select(a, 0, n - 1, rankOf(1)) };
}

/** the k-th smallest of a[lo..hi] (inclusive), rearranging that part of `a` around it */
function select(a: Float64Array, lo: number, hi: number, k: number): number {
  while (hi > lo) {
    // median of three as pivot, then a three-way partition (latencies repeat a lot)
    const mid = lo + ((hi - lo) >> 1);
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = a[i]!;
      if (v < pivot) {
        a[i] = a[lt]!;
        a[lt++] = v;
        i++;
      } else if (v > pivot) {
        a[i] = a[gt]!;
        a[gt--] = v;
      } else i++;
    }
    if (k < lt) hi = lt - 1;
    else if (k > gt) lo = gt + 1;
    else return pivot;
  }
  return a[k]!;
}
