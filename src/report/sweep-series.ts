/**
 * The series of a sweep plot from a sweep's runs: one line per key (the allocator by default),
 * a point per value of the grid dimension on the x axis. Where other dimensions vary too,
 * a point shows the largest value among the runs that share it (the worst case), as the
 * scenario tables do.
 */
import type { RunMetrics } from '../engine/metrics.ts';
import type { Point, Series } from './chart-line.ts';

export function sweepSeries(
  runs: readonly RunMetrics[],
  dimension: string,
  metric: (r: RunMetrics) => number,
  seriesOf: (r: RunMetrics) => string = (r) => r.allocator,
): Series[] {
  const byName = new Map<string, Map<string, Point>>();
  for (const r of runs) {
    const raw = r.labels[dimension];
    if (raw === undefined) continue;
    const x = typeof raw === 'number' ? raw : String(raw);
    const name = seriesOf(r);
    const points = byName.get(name) ?? new Map<string, Point>();
    byName.set(name, points);
    const y = metric(r);
    const have = points.get(String(x));
    if (!have || y > have.y) points.set(String(x), { x, y });
  }
  return [...byName].map(([name, points]) => ({ name, points: [...points.values()] }));
}
