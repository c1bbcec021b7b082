import { describe, expect, it } from 'vitest';
import { CacheHierarchy, CacheLevel } from '../../src/hw/cache.ts';

// 2 sets x 2 ways of 64-byte lines: even lines go to set 0, odd lines to set 1
const tiny = (): CacheLevel => new CacheLevel({ size: 256, ways: 2, lineSize: 64 });

describe('CacheLevel (set-associative, LRU)', () => {
  it('misses on first use and hits after', () => {
    const c = tiny();
    expect(c.access(0)).toBe(false);
    expect(c.access(0)).toBe(true);
    expect([c.hits, c.misses]).toEqual([1, 1]);
  });

  it('evicts the least recently used way of the set', () => {
    const c = tiny();
    c.access(0); // set 0: {0}
    c.access(2); // set 0: {0, 2}
    c.access(0); // 0 becomes most recent
    expect(c.access(4)).toBe(false); // evicts 2, the LRU
    expect(c.contains(0)).toBe(true);
    expect(c.contains(2)).toBe(false);
    expect(c.access(2)).toBe(false); // evicts 0 now (4 is more recent)
    expect(c.contains(0)).toBe(false);
    expect(c.contains(4)).toBe(true);
  });

  it('keeps sets apart: odd lines do not evict even ones', () => {
    const c = tiny();
    c.access(0);
    c.access(2);
    for (let l = 1; l < 40; l += 2) c.access(l);
    expect(c.contains(0) && c.contains(2)).toBe(true);
  });

  it('holds exactly size / lineSize lines when they spread over all sets', () => {
    const c = new CacheLevel({ size: 32 * 1024, ways: 8, lineSize: 64 });
    for (let l = 0; l < 512; l++) c.access(1000 + l);
    for (let l = 0; l < 512; l++) expect(c.access(1000 + l)).toBe(true);
    expect(c.access(1000 + 512)).toBe(false);
    expect(c.contains(1000)).toBe(false); // line 1000 was the LRU of its set
  });

  it('forgets an invalidated line and reuses its way first', () => {
    const c = tiny();
    c.access(0);
    c.access(2);
    c.invalidate(0);
    expect(c.contains(0)).toBe(false);
    c.access(4); // takes the empty way, 2 stays
    expect(c.contains(2)).toBe(true);
  });

  it('works at metadata addresses (lines near 2^34)', () => {
    const c = tiny();
    const l = 2 ** 34 + 6;
    c.access(l);
    expect(c.contains(l)).toBe(true);
    expect(c.contains(l + 2)).toBe(false); // same set, different tag
  });

  it('rejects a geometry that is not a whole number of sets', () => {
    expect(() => new CacheLevel({ size: 1000, ways: 2, lineSize: 64 })).toThrow(/whole number/);
  });
});

describe('CacheHierarchy', () => {
  it('reports the level that hit and fills the nearer levels', () => {
    const l1 = tiny();
    const l2 = new CacheLevel({ size: 1024, ways: 4, lineSize: 64 });
    const h = new CacheHierarchy([l1, l2]);
    expect(h.access(0)).toBe(2); // memory
    expect(h.access(0)).toBe(0); // L1
    // push line 0 out of L1 (set 0 holds 2 lines) but not out of L2
    h.access(2);
    h.access(4);
    expect(l1.contains(0)).toBe(false);
    expect(h.access(0)).toBe(1); // L2, and back into L1
    expect(l1.contains(0)).toBe(true);
  });
});
