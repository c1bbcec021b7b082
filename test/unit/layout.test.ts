import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AllocInfo, FirstChunkRequest, KernelVersion, Topology } from '../../src/kernel/allocator.ts';
import { ALLOCATOR_NAMES, KERNEL_OF, PercpuConfigError } from '../../src/kernel/allocator.ts';
import { kernelOfName } from '../../src/kernel/versions.ts';
import { buildAllocInfo } from '../../src/kernel/layout.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/conformance');

interface Header {
  name: string;
  /** the series (v6.12) or the exact release (v6.18.26) that recorded the case */
  kernel: string;
  machine: { page_size: number; nr_cpus: number; cpu_to_node: number[]; node_distance: number[][] };
  first_chunk: { static_size: number; reserved_size: number; dyn_size: number; atom_size: number };
  expect_layout: AllocInfo;
}

/** the decompressed text of a .gz file, or only of a leading part when `prefixBytes` is given */
function gunzipText(file: string, prefixBytes?: number): string {
  const gz = readFileSync(file);
  if (prefixBytes === undefined || gz.length <= prefixBytes) return gunzipSync(gz).toString('utf8');
  return gunzipSync(gz.subarray(0, prefixBytes), { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
}

/** every header in a fixture folder: all lines of layout-* files, the first line of the others */
function headers(dir: string, layoutFiles: boolean): Header[] {
  return readdirSync(join(FIXTURES, dir))
    .filter((f) => f.endsWith('.jsonl.gz') && f.startsWith('layout-') === layoutFiles)
    .flatMap((f) => {
      const file = join(FIXTURES, dir, f);
      if (layoutFiles) return gunzipText(file).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Header);
      // a header is one line near the start: decompress only enough to reach its end
      let text = gunzipText(file, 64 * 1024);
      if (!text.includes('\n')) text = gunzipText(file);
      const end = text.indexOf('\n');
      return [JSON.parse(end < 0 ? text : text.slice(0, end)) as Header];
    });
}

/** names of the cases whose computed layout differs from expect_layout (or that throw) */
function mismatches(cases: Header[], version: KernelVersion): string[] {
  return cases.flatMap((h) => {
    const m = h.machine;
    const fc = h.first_chunk;
    try {
      const ai = buildAllocInfo(
        version,
        { pageSize: m.page_size, nrCpus: m.nr_cpus, cpuToNode: m.cpu_to_node, nodeDistance: m.node_distance },
        { staticSize: fc.static_size, reservedSize: fc.reserved_size, dynSize: fc.dyn_size, atomSize: fc.atom_size },
      );
      return JSON.stringify(ai) === JSON.stringify(h.expect_layout) ? [] : [h.name];
    } catch (e) {
      return [`${h.name}: ${String(e)}`];
    }
  });
}

describe('first-chunk layout matches the recorded kernel layouts', () => {
  for (const allocator of ALLOCATOR_NAMES) {
    it(`${allocator}: every layout-public case`, () => {
      const cases = headers(allocator, true);
      expect(cases.length).toBe(200);
      // headers name the series (v6.12) or the exact release (v6.18.26) that recorded them
      expect(cases.every((h) => kernelOfName(h.kernel) === KERNEL_OF[allocator])).toBe(true);
      expect(mismatches(cases, KERNEL_OF[allocator])).toEqual([]);
    });
    it(`${allocator}: the header of every other fixture`, () => {
      const cases = headers(allocator, false);
      expect(cases.length).toBeGreaterThan(0);
      expect(mismatches(cases, KERNEL_OF[allocator])).toEqual([]);
    });
  }
});

const KiB = 1024;
const MiB = 1024 * KiB;
const oneNode = (nrCpus: number, pageSize = 4096): Topology => ({
  pageSize,
  nrCpus,
  cpuToNode: new Array<number>(nrCpus).fill(0),
  nodeDistance: [[10]],
});
// x86-64 boot request for a 180000-byte static image: size_sum is 53 pages (212 KiB)
const X86: FirstChunkRequest = { staticSize: 180000, reservedSize: 8 * KiB, dynSize: 28 * KiB, atomSize: 2 * MiB };

describe('first-chunk layout, hand-computed', () => {
  it('packs 8 CPUs of one node into one 2 MiB atom of 256 KiB units', () => {
    const ai = buildAllocInfo('v6.12', oneNode(8), X86);
    expect(ai).toEqual({
      unit_size: 256 * KiB, atom_size: 2 * MiB, alloc_size: 2 * MiB,
      static_size: 180000, reserved_size: 8 * KiB, dyn_size: 28896, // dyn absorbs the page slack
      nr_groups: 1, groups: [{ nr_units: 8, base_offset: 0, cpu_map: [0, 1, 2, 3, 4, 5, 6, 7] }], nr_units: 8,
    });
  });

  it('gives 4 CPUs bigger units, since 8 per atom would waste more than a third', () => {
    const ai = buildAllocInfo('v6.12', oneNode(4), X86);
    expect(ai.unit_size).toBe(512 * KiB);
    expect(ai.groups).toEqual([{ nr_units: 4, base_offset: 0, cpu_map: [0, 1, 2, 3] }]);
  });

  it('splits nodes into groups laid back to back, padding unused units with -1', () => {
    const topo: Topology = { pageSize: 4096, nrCpus: 6, cpuToNode: [0, 1, 0, 1, 0, 1], nodeDistance: [[10, 21], [21, 10]] };
    for (const version of ['v6.12', 'v4.14', 'v4.13'] as const) {
      const ai = buildAllocInfo(version, topo, X86);
      // upa 8 wastes 10 units, upa 4 wastes 2 (= 6/3, allowed) in 2 atoms, upa 2 would need 4 atoms
      expect(ai.unit_size).toBe(512 * KiB);
      expect(ai.groups).toEqual([
        { nr_units: 4, base_offset: 0, cpu_map: [0, 2, 4, -1] },
        { nr_units: 4, base_offset: 2 * MiB, cpu_map: [1, 3, 5, -1] },
      ]);
      expect(ai.nr_units).toBe(8);
    }
  });

  it('groups by the seed CPU only in v6.12, by every earlier member in v4.x', () => {
    // node 0 is local to nodes 1 and 2, but nodes 1 and 2 are remote from each other
    const topo: Topology = {
      pageSize: 4096, nrCpus: 3, cpuToNode: [0, 1, 2],
      nodeDistance: [[10, 10, 10], [10, 10, 20], [10, 20, 10]],
    };
    const cpuMaps = (v: KernelVersion): number[][] => buildAllocInfo(v, topo, X86).groups.map((g) => g.cpu_map.filter((c) => c >= 0));
    expect(cpuMaps('v6.12')).toEqual([[0, 1, 2]]);
    expect(cpuMaps('v4.14')).toEqual([[0, 1], [2]]);
    expect(cpuMaps('v4.13')).toEqual([[0, 1], [2]]);
  });

  it('raises dyn to the version early size: 20 KiB in v6.12, 12 KiB before', () => {
    const req: FirstChunkRequest = { staticSize: 16 * KiB, reservedSize: 0, dynSize: 0, atomSize: 4096 };
    const v612 = buildAllocInfo('v6.12', oneNode(1), req);
    expect([v612.dyn_size, v612.unit_size]).toEqual([20 * KiB, 36 * KiB]);
    const v414 = buildAllocInfo('v4.14', oneNode(1), req);
    expect([v414.dyn_size, v414.unit_size]).toEqual([12 * KiB, 32 * KiB]); // PCPU_MIN_UNIT_SIZE
  });

  it('rounds to 64 KiB pages, with a 64 KiB minimum unit', () => {
    const req: FirstChunkRequest = { staticSize: 12 * KiB, reservedSize: 8 * KiB, dynSize: 0, atomSize: 64 * KiB };
    const ai = buildAllocInfo('v6.12', oneNode(2, 64 * KiB), req);
    expect([ai.unit_size, ai.dyn_size, ai.alloc_size]).toEqual([64 * KiB, 44 * KiB, 64 * KiB]);
  });
});

describe('first-chunk layout refuses configurations the kernel could not boot with', () => {
  const topo = oneNode(4);
  const bad: [string, Topology, FirstChunkRequest, RegExp][] = [
    ['no CPUs', oneNode(0), X86, /nrCpus/],
    ['more CPUs than NR_CPUS', oneNode(8193), X86, /nrCpus.*8192/],
    ['a page size that is not a power of two', { ...topo, pageSize: 6000 }, X86, /pageSize/],
    ['a non-square distance table', { ...topo, nodeDistance: [[10, 20]] }, X86, /nodeDistance/],
    ['an empty distance table', { ...topo, nodeDistance: [] }, X86, /nodeDistance/],
    ['a fractional distance', { ...topo, nodeDistance: [[10.5]] }, X86, /nodeDistance\[0\]\[0\]/],
    ['a CPU on a node that does not exist', { ...topo, cpuToNode: [0, 0, 1, 0] }, X86, /cpuToNode\[2\]/],
    ['a node list shorter than the CPUs', { ...topo, cpuToNode: [0, 0] }, X86, /cpuToNode/],
    ['a negative size', topo, { ...X86, dynSize: -4096 }, /dynSize/],
    ['a fractional size', topo, { ...X86, staticSize: 100.5 }, /staticSize/],
    ['an atom that is not a page multiple', topo, { ...X86, atomSize: 6000 }, /atomSize/],
    ['a zero atom', topo, { ...X86, atomSize: 0 }, /atomSize/],
    ['no static percpu data', topo, { ...X86, staticSize: 0 }, /staticSize/],
    ['a reserved size that is not a multiple of 4', topo, { ...X86, reservedSize: 8190 }, /reservedSize/],
  ];
  for (const [what, t, req, field] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => buildAllocInfo('v6.12', t, req)).toThrow(PercpuConfigError);
      expect(() => buildAllocInfo('v6.12', t, req)).toThrow(field);
    });
  }

  it('lets v4.13 keep an unaligned reserved size (its setup has no such check)', () => {
    expect(buildAllocInfo('v4.13', topo, { ...X86, reservedSize: 8190 }).reserved_size).toBe(8190);
    expect(() => buildAllocInfo('v4.14', topo, { ...X86, reservedSize: 8190 })).toThrow(/reservedSize/);
  });
});
