/**
 * Runs a measurement's workload on a preset as the native harness ran it: the line's CPU count
 * on one node, its page size and first chunk over the preset; `count` allocations of `size`
 * at `align`, then frees of all of them in the line's order; balance work eager, and counted in
 * the phase that triggered it. Returns each phase's modeled ms and the work tally the time
 * model prices (the same ns, see time-model.ts), for every free order a `worst` line needs;
 * also the calling CPU's share alone, for lines timed without the kworker's balance work.
 */
import { executeRun } from '../engine/execute.ts';
import { loadMachineSetup } from '../engine/machines.ts';
import { allocFreeSpec } from '../scenario/alloc-free-spec.ts';
import type { AllocatorName } from '../kernel/allocator.ts';
import type { FreeOrder } from '../engine/free-order.ts';
import { loadMachine } from '../hw/machine-config.ts';
import { MachinePlatform } from '../hw/machine-platform.ts';
import type { WorkTally } from '../hw/time-model.ts';
import { tallyDelta } from '../hw/time-model.ts';
import type { Measurement } from './measurements.ts';

export type CostModelName = 'counts' | 'full';

export const PHASES = ['alloc', 'free'] as const;
export type PhaseName = (typeof PHASES)[number];

/** one fresh run of one free order */
export interface OrderRun {
  order: FreeOrder;
  /** modeled ms per phase, balance work included */
  ms: Record<PhaseName, number>;
  /** modeled ms per phase of the calling CPU only */
  cpuMs: Record<PhaseName, number>;
  tally: Record<PhaseName, WorkTally>;
  /** the calling CPU's share of `tally` (balance work left out) */
  cpuTally: Record<PhaseName, WorkTally>;
  chunksCreated: number;
}

/** the machine overrides that make `preset` the machine of a measurement line */
export function measurementOverrides(preset: string, m: Measurement): Record<string, unknown> {
  if (!m.machine) return {};
  const base = loadMachine(preset);
  const memory = base.spec.topology.nodes.reduce((sum, n) => sum + n.memory, 0);
  const over: Record<string, unknown> = {
    topology: { nodes: [{ cpus: m.machine.cpus === 1 ? '0' : `0-${m.machine.cpus - 1}`, memory }], distance: [[10]] },
    memory: { pageSize: m.machine.pageSize },
  };
  if (m.machine.firstChunk) over.firstChunk = m.machine.firstChunk;
  return over;
}

export function ordersOf(m: Measurement): FreeOrder[] {
  return m.workload.free === 'worst' ? ['inorder', 'alternating', 'reverse'] : [m.workload.free];
}

/** runs every free order the line needs on `preset` (+ `extraOverrides`, deep-merged last) */
export function runMeasurement(preset: string, m: Measurement, costModel: CostModelName, extraOverrides?: Record<string, unknown>): OrderRun[] {
  const overrides = { ...measurementOverrides(preset, m), ...(extraOverrides ?? {}) };
  return ordersOf(m).map((order) => runOrder(preset, overrides, m, order, costModel));
}

function runOrder(preset: string, overrides: Record<string, unknown>, m: Measurement, order: FreeOrder, costModel: CostModelName): OrderRun {
  const w = m.workload;
  const spec = allocFreeSpec({
    scenario: m.id,
    allocator: m.allocator as AllocatorName,
    machine: { preset, overrides },
    count: w.count,
    size: w.size,
    align: w.align,
    order,
    seed: 'calibration',
    costModel,
  });
  const tallies: WorkTally[] = [];
  const cpuTallies: WorkTally[] = [];
  const metrics = executeRun(spec, loadMachineSetup, {
    check: false,
    observe: (_allocator, platform) => {
      const mp = platform as unknown as MachinePlatform;
      if (!(mp instanceof MachinePlatform)) throw new Error('calibration needs the modeled machine platform');
      const take = (): void => {
        tallies.push(mp.tally());
        cpuTallies.push(mp.tally('cpu'));
      };
      take();
      return { onPhaseEnd: take };
    },
  });
  const phaseMs = (name: PhaseName): number => {
    const p = metrics.phases[name]!;
    return p.modeled_ms + p.balance_ms;
  };
  return {
    order,
    ms: { alloc: phaseMs('alloc'), free: phaseMs('free') },
    cpuMs: { alloc: metrics.phases.alloc!.modeled_ms, free: metrics.phases.free!.modeled_ms },
    tally: { alloc: tallyDelta(tallies[1]!, tallies[0]!), free: tallyDelta(tallies[2]!, tallies[1]!) },
    cpuTally: { alloc: tallyDelta(cpuTallies[1]!, cpuTallies[0]!), free: tallyDelta(cpuTallies[2]!, cpuTallies[1]!) },
    chunksCreated: metrics.counters.chunksCreated,
  };
}
