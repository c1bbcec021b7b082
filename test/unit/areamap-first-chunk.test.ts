/** The v4.13 first chunk and reserved chunk as pcpu_setup_first_chunk builds them, and stats. */
import { describe, expect, it } from 'vitest';
import { DYN, DYN_START, PAGE, RESERVED, STATIC, newAreamap, picture } from './areamap-helpers.ts';

describe('areamap first chunk', () => {
  it('maps the static area as one in-use entry, offsets counting from the unit start', () => {
    // reserved: [0u |static+reserved) ... first: [0u static+reserved f |static+reserved+dyn)
    const { s } = newAreamap();
    expect(picture(s.reservedChunk!)).toBe(`0u ${STATIC}f |${STATIC + RESERVED}`);
    expect(picture(s.firstChunk)).toBe(`0u ${DYN_START}f |${DYN_START + DYN}`);
    expect(s.firstChunk.mapAlloc).toBe(128);
    expect(s.reservedChunk!.mapAlloc).toBe(128);
  });

  it('without a reserved area the static chunk serves the dynamic area', () => {
    const { a, s } = newAreamap({ reservedSize: 0 });
    expect(s.reservedChunk).toBe(null);
    expect(s.firstChunk.id).toBe(0);
    expect(picture(s.firstChunk)).toBe(`0u ${STATIC}f |${STATIC + a.layout.dyn_size}`);
  });

  it('reports the boot state as the percpu-trace stats line has it', () => {
    // dyn area [217088, 245760): pages 53..59 are wholly inside, so 7 empty pages
    const { a } = newAreamap();
    const unitPages = a.layout.unit_size / PAGE;
    expect(a.stats()).toEqual({
      nr_chunks: 1,
      nr_empty_pop_pages: 7,
      nr_populated: null,
      chunks: [
        {
          id: -1, list: -1, free_bytes: RESERVED, contig_bytes: RESERVED, nr_populated: unitPages,
          nr_empty_pop_pages: null, extra: { map_used: 2, first_free: 0, contig_hint: RESERVED },
        },
        {
          id: 0, list: 12, free_bytes: DYN, contig_bytes: DYN, nr_populated: unitPages,
          nr_empty_pop_pages: null, extra: { map_used: 2, first_free: 0, contig_hint: DYN },
        },
      ],
    });
  });

  it('reserved allocations leave the global empty-page count alone', () => {
    const { a, s } = newAreamap();
    const before = s.nrEmptyPopPages;
    const off = a.alloc(PAGE * 2, PAGE, false, true);
    expect(off).toBe(STATIC);
    a.free(-1, off);
    expect(s.nrEmptyPopPages).toBe(before);
    a.checkInvariants();
  });
});
