import { describe, expect, it } from 'vitest';
import { MEMCG_V6_12_OBJECTS, runCgroups } from '../../src/engine/generators/cgroups.ts';
import { RecordingSink, newState } from './generator-harness.ts';

const create = (count: number) => ({ phase: 'cgroups' as const, action: 'create' as const, group: 'g', count, objects: [...MEMCG_V6_12_OBJECTS] });

describe('memory cgroups created and destroyed', () => {
  it('allocate the v6.12 memcg set per cgroup, the lruvec stats once per possible node', () => {
    const sink = new RecordingSink();
    runCgroups(create(1), sink, newState(2));
    expect(sink.ops).toEqual([
      'alloc#0 8/8', // cgroup self refcount
      'alloc#1 144/8', // cgroup_rstat_cpu
      'alloc#2 8/8', // cgroup bpf refcount
      'alloc#3 960/64', // memcg_vmstats_percpu
      'alloc#4 432/8', // lruvec_stats_percpu, node 0
      'alloc#5 432/8', // node 1
      'alloc#6 8/8', // memory css refcount
      'alloc#7 8/8', // obj_cgroup refcount
    ]);
  });
  it('free a destroyed cgroup newest allocation first, oldest cgroups first when asked', () => {
    const sink = new RecordingSink();
    const state = newState(1);
    runCgroups({ ...create(2), objects: [{ size: 8, align: 8, perNode: false }, { size: 64, align: 64, perNode: false }] }, sink, state);
    runCgroups({ phase: 'cgroups', action: 'destroy', group: 'g', count: 1, pick: 'oldest' }, sink, state);
    runCgroups({ phase: 'cgroups', action: 'destroy', group: 'g', count: null, pick: 'oldest' }, sink, state);
    expect(sink.ops).toEqual(['alloc#0 8/8', 'alloc#1 64/64', 'alloc#2 8/8', 'alloc#3 64/64', 'free#1', 'free#0', 'free#3', 'free#2']);
    expect(state.groups.get('cgroups:g')!.count).toBe(0);
  });
  it('destroy newest first, or a seeded random choice', () => {
    const one = [{ size: 8, align: 8, perNode: false }];
    const sink = new RecordingSink(() => false, [0.99, 0.0]);
    const state = newState(1);
    runCgroups({ ...create(4), objects: one }, sink, state);
    runCgroups({ phase: 'cgroups', action: 'destroy', group: 'g', count: 1, pick: 'newest' }, sink, state);
    // live [0, 1, 2], a partial Fisher-Yates: 0.99 swaps the last (2) to the front, then 0.0
    // keeps the second (1) where it is
    runCgroups({ phase: 'cgroups', action: 'destroy', group: 'g', count: 2, pick: 'random' }, sink, state);
    expect(sink.ops.slice(4)).toEqual(['free#3', 'free#2', 'free#1']);
    expect(state.groups.get('cgroups:g')!.count).toBe(1);
  });
  it('fail a mkdir whose allocation fails: the cgroup frees what it got and does not exist', () => {
    const two = [{ size: 8, align: 8, perNode: false }, { size: 16, align: 8, perNode: false }];
    const sink = new RecordingSink((id) => id === 3);
    const state = newState(1);
    runCgroups({ ...create(3), objects: two }, sink, state);
    expect(sink.ops).toEqual(['alloc#0 8/8', 'alloc#1 16/8', 'alloc#2 8/8', 'alloc#3 16/8 -> fail', 'free#2', 'alloc#4 8/8', 'alloc#5 16/8']);
    expect(state.groups.get('cgroups:g')!.count).toBe(2);
    runCgroups({ phase: 'cgroups', action: 'destroy', group: 'g', count: null, pick: 'oldest' }, sink, state);
    expect(sink.ops.slice(7)).toEqual(['free#1', 'free#0', 'free#5', 'free#4']);
  });
});
