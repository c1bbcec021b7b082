/**
 * First-chunk geometry: pcpu_build_alloc_info for the embedding path, per kernel version.
 * (stub: to be ported)
 */
import type { AllocInfo, FirstChunkRequest, KernelVersion, Topology } from './allocator.ts';
import { PercpuConfigError } from './allocator.ts';

/** mirrors pcpu_build_alloc_info (as pcpu_embed_first_chunk calls it) */
export function buildAllocInfo(version: KernelVersion, topology: Topology, req: FirstChunkRequest): AllocInfo {
  void topology;
  void req;
  throw new PercpuConfigError(`first-chunk layout for ${version} is not built yet`);
}
