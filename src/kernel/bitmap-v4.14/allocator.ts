/** The v4.14 bitmap allocator behind the PercpuAllocator interface. */
import type { AllocInfo, AllocatorConfig, AllocatorStats, PercpuAllocator, PercpuTracer } from '../allocator.ts';
import type { ChunkBackendKind } from '../chunk-backend.ts';
import type { Platform } from '../platform.ts';
import { pcpuAlloc } from './alloc.ts';
import { balanceWorkfn } from './balance.ts';
import { createPcpuV414 } from './first-chunk.ts';
import { freePercpu } from './free.ts';
import { checkInvariantsV414 } from './invariants.ts';
import type { PcpuV414 } from './state.ts';
import { allocatorStats } from './stats.ts';
import { PercpuStatsCounters, type PercpuStatsView } from '../percpu-stats.ts';
import { bitmapV414PercpuStats } from './percpu-stats.ts';
import { asSizeT } from '../size-t.ts';

export class BitmapV414Allocator implements PercpuAllocator {
  readonly name = 'bitmap-v4.14' as const;
  readonly kernel = 'v4.14' as const;
  readonly layout: AllocInfo;
  lastChunkId = -1;
  lastFailReason: string | null = null;
  private readonly p: PcpuV414;
  /** CONFIG_PERCPU_STATS counters: always the state's tracer, passing events on to `tracer` */
  private readonly statsCounters: PercpuStatsCounters;

  constructor(config: AllocatorConfig, platform: Platform, ai: AllocInfo, backend: ChunkBackendKind = 'vm') {
    this.layout = ai;
    this.p = createPcpuV414(config, platform, ai, backend);
    this.statsCounters = new PercpuStatsCounters(ai.unit_size);
    this.p.tracer = this.statsCounters;
  }

  get tracer(): PercpuTracer | null {
    return this.statsCounters.downstream;
  }

  set tracer(t: PercpuTracer | null) {
    this.statsCounters.downstream = t;
  }

  alloc(size: number, align: number, atomic: boolean, reserved: boolean): number {
    const off = pcpuAlloc(this.p, this, asSizeT(size), asSizeT(align), reserved, atomic);
    if (off < 0 && this.lastFailReason === 'failed to populate') this.statsCounters.populateFailed(null);
    return off;
  }

  free(chunkId: number, off: number): void {
    freePercpu(this.p, chunkId, off);
  }

  get balancePending(): boolean {
    return this.p.balancePending;
  }

  runBalance(): void {
    balanceWorkfn(this.p);
  }

  stats(): AllocatorStats {
    return allocatorStats(this.p);
  }

  checkInvariants(): void {
    checkInvariantsV414(this.p);
  }

  percpuStats(): PercpuStatsView {
    return bitmapV414PercpuStats(this.p, this.layout, this.statsCounters);
  }
}
