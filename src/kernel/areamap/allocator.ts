/** The v4.13 area-map allocator behind the common PercpuAllocator interface. */
import type {
  AllocInfo,
  AllocatorConfig,
  AllocatorStats,
  KernelVersion,
  PercpuAllocator,
  PercpuTracer,
} from '../allocator.ts';
import type { ChunkBackendKind } from '../chunk-backend.ts';
import { createChunkBackend, unitGeometry } from '../chunk-backend.ts';
import { ChunkLists } from '../chunk-list.ts';
import type { Platform } from '../platform.ts';
import type { AllocResult } from './alloc.ts';
import { pcpuAlloc } from './alloc.ts';
import { balanceWork } from './balance.ts';
import { buildFirstChunks, linkFirstChunk } from './first-chunk.ts';
import { freePercpu } from './free.ts';
import { checkAreamapInvariants } from './invariants.ts';
import type { AreamapState } from './state.ts';
import { newAreamapState } from './state.ts';
import { areamapStats } from './stats.ts';
import { PercpuStatsCounters, type PercpuStatsView } from '../percpu-stats.ts';
import { areamapPercpuStats } from './percpu-stats.ts';
import { asSizeT } from '../size-t.ts';

export class AreamapAllocator implements PercpuAllocator {
  readonly name = 'areamap' as const;
  readonly kernel: KernelVersion = 'v4.13';
  readonly layout: AllocInfo;
  lastChunkId = -1;
  lastFailReason: string | null = null;

  /** the per-instance statics of mm/percpu.c; exposed for tests and tools */
  readonly state: AreamapState;
  private readonly result: AllocResult = { chunkId: -1, failReason: null };
  /** the balance work's private to_free list */
  private readonly toFree = new ChunkLists(1);

  constructor(config: AllocatorConfig, platform: Platform, layout: AllocInfo, backendKind: ChunkBackendKind = 'vm') {
    this.layout = layout;
    const geo = unitGeometry(layout, config.topology);
    const backend = createChunkBackend(backendKind, geo, platform);
    const { first, reserved } = buildFirstChunks(geo, layout, platform);
    this.state = newAreamapState(platform, geo, backend, config.knobs, first, reserved);
    linkFirstChunk(this.state);
    this.statsCounters = new PercpuStatsCounters(layout.unit_size);
    this.state.tracer = this.statsCounters;
  }

  /** CONFIG_PERCPU_STATS counters: always the state's tracer, passing events on to `tracer` */
  private readonly statsCounters: PercpuStatsCounters;

  get tracer(): PercpuTracer | null {
    return this.statsCounters.downstream;
  }

  set tracer(t: PercpuTracer | null) {
    this.statsCounters.downstream = t;
  }

  alloc(size: number, align: number, atomic: boolean, reserved: boolean): number {
    const off = pcpuAlloc(this.state, asSizeT(size), asSizeT(align), atomic, reserved, this.result);
    if (off >= 0) {
      this.lastChunkId = this.result.chunkId;
      this.lastFailReason = null;
    } else {
      this.lastFailReason = this.result.failReason;
      if (this.lastFailReason === 'failed to populate') this.statsCounters.populateFailed(this.result.chunkId);
    }
    return off;
  }

  free(chunkId: number, off: number): void {
    freePercpu(this.state, chunkId, off);
  }

  get balancePending(): boolean {
    return this.state.balancePending;
  }

  runBalance(): void {
    balanceWork(this.state, this.toFree);
  }

  stats(): AllocatorStats {
    return areamapStats(this.state);
  }

  checkInvariants(): void {
    checkAreamapInvariants(this.state);
  }

  percpuStats(): PercpuStatsView {
    return areamapPercpuStats(this.state, this.layout, this.statsCounters);
  }
}
