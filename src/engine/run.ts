/**
 * One run: a workload's phases against one allocator on one machine. The phases' generators
 * (src/engine/generators/) make the calls; this file times every call on the calling CPU's
 * modeled clock, runs balance work by the chosen policy on the kworker, and collects the
 * metrics of each phase.
 */
import seedrandom from 'seedrandom';
import type { PercpuAllocator, Topology } from '../kernel/allocator.ts';
import type { WorkCounters } from '../kernel/platform.ts';
import { InputError } from '../input/input-error.ts';
import { LiveSet } from './live-set.ts';
import { latencyPercentiles } from './percentile.ts';
import type { Footprint, MeteredPlatform } from './metered-platform.ts';
import type { GeneratorSpec } from './generators/index.ts';
import { estimateCalls, runGenerator } from './generators/index.ts';
import type { OpSink, RunState } from './generators/sink.ts';
import type { RecordedKernel } from '../kernel/recorded-kernel.ts';
import type { ReplayVerification } from './generators/replay-verify.ts';
import type { MemoryMetrics, RunMemory } from './memory.ts';
import { memoryNow, runMemory } from './memory.ts';
import type { MemcgCgroupMetrics, MemcgTree } from './memcg-tree.ts';

/** A phase as the engine runs it: a generator's spec, its name, and optionally its own CPU. */
export type PhaseSpec = (GeneratorSpec & { name: string; cpu?: number }) | { phase: 'balance'; name: string };

export type BalancePolicy = { mode: 'eager' } | { mode: 'manual' } | { mode: 'kworker'; delayNs: number };

/** One call as a test or a trace writer sees it (only built when `RunOptions.record` is set). */
export type RecordedOp =
  | { op: 'alloc'; id: number; cpu: number; size: number; align: number; atomic: boolean; reserved: boolean; chunk: number; off: number }
  | { op: 'free'; id: number; cpu: number; chunk: number; off: number }
  | { op: 'balance' };

export interface RunOptions {
  /** the CPU that makes the calls (a phase's `cpu` overrides it) */
  cpu: number;
  balance: BalancePolicy;
  seed: string;
  /** run the allocator's invariant checker after every operation */
  check: boolean;
  /** the machine as the allocator sees it (per-node objects, CPU checks, page size); a one-node 4 KiB machine when absent */
  topology?: Topology;
  /** called now and then with the fraction of the run's operations done */
  progress?: (done: number) => void;
  /** called after every call (balance work it triggered included); for samplers: keep it cheap */
  onOp?: () => void;
  /**
   * called at the end of each phase with the modeled latency of each of its calls, ns (a view:
   * copy to keep), and memory.stat's percpu of every live memory cgroup (null without accounting)
   */
  onPhaseEnd?: (name: string, latenciesNs: Float64Array, memcgPercpu: Record<string, number> | null) => void;
  /** the memory cgroups `account` fields charge to (the allocator was given it as its controller, if it accounts) */
  memcg?: MemcgTree | null;
  /** called with every call made (alloc results: chunk -2 and off -1 when it failed) */
  record?: (op: RecordedOp) => void;
}

export interface PhaseMetrics {
  ops: number;
  failed: number;
  modeled_ms: number;
  wall_ms: number;
  latency_ns: { p50: number; p99: number; max: number };
  /** balance work this phase's calls scheduled (and the policy ran before the phase ended), on the kworker */
  balance_runs: number;
  balance_ms: number;
  /** what the allocator holds at the phase's end (src/engine/memory.ts) */
  memory: MemoryMetrics;
  /** memory.stat `percpu` bytes of every live memory cgroup at the phase's end (runs with memcg accounting only) */
  memcg_percpu?: Record<string, number>;
}

export interface RunResult {
  phases: Record<string, PhaseMetrics>;
  /** balance work, run on a kworker and reported apart from the phases */
  balance: { runs: number; modeled_ms: number };
  /** the largest footprint seen at the end of any phase */
  footprint: Footprint & { chunks: number };
  /** memory at its peak and at the end of the run (over phase ends), and what came back */
  memory: RunMemory;
  counters: WorkCounters;
  /** what verified replays found (none without them) */
  replays: ReplayVerification[];
  /** every memory cgroup the run made (runs with memcg accounting only) */
  memcg: MemcgCgroupMetrics[] | null;
}

const KWORKER = -1;

/** The engine's side of the generators' calls: timing, failures, balance policy, progress. */
class PhaseRunner implements OpSink {
  chunk = -1;
  id = -1;
  /** calls made in the current phase, their modeled latencies, failures */
  n = 0;
  failed = 0;
  lat = new Float64Array(1 << 16);
  /** the calling CPU of the current phase */
  cpu: number;
  balanceRuns = 0;
  balanceNs = 0;
  /** live allocations and the bytes they asked for; the size of each call by its id */
  liveObjects = 0;
  liveBytes = 0;
  private sizeOfId = new Int32Array(1 << 16);
  private nextId = 0;
  /** modeled time of the calling CPU, the clock a kworker delay is measured on */
  private cpuClock = 0;
  private pendingSince = -1;
  private opsDone = 0;
  private phaseRandom: () => number = () => 0;
  // the options, read once: finish() runs after every call
  private readonly record: RunOptions['record'];
  private readonly check: boolean;
  private readonly progress: RunOptions['progress'];
  private readonly onOp: RunOptions['onOp'];

  constructor(
    private readonly allocator: PercpuAllocator,
    private readonly platform: MeteredPlatform,
    private readonly opts: RunOptions,
    private readonly totalOps: number,
  ) {
    this.cpu = opts.cpu;
    this.record = opts.record;
    this.check = opts.check;
    this.progress = opts.progress;
    this.onOp = opts.onOp;
  }

  beginPhase(cpu: number, random: () => number): void {
    this.setActiveMemcg(0);
    this.cpu = cpu;
    this.platform.setActingCpu(cpu);
    this.phaseRandom = random;
    this.n = 0;
    this.failed = 0;
  }

  random(): number {
    return this.phaseRandom();
  }

  setActiveMemcg(objcg: number): void {
    const tree = this.opts.memcg;
    if (tree) tree.current = objcg;
  }

  get recorded(): RecordedKernel | null {
    return this.allocator.recorded ?? null;
  }

  alloc(size: number, align: number, atomic: boolean, reserved: boolean, accounted = false): number {
    const off = this.allocator.alloc(size, align, atomic, reserved, accounted);
    this.id = this.nextId++;
    if (off < 0) this.failed++;
    else {
      this.chunk = this.allocator.lastChunkId;
      if (this.id >= this.sizeOfId.length) {
        const grown = new Int32Array(this.sizeOfId.length * 2);
        grown.set(this.sizeOfId);
        this.sizeOfId = grown;
      }
      this.sizeOfId[this.id] = size;
      this.liveObjects++;
      this.liveBytes += size;
    }
    if (this.record) {
      this.record({ op: 'alloc', id: this.id, cpu: this.cpu, size, align, atomic, reserved, chunk: off < 0 ? -2 : this.chunk, off });
    }
    this.finish('alloc');
    return off;
  }

  free(chunk: number, off: number, id: number): void {
    this.allocator.free(chunk, off);
    this.liveObjects--;
    if (id >= 0 && id < this.nextId) this.liveBytes -= this.sizeOfId[id]!;
    if (this.record) this.record({ op: 'free', id, cpu: this.cpu, chunk, off });
    this.finish('free');
  }

  badFree(): void {
    this.platform.work.warnings++;
  }

  /**
   * close the timing of one call on the calling CPU's clock (the platform's charges since the
   * previous call closed: nothing is charged between calls), then run balance work by policy
   */
  private finish(kind: 'alloc' | 'free'): void {
    const dt = this.platform.chargeOp(kind);
    if (this.n === this.lat.length) {
      const grown = new Float64Array(this.lat.length * 2);
      grown.set(this.lat);
      this.lat = grown;
    }
    this.lat[this.n++] = dt;
    this.cpuClock += dt;
    if (this.check) this.allocator.checkInvariants();
    if (this.allocator.balancePending) {
      const policy = this.opts.balance;
      if (policy.mode === 'eager') this.balance();
      else if (policy.mode === 'kworker') {
        if (this.pendingSince < 0) this.pendingSince = this.cpuClock;
        else if (this.cpuClock - this.pendingSince >= policy.delayNs) this.balance();
      }
    }
    if (this.progress && (++this.opsDone & 0xffff) === 0) this.progress(Math.min(1, this.opsDone / this.totalOps));
    if (this.onOp) this.onOp();
  }

  balance(): void {
    const platform = this.platform;
    platform.chargeOp('none');
    platform.setActingCpu(KWORKER);
    this.allocator.runBalance();
    this.balanceNs += platform.chargeOp('balance');
    this.balanceRuns++;
    platform.setActingCpu(this.cpu);
    this.pendingSince = -1;
    if (this.record) this.record({ op: 'balance' });
  }
}

/** Runs `phases` in order; the allocator and platform are fresh for this run. */
export function runPhases(allocator: PercpuAllocator, platform: MeteredPlatform, phases: readonly PhaseSpec[], opts: RunOptions): RunResult {
  const topology = opts.topology;
  const nrNodes = topology ? topology.nodeDistance.length : 1;
  for (const p of phases) {
    if (p.phase !== 'balance' && p.cpu !== undefined && topology && p.cpu >= topology.nrCpus) {
      throw new InputError(`phase ${p.name}: cpu ${p.cpu} does not exist (${topology.nrCpus} possible CPUs)`);
    }
  }
  let totalOps = 0;
  let loose = 0;
  let mostLoose = 0;
  for (const p of phases) {
    if (p.phase === 'balance') continue;
    const [calls, after] = estimateCalls(p, loose, nrNodes);
    totalOps += calls;
    loose = after;
    mostLoose = Math.max(mostLoose, loose);
  }
  const state: RunState = {
    live: new LiveSet(mostLoose),
    runRandom: seedrandom(opts.seed),
    nrNodes,
    pageSize: topology ? topology.pageSize : 4096,
    maps: new Map(),
    groups: new Map(),
    memcg: opts.memcg ?? null,
    verifications: [],
  };
  const runner = new PhaseRunner(allocator, platform, opts, totalOps || 1);
  const result: RunResult = {
    phases: {},
    balance: { runs: 0, modeled_ms: 0 },
    footprint: { metadata_bytes: 0, populated_pages: 0, vmalloc_bytes: 0, chunks: 0 },
    memory: runMemory([]),
    counters: platform.work,
    replays: state.verifications,
    memcg: null,
  };
  const phaseEnds: MemoryMetrics[] = [];

  platform.setActingCpu(opts.cpu);
  // the allocator's set-up (first chunk, reserved chunk) is nobody's call: close it before the first
  platform.chargeOp('none');
  phases.forEach((phase, index) => {
    const wall0 = performance.now();
    const balanceNs0 = runner.balanceNs;
    const balanceRuns0 = runner.balanceRuns;
    if (phase.phase === 'balance') {
      runner.beginPhase(opts.cpu, () => 0);
      runner.balance();
    } else {
      runner.beginPhase(phase.cpu ?? opts.cpu, seedrandom(`${opts.seed}/phase ${index}`));
      runGenerator(phase, runner, state);
    }
    const memcgPercpu = state.memcg ? memcgPercpuNow(state.memcg) : null;
    result.phases[phase.name] = {
      ...phaseMetrics(runner.lat.subarray(0, runner.n), runner.failed, performance.now() - wall0),
      balance_runs: runner.balanceRuns - balanceRuns0,
      balance_ms: (runner.balanceNs - balanceNs0) / 1e6,
      memory: memoryNow(allocator, platform, state.pageSize, { objects: runner.liveObjects, bytes: runner.liveBytes }),
      ...(memcgPercpu ? { memcg_percpu: memcgPercpu } : {}),
    };
    phaseEnds.push(result.phases[phase.name]!.memory);
    opts.onPhaseEnd?.(phase.name, runner.lat.subarray(0, runner.n), memcgPercpu);
    notePeak(result.footprint, platform.footprint(), allocator.stats().nr_chunks);
  });
  platform.setActingCpu(opts.cpu);
  result.balance.runs = runner.balanceRuns;
  result.balance.modeled_ms = runner.balanceNs / 1e6;
  result.memory = runMemory(phaseEnds);
  if (state.memcg) result.memcg = state.memcg.metrics();
  return result;
}

/** memory.stat `percpu` of every live cgroup, in creation order (and each cgroup's peak noted) */
function memcgPercpuNow(tree: MemcgTree): Record<string, number> {
  tree.notePeaks();
  const out: Record<string, number> = {};
  tree.names.forEach((name, c) => {
    if (tree.isAlive(c)) out[name] = tree.percpuOf(c);
  });
  return out;
}

function phaseMetrics(lat: Float64Array, failed: number, wallMs: number): Omit<PhaseMetrics, 'balance_runs' | 'balance_ms' | 'memory'> {
  let total = 0;
  for (let i = 0; i < lat.length; i++) total += lat[i]!;
  return {
    ops: lat.length,
    failed,
    modeled_ms: total / 1e6,
    wall_ms: wallMs,
    latency_ns: latencyPercentiles(lat),
  };
}

function notePeak(peak: Footprint & { chunks: number }, now: Footprint, chunks: number): void {
  peak.metadata_bytes = Math.max(peak.metadata_bytes, now.metadata_bytes);
  peak.populated_pages = Math.max(peak.populated_pages, now.populated_pages);
  peak.vmalloc_bytes = Math.max(peak.vmalloc_bytes, now.vmalloc_bytes);
  peak.chunks = Math.max(peak.chunks, chunks);
}
