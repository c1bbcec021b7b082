/**
 * Footprint over modeled time: allocator metadata, populated memory (pages over every unit),
 * vmalloc space held by chunks, and live chunks, as four stacked panels sharing the time axis,
 * with the phase boundaries marked.
 */
import type { Series } from './chart-line.ts';
import { lineChartBody } from './chart-line.ts';
import { INK, svgDocument, text } from './svg.ts';

export interface FootprintSample {
  /** modeled time, ns */
  ns: number;
  metadata_bytes: number;
  populated_pages: number;
  vmalloc_bytes: number;
  chunks: number;
}

export interface FootprintChartOptions {
  title?: string;
  pageSize: number;
  /** phase ends: modeled ns and the phase name */
  marks?: readonly { ns: number; label: string }[];
  width?: number;
}

const UNITS: [number, string][] = [
  [2 ** 30, 'GiB'],
  [2 ** 20, 'MiB'],
  [2 ** 10, 'KiB'],
  [1, 'B'],
];

/** the largest unit the maximum reaches */
function byteUnit(max: number): [number, string] {
  return UNITS.find(([size]) => max >= size) ?? [1, 'B'];
}

export function footprintSvg(samples: readonly FootprintSample[], o: FootprintChartOptions): string {
  const width = o.width ?? 720;
  const panelH = 120;
  const gap = 52;
  const top = 34;
  const title = o.title ?? 'Footprint over modeled time';
  const maxNs = samples.length ? samples[samples.length - 1]!.ns : 0;
  // time in ms, or µs for short runs
  const [tScale, tUnit] = maxNs >= 1e6 ? [1e6, 'ms'] : [1e3, 'µs'];
  const metrics: [string, (s: FootprintSample) => number, boolean][] = [
    ['metadata', (s) => s.metadata_bytes, true],
    ['populated memory', (s) => s.populated_pages * o.pageSize, true],
    ['vmalloc space', (s) => s.vmalloc_bytes, true],
    ['chunks', (s) => s.chunks, false],
  ];
  let body = text(12, 18, title, { 'font-size': 13, 'font-weight': 600, fill: INK });
  metrics.forEach(([name, get, isBytes], i) => {
    const max = Math.max(0, ...samples.map(get));
    const [unit, unitName] = isBytes ? byteUnit(max) : [1, ''];
    const series: Series[] = [{ name, points: samples.map((s) => ({ x: s.ns / tScale, y: get(s) / unit })) }];
    const frame = { x: 72, y: top + i * (panelH + gap), w: width - 72 - 20, h: panelH };
    body += lineChartBody(
      {
        title: name,
        xLabel: i === metrics.length - 1 ? `modeled time (${tUnit})` : '',
        yLabel: isBytes ? `${name} (${unitName})` : name,
        series,
        xScale: 'linear',
        step: true,
        markers: false,
        marks: (o.marks ?? []).map((m) => ({ x: m.ns / tScale, label: i === 0 ? m.label : '' })),
      },
      frame,
    );
  });
  const height = top + metrics.length * (panelH + gap) - gap + 40;
  return svgDocument(width, height, title, body);
}
