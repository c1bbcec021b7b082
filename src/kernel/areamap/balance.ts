/** The v4.13 balance work (pcpu_balance_workfn). */
import { findNextBit, findNextZeroBit } from '../bitops.ts';
import { ChunkLists } from '../chunk-list.ts';
import { createChunk, destroyChunk } from './chunk-lifecycle.ts';
import { extendAreaMap, needToExtend } from './map-extend.ts';
import { chunkDepopulated, chunkPopulated } from './populated.ts';
import { chunkRelocate, sizeToSlot } from './slots.ts';
import type { AreamapState } from './state.ts';

/**
 * mirrors pcpu_balance_workfn, run to completion:
 * 1. destroy every fully free chunk but the head of the free slot (in reverse list order,
 *    as list_move onto a private list leaves them), depopulating each first;
 * 2. extend the maps of chunks queued by atomic requests, oldest first;
 * 3. populate pages until PCPU_EMPTY_POP_PAGES_HIGH are empty (all of them after an atomic
 *    failure): the first chunk with unpopulated pages in each slot from a page's slot up,
 *    lowest runs first, creating a chunk and retrying when the slots run out.
 * Depopulation here never flushes the TLB (vmalloc purges lazily).
 */
export function balanceWork(s: AreamapState, scratch: ChunkLists): void {
  s.balancePending = false;
  balanceFreeChunks(s, scratch);
  serviceMapExtensions(s);
  populateEmptyPages(s);
}

/** step 1; `scratch` is a one-list ChunkLists standing in for the kernel's on-stack to_free list */
function balanceFreeChunks(s: AreamapState, scratch: ChunkLists): void {
  const lists = s.lists;
  const head = lists.first(s.freeSlot);
  for (let c = head, next; c !== -1; c = next) {
    next = lists.next(c);
    if (c === head) continue;
    s.mapExtendQueue.del(c + 1);
    lists.del(c);
    scratch.ensure(c);
    scratch.add(c, 0);
    s.work.listMoves++;
  }

  for (let c = scratch.first(0), next; c !== -1; c = next) {
    next = scratch.next(c);
    scratch.del(c);
    const chunk = s.chunks[c]!;
    const populated = chunk.populated;
    const end = s.unitPages;
    let rs = 0;
    for (;;) {
      rs = findNextBit(s.work, populated, end, rs);
      const re = findNextZeroBit(s.work, populated, end, rs + 1);
      if (rs >= re) break;
      s.backend.depopulate(chunk.baseAddr, rs, re);
      chunkDepopulated(s, chunk, rs, re);
      rs = re + 1;
    }
    destroyChunk(s, chunk);
  }
}

/** step 2 */
function serviceMapExtensions(s: AreamapState): void {
  const queue = s.mapExtendQueue;
  for (let node = queue.first(0); node !== -1; node = queue.first(0)) {
    queue.del(node);
    const chunk = node === 0 ? s.reservedChunk : s.chunks[node - 1];
    if (!chunk) continue;
    const newAlloc = needToExtend(s, chunk, false);
    if (newAlloc !== 0) extendAreaMap(s, chunk, newAlloc);
  }
}

/** step 3 */
function populateEmptyPages(s: AreamapState): void {
  const lists = s.lists;
  const high = s.knobs.emptyPopPagesHigh;
  const firstSlot = sizeToSlot(s, s.pageSize);
  for (;;) {
    let nrToPop: number;
    if (s.atomicAllocFailed) {
      nrToPop = high;
      s.atomicAllocFailed = false;
    } else {
      nrToPop = Math.min(Math.max(high - s.nrEmptyPopPages, 0), high);
    }

    for (let slot = firstSlot; slot < s.nrSlots; slot++) {
      if (nrToPop === 0) break;
      let c = lists.first(slot);
      while (c !== -1 && s.unitPages - s.chunks[c]!.nrPopulated === 0) c = lists.next(c);
      if (c === -1) continue;

      const chunk = s.chunks[c]!;
      const populated = chunk.populated;
      const end = s.unitPages;
      let rs = 0;
      for (;;) {
        rs = findNextZeroBit(s.work, populated, end, rs);
        const re = findNextBit(s.work, populated, end, rs + 1);
        if (rs >= re) break;
        const nr = Math.min(re - rs, nrToPop);
        if (s.backend.populate(chunk.baseAddr, rs, rs + nr)) {
          nrToPop -= nr;
          chunkPopulated(s, chunk, rs, rs + nr);
        } else {
          nrToPop = 0;
        }
        if (nrToPop === 0) break;
        rs = re + 1;
      }
    }

    if (nrToPop === 0) return;
    const chunk = createChunk(s);
    if (chunk === null) return;
    chunkRelocate(s, chunk, -1);
  }
}
