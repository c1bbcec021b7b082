/**
 * What a sweep (or a merge of its shards) prints and writes: one table row per point of the
 * grid and matrix, columns allocator × phase modeled ms then the footprint at its peak; and the
 * runs as one percpu-sim/metrics/1 file in grid order.
 */
import type { MetricsFile, RunMetrics } from '../engine/metrics.ts';
import { METRICS_SCHEMA, WALL_CLOCK_FIELDS } from '../engine/metrics.ts';
import { kernelOfName } from '../kernel/versions.ts';
import type { TextTable, Unit } from '../report/text-table.ts';
import { formatByteSize } from '../report/text-table.ts';

const distinct = <T>(xs: T[]): T[] => [...new Set(xs)];

/**
 * One table per allocator (so each fits a terminal): a row per point, each phase's modeled time
 * on the calling CPU, the kworker's balance work over the run, then Percpu and the footprint at
 * their peak and the allocator metadata at its peak.
 */
export function sweepTables(title: string, labelNames: readonly string[], runs: readonly RunMetrics[]): TextTable[] {
  const rowKey = (r: RunMetrics): string => (labelNames.length === 0 ? 'all' : labelNames.map((n) => (n === 'pageSize' && typeof r.labels[n] === 'number' ? formatByteSize(r.labels[n] as number) : String(r.labels[n]))).join(' '));
  const allocators = distinct(runs.map((r) => r.allocator));
  return allocators.map((a) => {
    const mine = runs.filter((r) => r.allocator === a);
    const phases = distinct(mine.flatMap((r) => Object.keys(r.phases)));
    const memory = [
      ['Percpu peak', (r: RunMetrics) => r.memory?.peak.percpu_bytes ?? NaN],
      ['footprint peak', (r: RunMetrics) => r.memory?.peak.footprint_bytes ?? NaN],
      ['metadata peak', (r: RunMetrics) => r.footprint.metadata_bytes],
    ] as const;
    const units: (Unit | undefined)[] = [undefined, ...phases.map((): Unit => 'ms'), 'ms', ...memory.map((): Unit => 'bytes')];
    return {
      title: `${title}, ${kernelOfName(a)} (${a})`,
      header: [labelNames.length === 0 ? 'point' : labelNames.join(' '), ...phases, 'kworker', ...memory.map(([f]) => f)],
      units,
      rows: mine.map((r) => [rowKey(r), ...phases.map((p) => r.phases[p]?.modeled_ms ?? '-'), r.balance.modeled_ms, ...memory.map(([, get]) => get(r))]),
      note: "phases: modeled time on the calling CPU; kworker: the run's balance work; Percpu: /proc/meminfo's Percpu (populated pages over every unit, first chunk included); footprint = Percpu + allocator metadata",
    };
  });
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
