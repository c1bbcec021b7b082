/**
 * Watches one run from inside, through the engine's hooks: the percpu tracepoints as ftrace
 * text (timestamped on the modeled clock, on the acting CPU, balance work as a kworker),
 * percpu_stats and the meminfo line at the end of every phase, each phase's latency
 * histogram, and the footprint sampled over modeled time. Lines and texts go to the sinks the
 * caller gives; nothing here touches a file.
 */
import type { FtraceStyle } from '../trace/ftrace-format.ts';
import type { KernelVersion, PercpuAllocator } from '../kernel/allocator.ts';
import type { PercpuStatsView } from '../kernel/percpu-stats.ts';
import type { MeteredPlatform } from '../engine/metered-platform.ts';
import type { FootprintSample } from './chart-footprint.ts';
import { DEFAULT_TASK, FtraceTracer } from './ftrace.ts';
import type { FtraceTask } from './ftrace.ts';
import type { LatencyHistogram } from './latency-histogram.ts';
import { latencyHistogram } from './latency-histogram.ts';
import { formatMeminfoPercpu, formatPercpuStats } from './percpu-stats.ts';

export interface PhaseCapture {
  index: number;
  name: string;
  /** modeled ns at the end of the phase */
  endNs: number;
  histogram: LatencyHistogram;
  /** the allocator at the end of the phase (kept only when `keep` is set) */
  stats: PercpuStatsView | null;
  statsText: string | null;
  meminfo: string | null;
  /** memory.stat's percpu line of every live memory cgroup (runs with kmem accounting only) */
  memcgPercpu: Record<string, number> | null;
}

export interface RunCaptureData {
  kernel: KernelVersion;
  pageSize: number;
  phases: PhaseCapture[];
  samples: FootprintSample[];
  /** event lines written to the ftrace sink */
  traceLines: number;
}

export interface RunCaptureOptions {
  /** receives each ftrace line (no header); null: no event log */
  ftrace: ((line: string) => void) | null;
  ftraceStyle?: FtraceStyle;
  /** receives each phase's capture as soon as the phase ends (percpu_stats text, meminfo line) */
  onPhase?: (phase: PhaseCapture) => void;
  /** keep stats views and footprint samples for an HTML report */
  keep: boolean;
  /** footprint samples kept at most (every other one is dropped and the stride doubled when full) */
  maxSamples?: number;
}

/** the hooks the engine calls (RunOptions.onOp / onPhaseEnd) */
export interface RunHooks {
  onOp: () => void;
  onPhaseEnd: (name: string, latenciesNs: Float64Array, memcgPercpu: Record<string, number> | null) => void;
}

/** the CPU the platform charges now (-1: the kworker), when the platform tells */
function actingOf(platform: MeteredPlatform): number | null {
  const p = platform as MeteredPlatform & { readonly acting?: unknown };
  return typeof p.acting === 'number' ? p.acting : null;
}

export class RunCapture {
  readonly data: RunCaptureData;
  private readonly tracer: FtraceTracer | null = null;
  private stride = 1;
  private sinceSample = 0;
  /** the last calling CPU seen: a kworker runs balance work on the CPU that queued it */
  private lastCpu: number;
  private readonly maxSamples: number;

  constructor(
    private readonly allocator: PercpuAllocator,
    private readonly platform: MeteredPlatform,
    private readonly opts: RunCaptureOptions,
    env: { nrCpus: number; cpu: number; pageSize: number; kmemAccounting?: boolean },
  ) {
    this.lastCpu = env.cpu;
    this.maxSamples = opts.maxSamples ?? 512;
    this.data = { kernel: allocator.kernel, pageSize: env.pageSize, phases: [], samples: [], traceLines: 0 };
    if (opts.ftrace) {
      const sink = opts.ftrace;
      this.tracer = new FtraceTracer({
        kernel: allocator.kernel,
        nrCpus: env.nrCpus,
        kmemAccounting: env.kmemAccounting ?? false,
        style: opts.ftraceStyle,
        sink: (line) => {
          this.data.traceLines++;
          sink(line);
        },
        clock: () => platform.modeledNs / 1e9,
        cpu: () => this.cpuNow(),
        task: () => this.taskNow(),
      });
      allocator.tracer = this.tracer;
    }
    if (opts.keep) this.sample();
  }

  hooks(): RunHooks {
    return {
      onOp: () => {
        if (++this.sinceSample >= this.stride) {
          this.sinceSample = 0;
          if (this.opts.keep) this.sample();
        }
      },
      onPhaseEnd: (name, lat, memcg) => this.phaseEnd(name, lat, memcg),
    };
  }

  private cpuNow(): number {
    const a = actingOf(this.platform);
    if (a !== null && a >= 0) this.lastCpu = a;
    return this.lastCpu;
  }

  private taskNow(): FtraceTask {
    const a = actingOf(this.platform);
    if (a === -1) return { comm: `kworker/${this.lastCpu}:1`, pid: 100 + this.lastCpu };
    return DEFAULT_TASK;
  }

  private sample(): void {
    const f = this.platform.footprint();
    const s = this.data.samples;
    s.push({ ns: this.platform.modeledNs, metadata_bytes: f.metadata_bytes, populated_pages: f.populated_pages, vmalloc_bytes: f.vmalloc_bytes, chunks: this.allocator.stats().nr_chunks });
    if (s.length >= this.maxSamples) {
      // keep the first and every other one after it; sample half as often from now on
      let w = 0;
      for (let r = 0; r < s.length; r += 2) s[w++] = s[r]!;
      s.length = w;
      this.stride *= 2;
    }
  }

  private phaseEnd(name: string, lat: Float64Array, memcgPercpu: Record<string, number> | null): void {
    const wanted = this.opts.keep || this.opts.onPhase !== undefined;
    const view = wanted ? (this.allocator.percpuStats?.() ?? null) : null;
    const phase: PhaseCapture = {
      index: this.data.phases.length,
      name,
      endNs: this.platform.modeledNs,
      histogram: latencyHistogram(name, lat),
      stats: this.opts.keep ? view : null,
      statsText: view ? formatPercpuStats(view) : null,
      meminfo: view ? formatMeminfoPercpu(view) : null,
      memcgPercpu,
    };
    if (this.opts.keep) this.sample();
    this.opts.onPhase?.(phase);
    this.data.phases.push(this.opts.keep ? phase : { ...phase, statsText: null, meminfo: null });
  }
}
