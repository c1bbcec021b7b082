import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planSweep } from '../../src/sweep/plan.ts';
import { runSweep } from '../../src/sweep/run-sweep.ts';
import { mergeDirs } from '../../src/sweep/merge.ts';
import { sweepMetricsText } from '../../src/sweep/sweep-report.ts';
import { mergeCommand } from '../../src/cli/merge-command.ts';
import { sweepCommand } from '../../src/cli/sweep-command.ts';

const root = mkdtempSync(join(tmpdir(), 'sweep-merge-'));
const scenario = join(root, 'tiny.json5');
writeFileSync(
  scenario,
  `// a tiny sweep for tests
  { machine: 'laptop', allocators: ['areamap', 'bitmap'], matrix: {size: [8, 48]},
    workload: [{phase: 'alloc', count: 200, size: '$size', align: 8}, {phase: 'free', order: 'random'}],
    sweep: {cpus: [1, 4, 32], nodes: [1, 2], pageSize: [4096, 65536]} }`,
);
const dir = (name: string): string => join(root, name);
const text = (f: string): string => readFileSync(f, 'utf8');

describe('sweep shards and merge', () => {
  it('merging the shards gives the unsplit sweep byte for byte (wall clock written as 0)', async () => {
    const plan = planSweep(scenario);
    expect(plan.points).toHaveLength(48);
    const whole = await runSweep(plan, { dir: dir('whole'), workers: 0, check: false, shard: null });
    const unsplit = sweepMetricsText(plan.name, whole.runs, { wallClock: false });
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const part = await runSweep(plan, { dir: dir(`shard${i}`), workers: 0, check: false, shard: { index: i, count: 3 } });
      seen.push(...part.points.map((p) => p.index));
      // balanced by estimated cost: each shard gets a mix of allocators and CPU counts
      expect(new Set(part.points.map((p) => p.spec.allocator)).size).toBe(2);
      expect(new Set(part.points.map((p) => p.labels.cpus)).size).toBe(3);
      expect(readdirSync(join(dir(`shard${i}`), 'points'))).toHaveLength(part.points.length);
    }
    expect(seen.sort((a, b) => a - b)).toEqual(plan.points.map((p) => p.index));
    const merged = mergeDirs([dir('shard2'), dir('shard0'), dir('shard1')]);
    expect(sweepMetricsText(merged.manifest.scenario, merged.runs, { wallClock: false })).toBe(unsplit);
    // and the printed tables are the same
    let a = '';
    let b = '';
    await mergeCommand([dir('shard0'), dir('shard1'), dir('shard2')], { json: null, wallClock: true }, (t) => (b += t));
    await mergeCommand([dir('whole')], { json: null, wallClock: true }, (t) => (a += t));
    expect(b.split('\n').slice(1)).toEqual(a.split('\n').slice(1));
    expect(a).toMatch(/cpus nodes pageSize size\s+alloc\s+free\s+kworker\s+Percpu peak\s+footprint peak\s+metadata peak/);
    expect(a).toMatch(/, v4.13 \(areamap\)\n/);
    expect(a).toContain(', v6.12 (bitmap)\n');
  });

  it('keeps wall-clock fields unless asked, and the merge of one directory equals that sweep\'s --json byte for byte', async () => {
    const out: string[] = [];
    await sweepCommand(scenario, { out: dir('cli'), grid: ['cpus=1,4'], shard: null, workers: 2, json: dir('cli.json'), wallClock: true, check: false }, (t) => out.push(t));
    expect(out.join('')).toMatch(/32 points; ran 32, 0 already in/);
    await mergeCommand([dir('cli')], { json: dir('merged.json'), wallClock: true }, () => {});
    expect(text(dir('merged.json'))).toBe(text(dir('cli.json')));
    const runs = JSON.parse(text(dir('cli.json'))).runs;
    expect(runs[0].phases.alloc).toHaveProperty('wall_ms');
    expect(runs.map((r: { labels: object }) => Object.keys(r.labels).join())).toEqual(new Array(32).fill('cpus,nodes,pageSize,size'));
  });

  it('refuses to merge directories of different sweeps or with points missing', async () => {
    const plan = planSweep(scenario, ['cpus=1', 'nodes=1']);
    await runSweep(plan, { dir: dir('small0'), workers: 0, check: false, shard: { index: 0, count: 2 } });
    expect(() => mergeDirs([dir('small0')])).toThrow(/^merge: 4 of 8 points of tiny have no result in .*small0 \(#\d+ cpus=1 nodes=1 pageSize=\d+ size=\d+ allocator=\w+;/);
    expect(() => mergeDirs([dir('small0'), dir('shard0')])).toThrow(/shard0: holds another sweep than .*small0 \(tiny, 48 points, plan \w+ vs tiny, 8 points/);
    expect(() => mergeDirs([root])).toThrow(/not a sweep result directory \(no sweep.json\)/);
  });
});
