/**
 * Tables as every command prints them: a title, a header row, cells. A column may carry a unit;
 * then text and Markdown show it in human units (`2.58 s`, `1.2 GiB`) and CSV and JSON give the
 * exact number with the unit in the column name (`total ms`, `Percpu bytes`). Text tables fit a
 * width (100 columns by default): a wider one is stacked into parts that repeat its first column.
 */

/** what a column's numbers count: milliseconds, bytes, or plain numbers */
export type Unit = 'ms' | 'bytes' | 'count';

export interface TextTable {
  title: string;
  header: string[];
  rows: (string | number)[][];
  /** per column, the unit of its numbers (absent: plain numbers) */
  units?: (Unit | undefined)[];
  /** a line printed under the table */
  note?: string;
}

export type TableFormat = 'text' | 'md' | 'csv' | 'json';
export const TABLE_FORMATS: readonly TableFormat[] = ['text', 'md', 'csv', 'json'];
export const DEFAULT_WIDTH = 100;

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (Number.isInteger(v) || a >= 100) return Math.round(v).toLocaleString('en-US');
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v === 0 ? '0' : v.toPrecision(2);
}

/** three significant digits, no trailing zeros beyond them */
const sig3 = (x: number): string => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** a duration given in ms, in the unit that keeps it short: ns, µs, ms, s, min, h */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms === 0) return '0';
  const a = Math.abs(ms);
  if (a < 1e-3) return `${sig3(ms * 1e6)} ns`;
  if (a < 1) return `${sig3(ms * 1e3)} µs`;
  if (a < 1e3) return `${sig3(ms)} ms`;
  if (a < 60e3) return `${sig3(ms / 1e3)} s`;
  if (a < 3600e3) return `${sig3(ms / 60e3)} min`;
  return `${sig3(ms / 3600e3)} h`;
}

/** bytes in binary units: B, KiB, MiB, GiB, TiB (three significant digits) */
export function formatByteSize(b: number): string {
  if (!Number.isFinite(b)) return String(b);
  const a = Math.abs(b);
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  if (a < 1024) return `${b} B`;
  let k = 0;
  let x = b / 1024;
  while (Math.abs(x) >= 1024 && k < units.length - 1) {
    x /= 1024;
    k++;
  }
  return `${Number.isInteger(x) ? x : sig3(x)} ${units[k]}`;
}

/** `1 run`, `3 runs` */
export const plural = (n: number, word: string): string => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

function humanCell(c: string | number, unit: Unit | undefined): string {
  if (typeof c !== 'number') return c;
  if (unit === 'ms') return formatDuration(c);
  if (unit === 'bytes') return formatByteSize(c);
  return formatNumber(c);
}

/** the column name with its unit, for CSV and JSON, where cells are exact numbers */
const exactName = (name: string, unit: Unit | undefined): string => (unit === 'ms' ? `${name} ms` : unit === 'bytes' ? `${name} bytes` : name);

/** splits the columns after the first into groups whose lines fit `width` (each group at least one column) */
function columnGroups(widths: readonly number[], width: number): number[][] {
  const groups: number[][] = [];
  let cur: number[] = [];
  let used = widths[0]!;
  for (let i = 1; i < widths.length; i++) {
    if (cur.length > 0 && used + 2 + widths[i]! > width) {
      groups.push(cur);
      cur = [];
      used = widths[0]!;
    }
    cur.push(i);
    used += 2 + widths[i]!;
  }
  if (cur.length > 0) groups.push(cur);
  return groups.length > 0 ? groups : [[]];
}

export function renderTable(t: TextTable, width = DEFAULT_WIDTH): string {
  const cells = [t.header, ...t.rows.map((r) => r.map((c, i) => humanCell(c, t.units?.[i])))];
  const widths = t.header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const groups = columnGroups(widths, width);
  const out: string[] = [];
  groups.forEach((g, k) => {
    const cols = [0, ...g];
    const line = (r: string[]): string => cols.map((i, j) => (j === 0 ? (r[i] ?? '').padEnd(widths[i]!) : (r[i] ?? '').padStart(widths[i]!))).join('  ').trimEnd();
    if (k > 0) out.push('');
    out.push(groups.length > 1 ? `${t.title} (${k + 1}/${groups.length})` : t.title);
    out.push(line(cells[0]!), cols.map((i) => '-'.repeat(widths[i]!)).join('  '), ...cells.slice(1).map(line));
  });
  if (t.note) out.push(...wrap(t.note, width));
  return out.join('\n') + '\n';
}

/** words into lines of at most `width` characters (a longer word stands alone) */
export function wrap(text: string, width = DEFAULT_WIDTH): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const w of text.split(' ')) {
    if (cur && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines;
}

const mdEscape = (s: string): string => s.replace(/\|/g, '\\|');

function renderMarkdown(t: TextTable): string {
  const cells = t.rows.map((r) => r.map((c, i) => mdEscape(humanCell(c, t.units?.[i]))));
  const out = [`**${mdEscape(t.title)}**`, '', `| ${t.header.map(mdEscape).join(' | ')} |`, `|${t.header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const r of cells) out.push(`| ${r.join(' | ')} |`);
  if (t.note) out.push('', t.note);
  return out.join('\n') + '\n';
}

const csvCell = (c: string | number): string => {
  const s = typeof c === 'number' ? String(c) : c;
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

function renderCsv(t: TextTable): string {
  const header = t.header.map((h, i) => exactName(h, t.units?.[i]));
  return [csvCell(`# ${t.title}`), header.map(csvCell).join(','), ...t.rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';
}

/** a table as JSON data: exact numbers, units in the column names */
export function tableJson(t: TextTable): { title: string; columns: { name: string; unit: Unit | null }[]; rows: (string | number)[][]; note?: string } {
  return {
    title: t.title,
    columns: t.header.map((h, i) => ({ name: h, unit: t.units?.[i] ?? null })),
    rows: t.rows,
    ...(t.note ? { note: t.note } : {}),
  };
}

/** every table in one format; text and Markdown separated by blank lines, CSV by a blank line, JSON as one document */
export function renderTables(tables: readonly TextTable[], format: TableFormat, width = DEFAULT_WIDTH): string {
  if (format === 'json') return JSON.stringify({ tables: tables.map(tableJson) }, null, 1) + '\n';
  const one = format === 'md' ? renderMarkdown : format === 'csv' ? renderCsv : (t: TextTable) => renderTable(t, width);
  return tables.map(one).join('\n');
}
