/** percpu-sim/metrics/1: what a scenario run writes with --json (fields documented in the README). */
import type { AllocatorName, KernelVersion } from '../kernel/allocator.ts';
import type { WorkCounters } from '../kernel/platform.ts';
import type { Footprint } from './metered-platform.ts';
import type { PhaseMetrics } from './run.ts';
import type { Labels } from '../scenario/load.ts';
import type { ReplayVerification } from './generators/replay-verify.ts';

export const METRICS_SCHEMA = 'percpu-sim/metrics/1';

export interface RunMetrics {
  allocator: AllocatorName;
  kernel: KernelVersion;
  machine: string;
  page_size: number;
  labels: Labels;
  phases: Record<string, PhaseMetrics>;
  balance: { runs: number; modeled_ms: number };
  footprint: Footprint & { chunks: number };
  counters: WorkCounters;
  /** verified replays: decisions compared with a real kernel's capture (only runs that have them) */
  replay_verified?: ReplayVerification[];
}

export interface MetricsFile {
  schema: typeof METRICS_SCHEMA;
  scenario: string;
  runs: RunMetrics[];
}

/** Fields that measure the host, not the model: left out when runs are compared. */
export const WALL_CLOCK_FIELDS = ['wall_ms'];
