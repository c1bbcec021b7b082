/** Allocator state as a percpu-trace/1 `stats` line reports it, for v4.14. */
import type { AllocatorStats, ChunkStats } from '../allocator.ts';
import type { BitmapChunk } from './chunk.ts';
import { bitmapChunkStats } from '../bitmap/stats.ts';
import { entryOf } from '../bitmap/state.ts';
import type { PcpuV414 } from './state.ts';

/** one chunk: v4.14's contig_bits, contig_bits_start and first_bit under the block-record names */
function chunkStats(p: PcpuV414, c: BitmapChunk): ChunkStats {
  return bitmapChunkStats(c, c === p.reserved ? -1 : p.lists.listOf(entryOf(c)), false);
}

export function allocatorStats(p: PcpuV414): AllocatorStats {
  const chunks: ChunkStats[] = [];
  // by list entry: reserved first, then ascending id
  for (const c of p.chunks) if (c) chunks.push(chunkStats(p, c));
  return {
    nr_chunks: p.nrChunks,
    nr_empty_pop_pages: p.nrEmptyPopPages,
    // v4.14 has no pcpu_nr_populated
    nr_populated: null,
    chunks,
  };
}
