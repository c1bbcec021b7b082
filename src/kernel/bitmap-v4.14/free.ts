/** The v4.14 free entry (free_percpu). */
import { freeArea } from './area.ts';
import { anotherFreeChunk } from '../bitmap/free.ts';
import type { PcpuV414 } from './state.ts';
import { chunkAddrSearch } from '../chunk-addr-search.ts';

/**
 * mirrors free_percpu (v4.14): give the area back, and wake the balance work when this made a
 * second fully free chunk
 */
export function freePercpu(p: PcpuV414, chunkId: number, off: number): void {
  const chunk = p.chunks[chunkId + 1] ?? null;
  if (!chunk) throw new RangeError(`free_percpu: no live chunk ${chunkId}`);
  // the reserved chunk (id -1) and the first chunk (id 0) are the embedded ones
  chunkAddrSearch(p.platform, chunkId <= 0, chunk.baseAddr + off);
  freeArea(p, chunk, off);

  if (chunk.freeBytes === p.unitSize && anotherFreeChunk(p, chunk)) p.scheduleBalanceWork();
  p.tracer?.freePercpu(chunk.id, chunk.baseAddr, off);
}
