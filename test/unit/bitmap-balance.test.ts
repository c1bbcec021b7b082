/**
 * free_percpu's balance decisions and pcpu_balance_workfn of the modern allocator, on a
 * machine with 2 CPUs, 4 KiB pages and 16-page (64 KiB) units: lists 0..14 are size slots,
 * 15 sidelined, 16 free, 17 to_depopulate.
 */
import { describe, expect, it } from 'vitest';
import type { ChunkStats, PercpuAllocator } from '../../src/kernel/allocator.ts';
import { smallAllocator } from './bitmap-harness.ts';

const chunk = (a: PercpuAllocator, id: number): ChunkStats | undefined => a.stats().chunks.find((c) => c.id === id);
const SIDELINED = 15;
const FREE = 16;

/** fill the first chunk; the request that no longer fits lands at offset 0 of chunk 1 */
function fillFirst(a: PercpuAllocator): void {
  while (a.alloc(4096, 4, false, false) >= 0 && a.lastChunkId === 0);
  expect(a.lastChunkId).toBe(1);
}

describe('free_percpu', () => {
  it('wakes the balance work for a second fully free chunk; the work keeps the one freed last', () => {
    const { a, platform } = smallAllocator();
    fillFirst(a); // chunk 1: page 0
    expect(a.alloc(32768, 4096, false, false)).toBe(4096); // chunk 1: pages 1..8
    expect(a.alloc(32768, 4096, false, false)).toBe(0);
    expect(a.lastChunkId).toBe(2);
    a.runBalance(); // backs 4 more pages of chunk 1, the fuller one

    a.free(1, 4096);
    a.free(1, 0);
    expect(chunk(a, 1)!.list).toBe(FREE);
    expect(a.balancePending).toBe(false); // the only fully free chunk

    a.free(2, 0);
    expect(chunk(a, 2)!.list).toBe(FREE);
    expect(a.balancePending).toBe(true);
    const destroyed = platform.work.chunksDestroyed;
    a.runBalance();
    expect(chunk(a, 2)).toBeDefined();
    expect(chunk(a, 1)).toBeUndefined();
    expect(platform.work.chunksDestroyed).toBe(destroyed + 1);
    expect(platform.work.pagesDepopulated).toBe(13 * 2);
    expect(a.balancePending).toBe(false);
  });

  it('isolates a chunk with a quarter of its pages empty while others hold plenty; reclaim depopulates them with one TLB flush and sidelines it', () => {
    const { a, platform } = smallAllocator();
    fillFirst(a);
    const offs = [0];
    for (let i = 1; i < 16; i++) {
      offs.push(a.alloc(4096, 4096, false, false));
      expect(a.lastChunkId).toBe(1);
    }
    const z = a.alloc(32768, 4096, false, false);
    expect(a.lastChunkId).toBe(2);
    a.runBalance();
    a.free(2, z);
    expect(a.balancePending).toBe(false);
    const othersEmpty = a.stats().nr_empty_pop_pages;
    expect(othersEmpty).toBeGreaterThan(4);

    for (const i of [8, 9, 10]) a.free(1, offs[i]!);
    expect(a.balancePending).toBe(false); // 3 of 16 pages empty: below a quarter
    a.free(1, offs[11]!);
    expect(a.balancePending).toBe(true);
    expect(chunk(a, 1)!.list).toBe(FREE + 1);
    expect(a.stats().nr_empty_pop_pages).toBe(othersEmpty); // isolated: its pages no longer count

    const flushes = platform.work.tlbFlushes;
    a.runBalance();
    const after = chunk(a, 1)!;
    expect([after.nr_populated, after.nr_empty_pop_pages, after.list]).toEqual([12, 0, SIDELINED]);
    expect(platform.work.tlbFlushes).toBe(flushes + 1);
    expect(platform.work.pagesDepopulated).toBe(4 * 2);

    // the sidelined list is searched before the free one; serving from it reintegrates the chunk
    expect(a.alloc(4096, 4096, false, false)).toBe(8 * 4096);
    expect(a.lastChunkId).toBe(1);
    expect(chunk(a, 1)!.list).toBeLessThan(SIDELINED);
    expect(chunk(a, 1)!.nr_populated).toBe(13);
  });
});

describe('pcpu_balance_populated', () => {
  it('tops the empty populated pages up to the high watermark', () => {
    const { a } = smallAllocator();
    fillFirst(a);
    expect(a.stats().nr_empty_pop_pages).toBe(0);
    a.runBalance();
    expect(a.stats().nr_empty_pop_pages).toBe(4);
    expect(chunk(a, 1)!.nr_empty_pop_pages).toBe(4);
    expect(chunk(a, 1)!.nr_populated).toBe(5);
  });

  it('with the km backend, chunks are born populated and never isolated for reclaim', () => {
    const { a, platform } = smallAllocator({ backend: 'km' });
    fillFirst(a);
    expect(chunk(a, 1)!.nr_populated).toBe(16);
    expect(platform.work.pagesPopulated).toBe(16 * 2);
    for (let i = 1; i < 8; i++) a.alloc(4096, 4096, false, false);
    a.runBalance();
    for (let i = 1; i < 8; i++) a.free(1, i * 4096);
    expect(a.balancePending).toBe(false);
    a.runBalance();
    expect(chunk(a, 1)!.nr_populated).toBe(16);
    expect(platform.work.tlbFlushes).toBe(0);
  });
});
