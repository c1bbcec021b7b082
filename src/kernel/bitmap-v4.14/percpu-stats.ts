/**
 * The v4.14 allocator as /sys/kernel/debug/percpu_stats shows it. The chunk walk is the
 * modern port's (same storage, same chunk_map_stats); what differs is the list layout (no
 * sidelined or to_depopulate lists, so every chunk but the first is a plain "Chunk:") and
 * the absence of pcpu_nr_pages (no Percpu line in /proc/meminfo before v4.16).
 */
import type { AllocInfo } from '../allocator.ts';
import { bitmapChunkView } from '../bitmap/percpu-stats.ts';
import type { PercpuChunkView, PercpuStatsCounters, PercpuStatsView } from '../percpu-stats.ts';
import { statsAllocInfo } from '../percpu-stats.ts';
import { chunkOf } from '../bitmap/state.ts';
import type { PcpuV414 } from './state.ts';

/** mirrors percpu_stats_show (v4.14): the reserved chunk, then every slot list in order */
export function bitmapV414PercpuStats(p: PcpuV414, ai: AllocInfo, counters: PercpuStatsCounters): PercpuStatsView {
  const chunks: PercpuChunkView[] = [];
  if (p.reserved) chunks.push(bitmapChunkView(p.reserved, 'reserved', -1, counters, p.pageSize));
  for (let slot = 0; slot < p.nrSlots; slot++) {
    for (const id of p.lists.toArray(slot)) {
      const chunk = chunkOf(p, id);
      chunks.push(bitmapChunkView(chunk, chunk === p.first ? 'first' : 'other', slot, counters, p.pageSize));
    }
  }
  return {
    kernel: 'v4.14',
    ai: statsAllocInfo(ai),
    global: { ...counters.global },
    empty_pop_pages: p.nrEmptyPopPages,
    nr_pages: null,
    page_size: p.pageSize,
    chunks,
  };
}
