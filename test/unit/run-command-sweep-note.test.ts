import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/run-command.ts';

describe('sim run on a scenario with a sweep grid', () => {
  it('runs the base matrix and says that the grid needs sim sweep', async () => {
    let text = '';
    const code = await runCommand('scenarios/ci/topology-sweep.json5', { json: null, workers: 0, check: false }, (t) => (text += t));
    expect(code).toBe(0);
    expect(text).toContain('machine xeon-2s-2024: 256 CPUs, 2 nodes, 4 KiB pages');
    expect(text).toContain('; 3 runs');
    expect(text.replace(/\n/g, ' ')).toMatch(/note: scenarios\/ci\/topology-sweep\.json5 has a sweep grid; sim run ran its 3 base runs only \(the grid runs with `sim sweep scenarios\/ci\/topology-sweep\.json5 --out DIR`\)/);
  });

  it('says nothing of a grid when there is none', async () => {
    let text = '';
    await runCommand('scenarios/ci/bpf-maps.json5', { json: null, workers: 0, check: false }, (t) => (text += t));
    expect(text).not.toContain('sweep grid');
  });
});
