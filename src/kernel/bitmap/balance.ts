/**
 * The balance work (pcpu_balance_workfn): destroy surplus fully free chunks, give back empty
 * pages of isolated chunks, keep a few empty populated pages for atomic allocations, then
 * destroy free chunks left without populated empty pages.
 */
import { findNextBit, findNextZeroBit, testBit } from '../bitops.ts';
import type { BitmapChunk } from './chunk.ts';
import { MD_CONTIG, MD_STRIDE } from './chunk.ts';
import { chunkDepopulated, chunkPopulated, createChunk, depopulateAll, depopulateChunk, destroyChunk } from './populate.ts';
import { chunkRelocate, reintegrateChunk, sizeToSlot } from './slots.ts';
import type { PcpuCore, PcpuState } from './state.ts';
import { chunkOf, entryOf } from './state.ts';

/** mirrors pcpu_balance_free (v6.12) */
export function balanceFree(state: PcpuState, emptyOnly: boolean): void {
  if (state.chunkLifeRecorded) return;
  freeSurplusChunks(state, emptyOnly, chunkDepopulated, destroyChunk);
}

/**
 * pcpu_balance_free of every bitmap version (v4.14 has only the emptyOnly false case): keep the
 * head of the free list and destroy the others (all of them, or with emptyOnly only those without
 * empty populated pages), in reverse list order, each depopulated and destroyed the version's way
 */
export function freeSurplusChunks<S extends PcpuCore>(
  state: S,
  emptyOnly: boolean,
  depopulated: (s: S, chunk: BitmapChunk, pageStart: number, pageEnd: number) => void,
  destroy: (s: S, chunk: BitmapChunk) => void,
): void {
  const lists = state.lists;
  const head = lists.first(state.freeSlot);
  // list_move onto a private list reverses the order
  const toFree: BitmapChunk[] = [];
  for (let e = lists.first(state.freeSlot), n: number; e !== -1; e = n) {
    n = lists.next(e);
    if (e === head) continue;
    const chunk = chunkOf(state, e);
    if (!emptyOnly || chunk.nrEmptyPopPages === 0) {
      lists.del(e);
      state.work.listMoves++;
      toFree.push(chunk);
    }
  }
  for (let k = toFree.length - 1; k >= 0; k--) {
    const chunk = toFree[k]!;
    depopulateAll(state, chunk, depopulated);
    destroy(state, chunk);
  }
}

/** mirrors pcpu_balance_populated (v6.12) */
export function balancePopulated(state: PcpuState): void {
  populateEmptyPages(state, chunkPopulated, (s) => (s.chunkLifeRecorded ? null : createChunk(s)), chunkRelocate);
}

/**
 * pcpu_balance_populated of every bitmap version: populate up to the high watermark of empty
 * pages (all of it after an atomic failure), one chunk per slot from the page-sized slot up,
 * creating a chunk when nothing is left to populate; page bookkeeping, chunk creation and
 * relocation are the version's
 */
export function populateEmptyPages<S extends PcpuCore>(
  state: S,
  populated: (s: S, chunk: BitmapChunk, pageStart: number, pageEnd: number) => void,
  create: (s: S) => BitmapChunk | null,
  relocate: (s: S, chunk: BitmapChunk, oslot: number) => void,
): void {
  const lists = state.lists;
  const high = state.knobs.emptyPopPagesHigh;
  const work = state.work;
  for (;;) {
    let nrToPop: number;
    if (state.atomicAllocFailed) {
      nrToPop = high;
      state.atomicAllocFailed = false;
    } else {
      nrToPop = Math.min(Math.max(high - state.nrEmptyPopPages, 0), high);
    }

    for (let slot = sizeToSlot(state, state.pageSize); slot <= state.freeSlot; slot++) {
      if (!nrToPop) break;
      let chunk: BitmapChunk | null = null;
      for (let e = lists.first(slot); e !== -1; e = lists.next(e)) {
        const c = chunkOf(state, e);
        if (c.nrPages - c.nrPopulated) {
          chunk = c;
          break;
        }
      }
      if (!chunk) continue;

      const nrPages = chunk.nrPages;
      for (let rs = 0; ; ) {
        rs = findNextZeroBit(work, chunk.populated, nrPages, rs);
        if (rs >= nrPages) break;
        const re = findNextBit(work, chunk.populated, nrPages, rs + 1);
        const nr = Math.min(re - rs, nrToPop);
        if (state.backend.populate(chunk.baseAddr, rs, rs + nr)) {
          nrToPop -= nr;
          populated(state, chunk, rs, rs + nr);
        } else {
          nrToPop = 0;
        }
        if (!nrToPop) break;
        rs = re + 1;
      }
    }

    if (!nrToPop) return;
    // ran out of chunks to populate: make one and go again
    const fresh = create(state);
    if (!fresh) return;
    relocate(state, fresh, -1);
  }
}

/**
 * mirrors pcpu_reclaim_populated: for each chunk on to_depopulate (head first), depopulate its
 * empty populated pages from the top down, one TLB flush per chunk, then sideline it, or
 * reintegrate it when it is fully free or the system ran short of empty pages
 */
export function reclaimPopulated(state: PcpuState): void {
  const lists = state.lists;
  const bb = state.blockBits;
  const high = state.knobs.emptyPopPagesHigh;
  for (let e = lists.first(state.toDepopulateSlot); e !== -1; e = lists.first(state.toDepopulateSlot)) {
    const chunk = chunkOf(state, e);
    let freedStart = chunk.nrPages;
    let freedEnd = 0;
    let reintegrate = false;
    let end = -1;
    for (let i = chunk.nrPages - 1; i >= 0; i--) {
      if (chunk.nrEmptyPopPages === 0) break;
      if (state.nrEmptyPopPages < high) {
        reintegrate = true;
        break;
      }
      state.work.blockMdRead++;
      if (chunk.md[i * MD_STRIDE + MD_CONTIG] === bb && testBit(chunk.populated, i)) {
        if (end === -1) end = i;
        if (i > 0) continue;
        i--;
      }
      if (end === -1) continue;
      depopulateChunk(state, chunk, i + 1, end + 1);
      chunkDepopulated(state, chunk, i + 1, end + 1);
      freedStart = Math.min(freedStart, i + 1);
      freedEnd = Math.max(freedEnd, end + 1);
      end = -1;
    }
    if (freedStart < freedEnd) state.backend.postUnmapTlbFlush(chunk.baseAddr, freedStart, freedEnd);

    if (reintegrate || chunk.freeBytes === state.unitSize) {
      reintegrateChunk(state, chunk);
    } else {
      lists.moveTail(entryOf(chunk), state.sidelinedSlot);
      state.work.listMoves++;
    }
  }
}

/** mirrors pcpu_balance_workfn */
export function balanceWork(state: PcpuState): void {
  state.balancePending = false;
  balanceFree(state, false);
  reclaimPopulated(state);
  balancePopulated(state);
  balanceFree(state, true);
}
