/**
 * Exact repeatability: the same scenario and seed give byte-identical metrics (wall-clock
 * fields aside) run after run, in the main thread or on worker threads, whole or in shards.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

const dir = mkdtempSync(join(tmpdir(), 'determinism-'));
const scenario = join(dir, 'repeat.json5');
// every source of variation the engine has: three allocators, a matrix, a seeded random free
// order, atomic and reserved requests, kworker-delayed balance work, illegal requests
writeFileSync(
  scenario,
  `// determinism test scenario
  {
    description: 'small mixed workload for the determinism test',
    machine: 'laptop',
    allocators: ['areamap', 'bitmap-v4.14', 'bitmap'],
    seed: 'repeat-me',
    balance: {kworkerDelayUs: 20},
    matrix: {size: [12, 200]},
    workload: [
      {phase: 'alloc', count: 600, size: '$size', align: 8},
      {phase: 'alloc', name: 'atomic', count: 200, size: 64, gfp: 'atomic'},
      {phase: 'alloc', name: 'reserved', count: 40, size: 100, reserved: true},
      {phase: 'alloc', name: 'illegal', count: 3, size: 40000},
      {phase: 'free', order: 'random'},
      {phase: 'balance'},
      {phase: 'alloc', name: 'again', count: 150, size: 4096, align: 4096},
      {phase: 'free', name: 'some', order: 'alternating'},
      {phase: 'alloc', name: 'refill', count: 300, size: 24},
      {phase: 'free', name: 'last', order: 'reverse'},
    ],
  }`,
);

/** the metrics text with every wall-clock value written as 0, all other bytes untouched */
const withoutWallClock = (text: string): string => text.replace(/"wall_ms": -?[0-9.e+-]+/g, '"wall_ms": 0');

let stdout = '';
beforeEach(() => {
  stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

async function run(name: string, ...extra: string[]): Promise<{ metrics: string; report: string }> {
  const json = join(dir, `${name}.json`);
  stdout = '';
  const status = await main(['run', scenario, '--json', json, ...extra]);
  expect(status, stdout).toBe(0);
  return { metrics: readFileSync(json, 'utf8'), report: stdout.replace(/^metrics written to .*$/m, '') };
}

describe('determinism', () => {
  it('gives byte-identical metrics and reports across runs and worker counts', async () => {
    const a = await run('w0-a', '--workers', '0');
    const b = await run('w0-b', '--workers', '0');
    const c = await run('w2', '--workers', '2');
    const parsed = JSON.parse(a.metrics) as { runs: { phases: Record<string, { ops: number; failed: number; modeled_ms: number }> }[] };
    // the workload did what it says, so the comparison is not between empty files
    expect(parsed.runs).toHaveLength(6);
    for (const r of parsed.runs) {
      expect(r.phases.alloc!.ops).toBe(600);
      expect(r.phases.illegal!.failed).toBe(3);
      expect(r.phases.free!.modeled_ms).toBeGreaterThan(0);
    }
    expect(a.metrics).toMatch(/"wall_ms"/);
    expect(withoutWallClock(b.metrics)).toBe(withoutWallClock(a.metrics));
    expect(withoutWallClock(c.metrics)).toBe(withoutWallClock(a.metrics));
    expect(b.report).toBe(a.report);
    expect(c.report).toBe(a.report);
  });

  it('a different seed changes the random free order and so the metrics', async () => {
    const base = await run('seed-a', '--workers', '0');
    const other = join(dir, 'other-seed.json5');
    writeFileSync(other, readFileSync(scenario, 'utf8').replace("seed: 'repeat-me'", "seed: 'another'"));
    const json = join(dir, 'seed-b.json');
    expect(await main(['run', other, '--json', json, '--workers', '0'])).toBe(0);
    const strip = (t: string): string => withoutWallClock(t).replace(/"scenario": "[^"]*"/, '');
    expect(strip(readFileSync(json, 'utf8'))).not.toBe(strip(base.metrics));
  });

  it('gives the same points in a sweep split into shards, on worker threads or not, as in one sweep', async () => {
    const whole = join(dir, 'sweep-whole.json');
    expect(await main(['sweep', scenario, '--out', join(dir, 'sw-whole'), '--grid', 'cpus=2,8', '--grid', 'allocator=bitmap', '--workers', '0', '--json', whole, '--no-wall-clock'])).toBe(0);
    // one shard on worker threads, the other in this thread
    for (const i of [0, 1]) {
      expect(await main(['sweep', scenario, '--out', join(dir, `sw-${i}`), '--grid', 'cpus=2,8', '--grid', 'allocator=bitmap', '--shard', `${i}/2`, '--workers', i === 0 ? '2' : '0'])).toBe(0);
    }
    const merged = join(dir, 'sweep-merged.json');
    expect(await main(['merge', join(dir, 'sw-1'), join(dir, 'sw-0'), '--json', merged, '--no-wall-clock'])).toBe(0);
    expect(readFileSync(merged, 'utf8')).toBe(readFileSync(whole, 'utf8'));
    expect(JSON.parse(readFileSync(whole, 'utf8')).runs).toHaveLength(4);
  });
});
