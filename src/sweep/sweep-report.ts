/**
 * What a sweep (or a merge of its shards) prints and writes: one table row per point of the
 * grid and matrix, columns allocator × phase modeled ms then the footprint at its peak; and the
 * runs as one percpu-sim/metrics/1 file in grid order.
 */
import type { MetricsFile, RunMetrics } from '../engine/metrics.ts';
import { METRICS_SCHEMA, WALL_CLOCK_FIELDS } from '../engine/metrics.ts';
import { kernelOfName, resolveAllocator } from '../kernel/versions.ts';
import type { TextTable } from '../report/text-table.ts';

const distinct = <T>(xs: T[]): T[] => [...new Set(xs)];

export function sweepTable(title: string, labelNames: readonly string[], runs: readonly RunMetrics[]): TextTable {
  const rowKey = (r: RunMetrics): string => (labelNames.length === 0 ? 'all' : labelNames.map((n) => String(r.labels[n])).join(' / '));
  const allocators = distinct(runs.map((r) => r.allocator));
  const phases = distinct(runs.flatMap((r) => Object.keys(r.phases)));
  const keys = distinct(runs.map(rowKey));
  const byCell = new Map(runs.map((r) => [`${rowKey(r)}\u0000${r.allocator}`, r]));
  const footprint = [
    ['pages MiB', (r: RunMetrics) => (r.footprint.populated_pages * r.page_size) / 2 ** 20],
    ['meta KiB', (r: RunMetrics) => r.footprint.metadata_bytes / 1024],
  ] as const;
  // columns are headed by kernel version (v4.13, v4.14, v6.12, or the version the scenario named) to keep wide grids readable
  const header = [labelNames.length === 0 ? 'point' : labelNames.join(' / '), ...allocators.flatMap((a) => [...phases.map((p) => `${kernelOfName(a)} ${p}`), ...footprint.map(([f]) => `${kernelOfName(a)} ${f}`)])];
  const rows = keys.map((k) => [
    k,
    ...allocators.flatMap((a) => {
      const r = byCell.get(`${k}\u0000${a}`);
      return [...phases.map((p) => r?.phases[p]?.modeled_ms ?? '-'), ...footprint.map(([, get]) => (r ? get(r) : '-'))];
    }),
  ]);
  const legend = allocators.map((a) => `${kernelOfName(a)} = ${resolveAllocator(a) ?? a}`).join(', ');
  return { title, header, rows, note: `${legend}; phases: modeled ms on the calling CPU; pages: populated chunk pages over all units, at peak; meta: allocator metadata at peak` };
}

/** the runs with every wall-clock field set to 0 */
function withoutWallClock(runs: readonly RunMetrics[]): RunMetrics[] {
  return JSON.parse(JSON.stringify(runs), (k, v: unknown) => (WALL_CLOCK_FIELDS.includes(k) ? 0 : v)) as RunMetrics[];
}

/** the metrics file text; `wallClock: false` writes every wall_ms as 0 so outputs compare byte for byte */
export function sweepMetricsText(scenario: string, runs: readonly RunMetrics[], opts: { wallClock: boolean }): string {
  const file: MetricsFile = { schema: METRICS_SCHEMA, scenario, runs: opts.wallClock ? [...runs] : withoutWallClock(runs) };
  return JSON.stringify(file, null, 1) + '\n';
}
