/**
 * The kernel's size and align arguments are size_t: a negative value from a caller becomes a
 * huge unsigned one, and the argument checks reject it with the usual warning. We stand in the
 * largest safe multiple of 4 for it, far above any legal size, so every port fails it the same way.
 */
const HUGE_SIZE_T = 2 ** 53 - 4;

export function asSizeT(v: number): number {
  return v < 0 || !Number.isFinite(v) ? HUGE_SIZE_T : v;
}
