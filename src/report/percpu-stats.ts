/**
 * `/sys/kernel/debug/percpu_stats` and the `/proc/meminfo` `Percpu:` line, byte for byte as
 * the kernel version of the view prints them (mm/percpu-stats.c, fs/proc/meminfo.c). The
 * numbers come from the allocator's PercpuStatsView; this file only lays them out.
 */
import type { KernelVersion } from '../kernel/allocator.ts';
import type { ChunkRole, PercpuChunkView, PercpuStatsView } from '../kernel/percpu-stats.ts';

/** label and value widths of the P / PL and PU macros */
interface Widths {
  label: number;
  value: number;
  uLabel: number;
  uValue: number;
}

/** v4.14 widened the columns: `%-20s: %12lld` everywhere; v4.13 had `%-24s: %8lld` and `%-18s: %14llu` */
const WIDTHS: Record<KernelVersion, Widths> = {
  'v6.18': { label: 20, value: 12, uLabel: 20, uValue: 12 },
  'v6.12': { label: 20, value: 12, uLabel: 20, uValue: 12 },
  'v5.10': { label: 20, value: 12, uLabel: 20, uValue: 12 },
  'v4.14': { label: 20, value: 12, uLabel: 20, uValue: 12 },
  'v4.13': { label: 24, value: 8, uLabel: 18, uValue: 14 },
};

const SEPARATOR = '----------------------------------------';

/** `  %-Ns: %Mlld` */
export function statLine(label: string, value: number, labelWidth: number, valueWidth: number): string {
  return `  ${label.padEnd(labelWidth)}: ${String(value).padStart(valueWidth)}\n`;
}

/** the chunk header percpu_stats_show prints */
export function chunkHeader(role: ChunkRole): string {
  switch (role) {
    case 'reserved':
      return 'Chunk: <- Reserved Chunk\n';
    case 'first':
      return 'Chunk: <- First Chunk\n';
    case 'to_depopulate':
      return 'Chunk (to_depopulate)\n';
    case 'sidelined':
      return 'Chunk (sidelined):\n';
    default:
      return 'Chunk:\n';
  }
}

/** the lines chunk_map_stats prints, in its order */
function chunkLines(kernel: KernelVersion, c: PercpuChunkView): [string, number][] {
  const head: [string, number][] = [
    ['nr_alloc', c.nr_alloc],
    ['max_alloc_size', c.max_alloc_size],
  ];
  const middle: [string, number][] =
    kernel === 'v4.13'
      ? [
          ['free_size', c.free_bytes],
          ['contig_hint', c.contig_bytes],
        ]
      : [
          ['empty_pop_pages', c.empty_pop_pages ?? 0],
          ['first_bit', c.first_bit ?? 0],
          ['free_bytes', c.free_bytes],
          ['contig_bytes', c.contig_bytes],
        ];
  return [
    ...head,
    ...middle,
    ['sum_frag', c.sum_frag],
    ['max_frag', c.max_frag],
    ['cur_min_alloc', c.cur_min_alloc],
    ['cur_med_alloc', c.cur_med_alloc],
    ['cur_max_alloc', c.cur_max_alloc],
  ];
}

/** the whole of `cat /sys/kernel/debug/percpu_stats` */
export function formatPercpuStats(view: PercpuStatsView): string {
  const w = WIDTHS[view.kernel];
  const p = (label: string, v: number): string => statLine(label, v, w.label, w.value);
  const pu = (label: string, v: number): string => statLine(label, v, w.uLabel, w.uValue);
  const ai = view.ai;
  const g = view.global;
  let out = `Percpu Memory Statistics\nAllocation Info:\n${SEPARATOR}\n`;
  for (const k of ['unit_size', 'static_size', 'reserved_size', 'dyn_size', 'atom_size', 'alloc_size'] as const) out += p(k, ai[k]);
  out += `\nGlobal Stats:\n${SEPARATOR}\n`;
  for (const k of ['nr_alloc', 'nr_dealloc', 'nr_cur_alloc', 'nr_max_alloc', 'nr_chunks', 'nr_max_chunks', 'min_alloc_size', 'max_alloc_size'] as const) {
    out += pu(k, g[k]);
  }
  if (view.kernel !== 'v4.13') out += p('empty_pop_pages', view.empty_pop_pages);
  out += `\nPer Chunk Stats:\n${SEPARATOR}\n`;
  for (const c of view.chunks) {
    out += chunkHeader(c.role);
    for (const [label, v] of chunkLines(view.kernel, c)) out += p(label, v);
    out += '\n';
  }
  return out;
}

/** the `Percpu:` line of /proc/meminfo (show_val_kb), or null for kernels before v4.16 */
export function formatMeminfoPercpu(view: PercpuStatsView): string | null {
  if (view.nr_pages === null) return null;
  const kb = (view.nr_pages * view.page_size) / 1024;
  return `Percpu:         ${String(kb).padStart(8)} kB\n`;
}
