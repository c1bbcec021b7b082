/** The v4.14 invariant checker notices each kind of corruption it promises to, and only those. */
import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../src/kernel/allocator.ts';
import { setBit } from '../../src/kernel/bitops.ts';
import { pcpuAlloc } from '../../src/kernel/bitmap-v4.14/alloc.ts';
import { MD_CONTIG, MD_CONTIG_START, MD_FIRST_FREE, MD_LEFT_FREE, MD_STRIDE } from '../../src/kernel/bitmap-v4.14/chunk.ts';
import { freePercpu } from '../../src/kernel/bitmap-v4.14/free.ts';
import { checkInvariantsV414 } from '../../src/kernel/bitmap-v4.14/invariants.ts';
import type { PcpuV414 } from '../../src/kernel/bitmap-v4.14/state.ts';
import { rng, smallV414, smallV414State } from './bitmap-v414-harness.ts';

function busyState(): PcpuV414 {
  const { p } = smallV414State({ reservedSize: 8192 });
  const out = { lastChunkId: 0, lastFailReason: null as string | null };
  for (let i = 0; i < 120; i++) pcpuAlloc(p, out, 4 + ((i * 37) % 900), 8, false, false);
  pcpuAlloc(p, out, 64, 8, true, false);
  expect(p.chunks[2]).toBeTruthy();
  checkInvariantsV414(p);
  return p;
}

const expectBroken = (p: PcpuV414, what: RegExp): void => {
  expect(() => checkInvariantsV414(p)).toThrow(InvariantError);
  expect(() => checkInvariantsV414(p)).toThrow(what);
};

describe('checkInvariantsV414', () => {
  it('passes on a consistent state', () => {
    expect(() => checkInvariantsV414(busyState())).not.toThrow();
  });

  it('catches a block contig hint over allocated bits', () => {
    const p = busyState();
    const c = p.chunks[2]!;
    c.md[MD_CONTIG_START] = 0;
    c.md[MD_CONTIG] = 900;
    c.markDirty(0, 0);
    expectBroken(p, /block 0 contig_hint 900@0 covers allocated bits/);
  });

  it('catches a left_free longer than the free run at the block start', () => {
    const p = busyState();
    const c = p.chunks[2]!;
    c.md[2 * MD_STRIDE + MD_LEFT_FREE] = 5;
    setBit(c.allocMap, 2 * 1024 + 1);
    c.freeBytes -= 4;
    c.markDirty(2, 2);
    expectBroken(p, /block 2 left_free/);
  });

  it('catches a block first_free that skips a free bit', () => {
    const p = busyState();
    const c = p.chunks[1]!;
    const b = 3 * MD_STRIDE;
    c.md[b + MD_FIRST_FREE] = c.md[b + MD_CONTIG_START]! + 1;
    c.markDirty(3, 3);
    expectBroken(p, /block 3 first_free/);
  });

  it('catches free_bytes that disagree with the bitmap', () => {
    const p = busyState();
    p.chunks[2]!.freeBytes += 4;
    expectBroken(p, /chunk 1: free_bytes/);
  });

  it('catches a chunk on a list its free bytes do not imply', () => {
    const p = busyState();
    p.lists.move(2, 0); // list entry of chunk 1
    expectBroken(p, /chunk 1: on list 0 but/);
  });

  it('catches a global empty-page count that is not the sum of the chunks', () => {
    const p = busyState();
    p.nrEmptyPopPages++;
    expectBroken(p, /pcpu_nr_empty_pop_pages/);
  });

  it('catches nr_populated that disagrees with the populated bitmap', () => {
    const p = busyState();
    const c = p.chunks[2]!;
    c.nrPopulated++;
    c.popDirty = true;
    expectBroken(p, /nr_populated/);
  });

  it('holds after every operation of a long random run, across chunk creation and destruction', () => {
    const { a } = smallV414({ reservedSize: 8192 });
    const next = rng(414);
    const live: { chunk: number; off: number }[] = [];
    for (let i = 0; i < 4000; i++) {
      const r = next();
      if (r < 0.55 || live.length === 0) {
        const size = 4 * (1 + Math.floor(next() * (next() < 0.1 ? 4000 : 64)));
        const align = 1 << Math.floor(next() * 7);
        const off = a.alloc(size, align, next() < 0.2, next() < 0.05);
        if (off >= 0) live.push({ chunk: a.lastChunkId, off });
      } else {
        const k = Math.floor(next() * live.length);
        const { chunk, off } = live[k]!;
        live[k] = live[live.length - 1]!;
        live.pop();
        a.free(chunk, off);
      }
      if (a.balancePending && next() < 0.7) a.runBalance();
      a.checkInvariants();
    }
    expect(a.stats().nr_chunks).toBeGreaterThan(1);
  });

  it('direct frees through freePercpu keep the state consistent', () => {
    const p = busyState();
    const out = { lastChunkId: 0, lastFailReason: null as string | null };
    const off = pcpuAlloc(p, out, 128, 8, false, false);
    freePercpu(p, out.lastChunkId, off);
    expect(() => checkInvariantsV414(p)).not.toThrow();
  });
});
