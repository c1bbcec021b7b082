/**
 * The one interface every allocator version implements, and the data it is built from.
 * The conformance runner, the engine and the reports only ever see this.
 */
import type { Platform } from './platform.ts';
import type { PercpuStatsView } from './percpu-stats.ts';
import type { RecordedKernel } from './recorded-kernel.ts';
import type { MemcgController } from './memcg.ts';

export type AllocatorName = 'bitmap' | 'bitmap-v4.14' | 'areamap' | 'bitmap-v6.18' | 'bitmap-v5.10';
export const ALLOCATOR_NAMES: readonly AllocatorName[] = ['bitmap', 'bitmap-v4.14', 'areamap', 'bitmap-v6.18', 'bitmap-v5.10'];

/** the kernel version whose mm/percpu.c each allocator ports (versions.ts maps every release users run onto these) */
export const KERNEL_OF: Record<AllocatorName, KernelVersion> = {
  bitmap: 'v6.12',
  'bitmap-v4.14': 'v4.14',
  areamap: 'v4.13',
  'bitmap-v6.18': 'v6.18',
  'bitmap-v5.10': 'v5.10',
};
export type KernelVersion = 'v6.12' | 'v4.14' | 'v4.13' | 'v6.18' | 'v5.10';

/** The machine as the allocator sees it: possible CPUs, their nodes, the SLIT table. */
export interface Topology {
  pageSize: number;
  /** possible CPUs, numbered 0..nrCpus-1 */
  nrCpus: number;
  /** NUMA node of each possible CPU */
  cpuToNode: readonly number[];
  /** SLIT-style distance table, nodes × nodes */
  nodeDistance: readonly (readonly number[])[];
}

/** What the arch code passes to pcpu_embed_first_chunk (plus the kernel image's static size). */
export interface FirstChunkRequest {
  staticSize: number;
  reservedSize: number;
  dynSize: number;
  atomSize: number;
}

/** Tunables the kernel keeps as constants; a scenario may override them. */
export interface KernelKnobs {
  /** PCPU_EMPTY_POP_PAGES_LOW */
  emptyPopPagesLow: number;
  /** PCPU_EMPTY_POP_PAGES_HIGH */
  emptyPopPagesHigh: number;
}

export const DEFAULT_KNOBS: KernelKnobs = { emptyPopPagesLow: 2, emptyPopPagesHigh: 4 };

export interface AllocatorConfig {
  topology: Topology;
  firstChunk: FirstChunkRequest;
  knobs: KernelKnobs;
  /**
   * the memory controller, when kmem accounting is on (need_pcpuobj_ext): chunks carry obj_exts
   * and __GFP_ACCOUNT requests are charged; absent, as with cgroup.memory=nokmem
   */
  memcg?: MemcgController | null;
}

/** pcpu_alloc_info after pcpu_build_alloc_info (names as in percpu-trace/1 `expect_layout`). */
export interface AllocInfo {
  unit_size: number;
  atom_size: number;
  alloc_size: number;
  static_size: number;
  reserved_size: number;
  dyn_size: number;
  nr_groups: number;
  groups: { nr_units: number; base_offset: number; cpu_map: number[] }[];
  nr_units: number;
}

/** One chunk as a `stats` line reports it (percpu-trace/1 field names). */
export interface ChunkStats {
  id: number;
  /** index of the chunk list it sits on, -1 for none */
  list: number;
  free_bytes: number;
  contig_bytes: number;
  nr_populated: number;
  nr_empty_pop_pages: number | null;
  extra: Record<string, number | null>;
}

export interface AllocatorStats {
  /** live chunks, reserved chunk excluded */
  nr_chunks: number;
  nr_empty_pop_pages: number;
  nr_populated: number | null;
  /** reserved (-1) first, then ascending id */
  chunks: ChunkStats[];
}

/** Listener for the kernel's percpu tracepoints (include/trace/events/percpu.h). */
export interface PercpuTracer {
  /** `accounted`: the request carried __GFP_ACCOUNT (GFP_KERNEL_ACCOUNT), whether or not kmem accounting charges it */
  allocPercpu(reserved: boolean, atomic: boolean, size: number, align: number, chunkId: number, baseAddr: number, off: number, accounted?: boolean): void;
  freePercpu(chunkId: number, baseAddr: number, off: number): void;
  allocPercpuFail(reserved: boolean, atomic: boolean, size: number, align: number): void;
  createChunk(chunkId: number, baseAddr: number): void;
  destroyChunk(chunkId: number, baseAddr: number): void;
  /** a kernel warning line (pr_warn / WARN text, without the "percpu: " prefix) */
  warn(text: string): void;
}

export interface PercpuAllocator {
  readonly name: AllocatorName;
  readonly kernel: KernelVersion;
  /** the first chunk's allocation info */
  readonly layout: AllocInfo;
  /** optional tracepoint listener; set by the engine */
  tracer: PercpuTracer | null;

  /**
   * __alloc_percpu_gfp / __alloc_reserved_percpu. Returns the byte offset from the chunk's
   * base_addr (as the tracepoint reports it), or -1 when the kernel would return NULL; then
   * `lastFailReason` says why. On success `lastChunkId` names the chunk
   * (-1 reserved, 0 first, 1.. created, never reused). `accounted` is __GFP_ACCOUNT
   * (GFP_KERNEL_ACCOUNT): charged to the calling task's memory cgroup by the versions that
   * account per-CPU memory (v5.9 on) when the config has a memory controller; a refused charge
   * fails the call before any allocator work.
   */
  alloc(size: number, align: number, atomic: boolean, reserved: boolean, accounted?: boolean): number;
  lastChunkId: number;
  lastFailReason: string | null;

  /** free_percpu of an allocation this allocator returned (still live) */
  free(chunkId: number, off: number): void;

  /** pcpu_schedule_balance_work was called and the work has not run since */
  readonly balancePending: boolean;
  /** pcpu_balance_workfn, to completion */
  runBalance(): void;

  stats(): AllocatorStats;
  /** throws InvariantError naming the broken invariant */
  checkInvariants(): void;
  /** what /sys/kernel/debug/percpu_stats (CONFIG_PERCPU_STATS) and /proc/meminfo would show now */
  percpuStats?(): PercpuStatsView;
  /** following a real kernel's capture, for verified replays (the versions that can) */
  readonly recorded?: RecordedKernel;
}

/** A user-supplied configuration the kernel would refuse (it would panic at boot). */
export class PercpuConfigError extends Error {
  override name = 'PercpuConfigError';
}

/** A simulator bug: an invariant the kernel relies on does not hold. */
export class InvariantError extends Error {
  override name = 'InvariantError';
}

export type AllocatorFactory = (config: AllocatorConfig, platform: Platform) => PercpuAllocator;
