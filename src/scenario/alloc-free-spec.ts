/**
 * The seed's workload as one run: `count` allocations of `size` at `align` on CPU 0, then every
 * one freed in `order`, balance work eager. The bench and the calibration's measured workloads
 * both run it; a scenario file is not needed for it.
 */
import type { AllocatorName } from '../kernel/allocator.ts';
import { DEFAULT_KNOBS } from '../kernel/allocator.ts';
import type { FreeOrder } from '../engine/free-order.ts';
import type { Labels, MachineRef, RunSpec } from './load.ts';

export interface AllocFreeWorkload {
  /** names the run in messages (RunSpec.scenario) */
  scenario: string;
  allocator: AllocatorName;
  machine: MachineRef;
  count: number;
  size: number;
  align: number;
  order: FreeOrder;
  seed: string;
  costModel: RunSpec['costModel'];
  labels?: Labels;
}

export function allocFreeSpec(w: AllocFreeWorkload): RunSpec {
  return {
    index: 0,
    scenario: w.scenario,
    allocator: w.allocator,
    machine: w.machine,
    labels: w.labels ?? {},
    phases: [
      { phase: 'alloc', name: 'alloc', count: w.count, size: w.size, align: w.align, atomic: false, reserved: false },
      { phase: 'free', name: 'free', order: w.order },
    ],
    knobs: DEFAULT_KNOBS,
    firstChunk: {},
    cpu: 0,
    balance: { mode: 'eager' },
    seed: w.seed,
    costModel: w.costModel,
  };
}
