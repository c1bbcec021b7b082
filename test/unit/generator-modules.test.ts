import { describe, expect, it } from 'vitest';
import { runModules } from '../../src/engine/generators/modules.ts';
import { RecordingSink, newState } from './generator-harness.ts';

describe('modules loading and unloading', () => {
  it('take each module static per-CPU section from the reserved area, alignment clamped to a page', () => {
    const sink = new RecordingSink();
    runModules({ phase: 'modules', action: 'load', group: 'm', count: 2, sizes: [{ size: 300, align: 8192, weight: 1 }] }, sink, newState(1, 4096));
    expect(sink.ops).toEqual(['alloc#0 300/4096 reserved', 'alloc#1 300/4096 reserved']);
  });
  it('draw sizes by weight and range from the phase random stream', () => {
    // entry by weight (0.1 -> the first, 0.9 -> the second), then the size within [64, 127]
    const sink = new RecordingSink(() => false, [0.1, 0.9, 0.5]);
    const sizes = [
      { size: 16, align: 8, weight: 1 },
      { size: [64, 127] as [number, number], align: 64, weight: 1 },
    ];
    runModules({ phase: 'modules', action: 'load', group: 'm', count: 2, sizes }, sink, newState());
    expect(sink.ops).toEqual(['alloc#0 16/8 reserved', 'alloc#1 96/64 reserved']);
  });
  it('a load whose allocation fails leaves no module behind; unload frees the loaded ones', () => {
    const sink = new RecordingSink((id) => id === 1);
    const state = newState();
    runModules({ phase: 'modules', action: 'load', group: 'm', count: 3, sizes: [{ size: 8, align: 8, weight: 1 }] }, sink, state);
    expect(state.groups.get('modules:m')!.count).toBe(2);
    runModules({ phase: 'modules', action: 'unload', group: 'm', count: null, pick: 'newest' }, sink, state);
    expect(sink.ops).toEqual(['alloc#0 8/8 reserved', 'alloc#1 8/8 reserved -> fail', 'alloc#2 8/8 reserved', 'free#2', 'free#0']);
  });
});
