/**
 * The file-level statics of v4.13 mm/percpu.c (pcpu_slot, pcpu_nr_empty_pop_pages,
 * pcpu_map_extend_chunks, ...) gathered on one object per allocator instance, so runs and
 * tests never share state.
 */
import type { KernelKnobs, PercpuTracer } from '../allocator.ts';
import type { ChunkBackend, UnitGeometry } from '../chunk-backend.ts';
import { ChunkLists } from '../chunk-list.ts';
import type { Platform, WorkCounters } from '../platform.ts';
import { pcpuMinUnitSize } from '../constants.ts';
import type { AreamapChunk } from './chunk.ts';
import { PCPU_SLOT_BASE_SHIFT, PCPU_WARN_LIMIT } from './constants.ts';
import { fls } from '../bitops.ts';

export interface AreamapState {
  readonly platform: Platform;
  readonly work: WorkCounters;
  readonly geo: UnitGeometry;
  readonly backend: ChunkBackend;
  readonly knobs: KernelKnobs;
  tracer: PercpuTracer | null;

  readonly pageSize: number;
  readonly pageShift: number;
  /** pcpu_unit_size / pcpu_unit_pages */
  readonly unitSize: number;
  readonly unitPages: number;
  /** PCPU_MIN_UNIT_SIZE: also the largest legal request */
  readonly maxAllocSize: number;
  /** pcpu_nr_slots = __pcpu_size_to_slot(unit_size) + 2; the last slot holds fully free chunks */
  readonly nrSlots: number;
  readonly freeSlot: number;

  /** pcpu_slot[]: chunk lists by slot, chunks by id */
  readonly lists: ChunkLists;
  /** pcpu_map_extend_chunks: one list, chunks by id + 1 (room for the reserved chunk, -1) */
  readonly mapExtendQueue: ChunkLists;

  /** live chunks by id (index 0 the first chunk); destroyed ones are null */
  readonly chunks: (AreamapChunk | null)[];
  firstChunk: AreamapChunk;
  reservedChunk: AreamapChunk | null;
  nextChunkId: number;

  /** pcpu_nr_empty_pop_pages (the reserved chunk does not count) */
  nrEmptyPopPages: number;
  /** the balance work item is queued */
  balancePending: boolean;
  /** pcpu_atomic_alloc_failed */
  atomicAllocFailed: boolean;
  /** pcpu_alloc's static warn_limit */
  warnLimit: number;

  /** pcpu_alloc_area / pcpu_free_area's occ_pages out parameter */
  occPages: number;
  /**
   * run pcpu_alloc_area / pcpu_free_area as fast-area.ts does (gap in the map, first-fit index),
   * the default; false runs the straightforward ports (alloc-area.ts, free-area.ts)
   */
  fastPath: boolean;
  /** retired map buffers by log2 of their length, one each at most (map-pool.ts) */
  readonly mapPool: (Int32Array | null)[];
}

/** the state right after pcpu_setup_first_chunk built its chunks, before they are linked in */
export function newAreamapState(
  platform: Platform,
  geo: UnitGeometry,
  backend: ChunkBackend,
  knobs: KernelKnobs,
  firstChunk: AreamapChunk,
  reservedChunk: AreamapChunk | null,
): AreamapState {
  const nrSlots = sizeToSlotRaw(geo.unitSize) + 2;
  const chunks: (AreamapChunk | null)[] = [firstChunk];
  return {
    platform,
    work: platform.work,
    geo,
    backend,
    knobs,
    tracer: null,
    pageSize: geo.pageSize,
    pageShift: 31 - Math.clz32(geo.pageSize),
    unitSize: geo.unitSize,
    unitPages: geo.unitPages,
    maxAllocSize: pcpuMinUnitSize(geo.pageSize),
    nrSlots,
    freeSlot: nrSlots - 1,
    lists: new ChunkLists(nrSlots),
    mapExtendQueue: new ChunkLists(1),
    chunks,
    firstChunk,
    reservedChunk,
    nextChunkId: 1,
    nrEmptyPopPages: 0,
    balancePending: false,
    atomicAllocFailed: false,
    warnLimit: PCPU_WARN_LIMIT,
    occPages: 0,
    fastPath: true,
    mapPool: [],
  };
}

/** mirrors __pcpu_size_to_slot */
export function sizeToSlotRaw(size: number): number {
  return Math.max(fls(size) - PCPU_SLOT_BASE_SHIFT + 2, 1);
}

/** mirrors pcpu_schedule_balance_work (async is always enabled here) */
export function scheduleBalanceWork(s: AreamapState): void {
  s.balancePending = true;
}
