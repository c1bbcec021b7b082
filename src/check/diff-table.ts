/**
 * The table `sim check` prints: one row per metric that moved, naming the run (allocator and
 * labels) and the metric, with both values, the relative change and what was allowed. Rows
 * beyond tolerance come first; values are printed with just enough digits to tell them apart.
 */
import type { TextTable } from '../report/text-table.ts';
import type { Comparison, MetricChange } from './compare.ts';
import type { LeafValue } from './metric-leaves.ts';
import { describeTolerance } from './tolerances.ts';

/** both values with the fewest significant digits (at least 6) that show them different */
function formatPair(a: LeafValue | undefined, b: LeafValue | undefined): [string, string] {
  const plain = (v: LeafValue | undefined): string => (v === undefined ? '-' : typeof v === 'number' ? String(v) : JSON.stringify(v));
  if (typeof a !== 'number' || typeof b !== 'number' || (Number.isInteger(a) && Number.isInteger(b))) return [plain(a), plain(b)];
  for (let digits = 6; digits <= 17; digits++) {
    const fa = Number.isInteger(a) ? String(a) : String(+a.toPrecision(digits));
    const fb = Number.isInteger(b) ? String(b) : String(+b.toPrecision(digits));
    if (fa !== fb || digits === 17) return [fa, fb];
  }
  return [plain(a), plain(b)];
}

export function formatChange(c: MetricChange): string {
  if (c.golden === undefined) return 'new metric';
  if (c.now === undefined) return 'gone';
  if (c.change === null) return 'changed';
  if (!Number.isFinite(c.change)) return `${c.change > 0 ? '+' : '-'}inf (was 0)`;
  const pct = c.change * 100;
  const abs = Math.abs(pct);
  const text = abs >= 0.01 ? abs.toFixed(2) : abs.toExponential(1);
  return `${pct >= 0 ? '+' : '-'}${text}%`;
}

export interface DiffTableOptions {
  title: string;
  /** at most this many rows (beyond-tolerance ones first); null for all */
  maxRows: number | null;
}

export function diffTable(cmp: Comparison, opts: DiffTableOptions): TextTable {
  const ordered = [...cmp.changes.filter((c) => !c.pass), ...cmp.changes.filter((c) => c.pass)];
  const shown = opts.maxRows === null ? ordered : ordered.slice(0, opts.maxRows);
  const rows = shown.map((c) => {
    const [g, n] = formatPair(c.golden, c.now);
    return [c.run, c.metric, g, n, formatChange(c), describeTolerance(c.allowed), c.pass ? 'ok' : 'MOVED'];
  });
  const hidden = ordered.length - shown.length;
  return {
    title: opts.title,
    header: ['run', 'metric', 'golden', 'now', 'change', 'allowed', ''],
    rows,
    note: hidden > 0 ? `... ${hidden} more changed metrics (--all shows every row)` : undefined,
  };
}

/** names left-aligned (run, metric), values right-aligned */
const LEFT_COLUMNS = 2;

export function renderDiff(cmp: Comparison, opts: DiffTableOptions): string {
  if (cmp.changes.length === 0) return '';
  const t = diffTable(cmp, opts);
  const cells = [t.header, ...t.rows.map((r) => r.map(String))];
  const widths = t.header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (i < LEFT_COLUMNS ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const out = [t.title, line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  ').trimEnd(), ...cells.slice(1).map(line)];
  if (t.note) out.push(t.note);
  return out.join('\n') + '\n';
}
