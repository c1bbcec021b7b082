/** The modern allocator's invariant checker notices each kind of corruption it promises to. */
import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../src/kernel/allocator.ts';
import { clearBit, setBit } from '../../src/kernel/bitops.ts';
import { MD_CONTIG, MD_CONTIG_START, MD_SCAN, MD_SCAN_START } from '../../src/kernel/bitmap/chunk.ts';
import { newAllocResult, pcpuAlloc } from '../../src/kernel/bitmap/alloc.ts';
import { checkInvariants } from '../../src/kernel/bitmap/invariants.ts';
import type { PcpuState } from '../../src/kernel/bitmap/state.ts';
import { smallState } from './bitmap-harness.ts';

function busyState(): PcpuState {
  const { state } = smallState({ reservedSize: 8192 });
  const out = newAllocResult();
  for (let i = 0; i < 120; i++) pcpuAlloc(state, out, 4 + ((i * 37) % 900), 8, false, false);
  pcpuAlloc(state, out, 64, 8, false, true);
  expect(state.chunks[2]).toBeTruthy(); // chunk 1 exists
  checkInvariants(state);
  return state;
}

const expectBroken = (state: PcpuState, what: RegExp): void => {
  expect(() => checkInvariants(state)).toThrow(InvariantError);
  expect(() => checkInvariants(state)).toThrow(what);
};

describe('checkInvariants', () => {
  it('passes on a consistent state', () => {
    expect(() => checkInvariants(busyState())).not.toThrow();
  });

  it('catches a block contig hint that covers allocated bits', () => {
    const state = busyState();
    const c = state.chunks[2]!; // chunk 1
    c.md[MD_CONTIG_START] = 0;
    c.md[MD_CONTIG] = 900;
    c.markDirty(0, 0);
    expectBroken(state, /block 0 contig_hint/);
  });

  it('catches a chunk scan hint over allocated bits', () => {
    const state = busyState();
    const c = state.firstChunk!;
    c.md[c.chunkMd + MD_SCAN_START] = 0;
    c.md[c.chunkMd + MD_SCAN] = 8;
    c.markDirty(0, 0);
    expectBroken(state, /chunk_md scan_hint/);
  });

  it('catches free bytes that disagree with the bitmap', () => {
    const state = busyState();
    const c = state.firstChunk!;
    c.freeBytes += 4;
    c.markDirty(0, 0);
    expectBroken(state, /free_bytes/);
  });

  it('catches a bitmap change the hints do not know about', () => {
    const state = busyState();
    const c = state.chunks[2]!;
    const last = c.mapBits - 1;
    setBit(c.allocMap, last);
    c.freeBytes -= 4;
    c.markDirty(c.nrBlocks - 1, c.nrBlocks - 1);
    expectBroken(state, /right_free|contig_hint/);
    clearBit(c.allocMap, last);
  });

  it('catches empty-page and populated counters that disagree', () => {
    const state = busyState();
    state.nrEmptyPopPages++;
    expectBroken(state, /pcpu_nr_empty_pop_pages/);
    state.nrEmptyPopPages--;
    state.chunks[2]!.nrPopulated++;
    state.chunks[2]!.popDirty = true;
    expectBroken(state, /nr_populated/);
  });

  it('catches a chunk on the wrong list', () => {
    const state = busyState();
    state.lists.move(2, state.freeSlot);
    expectBroken(state, /on list/);
    const s2 = busyState();
    s2.lists.move(0, 3);
    expectBroken(s2, /reserved chunk on list/);
  });
});
