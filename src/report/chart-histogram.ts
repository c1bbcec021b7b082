/**
 * A latency histogram of one phase: log-spaced latency bins along x, calls per bin on a
 * log₁₀ y axis (so one slow call among a million fast ones still shows as a bar).
 */
import type { LatencyHistogram } from './latency-histogram.ts';
import { BINS_PER_OCTAVE, binStart } from './latency-histogram.ts';
import { GRID, INK, MUTED, PALETTE, el, escapeXml, formatNs, shortNumber, svgDocument, text } from './svg.ts';

export interface HistogramChartOptions {
  title?: string;
  width?: number;
  height?: number;
  color?: string;
}

export function latencyHistogramSvg(h: LatencyHistogram, o: HistogramChartOptions = {}): string {
  const width = o.width ?? 420;
  const height = o.height ?? 240;
  const title = o.title ?? `${h.phase}: latency per call (${shortNumber(h.total)} calls)`;
  const f = { x: 66, y: 32, w: width - 66 - 28, h: height - 32 - 40 };
  let body = text(12, 18, title, { 'font-size': 13, 'font-weight': 600, fill: INK });

  // pad the bins to whole octaves so ticks land on powers of two
  const lo = Math.floor(h.firstBin / BINS_PER_OCTAVE) * BINS_PER_OCTAVE;
  const hi = Math.ceil((h.firstBin + Math.max(h.counts.length, 1)) / BINS_PER_OCTAVE) * BINS_PER_OCTAVE;
  const nBins = Math.max(hi - lo, BINS_PER_OCTAVE);
  const peak = Math.max(1, h.zero, ...h.counts);
  const decades = Math.max(1, Math.ceil(Math.log10(peak)));
  // a log axis has no zero: the baseline sits a little below 1 so a bin of one call still shows
  const floor = -0.3;
  const sy = (count: number): number => f.y + f.h - ((Math.log10(count) - floor) / (decades - floor)) * f.h;
  const bw = f.w / nBins;

  for (let d = 0; d <= decades; d++) {
    const y = sy(10 ** d);
    body += el('line', { x1: f.x, x2: f.x + f.w, y1: y, y2: y, stroke: GRID });
    body += text(f.x - 6, y + 3.5, shortNumber(10 ** d), { 'text-anchor': 'end', fill: MUTED });
  }
  const color = o.color ?? PALETTE[0]!;
  h.counts.forEach((c, i) => {
    if (c === 0) return;
    const k = h.firstBin + i;
    const x = f.x + (k - lo) * bw;
    const y = sy(c);
    const label = `${formatNs(binStart(k))} – ${formatNs(binStart(k + 1))}: ${c} calls`;
    body += el('rect', { x: x + 0.5, y, width: Math.max(bw - 1, 0.5), height: f.y + f.h - y, fill: color }, el('title', {}, escapeXml(label)));
  });
  // x ticks at round values (1, 2, 5 × 10^k ns; only powers of ten when the range is wide), about 60 px apart at least
  const xOf = (ns: number): number => f.x + (Math.log2(ns) * BINS_PER_OCTAVE - lo) * bw;
  const nsLo = binStart(lo);
  const nsHi = binStart(lo + nBins);
  let lastX = -Infinity;
  for (const mult of [[1, 2, 5], [1, 3], [1]]) {
    const ticks: number[] = [];
    for (let e = Math.floor(Math.log10(nsLo)); e <= Math.ceil(Math.log10(nsHi)); e++) for (const m of mult) ticks.push(m * 10 ** e);
    const inside = ticks.filter((v) => v >= nsLo && v <= nsHi);
    const gaps = inside.slice(1).map((v, i) => xOf(v) - xOf(inside[i]!));
    if (mult.length > 1 && gaps.some((g) => g < 60)) continue;
    for (const v of inside) {
      const x = xOf(v);
      if (x - lastX < 40) continue;
      lastX = x;
      body += el('line', { x1: x, x2: x, y1: f.y + f.h, y2: f.y + f.h + 4, stroke: INK });
      body += text(x, f.y + f.h + 15, formatNs(v), { 'text-anchor': 'middle', fill: MUTED });
    }
    break;
  }
  body += el('line', { x1: f.x, x2: f.x + f.w, y1: f.y + f.h, y2: f.y + f.h, stroke: INK });
  body += el('line', { x1: f.x, x2: f.x, y1: f.y, y2: f.y + f.h, stroke: INK });
  body += text(f.x + f.w / 2, f.y + f.h + 30, 'modeled latency per call (log scale)', { 'text-anchor': 'middle', fill: INK });
  body += text(16, f.y + f.h / 2, 'calls per bin (log scale)', { 'text-anchor': 'middle', fill: INK, transform: `rotate(-90 16 ${f.y + f.h / 2})` });
  if (h.zero > 0) body += text(f.x + f.w, f.y - 4, `${h.zero} calls < 1 ns`, { 'text-anchor': 'end', fill: MUTED });
  if (h.total === 0) body += text(f.x + f.w / 2, f.y + f.h / 2, 'no calls', { 'text-anchor': 'middle', fill: MUTED });
  return svgDocument(width, height, title, body);
}
