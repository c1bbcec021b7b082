/** pcpu_alloc_noprof of the modern allocator, through the public PercpuAllocator interface. */
import { describe, expect, it } from 'vitest';
import type { PercpuTracer } from '../../src/kernel/allocator.ts';
import { smallAllocator } from './bitmap-harness.ts';

function recordWarnings(): { tracer: PercpuTracer; warnings: string[]; fails: number[] } {
  const warnings: string[] = [];
  const fails: number[] = [];
  const noop = (): void => {};
  return {
    warnings,
    fails,
    tracer: {
      allocPercpu: noop, freePercpu: noop, createChunk: noop, destroyChunk: noop,
      allocPercpuFail: (_r, _a, size) => { fails.push(size); },
      warn: (t) => { warnings.push(t); },
    },
  };
}

describe('argument checks', () => {
  it('refuses illegal sizes and alignments with the kernel warning, without a failure trace', () => {
    const { a, platform } = smallAllocator();
    const rec = recordWarnings();
    a.tracer = rec.tracer;
    expect(a.alloc(0, 4, false, false)).toBe(-1);
    expect(a.alloc(32769, 4, false, false)).toBe(-1);
    expect(a.alloc(8, 8192, false, false)).toBe(-1);
    expect(a.alloc(8, 12, false, false)).toBe(-1);
    expect(rec.warnings).toEqual([
      'illegal size (0) or align (4) for percpu allocation',
      'illegal size (32772) or align (4) for percpu allocation',
      'illegal size (8) or align (8192) for percpu allocation',
      'illegal size (8) or align (12) for percpu allocation',
    ]);
    expect(rec.fails).toEqual([]);
    expect(platform.work.failedAllocs).toBe(4);
    expect(a.lastFailReason).toBe('illegal size (8) or align (12) for percpu allocation');
  });

  it('raises an alignment below 4 to 4 and rounds the size up to 4 bytes', () => {
    const { a } = smallAllocator();
    const first = a.alloc(1, 1, false, false);
    const second = a.alloc(3, 2, false, false);
    expect(second - first).toBe(4);
    expect(a.alloc(32768, 4096, false, false)).toBeGreaterThanOrEqual(0); // the largest legal request
  });

  it('warns about at most ten failed allocations, then says the limit is reached', () => {
    const { a, platform } = smallAllocator({ pageLimit: 0 });
    const rec = recordWarnings();
    a.tracer = rec.tracer;
    // the first chunk is full after these; every later request needs a new, unpopulatable chunk
    while (a.alloc(4096, 4, false, false) >= 0);
    for (let i = 0; i < 12; i++) expect(a.alloc(4096, 4, false, false)).toBe(-1);
    expect(rec.fails.length).toBe(13);
    expect(rec.warnings.filter((w) => w.startsWith('allocation failed')).length).toBe(10);
    expect(rec.warnings[10]).toBe('limit reached, disable warning');
    expect(rec.warnings[0]).toBe('allocation failed, size=4096 align=4 atomic=0, failed to populate');
    expect(platform.work.warnings).toBe(10);
    expect(platform.work.failedAllocs).toBe(13);
  });
});

describe('the first chunk', () => {
  it('serves its first allocation right after the static and reserved areas (doc §2.3 example)', () => {
    const { a } = smallAllocator({ nrCpus: 4, unitPages: 64, staticSize: 180000, reservedSize: 8192, dynSize: 28896 });
    const s = a.stats();
    // reserved: 3 pages, hidden head in the first and hidden tail in the last, so one empty page
    expect(s.chunks.map((c) => [c.id, c.nr_populated, c.nr_empty_pop_pages])).toEqual([[-1, 3, 1], [0, 8, 7]]);
    expect(s.chunks[0]!.free_bytes).toBe(8192);
    expect(s.chunks[0]!.extra.first_free).toBe(968);
    expect(a.alloc(8, 8, false, false)).toBe(3872);
    expect(a.lastChunkId).toBe(0);
    expect(s.nr_populated).toBe(53);
  });

  it('serves reserved requests only from the reserved chunk, as GFP_KERNEL, with no fallback', () => {
    const { a } = smallAllocator({ reservedSize: 8192 });
    expect(a.alloc(4096, 4, true, true)).toBeGreaterThanOrEqual(0);
    expect(a.lastChunkId).toBe(-1);
    expect(a.alloc(8192, 4, true, true)).toBe(-1);
    expect(a.lastFailReason).toBe('alloc from reserved chunk failed');
    expect(a.balancePending).toBe(false); // not an atomic failure
  });

  it('sends reserved requests to normal chunks when there is no reserved chunk', () => {
    const { a } = smallAllocator();
    expect(a.alloc(64, 8, false, true)).toBeGreaterThanOrEqual(0);
    expect(a.lastChunkId).toBe(0);
  });
});

describe('chunk choice and population', () => {
  it('creates a chunk only when nothing fits, and populates only the pages the area covers', () => {
    const { a } = smallAllocator();
    while (a.alloc(16384, 4, false, false) >= 0 && a.lastChunkId === 0);
    expect(a.lastChunkId).toBe(1);
    const c1 = a.stats().chunks.find((c) => c.id === 1)!;
    expect(c1.nr_populated).toBe(4);
    // 4 KiB are left in the first chunk: an 8 KiB request goes to chunk 1 and backs two more pages
    expect(a.alloc(8192, 64, false, false)).toBe(16384);
    expect(a.lastChunkId).toBe(1);
    expect(a.stats().chunks.find((c) => c.id === 1)!.nr_populated).toBe(6);
  });

  it('an atomic request neither creates chunks nor touches unpopulated pages, and wakes the balance work', () => {
    const { a } = smallAllocator();
    while (a.alloc(4096, 4, true, false) >= 0);
    expect(a.lastFailReason).toBe('atomic alloc failed, no space left');
    expect(a.stats().nr_chunks).toBe(1);
    expect(a.balancePending).toBe(true);
    a.runBalance();
    // an atomic failure asks for the full high watermark of empty pages
    expect(a.stats().nr_empty_pop_pages).toBe(4);
    expect(a.alloc(4096, 4, true, false)).toBeGreaterThanOrEqual(0);
    expect(a.lastChunkId).toBe(1);
  });

  it('counts bytes zeroed in each unit and schedules balance work below the low watermark', () => {
    const { a, platform } = smallAllocator();
    a.alloc(100, 4, false, false);
    expect(platform.work.bytesZeroedPerUnit).toBe(100);
    expect(a.balancePending).toBe(false);
    while (a.stats().nr_empty_pop_pages >= 2) a.alloc(4096, 4096, false, false);
    expect(a.balancePending).toBe(true);
  });

  it('parks a small-slot chunk that failed a fit in slot 0 and skips it afterwards', () => {
    const { a } = smallAllocator();
    // fill the first chunk with 16-byte objects, then free every other one: 16-byte holes, slot 2
    const offs: number[] = [];
    for (let off = a.alloc(16, 4, false, false); a.lastChunkId === 0; off = a.alloc(16, 4, false, false)) offs.push(off);
    for (let i = 0; i < offs.length; i += 2) a.free(0, offs[i]!);
    const first = (): { list: number; contig_bytes: number } => a.stats().chunks.find((c) => c.id === 0)!;
    expect(first().contig_bytes).toBe(16);
    expect(first().list).toBe(2);
    a.alloc(20, 4, false, false); // slot 2 request that the hint rules out
    expect(a.lastChunkId).toBe(1);
    expect(first().list).toBe(0);
    a.alloc(12, 4, false, false); // would fit a hole, but slot 0 is never searched
    expect(a.lastChunkId).toBe(1);
  });
});
