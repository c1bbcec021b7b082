/**
 * Modeled per-call latencies of a phase, binned on a log scale (four bins per doubling), so a
 * million calls fit in a few dozen numbers and the rare slow calls (a chunk created, pages
 * populated) stay visible next to the common fast ones.
 */

export const BINS_PER_OCTAVE = 4;

export interface LatencyHistogram {
  phase: string;
  /** bin k holds latencies in [2^(k/4), 2^((k+1)/4)) ns; counts[i] is bin firstBin + i */
  firstBin: number;
  counts: number[];
  /** calls that took under 1 ns (nothing charged) */
  zero: number;
  total: number;
  maxNs: number;
}

/** the bin a latency falls in, or -Infinity below 1 ns */
export function binOf(ns: number): number {
  return ns < 1 ? -Infinity : Math.floor(Math.log2(ns) * BINS_PER_OCTAVE + 1e-9);
}

/** lower edge of bin k, in ns */
export function binStart(k: number): number {
  return 2 ** (k / BINS_PER_OCTAVE);
}

export function latencyHistogram(phase: string, latenciesNs: ArrayLike<number>): LatencyHistogram {
  let zero = 0;
  let lo = Infinity;
  let hi = -Infinity;
  let maxNs = 0;
  for (let i = 0; i < latenciesNs.length; i++) {
    const v = latenciesNs[i]!;
    if (v > maxNs) maxNs = v;
    const b = binOf(v);
    if (b === -Infinity) {
      zero++;
      continue;
    }
    if (b < lo) lo = b;
    if (b > hi) hi = b;
  }
  const counts: number[] = hi >= lo ? new Array<number>(hi - lo + 1).fill(0) : [];
  for (let i = 0; i < latenciesNs.length; i++) {
    const b = binOf(latenciesNs[i]!);
    if (b !== -Infinity) counts[b - lo]!++;
  }
  return { phase, firstBin: hi >= lo ? lo : 0, counts, zero, total: latenciesNs.length, maxNs };
}
