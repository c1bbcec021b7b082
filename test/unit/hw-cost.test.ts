import { describe, expect, it } from 'vitest';
import { newCountedWorkCost, tlbFlushNs } from '../../src/hw/cost.ts';
import { CountedWorkMeter } from '../../src/hw/counted-work-meter.ts';
import { META_BASE } from '../../src/hw/metadata-arena.ts';
import { MachinePlatform } from '../../src/hw/machine-platform.ts';
import { newWorkCounters } from '../../src/kernel/platform.ts';
import { TINY_CODE, tinyMachine } from './hw-tiny-machine.ts';
import { timeRates, zeroingNs, zeroStreamNsPerByte } from '../../src/hw/time-model.ts';

const FULL = { costModel: 'full', code: TINY_CODE } as const;
const COUNTS = { code: TINY_CODE } as const;

describe('cost model: metadata lines through the cache model', () => {
  it('charges a known set of touched lines on a known cache a known time', () => {
    const p = new MachinePlatform(tinyMachine(), FULL);
    p.setActingCpu(0);
    // 4 cold lines: the first pays local memory latency (100), the next 3 stream at 64 B / 16 GB/s = 4
    p.touchRead(META_BASE, 256);
    expect(p.breakdown().cache).toBe(100 + 3 * 4);
    // the same 4 lines again: all in L1 (1 ns each, streamed at 1 ns)
    p.touchRead(META_BASE, 256);
    expect(p.breakdown().cache).toBe(112 + 4);
    // 4 new lines evict the first 4 from L1; L2 (16 lines) keeps them
    p.touchWrite(META_BASE + 256, 256);
    expect(p.breakdown().cache).toBe(116 + 112);
    // line 0 again: an L2 hit, 4 ns
    p.touchRead(META_BASE + 10, 4);
    expect(p.breakdown().cache).toBe(228 + 4);
    expect(p.chargeOp()).toBe(232);
    expect(p.modeledNs).toBe(232);
  });

  it('charges a range that straddles lines for every line it covers', () => {
    const p = new MachinePlatform(tinyMachine(), FULL);
    p.touchRead(META_BASE + 60, 8); // bytes 60..67: lines 0 and 1
    expect(p.breakdown().cache).toBe(100 + 4);
  });

  it('charges remote metadata at the remote latency and bandwidth', () => {
    const p = new MachinePlatform(tinyMachine(), FULL);
    p.setActingCpu(3); // node 1
    const onNode1 = p.metaAlloc(64); // lands in node 1's arena, warm in CPU 3's caches
    const before = p.breakdown().cache;
    p.touchRead(onNode1, 64);
    expect(p.breakdown().cache - before).toBe(1); // L1 hit
    p.setActingCpu(0); // node 0 reads it: a miss at distance 20
    p.touchRead(onNode1, 128);
    expect(p.breakdown().cache - before).toBe(1 + 150 + 8);
  });

  it('charges an address outside the metadata arenas as local memory', () => {
    const p = new MachinePlatform(tinyMachine(), FULL);
    p.setActingCpu(3);
    const firstChunk = p.embedFirstChunk([0], [1 << 20], 1 << 20);
    p.touchRead(firstChunk + 4096, 64);
    expect(p.breakdown().cache).toBe(100);
    expect(Number.isFinite(p.modeledNs)).toBe(true);
  });

  it('invalidates a line written by one CPU in another CPU private cache', () => {
    const p = new MachinePlatform(tinyMachine(), FULL);
    p.setActingCpu(0);
    p.touchRead(META_BASE, 64);
    p.setActingCpu(1);
    p.touchWrite(META_BASE, 64); // node 0's shared L2 hit for CPU 1 (4 ns), invalidates CPU 0's L1
    p.setActingCpu(0);
    const before = p.breakdown().cache;
    p.touchRead(META_BASE, 64);
    expect(p.breakdown().cache - before).toBe(4); // L2, not L1
  });

  it('charges a flat cost per line in counts mode (the default), without a cache', () => {
    const p = new MachinePlatform(tinyMachine(), COUNTS);
    p.touchRead(META_BASE, 256);
    p.touchRead(META_BASE, 256);
    expect(p.breakdown().cache).toBe(8 * 1.5);
    expect(p.cacheStats().every((s) => s.hits + s.misses === 0)).toBe(true);
  });
});

describe('cost model: zeroing every unit', () => {
  it('zeroes N bytes on K units over 2 nodes in a known time', () => {
    const m = tinyMachine();
    // 4 units (3 on node 0, 1 on node 1), 2 ns per memset call, 0.1 ns/B local, 0.2 ns/B remote
    const r = timeRates(m, TINY_CODE);
    expect(zeroingNs(r, 4, zeroStreamNsPerByte(m, 0), 1000)).toBeCloseTo(4 * 2 + 1000 * (3 * 0.1 + 1 * 0.2), 9);
    expect(zeroingNs(r, 4, zeroStreamNsPerByte(m, 1), 1000)).toBeCloseTo(4 * 2 + 1000 * (3 * 0.2 + 1 * 0.1), 9);
    const p = new MachinePlatform(m, COUNTS);
    p.setActingCpu(3);
    p.zeroUnits(0, 0, 1000);
    expect(p.breakdown().zeroing).toBeCloseTo(708, 9);
  });

  it("zeroes a unit whose pages fell back to another node at that node's distance", () => {
    const p = new MachinePlatform(tinyMachine(), COUNTS);
    p.setActingCpu(0);
    // node 1 has 2 pages: 4 requests for it take 2 there and borrow 2 from node 0
    for (let i = 0; i < 4; i++) expect(p.allocPage(1)).toBe(true);
    let before = p.breakdown().zeroing;
    p.zeroUnits(0, 0, 1000);
    // CPU 3's unit: half on node 1 (0.2 ns/B from node 0), half on node 0 (0.1 ns/B)
    expect(p.breakdown().zeroing - before).toBeCloseTo(4 * 2 + 1000 * (3 * 0.1 + 0.5 * 0.2 + 0.5 * 0.1), 9);
    // the borrowed pages go back first: the unit is all on node 1 again
    p.freePage(1);
    p.freePage(1);
    before = p.breakdown().zeroing;
    p.zeroUnits(0, 0, 1000);
    expect(p.breakdown().zeroing - before).toBeCloseTo(4 * 2 + 1000 * (3 * 0.1 + 1 * 0.2), 9);
  });

  it('lets the store buffer absorb the first bytes of a zeroing: only the rest waits for memory', () => {
    const m = tinyMachine({ cost: { storeBufferBytes: 2000 } });
    const r = timeRates(m, TINY_CODE);
    // 4 units x 1000 B = 4000 B, 2000 of them absorbed: half the stream time stalls
    expect(zeroingNs(r, 4, zeroStreamNsPerByte(m, 0), 1000)).toBeCloseTo(4 * 2 + 0.5 * 1000 * (3 * 0.1 + 1 * 0.2), 9);
    // 4 x 400 B = 1600 B fit in the buffer: only the loop steps cost
    expect(zeroingNs(r, 4, zeroStreamNsPerByte(m, 0), 400)).toBe(4 * 2);
  });
});

describe('cost model: counted work', () => {
  it('turns counter deltas into compute, memmove and fixed time', () => {
    const m = tinyMachine();
    const d = newWorkCounters();
    d.bitmapWordsScanned = 10; // 0.5 each
    d.blockMdRead = 3; // 2
    d.blockMdWritten = 2; // 3
    d.mapEntriesScanned = 7; // 1
    d.listMoves = 2; // 4
    d.bytesMoved = 400; // 0.25
    d.warnings = 1; // 20000
    d.bytesZeroedPerUnit = 999; // charged by zeroUnits, not here
    const out = newCountedWorkCost();
    new CountedWorkMeter(timeRates(m, TINY_CODE)).take(d, out);
    expect(out).toEqual({ compute: 5 + 6 + 6 + 7 + 8, memmove: 100, fixed: 20000 });
  });

  it('chargeOp charges only the deltas since the previous call, plus the op overhead', () => {
    const p = new MachinePlatform(tinyMachine(), COUNTS);
    p.work.bitmapWordsScanned += 100;
    expect(p.chargeOp('alloc')).toBe(50 + 60);
    expect(p.chargeOp('free')).toBe(30); // nothing new counted
    p.work.bytesMoved += 8;
    expect(p.chargeOp()).toBe(2);
    expect(p.modeledNs).toBe(142);
    const b = p.breakdown();
    expect([b.compute, b.memmove, b.fixed]).toEqual([50, 2, 90]);
  });

  it('keeps kworker time apart from the calling CPU', () => {
    const p = new MachinePlatform(tinyMachine(), COUNTS);
    p.setActingCpu(2);
    p.chargeOp('alloc');
    p.setActingCpu(-1);
    p.work.listMoves += 1;
    p.chargeOp('balance');
    expect(p.cpuNs).toBe(60);
    expect(p.kworkerNs).toBe(504);
    expect(p.modeledNs).toBe(564);
    expect(p.breakdown('kworker').fixed).toBe(500);
  });

  it('rejects an acting CPU that is not possible', () => {
    const p = new MachinePlatform(tinyMachine(), COUNTS);
    expect(() => p.setActingCpu(4)).toThrow(/not a possible CPU/);
    expect(() => p.setActingCpu(-2)).toThrow(/not a possible CPU/);
  });
});

describe('cost model: pages, TLB, vm areas, metadata buffers', () => {
  it('charges page allocation, mapping and the TLB shootdown', () => {
    const m = tinyMachine();
    const p = new MachinePlatform(m, COUNTS);
    p.allocPage(0);
    p.mapPages(4, 3); // 4 units x (20 + 3 x 10)
    p.unmapPages(4, 3); // 4 units x (20 + 3 x 5)
    p.freePage(0);
    p.flushTlbKernelRange(0, 1 << 20);
    const b = p.breakdown();
    expect(b.pages).toBe(100 + 200 + 140 + 50);
    expect(tlbFlushNs(m)).toBe(300 + 3 * 100);
    expect(b.tlb).toBe(600);
  });

  it('charges vm areas per area and metadata buffers by size', () => {
    const p = new MachinePlatform(tinyMachine(), COUNTS);
    const base = p.getVmAreas([0, 1 << 20], [1 << 16, 1 << 16], 1 << 16);
    p.freeVmAreas(base);
    expect(p.breakdown().vmalloc).toBe(2 * 1000 + 2 * 500);
    const small = p.metaAlloc(100); // kzalloc: 40 + 100 B x 0.1
    const big = p.metaAlloc(3 * 4096); // vzalloc: 2000 + 3 pages x (100 + 10) + 12288 x 0.1
    p.metaFree(small, 100);
    p.metaFree(big, 3 * 4096);
    expect(p.breakdown().metadata).toBeCloseTo(50 + 2000 + 330 + 1228.8 + 30 + 1000 + 3 * (50 + 5), 9);
  });
});
