import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'scn-'));
const put = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('scenario loading', () => {
  it('expands one run per matrix point and allocator, allocators innermost', () => {
    const f = put('m.json5', `{machine: 'laptop', allocators: ['areamap', 'bitmap'],
      matrix: {size: [4, 16], order: ['inorder', 'reverse']},
      workload: [{phase: 'alloc', count: 10, size: '$size'}, {phase: 'free', order: '$order'}]}`);
    const { runs } = loadScenario(f);
    expect(runs.map((r) => `${r.labels.size}/${r.labels.order}/${r.allocator}`)).toEqual([
      '4/inorder/areamap', '4/inorder/bitmap', '4/reverse/areamap', '4/reverse/bitmap',
      '16/inorder/areamap', '16/inorder/bitmap', '16/reverse/areamap', '16/reverse/bitmap',
    ]);
    expect(runs[5]!.phases[0]).toMatchObject({ phase: 'alloc', name: 'alloc', count: 10, size: 16, align: 4, atomic: false });
    expect(runs[5]!.phases[1]).toEqual({ phase: 'free', name: 'free', order: 'inorder' });
  });
  it('names repeated phases apart', () => {
    const f = put('p.json5', `{machine: 'laptop', workload: [{phase: 'alloc', count: 1, size: 4}, {phase: 'alloc', count: 1, size: 8}]}`);
    expect(loadScenario(f).runs[0]!.phases.map((p) => p.name)).toEqual(['alloc', 'alloc2']);
  });
  it('names the line and field of an unknown matrix reference', () => {
    const f = put('r.json5', `{\n  machine: 'laptop',\n  workload: [\n    {phase: 'alloc', count: 1, size: '$sz'},\n  ],\n}`);
    expect(() => loadScenario(f)).toThrow(`${f}:4:38: workload[0].size: no matrix dimension "sz"`);
  });
  it('names a matrix value of the wrong type where it is declared', () => {
    const f = put('t.json5', `{\n  machine: 'laptop',\n  matrix: {order: ['sideways']},\n  workload: [{phase: 'free', order: '$order'}],\n}`);
    expect(() => loadScenario(f)).toThrow(new RegExp(`^${f}:3:19: matrix.order: expected inorder`));
  });
  it('says what a field takes when a string is neither a plain value nor a reference', () => {
    const f = put('w.json5', `{machine: 'laptop', workload: [{phase: 'alloc', count: 1, size: 'eight'}, {phase: 'free', order: 'sideways'}]}`);
    expect(() => loadScenario(f)).toThrow(/workload\[0\]\.size: expected a number or a \$name reference to a matrix dimension, received "eight"/);
    expect(() => loadScenario(f)).toThrow(/workload\[1\]\.order: expected one of inorder, alternating, reverse, random or a \$name reference to a matrix dimension, received "sideways"/);
  });
  it('rejects unknown keys and wrong types with the dotted path', () => {
    const f = put('u.json5', `{machine: 'laptop', workload: [{phase: 'alloc', count: -1, size: 4}], colour: 'red'}`);
    expect(() => loadScenario(f)).toThrow(/workload\[0\]\.count: .*received -1/);
    expect(() => loadScenario(f)).toThrow(/colour: unknown key/);
  });
});
