import { describe, expect, it } from 'vitest';
import { MachinePlatform } from '../../src/hw/machine-platform.ts';
import { PagePools } from '../../src/hw/page-pools.ts';
import { tinyMachine } from './hw-tiny-machine.ts';

const DIST3 = [
  [10, 20, 30],
  [20, 10, 20],
  [30, 20, 10],
];

describe('PagePools', () => {
  it('fails on an exhausted node when fallback is off (__GFP_THISNODE)', () => {
    const p = new PagePools([2, 5], DIST3.slice(0, 2).map((r) => r.slice(0, 2)), null, false);
    expect(p.alloc(0)).toBe(0);
    expect(p.alloc(0)).toBe(0);
    expect(p.alloc(0)).toBe(-1);
    expect(p.alloc(1)).toBe(1);
    expect(Array.from(p.inUse)).toEqual([2, 1]);
  });

  it('falls back to the nearest node with pages, and fails only when all are exhausted', () => {
    const p = new PagePools([1, 1, 1], DIST3, null, true);
    expect(p.alloc(0)).toBe(0);
    expect(p.alloc(0)).toBe(1); // distance 20 before 30
    expect(p.alloc(0)).toBe(2);
    expect(p.alloc(0)).toBe(-1);
    expect(p.alloc(2)).toBe(-1);
  });

  it('gives a borrowed page back to the node it came from', () => {
    const p = new PagePools([1, 3], [[10, 20], [20, 10]], null, true);
    p.alloc(0); // node 0
    p.alloc(0); // borrowed from node 1
    expect(Array.from(p.inUse)).toEqual([1, 1]);
    expect(p.free(0)).toBe(1);
    expect(p.free(0)).toBe(0);
    expect(Array.from(p.inUse)).toEqual([0, 0]);
  });

  it('stops at the global page budget whatever the nodes hold', () => {
    const p = new PagePools([10, 10], [[10, 20], [20, 10]], 3, true);
    expect([p.alloc(0), p.alloc(1), p.alloc(1), p.alloc(0)]).toEqual([0, 1, 1, -1]);
    p.free(1);
    expect(p.alloc(0)).toBe(0);
    expect(p.peak).toBe(3);
  });

  it('refuses to free a page that is not in use', () => {
    const p = new PagePools([1], [[10]], null, true);
    expect(() => p.free(0)).toThrow(/none is in use/);
  });
});

describe('MachinePlatform pages', () => {
  it('runs out when every node is exhausted and reports pages per node', () => {
    // tiny machine: node 0 has 4 pages, node 1 has 2
    const p = new MachinePlatform(tinyMachine());
    let got = 0;
    while (p.allocPage(1)) got++;
    expect(got).toBe(6);
    expect(p.footprint().pages_per_node).toEqual([4, 2]);
    expect(p.footprint().populated_pages).toBe(6);
    p.freePage(1);
    expect(p.footprint().pages_per_node).toEqual([3, 2]); // the page borrowed from node 0 went back first
  });

  it('fails at once on an exhausted node without fallback', () => {
    const p = new MachinePlatform(tinyMachine({ memory: { nodeFallback: false } }));
    expect([p.allocPage(1), p.allocPage(1), p.allocPage(1)]).toEqual([true, true, false]);
  });

  it('honours a page budget given as an option over the machine', () => {
    const p = new MachinePlatform(tinyMachine(), { pageBudget: 1 });
    expect([p.allocPage(0), p.allocPage(0)]).toEqual([true, false]);
  });

  it('rejects a node the machine does not have', () => {
    const p = new MachinePlatform(tinyMachine());
    expect(() => p.allocPage(2)).toThrow(/nodes 0\.\.1/);
  });
});
