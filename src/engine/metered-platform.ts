/**
 * What the engine needs of a machine beyond the kernel's Platform: a modeled clock charged to
 * the acting CPU, and a footprint reading. The hardware model (hw/) implements it.
 */
import type { Platform } from '../kernel/platform.ts';

export interface Footprint {
  /** allocator metadata bytes in use (chunk structs, bitmaps, maps) */
  metadata_bytes: number;
  /** physical pages in use by chunks, summed over every unit */
  populated_pages: number;
  /** vmalloc address space held by chunks, bytes */
  vmalloc_bytes: number;
}

export interface MeteredPlatform extends Platform {
  /** the CPU that runs the next operations; -1 for the kworker running balance work */
  setActingCpu(cpu: number): void;
  /**
   * charge the work counted since the last call (plus the fixed cost of one `op`) to the acting
   * CPU; returns the ns charged since the last call, everything the operation cost
   */
  chargeOp(op: 'alloc' | 'free' | 'balance' | 'none'): number;
  /** modeled nanoseconds charged so far, over every CPU */
  readonly modeledNs: number;
  footprint(): Footprint;
}
