/** Growing a chunk's area map, synchronously or through the balance work. */
import type { AreamapChunk } from './chunk.ts';
import {
  PCPU_ATOMIC_MAP_MARGIN_HIGH,
  PCPU_ATOMIC_MAP_MARGIN_LOW,
  PCPU_ATOMIC_MAP_MARGIN_MIN,
  PCPU_DFL_MAP_ALLOC,
} from './constants.ts';
import { retireMapBuffer, takeMapBuffer } from './map-pool.ts';
import type { AreamapState } from './state.ts';
import { scheduleBalanceWork } from './state.ts';

/**
 * mirrors pcpu_need_to_extend: the map length to grow to, or 0 when there is room. An atomic
 * request only needs room for its own insert, but queues the chunk for an asynchronous
 * extension (once) when fewer than PCPU_ATOMIC_MAP_MARGIN_LOW entries are spare; a sleeping
 * request grows the map to keep PCPU_ATOMIC_MAP_MARGIN_HIGH spare.
 */
export function needToExtend(s: AreamapState, chunk: AreamapChunk, atomic: boolean): number {
  let margin: number;
  if (atomic) {
    margin = PCPU_ATOMIC_MAP_MARGIN_MIN;
    if (chunk.mapAlloc < chunk.mapUsed + PCPU_ATOMIC_MAP_MARGIN_LOW) {
      const node = chunk.id + 1;
      if (s.mapExtendQueue.listOf(node) < 0) {
        s.mapExtendQueue.addTail(node, 0);
        scheduleBalanceWork(s);
      }
    }
  } else {
    margin = PCPU_ATOMIC_MAP_MARGIN_HIGH;
  }

  if (chunk.mapAlloc >= chunk.mapUsed + margin) return 0;
  let newAlloc = PCPU_DFL_MAP_ALLOC;
  while (newAlloc < chunk.mapUsed + margin) newAlloc *= 2;
  return newAlloc;
}

/**
 * mirrors pcpu_extend_area_map: allocate a zeroed map of `newAlloc` entries and switch to it
 * if it is still larger than the current one (the kernel allocates with the lock dropped).
 * Metadata allocation does not fail here, so neither does this.
 */
export function extendAreaMap(s: AreamapState, chunk: AreamapChunk, newAlloc: number): void {
  const platform = s.platform;
  const newBytes = newAlloc * 4;
  const newAddr = platform.metaAlloc(newBytes);
  if (newAlloc <= chunk.mapAlloc) {
    platform.metaFree(newAddr, newBytes);
    return;
  }
  const oldBytes = chunk.mapAlloc * 4;
  const map = takeMapBuffer(s, newAlloc);
  const old = chunk.map;
  map.set(old);
  platform.touchRead(chunk.mapAddr, oldBytes);
  platform.touchWrite(newAddr, oldBytes);
  s.work.bytesMoved += oldBytes;
  s.work.mapExtensions++;
  platform.metaFree(chunk.mapAddr, oldBytes);
  chunk.map = map;
  retireMapBuffer(s, old);
  chunk.mapAlloc = newAlloc;
  chunk.changed();
  chunk.mapAddr = newAddr;
}
