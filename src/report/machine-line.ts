/** The line under a report's title: the machine (CPUs, nodes, page size, preset), the kernels, the runs. */
import type { RunMetrics } from '../engine/metrics.ts';
import { formatByteSize, plural } from './text-table.ts';

const distinct = <T>(xs: T[]): T[] => [...new Set(xs)];

/** `machine xeon-2s-2024: 256 CPUs, 2 nodes, 4 KiB pages; kernels v4.13 (areamap), v6.12 (bitmap); 6 runs` */
export function machineLine(runs: readonly RunMetrics[]): string {
  const machines = distinct(runs.map((r) => `${r.machine}: ${plural(r.cpus, 'CPU')}, ${plural(r.nodes, 'node')}, ${formatByteSize(r.page_size)} pages`));
  const kernels = distinct(runs.map((r) => `${r.kernel} (${r.allocator})`));
  return `machine ${machines.join('; ')}; ${kernels.length === 1 ? 'kernel' : 'kernels'} ${kernels.join(', ')}; ${plural(runs.length, 'run')}`;
}
