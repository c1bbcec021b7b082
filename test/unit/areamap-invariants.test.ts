/** The v4.13 invariant checker notices each kind of corruption, and allows the hint to overestimate. */
import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../src/kernel/allocator.ts';
import { newAreamap } from './areamap-helpers.ts';

function busy() {
  const h = newAreamap();
  for (let k = 0; k < 50; k++) h.a.alloc(8 + (k % 5) * 8, 8, false, false);
  h.a.checkInvariants();
  return h;
}

describe('areamap invariants', () => {
  it('accept a contig hint above the largest free area', () => {
    const { a, s } = busy();
    s.firstChunk.contigHint += 1000;
    s.firstChunk.changed();
    // a hint large enough to change nothing about the slot
    expect(() => a.checkInvariants()).not.toThrow();
  });

  it('reject a contig hint below the largest free area', () => {
    const { a, s } = busy();
    s.firstChunk.contigHint = 8;
    s.firstChunk.changed();
    expect(() => a.checkInvariants()).toThrow(/contig_hint 8 is below the largest free area/);
  });

  it('reject a free_size that disagrees with the map', () => {
    const { a, s } = busy();
    s.firstChunk.freeSize -= 2;
    s.firstChunk.changed();
    expect(() => a.checkInvariants()).toThrow(/free_size/);
  });

  it('reject an unsorted map', () => {
    const { a, s } = busy();
    const m = s.firstChunk.map;
    const t = m[3]!;
    m[3] = m[4]!;
    m[4] = t;
    s.firstChunk.changed();
    expect(() => a.checkInvariants()).toThrow(InvariantError);
  });

  it('reject a chunk on the wrong slot list', () => {
    const { a, s } = busy();
    s.lists.move(0, 3);
    expect(() => a.checkInvariants()).toThrow(/sits on list 3/);
  });

  it('reject a global empty-page count that the populated bitmaps do not support', () => {
    const { a, s } = busy();
    s.nrEmptyPopPages++;
    expect(() => a.checkInvariants()).toThrow(/pcpu_nr_empty_pop_pages/);
  });

  it('reject a free area below first_free', () => {
    const { a, s } = busy();
    a.free(0, 217088);
    s.firstChunk.firstFree = 3;
    s.firstChunk.changed();
    expect(() => a.checkInvariants()).toThrow(/below first_free/);
  });
});

describe('areamap invariants, window rechecks', () => {
  it('catch a corruption left by the last operation without being told to look everywhere', () => {
    const { a, s } = busy();
    const off = a.alloc(8, 8, false, false);
    s.firstChunk.freeSize += 4; // the operation's own bookkeeping went wrong
    expect(() => a.checkInvariants()).toThrow(/free_size/);
    void off;
  });

  it('catch two free areas left unmerged inside the changed window', () => {
    const { a, s } = busy();
    const c = s.firstChunk;
    const before = c.mapUsed;
    a.free(0, 217088 + 8); // the second allocation: [S, a0, F, a2, ...]
    expect(c.mapUsed).toBe(before);
    c.map[1] = c.map[1]! & ~1; // a0 now looks free next to the freed area
    c.freeSize += (c.map[2]! & ~1) - c.map[1]!;
    c.firstFree = 1;
    expect(() => a.checkInvariants()).toThrow(/adjacent, not merged/);
  });

  it('agree with a full recheck after a long run of window checks', () => {
    const { a, s } = newAreamap();
    const live: [number, number][] = [];
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    for (let k = 0; k < 3000; k++) {
      if (live.length > 0 && rnd(3) === 0) {
        const [chunk, off] = live.splice(rnd(live.length), 1)[0]!;
        a.free(chunk, off);
      } else {
        const off = a.alloc(4 << rnd(6), 4 << rnd(4), rnd(5) === 0, false);
        if (off >= 0) live.push([a.lastChunkId, off]);
      }
      if (a.balancePending) a.runBalance();
      a.checkInvariants();
    }
    const windowTotals = s.chunks.map((c) => (c ? { ...c.checked, shadow: null } : null));
    for (const c of s.chunks) c?.changed();
    a.checkInvariants();
    expect(s.chunks.map((c) => (c ? { ...c.checked, shadow: null } : null))).toEqual(windowTotals);
  });
});
