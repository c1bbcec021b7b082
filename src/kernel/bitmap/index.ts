/**
 * The modern (v6.12) bitmap allocator behind the PercpuAllocator interface.
 * File map: chunk.ts (struct pcpu_chunk), hints.ts (the hint ladder), alloc.ts, free.ts,
 * slots.ts (lists and isolation), populate.ts (chunk life, page bookkeeping), balance.ts
 * (pcpu_balance_workfn), first-chunk.ts (boot-time chunks), stats.ts, invariants.ts.
 */
import type {
  AllocInfo,
  AllocatorConfig,
  AllocatorFactory,
  AllocatorStats,
  KernelVersion,
  PercpuAllocator,
  PercpuTracer,
} from '../allocator.ts';
import type { ChunkBackendKind } from '../chunk-backend.ts';
import { buildAllocInfo } from '../layout.ts';
import type { Platform } from '../platform.ts';
import { pcpuAlloc, type AllocResult } from './alloc.ts';
import { balanceWork } from './balance.ts';
import { createPcpuState } from './first-chunk.ts';
import { freePercpu } from './free.ts';
import { checkInvariants } from './invariants.ts';
import type { PcpuState } from './state.ts';
import { allocatorStats } from './stats.ts';
import { PercpuStatsCounters, type PercpuStatsView } from '../percpu-stats.ts';
import { bitmapPercpuStats } from './percpu-stats.ts';
import { asSizeT } from '../size-t.ts';
import type { RecordedKernel } from '../recorded-kernel.ts';
import { recordedKernel } from './recorded-kernel.ts';

export interface BitmapAllocatorOptions {
  /** chunk backend: percpu-vm (default) or percpu-km */
  backend?: ChunkBackendKind;
  /** first-chunk allocation info to use instead of building it from the config */
  allocInfo?: AllocInfo;
}

class BitmapAllocator implements PercpuAllocator {
  readonly name = 'bitmap' as const;
  readonly kernel: KernelVersion = 'v6.12';
  readonly layout: AllocInfo;
  lastChunkId = -1;
  lastFailReason: string | null = null;
  private readonly state: PcpuState;
  private readonly result: AllocResult = { chunkId: -1, failReason: null };
  /** CONFIG_PERCPU_STATS counters: always the state's tracer, passing events on to `tracer` */
  private readonly statsCounters: PercpuStatsCounters;

  constructor(config: AllocatorConfig, platform: Platform, opts: BitmapAllocatorOptions) {
    const ai = opts.allocInfo ?? buildAllocInfo('v6.12', config.topology, config.firstChunk);
    this.layout = ai;
    this.state = createPcpuState(config, platform, ai, opts.backend ?? 'vm');
    this.statsCounters = new PercpuStatsCounters(ai.unit_size);
    this.state.tracer = this.statsCounters;
    this.recorded = recordedKernel(this.state);
  }

  readonly recorded: RecordedKernel;

  get tracer(): PercpuTracer | null {
    return this.statsCounters.downstream;
  }

  set tracer(t: PercpuTracer | null) {
    this.statsCounters.downstream = t;
  }

  get balancePending(): boolean {
    return this.state.balancePending;
  }

  alloc(size: number, align: number, atomic: boolean, reserved: boolean): number {
    const off = pcpuAlloc(this.state, this.result, asSizeT(size), asSizeT(align), atomic, reserved);
    if (off >= 0) this.lastChunkId = this.result.chunkId;
    this.lastFailReason = this.result.failReason;
    if (off < 0 && this.lastFailReason === 'failed to populate') this.statsCounters.populateFailed(null);
    return off;
  }

  free(chunkId: number, off: number): void {
    const chunk = this.state.chunks[chunkId + 1];
    if (!chunk) throw new Error(`free_percpu: no live chunk ${chunkId}`);
    freePercpu(this.state, chunk, off);
  }

  runBalance(): void {
    balanceWork(this.state);
  }

  stats(): AllocatorStats {
    return allocatorStats(this.state);
  }

  checkInvariants(): void {
    checkInvariants(this.state);
  }

  percpuStats(): PercpuStatsView {
    return bitmapPercpuStats(this.state, this.layout, this.statsCounters);
  }
}

/** the modern bitmap allocator with explicit options (backend, a given AllocInfo) */
export function createBitmapAllocatorWith(config: AllocatorConfig, platform: Platform, opts: BitmapAllocatorOptions = {}): PercpuAllocator {
  return new BitmapAllocator(config, platform, opts);
}

/** the modern (v6.12) bitmap allocator */
export const createBitmapAllocator: AllocatorFactory = (config, platform) => new BitmapAllocator(config, platform, {});
