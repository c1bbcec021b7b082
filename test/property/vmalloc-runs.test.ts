import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VmallocSpace } from '../../src/hw/vmalloc.ts';

/** the straightforward placement: every area its own busy interval, bases lowered one interval at a time */
class ReferenceSpace {
  private busy: [number, number][] = [];
  private readonly sets = new Map<number, [number, number][]>();
  constructor(
    private readonly start: number,
    private readonly size: number,
  ) {}
  alloc(offsets: number[], sizes: number[], align: number): number {
    let lastEnd = 0;
    offsets.forEach((o, i) => (lastEnd = Math.max(lastEnd, o + sizes[i]!)));
    const lowest = Math.ceil(this.start / align) * align;
    let base = Math.floor((this.start + this.size - lastEnd) / align) * align;
    for (;;) {
      if (base < lowest) return -1;
      let moved = false;
      for (let i = 0; i < offsets.length && !moved; i++) {
        if (sizes[i] === 0) continue;
        const s = base + offsets[i]!;
        const e = s + sizes[i]!;
        const hit = this.busy.filter(([bs, be]) => be > s && bs < e).sort((a, b) => a[0] - b[0])[0];
        if (hit) {
          base = Math.floor((hit[0] - offsets[i]! - sizes[i]!) / align) * align;
          moved = true;
        }
      }
      if (!moved) break;
    }
    const mine: [number, number][] = [];
    offsets.forEach((o, i) => {
      if (sizes[i]! > 0) mine.push([base + o, base + o + sizes[i]!]);
    });
    this.busy.push(...mine);
    this.sets.set(base, mine);
    return base;
  }
  free(base: number): void {
    const mine = this.sets.get(base)!;
    this.sets.delete(base);
    this.busy = this.busy.filter((iv) => !mine.includes(iv));
  }
}

describe('vmalloc space kept as runs of busy areas', () => {
  it('places every set where the area-by-area placement does, through any mix of allocations and frees', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('alloc' as const), groups: fc.integer({ min: 1, max: 3 }), unit: fc.integer({ min: 1, max: 4 }), gap: fc.integer({ min: 0, max: 2 }), align: fc.constantFrom(1, 2, 4) }),
      fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const page = 4096;
        const space = new VmallocSpace(1 << 24, 256 * page);
        const ref = new ReferenceSpace(1 << 24, 256 * page);
        const live: number[] = [];
        for (const o of ops) {
          if (o.kind === 'alloc') {
            const offsets: number[] = [];
            const sizes: number[] = [];
            const a = o.align * page;
            for (let g = 0; g < o.groups; g++) {
              offsets.push(g * (o.unit + o.gap) * a);
              sizes.push(o.unit * a);
            }
            const want = ref.alloc(offsets, sizes, a);
            expect(space.alloc(offsets, sizes, a)).toBe(want);
            if (want >= 0) live.push(want);
          } else if (live.length > 0) {
            const [base] = live.splice(o.pick % live.length, 1);
            ref.free(base!);
            space.free(base!);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
