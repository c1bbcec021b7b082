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
  AllocatorName,
  AllocatorStats,
  KernelVersion,
  PercpuAllocator,
  PercpuTracer,
} from '../allocator.ts';
import { PercpuConfigError } from '../allocator.ts';
import type { ChunkBackendKind } from '../chunk-backend.ts';
import { buildAllocInfo } from '../layout.ts';
import type { Platform } from '../platform.ts';
import { newAllocResult, pcpuAlloc, pcpuAllocMemcg, type AllocResult } from './alloc.ts';
import { balanceWork } from './balance.ts';
import { createPcpuState } from './first-chunk.ts';
import { freePercpu } from './free.ts';
import { checkInvariants } from './invariants.ts';
import type { BitmapChunk } from './chunk.ts';
import type { PcpuState, SlotLayout } from './state.ts';
import { modernSlotLayout } from './state.ts';
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

/**
 * What a version of the modern allocator decides its own way (v6.12 here; v6.18 and v5.10 are
 * diffs of it that share the state, hints, chunk life and stats and bring these).
 */
export interface BitmapVersion {
  readonly name: AllocatorName;
  readonly kernel: KernelVersion;
  /** the lists after the size slots */
  readonly slotLayout: (sizeSlots: number) => SlotLayout;
  /** pcpu_alloc_noprof / pcpu_alloc */
  readonly alloc: (state: PcpuState, out: AllocResult, size: number, align: number, atomic: boolean, reserved: boolean) => number;
  /** free_percpu */
  readonly free: (state: PcpuState, chunk: BitmapChunk, off: number) => void;
  /** pcpu_balance_workfn */
  readonly balance: (state: PcpuState) => void;
  /**
   * accounted requests are ported (v6.12, v6.18: one set of chunks for all, obj_exts per chunk);
   * a version without (v5.10's second bank of chunks is not ported) refuses a memory controller
   */
  readonly memcg: boolean;
}

export const V6_12: BitmapVersion = {
  name: 'bitmap',
  kernel: 'v6.12',
  slotLayout: modernSlotLayout,
  alloc: pcpuAlloc,
  free: freePercpu,
  balance: balanceWork,
  memcg: true,
};

class BitmapAllocator implements PercpuAllocator {
  readonly name: AllocatorName;
  readonly kernel: KernelVersion;
  readonly layout: AllocInfo;
  lastChunkId = -1;
  lastFailReason: string | null = null;
  private readonly version: BitmapVersion;
  private readonly state: PcpuState;
  private readonly result: AllocResult = newAllocResult();
  /** CONFIG_PERCPU_STATS counters: always the state's tracer, passing events on to `tracer` */
  private readonly statsCounters: PercpuStatsCounters;

  constructor(config: AllocatorConfig, platform: Platform, version: BitmapVersion, opts: BitmapAllocatorOptions) {
    this.version = version;
    this.name = version.name;
    this.kernel = version.kernel;
    const ai = opts.allocInfo ?? buildAllocInfo(version.kernel, config.topology, config.firstChunk);
    this.layout = ai;
    if (config.memcg && !version.memcg) {
      throw new PercpuConfigError(`${version.name}: memory-cgroup accounting is not ported for ${version.kernel} (its accounted chunks are a separate bank no recorded case covers)`);
    }
    this.state = createPcpuState(config, platform, ai, opts.backend ?? 'vm', version.slotLayout);
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

  alloc(size: number, align: number, atomic: boolean, reserved: boolean, accounted = false): number {
    const off = pcpuAllocMemcg(this.state, this.result, asSizeT(size), asSizeT(align), atomic, reserved, accounted, this.version.alloc);
    if (off >= 0) this.lastChunkId = this.result.chunkId;
    this.lastFailReason = this.result.failReason;
    if (off < 0 && this.lastFailReason === 'failed to populate') this.statsCounters.populateFailed(null);
    return off;
  }

  free(chunkId: number, off: number): void {
    const chunk = this.state.chunks[chunkId + 1];
    if (!chunk) throw new Error(`free_percpu: no live chunk ${chunkId}`);
    this.version.free(this.state, chunk, off);
  }

  runBalance(): void {
    this.version.balance(this.state);
  }

  stats(): AllocatorStats {
    return allocatorStats(this.state);
  }

  checkInvariants(): void {
    checkInvariants(this.state);
  }

  percpuStats(): PercpuStatsView {
    return bitmapPercpuStats(this.state, this.layout, this.statsCounters, this.kernel);
  }
}

/** the modern bitmap allocator with explicit options (backend, a given AllocInfo) */
export function createBitmapAllocatorWith(config: AllocatorConfig, platform: Platform, opts: BitmapAllocatorOptions = {}): PercpuAllocator {
  return new BitmapAllocator(config, platform, V6_12, opts);
}

/** a version of the modern allocator (v6.12, or a diff of it), with explicit options */
export function createBitmapVersion(version: BitmapVersion, config: AllocatorConfig, platform: Platform, opts: BitmapAllocatorOptions = {}): PercpuAllocator {
  return new BitmapAllocator(config, platform, version, opts);
}

/** the modern (v6.12) bitmap allocator */
export const createBitmapAllocator: AllocatorFactory = (config, platform) => new BitmapAllocator(config, platform, V6_12, {});
