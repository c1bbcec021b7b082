/** pcpu_balance_workfn of v4.14 and the frees that schedule it. */
import { describe, expect, it } from 'vitest';
import { recorder, smallV414 } from './bitmap-v414-harness.ts';

/** fills the 5-page first chunk so that later requests go to new chunks */
function fillFirstChunk(a: ReturnType<typeof smallV414>['a']): void {
  for (let i = 0; i < 5; i++) expect(a.alloc(4096, 4096, false, false)).toBe(i * 4096);
}

describe('free_percpu', () => {
  it('schedules the balance work only when a second chunk becomes fully free', () => {
    // with LOW at 0 no allocation asks for the work, so only frees do
    const { a } = smallV414({ knobs: { emptyPopPagesLow: 0, emptyPopPagesHigh: 4 } });
    fillFirstChunk(a);
    for (let i = 0; i < 4; i++) a.alloc(32768, 4, false, false); // chunks 1 and 2, two halves each
    expect(a.balancePending).toBe(false);
    a.free(1, 0);
    a.free(1, 32768);
    expect(a.balancePending).toBe(false);
    a.free(2, 0);
    expect(a.balancePending).toBe(false);
    a.free(2, 32768);
    expect(a.balancePending).toBe(true);
  });
});

describe('pcpu_balance_workfn', () => {
  it('destroys every fully free chunk except the head of the free slot, oldest move first, without a TLB flush', () => {
    const { a, platform } = smallV414();
    const rec = recorder();
    a.tracer = rec.tracer;
    fillFirstChunk(a);
    for (let i = 0; i < 6; i++) a.alloc(32768, 4, false, false); // chunks 1, 2, 3
    for (const id of [1, 2, 3]) {
      a.free(id, 0);
      a.free(id, 32768);
    }
    // the free slot now holds 3, 2, 1 (each made free went to its head)
    a.runBalance();
    expect(rec.destroyed).toEqual([1, 2]);
    expect(platform.work.tlbFlushes).toBe(0);
    expect(platform.work.pagesDepopulated).toBe(2 * 16 * 2);
    const s = a.stats();
    expect(s.nr_chunks).toBe(2);
    expect(s.chunks.map((c) => c.id)).toEqual([0, 3]);
    expect(s.nr_empty_pop_pages).toBe(16); // chunk 3's pages: nothing to populate
    expect(() => a.checkInvariants()).not.toThrow();
  });

  it('populates HIGH minus the global empty count in the first chunk with unpopulated pages, from its first unpopulated run', () => {
    const { a } = smallV414();
    fillFirstChunk(a);
    expect(a.alloc(8, 8, false, false)).toBe(0); // chunk 1, page 0 populated for the allocation
    expect(a.balancePending).toBe(true);
    a.runBalance();
    const s = a.stats();
    expect(s.nr_empty_pop_pages).toBe(4);
    expect(s.chunks[1]).toMatchObject({ id: 1, nr_populated: 5, nr_empty_pop_pages: 4 });
    expect(s.nr_chunks).toBe(2);
    expect(() => a.checkInvariants()).not.toThrow();
  });

  it('runs once however many times it was scheduled, and does nothing when nothing is needed', () => {
    const { a, platform } = smallV414();
    a.runBalance();
    expect(a.balancePending).toBe(false);
    expect(platform.work.pagesPopulated).toBe(0); // the first chunk's 5 empty pages exceed HIGH
    expect(a.stats().nr_chunks).toBe(1);
  });
});
