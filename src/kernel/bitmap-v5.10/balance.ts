/**
 * v5.10's balance work (__pcpu_balance_workfn for the one chunk type in use): destroy every fully
 * free chunk but the head of the free list, then populate up to PCPU_EMPTY_POP_PAGES_HIGH empty
 * pages, creating a chunk when the lists run out. No reclaim of populated pages and no second
 * pass freeing chunks left without empty pages (both came in v5.14).
 */
import { freeSurplusChunks, populateEmptyPages } from '../bitmap/balance.ts';
import { chunkDepopulated, chunkPopulated, createChunk, destroyChunk } from '../bitmap/populate.ts';
import { chunkRelocate } from '../bitmap/slots.ts';
import type { PcpuState } from '../bitmap/state.ts';

/** mirrors pcpu_balance_workfn (v5.10) */
export function balanceWorkV510(state: PcpuState): void {
  state.balancePending = false;
  freeSurplusChunks(state, false, chunkDepopulated, destroyChunk);
  populateEmptyPages(state, chunkPopulated, createChunk, chunkRelocate);
}
