/** pcpu_alloc of v4.13: argument checks, reserved and normal paths, population, chunk creation. */
import { describe, expect, it } from 'vitest';
import { DYN, DYN_START, PAGE, RESERVED, STATIC, newAreamap } from './areamap-helpers.ts';

describe('areamap pcpu_alloc arguments', () => {
  it('rejects an alignment of 3: v4.13 raises only alignments below 2', () => {
    const { a, s, warnings } = newAreamap();
    expect(a.alloc(4, 3, false, false)).toBe(-1);
    expect(a.lastFailReason).toBe('illegal size (4) or align (3) for percpu allocation');
    expect(warnings).toEqual(['illegal size (4) or align (3) for percpu allocation']);
    expect(s.work.warnings).toBe(1);
    expect(s.work.failedAllocs).toBe(1);
  });

  it('raises alignment 1 to 2 and rounds odd sizes up to even', () => {
    const { a } = newAreamap();
    expect(a.alloc(3, 1, false, false)).toBe(DYN_START);
    expect(a.alloc(4, 1, false, false)).toBe(DYN_START + 4); // the 3 bytes took 4
    expect(a.alloc(2, 1, false, false)).toBe(DYN_START + 8);
  });

  it('rejects size 0, sizes above 32 KiB after rounding, and alignments above a page', () => {
    const { a, s } = newAreamap();
    expect(a.alloc(0, 8, false, false)).toBe(-1);
    expect(a.alloc(32769, 8, false, false)).toBe(-1);
    expect(a.lastFailReason).toBe('illegal size (32770) or align (8) for percpu allocation');
    expect(a.alloc(8, 2 * PAGE, false, false)).toBe(-1);
    expect(a.alloc(8, 12, true, false)).toBe(-1); // illegal even when atomic: WARN, not warn_limit
    expect(s.work.warnings).toBe(4);
    expect(a.alloc(32768, PAGE, false, false)).toBeGreaterThanOrEqual(0);
  });

  it('warns about failed sleeping allocations only ten times, but counts every failure', () => {
    const { a, s, warnings } = newAreamap();
    for (let k = 0; k < 12; k++) expect(a.alloc(RESERVED + 8, 8, false, true)).toBe(-1);
    expect(a.lastFailReason).toBe('alloc from reserved chunk failed');
    expect(s.work.failedAllocs).toBe(12);
    expect(s.work.warnings).toBe(10);
    expect(warnings[0]).toBe(`allocation failed, size=${RESERVED + 8} align=8 atomic=0, alloc from reserved chunk failed`);
  });
});

describe('areamap pcpu_alloc placement', () => {
  it('first-chunk and reserved offsets count from the start of the unit', () => {
    const { a } = newAreamap();
    expect(a.alloc(64, 16, false, true)).toBe(STATIC);
    expect(a.lastChunkId).toBe(-1);
    expect(a.alloc(64, 16, false, false)).toBe(DYN_START);
    expect(a.lastChunkId).toBe(0);
  });

  it('a reserved request ignores atomic: it may extend the reserved map', () => {
    const { a, s } = newAreamap();
    const r = s.reservedChunk!;
    // 4 bytes aligned 8 leave a 4-byte free head per allocation: two entries each
    while (r.mapUsed + 64 <= r.mapAlloc) expect(a.alloc(4, 8, true, true)).toBeGreaterThan(0);
    expect(a.alloc(4, 8, true, true)).toBeGreaterThan(0);
    expect(r.mapAlloc).toBeGreaterThan(128);
    expect(a.balancePending).toBe(false);
  });

  it('without a reserved area, reserved requests are served by the first chunk', () => {
    const { a, s } = newAreamap({ reservedSize: 0 });
    expect(s.reservedChunk).toBe(null);
    expect(a.alloc(8, 8, false, true)).toBe(STATIC);
    expect(a.lastChunkId).toBe(0);
  });

  it('creates a chunk when nothing fits, and populates only the pages a sleeping request covers', () => {
    const { a, s, platform } = newAreamap({ nrCpus: 4 });
    expect(a.alloc(DYN, 8, false, false)).toBe(DYN_START);
    expect(s.work.pagesPopulated).toBe(0); // the first chunk is populated from boot
    expect(a.alloc(PAGE + 8, 8, false, false)).toBe(0);
    expect(a.lastChunkId).toBe(1);
    expect(s.work.chunksCreated).toBe(1);
    expect(s.chunks[1]!.nrPopulated).toBe(2);
    expect(s.work.pagesPopulated).toBe(2 * 4);
    expect(platform.pagesInUse).toBe(8);
    expect(s.work.bytesZeroedPerUnit).toBe(DYN + PAGE + 8);
    a.checkInvariants();
  });

  it('an atomic request never creates a chunk or populates, and wakes the balance work on failure', () => {
    const { a, s } = newAreamap();
    expect(a.alloc(DYN, 8, true, false)).toBe(DYN_START);
    a.runBalance(); // the empty-page low mark: creates and populates a chunk
    expect(s.work.chunksCreated).toBe(1);
    const populated = s.chunks[1]!.nrPopulated;
    expect(populated).toBe(4); // PCPU_EMPTY_POP_PAGES_HIGH
    // an atomic request larger than the populated part fails, without warning
    expect(a.alloc(32768, 8, true, false)).toBe(-1);
    expect(a.lastFailReason).toBe('atomic alloc failed, no space left');
    expect(s.work.warnings).toBe(0);
    expect(a.balancePending).toBe(true);
    expect(s.chunks[1]!.nrPopulated).toBe(populated);
  });

  it('a failed population gives the area back and fails the request', () => {
    // 4 CPUs: a new chunk's first page needs 4 pages, the budget has 3
    const { a, s } = newAreamap({ pageLimit: 3 });
    expect(a.alloc(DYN, 8, false, false)).toBe(DYN_START);
    expect(a.alloc(8, 8, false, false)).toBe(-1);
    expect(a.lastFailReason).toBe('failed to populate');
    const c = s.chunks[1]!;
    expect(c.freeSize).toBe(s.unitSize);
    expect(c.nrPopulated).toBe(0);
    a.checkInvariants();
  });
});
