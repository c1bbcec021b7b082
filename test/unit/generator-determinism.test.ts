import { describe, expect, it } from 'vitest';
import type { AllocatorConfig, Topology } from '../../src/kernel/allocator.ts';
import { DEFAULT_KNOBS } from '../../src/kernel/allocator.ts';
import { allocatorFactory } from '../../src/kernel/registry.ts';
import type { PhaseSpec, RecordedOp } from '../../src/engine/run.ts';
import { runPhases } from '../../src/engine/run.ts';
import { MEMCG_V6_12_OBJECTS } from '../../src/engine/generators/cgroups.ts';
import { DecisionPlatform } from './generator-harness.ts';

const topology: Topology = { pageSize: 4096, nrCpus: 4, cpuToNode: [0, 0, 1, 1], nodeDistance: [[10, 20], [20, 10]] };
const config: AllocatorConfig = {
  topology,
  firstChunk: { staticSize: 65536, reservedSize: 8192, dynSize: 20480, atomSize: 4096 },
  knobs: DEFAULT_KNOBS,
};
const sizes = [
  { size: 8, align: 8, weight: 3 },
  { size: [16, 200] as [number, number], align: 16, weight: 1 },
];

/** one phase of every generator kind */
const workload: PhaseSpec[] = [
  { phase: 'alloc', name: 'alloc', count: 50, size: 24, align: 8, atomic: false, reserved: false },
  { phase: 'bpfPercpuArray', name: 'arr', action: 'create', map: 'a', maps: 2, entries: 20, valueSize: 12, prealloc: true },
  { phase: 'bpfPercpuHash', name: 'hash', action: 'create', map: 'h', maps: 2, entries: 40, valueSize: 20, prealloc: false },
  { phase: 'bpfPercpuHash', name: 'upd', action: 'update', map: 'h', count: 120, keys: 60, cpu: 2 },
  { phase: 'bpfPercpuHash', name: 'del', action: 'delete', map: 'h', count: 30 },
  { phase: 'cgroups', name: 'mkdir', action: 'create', group: 'g', count: 30, objects: [...MEMCG_V6_12_OBJECTS] },
  { phase: 'cgroups', name: 'rmdir', action: 'destroy', group: 'g', count: 20, pick: 'random' },
  { phase: 'modules', name: 'insmod', action: 'load', group: 'm', count: 12, sizes },
  { phase: 'modules', name: 'rmmod', action: 'unload', group: 'm', count: 5, pick: 'random' },
  { phase: 'churn', name: 'churn', ops: 400, sizes, allocFraction: 0.5, liveTarget: 40, victim: 'random', atomic: true, cpu: 3 },
  { phase: 'free', name: 'free', order: 'random' },
  { phase: 'bpfPercpuHash', name: 'drop', action: 'destroy', map: 'h' },
];

function record(seed: string): string[] {
  const factory = allocatorFactory('bitmap');
  if (typeof factory === 'string') throw new Error(factory);
  const platform = new DecisionPlatform();
  const ops: string[] = [];
  const rec = (o: RecordedOp): void => {
    ops.push(o.op === 'balance' ? 'balance' : o.op === 'alloc' ? `a${o.id}@${o.cpu} ${o.size}/${o.align} -> ${o.chunk}:${o.off}` : `f${o.id}@${o.cpu}`);
  };
  runPhases(factory(config, platform), platform, workload, { cpu: 0, balance: { mode: 'eager' }, seed, check: true, topology, record: rec });
  return ops;
}

describe('generators are deterministic from the seed', () => {
  it('the same seed gives the same calls and the same decisions', () => {
    const a = record('s1');
    expect(a.length).toBeGreaterThan(600);
    expect(record('s1')).toEqual(a);
  });
  it('another seed gives another workload', () => {
    expect(record('s2')).not.toEqual(record('s1'));
  });
  it('a phase cpu makes the calls on that CPU, then the scenario cpu again', () => {
    const ops = record('s1');
    const onCpu = (cpu: number): string[] => ops.filter((o) => o.includes(`@${cpu}`));
    // the hash updates ran on CPU 2: new keys' values, round_up(20, 8) bytes, 8-aligned
    expect(new Set(onCpu(2).map((o) => o.split(' ')[1]))).toEqual(new Set(['24/8']));
    expect(onCpu(2).length).toBeGreaterThan(10);
    // the churn on CPU 3; everything after it on CPU 0 again
    const lastOn3 = ops.map((o) => o.includes('@3')).lastIndexOf(true);
    expect(onCpu(3).length).toBeGreaterThan(400 - 1);
    expect(ops.slice(lastOn3 + 1).every((o) => o === 'balance' || o.includes('@0'))).toBe(true);
  });
});
