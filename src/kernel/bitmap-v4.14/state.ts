/**
 * The file-level statics of v4.14 mm/percpu.c (pcpu_slot, pcpu_nr_slots, pcpu_nr_empty_pop_pages,
 * pcpu_first_chunk, ...), gathered on one object per allocator instance so that runs never
 * share state.
 */
import type { KernelKnobs, PercpuTracer } from '../allocator.ts';
import type { ChunkBackend, UnitGeometry } from '../chunk-backend.ts';
import { ChunkLists } from '../chunk-list.ts';
import type { Platform, WorkCounters } from '../platform.ts';
import { newWorkCounters } from '../platform.ts';
import type { PcpuCore } from '../bitmap/state.ts';
import type { BitmapChunk } from './chunk.ts';
import { PCPU_MIN_ALLOC_SHIFT, PCPU_WARN_LIMIT } from './constants.ts';
import { rawSizeToSlot } from './slots.ts';

export class PcpuV414 implements PcpuCore {
  readonly platform: Platform;
  readonly work: WorkCounters;
  readonly geo: UnitGeometry;
  readonly backend: ChunkBackend;
  readonly knobs: KernelKnobs;
  readonly pageSize: number;
  /** PCPU_BITMAP_BLOCK_BITS (= PCPU_BITS_PER_PAGE: a block is one page) */
  readonly blockBits: number;
  readonly unitSize: number;
  readonly unitPages: number;
  /** pcpu_nr_slots = __pcpu_size_to_slot(unit_size) + 2; the last slot holds empty chunks */
  readonly nrSlots: number;
  readonly freeSlot: number;
  /** slot lists, holding chunks by list entry (entryOf: id + 1, as in the modern port) */
  readonly lists: ChunkLists;
  /** live chunks by list entry (reserved, first, then created ones); null once destroyed */
  readonly chunks: (BitmapChunk | null)[] = [];
  reserved: BitmapChunk | null = null;
  /** set once setup is done */
  first!: BitmapChunk;
  /** pcpu_nr_empty_pop_pages (reserved chunk excluded) */
  nrEmptyPopPages = 0;
  atomicAllocFailed = false;
  balancePending = false;
  /** pcpu_alloc's `static int warn_limit` */
  warnLimit = PCPU_WARN_LIMIT;
  /** live chunks, reserved excluded (pcpu_stats.nr_chunks) */
  nrChunks = 0;
  nextChunkId = 1;
  tracer: PercpuTracer | null = null;

  /** where the invariant checker counts its own bitmap reads (never the allocator's work) */
  readonly checkerWork: WorkCounters = newWorkCounters();

  /** out-parameters of the region iterators (the kernel's `int *bit_off, int *bits`) */
  regionOff = 0;
  regionBits = 0;

  constructor(platform: Platform, geo: UnitGeometry, backend: ChunkBackend, knobs: KernelKnobs) {
    this.platform = platform;
    this.work = platform.work;
    this.geo = geo;
    this.backend = backend;
    this.knobs = knobs;
    this.pageSize = geo.pageSize;
    this.blockBits = geo.pageSize >>> PCPU_MIN_ALLOC_SHIFT;
    this.unitSize = geo.unitSize;
    this.unitPages = geo.unitPages;
    this.nrSlots = rawSizeToSlot(geo.unitSize) + 2;
    this.freeSlot = this.nrSlots - 1;
    this.lists = new ChunkLists(this.nrSlots);
  }

  /** pcpu_schedule_balance_work (async is always enabled here: requests coalesce until it runs) */
  scheduleBalanceWork(): void {
    this.balancePending = true;
  }
}
