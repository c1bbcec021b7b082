/**
 * What v5.10 decides differently from v6.12 on the same small machine: its list numbering (the
 * free list right after the size slots), no isolation of half-empty chunks (so their pages stay
 * populated), and no warning for a failed atomic request.
 */
import { describe, expect, it } from 'vitest';
import type { KernelKnobs, PercpuAllocator } from '../../src/kernel/allocator.ts';
import { createBitmapAllocatorWith } from '../../src/kernel/bitmap/index.ts';
import { rawSizeToSlot } from '../../src/kernel/bitmap/slots.ts';
import { createBitmapV510AllocatorWith } from '../../src/kernel/bitmap-v5.10/index.ts';
import { SimplePlatform } from '../../src/hw/simple-platform.ts';
import { machine } from './bitmap-harness.ts';

const UNIT_PAGES = 16;
const build = (make: typeof createBitmapAllocatorWith, knobs?: KernelKnobs): PercpuAllocator => {
  const { config, ai } = machine({ unitPages: UNIT_PAGES, knobs });
  return make(config, new SimplePlatform(null), { allocInfo: ai });
};

/**
 * 30 page-sized objects (chunk 1 fills up), then with `spare` one object of chunk 2 freed (an
 * empty page elsewhere), then every one in chunk 1 freed but the first `keep`
 */
function churn(a: PercpuAllocator, keep: number, spare = false): void {
  const live: [number, number][] = [];
  for (let i = 0; i < 30; i++) {
    const off = a.alloc(4096, 4096, false, false);
    live.push([a.lastChunkId, off]);
    if (a.balancePending) a.runBalance();
  }
  const victims = live.filter(([c]) => c === 1).slice(keep);
  if (spare) victims.unshift(live.find(([c]) => c === 2)!);
  for (const [c, off] of victims) {
    a.free(c, off);
    if (a.balancePending) a.runBalance();
  }
  a.checkInvariants();
}

const chunk1 = (a: PercpuAllocator) => a.stats().chunks.find((c) => c.id === 1)!;

describe('bitmap-v5.10 against bitmap (v6.12)', () => {
  it('numbers the free list S+1: a fully free chunk sits there, not on S+2', () => {
    const S = rawSizeToSlot(UNIT_PAGES * 4096);
    for (const [make, freeList] of [[createBitmapV510AllocatorWith, S + 1], [createBitmapAllocatorWith, S + 2]] as const) {
      const a = build(make);
      churn(a, 0);
      expect(chunk1(a).free_bytes).toBe(UNIT_PAGES * 4096);
      expect(chunk1(a).list).toBe(freeList);
    }
  });

  it('keeps the pages of a mostly empty chunk populated, where v6.12 sidelines it and gives them back', () => {
    // no empty-page reserve (LOW = HIGH = 0), so the empty page freed in chunk 2 is enough for v6.12 to reclaim
    const knobs = { emptyPopPagesLow: 0, emptyPopPagesHigh: 0 };
    const old = build(createBitmapV510AllocatorWith, knobs);
    const modern = build(createBitmapAllocatorWith, knobs);
    churn(old, 1, true);
    churn(modern, 1, true);
    expect(chunk1(old).nr_populated).toBe(UNIT_PAGES);
    expect(chunk1(modern).nr_populated).toBe(1);
    expect(chunk1(modern).list).toBe(rawSizeToSlot(UNIT_PAGES * 4096) + 1); // sidelined
  });

  it('does not warn when an atomic request fails', () => {
    for (const [make, warns] of [[createBitmapV510AllocatorWith, 0], [createBitmapAllocatorWith, 1]] as const) {
      const { config, ai } = machine({ unitPages: UNIT_PAGES });
      const platform = new SimplePlatform(null);
      const a = make(config, platform, { allocInfo: ai });
      const before = platform.work.warnings;
      expect(a.alloc(32768, 4096, true, false)).toBe(-1); // nothing populated can hold it
      expect(platform.work.warnings - before).toBe(warns);
    }
  });
});
