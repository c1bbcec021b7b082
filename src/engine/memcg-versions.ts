/**
 * Which kernels charge per-CPU memory to memory cgroups: __GFP_ACCOUNT per-CPU allocations are
 * charged from v5.9 ("percpu: memcg-aware per-cpu memory accounting", Roman Gushchin). v4.13
 * and v4.14 ignore the flag: the same workload charges nothing there. v5.10 does charge, from a
 * second bank of chunks the port does not have (runs are refused at load).
 */
import type { KernelVersion } from '../kernel/allocator.ts';

const CHARGES: Record<KernelVersion, boolean> = {
  'v4.13': false,
  'v4.14': false,
  'v5.10': true,
  'v6.12': true,
  'v6.18': true,
};

export function chargesPercpu(kernel: KernelVersion): boolean {
  return CHARGES[kernel];
}
