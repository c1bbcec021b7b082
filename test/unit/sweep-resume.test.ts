import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planSweep } from '../../src/sweep/plan.ts';
import { runSweep } from '../../src/sweep/run-sweep.ts';
import { sweepMetricsText } from '../../src/sweep/sweep-report.ts';

const root = mkdtempSync(join(tmpdir(), 'sweep-resume-'));
const scenario = join(root, 'tiny.json5');
writeFileSync(
  scenario,
  `{ machine: 'laptop', allocators: ['bitmap', 'areamap'],
    workload: [{phase: 'alloc', count: 600, size: 24}, {phase: 'free', order: 'reverse'}],
    sweep: {cpus: [1, 2, 4, 8, 16, 32, 64, 128], pageSize: [4096, 16384]} }`,
);
const pointsIn = (dir: string): string[] => (existsSync(join(dir, 'points')) ? readdirSync(join(dir, 'points')).filter((f) => f.endsWith('.json')).sort() : []);
/** each finished point file with its content and modification time */
const snapshot = (dir: string): Map<string, string> => new Map(pointsIn(dir).map((f) => [f, `${statSync(join(dir, 'points', f)).mtimeMs} ${readFileSync(join(dir, 'points', f), 'utf8')}`]));

describe('resuming a sweep', () => {
  it('after running one shard, the whole sweep runs only the other points and leaves finished ones alone', async () => {
    const dir = join(root, 'subset');
    const plan = planSweep(scenario);
    const first = await runSweep(plan, { dir, workers: 0, check: false, shard: { index: 1, count: 4 } });
    expect([first.ran, first.skipped]).toEqual([8, 0]);
    const before = snapshot(dir);
    const all = await runSweep(plan, { dir, workers: 0, check: false, shard: null });
    expect([all.ran, all.skipped]).toEqual([24, 8]);
    const after = snapshot(dir);
    for (const [f, v] of before) expect(after.get(f)).toBe(v);
    const again = await runSweep(plan, { dir, workers: 0, check: false, shard: null });
    expect([again.ran, again.skipped]).toEqual([0, 32]);
    expect(sweepMetricsText('t', again.runs, { wallClock: true })).toBe(sweepMetricsText('t', all.runs, { wallClock: true }));
  });

  it('after the process is killed mid-sweep, a rerun redoes none of the finished points', async () => {
    const dir = join(root, 'killed');
    const sim = resolve(import.meta.dirname, '../../sim.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', sim, 'sweep', scenario, '--out', dir, '--workers', '1'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    // wait until a few points are on disk, then kill without warning
    for (let i = 0; i < 1200 && pointsIn(dir).length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGKILL');
    await exited;
    const before = snapshot(dir);
    expect(before.size).toBeGreaterThanOrEqual(2);
    expect(before.size).toBeLessThan(32);
    const resumed = await runSweep(planSweep(scenario), { dir, workers: 0, check: false, shard: null });
    expect([resumed.ran, resumed.skipped]).toEqual([32 - before.size, before.size]);
    const after = snapshot(dir);
    for (const [f, v] of before) expect(after.get(f)).toBe(v);
    expect(after.size).toBe(32);
    // the resumed sweep's results are those of a sweep run in one go
    const fresh = await runSweep(planSweep(scenario), { dir: join(root, 'fresh'), workers: 0, check: false, shard: null });
    expect(sweepMetricsText('t', resumed.runs, { wallClock: false })).toBe(sweepMetricsText('t', fresh.runs, { wallClock: false }));
  });
});
