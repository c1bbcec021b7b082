/** The allocator state as a percpu-trace/1 `stats` line reports it (chunk_md fields in bits). */
import type { AllocatorStats, ChunkStats } from '../allocator.ts';
import type { BitmapChunk } from './chunk.ts';
import {
  MD_CONTIG,
  MD_CONTIG_START,
  MD_FIRST_FREE,
  MD_LEFT_FREE,
  MD_RIGHT_FREE,
  MD_SCAN,
  MD_SCAN_START,
} from './chunk.ts';
import type { PcpuState } from './state.ts';
import { PCPU_MIN_ALLOC_SIZE, entryOf } from './state.ts';

/**
 * one chunk's stats line (every bitmap version: the chunk-wide hints sit in chunk_md). Without
 * `blockMd` (v4.14: plain contig_bits / first_bit fields, no chunk-wide block) the fields only a
 * hint block has are null.
 */
export function bitmapChunkStats(chunk: BitmapChunk, list: number, blockMd: boolean): ChunkStats {
  const md = chunk.md;
  const c = chunk.chunkMd;
  return {
    id: chunk.id,
    list,
    free_bytes: chunk.freeBytes,
    contig_bytes: md[c + MD_CONTIG]! * PCPU_MIN_ALLOC_SIZE,
    nr_populated: chunk.nrPopulated,
    nr_empty_pop_pages: chunk.nrEmptyPopPages,
    extra: {
      contig_hint: md[c + MD_CONTIG]!,
      contig_hint_start: md[c + MD_CONTIG_START]!,
      first_free: md[c + MD_FIRST_FREE]!,
      left_free: blockMd ? md[c + MD_LEFT_FREE]! : null,
      right_free: blockMd ? md[c + MD_RIGHT_FREE]! : null,
      scan_hint: blockMd ? md[c + MD_SCAN]! : null,
      scan_hint_start: blockMd ? md[c + MD_SCAN_START]! : null,
    },
  };
}

function chunkStats(state: PcpuState, chunk: BitmapChunk): ChunkStats {
  return bitmapChunkStats(chunk, chunk === state.reservedChunk ? -1 : state.lists.listOf(entryOf(chunk)), true);
}

export function allocatorStats(state: PcpuState): AllocatorStats {
  const chunks: ChunkStats[] = [];
  let nrChunks = 0;
  // state.chunks is indexed by id + 1: reserved first, then ascending id
  for (const chunk of state.chunks) {
    if (!chunk) continue;
    chunks.push(chunkStats(state, chunk));
    if (chunk !== state.reservedChunk) nrChunks++;
  }
  return {
    nr_chunks: nrChunks,
    nr_empty_pop_pages: state.nrEmptyPopPages,
    nr_populated: state.nrPopulated,
    chunks,
  };
}
