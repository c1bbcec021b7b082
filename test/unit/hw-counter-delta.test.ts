import { describe, expect, it } from 'vitest';
import { takeCounterDelta } from '../../src/hw/machine-platform.ts';
import type { WorkCounterName } from '../../src/kernel/platform.ts';
import { newWorkCounters } from '../../src/kernel/platform.ts';

describe('counter delta taken after every operation', () => {
  it('covers every work counter: the difference since the last call, then the new baseline', () => {
    const names = Object.keys(newWorkCounters()) as WorkCounterName[];
    const w = newWorkCounters();
    const last = newWorkCounters();
    const d = newWorkCounters();
    names.forEach((k, i) => {
      w[k] = 1000 + 7 * i;
      last[k] = 3 * i;
      d[k] = -1;
    });
    takeCounterDelta(w, last, d);
    for (const [i, k] of names.entries()) {
      expect(d[k], k).toBe(1000 + 7 * i - 3 * i);
      expect(last[k], k).toBe(w[k]);
    }
  });
});
