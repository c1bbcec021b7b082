import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newCountedWorkCost } from '../../src/hw/cost.ts';
import { CountedWorkMeter } from '../../src/hw/counted-work-meter.ts';
import type { WorkCounterName } from '../../src/kernel/platform.ts';
import { newWorkCounters } from '../../src/kernel/platform.ts';
import { TINY_CODE, tinyMachine } from './hw-tiny-machine.ts';
import { timeRates } from '../../src/hw/time-model.ts';

const tinyRates = () => timeRates(tinyMachine(), TINY_CODE);

const NAMES = Object.keys(newWorkCounters()) as WorkCounterName[];

describe('counted work metered after every operation', () => {
  it('charges each costed counter at its own rate, and nothing for the counters charged elsewhere', () => {
    const c = { ...tinyRates(), mapExtensionNs: 1000, chunkCreateNs: 30000, chunkDestroyNs: 500000 };
    const w = newWorkCounters();
    w.mapExtensions = 2;
    w.chunksCreated = 1;
    w.chunksDestroyed = 3;
    w.pagesPopulated = 77;
    w.tlbFlushes = 9;
    w.bytesZeroedPerUnit = 64;
    const out = newCountedWorkCost();
    new CountedWorkMeter(c).take(w, out);
    expect(out).toEqual({ compute: 2 * 1000 + 30000 + 3 * 500000, memmove: 0, fixed: 0 });
  });

  it('charges after every reading what a fresh meter charges for the difference since the previous one', () => {
    const cost = { ...tinyRates(), bitmapWordNs: 0.37, blockMdReadNs: 1.9, memmoveByteNs: 0.013, chunkCreateNs: 777.7 };
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
          new CountedWorkMeter(cost).take(d, want);
          const got = newCountedWorkCost();
          meter.take(w, got);
          expect(got).toEqual(want);
        }
      }),
    );
  });

  it('charges nothing twice: a second reading with no new work is zero', () => {
    const meter = new CountedWorkMeter(tinyRates());
    const w = newWorkCounters();
    for (const k of NAMES) w[k] = 12;
    const out = newCountedWorkCost();
    meter.take(w, out);
    expect(out.compute).toBeGreaterThan(0);
    meter.take(w, out);
    expect(out).toEqual({ compute: 0, memmove: 0, fixed: 0 });
  });
});
