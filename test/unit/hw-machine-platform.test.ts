import { describe, expect, it } from 'vitest';
import { loadMachine, machineFirstChunk, machineTopology } from '../../src/hw/machine-config.ts';
import type { CostModel } from '../../src/hw/machine-platform.ts';
import { COST_CATEGORIES, MachinePlatform } from '../../src/hw/machine-platform.ts';
import type { PercpuAllocator } from '../../src/kernel/allocator.ts';
import { ALLOCATOR_NAMES, DEFAULT_KNOBS } from '../../src/kernel/allocator.ts';
import { allocatorFactory } from '../../src/kernel/registry.ts';

function boot(name: string, machineOverrides: Record<string, unknown> = {}, costModel: CostModel = 'full'): { a: PercpuAllocator; p: MachinePlatform } {
  const m = loadMachine('seed-2017', machineOverrides);
  const f = allocatorFactory(name);
  if (typeof f === 'string') throw new Error(f);
  const p = new MachinePlatform(m, { costModel });
  const a = f({ topology: machineTopology(m), firstChunk: machineFirstChunk(m), knobs: DEFAULT_KNOBS }, p);
  p.setActingCpu(0);
  return { a, p };
}

/** alloc n objects, charging each op; returns the offsets and the per-op costs */
function allocMany(a: PercpuAllocator, p: MachinePlatform, n: number, size: number): { live: [number, number][]; costs: number[] } {
  const live: [number, number][] = [];
  const costs: number[] = [];
  for (let i = 0; i < n; i++) {
    const off = a.alloc(size, 4, false, false);
    costs.push(p.chargeOp('alloc'));
    if (off < 0) break;
    live.push([a.lastChunkId, off]);
    if (a.balancePending) {
      p.setActingCpu(-1);
      a.runBalance();
      p.chargeOp('balance');
      p.setActingCpu(0);
    }
  }
  return { live, costs };
}

describe('MachinePlatform under the real allocators', () => {
  for (const name of ALLOCATOR_NAMES) {
    it(`${name}: every operation costs time, the clock only moves forward, pages come back`, () => {
      const { a, p } = boot(name);
      const { live, costs } = allocMany(a, p, 3000, 64);
      expect(live.length).toBe(3000);
      expect(costs.every((c) => c > 0)).toBe(true);
      const afterAlloc = p.modeledNs;
      const b = p.breakdown('cpu');
      expect(b.zeroing).toBeGreaterThan(0);
      expect(b.fixed).toBeCloseTo(3000 * p.rates.allocCallNs, 6);
      expect(p.footprint().populated_pages).toBeGreaterThan(0);
      let last = afterAlloc;
      for (const [chunk, off] of live) {
        a.free(chunk, off);
        p.chargeOp('free');
        expect(p.modeledNs).toBeGreaterThan(last);
        last = p.modeledNs;
      }
      const sum = COST_CATEGORIES.reduce((s, c) => s + p.breakdown()[c], 0);
      expect(sum).toBeCloseTo(p.modeledNs, 3);
      expect(p.cpuNs + p.kworkerNs).toBeCloseTo(p.modeledNs, 3);
      const fp = p.footprint();
      expect(fp.pages_per_node.reduce((x, y) => x + y, 0)).toBe(fp.populated_pages);
    });

    it(`${name}: gives the same modeled time on a second identical run`, () => {
      const run = (): number => {
        const { a, p } = boot(name);
        allocMany(a, p, 2000, 16);
        return p.modeledNs;
      };
      expect(run()).toBe(run());
    });

    it(`${name}: fails allocations, without throwing, once vmalloc space runs out`, () => {
      // each chunk spans two 4 MiB groups: 24 MiB holds three chunks' worth of areas at most
      const { a, p } = boot(name, { vmalloc: { size: '24 MiB' } }, 'counts');
      const { live } = allocMany(a, p, 20000, 1024);
      expect(live.length).toBeGreaterThan(0);
      expect(live.length).toBeLessThan(20000);
      expect(a.lastFailReason).not.toBeNull();
      expect(p.footprint().vmalloc_bytes).toBeLessThanOrEqual(24 * 1024 * 1024);
    });

    it(`${name}: fails allocations once the page budget is spent`, () => {
      const { a, p } = boot(name, { memory: { pageBudget: 64 } }, 'counts');
      const { live } = allocMany(a, p, 20000, 1024);
      expect(live.length).toBeLessThan(20000);
      expect(a.lastFailReason).not.toBeNull();
      expect(p.footprint().populated_pages).toBeLessThanOrEqual(64);
    });
  }
});
