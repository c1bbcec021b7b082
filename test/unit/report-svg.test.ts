/**
 * The SVG charts: well-formed standalone documents, the same bytes for the same input, and
 * marks where the data says (one occupancy cell per page, one bar per non-empty latency bin,
 * one line per series).
 */
import { describe, expect, it } from 'vitest';
import type { PercpuChunkView, PercpuStatsView } from '../../src/kernel/percpu-stats.ts';
import { footprintSvg } from '../../src/report/chart-footprint.ts';
import { latencyHistogramSvg } from '../../src/report/chart-histogram.ts';
import { lineChartSvg, sweepPlotSvg } from '../../src/report/chart-line.ts';
import { occupancyMapSvg } from '../../src/report/chart-occupancy.ts';
import { binOf, binStart, latencyHistogram } from '../../src/report/latency-histogram.ts';
import { escapeXml, niceTicks, num } from '../../src/report/svg.ts';
import { sweepSeries } from '../../src/report/sweep-series.ts';
import type { RunMetrics } from '../../src/engine/metrics.ts';
import { xmlProblems } from './report-xml.ts';

function chunk(id: number, role: PercpuChunkView['role'], allocated: number[], populated: number[], hidden: number[] = []): PercpuChunkView {
  const n = allocated.length;
  return {
    id, role, list: role === 'reserved' ? -1 : 3, nr_alloc: 1, max_alloc_size: 8, empty_pop_pages: 0, first_bit: 0,
    free_bytes: n * 4096 - allocated.reduce((a, b) => a + b, 0), contig_bytes: 4096,
    sum_frag: 0, max_frag: 0, cur_min_alloc: 0, cur_med_alloc: 0, cur_max_alloc: 0, nr_pages: n, nr_populated: populated.filter(Boolean).length,
    occupancy: {
      pageSize: 4096,
      allocated: Int32Array.from(allocated),
      hidden: Int32Array.from({ length: n }, (_, i) => hidden[i] ?? 0),
      populated: Uint8Array.from(populated),
    },
  };
}

function view(): PercpuStatsView {
  return {
    kernel: 'v6.12',
    ai: { unit_size: 32768, static_size: 4096, reserved_size: 8192, dyn_size: 20480, atom_size: 4096, alloc_size: 32768 },
    global: { nr_alloc: 3, nr_dealloc: 0, nr_cur_alloc: 3, nr_max_alloc: 3, nr_chunks: 2, nr_max_chunks: 2, min_alloc_size: 8, max_alloc_size: 4096 },
    empty_pop_pages: 1,
    nr_pages: 10,
    page_size: 4096,
    chunks: [
      chunk(-1, 'reserved', [8, 0], [1, 1], [100]),
      chunk(0, 'first', [4096, 2048, 0, 0, 0], [1, 1, 1, 1, 1]),
      chunk(1, 'other', [0, 4096, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0]),
    ],
  };
}

const count = (s: string, needle: string): number => s.split(needle).length - 1;

describe('svg helpers', () => {
  it('escapes markup and prints coordinates with at most two decimals', () => {
    expect(escapeXml(`<a & "b" 'c'>`)).toBe('&lt;a &amp; &quot;b&quot; &#39;c&#39;&gt;');
    expect(num(1 / 3)).toBe('0.33');
    expect(num(-0.001)).toBe('0');
    expect(num(12)).toBe('12');
  });

  it('picks 1-2-5 ticks covering the range', () => {
    expect(niceTicks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0, 37)).toEqual([0, 10, 20, 30, 40].filter((v) => v <= 37 + 1e-9));
    expect(niceTicks(0, 0.3)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceTicks(0, 0.12, 6)).toEqual([0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12]);
  });

  it('the well-formedness check itself catches broken documents', () => {
    expect(xmlProblems('<svg><g></svg>')).not.toEqual([]);
    expect(xmlProblems('<svg><text>a < b</text></svg>')).not.toEqual([]);
    expect(xmlProblems('<svg a="1" a="2"/>')).not.toEqual([]);
    expect(xmlProblems('<svg><text>R&D</text></svg>')).not.toEqual([]);
    expect(xmlProblems('<svg x="1"><g/><text>a &amp; b</text></svg>')).toEqual([]);
  });
});

describe('chunk occupancy map', () => {
  it('draws one cell per page of every chunk, allocated and hidden parts as their own marks', () => {
    const svg = occupancyMapSvg(view());
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    // 2 + 5 + 8 pages, one tooltip each
    expect(count(svg, '<title>page ')).toBe(15);
    expect(svg).toContain('reserved chunk');
    expect(svg).toContain('first chunk (list 3)');
    expect(svg).toContain('chunk 1 (list 3)');
    expect(svg).toContain('page 1: 2048 B allocated, populated');
    expect(svg).toContain('page 0: 8 B allocated, 100 B outside the region, populated');
    expect(svg).toContain('page 2: 0 B allocated, not populated');
    // allocated fill: full page = full cell height (13), half page = half
    expect(svg).toMatch(/height="13" fill="#1f4e79"/);
    expect(svg).toMatch(/height="6.5" fill="#1f4e79"/);
  });

  it('caps the chunks drawn and says how many it left out', () => {
    const v = view();
    const svg = occupancyMapSvg(v, { maxChunks: 2 });
    expect(count(svg, '<title>page ')).toBe(7);
    expect(svg).toContain('1 more chunks not drawn');
    expect(xmlProblems(svg)).toEqual([]);
  });

  it('wraps a chunk with more pages than columns onto several lines', () => {
    const v = view();
    v.chunks = [chunk(1, 'other', new Array<number>(300).fill(4096), new Array<number>(300).fill(1))];
    const svg = occupancyMapSvg(v, { maxColumns: 128 });
    expect(count(svg, '<title>page ')).toBe(300);
    // three lines of cells: the chart is taller than a one-line chunk's
    const oneLine = occupancyMapSvg({ ...v, chunks: [chunk(1, 'other', [4096], [1])] });
    const height = (s: string): number => Number(/height="(\d+(?:\.\d+)?)"/.exec(s)![1]);
    expect(height(svg) - height(oneLine)).toBe(2 * 16);
  });

  it('gives the same bytes for the same state', () => {
    expect(occupancyMapSvg(view())).toBe(occupancyMapSvg(view()));
  });
});

describe('latency histograms', () => {
  it('bins on a log scale, four bins per doubling', () => {
    expect(binOf(1)).toBe(0);
    expect(binOf(2)).toBe(4);
    expect(binOf(3)).toBe(6);
    expect(binOf(0.5)).toBe(-Infinity);
    expect(binStart(8)).toBe(4);
    const h = latencyHistogram('alloc', Float64Array.from([0, 100, 100, 110, 1000, 1e6]));
    expect(h.zero).toBe(1);
    expect(h.total).toBe(6);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(5);
    expect(h.firstBin).toBe(binOf(100));
    expect(h.counts[0]).toBe(2);
    expect(h.counts[binOf(1e6) - h.firstBin]).toBe(1);
    expect(h.maxNs).toBe(1e6);
  });

  it('draws one bar per non-empty bin, on a well-formed chart', () => {
    const h = latencyHistogram('free', Float64Array.from([100, 100, 110, 1000, 1e6]));
    const svg = latencyHistogramSvg(h);
    expect(xmlProblems(svg)).toEqual([]);
    expect(count(svg, ' calls</title></rect>')).toBe(h.counts.filter((c) => c > 0).length);
    expect(svg).toContain('free: latency per call (5 calls)');
    expect(latencyHistogramSvg(latencyHistogram('none', new Float64Array(0)))).toContain('no calls');
  });
});

describe('line charts, footprint and sweep plots', () => {
  it('draws one path per series, on a log₂ axis when x spans powers of two', () => {
    const series = ['bitmap', 'areamap'].map((name, k) => ({ name, points: [1, 4, 64, 1024, 4096].map((x) => ({ x, y: x * (k + 1) })) }));
    const svg = sweepPlotSvg({ title: 'footprint vs CPUs', dimension: 'cpus', metric: 'metadata KiB', series });
    expect(xmlProblems(svg)).toEqual([]);
    expect(count(svg, '<path ')).toBe(2);
    expect(count(svg, '<circle ')).toBe(10);
    // log₂ ticks label the powers of two
    for (const t of ['>1<', '>16<', '>256<', '>4096<']) expect(svg).toContain(t);
    expect(svg).toContain('bitmap');
    expect(svg).toContain('areamap');
  });

  it('places categorical x values in first-seen order', () => {
    const svg = lineChartSvg({
      title: 'by preset',
      xLabel: 'preset',
      yLabel: 'ms',
      series: [{ name: 'bitmap', points: [{ x: 'laptop', y: 1 }, { x: 'epyc-4n', y: 3 }, { x: 'big-1024', y: 2 }] }],
    });
    expect(xmlProblems(svg)).toEqual([]);
    const at = (label: string): number => svg.indexOf(`>${label}<`);
    expect(at('laptop')).toBeLessThan(at('epyc-4n'));
    expect(at('epyc-4n')).toBeLessThan(at('big-1024'));
  });

  it('stacks four footprint panels over modeled time with the phase ends marked', () => {
    const samples = [0, 1, 2, 3].map((i) => ({ ns: i * 1e6, metadata_bytes: 1000 * (i + 1), populated_pages: 10 * i, vmalloc_bytes: 2 ** 21 * i, chunks: i + 1 }));
    const svg = footprintSvg(samples, { pageSize: 4096, marks: [{ ns: 2e6, label: 'alloc' }, { ns: 3e6, label: 'free' }] });
    expect(xmlProblems(svg)).toEqual([]);
    expect(count(svg, '<path ')).toBe(4);
    expect(svg).toContain('metadata (KiB)');
    expect(svg).toContain('vmalloc space (MiB)');
    expect(svg).toContain('modeled time (ms)');
    expect(svg).toContain('>alloc<');
    expect(footprintSvg(samples, { pageSize: 4096 })).toBe(footprintSvg(samples, { pageSize: 4096 }));
  });

  it('turns sweep runs into one series per allocator, the worst run where other dimensions vary', () => {
    const run = (allocator: RunMetrics['allocator'], cpus: number, order: string, ms: number): RunMetrics =>
      ({ allocator, labels: { cpus, order }, phases: { alloc: { modeled_ms: ms } } }) as unknown as RunMetrics;
    const runs = [run('bitmap', 4, 'a', 1), run('bitmap', 4, 'b', 3), run('bitmap', 64, 'a', 5), run('areamap', 4, 'a', 2)];
    const series = sweepSeries(runs, 'cpus', (r) => r.phases.alloc!.modeled_ms);
    expect(series).toEqual([
      { name: 'bitmap', points: [{ x: 4, y: 3 }, { x: 64, y: 5 }] },
      { name: 'areamap', points: [{ x: 4, y: 2 }] },
    ]);
    expect(sweepSeries(runs, 'nodes', () => 1)).toEqual([]);
  });
});
