/**
 * The per-simulation state of the modern allocator: what mm/percpu.c keeps in file statics
 * (pcpu_unit_size, pcpu_chunk_lists, pcpu_nr_empty_pop_pages, ...). One object per allocator
 * instance, so runs never leak into each other.
 */
import type { KernelKnobs, PercpuTracer } from '../allocator.ts';
import type { ChunkBackend, UnitGeometry } from '../chunk-backend.ts';
import { ChunkLists } from '../chunk-list.ts';
import type { Platform, WorkCounters } from '../platform.ts';
import type { BitmapChunk } from './chunk.ts';
import type { MemcgController } from '../memcg.ts';

/** PCPU_MIN_ALLOC_SHIFT / PCPU_MIN_ALLOC_SIZE: one bit of the maps is 4 bytes */
export const PCPU_MIN_ALLOC_SHIFT = 2;
export const PCPU_MIN_ALLOC_SIZE = 4;
/** PCPU_SLOT_BASE_SHIFT: 1-31 bytes share a slot */
export const PCPU_SLOT_BASE_SHIFT = 5;
/** PCPU_SLOT_FAIL_THRESHOLD: chunks in slots below it are parked in slot 0 after a failed fit */
export const PCPU_SLOT_FAIL_THRESHOLD = 3;
/** the warning budget of pcpu_alloc_noprof (static int warn_limit) */
export const PCPU_WARN_LIMIT = 10;

/**
 * The statics every bitmap allocator version keeps (v4.14 to v6.12): what the shared helpers
 * (chunk metadata, populating an area, marking bits) need, whichever version's state holds them.
 */
export interface PcpuCore {
  readonly platform: Platform;
  readonly work: WorkCounters;
  readonly backend: ChunkBackend;
  readonly geo: UnitGeometry;
  readonly knobs: KernelKnobs;
  tracer: PercpuTracer | null;

  readonly pageSize: number;
  /** PCPU_BITMAP_BLOCK_BITS: bits per hint block (one page) */
  readonly blockBits: number;
  readonly unitPages: number;
  readonly unitSize: number;

  readonly nrSlots: number;
  /** the last slot: fully free chunks */
  readonly freeSlot: number;
  /** chunk lists; chunk `c` is list entry c.id + 1 (entryOf) */
  readonly lists: ChunkLists;
  /** live chunks by list entry (entry 0 the reserved chunk, id -1); null once destroyed */
  readonly chunks: (BitmapChunk | null)[];
  /** next id pcpu_create_chunk hands out */
  nextChunkId: number;

  /** pcpu_nr_empty_pop_pages */
  nrEmptyPopPages: number;
  /** pcpu_atomic_alloc_failed */
  atomicAllocFailed: boolean;
  /** the balance work is queued and has not run */
  balancePending: boolean;
  /** what is left of the warning budget */
  warnLimit: number;

  /** out-parameters of the region iterators (the kernel's `int *bit_off, int *bits`) */
  regionOff: number;
  regionBits: number;
}

/** the modern (v6.12) statics: the core plus isolation lists, the global populated count, ... */
export interface PcpuState extends PcpuCore {
  /** PCPU_MIN_UNIT_SIZE: also the largest legal allocation */
  readonly minUnitSize: number;

  /** -1 in a version without the list (v5.10) */
  readonly sidelinedSlot: number;
  /** -1 in a version without the list (v5.10) */
  readonly toDepopulateSlot: number;
  firstChunk: BitmapChunk | null;
  reservedChunk: BitmapChunk | null;

  /** pcpu_nr_populated */
  nrPopulated: number;
  /** PFN_DOWN(size_sum): what the boot-time unit adds to pcpu_nr_populated */
  bootPages: number;
  /**
   * chunks are created and destroyed only when a recording says so (verified replays): neither
   * pcpu_alloc nor the balance work makes or destroys one on its own
   */
  chunkLifeRecorded: boolean;
  /** the memory controller when kmem accounting is on (need_pcpuobj_ext), else null */
  readonly memcg: MemcgController | null;
  /** the call in progress carried __GFP_ACCOUNT (what its tracepoint prints) */
  accountedCall: boolean;
  /** num_possible_cpus(): what pcpu_obj_full_size multiplies by */
  readonly nrPossibleCpus: number;
  /** out-parameters of pcpu_find_zero_area: the largest run it skipped */
  largestOff: number;
  largestBits: number;
}

/**
 * Where the lists after the size slots 0..S sit (S = __pcpu_size_to_slot(unit_size)); a version
 * without a list has -1 there, which no chunk ever sits on.
 */
export interface SlotLayout {
  readonly sidelinedSlot: number;
  readonly freeSlot: number;
  readonly toDepopulateSlot: number;
  readonly nrSlots: number;
}

/** v5.14 on (v6.12, v6.18): sidelined S+1, free S+2, to_depopulate S+3 */
export function modernSlotLayout(sizeSlots: number): SlotLayout {
  return { sidelinedSlot: sizeSlots + 1, freeSlot: sizeSlots + 2, toDepopulateSlot: sizeSlots + 3, nrSlots: sizeSlots + 4 };
}

export function chunkOf(state: PcpuCore, entry: number): BitmapChunk {
  return state.chunks[entry]!;
}

/** list entry of a chunk */
export function entryOf(chunk: BitmapChunk): number {
  return chunk.id + 1;
}

export function newLists(nrSlots: number): ChunkLists {
  return new ChunkLists(nrSlots, 16);
}
