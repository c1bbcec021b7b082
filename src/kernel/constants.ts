/**
 * Compile-time constants of the kernels we port, for the configuration the conformance
 * expectations come from (FORMAT.md): 64-bit SMP + NUMA, NR_CPUS 8192, modules on,
 * CONFIG_RANDOM_KMALLOC_CACHES and CONFIG_MEM_ALLOC_PROFILING off.
 * Sources: include/linux/percpu.h of each version, include/linux/topology.h.
 */
import type { KernelVersion } from './allocator.ts';

/** NR_CPUS; an unused unit's cpu_map entry holds this in the kernel (-1 in percpu-trace) */
export const NR_CPUS = 8192;

/** LOCAL_DISTANCE: the SLIT distance of a node to itself */
export const LOCAL_DISTANCE = 10;

/** PCPU_MIN_ALLOC_SIZE: allocation granule of the bitmap allocators (v4.14 on); v4.13 has none */
export const PCPU_MIN_ALLOC_SIZE = 4;

/**
 * PERCPU_DYNAMIC_EARLY_SIZE: 20 KiB from v5.14 on (size shift 10 without RANDOM_KMALLOC_CACHES),
 * 12 KiB before (v5.10 included)
 */
export const PERCPU_DYNAMIC_EARLY_SIZE: Readonly<Record<KernelVersion, number>> = {
  'v6.18': 20 << 10,
  'v6.12': 20 << 10,
  'v5.10': 12 << 10,
  'v4.14': 12 << 10,
  'v4.13': 12 << 10,
};

/** PERCPU_DYNAMIC_RESERVE on 64-bit: the dyn_size x86-64 asks for, in all three versions */
export const PERCPU_DYNAMIC_RESERVE = 28 << 10;

/** PERCPU_MODULE_RESERVE with modules on (and, in v6.12, allocation profiling off) */
export const PERCPU_MODULE_RESERVE = 8 << 10;

/** PFN_ALIGN: round a byte count up to a whole page */
export function pfnAlign(bytes: number, pageSize: number): number {
  return Math.ceil(bytes / pageSize) * pageSize;
}

/**
 * PCPU_MIN_UNIT_SIZE = PFN_ALIGN(32 KiB), the same formula in all three versions:
 * 32 KiB on 4 KiB pages, 64 KiB on 64 KiB pages. It is also the largest legal allocation.
 */
export function pcpuMinUnitSize(pageSize: number): number {
  return pfnAlign(32 << 10, pageSize);
}

/** PCPU_BITMAP_BLOCK_SIZE (v4.14 on): one metadata block per page */
export function pcpuBitmapBlockSize(pageSize: number): number {
  return pageSize;
}
