/**
 * Figures that depend on NUMA distance (memory latency, bandwidth), written in a machine file
 * as a table keyed by SLIT distance: `{ '10': 89, '21': 139 }`. A distance between two listed
 * ones is interpolated linearly; one beyond the ends takes the nearest listed value.
 */

export type DistanceKeyed = Readonly<Record<string, number>>;

/** The value at SLIT distance `d`. `table` must have at least one integer key. */
export function valueAtDistance(table: DistanceKeyed, d: number): number {
  const keys = Object.keys(table)
    .map(Number)
    .sort((a, b) => a - b);
  const at = (k: number): number => table[String(k)]!;
  if (d <= keys[0]!) return at(keys[0]!);
  const last = keys[keys.length - 1]!;
  if (d >= last) return at(last);
  for (let i = 1; i < keys.length; i++) {
    const hi = keys[i]!;
    if (d <= hi) {
      const lo = keys[i - 1]!;
      return at(lo) + ((at(hi) - at(lo)) * (d - lo)) / (hi - lo);
    }
  }
  return at(last);
}

/** nodes × nodes matrix of `f(value at distance[a][b])`. */
export function nodeMatrix(distance: readonly (readonly number[])[], table: DistanceKeyed, f: (v: number) => number = (v) => v): number[][] {
  return distance.map((row) => row.map((d) => f(valueAtDistance(table, d))));
}
