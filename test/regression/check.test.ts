/**
 * `sim check` itself: which metric moves fail and which pass, what the diff table says, what
 * --update writes, and how bad golden files are reported (file and place, exit status 2).
 * Runs a tiny scenario (test/regression/fixtures/tiny.json5) in the main thread.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkScenario } from '../../src/check/check-scenario.ts';
import { compareRuns } from '../../src/check/compare.ts';
import { metricLeaves } from '../../src/check/metric-leaves.ts';
import type { Tolerance } from '../../src/check/tolerances.ts';
import { CLASS_DEFAULTS, classOf, matchesPattern, parseToleranceOption, TOLERANCE_RULES, ToleranceSet } from '../../src/check/tolerances.ts';
import { main } from '../../src/cli/main.ts';
import type { MetricsFile, RunMetrics } from '../../src/engine/metrics.ts';

const SCENARIO = 'test/regression/fixtures/tiny.json5';
let dir: string;
let golden: string;
let goldenJson: MetricsFile;

/** runs the CLI in this process; returns its exit status and what it printed */
async function sim(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  try {
    const status = await main(argv);
    return { status, stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** a copy of the golden with `edit` applied, written to DIR/name */
function variant(name: string, edit: (g: MetricsFile) => void): string {
  const g = JSON.parse(JSON.stringify(goldenJson)) as MetricsFile;
  edit(g);
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(g, null, 1) + '\n');
  return file;
}

const run = (g: MetricsFile, allocator: string, size: number): RunMetrics => g.runs.find((r) => r.allocator === allocator && r.labels.size === size)!;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sim-check-'));
  golden = join(dir, 'tiny.json');
  const r = await sim('check', SCENARIO, '--golden', golden, '--update', '--workers', '0');
  expect(r.status).toBe(0);
  goldenJson = JSON.parse(readFileSync(golden, 'utf8')) as MetricsFile;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tolerance rules', () => {
  it('give every metric of a run a class: times are modeled, wall-clock is ignored, the rest exact', () => {
    const r = goldenJson.runs[0]!;
    const classes = new Map(metricLeaves(r).map((l) => [l.path.join('.'), classOf(l.path)]));
    expect(classes.get('phases.alloc.modeled_ms')).toBe('modeled');
    expect(classes.get('phases.free.latency_ns.p99')).toBe('modeled');
    expect(classes.get('balance.modeled_ms')).toBe('modeled');
    expect(classes.get('phases.alloc.wall_ms')).toBe('wall');
    expect(classes.get('phases.alloc.ops')).toBe('count');
    expect(classes.get('counters.bitmapWordsScanned')).toBe('count');
    expect(classes.get('footprint.populated_pages')).toBe('count');
    expect(classes.get('balance.runs')).toBe('count');
    expect(classes.get('machine')).toBe('setup');
    expect(classes.has('allocator')).toBe(false);
    expect(classes.has('labels.size')).toBe(false);
  });

  it('are the table the README prints', () => {
    const readme = readFileSync('README.md', 'utf8');
    const start = readme.indexOf('## Regression checks');
    const end = readme.indexOf('\n## ', start + 1);
    const section = readme.slice(start, end < 0 ? undefined : end);
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    const shown = (t: Tolerance): string => (t.kind === 'exact' ? 'exact' : t.kind === 'ignore' ? 'ignored' : `relative ${t.within}`);
    for (const rule of TOLERANCE_RULES) {
      const row = rows.find((l) => l.split('|')[1]!.split(',').some((c) => c.trim() === `\`${rule.pattern}\``));
      expect(row, `README row for ${rule.pattern}`).toBeDefined();
      expect(row!.split('|').map((c) => c.trim()).slice(2, 4)).toEqual([`\`${rule.class}\``, shown(CLASS_DEFAULTS[rule.class])]);
    }
  });

  it('match patterns segment by segment: * is one segment, ** any number', () => {
    expect(matchesPattern('phases.*.ops', ['phases', 'alloc', 'ops'])).toBe(true);
    expect(matchesPattern('phases.*.ops', ['phases', 'alloc', 'x', 'ops'])).toBe(false);
    expect(matchesPattern('phases.**', ['phases', 'alloc', 'latency_ns', 'p50'])).toBe(true);
    expect(matchesPattern('counters.*', ['counters'])).toBe(false);
  });

  it('parse --tolerance as a relative number, a percentage, exact or ignore, and reject the rest', () => {
    expect(parseToleranceOption('modeled=0.02').tolerance).toEqual({ kind: 'relative', within: 0.02 });
    expect(parseToleranceOption('modeled=2%').tolerance).toEqual({ kind: 'relative', within: 0.02 });
    expect(parseToleranceOption('counters.*=exact').tolerance).toEqual({ kind: 'exact' });
    expect(parseToleranceOption('modeled=0').tolerance).toEqual({ kind: 'exact' });
    expect(() => parseToleranceOption('modeled=-1')).toThrow(/--tolerance: modeled: expected a relative tolerance/);
    expect(() => parseToleranceOption('modeled')).toThrow(/expected NAME=VALUE/);
    expect(() => parseToleranceOption('bad name=1')).toThrow(/expected a tolerance class .* or a metric path pattern/);
  });
});

describe('comparison', () => {
  const moved = (edit: (g: MetricsFile) => void, overrides: string[] = []) => {
    const g = JSON.parse(JSON.stringify(goldenJson)) as MetricsFile;
    edit(g);
    return compareRuns(g.runs, goldenJson.runs, new ToleranceSet(overrides.map(parseToleranceOption)));
  };

  it('passes a run identical to its golden', () => {
    const cmp = moved(() => {});
    expect(cmp.failed).toBe(0);
    expect(cmp.changes).toEqual([]);
    expect(cmp.compared).toBeGreaterThan(100);
  });

  it('fails a count that moved by one', () => {
    const cmp = moved((g) => void (run(g, 'bitmap', 8).counters.bitmapWordsScanned += 1));
    expect(cmp.failed).toBe(1);
    expect(cmp.changes[0]).toMatchObject({ run: 'bitmap size=8', metric: 'counters.bitmapWordsScanned', pass: false });
  });

  it('passes a modeled time within its tolerance and fails one beyond it', () => {
    const scale = (f: number) => (g: MetricsFile) => void (run(g, 'areamap', 256).phases.alloc!.modeled_ms *= f);
    expect(moved(scale(1 + 1e-12)).failed).toBe(0);
    expect(moved(scale(1 + 1e-12)).changes).toHaveLength(1);
    expect(moved(scale(1 + 1e-6)).failed).toBe(1);
    expect(moved(scale(1.01), ['modeled=0.02']).failed).toBe(0);
    expect(moved(scale(1.03), ['modeled=0.02']).failed).toBe(1);
  });

  it('ignores wall-clock time', () => {
    expect(moved((g) => void (run(g, 'bitmap', 256).phases.free!.wall_ms = 12345)).changes).toEqual([]);
  });

  it('fails a metric that is new or gone', () => {
    const gone = moved((g) => void delete (run(g, 'areamap', 8).counters as unknown as Record<string, number>).tlbFlushes);
    expect(gone.changes[0]).toMatchObject({ metric: 'counters.tlbFlushes', golden: undefined, pass: false });
    const added = moved((g) => void ((run(g, 'areamap', 8).counters as unknown as Record<string, number>).newCounter = 1));
    expect(added.changes[0]).toMatchObject({ metric: 'counters.newCounter', now: undefined, pass: false });
  });
});

describe('sim check', () => {
  it('exits 0 and says so when nothing moved', async () => {
    const r = await sim('check', SCENARIO, '--golden', golden, '--workers', '0');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/ok: \d+ metrics in 4 runs: 0 moved beyond tolerance/);
  });

  it('exits 1 with a table naming the run, the metric, both values, the change and the allowance', async () => {
    const file = variant('moved.json', (g) => {
      run(g, 'bitmap', 256).footprint.populated_pages += 2;
      run(g, 'areamap', 8).phases.free!.modeled_ms *= 1.05;
    });
    const r = await sim('check', SCENARIO, '--golden', file, '--workers', '0');
    expect(r.status).toBe(1);
    const rows = r.stdout.split('\n');
    expect(rows.find((l) => l.includes('footprint.populated_pages'))).toMatch(/^bitmap size=256\s+footprint\.populated_pages\s+\d+\s+\d+\s+-\d+\.\d\d%\s+exact\s+MOVED$/);
    expect(rows.find((l) => l.includes('phases.free.modeled_ms'))).toMatch(/^areamap size=8\s+phases\.free\.modeled_ms\s+[\d.]+\s+[\d.]+\s+-4\.76%\s+±1e-7%\s+MOVED$/);
    expect(rows.some((l) => /^run\s+metric\s+golden\s+now\s+change\s+allowed/.test(l))).toBe(true);
    expect(r.stdout).toMatch(/FAILED: \d+ metrics in 4 runs: 2 moved beyond tolerance/);
    // the same change is within an overridden tolerance for time, not for pages
    const loose = await sim('check', SCENARIO, '--golden', file, '--workers', '0', '--tolerance', 'modeled=10%');
    expect(loose.status).toBe(1);
    expect(loose.stdout).toMatch(/1 moved beyond tolerance, 1 moved within it/);
  });

  it('takes per-scenario overrides from the golden file and lets the command line win', async () => {
    const file = variant('tolerant.json', (g) => {
      (g as MetricsFile & { tolerances: Record<string, unknown> }).tolerances = { modeled: '10%' };
      run(g, 'areamap', 8).phases.free!.modeled_ms *= 1.05;
    });
    expect((await sim('check', SCENARIO, '--golden', file, '--workers', '0')).status).toBe(0);
    expect((await sim('check', SCENARIO, '--golden', file, '--workers', '0', '--tolerance', 'modeled=1%')).status).toBe(1);
  });

  it('--update writes the golden whole, says so, keeps its overrides, and shows what it changed', async () => {
    const file = variant('stale.json', (g) => {
      (g as MetricsFile & { tolerances: Record<string, unknown> }).tolerances = { 'counters.*': 'exact' };
      run(g, 'areamap', 256).counters.listMoves += 3;
    });
    const r = await sim('check', SCENARIO, '--golden', file, '--update', '--workers', '0');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`golden ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} updated on purpose \\(--update\\): 4 runs`));
    expect(r.stdout).toMatch(/areamap size=256\s+counters\.listMoves/);
    const written = JSON.parse(readFileSync(file, 'utf8')) as MetricsFile & { tolerances: unknown };
    expect(written.tolerances).toEqual({ 'counters.*': 'exact' });
    expect(written.runs).toEqual(goldenJson.runs);
    expect(written.runs.every((x) => Object.values(x.phases).every((p) => p.wall_ms === 0))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('--update creates a missing golden (and its directory)', async () => {
    const file = join(dir, 'new', 'deeper', 'tiny.json');
    const outcome = await checkScenario(SCENARIO, { golden: file, update: true, workers: 0, tolerances: [], maxRows: null });
    expect(outcome.text).toMatch(/written on purpose/);
    expect(existsSync(file)).toBe(true);
  });
});

describe('bad input (exit 2, file and place named)', () => {
  const fails = async (file: string, pattern: RegExp, ...extra: string[]): Promise<void> => {
    const r = await sim('check', SCENARIO, '--golden', file, '--workers', '0', ...extra);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(2);
  };
  const write = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('a missing golden, telling the user to run with --update', async () => {
    const file = join(dir, 'absent.json');
    await fails(file, new RegExp(`${file}: no such golden file; run \`sim check ${SCENARIO} --golden ${file} --update\``));
  });

  it('a syntax error, with line and column', async () => {
    const text = JSON.stringify(goldenJson, null, 1).replace('"ops": 300', '"ops": 300,,');
    const line = text.split('\n').findIndex((l) => l.includes('300,,')) + 1;
    await fails(write('syntax.json', text), new RegExp(`syntax\\.json:${line}:\\d+: syntax error`));
  });

  it('an empty file, a binary file and a directory', async () => {
    await fails(write('empty.json', ''), /empty\.json: empty file/);
    await fails(write('binary.json', '\u0000\u0001\u0002'), /binary\.json: binary data/);
    await fails(dir, /is a directory, not a file/);
  });

  it('a wrong schema: the field, its place and the value received', async () => {
    const text = JSON.stringify(goldenJson, null, 1).replace(/"tlbFlushes": \d+/, '"tlbFlushes": "none"');
    const line = text.split('\n').findIndex((l) => l.includes('"none"')) + 1;
    await fails(write('schema.json', text), new RegExp(`schema\\.json:${line}:\\d+: runs\\[0\\]\\.counters\\.tlbFlushes: .*received "none"`));
    await fails(variant('version.json', (g) => void ((g as { schema: string }).schema = 'percpu-sim/metrics/0')), /version\.json:2:\d+: schema: .*received "percpu-sim\/metrics\/0"/);
    await fails(write('array.json', '[1, 2]'), /array\.json:1:1: \(top level\)/);
  });

  it('a golden of another run set: the runs on each side, with the golden place', async () => {
    const file = variant('runs.json', (g) => {
      run(g, 'bitmap', 256).labels.size = 512;
    });
    await fails(file, /runs\.json: holds other runs than .*tiny\.json5 makes .*not made by the scenario: bitmap size=512 \(.*runs\.json:\d+:\d+\).*not in the golden: bitmap size=256.*--update/);
    await fails(variant('fewer.json', (g) => void g.runs.pop()), /fewer\.json: holds other runs .*\(golden 3, scenario 4\).*not in the golden: bitmap size=256/);
    await fails(variant('dup.json', (g) => void g.runs.push(g.runs[0]!)), /dup\.json:\d+:\d+: runs\[4\]: the same run as runs\[0\] \(areamap size=8\)/);
  });

  it('a golden of another scenario', async () => {
    await fails(variant('other.json', (g) => void (g.scenario = 'bpf-1m')), /other\.json:3:\d+: scenario: this golden is for "bpf-1m", not "tiny"/);
  });

  it('a bad tolerance, on the command line or in the golden', async () => {
    await fails(golden, /--tolerance: modeled: expected a relative tolerance/, '--tolerance', 'modeled=lots');
    await fails(golden, /--tolerance: counter\.bytes: matches no metric/, '--tolerance', 'counter.bytes=1%');
    const file = variant('badtol.json', (g) => void ((g as MetricsFile & { tolerances: unknown }).tolerances = { modeled: -3 }));
    const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('"modeled": -3')) + 1;
    await fails(file, new RegExp(`badtol\\.json:${line}:\\d+: tolerances: modeled: expected a relative tolerance`));
  });

  it('a missing --golden option and a bad scenario', async () => {
    const noGolden = await sim('check', SCENARIO, '--workers', '0');
    expect(noGolden.status).toBe(2);
    expect(noGolden.stderr).toMatch(/check: --golden FILE is required/);
    const r = await sim('check', join(dir, 'nope.json5'), '--golden', golden);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nope\.json5: no such file/);
  });
});
