/**
 * The sweep report (`sim sweep|merge ... --html FILE`): one self-contained page with, for each
 * metric (footprint and Percpu at peak, each phase's modeled time on the calling CPU, the
 * kworker's balance work) and each swept dimension, a chart of the metric against the dimension
 * and the numbers under it.
 *
 * Charts are Vega-Lite specs rendered to SVG in Node (vega's headless view): the grammar gives
 * nice round ticks, log scales, axis titles and a legend without hand-placed text, and the spec
 * of every chart is embedded next to it so a user can edit it (https://vega.github.io/editor).
 * One panel per kernel; inside, one line per value of the other dimensions: marker shape (and
 * shade) for the first other dimension, dash pattern for the second, so lines stay apart in
 * grey-scale print. Further dimensions are taken at their worst (largest value).
 */
import * as vl from 'vega-lite';
import * as vega from 'vega';
import type { RunMetrics } from '../engine/metrics.ts';
import { kernelOfName } from '../kernel/versions.ts';
import { escapeXml } from './svg.ts';
import { writeFileAtomic } from './write-file.ts';
import { formatByteSize, formatDuration } from './text-table.ts';

const distinct = <T>(xs: T[]): T[] => [...new Set(xs)];

export interface SweepMetric {
  id: string;
  title: string;
  unit: 'bytes' | 'ms';
  get: (r: RunMetrics) => number | undefined;
}

export function sweepMetrics(runs: readonly RunMetrics[]): SweepMetric[] {
  const phases = distinct(runs.flatMap((r) => Object.keys(r.phases)));
  return [
    { id: 'footprint', title: 'Footprint at peak (Percpu + metadata)', unit: 'bytes', get: (r) => r.memory?.peak.footprint_bytes },
    { id: 'percpu', title: 'Percpu at peak (/proc/meminfo)', unit: 'bytes', get: (r) => r.memory?.peak.percpu_bytes },
    ...phases.map((p): SweepMetric => ({ id: `phase-${p}`, title: `Modeled time of phase ${p} (calling CPU)`, unit: 'ms', get: (r) => r.phases[p]?.modeled_ms })),
    { id: 'kworker', title: 'Modeled kworker time (balance work, whole run)', unit: 'ms', get: (r) => r.balance.modeled_ms },
  ];
}

/** the display unit for a range of values: bytes in KiB/MiB/GiB, ms in µs/ms/s */
function scaleUnit(unit: 'bytes' | 'ms', max: number): { name: string; div: number } {
  if (unit === 'bytes') {
    const steps: [string, number][] = [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]];
    for (const [name, div] of steps) if (max >= div) return { name, div };
    return { name: 'bytes', div: 1 };
  }
  if (max >= 1e4) return { name: 's', div: 1e3 };
  if (max < 1) return { name: 'µs', div: 1e-3 };
  return { name: 'ms', div: 1 };
}

const isPowerOfTwo = (x: number): boolean => x > 0 && Number.isInteger(Math.log2(x));
const label = (v: unknown): string => String(v);
/** a dimension's value as a reader says it: page sizes in binary units */
const valueText = (dim: string, v: unknown): string => (dim === 'pageSize' && typeof v === 'number' ? formatByteSize(v) : String(v));

/**
 * Round ticks for a log axis over [lo, hi]: powers of two for bytes (1 KiB, 32 KiB, 1 MiB...),
 * powers of ten for milliseconds, at most 7, each with its label in human units.
 */
export function logTicks(lo: number, hi: number, unit: 'bytes' | 'ms'): { values: number[]; labels: string[]; domain: [number, number] } {
  const base = unit === 'bytes' ? 2 : 10;
  const e0 = Math.floor(Math.log(lo) / Math.log(base) + 1e-9);
  const e1 = Math.ceil(Math.log(hi) / Math.log(base) - 1e-9);
  const steps = unit === 'bytes' ? [1, 2, 5, 10, 20, 30] : [1, 2, 3];
  const step = steps.find((k) => Math.floor(e1 / k) - Math.ceil(e0 / k) + 1 <= 7) ?? steps[steps.length - 1]!;
  const values: number[] = [];
  for (let e = Math.ceil(e0 / step) * step; e <= e1; e += step) values.push(base ** e);
  if (values.length < 2) values.splice(0, values.length, base ** e0, base ** e1);
  return { values, labels: values.map((v) => (unit === 'bytes' ? formatByteSize(v) : formatDuration(v))), domain: [base ** e0, base ** e1] };
}

/** a Vega expression mapping each tick value to its label */
const labelExpr = (t: { values: number[]; labels: string[] }): string =>
  t.values.reduceRight((rest, v, i) => `datum.value == ${v} ? ${JSON.stringify(t.labels[i])} : ${rest}`, "''");

export interface ChartData {
  spec: vl.TopLevelSpec;
  rows: { kernel: string; series: string; x: string | number; value: number }[];
  unit: string;
}

/** the chart of `metric` against `dim` (null when the dimension has one value or the metric is absent) */
export function sweepChart(runs: readonly RunMetrics[], labelNames: readonly string[], dim: string, metric: SweepMetric): ChartData | null {
  const xs = distinct(runs.map((r) => r.labels[dim]).filter((v) => v !== undefined));
  if (xs.length < 2) return null;
  const others = labelNames.filter((n) => n !== dim && distinct(runs.map((r) => label(r.labels[n]))).length > 1);
  const [shapeDim, dashDim] = others;
  const numeric = xs.every((v) => typeof v === 'number');
  // the worst case over the dimensions beyond the second other one
  const cells = new Map<string, { kernel: string; series: string; shapeV: string; dashV: string; x: string | number; value: number }>();
  for (const r of runs) {
    const v = metric.get(r);
    if (v === undefined || !Number.isFinite(v)) continue;
    const x = r.labels[dim]!;
    const shapeV = shapeDim ? `${shapeDim}=${valueText(shapeDim, r.labels[shapeDim])}` : '';
    const dashV = dashDim ? `${dashDim}=${valueText(dashDim, r.labels[dashDim])}` : '';
    const series = [shapeV, dashV].filter(Boolean).join(' ') || kernelOfName(r.allocator);
    const key = `${r.allocator}\u0000${series}\u0000${label(x)}`;
    const have = cells.get(key);
    if (!have || v > have.value) cells.set(key, { kernel: `${kernelOfName(r.allocator)} ${r.allocator}`, series, shapeV, dashV, x: typeof x === 'boolean' ? String(x) : x, value: v });
  }
  if (cells.size === 0) return null;
  const values = [...cells.values()];
  const max = Math.max(...values.map((c) => c.value));
  const positive = values.filter((c) => c.value > 0).map((c) => c.value);
  const unit = scaleUnit(metric.unit, max);
  const logY = positive.length === values.length && Math.max(...positive) / Math.min(...positive) >= 100;
  const logX = numeric && (xs as number[]).every(isPowerOfTwo) && Math.max(...(xs as number[])) / Math.min(...(xs as number[])) >= 8;
  const ticks = logY ? logTicks(Math.min(...positive), max, metric.unit) : null;
  const data = values.map((c) => ({ ...c, y: ticks ? c.value : c.value / unit.div }));
  const xTicks = { values: xs as number[], labels: (xs as number[]).map((v) => valueText(dim, v)) };
  const xTitle = dim === 'pageSize' ? 'page size' : dim === 'cpus' ? 'possible CPUs' : dim === 'nodes' ? 'NUMA nodes' : dim;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: data },
    facet: { column: { field: 'kernel', type: 'nominal', title: null, header: { labelFontSize: 13, labelFontWeight: 'bold' } } },
    spec: {
      width: 230,
      height: 190,
      layer: [
        {
          mark: { type: 'line', strokeWidth: 1.5, point: { filled: false, size: 50, strokeWidth: 1.5 } },
          encoding: {
            x: numeric
              ? { field: 'x', type: 'quantitative', title: xTitle, scale: logX ? { type: 'log', base: 2 } : { zero: false }, axis: { values: xs as number[], labelExpr: labelExpr(xTicks), labelOverlap: true } }
              : { field: 'x', type: 'ordinal', title: xTitle, sort: xs.map(label), axis: { labelAngle: 0 } },
            y: {
              field: 'y',
              type: 'quantitative',
              title: ticks ? `${metric.unit === 'bytes' ? 'bytes' : 'time'} (log scale)` : metric.unit === 'bytes' ? unit.name : `time (${unit.name})`,
              scale: ticks ? { type: 'log', base: metric.unit === 'bytes' ? 2 : 10, domain: ticks.domain, nice: false } : { zero: true, nice: true },
              axis: ticks ? { values: ticks.values, labelExpr: labelExpr(ticks), grid: true } : { tickCount: 5, format: '~g' },
            },
            ...(shapeDim ? { shape: { field: 'shapeV', type: 'nominal', title: shapeDim, sort: distinct(values.map((c) => c.shapeV)) }, color: { field: 'shapeV', type: 'ordinal', title: shapeDim, scale: { scheme: 'greys', domain: distinct(values.map((c) => c.shapeV)), range: greys(distinct(values.map((c) => c.shapeV)).length) }, sort: distinct(values.map((c) => c.shapeV)) } } : { color: { value: '#222' } }),
            ...(dashDim ? { strokeDash: { field: 'dashV', type: 'nominal', title: dashDim, sort: distinct(values.map((c) => c.dashV)) } } : {}),
            detail: { field: 'series', type: 'nominal' },
            tooltip: [{ field: 'series' }, { field: 'x', title: dim }, { field: 'y', title: unit.name }],
          },
        },
      ],
    },
    resolve: { scale: { y: 'shared' } },
    config: { font: 'DejaVu Sans, Arial, sans-serif', axis: { titleFontSize: 12, labelFontSize: 11, grid: true, gridColor: '#e4e4e4' }, legend: { titleFontSize: 12, labelFontSize: 11 }, view: { stroke: '#bbb' } },
  } as unknown as vl.TopLevelSpec;
  return { spec, rows: values.map((c) => ({ kernel: c.kernel, series: c.series, x: c.x, value: c.value })), unit: unit.name };
}

/** n shades from black to mid grey, readable on white and in print */
function greys(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const v = Math.round(n === 1 ? 0 : (i / (n - 1)) * 150);
    return `rgb(${v},${v},${v})`;
  });
}

/** a Vega-Lite spec as SVG text (vega's headless renderer; text widths estimated, no canvas) */
export async function vegaLiteSvg(spec: vl.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function numbersTable(c: ChartData, dim: string, metric: SweepMetric): string {
  const kernels = distinct(c.rows.map((r) => r.kernel));
  const keys = distinct(c.rows.map((r) => `${r.series}\u0000${label(r.x)}`));
  const fmt = (v: number): string => (metric.unit === 'bytes' ? formatByteSize(v) : formatDuration(v));
  const head = `<tr><th>series</th><th>${escapeXml(dim)}</th>${kernels.map((k) => `<th>${escapeXml(k)}</th>`).join('')}</tr>`;
  const body = keys
    .map((k) => {
      const [series, x] = k.split('\u0000') as [string, string];
      const cells = kernels.map((kn) => {
        const row = c.rows.find((r) => r.kernel === kn && r.series === series && label(r.x) === x);
        return `<td>${row ? escapeXml(fmt(row.value)) : '-'}</td>`;
      });
      return `<tr><td>${escapeXml(series)}</td><td>${escapeXml(valueText(dim, Number.isNaN(Number(x)) ? x : Number(x)))}</td>${cells.join('')}</tr>`;
    })
    .join('\n');
  return `<details><summary>the numbers (${metric.unit === 'bytes' ? 'binary units' : 'human units; exact ms in --json'})</summary><table>${head}\n${body}</table></details>`;
}

const STYLE = `body{font-family:DejaVu Sans,Arial,sans-serif;margin:24px;max-width:1200px;color:#222}
h1{font-size:20px}h2{font-size:17px;margin-top:32px}h3{font-size:14px;margin:20px 0 4px}
table{border-collapse:collapse;font-size:12px;margin:6px 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
td:first-child,th:first-child{text-align:left}.sub{color:#555;font-size:13px}figure{margin:8px 0}
details pre{font-size:11px;background:#f6f6f6;padding:6px;overflow:auto;max-height:240px}`;

/** the whole page */
export async function sweepHtml(name: string, description: string, labelNames: readonly string[], runs: readonly RunMetrics[]): Promise<string> {
  const dims = labelNames.filter((n) => distinct(runs.map((r) => label(r.labels[n]))).length > 1);
  const parts: string[] = [
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeXml(name)}: sweep report</title><style>${STYLE}</style></head><body>`,
    `<h1>${escapeXml(name)}: sweep report</h1>`,
    description ? `<p class="sub">${escapeXml(description)}</p>` : '',
    `<p class="sub">${runs.length} points; swept: ${escapeXml(dims.map((d) => `${d} (${distinct(runs.map((r) => valueText(d, r.labels[d]))).join(', ')})`).join('; ') || 'nothing')}; kernels: ${escapeXml(distinct(runs.map((r) => `${kernelOfName(r.allocator)} (${r.allocator})`)).join(', '))}. Footprint = Percpu (populated pages over every unit, first chunk included, as /proc/meminfo's Percpu) + allocator metadata. Times are modeled: the calling CPU's, and the kworker's balance work apart.</p>`,
  ];
  for (const metric of sweepMetrics(runs)) {
    const charts: string[] = [];
    for (const dim of dims) {
      const c = sweepChart(runs, labelNames, dim, metric);
      if (!c) continue;
      const svg = await vegaLiteSvg(c.spec);
      charts.push(
        `<h3>${escapeXml(metric.title)} against ${escapeXml(dim)}</h3><figure class="chart" data-chart="${escapeXml(`${metric.id}-${dim}`)}">${svg}</figure>`,
        numbersTable(c, dim, metric),
        `<details><summary>Vega-Lite spec (edit at vega.github.io/editor)</summary><pre>${escapeXml(JSON.stringify(c.spec))}</pre></details>`,
      );
    }
    if (charts.length > 0) parts.push(`<h2>${escapeXml(metric.title)}</h2>`, ...charts);
  }
  parts.push('</body></html>');
  return parts.join('\n') + '\n';
}

export async function writeSweepHtml(file: string, name: string, description: string, labelNames: readonly string[], runs: readonly RunMetrics[]): Promise<void> {
  writeFileAtomic(file, await sweepHtml(name, description, labelNames, runs));
}
