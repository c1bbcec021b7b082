/**
 * The shipped capture of a real kernel (Debian 6.1.192, 4 CPUs, 1,000 memory cgroups made and
 * removed), replayed with verification: every allocation outside the first chunk is decided at
 * the kernel's chunk and offset.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.ts';
import { executeRun } from '../../src/engine/execute.ts';
import { loadMachineSetup } from '../../src/engine/machines.ts';

describe('scenarios/real-6.1-memcg.json5', () => {
  it("decides all 10,982 allocations of the created chunks at the kernel's chunk and offset", () => {
    const { runs } = loadScenario('scenarios/real-6.1-memcg.json5');
    expect(runs).toHaveLength(1);
    const m = executeRun(runs[0]!, loadMachineSetup, { check: false });
    expect(m.replay_verified).toHaveLength(1);
    const v = m.replay_verified![0]!;
    expect(v.first).toEqual([]);
    expect(v).toMatchObject({ judged: 10982, matched: 10982, placedFirstChunk: 365, mismatches: 0, unmatchedFrees: 0 });
    expect(m.phases.capture!.failed).toBe(0);
  }, 60_000);
});
