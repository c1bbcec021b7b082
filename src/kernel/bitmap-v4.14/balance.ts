/**
 * The v4.14 balance work (pcpu_balance_workfn): destroy every fully free chunk but one, then
 * populate pages until the global empty count reaches PCPU_EMPTY_POP_PAGES_HIGH. No reclaim of
 * populated pages and no isolation (those came in 5.14).
 */
import { findNextBit, findNextZeroBit } from '../bitops.ts';
import { createChunk, destroyChunk } from './lifecycle.ts';
import { freeSurplusChunks } from '../bitmap/balance.ts';
import { chunkOf } from '../bitmap/state.ts';
import { chunkDepopulated, chunkPopulated } from './populate.ts';
import { chunkRelocate, sizeToSlot } from './slots.ts';
import type { PcpuV414 } from './state.ts';

/** mirrors pcpu_balance_workfn (v4.14) */
export function balanceWorkfn(p: PcpuV414): void {
  p.balancePending = false;
  // the first half: every chunk on the free slot except its head is depopulated and destroyed
  freeSurplusChunks(p, false, chunkDepopulated, destroyChunk);
  populateEmptyPages(p);
}

/**
 * the second half: fill up to HIGH empty populated pages (all HIGH after an atomic failure),
 * taking the first chunk with unpopulated pages in each slot from a page's slot upward, and
 * creating a chunk when the slots run out
 */
function populateEmptyPages(p: PcpuV414): void {
  const lists = p.lists;
  const work = p.work;
  const high = p.knobs.emptyPopPagesHigh;
  for (;;) {
    let nrToPop: number;
    if (p.atomicAllocFailed) {
      nrToPop = high;
      p.atomicAllocFailed = false;
    } else {
      nrToPop = Math.min(Math.max(high - p.nrEmptyPopPages, 0), high);
    }

    for (let slot = sizeToSlot(p, p.pageSize); slot < p.nrSlots; slot++) {
      if (!nrToPop) break;
      let id = lists.first(slot);
      while (id !== -1 && chunkOf(p, id).nrPages === chunkOf(p, id).nrPopulated) id = lists.next(id);
      if (id === -1) continue;
      const c = chunkOf(p, id);
      let rs = findNextZeroBit(work, c.populated, c.nrPages, 0);
      let re = findNextBit(work, c.populated, c.nrPages, rs + 1);
      while (rs < re) {
        const nr = Math.min(re - rs, nrToPop);
        if (p.backend.populate(c.baseAddr, rs, rs + nr)) {
          nrToPop -= nr;
          chunkPopulated(p, c, rs, rs + nr, false);
        } else {
          nrToPop = 0;
        }
        if (!nrToPop) break;
        rs = findNextZeroBit(work, c.populated, c.nrPages, re + 1);
        re = findNextBit(work, c.populated, c.nrPages, rs + 1);
      }
    }

    if (!nrToPop) return;
    // ran out of chunks to populate: make one and try again
    const c = createChunk(p);
    if (!c) return;
    chunkRelocate(p, c, -1);
  }
}
