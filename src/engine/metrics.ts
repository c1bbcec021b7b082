/** percpu-sim/metrics/1: what a scenario run writes with --json (fields documented in the README). */
import type { KernelVersion } from '../kernel/allocator.ts';
import type { WorkCounters } from '../kernel/platform.ts';
import type { Footprint } from './metered-platform.ts';
import type { RunMemory } from './memory.ts';
import type { PhaseMetrics } from './run.ts';
import type { Labels } from '../scenario/load.ts';
import type { ReplayVerification } from './generators/replay-verify.ts';
import type { MemcgCgroupMetrics } from './memcg-tree.ts';

export const METRICS_SCHEMA = 'percpu-sim/metrics/1';

export interface RunMetrics {
  /** the allocator as the scenario named it: a port (`bitmap`) or a kernel version (`v6.6`) */
  allocator: string;
  /** the kernel version whose mm/percpu.c the port that ran ports */
  kernel: KernelVersion;
  machine: string;
  page_size: number;
  /** possible CPUs and NUMA nodes of the machine */
  cpus: number;
  nodes: number;
  labels: Labels;
  phases: Record<string, PhaseMetrics>;
  balance: { runs: number; modeled_ms: number };
  /** the largest footprint seen at the end of any phase */
  footprint: Footprint & { chunks: number };
  /** the footprint when the run ended (after its last phase) */
  footprint_end: Footprint & { chunks: number };
  /** memory at its peak and at the end (over phase ends), and what came back (src/engine/memory.ts) */
  memory: RunMemory;
  counters: WorkCounters;
  /** verified replays: decisions compared with a real kernel's capture (only runs that have them) */
  replay_verified?: ReplayVerification[];
  /**
   * memory cgroups (runs with kmem accounting only): whether this kernel charges per-CPU memory
   * at all (v5.9 on; not v4.13 or v4.14), and every cgroup the run made
   */
  memcg?: { charged: boolean; cgroups: MemcgCgroupMetrics[] };
}

export interface MetricsFile {
  schema: typeof METRICS_SCHEMA;
  scenario: string;
  runs: RunMetrics[];
}

/** Fields that measure the host, not the model: left out when runs are compared. */
export const WALL_CLOCK_FIELDS = ['wall_ms'];
