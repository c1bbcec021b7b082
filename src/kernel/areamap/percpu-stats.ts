/**
 * The v4.13 allocator as /sys/kernel/debug/percpu_stats shows it (mm/percpu-stats.c of 4.13):
 * the derived fields come from the area map itself, and the chunk fields are free_size and
 * contig_hint (no empty-page count, no first bit).
 */
import type { AllocInfo } from '../allocator.ts';
import { testBit } from '../bitops.ts';
import type { ChunkOccupancy, ChunkRole, PercpuChunkView, PercpuStatsCounters, PercpuStatsView } from '../percpu-stats.ts';
import { addBytesPerPage, statsAllocInfo, summarizeFragments } from '../percpu-stats.ts';
import type { AreamapChunk } from './chunk.ts';
import type { AreamapState } from './state.ts';

/** chunk->has_reserved: set on both boot-time chunks, whose map entry 0 is the static area (and reserved area) */
function hasReserved(s: AreamapState, chunk: AreamapChunk): boolean {
  return chunk === s.firstChunk || chunk === s.reservedChunk;
}

/**
 * mirrors the walk of chunk_map_stats (v4.13): the map areas from the first one past the
 * boot-time entry up to the last area in use, allocated ones positive and free ones negative
 */
export function areamapChunkRuns(s: AreamapState, chunk: AreamapChunk): Int32Array {
  const map = chunk.map;
  const sIndex = hasReserved(s, chunk) ? 1 : 0;
  let lastAlloc = -1;
  for (let i = chunk.mapUsed - 1; i >= sIndex; i--) {
    if (map[i]! & 1) {
      lastAlloc = i;
      break;
    }
  }
  if (lastAlloc < sIndex) return new Int32Array(0);
  const runs = new Int32Array(lastAlloc + 1 - sIndex);
  for (let i = 0; i < runs.length; i++) {
    const p = sIndex + i;
    runs[i] = (map[p]! & 1 ? 1 : -1) * ((map[p + 1]! & ~1) - (map[p]! & ~1));
  }
  return runs;
}

/** page by page over the unit: bytes in use, bytes outside the chunk's region, populated */
export function areamapOccupancy(s: AreamapState, chunk: AreamapChunk): ChunkOccupancy {
  const ps = s.pageSize;
  const pages = s.unitPages;
  const allocated = new Int32Array(pages);
  const hidden = new Int32Array(pages);
  const populated = new Uint8Array(pages);
  const map = chunk.map;
  const sIndex = hasReserved(s, chunk) ? 1 : 0;
  addBytesPerPage(hidden, ps, 0, sIndex ? map[1]! & ~1 : 0);
  addBytesPerPage(hidden, ps, chunk.regionEnd, pages * ps);
  for (let i = sIndex; i < chunk.mapUsed; i++) {
    if (map[i]! & 1) addBytesPerPage(allocated, ps, map[i]! & ~1, map[i + 1]! & ~1);
  }
  for (let p = 0; p < pages; p++) populated[p] = testBit(chunk.populated, p) ? 1 : 0;
  return { pageSize: ps, allocated, hidden, populated };
}

function chunkView(s: AreamapState, chunk: AreamapChunk, role: ChunkRole, list: number, counters: PercpuStatsCounters): PercpuChunkView {
  return {
    id: chunk.id,
    role,
    list,
    nr_alloc: counters.chunkNrAlloc(chunk.id),
    max_alloc_size: counters.chunkMaxAllocSize(chunk.id),
    empty_pop_pages: null,
    first_bit: null,
    free_bytes: chunk.freeSize,
    contig_bytes: chunk.contigHint,
    ...summarizeFragments(areamapChunkRuns(s, chunk)),
    nr_pages: s.unitPages,
    nr_populated: chunk.nrPopulated,
    occupancy: areamapOccupancy(s, chunk),
  };
}

/** mirrors percpu_stats_show (v4.13): the reserved chunk, then every slot list in order */
export function areamapPercpuStats(s: AreamapState, ai: AllocInfo, counters: PercpuStatsCounters): PercpuStatsView {
  const chunks: PercpuChunkView[] = [];
  if (s.reservedChunk) chunks.push(chunkView(s, s.reservedChunk, 'reserved', -1, counters));
  for (let slot = 0; slot < s.nrSlots; slot++) {
    for (const id of s.lists.toArray(slot)) {
      const chunk = s.chunks[id]!;
      chunks.push(chunkView(s, chunk, chunk === s.firstChunk ? 'first' : 'other', slot, counters));
    }
  }
  return {
    kernel: 'v4.13',
    ai: statsAllocInfo(ai),
    global: { ...counters.global },
    empty_pop_pages: s.nrEmptyPopPages,
    nr_pages: null,
    page_size: s.pageSize,
    chunks,
  };
}
