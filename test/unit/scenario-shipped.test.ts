import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.ts';
import { loadMachineSetup } from '../../src/engine/machines.ts';

const files = readdirSync('scenarios').filter((f) => f.endsWith('.json5'));

describe('shipped scenarios', () => {
  for (const f of files) {
    it(`${f} opens with a comment, loads, and names machines that load`, () => {
      const file = `scenarios/${f}`;
      expect(readFileSync(file, 'utf8').startsWith('//')).toBe(true);
      const { runs } = loadScenario(file);
      expect(runs.length).toBeGreaterThan(0);
      for (const run of runs) expect(loadMachineSetup(run.machine).topology.nrCpus).toBeGreaterThan(run.cpu);
    });
  }
  it('include the generator scenarios', () => {
    for (const name of ['bpf-maps', 'cgroup-churn', 'module-load', 'atomic-pressure', 'big-iron']) expect(files).toContain(`${name}.json5`);
  });
});
