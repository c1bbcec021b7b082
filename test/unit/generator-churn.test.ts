import { describe, expect, it } from 'vitest';
import { runChurn } from '../../src/engine/generators/churn.ts';
import type { ChurnSpec } from '../../src/engine/generators/churn.ts';
import { RecordingSink, newState } from './generator-harness.ts';

const spec = (over: Partial<ChurnSpec>): ChurnSpec => ({
  phase: 'churn',
  ops: 5,
  sizes: [{ size: 32, align: 8, weight: 1 }],
  allocFraction: 0,
  liveTarget: 2,
  victim: 'oldest',
  atomic: false,
  ...over,
});

describe('random churn', () => {
  it('fills to the live target, then frees the oldest (FIFO) when the draw says free', () => {
    const sink = new RecordingSink();
    const state = newState();
    runChurn(spec({}), sink, state);
    expect(sink.ops).toEqual(['alloc#0 32/8', 'alloc#1 32/8', 'free#0', 'alloc#2 32/8', 'free#1']);
    // the survivor joins the run's live set for a later free phase
    expect(state.live.count).toBe(1);
    expect(state.live.id[0]).toBe(2);
  });
  it('frees the newest (LIFO)', () => {
    const sink = new RecordingSink();
    runChurn(spec({ victim: 'newest' }), sink, newState());
    expect(sink.ops).toEqual(['alloc#0 32/8', 'alloc#1 32/8', 'free#1', 'alloc#2 32/8', 'free#2']);
  });
  it('mixes by allocFraction and frees a random live object; survivors join in allocation order', () => {
    // each call: [alloc/free draw] then [size draw] when it allocates; with nothing live it allocates without a draw
    // call0: nothing live -> alloc#0 (size 0.5); call1: 0.1 < 0.5 alloc#1 (0.5); call2: 0.2 alloc#2 (0.5);
    // call3: 0.9 -> free, victim 0.0 -> the first live slot (#0); call4: 0.9 -> free, victim 0.99 -> the last slot
    const sink = new RecordingSink(() => false, [0.5, 0.1, 0.5, 0.2, 0.5, 0.9, 0.0, 0.9, 0.99]);
    const state = newState();
    runChurn(spec({ liveTarget: 0, allocFraction: 0.5, victim: 'random', atomic: true }), sink, state);
    // after freeing #0 from slot 0, #2 moved into slot 0 and #1 is the last slot
    expect(sink.ops).toEqual(['alloc#0 32/8 atomic', 'alloc#1 32/8 atomic', 'alloc#2 32/8 atomic', 'free#0', 'free#1']);
    expect([...state.live.id.subarray(0, state.live.length)]).toEqual([2]);
  });
  it('does not count a failed allocation as live', () => {
    const sink = new RecordingSink((id) => id === 0);
    runChurn(spec({ ops: 3, liveTarget: 1 }), sink, newState());
    expect(sink.ops).toEqual(['alloc#0 32/8 -> fail', 'alloc#1 32/8', 'free#1']);
  });
});
