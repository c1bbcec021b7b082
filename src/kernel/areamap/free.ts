/** free_percpu of v4.13. */
import { InvariantError } from '../allocator.ts';
import { freeArea } from './free-area.ts';
import { freeAreaFast } from './fast-area.ts';
import type { AreamapState } from './state.ts';
import { chunkAddrSearch } from '../chunk-addr-search.ts';
import { scheduleBalanceWork } from './state.ts';

/**
 * mirrors free_percpu: give the area back, return its occupied pages to the empty count, and
 * wake the balance work when this made a second fully free chunk.
 */
export function freePercpu(s: AreamapState, chunkId: number, off: number): void {
  const chunk = chunkId === -1 ? s.reservedChunk : (s.chunks[chunkId] ?? null);
  if (chunk === null) throw new InvariantError(`free_percpu: no live chunk ${chunkId}`);
  chunkAddrSearch(s.platform, chunk === s.firstChunk || chunk === s.reservedChunk, chunk.baseAddr + off);

  if (s.fastPath) freeAreaFast(s, chunk, off);
  else freeArea(s, chunk, off);
  if (chunk !== s.reservedChunk) s.nrEmptyPopPages += s.occPages;

  if (chunk.freeSize === s.unitSize) {
    const lists = s.lists;
    for (let c = lists.first(s.freeSlot); c !== -1; c = lists.next(c)) {
      if (c !== chunk.id) {
        scheduleBalanceWork(s);
        break;
      }
    }
  }
  s.tracer?.freePercpu(chunk.id, chunk.baseAddr, off);
}
