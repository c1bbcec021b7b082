/**
 * The chunk backends, one shared suite run against each (as the kernel's percpu-vm.c and
 * percpu-km.c serve one contract), plus what only the vm backend does.
 */
import { describe, expect, it } from 'vitest';
import type { AllocInfo, Topology } from '../../src/kernel/allocator.ts';
import { PercpuConfigError } from '../../src/kernel/allocator.ts';
import { createChunkBackend, unitGeometry, type ChunkBackendKind } from '../../src/kernel/chunk-backend.ts';
import { SimplePlatform } from '../../src/hw/simple-platform.ts';

const topo: Topology = { pageSize: 4096, nrCpus: 4, cpuToNode: [0, 0, 0, 0], nodeDistance: [[10]] };
const ai: AllocInfo = {
  unit_size: 65536, atom_size: 4096, alloc_size: 65536, static_size: 16384, reserved_size: 8192,
  dyn_size: 20480, nr_groups: 1, groups: [{ nr_units: 4, base_offset: 0, cpu_map: [0, 1, 2, 3] }], nr_units: 4,
};

for (const kind of ['vm', 'km'] as ChunkBackendKind[]) {
  describe(`${kind} backend contract`, () => {
    it('creates chunks at distinct base addresses and gives every page back on destroy', () => {
      const p = new SimplePlatform();
      const geo = unitGeometry(ai, topo);
      const be = createChunkBackend(kind, geo, p);
      const a = be.createChunk();
      const b = be.createChunk();
      expect(a).not.toBe(b);
      expect(p.work.chunksCreated).toBe(2);
      if (!be.populatedOnCreate) {
        expect(be.populate(a, 0, 3)).toBe(true);
        be.depopulate(a, 0, 3);
      }
      be.destroyChunk(a);
      be.destroyChunk(b);
      expect(p.pagesInUse).toBe(0);
      expect(p.work.chunksDestroyed).toBe(2);
    });

    it('fails creation or population cleanly when pages run out', () => {
      const p = new SimplePlatform(5);
      const be = createChunkBackend(kind, unitGeometry(ai, topo), p);
      const base = be.createChunk();
      if (be.populatedOnCreate) {
        expect(base).toBe(-1);
      } else {
        expect(be.populate(base, 0, 2)).toBe(false); // 8 pages needed, 5 available
      }
      expect(p.pagesInUse).toBe(0);
    });
  });
}

describe('vm backend', () => {
  it('allocates one page per page per possible CPU on that CPU\'s node', () => {
    const nodes: number[] = [];
    const p = new SimplePlatform();
    const orig = p.allocPage.bind(p);
    p.allocPage = (node: number) => { nodes.push(node); return orig(node); };
    const t2: Topology = { pageSize: 4096, nrCpus: 4, cpuToNode: [0, 1, 0, 1], nodeDistance: [[10, 20], [20, 10]] };
    const ai2: AllocInfo = { ...ai, nr_groups: 2, groups: [
      { nr_units: 2, base_offset: 0, cpu_map: [0, 2] }, { nr_units: 2, base_offset: 131072, cpu_map: [1, 3] }] };
    const be = createChunkBackend('vm', unitGeometry(ai2, t2), p);
    const base = be.createChunk();
    expect(be.populate(base, 2, 4)).toBe(true);
    expect(nodes).toEqual([0, 0, 1, 1, 0, 0, 1, 1]);
    expect(p.work.pagesPopulated).toBe(8);
  });

  it('flushes the TLB only when asked, over the span from the lowest to the highest unit', () => {
    const p = new SimplePlatform();
    const ranges: [number, number][] = [];
    p.flushTlbKernelRange = (s: number, e: number) => { ranges.push([s, e]); };
    const be = createChunkBackend('vm', unitGeometry(ai, topo), p);
    const base = be.createChunk();
    be.populate(base, 0, 4);
    be.depopulate(base, 1, 3);
    expect(p.work.tlbFlushes).toBe(0);
    be.postUnmapTlbFlush(base, 1, 3);
    expect(p.work.tlbFlushes).toBe(1);
    expect(ranges).toEqual([[base + 4096, base + 3 * 65536 + 3 * 4096]]);
  });
});

describe('unit geometry', () => {
  it('rejects a possible CPU without a unit', () => {
    const bad: AllocInfo = { ...ai, groups: [{ nr_units: 4, base_offset: 0, cpu_map: [0, 1, 2, -1] }] };
    expect(() => unitGeometry(bad, topo)).toThrow(PercpuConfigError);
  });
});
