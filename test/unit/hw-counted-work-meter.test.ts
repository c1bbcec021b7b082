import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countedWorkNs, newCountedWorkCost } from '../../src/hw/cost.ts';
import { CountedWorkMeter } from '../../src/hw/counted-work-meter.ts';
import type { WorkCounterName } from '../../src/kernel/platform.ts';
import { newWorkCounters } from '../../src/kernel/platform.ts';
import { tinyMachine } from './hw-tiny-machine.ts';

const NAMES = Object.keys(newWorkCounters()) as WorkCounterName[];

describe('counted work metered after every operation', () => {
  it('charges exactly what countedWorkNs charges for the difference since the previous reading', () => {
    const cost = { ...tinyMachine().cost, bitmapWordNs: 0.37, blockMdReadNs: 1.9, memmoveByteNs: 0.013, chunkCreateNs: 777.7 };
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(5000), { minLength: NAMES.length, maxLength: NAMES.length }), { minLength: 1, maxLength: 8 }), (steps) => {
        const meter = new CountedWorkMeter(cost);
        const w = newWorkCounters();
        const prev = newWorkCounters();
        for (const step of steps) {
          NAMES.forEach((k, i) => (w[k] += step[i]!));
          const d = newWorkCounters();
          for (const k of NAMES) d[k] = w[k] - prev[k];
          Object.assign(prev, w);
          const want = newCountedWorkCost();
          countedWorkNs(d, cost, want);
          const got = newCountedWorkCost();
          meter.take(w, got);
          expect(got).toEqual(want);
        }
      }),
    );
  });

  it('charges nothing twice: a second reading with no new work is zero', () => {
    const meter = new CountedWorkMeter(tinyMachine().cost);
    const w = newWorkCounters();
    for (const k of NAMES) w[k] = 12;
    const out = newCountedWorkCost();
    meter.take(w, out);
    expect(out.compute).toBeGreaterThan(0);
    meter.take(w, out);
    expect(out).toEqual({ compute: 0, memmove: 0, fixed: 0 });
  });
});
