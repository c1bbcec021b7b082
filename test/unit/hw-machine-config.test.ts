import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseByteSize } from '../../src/hw/byte-size.ts';
import { formatCpuList, parseCpuList } from '../../src/hw/cpulist.ts';
import { valueAtDistance } from '../../src/hw/distance-table.ts';
import { MachineConfigError, PRESET_DIR, listPresets, loadMachine, machineFirstChunk, machineTopology } from '../../src/hw/machine-config.ts';
import { buildAllocInfo } from '../../src/kernel/layout.ts';

const dir = mkdtempSync(join(tmpdir(), 'hw-config-'));
const laptopText = readFileSync(join(PRESET_DIR, 'laptop.json5'), 'utf8');
/** a copy of the laptop preset with one text substitution, written to a temp file */
const variant = (name: string, from: string | RegExp, to: string): string => {
  const text = laptopText.replace(from, to);
  expect(text).not.toBe(laptopText);
  const f = join(dir, `${name}.json5`);
  writeFileSync(f, text);
  return f;
};
const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MachineConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a MachineConfigError');
};
const lineOf = (text: string, needle: string): number => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('presets', () => {
  const expected: Record<string, { cpus: number; nodes: number; page: number }> = {
    'seed-2017': { cpus: 32, nodes: 2, page: 4096 },
    'xeon-2s-2024': { cpus: 256, nodes: 2, page: 4096 },
    'epyc-4n': { cpus: 192, nodes: 4, page: 4096 },
    'arm64-64k': { cpus: 160, nodes: 2, page: 65536 },
    laptop: { cpus: 16, nodes: 1, page: 4096 },
    'big-1024': { cpus: 1024, nodes: 16, page: 4096 },
    'host-zen4-vm': { cpus: 2, nodes: 1, page: 4096 },
  };

  it('has the seven machines the project needs', () => {
    expect(listPresets()).toEqual(Object.keys(expected).sort());
  });

  for (const [name, e] of Object.entries(expected)) {
    it(`${name} loads, and the kernel layout accepts its first chunk`, () => {
      const m = loadMachine(name);
      expect([m.topology.nrCpus, m.topology.nrNodes, m.memory.pageSize]).toEqual([e.cpus, e.nodes, e.page]);
      const topo = machineTopology(m);
      expect(topo.cpuToNode.length).toBe(e.cpus);
      const fc = machineFirstChunk(m);
      expect(fc.reservedSize).toBe(8192);
      expect(fc.dynSize).toBe(28672);
      expect(fc.atomSize).toBe(e.page === 4096 ? 2 * 1024 * 1024 : e.page);
      for (const v of ['v6.12', 'v4.14', 'v4.13'] as const) {
        const ai = buildAllocInfo(v, topo, fc);
        expect(ai.groups.reduce((n, g) => n + g.cpu_map.filter((c) => c >= 0).length, 0)).toBe(e.cpus);
      }
    });
  }

  it('seed-2017 gives the 256 KiB unit the seed evaluation implies', () => {
    const m = loadMachine('seed-2017');
    expect(buildAllocInfo('v4.13', machineTopology(m), machineFirstChunk(m)).unit_size).toBe(256 * 1024);
  });

  it('takes overrides: objects merge, arrays and scalars replace', () => {
    const m = loadMachine('seed-2017', { memory: { pageBudget: 1000 }, caches: { levels: [{ name: 'L1d', size: '32 KiB', ways: 8, latencyNs: 1, bandwidthGBs: 100, shared: 'cpu' }] } });
    expect(m.memory.pageBudget).toBe(1000);
    expect(m.memory.latencyNs[0]![1]).toBe(130); // untouched sibling fields stay
    expect(m.caches.levels.length).toBe(1);
  });
});

describe('machine file errors name the file, the place and the field', () => {
  it('passes a JSON5 syntax error through with line and column', () => {
    const f = variant('syntax', "name: 'laptop',", "name: 'laptop',,");
    expect(errorOf(() => loadMachine(f))).toMatch(new RegExp(`^${f}:${lineOf(laptopText, "name: 'laptop'")}:\\d+: syntax error`));
  });

  it('names the dotted path and the received value for a wrong type', () => {
    const f = variant('cpus-negative', "cpus: '0-15'", 'cpus: [0, 1, -4]');
    const line = laptopText.split('\n')[lineOf(laptopText, "cpus: '0-15'") - 1]!.replace("cpus: '0-15'", 'cpus: [0, 1, -4]');
    expect(errorOf(() => loadMachine(f))).toBe(`${f}:${lineOf(laptopText, "cpus: '0-15'")}:${line.indexOf('-4') + 1}: topology.nodes[0].cpus[2]: expected a CPU number (an integer >= 0), received -4`);
  });

  it('rejects a malformed CPU list', () => {
    const f = variant('cpus-bad', "cpus: '0-15'", "cpus: '15-0'");
    expect(errorOf(() => loadMachine(f))).toMatch(/topology\.nodes\[0\]\.cpus: expected a CPU list such as '0-13,28-41'.*, received "15-0"/);
  });

  it('rejects a machine with no CPUs', () => {
    const f = variant('no-cpus', "cpus: '0-15'", "cpus: ''");
    expect(errorOf(() => loadMachine(f))).toMatch(/topology\.nodes: expected at least one possible CPU/);
  });

  it('rejects more than NR_CPUS (8192) possible CPUs', () => {
    const f = variant('too-many', "cpus: '0-15'", "cpus: '0-8192'");
    expect(errorOf(() => loadMachine(f))).toMatch(/topology\.nodes: expected at most 8192 possible CPUs \(NR_CPUS\), got 8193/);
  });

  it('rejects gaps in CPU numbering', () => {
    const f = variant('gap', "cpus: '0-15'", "cpus: '0-7,9-16'");
    expect(errorOf(() => loadMachine(f))).toMatch(/topology\.nodes\[0\]\.cpus: expected possible CPUs numbered 0\.\.15 without gaps, but CPU 8 is on no node/);
  });

  it('rejects a CPU on two nodes', () => {
    const m = () => loadMachine('seed-2017', { topology: { nodes: [{ cpus: '0-15', memory: '1 GiB' }, { cpus: '15-31', memory: '1 GiB' }] } }, 'scenario override');
    expect(errorOf(m)).toMatch(/^scenario override: topology\.nodes\[1\]\.cpus: expected each CPU on one node, but CPU 15 is also on node 0/);
  });

  it('rejects a distance table that does not match the nodes', () => {
    const f = variant('dist-rows', 'distance: [[10]]', 'distance: [[10], [10]]');
    expect(errorOf(() => loadMachine(f))).toMatch(/topology\.distance: expected a 1x1 table \(one row per node\), got 2 rows, received \[\[10\],\[10\]\]/);
    const sq = () => loadMachine('seed-2017', { topology: { distance: [[10, 21], [21]] } });
    expect(errorOf(sq)).toMatch(/^machine override: topology\.distance\[1\]: expected a square table: 2 entries per row, got 1/);
    const diag = () => loadMachine('seed-2017', { topology: { distance: [[10, 21], [21, 11]] } });
    expect(errorOf(diag)).toMatch(/topology\.distance\[1\]\[1\]: expected 10 \(LOCAL_DISTANCE\) on the diagonal, received 11/);
    const remote = () => loadMachine('seed-2017', { topology: { distance: [[10, 5], [21, 10]] } });
    expect(errorOf(remote)).toMatch(/topology\.distance\[0\]\[1\]: expected a remote distance between 11 and 255, received 5/);
  });

  it('rejects a page size that is not a power of two', () => {
    const f = variant('page', 'pageSize: 4096', 'pageSize: 6144');
    expect(errorOf(() => loadMachine(f))).toBe(`${f}:${lineOf(laptopText, 'pageSize: 4096')}:15: memory.pageSize: expected a power of two between 4096 and 1048576, received 6144`);
  });

  it('rejects a byte size it cannot read', () => {
    const f = variant('bytes', "size: '32 TiB'", "size: '32 TB'");
    expect(errorOf(() => loadMachine(f))).toMatch(/vmalloc\.size: expected a byte size such as 4096 or '64 GiB', received "32 TB"/);
  });

  it('rejects a cache that is not a whole number of sets', () => {
    const f = variant('cache', "size: '16 MiB', ways: 16", "size: '16 MiB', ways: 12");
    expect(errorOf(() => loadMachine(f))).toMatch(/caches\.levels\[2\]\.size: expected a multiple of lineSize x ways \(768\)/);
  });

  it('rejects an atom smaller than a page and a negative cost', () => {
    const atom = () => loadMachine('seed-2017', { firstChunk: { atomSize: 1024 } });
    expect(errorOf(atom)).toMatch(/firstChunk\.atomSize: expected a power of two no smaller than the page size, received 1024/);
    const cost = () => loadMachine('seed-2017', { cost: { copyBandwidthGBs: -1 } });
    expect(errorOf(cost)).toMatch(/cost\.copyBandwidthGBs: Too small.*received -1/);
  });

  it('rejects unknown keys and missing fields', () => {
    const f = variant('unknown', 'pageBudget: null,', 'pageBudget: null, pageSzie: 4096,');
    expect(errorOf(() => loadMachine(f))).toMatch(/memory\.pageSzie: unknown key/);
    const g = variant('no-vmalloc', /\n\s*vmalloc: \{[^\n]*\n/, '\n');
    expect(errorOf(() => loadMachine(g))).toMatch(/:\d+:\d+: vmalloc: Invalid input: expected object, received nothing$/);
  });

  it('names an unknown preset and lists the known ones', () => {
    expect(errorOf(() => loadMachine('nonesuch'))).toMatch(/unknown machine 'nonesuch'.*seed-2017/);
    expect(errorOf(() => loadMachine(join(dir, 'missing.json5')))).toMatch(/missing\.json5: no such file/);
  });
});

describe('small parsers', () => {
  it('reads CPU lists, byte sizes and distance tables', () => {
    expect(parseCpuList('0-2,8,10-11')).toEqual([0, 1, 2, 8, 10, 11]);
    expect(parseCpuList('3-1')).toBeNull();
    expect(formatCpuList([11, 0, 1, 2, 8, 10])).toBe('0-2,8,10-11');
    expect(parseByteSize('1.5 MiB')).toBe(1572864);
    expect(parseByteSize('1.3 B')).toBeNull();
    expect(parseByteSize(-1)).toBeNull();
    const t = { '10': 100, '30': 200 };
    expect([valueAtDistance(t, 10), valueAtDistance(t, 20), valueAtDistance(t, 40)]).toEqual([100, 150, 200]);
  });
});
