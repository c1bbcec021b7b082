/**
 * Charts a reader can trust, checked on the rendered layout in headless Chromium: in every chart
 * of a run report (footprint over time, latency histograms, occupancy maps) and of a sweep
 * report (Vega-Lite charts), no two text boxes overlap, and every Vega axis has a title. Skipped
 * without Chromium, except under CI (html-report.test.ts says how to install it).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithOutputs } from '../../src/cli/run-outputs-command.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { executeRun } from '../../src/engine/execute.ts';
import { loadMachineSetup } from '../../src/engine/machines.ts';
import { planSweep } from '../../src/sweep/plan.ts';
import { writeSweepHtml } from '../../src/report/sweep-html.ts';

const CHROMIUM = '/usr/bin/chromium';
const FIXTURE = join(import.meta.dirname, 'fixtures', 'report-small.json5');
const inCi = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';

interface Overlap {
  chart: number;
  a: string;
  b: string;
}

interface Layout {
  charts: number;
  overlaps: Overlap[];
  untitledAxes: number;
  axes: number;
}

/**
 * Runs in the page (a script: the DOM types are not in this project's lib): every pair of
 * overlapping text boxes inside one chart, and axes with tick labels but no title.
 */
const LAYOUT_PROBLEMS = `(selector) => {
  const overlaps = [];
  const charts = [...document.querySelectorAll(selector)];
  let untitledAxes = 0;
  let axes = 0;
  charts.forEach((svg, chart) => {
    const boxes = [...svg.querySelectorAll('text')]
      .filter((t) => (t.textContent ?? '').trim() !== '')
      .map((t) => ({ t: t.textContent.trim(), r: t.getBoundingClientRect() }))
      .filter((b) => b.r.width > 0 && b.r.height > 0);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].r;
        const b = boxes[j].r;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        // a pixel of touching glyph boxes is not an overlap a reader sees
        if (w > 1 && h > 1) overlaps.push({ chart, a: boxes[i].t, b: boxes[j].t });
      }
    }
    // an axis with tick labels (grid-only axes have none) must have a title
    for (const axis of svg.querySelectorAll('g.role-axis')) {
      if (![...axis.querySelectorAll('g.role-axis-label text')].some((t) => (t.textContent ?? '').trim() !== '')) continue;
      axes++;
      const title = axis.querySelector('g.role-axis-title text');
      if (!title || (title.textContent ?? '').trim() === '') untitledAxes++;
    }
  });
  return { charts: charts.length, overlaps, untitledAxes, axes };
}`;

describe.skipIf(!existsSync(CHROMIUM) && !inCi)('chart layout in headless Chromium', () => {
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'percpu-layout-'));
    runWithOutputs(loadScenario(FIXTURE), { ftrace: null, stats: null, html: join(dir, 'run'), check: false }, () => {});
    const plan = planSweep(FIXTURE, ['cpus=2,8,32,128', 'pageSize=4K,64K']);
    const runs = plan.points.map((p) => ({ ...executeRun(p.spec, loadMachineSetup, { check: false }), labels: p.labels }));
    await writeSweepHtml(join(dir, 'sweep.html'), plan.name, '', plan.labelNames, runs);
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('no two labels overlap in any chart, and every axis of the sweep charts has a title', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const pages = [
        ...readdirSync(join(dir, 'run'))
          .filter((f) => f.endsWith('.html'))
          .map((f) => ({ file: join(dir, 'run', f), selector: 'div.chart > svg', minCharts: 8 })),
        { file: join(dir, 'sweep.html'), selector: 'figure.chart svg', minCharts: 6 },
      ];
      for (const p of pages) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        await page.goto(pathToFileURL(p.file).href, { waitUntil: 'load' });
        const r = (await page.evaluate(`(${LAYOUT_PROBLEMS})(${JSON.stringify(p.selector)})`)) as Layout;
        expect(r.charts, p.file).toBeGreaterThanOrEqual(p.minCharts);
        expect(r.overlaps, p.file).toEqual([]);
        expect(r.untitledAxes, p.file).toBe(0);
        if (p.file.endsWith('sweep.html')) expect(r.axes).toBeGreaterThanOrEqual(2 * r.charts);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  }, 120_000);
});
