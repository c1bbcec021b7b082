/**
 * What a run will cost before it runs, from its specification alone: the calls it makes, the
 * objects live at once, the host memory it needs at its peak and the host seconds it takes.
 * Estimates, not promises: good to a small factor on the shipped scenarios (the figures in
 * COST below were measured on them), enough to refuse a run that cannot fit, warn about one
 * that takes long, pick a worker count and balance sweep shards.
 */
import { resolveAllocator } from '../kernel/versions.ts';
import { statSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import type { AllocatorName } from '../kernel/allocator.ts';
import type { RunSpec } from '../scenario/load.ts';
import type { PhaseSpec } from './run.ts';
import { estimateCalls } from './generators/index.ts';
import { loadMachine } from '../hw/machine-config.ts';

/**
 * measured on the shipped scenarios with --workers 0 and on 1 and 4 million 8-byte allocations
 * (peak RSS 157 and 209 MB for bitmap, 155 and 249 MB for areamap)
 */
const COST = {
  /** host memory of the process before any run: Node, the simulator's code, a machine */
  baseBytes: 160 * 2 ** 20,
  /** per call: its modeled latency (8 bytes in a Float64Array that grows by doubling) */
  bytesPerCall: 12,
  /** per live object: the run's live set (13 bytes in struct-of-arrays that grow by doubling) */
  bytesPerLive: 16,
  /** per live object, the allocator's own metadata: an area-map entry (v4.13); bitmap bits per 4 bytes of the object (v4.14, v6.12) */
  areamapBytesPerLive: 12,
  bitmapBitsPerFourBytes: 2,
  /** per line of a replayed recording held in memory */
  bytesPerReplayLine: 24,
  /** host seconds per call, by allocator (the area map's long first-fit walks make it slower on average) */
  secondsPerCall: { areamap: 1.1e-6, 'bitmap-v4.14': 1.5e-6, bitmap: 1.3e-6, 'bitmap-v6.18': 1.3e-6, 'bitmap-v5.10': 1.3e-6 } satisfies Record<AllocatorName, number>,
  /** host seconds to set up one run (a fresh machine and allocator) */
  setupSeconds: 0.02,
  /** host seconds per page populated in one unit (populating walks every unit's pages) */
  secondsPerUnitPage: 2e-8,
};

/** what an estimate needs to know of the machine */
export interface MachineSize {
  nrNodes: number;
  nrCpus: number;
  pageSize: number;
}

/** a percpu-trace line is about this long; a gzip file holds about this many times its size */
const TRACE_LINE_BYTES = 64;
const GZIP_RATIO = 8;

export interface PhaseEstimate {
  name: string;
  calls: number;
  /** the phase's share of the run's calls: where the run's progress fraction enters and leaves it */
  from: number;
  to: number;
}

export interface RunEstimate {
  calls: number;
  /** objects live at once, at most */
  peakLive: number;
  /** host memory at the run's peak, bytes (the process's base included) */
  peakBytes: number;
  /** host seconds */
  seconds: number;
  phases: PhaseEstimate[];
  /** the phase that makes most calls, by its index in the workload (for an error to point at) */
  largestPhase: number;
}

/** calls a recording replays, from its size on disk */
function replayCalls(file: string): number {
  try {
    const size = statSync(file).size;
    return Math.ceil((file.endsWith('.gz') ? size * GZIP_RATIO : size) / TRACE_LINE_BYTES);
  } catch {
    return 0;
  }
}

/** what was created under a map or group name, for the phases that free all of it */
const groupKey = (p: PhaseSpec): string | null =>
  p.phase === 'bpfPercpuArray' || p.phase === 'bpfPercpuHash' ? `map:${p.map}` : p.phase === 'cgroups' || p.phase === 'modules' ? `${p.phase}:${p.group}` : null;

export function estimateRun(spec: Pick<RunSpec, 'allocator' | 'phases'>, machine: MachineSize = { nrNodes: 1, nrCpus: 1, pageSize: 4096 }): RunEstimate {
  const nrNodes = machine.nrNodes;
  // a kernel version a scenario names runs on its port
  const port = resolveAllocator(spec.allocator) ?? 'bitmap';
  let liveBytes = 0;
  let peakLiveBytes = 0;
  let loose = 0;
  let live = 0;
  let peakLive = 0;
  let calls = 0;
  let replayLines = 0;
  let metaBytes = 0;
  let peakMeta = 0;
  const created = new Map<string, number>();
  const perPhase: { name: string; calls: number }[] = [];
  for (const p of spec.phases) {
    if (p.phase === 'balance') {
      perPhase.push({ name: p.name, calls: 0 });
      continue;
    }
    let [n, after] = estimateCalls(p, loose, nrNodes);
    const key = groupKey(p);
    let allocated = after - loose;
    if (p.phase === 'replay') {
      const lines = replayCalls(p.file);
      replayLines += lines;
      n = lines;
      allocated = lines / 2;
    } else if (key !== null && ('action' in p) && (p.action === 'create' || p.action === 'load')) {
      allocated = n;
      created.set(key, (created.get(key) ?? 0) + n);
    } else if (key !== null && 'action' in p && (p.action === 'destroy' || p.action === 'unload')) {
      // freeing a whole map or group frees what it holds (estimateCalls, for progress, counts nothing)
      const held = created.get(key) ?? 0;
      n = 'count' in p && typeof p.count === 'number' ? Math.min(held, n || held) : held;
      created.set(key, held - n);
      allocated = -n;
    } else if (p.phase === 'bpfPercpuHash' && p.action === 'update') allocated = n;
    else if (p.phase === 'churn') allocated = Math.max(p.liveTarget, n / 2);
    loose = Math.max(0, after);
    live = Math.max(0, live + allocated);
    liveBytes = Math.max(0, liveBytes + allocated * typicalSize(p));
    peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
    peakLive = Math.max(peakLive, live);
    metaBytes = live * metadataPerLive(port, typicalSize(p));
    peakMeta = Math.max(peakMeta, metaBytes);
    calls += n;
    perPhase.push({ name: p.name, calls: n });
  }
  let at = 0;
  const phases = perPhase.map((p) => {
    const from = calls > 0 ? at / calls : 0;
    at += p.calls;
    return { name: p.name, calls: p.calls, from, to: calls > 0 ? at / calls : 1 };
  });
  const largestPhase = perPhase.reduce((best, p, i) => (p.calls > perPhase[best]!.calls ? i : best), 0);
  const peakBytes = COST.baseBytes + calls * COST.bytesPerCall + peakLive * COST.bytesPerLive + peakMeta + replayLines * COST.bytesPerReplayLine;
  const unitPages = Math.ceil(peakLiveBytes / machine.pageSize) * machine.nrCpus;
  const seconds = COST.setupSeconds + calls * COST.secondsPerCall[port] + unitPages * COST.secondsPerUnitPage;
  return { calls, peakLive, peakBytes, seconds, phases, largestPhase };
}

/** bytes of allocator metadata one live object of `size` bytes costs */
function metadataPerLive(allocator: AllocatorName, size: number): number {
  if (allocator === 'areamap') return COST.areamapBytesPerLive;
  return (Math.ceil(size / 4) * COST.bitmapBitsPerFourBytes) / 8;
}

/** the object size a phase mostly allocates (for metadata per object) */
function typicalSize(p: PhaseSpec): number {
  if (p.phase === 'alloc') return Math.max(4, p.size);
  if ((p.phase === 'bpfPercpuArray' || p.phase === 'bpfPercpuHash') && p.action === 'create') return p.valueSize;
  return 64;
}

/** the phase a run is in at `fraction` of its calls */
export function phaseAt(e: RunEstimate, fraction: number): PhaseEstimate | null {
  return e.phases.find((p) => p.calls > 0 && fraction < p.to) ?? [...e.phases].reverse().find((p) => p.calls > 0) ?? null;
}

/**
 * CPUs a worker could have to itself now: the CPU count less what other processes keep busy
 * (sampled while this process sleeps), at least 1. On a machine other processes keep busy, workers
 * only add their start-up and contend with each other.
 */
export function idleCpus(cpus = availableParallelism(), busy = busyCpusNow()): number {
  return Math.max(1, Math.min(cpus, Math.round(cpus - busy)));
}

/**
 * CPUs busy right now, sampled over `ms` from the kernel's per-CPU time counters. The 1-minute
 * load average is not used: it still counts the previous run of this very command for a minute
 * after it ended, which made a second run in a row give up its workers.
 */
export function busyCpusNow(ms = 200): number {
  const take = (): { busy: number; all: number } =>
    cpus().reduce(
      (s, c) => {
        const t = c.times;
        const busy = t.user + t.nice + t.sys + t.irq;
        return { busy: s.busy + busy, all: s.all + busy + t.idle };
      },
      { busy: 0, all: 0 },
    );
  const a = take();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const b = take();
  const all = b.all - a.all;
  return all > 0 ? ((b.busy - a.busy) / all) * cpus().length : 0;
}

/** host seconds to start a worker thread (it loads and compiles the simulator anew) */
const WORKER_START_SECONDS = 1.5;
/** workers must promise at least this much less wall time than the main thread alone */
const WORKER_GAIN = 0.8;

/**
 * The worker threads that finish `runs` soonest by the estimates: none when the work is small
 * (a worker costs more to start than it saves), never more than `cores` nor than the runs.
 * Wall time with w workers is taken as their start-up plus the larger of an even share of the
 * work and the longest run.
 */
export function chooseWorkers(runs: readonly RunEstimate[], cores: number): { workers: number; seconds: number } {
  const total = runs.reduce((s, r) => s + r.seconds, 0);
  const longest = runs.reduce((m, r) => Math.max(m, r.seconds), 0);
  let best = { workers: 0, seconds: total };
  for (let w = 2; w <= Math.min(cores, runs.length, 8); w++) {
    const seconds = WORKER_START_SECONDS + Math.max(total / w, longest);
    if (seconds < best.seconds && seconds < WORKER_GAIN * total) best = { workers: w, seconds };
  }
  return best;
}

/** each run's estimate, its machine loaded once per distinct machine */
export function estimateRuns(runs: readonly RunSpec[]): RunEstimate[] {
  const machines = new Map<string, MachineSize>();
  return runs.map((spec) => {
    const key = JSON.stringify(spec.machine);
    let size = machines.get(key);
    if (size === undefined) {
      const m = loadMachine(spec.machine.preset, spec.machine.overrides);
      machines.set(key, (size = { nrNodes: m.topology.nrNodes, nrCpus: m.topology.nrCpus, pageSize: m.memory.pageSize }));
    }
    return estimateRun(spec, size);
  });
}

