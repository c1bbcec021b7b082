/**
 * The orders in which a phase frees the live allocations (indices into the live set):
 * the seed's three (in order, alternating = every even-indexed one first then the odd ones,
 * reverse) plus a seeded random order.
 */
export type FreeOrder = 'inorder' | 'alternating' | 'reverse' | 'random';
export const FREE_ORDERS: readonly FreeOrder[] = ['inorder', 'alternating', 'reverse', 'random'];

export function freeOrder(n: number, order: FreeOrder, random: () => number): Int32Array {
  const out = new Int32Array(n);
  switch (order) {
    case 'inorder':
      for (let i = 0; i < n; i++) out[i] = i;
      break;
    case 'reverse':
      for (let i = 0; i < n; i++) out[i] = n - 1 - i;
      break;
    case 'alternating': {
      let k = 0;
      for (let i = 0; i < n; i += 2) out[k++] = i;
      for (let i = 1; i < n; i += 2) out[k++] = i;
      break;
    }
    case 'random':
      for (let i = 0; i < n; i++) out[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        const t = out[i]!;
        out[i] = out[j]!;
        out[j] = t;
      }
      break;
  }
  return out;
}
