/**
 * Memory-cgroup accounting of per-CPU memory (src/kernel/memcg.ts, src/engine/memcg-tree.ts):
 * the charge formula, memory.max refusing the call before any allocator work, hierarchical
 * limits, obj_exts in the chunk metadata, and charges back at zero once everything is freed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AllocatorConfig, AllocatorName, PercpuAllocator } from '../../src/kernel/allocator.ts';
import { DEFAULT_KNOBS } from '../../src/kernel/allocator.ts';
import { allocatorFactory } from '../../src/kernel/registry.ts';
import { SimplePlatform } from '../../src/hw/simple-platform.ts';
import { objExtsBytes, pcpuObjFullSize } from '../../src/kernel/memcg.ts';
import { MemcgTree } from '../../src/engine/memcg-tree.ts';

function config(nrCpus: number, memcg: MemcgTree | null): AllocatorConfig {
  return {
    topology: { pageSize: 4096, nrCpus, cpuToNode: new Array<number>(nrCpus).fill(0), nodeDistance: [[10]] },
    firstChunk: { staticSize: 16384, reservedSize: 8192, dynSize: 28672, atomSize: 4096 },
    knobs: DEFAULT_KNOBS,
    ...(memcg ? { memcg } : {}),
  };
}

/** SimplePlatform counting the metadata bytes asked for */
class CountingPlatform extends SimplePlatform {
  metaBytes = 0;
  override metaAlloc(bytes: number): number {
    this.metaBytes += bytes;
    return super.metaAlloc(bytes);
  }
}

function make(name: AllocatorName, nrCpus: number, memcg: MemcgTree | null): { a: PercpuAllocator; p: CountingPlatform } {
  const f = allocatorFactory(name);
  if (typeof f === 'string') throw new Error(f);
  const p = new CountingPlatform();
  return { a: f(config(nrCpus, memcg), p), p };
}

/** fill the first chunk with unaccounted 1 KiB objects, so what follows lands in created chunks (which carry obj_exts) */
function fillFirstChunk(a: PercpuAllocator): void {
  for (;;) {
    expect(a.alloc(1024, 4, false, false)).toBeGreaterThanOrEqual(0);
    if (a.lastChunkId > 0) return;
  }
}

describe('pcpu_obj_full_size', () => {
  // size × possible CPUs + 8 bytes (one obj_cgroup pointer) per 4-byte granule
  it.each([
    [4, 1, 4 + 8],
    [8, 1, 8 + 16],
    [12, 1, 12 + 24],
    [1000, 1, 1000 + 2000],
    [4, 4, 16 + 8],
    [8, 4, 32 + 16],
    [12, 4, 48 + 24],
    [1000, 4, 4000 + 2000],
    [4, 1024, 4096 + 8],
    [8, 1024, 8192 + 16],
    [12, 1024, 12288 + 24],
    [1000, 1024, 1_024_000 + 2000],
  ])('charges %i bytes on %i CPUs as %i', (size, cpus, want) => {
    expect(pcpuObjFullSize(size, cpus)).toBe(want);
  });

  it('charges the size as pcpu_alloc_noprof rounds it (5 bytes are charged as 8)', () => {
    const tree = new MemcgTree(4096);
    tree.create('a', null);
    const { a } = make('bitmap', 4, tree);
    fillFirstChunk(a);
    tree.current = tree.objcgOf('a');
    expect(a.alloc(5, 4, false, false, true)).toBeGreaterThanOrEqual(0);
    expect(tree.percpuOf(0)).toBe(pcpuObjFullSize(8, 4));
  });
});

describe('memory.max', () => {
  it('admits exactly N objects and refuses the N+1st with no change to the allocator', () => {
    const tree = new MemcgTree(4096);
    tree.create('pod', 10 * 4096);
    const { a, p } = make('bitmap', 4, tree);
    fillFirstChunk(a);
    tree.current = tree.objcgOf('pod');
    const full = pcpuObjFullSize(8, 4); // 48
    const n = Math.floor((10 * 4096) / full); // 853
    for (let i = 0; i < n; i++) expect(a.alloc(8, 8, false, false, true), `object ${i}`).toBeGreaterThanOrEqual(0);
    expect(tree.percpuOf(0)).toBe(n * full);
    const stats = JSON.stringify(a.stats());
    const view = JSON.stringify(a.percpuStats!());
    const work = JSON.stringify(p.work);
    expect(a.alloc(8, 8, false, false, true)).toBe(-1);
    expect(a.lastFailReason).toBe('memcg charge refused');
    expect(JSON.stringify(a.stats())).toBe(stats);
    expect(JSON.stringify(a.percpuStats!())).toBe(view);
    expect(JSON.stringify(p.work)).toBe(work);
    expect(tree.metrics()[0]!.refused).toBe(1);
    // the same call unaccounted is not the cgroup's business
    expect(a.alloc(8, 8, false, false, false)).toBeGreaterThanOrEqual(0);
  });

  it('counts a child against every ancestor: the parent limit refuses, and counts the refusal', () => {
    const tree = new MemcgTree(4096);
    tree.create('parent', 4096);
    tree.create('parent/a', null);
    tree.create('parent/b', 1 << 20);
    const full = pcpuObjFullSize(64, 2); // 128 + 128 = 256
    expect(tree.charge(tree.objcgOf('parent/a'), 8 * full)).toBe(true);
    expect(tree.charge(tree.objcgOf('parent/b'), 8 * full)).toBe(true);
    expect(tree.usageOf(0)).toBe(4096);
    expect(tree.charge(tree.objcgOf('parent/b'), 1)).toBe(false);
    expect(tree.metrics().map((c) => c.refused)).toEqual([1, 0, 0]);
    tree.modPercpuStat(tree.objcgOf('parent/a'), 100);
    tree.modPercpuStat(tree.objcgOf('parent/b'), 20);
    expect(tree.percpuOf(0)).toBe(120);
  });

  it('rounds memory.max down to whole pages, as page_counter_memparse does', () => {
    const tree = new MemcgTree(4096);
    tree.create('x', 4096 + 4000);
    expect(tree.metrics()[0]!.max_bytes).toBe(4096);
  });

  it('reparents the charges of a removed cgroup: a later free uncharges the parent', () => {
    const tree = new MemcgTree(4096);
    tree.create('p', null);
    tree.create('p/c', null);
    const { a } = make('bitmap', 2, tree);
    fillFirstChunk(a);
    tree.current = tree.objcgOf('p/c');
    const off = a.alloc(16, 8, false, false, true);
    const chunk = a.lastChunkId;
    tree.remove('p/c');
    expect(tree.percpuOf(0)).toBe(pcpuObjFullSize(16, 2));
    a.free(chunk, off);
    expect(tree.percpuOf(0)).toBe(0);
    expect(tree.usageOf(0)).toBe(0);
  });
});

describe('where the kernel does not charge', () => {
  it('returns the charge for an object placed in the first chunk, which has no obj_exts', () => {
    const tree = new MemcgTree(4096);
    tree.create('a', null);
    const { a } = make('bitmap', 4, tree);
    tree.current = tree.objcgOf('a');
    expect(a.alloc(64, 8, false, false, true)).toBeGreaterThanOrEqual(0);
    expect(a.lastChunkId).toBe(0);
    expect(tree.usageOf(0)).toBe(0);
    expect(tree.percpuOf(0)).toBe(0);
  });

  it('v5.10 refuses a memory controller (its accounted bank of chunks is not ported)', () => {
    const tree = new MemcgTree(4096);
    expect(() => make('bitmap-v5.10', 2, tree)).toThrow(/not ported for v5.10/);
  });
});

describe('obj_exts in the chunk metadata', () => {
  it('costs 8 bytes per 4-byte granule of every created chunk, with accounting on only', () => {
    const on = make('bitmap', 2, new MemcgTree(4096));
    const off = make('bitmap', 2, null);
    fillFirstChunk(on.a);
    fillFirstChunk(off.a);
    const unitPages = on.a.layout.unit_size / 4096;
    expect(on.p.metaBytes - off.p.metaBytes).toBe(objExtsBytes((unitPages * 4096) / 4));
  });
});

describe('charges under random workloads', () => {
  it('follow the live accounted objects, and return to zero once everything is freed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ free: fc.boolean(), size: fc.integer({ min: 1, max: 2048 }), cg: fc.integer({ min: 0, max: 3 }), pick: fc.nat() }), { maxLength: 300 }),
        fc.constantFrom<AllocatorName>('bitmap', 'bitmap-v6.18'),
        (ops, name) => {
          const tree = new MemcgTree(4096);
          tree.create('top', 256 * 1024);
          tree.create('top/a', 64 * 1024);
          tree.create('top/b', null);
          const objcgs = [0, tree.objcgOf('top'), tree.objcgOf('top/a'), tree.objcgOf('top/b')];
          const { a } = make(name, 3, tree);
          const live: [number, number][] = [];
          for (const op of ops) {
            if (op.free && live.length > 0) {
              const [chunk, off] = live.splice(op.pick % live.length, 1)[0]!;
              a.free(chunk, off);
            } else {
              tree.current = objcgs[op.cg]!;
              const off = a.alloc(op.size, 8, false, false, op.cg > 0);
              if (off >= 0) live.push([a.lastChunkId, off]);
            }
            a.checkInvariants();
            expect(tree.usageOf(0)).toBe(tree.percpuOf(0));
            expect(tree.usageOf(0)).toBeLessThanOrEqual(256 * 1024);
            expect(tree.usageOf(1)).toBeLessThanOrEqual(64 * 1024);
          }
          for (const [chunk, off] of live) a.free(chunk, off);
          for (let c = 0; c < 3; c++) {
            expect(tree.usageOf(c)).toBe(0);
            expect(tree.percpuOf(c)).toBe(0);
          }
        },
      ),
      { numRuns: 60, seed: 15 },
    );
  });
});

describe('scenario checks at load', () => {
  const load = async (body: string): Promise<string> => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { loadScenario } = await import('../../src/scenario/load.ts');
    const file = join(mkdtempSync(join(tmpdir(), 'memcg-')), 's.json5');
    writeFileSync(file, body);
    try {
      loadScenario(file);
      return 'loaded';
    } catch (e) {
      return (e as Error).message.replace(file, 'S');
    }
  };

  it('refuses v5.10 with accounting, naming the allocators entry', async () => {
    const msg = await load(`{
  machine: 'laptop',
  allocators: ['bitmap', 'v5.10'],
  workload: [
    { phase: 'memcg', action: 'create', cgroup: 'a' },
    { phase: 'alloc', count: 1, size: 8, account: 'a' },
  ],
}`);
    expect(msg).toMatch(/^S:3:26: allocators\[1\]: "v5.10" cannot run memory-cgroup accounting/);
  });

  it('names an account cgroup that does not exist, with a suggestion', async () => {
    const msg = await load(`{
  machine: 'laptop',
  workload: [
    { phase: 'memcg', action: 'create', cgroup: 'pods' },
    { phase: 'alloc', count: 1, size: 8, account: 'pod' },
  ],
}`);
    expect(msg).toMatch(/^S:5:51: workload\[1\]\.account: no memory cgroup "pod" exists here \(did you mean `pods`\?\)/);
  });

  it('refuses a memory.max that is not a size', async () => {
    const msg = await load(`{ machine: 'laptop', workload: [{ phase: 'memcg', action: 'create', cgroup: 'a', max: '1 GB' }] }`);
    expect(msg).toMatch(/workload\[0\]\.max: expected a byte count, a size such as '1 GiB', or 'max'/);
  });
});

describe('scenarios/memcg-limits.json5 (its golden metrics)', () => {
  it('charges what the formula says: 65,027 BPF entries under 1 GiB, 470,592 bytes per memory cgroup to the parent', async () => {
    const { readFileSync } = await import('node:fs');
    const golden = JSON.parse(readFileSync('test/regression/golden/memcg-limits.json', 'utf8')) as {
      runs: { allocator: string; memcg: { charged: boolean; cgroups: { name: string; percpu_peak_bytes: number; refused: number }[] } }[];
    };
    const v612 = golden.runs.find((r) => r.allocator === 'bitmap')!.memcg;
    const cg = (name: string) => v612.cgroups.find((c) => c.name === name)!;
    const entry = pcpuObjFullSize(64, 256);
    expect(entry).toBe(16_512);
    expect(cg('bpf-pod').percpu_peak_bytes).toBe(Math.floor(2 ** 30 / entry) * entry);
    expect(cg('bpf-pod').percpu_peak_bytes).toBe(65_027 * 16_512);
    const perMemcg = pcpuObjFullSize(960, 256) + 2 * pcpuObjFullSize(432, 256);
    expect(perMemcg).toBe(470_592);
    expect(cg('system').percpu_peak_bytes).toBe(10_000 * perMemcg);
    const v414 = golden.runs.find((r) => r.allocator === 'v4.14')!.memcg;
    expect(v414.charged).toBe(false);
    expect(v414.cgroups.every((c) => c.percpu_peak_bytes === 0 && c.refused === 0)).toBe(true);
  });
});
