/**
 * `x + c + c + ... + c` (k additions, each rounded as IEEE doubles round) without doing the k
 * additions: the result is bit for bit the one of the loop
 *
 *   for (let i = 0; i < k; i++) x += c;
 *
 * so that a cost summed line by line and the same cost summed run by run agree exactly.
 *
 * Why it works: while x and x + c lie in one binade [2^e, 2^(e+1)), every double there is a
 * multiple of u = 2^(e-52), and rounding x + c to the nearest multiple of u adds the same
 * amount d each time (c rounded to a multiple of u, the tie case aside). So the additions
 * form an arithmetic sequence until the sum reaches the next binade, where u doubles: at most
 * one jump per binade, a few explicit additions at the edges.
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** index of the high word of a double in `u32` (little-endian hosts: 1) */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** 2^n as a double, for normal exponents (-1022 <= n <= 1023) */
function pow2(n: number): number {
  f64[0] = 0;
  u32[HI] = (n + 1023) << 20;
  u32[1 - HI] = 0;
  return f64[0];
}

/** e with 2^e <= x < 2^(e+1), for a positive normal double x */
function exponentOf(x: number): number {
  f64[0] = x;
  return ((u32[HI]! >>> 20) & 0x7ff) - 1023;
}

/** 2^53: the number of grid steps u in one binade's span [2^e, 2^(e+1)) doubled */
const TWO53 = 9007199254740992;

/**
 * The result of adding `c` to `x`, `k` times, one rounded addition at a time. For x >= 0,
 * c > 0 and finite, k a non-negative integer (the cases a cost sum meets); anything else is
 * added one by one.
 */
export function addRepeated(x: number, c: number, k: number): number {
  if (!(c > 0) || !(x >= 0) || !Number.isFinite(c) || !Number.isFinite(x)) {
    for (let i = 0; i < k; i++) x += c;
    return x;
  }
  while (k > 0) {
    // small counts, and sums still below c (their binade is not x's): plain additions
    if (k < 4 || x < c || x < 2.2250738585072014e-308 * TWO53) {
      x += c;
      k--;
      continue;
    }
    const e = exponentOf(x);
    const u = pow2(e - 52);
    const m = Math.floor(c / u); // exact: c / u is a power-of-two scaling, c <= x < 2^53 u
    const r = c - m * u; // exact
    if (r * 2 === u) {
      // a tie: the rounding depends on the parity of x; add it explicitly
      x += c;
      k--;
      continue;
    }
    const d = r * 2 < u ? m * u : (m + 1) * u;
    if (d === 0) return x; // c is below half a grid step: x never moves again
    // in units of u: X = x / u, and a step from X rounds on this grid while X + m + r/u < 2^53
    const X = x / u;
    const D = d / u;
    const iMax = Math.floor((TWO53 - 1 - m - X) / D);
    if (iMax < 0) {
      x += c; // this addition reaches the next binade
      k--;
      continue;
    }
    const steps = Math.min(k, iMax + 1);
    x += steps * d; // exact: a multiple of u, at most 2^(e+1)
    k -= steps;
  }
  return x;
}
