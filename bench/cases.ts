/** The benchmark cases: the seed's workload (5 sizes × 3 free orders × every allocator) and the contrived case. */
import type { AllocatorName } from '../src/kernel/allocator.ts';
import { ALLOCATOR_NAMES, DEFAULT_KNOBS } from '../src/kernel/allocator.ts';
import type { FreeOrder } from '../src/engine/free-order.ts';
import type { RunSpec } from '../src/scenario/load.ts';

export const SEED_OBJECTS = 2 ** 20;
export const SIZES = [4, 16, 64, 128, 1024];
export const ORDERS: FreeOrder[] = ['inorder', 'alternating', 'reverse'];

export interface BenchCase {
  name: string;
  spec: RunSpec;
}

function spec(allocator: AllocatorName, count: number, size: number, align: number, order: FreeOrder, labels: RunSpec['labels']): RunSpec {
  return {
    index: 0,
    scenario: 'bench',
    allocator,
    machine: { preset: 'seed-2017', overrides: {} },
    labels,
    phases: [
      { phase: 'alloc', name: 'alloc', count, size, align, atomic: false, reserved: false },
      { phase: 'free', name: 'free', order },
    ],
    knobs: DEFAULT_KNOBS,
    firstChunk: {},
    cpu: 0,
    balance: { mode: 'eager' },
    seed: 'bench',
  };
}

export function benchCases(count = SEED_OBJECTS): BenchCase[] {
  const out: BenchCase[] = [];
  for (const a of ALLOCATOR_NAMES) {
    for (const size of SIZES) {
      for (const order of ORDERS) out.push({ name: `${a}/${size}B/${order}`, spec: spec(a, count, size, 4, order, { size, order }) });
    }
    out.push({ name: `${a}/align8-corner`, spec: spec(a, count, 4, 8, 'inorder', { size: 4, order: 'inorder' }) });
  }
  return out;
}
