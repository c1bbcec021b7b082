/**
 * The benchmark cases: the seed's workload (5 sizes × 3 free orders × every allocator), the
 * contrived case, and a memory check: the same 4-byte workload on the seed machine cut down
 * to 4 possible CPUs and grown to 4096 (peak RSS should not depend on the CPU count: no
 * per-CPU copies of anything per chunk).
 */
import type { AllocatorName } from '../src/kernel/allocator.ts';
import { ALLOCATOR_NAMES } from '../src/kernel/allocator.ts';
import type { FreeOrder } from '../src/engine/free-order.ts';
import type { RunSpec } from '../src/scenario/load.ts';
import { allocFreeSpec } from '../src/scenario/alloc-free-spec.ts';

export const SEED_OBJECTS = 2 ** 20;
/**
 * untimed runs of a case before its timed ones: with the larger inlining budget the second and
 * third runs still deoptimize and recompile the bigger functions
 */
export const WARMUP_RUNS = 3;
/** timed runs of a case in its process; its figures are the fastest run's */
export const TIMED_RUNS = 3;
export const SIZES = [4, 16, 64, 128, 1024];
export const ORDERS: FreeOrder[] = ['inorder', 'alternating', 'reverse'];

export interface BenchCase {
  name: string;
  spec: RunSpec;
}

/** seed-2017 with `cpus` possible CPUs, half on each of its two nodes */
function cpusOverride(cpus: number): Record<string, unknown> {
  const half = cpus / 2;
  return {
    topology: {
      nodes: [
        { cpus: `0-${half - 1}`, memory: '64 GiB' },
        { cpus: `${half}-${cpus - 1}`, memory: '64 GiB' },
      ],
    },
  };
}

function spec(
  allocator: AllocatorName,
  count: number,
  size: number,
  align: number,
  order: FreeOrder,
  labels: RunSpec['labels'],
  overrides: Record<string, unknown> = {},
): RunSpec {
  return allocFreeSpec({ scenario: 'bench', allocator, machine: { preset: 'seed-2017', overrides }, count, size, align, order, seed: 'bench', costModel: 'counts', labels });
}

export function benchCases(count = SEED_OBJECTS): BenchCase[] {
  const out: BenchCase[] = [];
  for (const a of ALLOCATOR_NAMES) {
    for (const size of SIZES) {
      for (const order of ORDERS) out.push({ name: `${a}/${size}B/${order}`, spec: spec(a, count, size, 4, order, { size, order }) });
    }
    out.push({ name: `${a}/align8-corner`, spec: spec(a, count, 4, 8, 'inorder', { size: 4, order: 'inorder' }) });
    for (const cpus of [4, 4096]) {
      out.push({
        name: `${a}/4B/inorder/${cpus}cpus`,
        spec: spec(a, count, 4, 4, 'inorder', { size: 4, order: 'inorder', cpus }, cpusOverride(cpus)),
      });
    }
  }
  return out;
}
