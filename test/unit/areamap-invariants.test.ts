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
    s.firstChunk.dirty = true;
    // a hint large enough to change nothing about the slot
    expect(() => a.checkInvariants()).not.toThrow();
  });

  it('reject a contig hint below the largest free area', () => {
    const { a, s } = busy();
    s.firstChunk.contigHint = 8;
    s.firstChunk.dirty = true;
    expect(() => a.checkInvariants()).toThrow(/contig_hint 8 is below the largest free area/);
  });

  it('reject a free_size that disagrees with the map', () => {
    const { a, s } = busy();
    s.firstChunk.freeSize -= 2;
    s.firstChunk.dirty = true;
    expect(() => a.checkInvariants()).toThrow(/free_size/);
  });

  it('reject an unsorted map', () => {
    const { a, s } = busy();
    const m = s.firstChunk.map;
    const t = m[3]!;
    m[3] = m[4]!;
    m[4] = t;
    s.firstChunk.dirty = true;
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
    s.firstChunk.dirty = true;
    expect(() => a.checkInvariants()).toThrow(/below first_free/);
  });
});
