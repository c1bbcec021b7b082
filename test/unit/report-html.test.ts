/**
 * A run watched from inside: the event log is the run's tracepoints in ftrace text that the
 * parser reads back, percpu_stats comes at the end of every phase, and the HTML page is
 * self-contained, well formed and the same bytes on every run.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeRun } from '../../src/engine/execute.ts';
import { loadMachineSetup } from '../../src/engine/machines.ts';
import type { RunMetrics } from '../../src/engine/metrics.ts';
import type { RunSpec } from '../../src/scenario/load.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { runReportHtml } from '../../src/report/html-report.ts';
import type { PhaseCapture, RunCaptureData } from '../../src/report/run-capture.ts';
import { RunCapture } from '../../src/report/run-capture.ts';
import { TraceFileWriter, fileStems, outputFile, runName } from '../../src/report/run-outputs.ts';
import { parseFtrace } from '../../src/trace/ftrace-parse.ts';
import { xmlProblems } from './report-xml.ts';

const FIXTURE = join(import.meta.dirname, '..', 'e2e', 'fixtures', 'report-small.json5');

interface Watched {
  metrics: RunMetrics;
  data: RunCaptureData;
  lines: string[];
  phases: PhaseCapture[];
}

function watch(spec: RunSpec, keep: boolean): Watched {
  const lines: string[] = [];
  const phases: PhaseCapture[] = [];
  let capture: RunCapture | null = null;
  const metrics = executeRun(spec, loadMachineSetup, {
    check: false,
    observe: (allocator, platform, machine) => {
      capture = new RunCapture(allocator, platform, { ftrace: (l) => lines.push(l), keep, onPhase: (p) => phases.push(p) }, {
        nrCpus: machine.topology.nrCpus,
        cpu: spec.cpu,
        pageSize: machine.topology.pageSize,
      });
      return capture.hooks();
    },
  });
  return { metrics, data: (capture as RunCapture | null)!.data, lines, phases };
}

describe('run capture and HTML report', () => {
  const loaded = loadScenario(FIXTURE);
  const bitmapSpec = loaded.runs.find((r) => r.allocator === 'bitmap')!;
  const areamapSpec = loaded.runs.find((r) => r.allocator === 'areamap')!;
  let w: Watched;
  let html: string;

  beforeAll(() => {
    w = watch(bitmapSpec, true);
    html = runReportHtml({ scenario: loaded.name, description: loaded.scenario.description, runName: runName('bitmap', bitmapSpec.labels), metrics: w.metrics, capture: w.data });
  });

  it("places each phase's end on the charts' time axis where its caller and kworker time add up to", () => {
    const phases = Object.entries(w.metrics.phases);
    let sum = 0;
    for (const [name, p] of phases) {
      sum += p.modeled_ms + p.balance_ms;
      const end = w.data.phases.find((c) => c.name === name)!.endNs / 1e6;
      // the clock also holds the set-up before the first phase: the same offset for every phase
      const setUp = end - sum;
      expect(setUp).toBeGreaterThanOrEqual(-1e-9);
      expect(setUp).toBeCloseTo(w.data.phases[0]!.endNs / 1e6 - (phases[0]![1].modeled_ms + phases[0]![1].balance_ms), 6);
    }
    expect(html).toContain('<th>kworker ms</th>');
    expect(html).toContain('<th>ends at (ms)</th>');
  });

  it('writes every tracepoint of the run as ftrace text the parser reads back', () => {
    const records = parseFtrace('capture', w.lines.join('\n'));
    expect(records.length).toBe(w.lines.length);
    expect(w.data.traceLines).toBe(w.lines.length);
    const count = (name: string): number => records.filter((r) => r.event.name === name).length;
    const p = w.metrics.phases;
    expect(count('percpu_alloc_percpu')).toBe(p.small!.ops - p.small!.failed + p.large!.ops - p.large!.failed);
    expect(count('percpu_free_percpu')).toBe(p.free!.ops);
    expect(count('percpu_create_chunk')).toBe(w.metrics.counters.chunksCreated);
    expect(count('percpu_destroy_chunk')).toBe(w.metrics.counters.chunksDestroyed);
    // every free names a live allocation's address
    const live = new Set<string>();
    for (const r of records) {
      if (r.event.name === 'percpu_alloc_percpu') live.add(r.event.ptr);
      if (r.event.name === 'percpu_free_percpu') {
        expect(live.delete(r.event.ptr)).toBe(true);
      }
    }
    expect(live.size).toBe(0);
    // the modeled clock never runs backwards; balance work shows as a kworker on the calling CPU
    for (let i = 1; i < records.length; i++) expect(records[i]!.ctx.seconds).toBeGreaterThanOrEqual(records[i - 1]!.ctx.seconds);
    const chunkEvents = records.filter((r) => r.event.name === 'percpu_destroy_chunk');
    expect(chunkEvents.length).toBeGreaterThan(0);
    for (const r of chunkEvents) expect(r.ctx.task).toBe('kworker/0:1');
    expect(records.every((r) => r.ctx.cpu === 0)).toBe(true);
  });

  it('hands over percpu_stats and the meminfo line at the end of every phase', () => {
    expect(w.phases.map((p) => p.name)).toEqual(['small', 'large', 'free', 'balance']);
    for (const p of w.phases) {
      expect(p.statsText).toMatch(/^Percpu Memory Statistics\n/);
      expect(p.meminfo).toMatch(/^Percpu: {9} *\d+ kB\n$/);
    }
    expect(w.phases[1]!.statsText).toMatch(/ {2}nr_cur_alloc {8}: {9}3040\n/);
    expect(w.phases[3]!.statsText).toMatch(/ {2}nr_cur_alloc {8}: {12}0\n/);
    expect(w.phases.map((p) => p.histogram.total)).toEqual([3000, 40, 3040, 0]);
  });

  it('leaves the v4.13 meminfo line out, as that kernel has none', () => {
    const a = watch(areamapSpec, false);
    expect(a.phases.every((p) => p.meminfo === null && p.statsText !== null)).toBe(true);
    expect(a.phases[0]!.statsText).toContain('  free_size               :');
  });

  it('samples the footprint over modeled time, in order, within the cap', () => {
    const s = w.data.samples;
    expect(s.length).toBeGreaterThan(20);
    expect(s.length).toBeLessThan(512);
    for (let i = 1; i < s.length; i++) expect(s[i]!.ns).toBeGreaterThanOrEqual(s[i - 1]!.ns);
    expect(Math.max(...s.map((x) => x.chunks))).toBe(w.metrics.footprint.chunks);
  });

  it('makes a self-contained page: no scripts, no external resources', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<iframe|<img|@import|url\(/i);
    expect(html).not.toMatch(/\s(src|href)=/i);
    const urls = html.match(/https?:\/\/[^\s"'<>)]+/g) ?? [];
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
  });

  it('inlines well-formed charts: the footprint, a histogram per phase with calls, an occupancy map per phase', () => {
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs.length).toBe(1 + 3 + 4);
    for (const svg of svgs) expect(xmlProblems(svg)).toEqual([]);
    expect(html).toContain('Footprint over modeled time');
    expect(html).toContain('Chunk occupancy after balance');
    expect(html).toContain('/sys/kernel/debug/percpu_stats');
    expect(html).toContain('Percpu Memory Statistics');
    expect(html).toContain('# grep Percpu /proc/meminfo');
  });

  it('is the same bytes for the same run', () => {
    const again = watch(bitmapSpec, true);
    const html2 = runReportHtml({ scenario: loaded.name, description: loaded.scenario.description, runName: runName('bitmap', bitmapSpec.labels), metrics: again.metrics, capture: again.data });
    expect(html2).toBe(html);
    expect(again.lines).toEqual(w.lines);
  });
});

describe('output files', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'percpu-outputs-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names runs by allocator and matrix point, unique and file-safe', () => {
    expect(runName('bitmap', { size: 4, order: 'inorder' })).toBe('bitmap size=4 order=inorder');
    expect(fileStems(['bitmap size=4', 'bitmap size=4', 'a/b c'])).toEqual(['bitmap_size=4', 'bitmap_size=4-2', 'a-b_c']);
  });

  it('writes to the path itself for one run, into a directory for several', () => {
    expect(outputFile(join(dir, 'one.html'), 1, 'bitmap', '.html')).toBe(join(dir, 'one.html'));
    expect(outputFile(join(dir, 'many'), 3, 'bitmap', '.html')).toBe(join(dir, 'many', 'bitmap.html'));
    expect(existsSync(join(dir, 'many'))).toBe(true);
    expect(outputFile(join(dir, 'many'), 1, 'bitmap', '.html')).toBe(join(dir, 'many', 'bitmap.html'));
    expect(outputFile(join(dir, 'slash') + '/', 1, 'x', '.trace')).toBe(join(dir, 'slash', 'x.trace'));
  });

  it('streams an event log and puts the `cat trace` header with the event count in front', () => {
    const file = join(dir, 'log.trace');
    const t = new TraceFileWriter(file, 'v6.12', 4);
    for (let i = 0; i < 5000; i++) t.line(`line ${i}`);
    expect(existsSync(file)).toBe(false);
    t.close();
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('# tracer: nop\n#\n# entries-in-buffer/entries-written: 5000/5000   #P:4\n')).toBe(true);
    expect(text.endsWith('line 4999\n')).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith('log.trace.'))).toEqual([]);
  });
});
