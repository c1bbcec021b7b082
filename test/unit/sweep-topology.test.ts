import { describe, expect, it } from 'vitest';
import { loadMachine } from '../../src/hw/machine-config.ts';
import { presetRemoteDistance, spreadCpus, topologyOverrides } from '../../src/sweep/topology.ts';

const derive = (preset: string, change: Parameters<typeof topologyOverrides>[1]) => {
  const base = loadMachine(preset);
  return loadMachine(preset, topologyOverrides(base, change));
};

describe('sweep topology synthesis', () => {
  it('spreads CPUs over nodes in contiguous blocks, memory-only nodes when CPUs run out', () => {
    expect(spreadCpus(10, 4)).toEqual(['0-2', '3-4', '5-7', '8-9']);
    expect(spreadCpus(1, 3)).toEqual(['0', '', '']);
    expect(spreadCpus(4096, 1)).toEqual(['0-4095']);
  });
  it('builds a 4096-CPU, 16-node machine from a two-socket preset', () => {
    const m = derive('xeon-2s-2024', { cpus: 4096, nodes: 16 });
    expect(m.name).toBe('xeon-2s-2024/4096cpu/16n/4K');
    expect(m.topology.nrCpus).toBe(4096);
    expect(m.topology.nrNodes).toBe(16);
    expect(m.topology.nodeCpus[15]).toHaveLength(256);
    expect(m.topology.cpuToNode[4095]).toBe(15);
    expect(m.topology.distance[3]).toEqual(Array.from({ length: 16 }, (_, b) => (b === 3 ? 10 : 21)));
    // the preset's average memory per node, on every node
    expect(m.memory.pagesPerNode).toEqual(new Array(16).fill((512 * 2 ** 30) / 4096));
  });
  it("keeps the preset's distance table when the node count is the preset's", () => {
    const m = derive('epyc-4n', { cpus: 8 });
    expect(m.topology.distance).toEqual(loadMachine('epyc-4n').topology.distance);
    expect(m.topology.nodeCpus).toEqual([[0, 1], [2, 3], [4, 5], [6, 7]]);
  });
  it("uses the preset's most common remote distance for a new node count", () => {
    expect(presetRemoteDistance(loadMachine('epyc-4n'))).toBe(12);
    expect(presetRemoteDistance(loadMachine('laptop'))).toBe(21);
    expect(derive('epyc-4n', { nodes: 2 }).topology.distance).toEqual([[10, 12], [12, 10]]);
  });
  it('keeps page-sized atoms page-sized and larger atoms as they are', () => {
    const arm4k = derive('arm64-64k', { pageSize: 4096 });
    expect([arm4k.memory.pageSize, arm4k.firstChunk.atomSize]).toEqual([4096, 4096]);
    const x64k = derive('xeon-2s-2024', { pageSize: 65536 });
    expect([x64k.memory.pageSize, x64k.firstChunk.atomSize, x64k.topology.nrCpus]).toEqual([65536, 2 ** 21, 256]);
    expect(x64k.name).toBe('xeon-2s-2024/64K');
  });
  it('changes nothing when the point names the preset as it is', () => {
    const base = loadMachine('laptop');
    expect(topologyOverrides(base, { pageSize: 4096 })).toEqual({});
    expect(topologyOverrides(base, {})).toEqual({});
  });
});
