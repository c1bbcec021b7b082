/**
 * The tables every run prints, report section or not: time per phase (the calling CPU's, the
 * balance work it triggered on the kworker, and their total) and memory (at each phase end, at
 * the peak, and what came back), one table per allocator so each fits a terminal.
 */
import type { RunMetrics } from '../engine/metrics.ts';
import type { MemoryMetrics } from '../engine/memory.ts';
import type { TextTable, Unit } from './text-table.ts';

/** the one definition of the memory words, printed under every memory table */
export const FOOTPRINT_NOTE =
  "at phase ends; Percpu: /proc/meminfo's Percpu (populated pages over every unit, first chunk included); footprint = Percpu + allocator metadata; vmalloc: address space of created chunks";

const distinct = <T>(xs: T[]): T[] => [...new Set(xs)];

export const ALLOCATOR_TITLE: Record<string, string> = { areamap: 'areamap (v4.13)', 'bitmap-v4.14': 'bitmap-v4.14 (v4.14)', bitmap: 'bitmap (v6.12)' };

/** the row groups: runs with the same values of `rows` (every other dimension is taken at its worst) */
function groups(runs: readonly RunMetrics[], rows: readonly string[]): { key: string; runs: RunMetrics[] }[] {
  const keyOf = (r: RunMetrics): string => rows.map((d) => `${d}=${String(r.labels[d] ?? (r as unknown as Record<string, unknown>)[d] ?? '')}`).join(' ');
  return distinct(runs.map(keyOf)).map((key) => ({ key, runs: runs.filter((r) => keyOf(r) === key) }));
}

const label = (key: string, what: string): string => (key ? `${key} ${what}` : what);
const max = (xs: number[]): number => (xs.length === 0 ? NaN : Math.max(...xs));
const over = (others: readonly string[]): string => (others.length > 0 ? `, worst over ${others.join(', ')}` : '');

/**
 * Time per phase of each allocator: calls, failures, the calling CPU's modeled time, the balance
 * work the phase triggered (kworker) and the total, p99 and max latency; a last row per group
 * adds up the phases.
 */
export function timeTables(runs: readonly RunMetrics[], rows: readonly string[], others: readonly string[]): TextTable[] {
  return distinct(runs.map((r) => r.allocator)).map((a) => {
    const mine = runs.filter((r) => r.allocator === a);
    const phases = distinct(mine.flatMap((r) => Object.keys(r.phases)));
    const body: (string | number)[][] = [];
    for (const g of groups(mine, rows)) {
      for (const p of phases) {
        const ms = g.runs.map((r) => r.phases[p]).filter((m) => m !== undefined);
        if (ms.length === 0) continue;
        body.push([
          label(g.key, p),
          max(ms.map((m) => m.ops)),
          max(ms.map((m) => m.failed)),
          max(ms.map((m) => m.modeled_ms)),
          max(ms.map((m) => m.balance_ms ?? 0)),
          max(ms.map((m) => m.modeled_ms + (m.balance_ms ?? 0))),
          max(ms.map((m) => m.latency_ns.p99 / 1e6)),
          max(ms.map((m) => m.latency_ns.max / 1e6)),
        ]);
      }
      if (phases.length > 1) {
        const sum = (f: (r: RunMetrics) => number): number => max(g.runs.map(f));
        const phaseSum = (r: RunMetrics, f: (m: RunMetrics['phases'][string]) => number): number => Object.values(r.phases).reduce((t, m) => t + f(m), 0);
        body.push([
          label(g.key, 'all phases'),
          sum((r) => phaseSum(r, (m) => m.ops)),
          sum((r) => phaseSum(r, (m) => m.failed)),
          sum((r) => phaseSum(r, (m) => m.modeled_ms)),
          sum((r) => r.balance.modeled_ms),
          sum((r) => phaseSum(r, (m) => m.modeled_ms) + r.balance.modeled_ms),
          '',
          '',
        ]);
      }
    }
    const units: (Unit | undefined)[] = [undefined, 'count', 'count', 'ms', 'ms', 'ms', 'ms', 'ms'];
    return {
      title: `Time per phase, ${ALLOCATOR_TITLE[a] ?? a}${over(others)}`,
      header: [rows.length > 0 ? `${rows.join(' ')} phase` : 'phase', 'calls', 'failed', 'caller', 'kworker', 'total', 'p99 call', 'max call'],
      units,
      rows: body,
      note: 'modeled time; caller: the calls on the calling CPU; kworker: the balance work they triggered; total: both',
    };
  });
}

const MEMORY_COLUMNS: [string, keyof MemoryMetrics, Unit][] = [
  ['Percpu', 'percpu_bytes', 'bytes'],
  ['pages', 'populated_pages', 'count'],
  ['chunks', 'chunks', 'count'],
  ['vmalloc', 'vmalloc_bytes', 'bytes'],
  ['metadata', 'metadata_bytes', 'bytes'],
  ['live objs', 'live_objects', 'count'],
  ['live size', 'live_bytes', 'bytes'],
];

/** groups above this count get one summary row each instead of a row per phase end */
const PER_PHASE_GROUPS = 4;

/**
 * Memory of each allocator: with a few groups, a row per phase end, then the peak and what came
 * back (peak − end); with many, one row per group: Percpu at peak, at the end and returned, the
 * footprint at peak, chunks at peak and end, metadata at peak.
 */
export function memoryTables(runs: readonly RunMetrics[], rows: readonly string[], others: readonly string[]): TextTable[] {
  const withMemory = runs.filter((r) => r.memory !== undefined);
  return distinct(withMemory.map((r) => r.allocator)).map((a) => {
    const mine = withMemory.filter((r) => r.allocator === a);
    const gs = groups(mine, rows);
    const title = `Memory, ${ALLOCATOR_TITLE[a] ?? a}${over(others)}`;
    const first = rows.length > 0 ? rows.join(' ') : '';
    if (gs.length <= PER_PHASE_GROUPS) {
      const phases = distinct(mine.flatMap((r) => Object.keys(r.phases)));
      const body: (string | number)[][] = [];
      const line = (what: string, key: string, get: (r: RunMetrics) => MemoryMetrics | undefined, g: RunMetrics[]): void => {
        const ms = g.map(get).filter((m) => m !== undefined);
        if (ms.length > 0) body.push([label(key, what), ...MEMORY_COLUMNS.map(([, k]) => max(ms.map((m) => m[k])))]);
      };
      for (const g of gs) {
        for (const p of phases) line(`after ${p}`, g.key, (r) => r.phases[p]?.memory, g.runs);
        line('peak', g.key, (r) => r.memory.peak, g.runs);
        line('returned', g.key, (r) => r.memory.returned, g.runs);
      }
      return {
        title,
        header: [first ? `${first} when` : 'when', ...MEMORY_COLUMNS.map(([c]) => c)],
        units: [undefined, ...MEMORY_COLUMNS.map(([, , u]) => u)],
        rows: body,
        note: `${FOOTPRINT_NOTE}; peak: the largest value at any phase end; returned: peak − end; live: what the workload holds (sizes as asked)`,
      };
    }
    const pick = (g: RunMetrics[], f: (r: RunMetrics) => number): number => max(g.map(f));
    return {
      title,
      header: [first || 'runs', 'Percpu peak', 'Percpu end', 'returned', 'footprint peak', 'chunks peak', 'chunks end', 'metadata peak'],
      units: [undefined, 'bytes', 'bytes', 'bytes', 'bytes', 'count', 'count', 'bytes'],
      rows: gs.map((g) => [
        g.key || 'all',
        pick(g.runs, (r) => r.memory.peak.percpu_bytes),
        pick(g.runs, (r) => r.memory.end.percpu_bytes),
        pick(g.runs, (r) => r.memory.returned.percpu_bytes),
        pick(g.runs, (r) => r.memory.peak.footprint_bytes),
        pick(g.runs, (r) => r.memory.peak.chunks),
        pick(g.runs, (r) => r.memory.end.chunks),
        pick(g.runs, (r) => r.memory.peak.metadata_bytes),
      ]),
      note: `${FOOTPRINT_NOTE}; peak: the largest value at any phase end; returned: Percpu peak − end`,
    };
  });
}

/** cgroups shown per run in the memcg table, largest per-CPU charge first */
const TOP_CGROUPS = 10;

/**
 * Memory cgroups of each run that has kmem accounting: the top cgroups by memory.stat's percpu
 * (hierarchical, as cgroup v2 prints it) at its largest over phase ends, with memory.max, the
 * figure at the end and the charges the cgroup's limit refused. A kernel that does not charge
 * per-CPU memory (v4.13, v4.14) says so instead of figures.
 */
export function memcgTables(runs: readonly RunMetrics[]): TextTable[] {
  const withMemcg = runs.filter((r) => r.memcg !== undefined);
  if (withMemcg.length === 0) return [];
  const body: (string | number)[][] = [];
  const notCharged: string[] = [];
  for (const r of withMemcg) {
    const who = [r.allocator, ...Object.entries(r.labels).map(([k, v]) => `${k}=${String(v)}`)].join(' ');
    if (!r.memcg!.charged) {
      notCharged.push(r.allocator === r.kernel ? r.allocator : `${r.allocator} (${r.kernel})`);
      continue;
    }
    const top = [...r.memcg!.cgroups].sort((x, y) => y.percpu_peak_bytes - x.percpu_peak_bytes || y.refused - x.refused).slice(0, TOP_CGROUPS);
    for (const c of top) {
      body.push([who, c.removed ? `${c.name} (removed)` : c.name, c.max_bytes === null ? 'max' : c.max_bytes, c.percpu_peak_bytes, c.percpu_bytes, c.refused]);
    }
  }
  const notes = ["percpu: memory.stat's percpu line (this cgroup and its descendants), at its largest over phase ends and at the end; refused: accounted calls this cgroup's memory.max refused (they returned NULL)"];
  if (notCharged.length > 0) notes.push(`${distinct(notCharged).join(', ')}: no per-CPU memcg accounting in this kernel (it came in v5.9): nothing charged, no call refused`);
  return [
    {
      title: `Memory cgroups, top ${TOP_CGROUPS} by per-CPU charge`,
      header: ['run', 'cgroup', 'memory.max', 'percpu peak', 'percpu end', 'refused'],
      units: [undefined, undefined, 'bytes', 'bytes', 'bytes', 'count'],
      rows: body,
      note: notes.join('; '),
    },
  ];
}
