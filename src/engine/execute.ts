/**
 * Runs one RunSpec from scratch: a fresh machine, a fresh allocator, the phases. Plain data in,
 * plain data out, so it runs the same in the main thread and in a worker.
 */
import type { FirstChunkRequest, PercpuAllocator, Topology } from '../kernel/allocator.ts';
import { portKernel } from '../kernel/versions.ts';
import { allocatorFactory } from '../kernel/registry.ts';
import { resolveAllocator } from '../kernel/versions.ts';
import type { MachineRef, RunSpec } from '../scenario/load.ts';
import { InputError } from '../input/input-error.ts';
import type { MeteredPlatform } from './metered-platform.ts';
import type { RunMetrics } from './metrics.ts';
import type { RunOptions } from './run.ts';
import { runPhases } from './run.ts';
import { MemcgTree } from './memcg-tree.ts';
import { chargesPercpu } from './memcg-versions.ts';

/** A machine ready to run on: what the allocator sees, and a fresh modeled platform. */
export interface MachineSetup {
  name: string;
  topology: Topology;
  firstChunk: FirstChunkRequest;
  /** a fresh platform for `allocator`'s code under `costModel` */
  newPlatform(allocator: string, costModel: 'counts' | 'full'): MeteredPlatform;
}

export type MachineLoader = (ref: MachineRef) => MachineSetup;

export interface ExecuteOptions {
  check: boolean;
  progress?: (fraction: number) => void;
  /** watches the run from inside (event log, stats per phase, samplers): gets the fresh allocator and platform, returns engine hooks */
  observe?: (allocator: PercpuAllocator, platform: MeteredPlatform, machine: MachineSetup) => Pick<RunOptions, 'onOp' | 'onPhaseEnd'>;
}

export function executeRun(spec: RunSpec, loadMachine: MachineLoader, opts: ExecuteOptions): RunMetrics {
  const machine = loadMachine(spec.machine);
  const factory = allocatorFactory(spec.allocator);
  if (typeof factory === 'string') throw new InputError(factory);
  if (spec.cpu >= machine.topology.nrCpus) {
    throw new InputError(`cpu ${spec.cpu} does not exist on ${machine.name} (${machine.topology.nrCpus} possible CPUs)`);
  }
  // the code that runs is the port's: a kernel version a scenario names takes its port's code costs
  const platform = machine.newPlatform(resolveAllocator(spec.allocator) ?? spec.allocator, spec.costModel ?? 'counts');
  const kernel = portKernel(spec.allocator);
  // the cgroup tree exists for every version; only those that account per-CPU memory are given it to charge
  const memcg = spec.memcg ? new MemcgTree(machine.topology.pageSize) : null;
  const allocator = factory(
    {
      topology: machine.topology,
      firstChunk: { ...machine.firstChunk, ...spec.firstChunk },
      knobs: spec.knobs,
      ...(memcg && chargesPercpu(kernel) ? { memcg } : {}),
    },
    platform,
  );
  const hooks = opts.observe?.(allocator, platform, machine);
  const r = runPhases(allocator, platform, spec.phases, {
    cpu: spec.cpu,
    topology: machine.topology,
    balance: spec.balance,
    // the same workload for every allocator: the seed depends on the matrix point only
    seed: `${spec.seed}/${JSON.stringify(spec.labels)}`,
    check: opts.check,
    progress: opts.progress,
    memcg,
    ...hooks,
  });
  const end = platform.footprint();
  return {
    allocator: spec.allocator,
    kernel,
    machine: machine.name,
    page_size: machine.topology.pageSize,
    cpus: machine.topology.nrCpus,
    nodes: machine.topology.nodeDistance.length,
    labels: spec.labels,
    phases: r.phases,
    balance: r.balance,
    footprint: r.footprint,
    footprint_end: { metadata_bytes: end.metadata_bytes, populated_pages: end.populated_pages, vmalloc_bytes: end.vmalloc_bytes, chunks: allocator.stats().nr_chunks },
    memory: r.memory,
    counters: { ...r.counters },
    ...(r.replays.length ? { replay_verified: r.replays } : {}),
    ...(r.memcg ? { memcg: { charged: chargesPercpu(kernel), cgroups: r.memcg } } : {}),
  };
}
