/**
 * CONFIG_PERCPU_STATS as data: the counters mm/percpu-internal.h keeps (struct percpu_stats and
 * the per-chunk nr_alloc / max_alloc_size), and the view of the allocator that
 * mm/percpu-stats.c prints as /sys/kernel/debug/percpu_stats. Each allocator builds the view
 * from its own state (src/kernel/<allocator>/percpu-stats.ts); src/report/percpu-stats.ts
 * turns it into the kernel's text. Nothing here does I/O.
 *
 * The counters are fed by the tracepoints: every successful area allocation, every free and
 * every chunk creation and destruction fires one, exactly where the kernel bumps the matching
 * counter. The one place they differ is an allocation whose area was found but whose pages
 * could not be populated: the kernel counts it as an allocation and a free; the allocator
 * class reports it through `populateFailed`.
 */
import type { AllocInfo, KernelVersion, PercpuTracer } from './allocator.ts';

/** struct percpu_stats */
export interface PercpuGlobalStats {
  nr_alloc: number;
  nr_dealloc: number;
  nr_cur_alloc: number;
  nr_max_alloc: number;
  nr_chunks: number;
  nr_max_chunks: number;
  min_alloc_size: number;
  max_alloc_size: number;
}

/** which header percpu_stats prints above a chunk */
export type ChunkRole = 'reserved' | 'first' | 'sidelined' | 'to_depopulate' | 'other';

/** What a chunk holds, page by page (a page is also a hint block in the bitmap allocators). */
export interface ChunkOccupancy {
  pageSize: number;
  /** bytes of each page held by live allocations */
  allocated: Int32Array;
  /** bytes of each page outside the chunk's allocatable region (static area, hidden head and tail) */
  hidden: Int32Array;
  /** 1 where the page is populated */
  populated: Uint8Array;
}

/** the derived fields chunk_map_stats computes, in bytes */
export interface FragmentSummary {
  sum_frag: number;
  max_frag: number;
  cur_min_alloc: number;
  cur_med_alloc: number;
  cur_max_alloc: number;
}

export interface PercpuChunkView extends FragmentSummary {
  id: number;
  role: ChunkRole;
  /** the chunk list it sits on, -1 for none (the reserved chunk) */
  list: number;
  nr_alloc: number;
  max_alloc_size: number;
  /** chunk->nr_empty_pop_pages; null in v4.13 */
  empty_pop_pages: number | null;
  /** chunk_md.first_free (v6.12), chunk->first_bit (v4.14); null in v4.13 */
  first_bit: number | null;
  /** free_bytes (v4.14 on), free_size (v4.13) */
  free_bytes: number;
  /** contig hint in bytes: contig_bytes (v4.14 on), contig_hint (v4.13) */
  contig_bytes: number;
  nr_pages: number;
  nr_populated: number;
  occupancy: ChunkOccupancy;
}

/** The allocator as percpu_stats and /proc/meminfo see it. */
export interface PercpuStatsView {
  kernel: KernelVersion;
  /** pcpu_stats_ai: the allocation info saved at setup */
  ai: Pick<AllocInfo, 'unit_size' | 'static_size' | 'reserved_size' | 'dyn_size' | 'atom_size' | 'alloc_size'>;
  global: PercpuGlobalStats;
  /** pcpu_nr_empty_pop_pages */
  empty_pop_pages: number;
  /** pcpu_nr_pages(): populated pages over every unit, for meminfo; null before v4.16 */
  nr_pages: number | null;
  page_size: number;
  /** in the order percpu_stats prints them: the reserved chunk, then list by list */
  chunks: PercpuChunkView[];
}

/** The CONFIG_PERCPU_STATS counters, fed as a tracer that passes every event on downstream. */
export class PercpuStatsCounters implements PercpuTracer {
  /** the tracer the engine or a test attached */
  downstream: PercpuTracer | null = null;
  readonly global: PercpuGlobalStats;
  /** per chunk, by id + 1 */
  private readonly nrAlloc: number[] = [];
  private readonly maxAlloc: number[] = [];
  /** size of the last failed request, as the fail tracepoint saw it (rounded) */
  private lastFailSize = 0;

  /** mirrors pcpu_stats_save_ai (min_alloc_size starts at the unit size) and the first chunk's pcpu_stats_chunk_alloc */
  constructor(unitSize: number) {
    this.global = {
      nr_alloc: 0,
      nr_dealloc: 0,
      nr_cur_alloc: 0,
      nr_max_alloc: 0,
      nr_chunks: 1,
      nr_max_chunks: 1,
      min_alloc_size: unitSize,
      max_alloc_size: 0,
    };
  }

  chunkNrAlloc(id: number): number {
    return this.nrAlloc[id + 1] ?? 0;
  }

  chunkMaxAllocSize(id: number): number {
    return this.maxAlloc[id + 1] ?? 0;
  }

  /** mirrors pcpu_stats_area_alloc; `chunkId` null when the caller cannot name the chunk */
  areaAlloc(chunkId: number | null, size: number): void {
    const g = this.global;
    g.nr_alloc++;
    g.nr_cur_alloc++;
    if (g.nr_cur_alloc > g.nr_max_alloc) g.nr_max_alloc = g.nr_cur_alloc;
    if (size < g.min_alloc_size) g.min_alloc_size = size;
    if (size > g.max_alloc_size) g.max_alloc_size = size;
    if (chunkId === null) return;
    const k = chunkId + 1;
    this.nrAlloc[k] = (this.nrAlloc[k] ?? 0) + 1;
    if (size > (this.maxAlloc[k] ?? 0)) this.maxAlloc[k] = size;
  }

  /** mirrors pcpu_stats_area_dealloc */
  areaDealloc(chunkId: number | null): void {
    this.global.nr_dealloc++;
    this.global.nr_cur_alloc--;
    if (chunkId !== null) this.nrAlloc[chunkId + 1] = (this.nrAlloc[chunkId + 1] ?? 0) - 1;
  }

  /** an area was allocated, then freed again because its pages could not be populated */
  populateFailed(chunkId: number | null): void {
    this.areaAlloc(chunkId, this.lastFailSize);
    this.areaDealloc(chunkId);
  }

  allocPercpu(reserved: boolean, atomic: boolean, size: number, align: number, chunkId: number, baseAddr: number, off: number, accounted = false): void {
    this.areaAlloc(chunkId, size);
    this.downstream?.allocPercpu(reserved, atomic, size, align, chunkId, baseAddr, off, accounted);
  }

  freePercpu(chunkId: number, baseAddr: number, off: number): void {
    this.areaDealloc(chunkId);
    this.downstream?.freePercpu(chunkId, baseAddr, off);
  }

  allocPercpuFail(reserved: boolean, atomic: boolean, size: number, align: number): void {
    this.lastFailSize = size;
    this.downstream?.allocPercpuFail(reserved, atomic, size, align);
  }

  /** mirrors pcpu_stats_chunk_alloc */
  createChunk(chunkId: number, baseAddr: number): void {
    const g = this.global;
    g.nr_chunks++;
    if (g.nr_chunks > g.nr_max_chunks) g.nr_max_chunks = g.nr_chunks;
    this.downstream?.createChunk(chunkId, baseAddr);
  }

  /** mirrors pcpu_stats_chunk_dealloc */
  destroyChunk(chunkId: number, baseAddr: number): void {
    this.global.nr_chunks--;
    this.downstream?.destroyChunk(chunkId, baseAddr);
  }

  warn(text: string): void {
    this.downstream?.warn(text);
  }
}

/**
 * mirrors the second half of chunk_map_stats: sorts the signed run sizes (allocations
 * positive, free fragments negative), sums the free ones and takes the largest, then the
 * smallest, median and largest allocation
 */
export function summarizeFragments(runs: Int32Array): FragmentSummary {
  const out: FragmentSummary = { sum_frag: 0, max_frag: 0, cur_min_alloc: 0, cur_med_alloc: 0, cur_max_alloc: 0 };
  const n = runs.length;
  if (n === 0) return out;
  const sorted = Int32Array.from(runs).sort();
  let i = 0;
  for (; i < n && sorted[i]! < 0; i++) {
    out.sum_frag -= sorted[i]!;
    out.max_frag = Math.max(out.max_frag, -sorted[i]!);
  }
  // the kernel reads past the fragments here; a walk always ends on an allocation, so i < n
  out.cur_min_alloc = sorted[i] ?? 0;
  out.cur_med_alloc = sorted[Math.trunc((i + n - 1) / 2)]!;
  out.cur_max_alloc = sorted[n - 1]!;
  return out;
}

/** the allocation info fields percpu_stats prints */
export function statsAllocInfo(ai: AllocInfo): PercpuStatsView['ai'] {
  return {
    unit_size: ai.unit_size,
    static_size: ai.static_size,
    reserved_size: ai.reserved_size,
    dyn_size: ai.dyn_size,
    atom_size: ai.atom_size,
    alloc_size: ai.alloc_size,
  };
}

/** pcpu_nr_units: every unit of every group, unused ones included */
export function nrUnits(ai: AllocInfo): number {
  return ai.groups.reduce((n, g) => n + g.nr_units, 0);
}

/** Adds [from, to) byte ranges to per-page byte counts. */
export function addBytesPerPage(perPage: Int32Array, pageSize: number, from: number, to: number): void {
  let at = from;
  while (at < to) {
    const page = Math.floor(at / pageSize);
    const end = Math.min(to, (page + 1) * pageSize);
    if (page >= 0 && page < perPage.length) perPage[page]! += end - at;
    at = end;
  }
}
