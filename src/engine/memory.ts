/**
 * What the per-CPU allocator holds at a moment, in one shape for every allocator version: the
 * memory a reader of /proc/meminfo would see (`Percpu:`), the chunks and address space behind
 * it, the allocator's own metadata, and what the workload has live.
 *
 * Footprint, everywhere in the reports: Percpu bytes (populated pages over every unit, the
 * first chunk included) plus the allocator's metadata bytes. vmalloc space is address space,
 * not memory, and is reported apart.
 */
import type { PercpuAllocator } from '../kernel/allocator.ts';
import type { Footprint } from './metered-platform.ts';

export interface MemoryMetrics {
  /** /proc/meminfo's Percpu: pcpu_nr_pages() × page size, i.e. populated_pages × page size */
  percpu_bytes: number;
  /** pages backing chunks over every unit, the first chunk's boot pages included (pcpu_nr_populated × pcpu_nr_units) */
  populated_pages: number;
  /** live chunks, reserved chunk excluded (the first chunk counts) */
  chunks: number;
  /** vmalloc address space held by created chunks */
  vmalloc_bytes: number;
  /** allocator metadata (chunk structs, bitmaps, block metadata, area maps) */
  metadata_bytes: number;
  /** percpu_bytes + metadata_bytes */
  footprint_bytes: number;
  /** allocations live (made and not yet freed, by any phase) */
  live_objects: number;
  /** bytes the live allocations asked for, per CPU (the calls' size argument) */
  live_bytes: number;
}

export const MEMORY_FIELDS = ['percpu_bytes', 'populated_pages', 'chunks', 'vmalloc_bytes', 'metadata_bytes', 'footprint_bytes', 'live_objects', 'live_bytes'] as const;

/** peak and end of a run, and what came back: peak − end, field by field */
export interface RunMemory {
  peak: MemoryMetrics;
  end: MemoryMetrics;
  returned: MemoryMetrics;
}

/**
 * The allocator's memory now. Pages follow pcpu_nr_pages() of v6.12 for every version (v4.13
 * and v4.14 have no pcpu_nr_populated; the same count is taken from their chunks): the first
 * chunk's boot pages, PFN_DOWN(static + reserved + dynamic size), plus the populated pages of
 * every created chunk, times the units of the first chunk's layout.
 */
export function memoryNow(allocator: PercpuAllocator, platform: { footprint(): Footprint }, pageSize: number, live: { objects: number; bytes: number }): MemoryMetrics {
  const ai = allocator.layout;
  const stats = allocator.stats();
  let pages = Math.floor((ai.static_size + ai.reserved_size + ai.dyn_size) / pageSize);
  for (const c of stats.chunks) if (c.id > 0) pages += c.nr_populated;
  const populated = pages * ai.nr_units;
  const f = platform.footprint();
  return {
    percpu_bytes: populated * pageSize,
    populated_pages: populated,
    chunks: stats.nr_chunks,
    vmalloc_bytes: f.vmalloc_bytes,
    metadata_bytes: f.metadata_bytes,
    footprint_bytes: populated * pageSize + f.metadata_bytes,
    live_objects: live.objects,
    live_bytes: live.bytes,
  };
}

export function emptyMemory(): MemoryMetrics {
  return { percpu_bytes: 0, populated_pages: 0, chunks: 0, vmalloc_bytes: 0, metadata_bytes: 0, footprint_bytes: 0, live_objects: 0, live_bytes: 0 };
}

/** peak (field by field) and end over the phase ends */
export function runMemory(phaseEnds: readonly MemoryMetrics[]): RunMemory {
  const peak = emptyMemory();
  const end = phaseEnds.length > 0 ? { ...phaseEnds[phaseEnds.length - 1]! } : emptyMemory();
  for (const m of phaseEnds) for (const k of MEMORY_FIELDS) peak[k] = Math.max(peak[k], m[k]);
  const returned = emptyMemory();
  for (const k of MEMORY_FIELDS) returned[k] = peak[k] - end[k];
  return { peak, end, returned };
}
