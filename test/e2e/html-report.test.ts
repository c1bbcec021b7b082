/**
 * The HTML report renders in a real browser: headless Chromium (Debian's /usr/bin/chromium,
 * driven by playwright-core) loads each run's page with no console error, no page error and
 * no request beyond the file itself, draws every chart with a size, and leaves a screenshot
 * under the temp directory (percpu-report-bitmap.png). Never silently skipped: with CI set it
 * fails when Chromium is missing (.ci/run installs it); without CI the skip says why and how to
 * install it.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithOutputs } from '../../src/cli/run-outputs-command.ts';
import { loadScenario } from '../../src/scenario/load.ts';

const CHROMIUM = '/usr/bin/chromium';
const FIXTURE = join(import.meta.dirname, 'fixtures', 'report-small.json5');

const haveChromium = existsSync(CHROMIUM);
const inCi = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';
const HOW_TO_INSTALL = `${CHROMIUM} not found; on Debian or Ubuntu: apt-get install -y chromium`;

if (!haveChromium && !inCi) {
  console.warn(`test/e2e/html-report.test.ts: SKIPPED, the HTML report is not rendered: ${HOW_TO_INSTALL}`);
}

describe('Chromium for the HTML report test', () => {
  it.runIf(inCi)('is installed where CI runs (.ci/run installs it)', () => {
    expect(haveChromium, `CI is set but ${HOW_TO_INSTALL}`).toBe(true);
  });
});

describe.skipIf(!haveChromium)('HTML report in headless Chromium', () => {
  let dir = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'percpu-report-'));
    runWithOutputs(loadScenario(FIXTURE), { ftrace: null, stats: null, html: join(dir, 'html'), check: false }, () => {});
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('renders every run without errors, every chart drawn, and takes a screenshot', async () => {
    const { chromium } = await import('playwright-core');
    const profile = mkdtempSync(join(tmpdir(), 'percpu-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1200, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const pages = readdirSync(join(dir, 'html')).filter((f) => f.endsWith('.html')).sort();
      expect(pages).toEqual(['areamap.html', 'bitmap-v4.14.html', 'bitmap.html']);
      for (const file of pages) {
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('console', (msg) => {
          if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
        });
        page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
        page.on('request', (r) => {
          if (!r.url().startsWith('file:')) problems.push(`external request: ${r.url()}`);
        });
        const url = pathToFileURL(join(dir, 'html', file)).href;
        const response = await page.goto(url, { waitUntil: 'load' });
        expect(response?.ok() ?? true).toBe(true);
        // footprint + one histogram per phase with calls + one occupancy map per phase
        const charts = page.locator('div.chart > svg');
        const n = await charts.count();
        expect(n, file).toBeGreaterThanOrEqual(1 + 3 + 4);
        for (let i = 0; i < n; i++) {
          const box = await charts.nth(i).boundingBox();
          expect(box, `${file} chart ${i}`).not.toBeNull();
          expect(box!.width).toBeGreaterThan(100);
          expect(box!.height).toBeGreaterThan(40);
        }
        expect(await page.locator('rect').count()).toBeGreaterThan(100);
        expect(await page.title()).toContain('report-small');
        if (file === 'bitmap.html') {
          const shot = join(tmpdir(), 'percpu-report-bitmap.png');
          await page.screenshot({ path: shot, fullPage: true });
          expect(existsSync(shot)).toBe(true);
        }
        expect(problems, file).toEqual([]);
        await page.close();
      }
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
