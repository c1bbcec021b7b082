/** The allocator state as a percpu-trace/1 `stats` line reports it (v4.13 fields). */
import type { AllocatorStats, ChunkStats } from '../allocator.ts';
import type { AreamapChunk } from './chunk.ts';
import type { AreamapState } from './state.ts';

export function areamapStats(s: AreamapState): AllocatorStats {
  const chunks: ChunkStats[] = [];
  if (s.reservedChunk !== null) chunks.push(chunkStats(s.reservedChunk, -1));
  let nrChunks = 0;
  for (const chunk of s.chunks) {
    if (chunk === null) continue;
    nrChunks++;
    chunks.push(chunkStats(chunk, s.lists.listOf(chunk.id)));
  }
  // v4.13 has neither the global pcpu_nr_populated nor per-chunk empty-page counts
  return { nr_chunks: nrChunks, nr_empty_pop_pages: s.nrEmptyPopPages, nr_populated: null, chunks };
}

function chunkStats(chunk: AreamapChunk, list: number): ChunkStats {
  return {
    id: chunk.id,
    list,
    free_bytes: chunk.freeSize,
    contig_bytes: chunk.contigHint,
    nr_populated: chunk.nrPopulated,
    nr_empty_pop_pages: null,
    extra: { map_used: chunk.mapUsed, first_free: chunk.firstFree, contig_hint: chunk.contigHint },
  };
}
