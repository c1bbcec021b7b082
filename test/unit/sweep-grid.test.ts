import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { combineGrids, gridPoints, parseGridOption } from '../../src/sweep/grid.ts';
import { assignShards, parseShard } from '../../src/sweep/shard.ts';
import { planSweep } from '../../src/sweep/plan.ts';

const dir = mkdtempSync(join(tmpdir(), 'sweep-grid-'));
const put = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const WORKLOAD = `workload: [{phase: 'alloc', count: 10, size: 8}, {phase: 'free'}]`;

describe('--grid options', () => {
  it('parses numbers, byte-size shorthands and names', () => {
    expect(parseGridOption('cpus=4,64,1024')).toEqual(['cpus', [4, 64, 1024]]);
    expect(parseGridOption('pageSize=4K,64K,16384')).toEqual(['pageSize', [4096, 65536, 16384]]);
    expect(parseGridOption('allocator=bitmap,areamap')).toEqual(['allocator', ['bitmap', 'areamap']]);
    expect(parseGridOption('machine.memory.pageBudget=null,5000')).toEqual(['machine.memory.pageBudget', [null, 5000]]);
  });
  it('names the option and the dimension of a bad value', () => {
    expect(() => parseGridOption('cpus=4,lots')).toThrow('--grid cpus: expected a CPU count from 1 to 8192, received "lots"');
    expect(() => parseGridOption('pageSize=3000')).toThrow(/^--grid pageSize: expected a page size/);
    expect(() => parseGridOption('allocator=slab')).toThrow(/^--grid allocator: expected an allocator or a kernel version \(.*areamap.*v6\.18.*\), received "slab"/);
    expect(() => parseGridOption('cpus=4,,8')).toThrow(/^--grid cpus: expected a comma-separated list/);
    expect(() => parseGridOption('cpus=4,4')).toThrow(/^--grid cpus: expected distinct values/);
  });
  it('names an unknown dimension and a missing =', () => {
    expect(() => parseGridOption('colour=red')).toThrow(/^--grid colour: unknown grid dimension \(expected preset, cpus, nodes/);
    expect(() => parseGridOption('machine.topology.nodes.0=1')).toThrow(/^--grid machine.topology.nodes.0: unknown grid dimension/);
    expect(() => parseGridOption('cpus')).toThrow(/^--grid: expected NAME=V1,V2/);
  });
  it('replaces a scenario dimension in place and appends new ones', () => {
    const g = combineGrids({ cpus: [1, 2], nodes: [1] }, ['nodes=2,4', 'pageSize=64K']);
    expect(Object.entries(g)).toEqual([['cpus', [1, 2]], ['nodes', [2, 4]], ['pageSize', [65536]]]);
    expect(() => combineGrids({}, ['cpus=1', 'cpus=2'])).toThrow('--grid cpus: given twice');
  });
  it('orders points with the first dimension slowest; allocator is not a point dimension', () => {
    expect(gridPoints({ cpus: [1, 2], nodes: [1, 4], allocator: ['bitmap'] })).toEqual([
      { cpus: 1, nodes: 1 }, { cpus: 1, nodes: 4 }, { cpus: 2, nodes: 1 }, { cpus: 2, nodes: 4 },
    ]);
  });
});

describe('--shard', () => {
  it('parses i/n and rejects slices that do not exist', () => {
    expect(parseShard('1/3')).toEqual({ index: 1, count: 3 });
    expect(() => parseShard('3/3')).toThrow('--shard: expected 0 <= i < n and n >= 1, got 3/3');
    expect(() => parseShard('0/0')).toThrow(/^--shard: expected 0 <= i < n/);
    expect(() => parseShard('half')).toThrow('--shard: expected i/n (the i-th of n slices, 0 <= i < n), auto/n or auto (the index from a job array), got "half"');
  });
  it('puts every point in exactly one slice, longest first onto the least loaded', () => {
    const costs = Array.from({ length: 50 }, (_, i) => 1 + (i % 3) * 10 + (i % 7));
    const shardOf = assignShards(costs, 3);
    expect(shardOf.every((s) => s >= 0 && s < 3)).toBe(true);
    const load = [0, 1, 2].map((s) => costs.reduce((t, c, i) => t + (shardOf[i] === s ? c : 0), 0));
    expect(Math.max(...load) - Math.min(...load)).toBeLessThanOrEqual(Math.max(...costs));
    expect(assignShards(costs, 3)).toEqual(shardOf);
    // points of one cost class (the allocator innermost) spread over every shard
    for (const k of [0, 1, 2]) expect(new Set(shardOf.filter((_, i) => i % 3 === k)).size).toBe(3);
    // ties: the lower point index goes first, onto the lower shard
    expect(assignShards([1, 1, 1, 1], 2)).toEqual([0, 1, 0, 1]);
    expect(assignShards([5, 1, 1, 1, 1, 1], 2)).toEqual([0, 1, 1, 1, 1, 1]);
  });
});

describe('sweep section of a scenario', () => {
  it('names file, line, column and dimension of a bad value', () => {
    const f = put('bad-value.json5', `{\n  machine: 'laptop',\n  ${WORKLOAD},\n  sweep: { cpus: [4, 0] },\n}`);
    expect(() => planSweep(f)).toThrow(`${f}:4:22: sweep.cpus[1]: expected a CPU count from 1 to 8192, received 0`);
  });
  it('names an unknown dimension where it is written', () => {
    const f = put('bad-dim.json5', `{\n  machine: 'laptop',\n  ${WORKLOAD},\n  sweep: {\n    colour: ['red'],\n  },\n}`);
    expect(() => planSweep(f)).toThrow(new RegExp(`^${f}:5:13: sweep.colour: unknown grid dimension`));
  });
  it('names the grid point and the machine field when a derived machine is invalid', () => {
    const f = put('bad-machine.json5', `{machine: 'laptop', ${WORKLOAD}, sweep: {'machine.memory.pageSize': [4096, 5000]}}`);
    expect(() => planSweep(f)).toThrow(`${f}: sweep point machine.memory.pageSize=5000: memory.pageSize: expected a power of two between 4096 and 1048576, received 5000`);
  });
  it('refuses a grid dimension that is also a matrix dimension', () => {
    const f = put('clash.json5', `{machine: 'laptop', matrix: {cpus: [1]}, ${WORKLOAD}, sweep: {cpus: [1, 2]}}`);
    expect(() => planSweep(f)).toThrow(/matrix\.cpus: also a sweep grid dimension/);
  });
  it('takes matrix references in the machine overrides per run, as sim run does', () => {
    const f = put('machine-ref.json5', `{machine: {preset: 'laptop', overrides: {cost: {countsModeLineNs: '$line'}}}, matrix: {line: [1, 2]},
      ${WORKLOAD}, sweep: {cpus: [2, 4]}}`);
    const plan = planSweep(f);
    expect(plan.points.map((p) => [p.labels.cpus, (p.spec.machine.overrides.cost as { countsModeLineNs: number }).countsModeLineNs])).toEqual([
      [2, 1], [2, 2], [4, 1], [4, 2],
    ]);
    const bad = put('machine-ref-bad.json5', `{machine: {preset: 'laptop', overrides: {cost: {countsModeLineNs: '$line'}}}, matrix: {line: [1, -2]},
      ${WORKLOAD}, sweep: {cpus: [2]}}`);
    expect(() => planSweep(bad)).toThrow(/sweep point cpus=2: cost\.countsModeLineNs: /);
  });
  it('refuses a calling CPU that a grid point does not have', () => {
    const f = put('cpu.json5', `{machine: 'laptop', cpu: 3, ${WORKLOAD}, sweep: {cpus: [8, 2]}}`);
    expect(() => planSweep(f)).toThrow(/sweep point cpus=2: cpu 3 \(the scenario's calling CPU\) does not exist on laptop\/2cpu\/1n\/4K \(2 possible CPUs\)/);
  });
  it('expands grid × matrix × allocators with grid labels first and stable keys', () => {
    const f = put('ok.json5', `{machine: 'laptop', allocators: ['areamap', 'bitmap'], matrix: {size: [8, 16]},
      workload: [{phase: 'alloc', count: 10, size: '$size'}], sweep: {cpus: [1, 4], 'knobs.emptyPopPagesHigh': [4, 8]}}`);
    const plan = planSweep(f);
    expect(plan.labelNames).toEqual(['cpus', 'knobs.emptyPopPagesHigh', 'size']);
    expect(plan.points).toHaveLength(16);
    expect(plan.points.slice(0, 3).map((p) => [p.labels, p.spec.allocator])).toEqual([
      [{ cpus: 1, 'knobs.emptyPopPagesHigh': 4, size: 8 }, 'areamap'],
      [{ cpus: 1, 'knobs.emptyPopPagesHigh': 4, size: 8 }, 'bitmap'],
      [{ cpus: 1, 'knobs.emptyPopPagesHigh': 4, size: 16 }, 'areamap'],
    ]);
    expect(plan.points[4]!.spec.knobs.emptyPopPagesHigh).toBe(8);
    // the workload's seed sees the matrix only, so every grid point runs the same workload
    expect(plan.points[0]!.spec.labels).toEqual({ size: 8 });
    expect(new Set(plan.points.map((p) => p.key)).size).toBe(16);
    // the same point keeps its key when the grid grows; the plan id changes
    const grown = planSweep(f, ['cpus=1,4,16']);
    expect(grown.points.slice(0, 16).map((p) => p.key)).toEqual(plan.points.map((p) => p.key));
    expect(grown.id).not.toBe(plan.id);
  });
  it('lets the allocator dimension replace the scenario allocators', () => {
    const f = put('alloc.json5', `{machine: 'laptop', allocators: ['areamap'], ${WORKLOAD}, sweep: {allocator: ['bitmap', 'bitmap-v4.14']}}`);
    expect(planSweep(f).points.map((p) => p.spec.allocator)).toEqual(['bitmap', 'bitmap-v4.14']);
  });
});
