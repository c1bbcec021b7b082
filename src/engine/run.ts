/**
 * One run: a workload's phases against one allocator on one machine. Charges every operation
 * to the acting CPU's modeled clock, runs balance work by the chosen policy on the kworker,
 * and collects the metrics of each phase.
 */
import seedrandom from 'seedrandom';
import type { PercpuAllocator } from '../kernel/allocator.ts';
import type { WorkCounters } from '../kernel/platform.ts';
import type { FreeOrder } from './free-order.ts';
import { freeOrder } from './free-order.ts';
import { LiveSet } from './live-set.ts';
import type { Footprint, MeteredPlatform } from './metered-platform.ts';

export type PhaseSpec =
  | { phase: 'alloc'; name: string; count: number; size: number; align: number; atomic: boolean; reserved: boolean }
  | { phase: 'free'; name: string; order: FreeOrder }
  | { phase: 'balance'; name: string };

export type BalancePolicy = { mode: 'eager' } | { mode: 'manual' } | { mode: 'kworker'; delayNs: number };

export interface RunOptions {
  /** the CPU that makes the calls */
  cpu: number;
  balance: BalancePolicy;
  seed: string;
  /** run the allocator's invariant checker after every operation */
  check: boolean;
  /** called now and then with the fraction of the run's operations done */
  progress?: (done: number) => void;
  /** called after every call (balance work it triggered included); for samplers: keep it cheap */
  onOp?: () => void;
  /** called at the end of each phase with the modeled latency of each of its calls, ns (a view: copy to keep) */
  onPhaseEnd?: (name: string, latenciesNs: Float64Array) => void;
}

export interface PhaseMetrics {
  ops: number;
  failed: number;
  modeled_ms: number;
  wall_ms: number;
  latency_ns: { p50: number; p99: number; max: number };
}

export interface RunResult {
  phases: Record<string, PhaseMetrics>;
  /** balance work, run on a kworker and reported apart from the phases */
  balance: { runs: number; modeled_ms: number };
  /** the largest footprint seen at the end of any phase */
  footprint: Footprint & { chunks: number };
  counters: WorkCounters;
}

const KWORKER = -1;

/** Runs `phases` in order; the allocator and platform are fresh for this run. */
export function runPhases(allocator: PercpuAllocator, platform: MeteredPlatform, phases: readonly PhaseSpec[], opts: RunOptions): RunResult {
  const random = seedrandom(opts.seed);
  const live = new LiveSet();
  const result: RunResult = {
    phases: {},
    balance: { runs: 0, modeled_ms: 0 },
    footprint: { metadata_bytes: 0, populated_pages: 0, vmalloc_bytes: 0, chunks: 0 },
    counters: platform.work,
  };
  let balanceNs = 0;
  /** modeled time of the calling CPU, the clock a kworker delay is measured on */
  let cpuClock = 0;
  let pendingSince = -1;
  const totalOps = phases.reduce((n, p) => n + (p.phase === 'alloc' ? p.count : 0), 0) * 2 || 1;
  let opsDone = 0;

  const runBalance = (): void => {
    platform.chargeOp('none');
    platform.setActingCpu(KWORKER);
    const t0 = platform.modeledNs;
    allocator.runBalance();
    platform.chargeOp('balance');
    balanceNs += platform.modeledNs - t0;
    result.balance.runs++;
    platform.setActingCpu(opts.cpu);
    pendingSince = -1;
  };
  /** after an operation: run scheduled balance work as the policy says */
  const afterOp = (): void => {
    if (opts.check) allocator.checkInvariants();
    if (!allocator.balancePending) return;
    const policy = opts.balance;
    if (policy.mode === 'eager') runBalance();
    else if (policy.mode === 'kworker') {
      if (pendingSince < 0) pendingSince = cpuClock;
      else if (cpuClock - pendingSince >= policy.delayNs) runBalance();
    }
  };

  platform.setActingCpu(opts.cpu);
  for (const phase of phases) {
    const wall0 = performance.now();
    const lat = new Float64Array(phase.phase === 'alloc' ? phase.count : phase.phase === 'free' ? live.count : 0);
    let failed = 0;
    let n = 0;
    /** close the timing of one operation on the calling CPU's clock */
    const kind = phase.phase === 'alloc' ? 'alloc' : 'free';
    const finish = (t0: number): void => {
      platform.chargeOp(kind);
      const dt = platform.modeledNs - t0;
      lat[n++] = dt;
      cpuClock += dt;
      afterOp();
      if (opts.progress && (++opsDone & 0xffff) === 0) opts.progress(opsDone / totalOps);
      opts.onOp?.();
    };
    if (phase.phase === 'alloc') {
      const { count, size, align, atomic, reserved } = phase;
      for (let i = 0; i < count; i++) {
        const t0 = platform.modeledNs;
        const off = allocator.alloc(size, align, atomic, reserved);
        if (off < 0) failed++;
        else live.push(allocator.lastChunkId, off);
        finish(t0);
      }
    } else if (phase.phase === 'free') {
      live.compact();
      const order = freeOrder(live.length, phase.order, random);
      for (let k = 0; k < order.length; k++) {
        const i = order[k]!;
        const t0 = platform.modeledNs;
        allocator.free(live.chunk[i]!, live.off[i]!);
        live.kill(i);
        finish(t0);
      }
    } else runBalance();
    result.phases[phase.name] = phaseMetrics(lat.subarray(0, n), failed, performance.now() - wall0);
    opts.onPhaseEnd?.(phase.name, lat.subarray(0, n));
    notePeak(result.footprint, platform.footprint(), allocator.stats().nr_chunks);
  }
  result.balance.modeled_ms = balanceNs / 1e6;
  return result;
}

function phaseMetrics(lat: Float64Array, failed: number, wallMs: number): PhaseMetrics {
  let total = 0;
  for (let i = 0; i < lat.length; i++) total += lat[i]!;
  const sorted = Float64Array.from(lat).sort();
  const rank = (p: number): number => (sorted.length === 0 ? 0 : sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!);
  return {
    ops: lat.length,
    failed,
    modeled_ms: total / 1e6,
    wall_ms: wallMs,
    latency_ns: { p50: rank(0.5), p99: rank(0.99), max: rank(1) },
  };
}

function notePeak(peak: Footprint & { chunks: number }, now: Footprint, chunks: number): void {
  peak.metadata_bytes = Math.max(peak.metadata_bytes, now.metadata_bytes);
  peak.populated_pages = Math.max(peak.populated_pages, now.populated_pages);
  peak.vmalloc_bytes = Math.max(peak.vmalloc_bytes, now.vmalloc_bytes);
  peak.chunks = Math.max(peak.chunks, chunks);
}
