/**
 * Map buffers an extension left behind, kept for the next extension that needs one of the
 * same length. Growing a map by doubling
 * makes a fresh, zero-filled buffer every time, and with many chunks growing one after the
 * other most of the time went to the host getting fresh memory ready; the next chunk can use
 * the previous one's. Simulator bookkeeping only: the kernel's allocation, copy and counted
 * work are modelled in map-extend.ts as before.
 */
import type { AreamapState } from './state.ts';

/** a zero-filled buffer of `len` entries, reused when one of that length was retired */
export function takeMapBuffer(s: AreamapState, len: number): Int32Array {
  const cls = sizeClass(len);
  if (cls >= 0) {
    const buf = s.mapPool[cls];
    if (buf !== undefined && buf !== null) {
      s.mapPool[cls] = null;
      buf.fill(0);
      return buf;
    }
  }
  return new Int32Array(len);
}

/** `buf` is no longer any chunk's map; keep it if its length class has no buffer waiting */
export function retireMapBuffer(s: AreamapState, buf: Int32Array): void {
  const cls = sizeClass(buf.length);
  if (cls < 0) return;
  const have = s.mapPool[cls];
  if (have === undefined || have === null) s.mapPool[cls] = buf;
}

/** log2 of a power-of-two length (extensions always ask for one), else -1 */
function sizeClass(len: number): number {
  return len > 0 && (len & (len - 1)) === 0 ? 31 - Math.clz32(len) : -1;
}
