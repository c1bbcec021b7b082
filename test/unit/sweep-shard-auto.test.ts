/**
 * `--shard auto/N` and `--shard auto` take the shard index (and count, where the engine gives
 * it) from a job array engine's variable; a local job array (processes started with the
 * variable set, as each engine starts its tasks) merges into the unsplit sweep byte for byte.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseShard } from '../../src/sweep/shard.ts';
import { planSweep } from '../../src/sweep/plan.ts';
import { shardPoints } from '../../src/sweep/run-sweep.ts';

const root = mkdtempSync(join(tmpdir(), 'shard-auto-'));
const scenario = join(root, 'small.json5');
writeFileSync(
  scenario,
  `{ machine: 'laptop', allocators: ['areamap', 'bitmap'], matrix: {size: [8, 48]},
    workload: [{phase: 'alloc', count: 100, size: '$size'}, {phase: 'free', order: 'random'}],
    sweep: {cpus: [1, 16], pageSize: [4096, 65536]} }`,
);

describe('--shard auto', () => {
  it('takes the index from each engine\'s variable', () => {
    expect(parseShard('auto/4', { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 3, count: 4, source: 'JOB_COMPLETION_INDEX=3' });
    expect(parseShard('auto/4', { SLURM_ARRAY_TASK_ID: '12', SLURM_ARRAY_TASK_MIN: '10' })).toEqual({ index: 2, count: 4, source: 'SLURM_ARRAY_TASK_ID=12 - SLURM_ARRAY_TASK_MIN=10' });
    expect(parseShard('auto/4', { AWS_BATCH_JOB_ARRAY_INDEX: '0' })).toMatchObject({ index: 0, count: 4 });
    expect(parseShard('auto/4', { PBS_ARRAY_INDEX: '1' })).toMatchObject({ index: 1, count: 4 });
    // a Slurm array with a step: tasks 0, 2, 4 are shards 0, 1, 2
    expect(parseShard('auto/3', { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_STEP: '2' })).toMatchObject({ index: 2, count: 3 });
  });
  it('takes the count too where the engine gives it, and says /N is needed where it does not', () => {
    expect(parseShard('auto', { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '8' })).toEqual({
      index: 4,
      count: 8,
      source: 'SLURM_ARRAY_TASK_ID=5 - SLURM_ARRAY_TASK_MIN=1, SLURM_ARRAY_TASK_COUNT=8',
    });
    expect(parseShard('auto', { AWS_BATCH_JOB_ARRAY_INDEX: '2', AWS_BATCH_JOB_ARRAY_SIZE: '3' })).toMatchObject({ index: 2, count: 3 });
    expect(() => parseShard('auto', { JOB_COMPLETION_INDEX: '1' })).toThrow(
      '--shard auto: a Kubernetes Indexed Job gives the index (JOB_COMPLETION_INDEX=1) but not the count; use --shard auto/N with N the number of tasks',
    );
    expect(() => parseShard('auto', { PBS_ARRAY_INDEX: '1' })).toThrow(/PBS job array gives the index \(PBS_ARRAY_INDEX=1\) but not the count; use --shard auto\/N/);
  });
  it('a clear error with no variable set, an index out of range, or a variable that is not a number', () => {
    expect(() => parseShard('auto/4', {})).toThrow(
      '--shard auto/4: no job array index in the environment (looked for JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID, AWS_BATCH_JOB_ARRAY_INDEX, PBS_ARRAY_INDEX); run it as a job array task, or give --shard i/n',
    );
    expect(() => parseShard('auto/4', { JOB_COMPLETION_INDEX: '4' })).toThrow('--shard auto/4: the Kubernetes Indexed Job index 4 (JOB_COMPLETION_INDEX=4) is not below the count 4 (--shard auto/4)');
    expect(() => parseShard('auto', { AWS_BATCH_JOB_ARRAY_INDEX: '5', AWS_BATCH_JOB_ARRAY_SIZE: '5' })).toThrow(/index 5 .* is not below the count 5 \(AWS_BATCH_JOB_ARRAY_SIZE=5\)/);
    expect(() => parseShard('auto/4', { SLURM_ARRAY_TASK_ID: 'x' })).toThrow('--shard auto: SLURM_ARRAY_TASK_ID is "x", expected a non-negative integer');
    expect(() => parseShard('auto/0', { PBS_ARRAY_INDEX: '0' })).toThrow('--shard auto/0: expected n >= 1');
  });
  it('the shard a variable picks runs the points the balanced assignment gives it, every point in one shard', () => {
    const plan = planSweep(scenario);
    const byShard = ['JOB_COMPLETION_INDEX', 'PBS_ARRAY_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX'].map((v, i) => shardPoints(plan, parseShard('auto/3', { [v]: String(i) })).map((p) => p.index));
    expect(byShard.flat().sort((a, b) => a - b)).toEqual(plan.points.map((p) => p.index));
    expect(byShard.map((s) => s.length)).toEqual([6, 5, 5]);
    // the same scenario and n give the same slices
    expect(shardPoints(plan, { index: 1, count: 3 }).map((p) => p.index)).toEqual(byShard[1]);
  });
});

describe('a local job array', () => {
  const sim = (args: string[], env: Record<string, string>): Promise<{ stdout: string }> =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../sim.ts'), ...args], { env: { ...process.env, ...env }, cwd: join(import.meta.dirname, '../..') });

  it('three processes with SLURM_ARRAY_TASK_ID set, merged, give the unsplit sweep byte for byte', async () => {
    const tasks = [10, 11, 12].map((id) =>
      sim(['sweep', scenario, '--out', join(root, 'shared'), '--shard', 'auto', '--workers', '0'], { SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_COUNT: '3' }),
    );
    const outputs = await Promise.all(tasks);
    outputs.forEach((o, i) => expect(o.stdout).toMatch(new RegExp(`16 points, shard ${i}/3 \\(SLURM_ARRAY_TASK_ID=${10 + i} - SLURM_ARRAY_TASK_MIN=10, SLURM_ARRAY_TASK_COUNT=3\\): \\d+ of them`)));
    await sim(['merge', join(root, 'shared'), '--json', join(root, 'merged.json'), '--no-wall-clock'], {});
    await sim(['sweep', scenario, '--out', join(root, 'whole'), '--json', join(root, 'whole.json'), '--no-wall-clock', '--workers', '0'], {});
    expect(readFileSync(join(root, 'merged.json'), 'utf8')).toBe(readFileSync(join(root, 'whole.json'), 'utf8'));
  }, 60_000);
});
