import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.ts';
import { executeRun } from '../../src/engine/execute.ts';
import { loadMachineSetup } from '../../src/engine/machines.ts';

const dir = mkdtempSync(join(tmpdir(), 'scn-phases-'));
let n = 0;
/** a scenario on the laptop with one phase per line from line 3 on: `workload[i]` sits at line 3 + i, column 5 */
const scenario = (phases: string[], extra = ''): string => {
  const f = join(dir, `s${n++}.json5`);
  writeFileSync(f, `{\n  machine: 'laptop',${extra}\n  workload: [\n${phases.map((p) => `    ${p},\n`).join('')}  ],\n}\n`);
  return f;
};
const col = (phase: string, text: string): number => 5 + phase.indexOf(text);

describe('schema errors of the generator phases name the file, line, column and field', () => {
  it('bpfPercpuHash: a field another action takes is an unknown key', () => {
    const p = "{phase: 'bpfPercpuHash', action: 'update', map: 'h', count: 3, entries: 5}";
    const f = scenario(["{phase: 'bpfPercpuHash', action: 'create', map: 'h', entries: 4, valueSize: 8}", p]);
    expect(() => loadScenario(f)).toThrow(`${f}:5:${col(p, '5}')}: workload[1].entries: unknown key`);
  });
  it('bpfPercpuArray: no update action, and values above 32 KiB are refused (E2BIG)', () => {
    const p = "{phase: 'bpfPercpuArray', action: 'update', map: 'a'}";
    expect(() => loadScenario(scenario([p]))).toThrow(new RegExp(`:4:${col(p, "'update'")}: workload\\[0\\]\\.action: expected one of create, destroy, received "update"$`));
    const q = "{phase: 'bpfPercpuArray', action: 'create', map: 'a', entries: 1, valueSize: 40000}";
    const f = scenario([q]);
    expect(() => loadScenario(f)).toThrow(`${f}:4:${col(q, '40000')}: workload[0].valueSize: expected at most 32768: BPF refuses larger per-CPU values (E2BIG), received 40000`);
  });
  it('cgroups: a bad object size names the object', () => {
    const p = "{phase: 'cgroups', action: 'create', count: 2, objects: [{size: 8}, {size: 0, align: 8}]}";
    const f = scenario([p]);
    expect(() => loadScenario(f)).toThrow(new RegExp(`^${f}:4:${col(p, '0, align')}: workload\\[0\\]\\.objects\\[1\\]\\.size: .*received 0`));
  });
  it('modules: a load needs its sizes', () => {
    const p = "{phase: 'modules', action: 'load', count: 3}";
    const f = scenario([p]);
    expect(() => loadScenario(f)).toThrow(new RegExp(`^${f}:4:5: workload\\[0\\]\\.sizes: .*expected array.*received nothing`));
  });
  it('churn: allocFraction is a probability, size ranges go up', () => {
    const p = "{phase: 'churn', ops: 10, sizes: [{size: 8}], allocFraction: 1.5}";
    const f = scenario([p]);
    expect(() => loadScenario(f)).toThrow(new RegExp(`^${f}:4:${col(p, '1.5')}: workload\\[0\\]\\.allocFraction: .*received 1.5`));
    const q = "{phase: 'churn', ops: 10, sizes: [{size: [64, 8]}]}";
    const g = scenario([q]);
    expect(() => loadScenario(g)).toThrow(`${g}:4:${col(q, '[64')}: workload[0].sizes[0].size: expected [min, max] with min <= max, received [64,8]`);
  });
  it('replay: a missing recording is named at the field; a bad one by its own file and line', () => {
    const p = "{phase: 'replay', file: 'nowhere.jsonl'}";
    const f = scenario([p]);
    // paths are relative to the scenario file, printed relative to the working directory
    expect(() => loadScenario(f)).toThrow(`${f}:4:${col(p, "'nowhere")}: workload[0].file: no such file: ${relative('.', join(dir, 'nowhere.jsonl'))}`);
    writeFileSync(join(dir, 'bad.trace'), 'x-1 [000] ..... 1.0: percpu_alloc_percpu: reserved=0 is_atomic=0 size=8 align=8 base_addr=0x10 off=0 ptr=zz\n');
    // the scenario line that names the recording, then the recording's own place
    const s = scenario(["{phase: 'replay', file: 'bad.trace'}"]);
    expect(() => loadScenario(s)).toThrow(new RegExp(`^${s}:4:\\d+: workload\\[0\\]\\.file: ${relative('.', join(dir, 'bad.trace'))}:1: `));
  });
  it('maps are created before use, once, and used as their kind', () => {
    const use = "{phase: 'bpfPercpuHash', action: 'delete', map: 'm', count: 1}";
    const f = scenario([use]);
    expect(() => loadScenario(f)).toThrow(`${f}:4:${col(use, "'m'")}: workload[0].map: no map "m" exists here: create it in an earlier phase`);
    const mk = "{phase: 'bpfPercpuArray', action: 'create', map: 'm', entries: 1, valueSize: 8}";
    const g = scenario([mk, mk]);
    expect(() => loadScenario(g)).toThrow(`${g}:5:${col(mk, "'m'")}: workload[1].map: map "m" already exists (created by workload[0] and not destroyed since)`);
    const h = scenario([mk, "{phase: 'bpfPercpuHash', action: 'destroy', map: 'm'}"]);
    expect(() => loadScenario(h)).toThrow(`${h}:5:13: workload[1].phase: map "m" is a bpfPercpuArray map (created by workload[0])`);
  });
  it('a group is created before it is destroyed', () => {
    const p = "{phase: 'modules', action: 'unload', group: 'drivers'}";
    const f = scenario([p]);
    expect(() => loadScenario(f)).toThrow(`${f}:4:${col(p, "'unload'")}: workload[0].action: no modules were created in group "drivers" before this phase`);
  });
  it('a matrix value of the wrong kind is named where the matrix declares it', () => {
    const f = scenario(["{phase: 'churn', ops: 10, sizes: [{size: 8}], victim: '$v'}"], "\n  matrix: {v: ['sideways']},");
    expect(() => loadScenario(f)).toThrow(`${f}:3:15: matrix.v: expected random | oldest | newest (used by workload[0].victim), received "sideways"`);
  });
});

describe('generator phases as runs see them', () => {
  it('fill defaults, name phases after action and map or group, keep a phase cpu', () => {
    const f = scenario([
      "{phase: 'bpfPercpuHash', action: 'create', map: 'flows', entries: 64, valueSize: 12, prealloc: false}",
      "{phase: 'bpfPercpuHash', action: 'update', map: 'flows', count: 10, cpu: 3}",
      "{phase: 'cgroups', action: 'create', count: 2}",
      "{phase: 'cgroups', action: 'destroy'}",
      "{phase: 'modules', action: 'load', count: 2, sizes: [{size: [100, 200], weight: 2}]}",
      "{phase: 'churn', ops: 5, sizes: [{size: '$s', align: 16}]}",
      "{phase: 'replay', file: 'rec.jsonl.gz'}",
    ], "\n  matrix: {s: [24]},");
    writeFileSync(join(dir, 'rec.jsonl.gz'), '');
    expect(() => loadScenario(f)).toThrow(/rec\.jsonl\.gz: empty file/);
    writeFileSync(join(dir, 'rec.jsonl.gz'), JSON.stringify({
      format: 'percpu-trace/1', name: 'x', kernel: 'v6.12', allocator: 'bitmap',
      machine: { page_size: 4096, nr_cpus: 1, cpu_to_node: [0], node_distance: [[10]] },
      first_chunk: { static_size: 16384, reserved_size: 8192, dyn_size: 20480, atom_size: 4096 }, balance: 'eager', page_limit: null,
    }) + '\n');
    const phases = loadScenario(f).runs[0]!.phases;
    expect(phases.map((p) => p.name)).toEqual(['create-flows', 'update-flows', 'create-memcg', 'destroy-memcg', 'load-modules', 'churn', 'replay']);
    expect(phases[0]).toEqual({ phase: 'bpfPercpuHash', name: 'create-flows', action: 'create', map: 'flows', maps: 1, entries: 64, valueSize: 12, prealloc: false });
    expect(phases[1]).toEqual({ phase: 'bpfPercpuHash', name: 'update-flows', action: 'update', map: 'flows', count: 10, keys: null, cpu: 3 });
    expect(phases[2]).toMatchObject({ action: 'create', group: 'memcg', count: 2 });
    expect((phases[2] as { objects: unknown[] }).objects).toHaveLength(7);
    expect(phases[3]).toEqual({ phase: 'cgroups', name: 'destroy-memcg', action: 'destroy', group: 'memcg', count: null, pick: 'random' });
    expect(phases[4]).toMatchObject({ sizes: [{ size: [100, 200], align: 8, weight: 2 }] });
    expect(phases[5]).toMatchObject({ ops: 5, sizes: [{ size: 24, align: 16, weight: 1 }], allocFraction: 0.5, liveTarget: 0, victim: 'random', atomic: false });
    expect(phases[6]).toMatchObject({ phase: 'replay', name: 'replay', format: 'percpu-trace' });
    expect(resolve((phases[6] as { file: string }).file)).toBe(join(dir, 'rec.jsonl.gz'));
  });
  it('resolve a replay file named by a matrix value relative to the scenario too', () => {
    writeFileSync(join(dir, 'm.trace'), '# tracer: nop\n');
    const f = scenario(["{phase: 'replay', file: '$trace'}"], "\n  matrix: {trace: ['m.trace']},");
    const [run] = loadScenario(f).runs;
    expect(run!.phases[0]).toMatchObject({ phase: 'replay', format: 'ftrace' });
    expect(resolve((run!.phases[0] as { file: string }).file)).toBe(join(dir, 'm.trace'));
  });
  it('take matrix values in machine overrides', () => {
    const f = scenario(["{phase: 'alloc', count: 1, size: 8}"], "\n  matrix: {budget: [100, 200]},");
    writeFileSync(f, `{machine: {preset: 'laptop', overrides: {memory: {pageBudget: '$budget'}}}, matrix: {budget: [100, 200]}, workload: [{phase: 'alloc', count: 1, size: 8}]}`);
    expect(loadScenario(f).runs.map((r) => r.machine.overrides)).toEqual([{ memory: { pageBudget: 100 } }, { memory: { pageBudget: 200 } }]);
    writeFileSync(f, `{machine: {preset: 'laptop', overrides: {memory: {pageBudget: '$bugdet'}}}, workload: [{phase: 'alloc', count: 1, size: 8}]}`);
    expect(() => loadScenario(f)).toThrow(`${f}:1:63: machine.overrides.memory.pageBudget: no matrix dimension "bugdet"`);
  });
  it('refuse a phase cpu the machine does not have, naming the phase', () => {
    const f = scenario(["{phase: 'alloc', count: 1, size: 8, cpu: 16}"]);
    const run = loadScenario(f).runs[0]!;
    expect(() => executeRun(run, loadMachineSetup, { check: false })).toThrow('phase alloc: cpu 16 does not exist (16 possible CPUs)');
  });
});
