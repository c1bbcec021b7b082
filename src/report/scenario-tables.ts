/**
 * The terminal report of a scenario: the tables its `report` section asks for, built from the
 * runs' metrics. Rows group runs by matrix labels; columns are allocator × phase.
 */
import type { RunMetrics } from '../engine/metrics.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { TextTable, Unit } from './text-table.ts';
import { formatNumber } from './text-table.ts';
import type { MemoryMetrics } from '../engine/memory.ts';
import { FOOTPRINT_NOTE, memcgTables, memoryTables, timeTables } from './default-tables.ts';

/** column heads of the ports; a kernel version a scenario names (`v6.6`) heads its columns as written */
const SHORT: Record<string, string> = {
  areamap: 'areamap v4.13',
  'bitmap-v4.14': 'bitmap v4.14',
  bitmap: 'bitmap v6.12',
  'bitmap-v6.18': 'bitmap v6.18',
  'bitmap-v5.10': 'bitmap v5.10',
};
/** a run's value of a dimension: its matrix label, or a built-in dimension (allocator, kernel, machine) */
const dimensionValue = (m: RunMetrics, name: string): string =>
  name in m.labels ? String(m.labels[name]) : name === 'allocator' || name === 'kernel' || name === 'machine' ? m[name] : 'all';
const rowKey = (m: RunMetrics, rows: readonly string[]): string => (rows.length === 0 ? 'all' : rows.map((r) => dimensionValue(m, r)).join(' / '));
const rowHeader = (rows: readonly string[]): string => (rows.length === 0 ? 'runs' : rows.join(' / '));

/** distinct values in first-seen order */
const distinct = <T>(xs: T[]): T[] => [...new Set(xs)];

function phaseNames(runs: readonly RunMetrics[]): string[] {
  return distinct(runs.flatMap((r) => Object.keys(r.phases)));
}

/**
 * The grid every per-allocator table shares: one row per group of runs (by `rows` labels), one
 * column per allocator × `columns` entry; a cell is `cellText` of the runs of that row and
 * allocator that `inCell` keeps for the column, or '-' when there are none.
 */
function allocatorGrid<C>(
  runs: readonly RunMetrics[],
  rows: readonly string[],
  columns: readonly C[],
  label: (c: C) => string,
  inCell: (r: RunMetrics, c: C) => boolean,
  cellText: (cell: RunMetrics[], c: C) => string | number,
  unit: (c: C) => Unit | undefined = () => undefined,
): Pick<TextTable, 'header' | 'rows' | 'units'> {
  const allocators = distinct(runs.map((r) => r.allocator));
  const keys = distinct(runs.map((r) => rowKey(r, rows)));
  const header = [rowHeader(rows), ...allocators.flatMap((a) => columns.map((c) => `${SHORT[a] ?? a} ${label(c)}`))];
  const body = keys.map((k) => [
    k,
    ...allocators.flatMap((a) =>
      columns.map((c) => {
        const cell = runs.filter((r) => r.allocator === a && rowKey(r, rows) === k && inCell(r, c));
        return cell.length === 0 ? '-' : cellText(cell, c);
      }),
    ),
  ]);
  return { header, rows: body, units: [undefined, ...allocators.flatMap(() => columns.map(unit))] };
}

const hasPhase = (r: RunMetrics, p: string): boolean => r.phases[p] !== undefined;
const always = (): boolean => true;

/** rows × (allocator, phase) of the largest modeled_ms among the runs in each cell */
function modeledTable(title: string, runs: readonly RunMetrics[], rows: readonly string[]): TextTable {
  const grid = allocatorGrid(runs, rows, phaseNames(runs), (p) => p, hasPhase, (cell, p) => Math.max(...cell.map((r) => r.phases[p]!.modeled_ms)), () => 'ms');
  return { title, ...grid, note: 'modeled time of the calls on the calling CPU (balance work on the kworker: see Time per phase)' };
}

function referenceTable(s: Scenario, runs: readonly RunMetrics[], rows: readonly string[]): TextTable | null {
  const ref = s.report.reference;
  if (!ref) return null;
  const cols = distinct(Object.values(ref.values).flatMap((byAlloc) => Object.entries(byAlloc).flatMap(([a, byPhase]) => Object.keys(byPhase).map((p) => `${a}\u0000${p}`))));
  const header = [rowHeader(rows), ...cols.map((c) => `${SHORT[c.split('\u0000')[0]!] ?? c} ${c.split('\u0000')[1]}`)];
  const body = Object.entries(ref.values).map(([k, byAlloc]) => [
    k,
    ...cols.map((c) => {
      const [a, p] = c.split('\u0000') as [string, string];
      const measured = byAlloc[a]?.[p];
      const cell = runs.filter((r) => r.allocator === a && rowKey(r, rows) === k && r.phases[p]);
      if (measured === undefined || cell.length === 0) return '-';
      const modeled = Math.max(...cell.map((r) => r.phases[p]!.modeled_ms));
      const fitted = ref.fitted.includes(a) ? '*' : '';
      return `${formatNumber(modeled)} / ${formatNumber(measured)} = ${(modeled / measured).toFixed(2)}x${fitted}`;
    }),
  ]);
  const note = ref.fitted.length > 0 ? `* calibration data: the machine's figures were fitted on these cells; the others are predictions` : undefined;
  return { title: `Modeled / ${ref.title}`, header, rows: body, ...(note ? { note } : {}) };
}

function footprintTable(title: string, runs: readonly RunMetrics[], rows: readonly string[]): TextTable {
  const fields: [string, keyof MemoryMetrics, Unit][] = [
    ['Percpu', 'percpu_bytes', 'bytes'],
    ['metadata', 'metadata_bytes', 'bytes'],
    ['chunks', 'chunks', 'count'],
    ['vmalloc', 'vmalloc_bytes', 'bytes'],
  ];
  const peak = (r: RunMetrics, k: keyof MemoryMetrics): number => r.memory?.peak[k] ?? NaN;
  const grid = allocatorGrid(runs, rows, fields, ([f]) => f, always, (cell, [, k]) => Math.max(...cell.map((r) => peak(r, k))), ([, , u]) => u);
  return { title, ...grid, note: FOOTPRINT_NOTE };
}

/** rows × (allocator, field): chunk memory at its peak and at the end, chunks left, the balance work */
function memoryTable(title: string, runs: readonly RunMetrics[], rows: readonly string[]): TextTable {
  const mib = (pages: number, r: RunMetrics): number => (pages * r.page_size) / 2 ** 20;
  const fields = [
    ['peak MiB', (r: RunMetrics) => mib(r.footprint.populated_pages, r)],
    ['end MiB', (r: RunMetrics) => mib(r.footprint_end.populated_pages, r)],
    ['end chunks', (r: RunMetrics) => r.footprint_end.chunks],
    ['balance runs', (r: RunMetrics) => r.balance.runs],
    ['balance ms', (r: RunMetrics) => r.balance.modeled_ms],
  ] as const;
  const grid = allocatorGrid(runs, rows, fields, ([f]) => f, always, (cell, [, get]) => Math.max(...cell.map(get)));
  return { title, ...grid, note: 'MiB: populated chunk pages over all units (the first chunk, the same in every version, not included); balance ms: modeled, on a kworker' };
}

/** rows × (allocator, phase): calls that returned NULL out of the calls made, `failed / ops` */
function failuresTable(title: string, runs: readonly RunMetrics[], rows: readonly string[]): TextTable {
  const phases = phaseNames(runs).filter((p) => runs.some((r) => (r.phases[p]?.ops ?? 0) > 0));
  const grid = allocatorGrid(runs, rows, phases, (p) => p, hasPhase, (cell, p) => {
    const failed = cell.reduce((n, r) => n + r.phases[p]!.failed, 0);
    const ops = cell.reduce((n, r) => n + r.phases[p]!.ops, 0);
    return `${failed} / ${ops}`;
  });
  return { title, ...grid, note: 'calls that returned NULL / calls made' };
}

/** rows × (allocator, counter): the work counters of the runs (the largest in each cell) */
function countersTable(title: string, runs: readonly RunMetrics[], rows: readonly string[], counters: readonly string[]): TextTable {
  const grid = allocatorGrid(runs, rows, counters, (c) => c, always, (cell, c) =>
    Math.max(...cell.map((r) => (r.counters as unknown as Record<string, number>)[c] ?? 0)),
  );
  return { title, ...grid };
}

export function scenarioTables(s: Scenario, runs: readonly RunMetrics[]): TextTable[] {
  const out: TextTable[] = [];
  const r = s.report;
  const allDims = Object.keys(s.matrix);
  if (r.worst) out.push(modeledTable(r.worst.title, runs, r.worst.rows));
  const ref = referenceTable(s, runs, r.worst?.rows ?? allDims);
  if (ref) out.push(ref);
  if (r.breakdown) out.push(modeledTable(r.breakdown.title, runs, r.breakdown.rows));
  if (r.footprint) out.push(footprintTable(r.footprint.title, runs, r.footprint.rows));
  if (r.memory) out.push(memoryTable(r.memory.title, runs, r.memory.rows));
  if (r.failures) out.push(failuresTable(r.failures.title, runs, r.failures.rows));
  if (r.counters) out.push(countersTable(r.counters.title, runs, r.counters.rows, r.counters.counters));
  // every run reports time (kworker included) and memory, grouped as the seed's table groups them
  const rows = r.worst?.rows ?? r.breakdown?.rows ?? allDims;
  const others = allDims.filter((d) => !rows.includes(d));
  out.push(...timeTables(runs, rows, others), ...memoryTables(runs, rows, others), ...memcgTables(runs));
  return out;
}
