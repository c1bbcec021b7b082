/** Allocator state as a percpu-trace/1 `stats` line reports it, for v4.14. */
import type { AllocatorStats, ChunkStats } from '../allocator.ts';
import type { BitmapChunk } from './chunk.ts';
import { contigBits, contigBitsStart, firstBit } from './chunk.ts';
import { PCPU_MIN_ALLOC_SIZE } from './constants.ts';
import type { PcpuV414 } from './state.ts';

/**
 * one chunk: v4.14 has no chunk-wide hint block, so `extra` carries contig_bits,
 * contig_bits_start and first_bit under the block-record names, and null for the fields it lacks
 */
function chunkStats(p: PcpuV414, c: BitmapChunk): ChunkStats {
  return {
    id: c.id,
    list: c === p.reserved ? -1 : p.lists.listOf(c.id),
    free_bytes: c.freeBytes,
    contig_bytes: contigBits(c) * PCPU_MIN_ALLOC_SIZE,
    nr_populated: c.nrPopulated,
    nr_empty_pop_pages: c.nrEmptyPopPages,
    extra: {
      contig_hint: contigBits(c),
      contig_hint_start: contigBitsStart(c),
      first_free: firstBit(c),
      left_free: null,
      right_free: null,
      scan_hint: null,
      scan_hint_start: null,
    },
  };
}

export function allocatorStats(p: PcpuV414): AllocatorStats {
  const chunks: ChunkStats[] = [];
  if (p.reserved) chunks.push(chunkStats(p, p.reserved));
  for (const c of p.chunks) if (c) chunks.push(chunkStats(p, c));
  return {
    nr_chunks: p.nrChunks,
    nr_empty_pop_pages: p.nrEmptyPopPages,
    // v4.14 has no pcpu_nr_populated
    nr_populated: null,
    chunks,
  };
}
