import { describe, expect, it } from 'vitest';
import type { Measurement } from '../../src/calibrate/measurements.ts';
import { measurementOverrides, runMeasurement } from '../../src/calibrate/run-measurement.ts';
import { leastSquares } from '../../src/calibrate/least-squares.ts';
import { codeCostsFor, loadCodeCosts } from '../../src/hw/code-costs.ts';
import { loadMachine } from '../../src/hw/machine-config.ts';
import { priceTally, timeRates } from '../../src/hw/time-model.ts';

const line = (allocator: string, size: number, free: 'inorder' | 'reverse', count = 20000): Measurement => ({
  id: `t/${allocator}/${size}`,
  allocator,
  machine: { cpus: 8, pageSize: 4096, firstChunk: { staticSize: 208896, reservedSize: 8192, dynSize: 28672, atomSize: 2097152 } },
  workload: { count, size, align: 8, free },
  balance: 'in-phase',
  file: 'test',
  line: 1,
});

describe('one place turns counted work into time', () => {
  for (const allocator of ['areamap', 'bitmap-v4.14', 'bitmap']) {
    for (const costModel of ['counts', 'full'] as const) {
      it(`${allocator}, ${costModel}: pricing a phase's tally gives the ns the engine charged during it`, () => {
        const m = line(allocator, 64, 'inorder');
        const [run] = runMeasurement('host-zen4-vm', m, costModel);
        const machine = loadMachine('host-zen4-vm', measurementOverrides('host-zen4-vm', m));
        const rates = timeRates(machine, codeCostsFor(loadCodeCosts(), costModel, allocator));
        for (const phase of ['alloc', 'free'] as const) {
          expect(run!.ms[phase]).toBeGreaterThan(0);
          expect(priceTally(machine, rates, run!.tally[phase], costModel) / 1e6).toBeCloseTo(run!.ms[phase], 6);
        }
      });
    }
  }

  it("splits a phase's work between the calling CPU and the kworker without losing or doubling any", () => {
    const m = line('bitmap', 1024, 'inorder', 3000);
    const [run] = runMeasurement('host-zen4-vm', m, 'counts');
    const machine = loadMachine('host-zen4-vm', measurementOverrides('host-zen4-vm', m));
    const rates = timeRates(machine, codeCostsFor(loadCodeCosts(), 'counts', 'bitmap'));
    const all = priceTally(machine, rates, run!.tally.free, 'counts');
    const cpu = priceTally(machine, rates, run!.cpuTally.free, 'counts');
    expect(cpu / 1e6).toBeCloseTo(run!.cpuMs.free, 6);
    // frees of 1 KiB objects empty chunks: the kworker destroys them inside the phase
    expect(run!.tally.free.balanceRuns).toBeGreaterThan(0);
    expect(run!.cpuTally.free.balanceRuns).toBe(0);
    expect(all - cpu).toBeGreaterThan(0);
    expect(run!.cpuTally.free.counters.chunksDestroyed).toBe(0);
    expect(run!.tally.free.counters.chunksDestroyed).toBeGreaterThan(0);
  });

  it('counts a page-table walk for every free from a vmalloc chunk and none for the first chunk', () => {
    // 600 objects of 4 B fit in the first chunk's dynamic area; 20000 of 64 B need new chunks
    const [small] = runMeasurement('host-zen4-vm', line('bitmap', 4, 'inorder', 600), 'counts');
    expect(small!.tally.free.counters.chunkPageLookups).toBe(0);
    const [big] = runMeasurement('host-zen4-vm', line('bitmap', 64, 'inorder'), 'counts');
    const inFirst = big!.tally.free.freeCalls - big!.tally.free.counters.chunkPageLookups;
    expect(big!.tally.free.counters.chunkPageLookups).toBeGreaterThan(15000);
    expect(inFirst).toBeGreaterThan(0);
  });
});

describe('least squares', () => {
  it('recovers the parameters that made the data, within their bounds', () => {
    // y = a * x1 + b * x2 at a = 3, b = 0.25
    const xs = [[1, 10], [2, 3], [5, 40], [7, 1], [3, 30]];
    const ys = xs.map(([x1, x2]) => 3 * x1! + 0.25 * x2!);
    const r = leastSquares(
      [{ start: 1, lo: 0.01, hi: 100 }, { start: 1, lo: 0.01, hi: 100 }],
      ([a, b]) => xs.map(([x1, x2], i) => Math.log((a! * x1! + b! * x2!) / ys[i]!)),
    );
    expect(r.values[0]).toBeCloseTo(3, 4);
    expect(r.values[1]).toBeCloseTo(0.25, 4);
  });

  it('stops at a bound when the data want more', () => {
    const r = leastSquares([{ start: 1, lo: 0.5, hi: 2 }], ([a]) => [Math.log(a! / 10)]);
    expect(r.values[0]).toBeCloseTo(2, 9);
  });
});
