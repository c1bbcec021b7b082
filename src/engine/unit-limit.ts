/**
 * The largest first-chunk unit the simulator accepts. The kernel holds pcpu_unit_size, chunk
 * offsets and bitmap bit counts in ints, so a unit of 2 GiB or more cannot exist there; the
 * ports would try to build multi-gigabyte bitmaps for one. Both the scenario preflight and
 * `sim conform` refuse such a first chunk up front.
 */
import type { FirstChunkRequest, KernelVersion, Topology } from '../kernel/allocator.ts';
import { buildAllocInfo } from '../kernel/layout.ts';

export const MAX_UNIT_SIZE = 2 ** 31 - 1;

/** why this first chunk is too large, or null; PercpuConfigError when the kernel refuses it anyway */
export function unitSizeProblem(kernel: KernelVersion, topology: Topology, firstChunk: FirstChunkRequest): string | null {
  const unit = buildAllocInfo(kernel, topology, firstChunk).unit_size;
  if (unit <= MAX_UNIT_SIZE) return null;
  return `the first chunk's units would be ${unit} bytes; the kernel holds unit sizes and offsets in an int, so they must stay below 2 GiB`;
}
