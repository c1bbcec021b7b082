/** pcpu_alloc of v4.14 through the public PercpuAllocator interface. */
import { describe, expect, it } from 'vitest';
import type { PercpuTracer } from '../../src/kernel/allocator.ts';
import { SimplePlatform } from '../../src/hw/simple-platform.ts';
import { recorder, smallV414 } from './bitmap-v414-harness.ts';

describe('argument checks', () => {
  it('refuses illegal sizes and alignments with the kernel WARN, without a failure trace or the warn limit', () => {
    const { a, platform } = smallV414();
    const rec = recorder();
    a.tracer = rec.tracer;
    expect(a.alloc(0, 4, false, false)).toBe(-1);
    expect(a.alloc(32769, 4, false, false)).toBe(-1);
    expect(a.alloc(8, 8192, false, false)).toBe(-1);
    expect(a.alloc(8, 6, true, false)).toBe(-1);
    expect(rec.warnings).toEqual([
      'illegal size (0) or align (4) for percpu allocation',
      'illegal size (32772) or align (4) for percpu allocation',
      'illegal size (8) or align (8192) for percpu allocation',
      'illegal size (8) or align (6) for percpu allocation',
    ]);
    expect(rec.fails).toEqual([]);
    expect(platform.work.warnings).toBe(4);
    expect(platform.work.failedAllocs).toBe(4);
    expect(a.lastFailReason).toBe('illegal size (8) or align (6) for percpu allocation');
  });

  it('raises an alignment below 4 to 4 before checking it, and rounds the size up to 4 bytes', () => {
    const { a } = smallV414();
    expect(a.alloc(1, 0, false, false)).toBe(0);
    expect(a.alloc(3, 2, false, false)).toBe(4);
    expect(a.alloc(2, 3, false, false)).toBe(8); // 3 becomes 4 before the power-of-two test
    expect(a.alloc(32768, 4096, false, false)).toBeGreaterThanOrEqual(0); // the largest legal request
  });

  it('allows 64 KiB requests on 64 KiB pages', () => {
    const { a } = smallV414({ pageSize: 65536, unitPages: 4, staticSize: 65536, dynSize: 65536 });
    expect(a.alloc(65536, 65536, false, false)).toBeGreaterThanOrEqual(0);
    expect(a.alloc(65540, 4, false, false)).toBe(-1);
  });
});

describe('failures', () => {
  it('never warns about atomic failures; it traces them and asks the balance work for HIGH pages', () => {
    const { a, platform } = smallV414();
    const rec = recorder();
    a.tracer = rec.tracer;
    for (let i = 0; i < 5; i++) expect(a.alloc(4096, 4096, true, false)).toBe(i * 4096);
    expect(a.alloc(4096, 4096, true, false)).toBe(-1);
    expect(a.lastFailReason).toBe('atomic alloc failed, no space left');
    expect(rec.fails).toEqual([true]);
    expect(rec.warnings).toEqual([]);
    expect(platform.work.warnings).toBe(0);
    expect(platform.work.failedAllocs).toBe(1);
    expect(a.balancePending).toBe(true);
    a.runBalance();
    // no chunk had unpopulated pages: one is made and gets all of PCPU_EMPTY_POP_PAGES_HIGH
    expect(rec.created).toEqual([1]);
    const s = a.stats();
    expect(s.nr_empty_pop_pages).toBe(4);
    expect(s.chunks[1]).toMatchObject({ id: 1, nr_populated: 4, nr_empty_pop_pages: 4 });
  });

  it('warns about at most ten sleeping failures, then prints the limit line without counting it', () => {
    const { a, platform } = smallV414({ pageLimit: 0 });
    const rec = recorder();
    a.tracer = rec.tracer;
    for (let i = 0; i < 5; i++) expect(a.alloc(4096, 4096, false, false)).toBe(i * 4096); // the first chunk needs no pages
    for (let i = 0; i < 12; i++) expect(a.alloc(4096, 4, false, false)).toBe(-1);
    expect(a.lastFailReason).toBe('failed to populate');
    expect(rec.warnings.length).toBe(11);
    expect(rec.warnings[0]).toBe('allocation failed, size=4096 align=4 atomic=0, failed to populate');
    expect(rec.warnings[10]).toBe('limit reached, disable warning');
    expect(platform.work.warnings).toBe(10);
    expect(platform.work.failedAllocs).toBe(12);
    // one chunk was made for the first failure and reused for the rest
    expect(rec.created).toEqual([1]);
    expect(() => a.checkInvariants()).not.toThrow();
  });
});

describe('reserved chunk', () => {
  it('serves reserved requests as GFP_KERNEL whatever the caller asked, from chunk -1', () => {
    const { a } = smallV414({ reservedSize: 8192 });
    const atomicFlags: boolean[] = [];
    const rec = recorder();
    const tracer: PercpuTracer = { ...rec.tracer, allocPercpu: (_r, atomic) => { atomicFlags.push(atomic); } };
    a.tracer = tracer;
    expect(a.alloc(8, 8, true, true)).toBe(0);
    expect(a.lastChunkId).toBe(-1);
    expect(atomicFlags).toEqual([false]);
    expect(a.stats().chunks[0]).toMatchObject({ id: -1, list: -1, free_bytes: 8192 - 8 });
  });

  it('fails a reserved request that does not fit without falling back to other chunks', () => {
    const { a } = smallV414({ reservedSize: 8192 });
    expect(a.alloc(8192, 4, false, true)).toBe(0);
    expect(a.alloc(4, 4, false, true)).toBe(-1);
    expect(a.lastFailReason).toBe('alloc from reserved chunk failed');
  });
});

describe('slots and chunks', () => {
  it('files chunks by free bytes, not by contig hint', () => {
    const { a } = smallV414(); // 16-page units: 14 size slots, the free slot is 15
    expect(a.alloc(4096, 4096, false, false)).toBe(0);
    expect(a.alloc(4096, 4096, false, false)).toBe(4096);
    a.free(0, 0);
    const c = a.stats().chunks[0]!;
    expect(c.free_bytes).toBe(16384); // __pcpu_size_to_slot(16384) = 12
    expect(c.contig_bytes).toBe(12288); // by contig it would be slot 11
    expect(c.list).toBe(12);
  });

  it('makes a chunk only when the free slot is empty, and numbers chunks in creation order', () => {
    const { a } = smallV414();
    const rec = recorder();
    a.tracer = rec.tracer;
    for (let i = 0; i < 5; i++) a.alloc(4096, 4096, false, false);
    expect(a.alloc(32768, 4, false, false)).toBe(0);
    expect(a.lastChunkId).toBe(1);
    expect(a.alloc(32768, 4, false, false)).toBe(32768);
    expect(a.alloc(4, 4, false, false)).toBe(0);
    expect(a.lastChunkId).toBe(2);
    expect(rec.created).toEqual([1, 2]);
  });

  it('adds no empty pages for pages it populates to serve an allocation', () => {
    const { a, platform } = smallV414();
    for (let i = 0; i < 5; i++) a.alloc(4096, 4096, false, false);
    expect(a.alloc(8, 8, false, false)).toBe(0);
    const s = a.stats();
    expect(s.chunks[1]).toMatchObject({ id: 1, nr_populated: 1, nr_empty_pop_pages: 0 });
    expect(s.nr_empty_pop_pages).toBe(0);
    expect(platform.work.pagesPopulated).toBe(2); // one page for each of the two CPUs
  });
});

describe('zeroing', () => {
  it('zeroes the rounded size at the offset in every unit of the chunk', () => {
    class ZeroSpy extends SimplePlatform {
      zeroed: [number, number][] = [];
      override zeroUnits(_base: number, off: number, bytes: number): void {
        this.zeroed.push([off, bytes]);
      }
    }
    const spy = new ZeroSpy(null);
    const { a } = smallV414({ platform: spy });
    a.alloc(6, 4, false, false);
    a.alloc(13, 8, false, false);
    expect(spy.zeroed).toEqual([[0, 8], [8, 16]]);
    expect(spy.work.bytesZeroedPerUnit).toBe(24);
  });
});
