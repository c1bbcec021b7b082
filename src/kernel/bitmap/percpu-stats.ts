/**
 * The v6.12 allocator as /sys/kernel/debug/percpu_stats shows it (mm/percpu-stats.c): chunks
 * in list order with their derived fragment fields, plus the page-by-page occupancy the
 * reports draw. The run walk and the occupancy serve v4.14 too (same chunk storage).
 */
import type { AllocInfo, KernelVersion } from '../allocator.ts';
import { findLastBit, findNextBit, popcount32, testBit } from '../bitops.ts';
import { newWorkCounters } from '../platform.ts';
import type { ChunkOccupancy, ChunkRole, PercpuChunkView, PercpuStatsCounters, PercpuStatsView } from '../percpu-stats.ts';
import { addBytesPerPage, nrUnits, statsAllocInfo, summarizeFragments } from '../percpu-stats.ts';
import type { BitmapChunk } from './chunk.ts';
import { MD_CONTIG, MD_FIRST_FREE } from './chunk.ts';
import type { PcpuState } from './state.ts';
import { PCPU_MIN_ALLOC_SIZE, chunkOf } from './state.ts';

/**
 * mirrors the walk of chunk_map_stats (v4.14 on): from the region start to just past the last
 * allocated bit, the size of each allocation (found by its boundary bit, positive) and of each
 * free run (negative), in bytes. Kept as the kernel does it, including the search for the last
 * allocation stopping one bit before the hidden tail.
 */
export function bitmapChunkRuns(chunk: BitmapChunk): Int32Array {
  // the stats reader's own scanning is not the allocator's work
  const scratch = newWorkCounters();
  const alloc = chunk.allocMap;
  const size = chunk.mapBits - chunk.endOffset / PCPU_MIN_ALLOC_SIZE - 1;
  let lastAlloc = findLastBit(scratch, alloc, size);
  lastAlloc = lastAlloc >= 0 && testBit(alloc, lastAlloc) ? lastAlloc + 1 : 0;
  const runs: number[] = [];
  let start = chunk.startOffset / PCPU_MIN_ALLOC_SIZE;
  while (start < lastAlloc) {
    let end: number;
    let sign: number;
    if (testBit(alloc, start)) {
      end = findNextBit(scratch, chunk.boundMap, lastAlloc, start + 1);
      sign = 1;
    } else {
      end = findNextBit(scratch, alloc, lastAlloc, start + 1);
      sign = -1;
    }
    runs.push(sign * (end - start) * PCPU_MIN_ALLOC_SIZE);
    start = end;
  }
  return Int32Array.from(runs);
}

/** set bits of `map` in [from, to) */
function countBits(map: Uint32Array, from: number, to: number): number {
  let n = 0;
  let bit = from;
  while (bit < to && bit & 31) n += testBit(map, bit++) ? 1 : 0;
  for (; bit + 32 <= to; bit += 32) n += popcount32(map[bit >>> 5]!);
  while (bit < to) n += testBit(map, bit++) ? 1 : 0;
  return n;
}

/** page by page: allocated bytes (hidden head and tail excluded), hidden bytes, populated */
export function bitmapOccupancy(chunk: BitmapChunk, pageSize: number): ChunkOccupancy {
  const pages = chunk.nrPages;
  const bitsPerPage = pageSize / PCPU_MIN_ALLOC_SIZE;
  const allocated = new Int32Array(pages);
  const hidden = new Int32Array(pages);
  const populated = new Uint8Array(pages);
  const regionEnd = pages * pageSize - chunk.endOffset;
  addBytesPerPage(hidden, pageSize, 0, chunk.startOffset);
  addBytesPerPage(hidden, pageSize, regionEnd, pages * pageSize);
  for (let p = 0; p < pages; p++) {
    allocated[p] = countBits(chunk.allocMap, p * bitsPerPage, (p + 1) * bitsPerPage) * PCPU_MIN_ALLOC_SIZE - hidden[p]!;
    populated[p] = testBit(chunk.populated, p) ? 1 : 0;
  }
  return { pageSize, allocated, hidden, populated };
}

/** one chunk's percpu_stats fields (v4.14 keeps first_bit and contig_bits in the same record) */
export function bitmapChunkView(
  chunk: BitmapChunk,
  role: ChunkRole,
  list: number,
  counters: PercpuStatsCounters,
  pageSize: number,
): PercpuChunkView {
  const c = chunk.chunkMd;
  return {
    id: chunk.id,
    role,
    list,
    nr_alloc: counters.chunkNrAlloc(chunk.id),
    max_alloc_size: counters.chunkMaxAllocSize(chunk.id),
    empty_pop_pages: chunk.nrEmptyPopPages,
    first_bit: chunk.md[c + MD_FIRST_FREE]!,
    free_bytes: chunk.freeBytes,
    contig_bytes: chunk.md[c + MD_CONTIG]! * PCPU_MIN_ALLOC_SIZE,
    ...summarizeFragments(bitmapChunkRuns(chunk)),
    nr_pages: chunk.nrPages,
    nr_populated: chunk.nrPopulated,
    occupancy: bitmapOccupancy(chunk, pageSize),
  };
}

/**
 * mirrors percpu_stats_show (v5.10 to v6.18): the reserved chunk, then every list in slot order
 * (a version without the sidelined and to_depopulate lists never labels a chunk so)
 */
export function bitmapPercpuStats(state: PcpuState, ai: AllocInfo, counters: PercpuStatsCounters, kernel: KernelVersion = 'v6.12'): PercpuStatsView {
  const chunks: PercpuChunkView[] = [];
  if (state.reservedChunk) chunks.push(bitmapChunkView(state.reservedChunk, 'reserved', -1, counters, state.pageSize));
  for (let slot = 0; slot < state.nrSlots; slot++) {
    for (const entry of state.lists.toArray(slot)) {
      const chunk = chunkOf(state, entry);
      const role: ChunkRole =
        chunk === state.firstChunk ? 'first' : slot === state.toDepopulateSlot ? 'to_depopulate' : slot === state.sidelinedSlot ? 'sidelined' : 'other';
      chunks.push(bitmapChunkView(chunk, role, slot, counters, state.pageSize));
    }
  }
  return {
    kernel,
    ai: statsAllocInfo(ai),
    global: { ...counters.global },
    empty_pop_pages: state.nrEmptyPopPages,
    nr_pages: state.nrPopulated * nrUnits(ai),
    page_size: state.pageSize,
    chunks,
  };
}
