import { describe, expect, it } from 'vitest';
import { runBpfMaps } from '../../src/engine/generators/bpf-maps.ts';
import { RecordingSink, newState } from './generator-harness.ts';

describe('BPF per-CPU array maps', () => {
  it('allocate one round_up(value_size, 8)-byte, 8-aligned value per entry at create and free them in index order at destroy', () => {
    const sink = new RecordingSink();
    const state = newState();
    runBpfMaps({ phase: 'bpfPercpuArray', action: 'create', map: 'a', maps: 1, entries: 3, valueSize: 12, prealloc: true }, sink, state);
    runBpfMaps({ phase: 'bpfPercpuArray', action: 'destroy', map: 'a' }, sink, state);
    expect(sink.ops).toEqual(['alloc#0 16/8', 'alloc#1 16/8', 'alloc#2 16/8', 'free#0', 'free#1', 'free#2']);
    expect(state.maps.has('a')).toBe(false);
  });
  it('undo a create whose allocation fails: what the map got is freed and the map does not exist', () => {
    const sink = new RecordingSink((id) => id === 2);
    const state = newState();
    runBpfMaps({ phase: 'bpfPercpuArray', action: 'create', map: 'a', maps: 2, entries: 3, valueSize: 8, prealloc: true }, sink, state);
    runBpfMaps({ phase: 'bpfPercpuArray', action: 'destroy', map: 'a' }, sink, state);
    expect(sink.ops).toEqual([
      'alloc#0 8/8', 'alloc#1 8/8', 'alloc#2 8/8 -> fail', 'free#0', 'free#1', // first map fails and unwinds
      'alloc#3 8/8', 'alloc#4 8/8', 'alloc#5 8/8', // second map is made
      'free#3', 'free#4', 'free#5',
    ]);
  });
});

describe('BPF per-CPU hash maps', () => {
  it('preallocated: every element at create, nothing on update or delete, all freed at destroy', () => {
    const sink = new RecordingSink();
    const state = newState();
    runBpfMaps({ phase: 'bpfPercpuHash', action: 'create', map: 'h', maps: 1, entries: 2, valueSize: 20, prealloc: true }, sink, state);
    runBpfMaps({ phase: 'bpfPercpuHash', action: 'update', map: 'h', count: 5, keys: null }, sink, state);
    runBpfMaps({ phase: 'bpfPercpuHash', action: 'delete', map: 'h', count: 1 }, sink, state);
    runBpfMaps({ phase: 'bpfPercpuHash', action: 'destroy', map: 'h' }, sink, state);
    expect(sink.ops).toEqual(['alloc#0 24/8', 'alloc#1 24/8', 'free#0', 'free#1']);
  });
  it('without prealloc: a new key allocates atomically, a present key or a full map does not, delete frees', () => {
    // keys drawn from [0, 4): 0.0 -> 0, 0.5 -> 2, 0.1 -> 0 (present), 0.9 -> 3 (map full: E2BIG)
    // delete: 0.6 -> the 2nd present element (key 2); destroy frees what is left
    const sink = new RecordingSink(() => false, [0.0, 0.5, 0.1, 0.9, 0.6, 0.0]);
    const state = newState();
    runBpfMaps({ phase: 'bpfPercpuHash', action: 'create', map: 'h', maps: 1, entries: 2, valueSize: 8, prealloc: false }, sink, state);
    runBpfMaps({ phase: 'bpfPercpuHash', action: 'update', map: 'h', count: 4, keys: 4 }, sink, state);
    expect(state.maps.get('h')!.maps[0]!.present).toBe(2);
    runBpfMaps({ phase: 'bpfPercpuHash', action: 'delete', map: 'h', count: 1 }, sink, state);
    runBpfMaps({ phase: 'bpfPercpuHash', action: 'update', map: 'h', count: 1, keys: 4 }, sink, state); // 0.0 -> key 0, present
    runBpfMaps({ phase: 'bpfPercpuHash', action: 'destroy', map: 'h' }, sink, state);
    expect(sink.ops).toEqual(['alloc#0 8/8 atomic', 'alloc#1 8/8 atomic', 'free#1', 'free#0']);
  });
  it('without prealloc: a failed allocation leaves the key absent, so a later update of it tries again', () => {
    const sink = new RecordingSink((id) => id === 0, [0.0, 0.0]);
    const state = newState();
    runBpfMaps({ phase: 'bpfPercpuHash', action: 'create', map: 'h', maps: 1, entries: 2, valueSize: 8, prealloc: false }, sink, state);
    runBpfMaps({ phase: 'bpfPercpuHash', action: 'update', map: 'h', count: 2, keys: 4 }, sink, state);
    expect(sink.ops).toEqual(['alloc#0 8/8 atomic -> fail', 'alloc#1 8/8 atomic']);
  });
});
