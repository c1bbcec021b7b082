/**
 * A tiny machine for hand-computed cost tests: two nodes (CPUs 0-2 on node 0, CPU 3 on
 * node 1), round numbers everywhere. Built as overrides of the laptop preset, so it also
 * exercises the override path. Not a test file itself (no `.test.` in the name).
 */
import type { CodeCosts } from '../../src/hw/code-costs.ts';
import type { Machine } from '../../src/hw/machine-config.ts';
import { deepMerge, loadMachine } from '../../src/hw/machine-config.ts';

export const TINY = {
  topology: {
    nodes: [
      { cpus: '0-2', memory: 4 * 4096 },
      { cpus: '3', memory: 2 * 4096 },
    ],
    distance: [
      [10, 20],
      [20, 10],
    ],
  },
  memory: {
    pageSize: 4096,
    pageBudget: null,
    nodeFallback: true,
    latencyNs: { '10': 100, '20': 150 },
    // 16 GB/s = 16 bytes/ns: a 64-byte line streams in 4 ns locally, 8 ns remotely
    readBandwidthGBs: { '10': 16, '20': 8 },
    // 10 GB/s = 0.1 ns/byte locally, 5 GB/s = 0.2 ns/byte remotely
    writeBandwidthGBs: { '10': 10, '20': 5 },
  },
  vmalloc: { size: '16 MiB' },
  caches: {
    lineSize: 64,
    levels: [
      // 4 lines: 2 sets x 2 ways; hit 1 ns, streamed lines 64 B / 64 GB/s = 1 ns
      { name: 'L1', size: 256, ways: 2, latencyNs: 1, bandwidthGBs: 64, shared: 'cpu' },
      // 16 lines: 4 sets x 4 ways; hit 4 ns, streamed 64 B / 32 GB/s = 2 ns
      { name: 'L2', size: 1024, ways: 4, latencyNs: 4, bandwidthGBs: 32, shared: 'node' },
    ],
  },
  fixed: {
    pageAllocNs: 100,
    pageFreeNs: 50,
    pageMapNs: 10,
    pageUnmapNs: 5,
    mapRangeNs: 20,
    tlbLocalFlushNs: 300,
    tlbShootdownPerCpuNs: 100,
    vmAreaSetupNs: 1000,
    vmAreaFreeNs: 500,
    kmallocNs: 40,
    kfreeNs: 30,
    vmallocNs: 2000,
    vfreeNs: 1000,
  },
  // 1 GHz and code speed 1: a cycle of the code costs below is one ns
  cpu: { clockGHz: 1, codeSpeed: 1 },
  cost: {
    callOverheadNs: { alloc: 0, free: 0, balance: 0 },
    copyBandwidthGBs: 4, // 0.25 ns per byte memmoved
    storeBufferBytes: 0, // every zeroed byte waits for memory
    warningNs: 20000,
    countsModeLineNs: 1.5,
  },
};

export function tinyMachine(over: Record<string, unknown> = {}): Machine {
  return loadMachine('laptop', deepMerge(TINY, over) as Record<string, unknown>, 'tiny machine');
}

/** round code costs for the tiny machine (cycles = ns there), independent of the committed calibration */
export const TINY_CODE: CodeCosts = {
  units: {
    bitmapWord: 0.5,
    bitmapSearch: 7,
    blockMdRead: 2,
    blockMdWrite: 3,
    mapEntry: 1,
    listMove: 4,
    chunkPageLookup: 6,
    mapExtension: 300,
    chunkCreate: 1000,
    chunkDestroy: 700,
    pagePopulate: 0,
    pageDepopulate: 0,
    memsetCall: 2,
    balanceCall: 500,
  },
  call: { alloc: 60, free: 30 },
};
