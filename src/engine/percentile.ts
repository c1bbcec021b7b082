/**
 * Latency percentiles of a phase without sorting a million values: the value of rank k (0-based,
 * ascending), which is exactly `sorted[k]` of a sorted copy.
 *
 * Latencies are non-negative doubles, and for those the order of the numbers is the order of
 * their bit patterns read as unsigned integers. So a rank is found radix-style: count the values
 * per value of the top 16 bits, find the bucket holding the rank, and repeat on that bucket's
 * values with the next 16 bits; the values sharing the whole high word go to a selection.
 * Anything else (a negative value, -0, NaN) is sorted, as before.
 */

const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** `sorted[max(0, ceil(p * n) - 1)]` of the ascending order of `values` (0 when empty), for p = 0.5, 0.99, 1 */
export function latencyPercentiles(values: Float64Array): { p50: number; p99: number; max: number } {
  const n = values.length;
  if (n === 0) return { p50: 0, p99: 0, max: 0 };
  const rankOf = (p: number): number => Math.max(0, Math.ceil(p * n) - 1);
  let max = values[0]!;
  let plain = true;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!(v >= 0) || (v === 0 && 1 / v < 0)) plain = false;
    if (v > max) max = v;
  }
  if (!plain) {
    const sorted = values.slice().sort();
    return { p50: sorted[rankOf(0.5)]!, p99: sorted[rankOf(0.99)]!, max: sorted[n - 1]! };
  }
  return { p50: rankValue(values, rankOf(0.5)), p99: rankValue(values, rankOf(0.99)), max };
}

/** the k-th smallest of non-negative `values`, radix by bit pattern */
function rankValue(values: Float64Array, k: number): number {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const counts = new Int32Array(65536);
  // level 1: top 16 bits of the high word, over every value
  for (let i = HI; i < words.length; i += 2) counts[words[i]! >>> 16]++;
  let b1 = 0;
  for (; b1 < 65536; b1++) {
    if (k < counts[b1]!) break;
    k -= counts[b1]!;
  }
  // level 2: the low 16 bits of the high word, over bucket b1
  counts.fill(0);
  for (let i = HI; i < words.length; i += 2) {
    const w = words[i]!;
    if (w >>> 16 === b1) counts[w & 0xffff]++;
  }
  let b2 = 0;
  for (; b2 < 65536; b2++) {
    if (k < counts[b2]!) break;
    k -= counts[b2]!;
  }
  // the values whose whole high word matches: select among them by value
  const hiWord = ((b1 << 16) | b2) >>> 0;
  const cnt = counts[b2]!;
  const cand = new Float64Array(cnt);
  let c = 0;
  for (let i = HI, x = 0; i < words.length; i += 2, x++) if (words[i] === hiWord) cand[c++] = values[x]!;
  return select(cand, 0, cnt - 1, k);
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
