/**
 * The v4.14 balance work (pcpu_balance_workfn): destroy every fully free chunk but one, then
 * populate pages until the global empty count reaches PCPU_EMPTY_POP_PAGES_HIGH. No reclaim of
 * populated pages and no isolation (those came in 5.14).
 */
import { createChunk, destroyChunk } from './lifecycle.ts';
import { freeSurplusChunks, populateEmptyPages } from '../bitmap/balance.ts';
import type { BitmapChunk } from './chunk.ts';
import { chunkDepopulated, chunkPopulated } from './populate.ts';
import { chunkRelocate } from './slots.ts';
import type { PcpuV414 } from './state.ts';

/** mirrors pcpu_balance_workfn (v4.14) */
export function balanceWorkfn(p: PcpuV414): void {
  p.balancePending = false;
  // the first half: every chunk on the free slot except its head is depopulated and destroyed
  freeSurplusChunks(p, false, chunkDepopulated, destroyChunk);
  // the second half: populate up to HIGH empty pages, creating a chunk when the slots run out
  populateEmptyPages(p, populatedEmpty, createChunk, chunkRelocate);
}

/** chunkPopulated for pages the balance work populates ahead of need: they count as empty */
function populatedEmpty(p: PcpuV414, c: BitmapChunk, pageStart: number, pageEnd: number): void {
  chunkPopulated(p, c, pageStart, pageEnd, false);
}
