/** Doubling growth for the struct-of-arrays state generators keep. */
export function growInt32(a: Int32Array<ArrayBuffer>, minLength: number): Int32Array<ArrayBuffer> {
  if (a.length >= minLength) return a;
  const b = new Int32Array(Math.max(minLength, a.length * 2, 16));
  b.set(a);
  return b;
}

export function growFloat64(a: Float64Array<ArrayBuffer>, minLength: number): Float64Array<ArrayBuffer> {
  if (a.length >= minLength) return a;
  const b = new Float64Array(Math.max(minLength, a.length * 2, 16));
  b.set(a);
  return b;
}

/** The first `k` entries of a seeded partial Fisher-Yates shuffle of `list[0..n)`, in place. */
export function pickRandom(list: Int32Array, n: number, k: number, random: () => number): void {
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = list[i]!;
    list[i] = list[j]!;
    list[j] = t;
  }
}
