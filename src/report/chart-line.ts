/**
 * Line charts over generic series: the building block of the footprint-over-time chart and of
 * sweep plots (a metric against a grid dimension, one line per allocator or any other key).
 * X may be numeric (linear or log₂ axis) or categorical (preset names, page sizes as labels).
 */
import { GRID, INK, MUTED, PALETTE, el, escapeXml, niceTicks, num, shortNumber, svgDocument, text } from './svg.ts';

export interface Point {
  x: number | string;
  y: number;
}

export interface Series {
  name: string;
  points: readonly Point[];
}

export type XScale = 'auto' | 'linear' | 'log2' | 'category';

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** 'auto': categories when any x is a string, log₂ when positive x span 16x or more, else linear */
  xScale?: XScale;
  width?: number;
  height?: number;
  /** hold each value until the next point (a level that changes in steps) */
  step?: boolean;
  /** draw a dot at each point (default: when a series has at most 40 points) */
  markers?: boolean;
  formatX?: (v: number) => string;
  formatY?: (v: number) => string;
  /** vertical marks on the x axis (phase boundaries), numeric x only */
  marks?: readonly { x: number; label: string }[];
  /** show the legend (default: more than one series) */
  legend?: boolean;
}

interface Frame {
  x: number;
  y: number;
  w: number;
  h: number;
}

type ResolvedScale = Exclude<XScale, 'auto'>;

function resolveScale(series: readonly Series[], want: XScale): ResolvedScale {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  if (want !== 'auto') return want;
  if (xs.some((x) => typeof x === 'string')) return 'category';
  const nums = xs as number[];
  const lo = Math.min(...nums);
  const hi = Math.max(...nums);
  return lo > 0 && hi / lo >= 16 ? 'log2' : 'linear';
}

/** the chart's plot body inside `f`, for composing several panels into one SVG */
export function lineChartBody(o: LineChartOptions, f: Frame): string {
  const scale = resolveScale(o.series, o.xScale ?? 'auto');
  const categories = [...new Set(o.series.flatMap((s) => s.points.map((p) => String(p.x))))];
  const numericX = (x: number | string): number => (scale === 'category' ? categories.indexOf(String(x)) : scale === 'log2' ? Math.log2(Number(x)) : Number(x));
  const pts = o.series.flatMap((s) => s.points);
  let xLo = pts.length ? Math.min(...pts.map((p) => numericX(p.x))) : 0;
  let xHi = pts.length ? Math.max(...pts.map((p) => numericX(p.x))) : 1;
  if (scale === 'category') {
    xLo = -0.5;
    xHi = Math.max(categories.length - 0.5, 0.5);
  } else if (xHi === xLo) {
    xLo -= 1;
    xHi += 1;
  }
  const yMax = pts.length ? Math.max(...pts.map((p) => p.y)) : 1;
  const yMin = Math.min(0, ...pts.map((p) => p.y));
  const yTicks = niceTicks(yMin, yMax > yMin ? yMax : yMin + 1);
  const yLo = Math.min(yMin, yTicks[0]!);
  const yHi = Math.max(yTicks[yTicks.length - 1]!, yMax > yLo ? yMax : yLo + 1);
  const sx = (v: number): number => f.x + ((v - xLo) / (xHi - xLo)) * f.w;
  const sy = (v: number): number => f.y + f.h - ((v - yLo) / (yHi - yLo)) * f.h;
  const fx = o.formatX ?? shortNumber;
  const fy = o.formatY ?? shortNumber;

  let out = '';
  // grid and y ticks
  for (const t of yTicks) {
    out += el('line', { x1: f.x, x2: f.x + f.w, y1: sy(t), y2: sy(t), stroke: GRID });
    out += text(f.x - 6, sy(t) + 3.5, fy(t), { 'text-anchor': 'end', fill: MUTED });
  }
  // x ticks
  let xTicks: { v: number; label: string }[];
  if (scale === 'category') xTicks = categories.map((c, i) => ({ v: i, label: c }));
  else if (scale === 'log2') {
    xTicks = [];
    const every = Math.max(1, Math.ceil((Math.floor(xHi) - Math.ceil(xLo) + 1) / 10));
    for (let e = Math.ceil(xLo); e <= Math.floor(xHi); e += every) xTicks.push({ v: e, label: fx(2 ** e) });
  } else xTicks = niceTicks(xLo, xHi, 6).filter((v) => v >= xLo && v <= xHi).map((v) => ({ v, label: fx(v) }));
  for (const t of xTicks) {
    out += el('line', { x1: sx(t.v), x2: sx(t.v), y1: f.y + f.h, y2: f.y + f.h + 4, stroke: INK });
    out += text(sx(t.v), f.y + f.h + 15, t.label, { 'text-anchor': 'middle', fill: MUTED });
  }
  // marks (phase boundaries)
  // labels that would run into the previous one drop a line
  let labelEnd = -Infinity;
  let row = 0;
  for (const m of o.marks ?? []) {
    if (scale === 'category') break;
    const x = sx(numericX(m.x));
    out += el('line', { x1: x, x2: x, y1: f.y, y2: f.y + f.h, stroke: '#999999', 'stroke-dasharray': '3 3' });
    if (!m.label) continue;
    row = x + 3 < labelEnd ? row + 1 : 0;
    const labelW = m.label.length * 5.5;
    // near the right edge the label goes left of its line
    const left = x + 3 + labelW > f.x + f.w;
    out += text(left ? x - 3 : x + 3, f.y + 10 + row * 11, m.label, { fill: MUTED, 'font-size': 10, 'text-anchor': left ? 'end' : undefined });
    labelEnd = Math.max(labelEnd, x + 3 + labelW);
  }
  // axes
  out += el('line', { x1: f.x, x2: f.x + f.w, y1: f.y + f.h, y2: f.y + f.h, stroke: INK });
  out += el('line', { x1: f.x, x2: f.x, y1: f.y, y2: f.y + f.h, stroke: INK });
  out += text(f.x + f.w / 2, f.y + f.h + 30, o.xLabel, { 'text-anchor': 'middle', fill: INK });
  out += text(f.x - 44, f.y + f.h / 2, o.yLabel, {
    'text-anchor': 'middle',
    fill: INK,
    transform: `rotate(-90 ${num(f.x - 44)} ${num(f.y + f.h / 2)})`,
  });
  // series
  o.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const ordered = [...s.points].sort((a, b) => numericX(a.x) - numericX(b.x));
    let d = '';
    ordered.forEach((p, k) => {
      const x = sx(numericX(p.x));
      const y = sy(p.y);
      if (k === 0) d += `M${num(x)} ${num(y)}`;
      else if (o.step) d += `H${num(x)}V${num(y)}`;
      else d += `L${num(x)} ${num(y)}`;
    });
    if (d) out += el('path', { d, fill: 'none', stroke: color, 'stroke-width': 1.8, 'stroke-linejoin': 'round' });
    if (o.markers ?? ordered.length <= 40) {
      for (const p of ordered) out += el('circle', { cx: sx(numericX(p.x)), cy: sy(p.y), r: 2.8, fill: color }, el('title', {}, escapeXml(`${s.name}: ${p.x} → ${fy(p.y)}`)));
    }
  });
  return out;
}

/** the legend as one row of swatches */
export function legendRow(names: readonly string[], x: number, y: number): string {
  let out = '';
  let at = x;
  names.forEach((name, i) => {
    out += el('rect', { x: at, y: y - 8, width: 12, height: 4, fill: PALETTE[i % PALETTE.length]! });
    out += text(at + 16, y - 4, name, { fill: INK });
    at += 28 + name.length * 6.2;
  });
  return out;
}

/** a complete line chart */
export function lineChartSvg(o: LineChartOptions): string {
  const width = o.width ?? 640;
  const height = o.height ?? 320;
  const showLegend = o.legend ?? o.series.length > 1;
  const top = showLegend ? 46 : 34;
  const frame: Frame = { x: 64, y: top, w: width - 64 - 20, h: height - top - 44 };
  let body = text(12, 18, o.title, { 'font-size': 13, 'font-weight': 600, fill: INK });
  if (showLegend) body += legendRow(o.series.map((s) => s.name), 64, 36);
  body += lineChartBody(o, frame);
  return svgDocument(width, height, o.title, body);
}

/**
 * A sweep plot: one metric against one grid dimension, a line per series (allocator, page
 * size, ...). Numeric dimensions spanning a wide range (CPU counts) get a log₂ axis.
 */
export function sweepPlotSvg(o: { title: string; dimension: string; metric: string; series: readonly Series[]; formatY?: (v: number) => string; width?: number; height?: number }): string {
  return lineChartSvg({
    title: o.title,
    xLabel: o.dimension,
    yLabel: o.metric,
    series: o.series,
    markers: true,
    legend: true,
    formatY: o.formatY,
    width: o.width,
    height: o.height,
  });
}
