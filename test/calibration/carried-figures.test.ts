/**
 * The presets without measurements of their own carry the fitted figures, converted to their
 * clock and code speed (each file says so): seed-2017's kernel call overhead in reference
 * cycles, host-zen4-vm's copy bandwidth, store buffer and line cost. A re-fit that moves those
 * figures must be carried over; this test notices when it was not.
 */
import { describe, expect, it } from 'vitest';
import { loadMachine } from '../../src/hw/machine-config.ts';

const UNMEASURED = ['xeon-2s-2024', 'epyc-4n', 'arm64-64k', 'laptop', 'big-1024'];
const REFERENCE_CLOCK = 3.7;

describe('figures carried to the presets without measurements', () => {
  const seed = loadMachine('seed-2017');
  const host = loadMachine('host-zen4-vm');
  const seedCycles = seed.cpu.clockGHz * seed.cpu.codeSpeed;

  it("seed-2017 carries host-zen4-vm's line cost (the seed table cannot pin it)", () => {
    expect(Math.abs(seed.cost.countsModeLineNs / ((host.cost.countsModeLineNs * REFERENCE_CLOCK) / seedCycles) - 1)).toBeLessThan(1e-3);
  });
  for (const name of UNMEASURED) {
    it(`${name} carries the fitted figures at its clock and code speed`, () => {
      const m = loadMachine(name);
      expect(m.spec.calibration).toBeUndefined();
      const k = m.cpu.clockGHz * m.cpu.codeSpeed;
      const rel = (got: number, want: number): void => expect(Math.abs(got / want - 1)).toBeLessThan(1e-3);
      for (const kind of ['alloc', 'free', 'balance'] as const) rel(m.cost.callOverheadNs[kind], (seed.cost.callOverheadNs[kind] * seedCycles) / k);
      rel(m.cost.copyBandwidthGBs, (host.cost.copyBandwidthGBs * k) / REFERENCE_CLOCK);
      rel(m.cost.countsModeLineNs, (host.cost.countsModeLineNs * REFERENCE_CLOCK) / k);
      expect(m.cost.storeBufferBytes).toBe(host.cost.storeBufferBytes);
    });
  }
});
