/**
 * The orders in which a phase frees the live allocations (indices into the live set):
 * the seed's three (in order, alternating = every even-indexed one first then the odd ones,
 * reverse) plus a seeded random order.
 */
export type FreeOrder = 'inorder' | 'alternating' | 'reverse' | 'random';
export const FREE_ORDERS: readonly FreeOrder[] = ['inorder', 'alternating', 'reverse', 'random'];

export function freeOrder(n: number, order: FreeOrder, random: () => number): Int32Array {
  const out = new Int32Array(n);
  if (order !== 'random') {
    for (let k = 0; k < n; k++) out[k] = fixedOrderAt(k, n, order);
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/**
 * The k-th index of a fixed order over n entries, computed rather than looked up (the free
 * phases of the seed's workload free a million objects: no order array for them); `freeOrder`
 * materialises the same sequences.
 */
export function fixedOrderAt(k: number, n: number, order: Exclude<FreeOrder, 'random'>): number {
  if (order === 'inorder') return k;
  if (order === 'reverse') return n - 1 - k;
  const evens = (n + 1) >> 1;
  return k < evens ? 2 * k : 2 * (k - evens) + 1;
}
