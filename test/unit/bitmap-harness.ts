/**
 * Small machines and pictures for the modern bitmap allocator's unit tests, in the manner of
 * the kernel's tools/testing harnesses: build a tiny state, draw its bitmap, check the hints.
 */
import type { AllocInfo, AllocatorConfig, KernelKnobs, Topology } from '../../src/kernel/allocator.ts';
import { DEFAULT_KNOBS } from '../../src/kernel/allocator.ts';
import { testBit } from '../../src/kernel/bitops.ts';
import type { ChunkBackendKind } from '../../src/kernel/chunk-backend.ts';
import type { BitmapChunk } from '../../src/kernel/bitmap/chunk.ts';
import { createPcpuState } from '../../src/kernel/bitmap/first-chunk.ts';
import type { PcpuState } from '../../src/kernel/bitmap/state.ts';
import { createBitmapAllocatorWith } from '../../src/kernel/bitmap/index.ts';
import type { PercpuAllocator } from '../../src/kernel/allocator.ts';
import { SimplePlatform } from '../../src/hw/simple-platform.ts';

export interface SmallMachine {
  pageSize?: number;
  /** pages per unit (at least 32 KiB worth) */
  unitPages?: number;
  nrCpus?: number;
  staticSize?: number;
  reservedSize?: number;
  dynSize?: number;
  pageLimit?: number | null;
  backend?: ChunkBackendKind;
  /** PCPU_EMPTY_POP_PAGES_LOW / HIGH (default DEFAULT_KNOBS) */
  knobs?: KernelKnobs;
}

/** config and first-chunk layout of a small machine (shared with the v4.14 harness) */
export function machine(m: SmallMachine): { config: AllocatorConfig; ai: AllocInfo } {
  const pageSize = m.pageSize ?? 4096;
  const nrCpus = m.nrCpus ?? 2;
  const unitSize = (m.unitPages ?? 16) * pageSize;
  const topology: Topology = { pageSize, nrCpus, cpuToNode: new Array<number>(nrCpus).fill(0), nodeDistance: [[10]] };
  const staticSize = m.staticSize ?? pageSize;
  const reservedSize = m.reservedSize ?? 0;
  const dynSize = m.dynSize ?? 20480;
  const ai: AllocInfo = {
    unit_size: unitSize, atom_size: pageSize, alloc_size: unitSize * nrCpus,
    static_size: staticSize, reserved_size: reservedSize, dyn_size: dynSize,
    nr_groups: 1, groups: [{ nr_units: nrCpus, base_offset: 0, cpu_map: [...Array(nrCpus).keys()] }], nr_units: nrCpus,
  };
  const config: AllocatorConfig = {
    topology,
    firstChunk: { staticSize, reservedSize, dynSize, atomSize: pageSize },
    knobs: m.knobs ?? DEFAULT_KNOBS,
  };
  return { config, ai };
}

/** allocator state on a small machine (default: 2 CPUs, 4 KiB pages, 16-page units) */
export function smallState(m: SmallMachine = {}): { state: PcpuState; platform: SimplePlatform } {
  const { config, ai } = machine(m);
  const platform = new SimplePlatform(m.pageLimit ?? null);
  return { state: createPcpuState(config, platform, ai, m.backend ?? 'vm'), platform };
}

/** the public allocator on a small machine */
export function smallAllocator(m: SmallMachine = {}): { a: PercpuAllocator; platform: SimplePlatform } {
  const { config, ai } = machine(m);
  const platform = new SimplePlatform(m.pageLimit ?? null);
  return { a: createBitmapAllocatorWith(config, platform, { allocInfo: ai, backend: m.backend ?? 'vm' }), platform };
}

/** '#' for allocated bits, '.' for free ones, over [start, end) */
export function picture(chunk: BitmapChunk, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += testBit(chunk.allocMap, i) ? '#' : '.';
  return s;
}

/** free runs of [start, end) as [runStart, runLength] pairs, word at a time where it can */
export function freeRuns(map: Uint32Array, start: number, end: number): [number, number][] {
  const runs: [number, number][] = [];
  let runStart = -1;
  for (let i = start; i < end; ) {
    const word = map[i >>> 5]!;
    if ((i & 31) === 0 && i + 32 <= end && (word === 0 || word === -1 || word === 0xffffffff)) {
      if (word === 0) {
        if (runStart < 0) runStart = i;
      } else if (runStart >= 0) {
        runs.push([runStart, i - runStart]);
        runStart = -1;
      }
      i += 32;
      continue;
    }
    if (testBit(map, i)) {
      if (runStart >= 0) runs.push([runStart, i - runStart]);
      runStart = -1;
    } else if (runStart < 0) runStart = i;
    i++;
  }
  if (runStart >= 0) runs.push([runStart, end - runStart]);
  return runs;
}

/** the exact hints of a block, recomputed from its bits */
export function exactBlockHints(chunk: BitmapChunk, index: number, bb: number): { contig: number; left: number; right: number; firstFree: number } {
  const base = index * bb;
  const runs = freeRuns(chunk.allocMap, base, base + bb);
  let contig = 0;
  for (const [, len] of runs) contig = Math.max(contig, len);
  const first = runs[0];
  const last = runs[runs.length - 1];
  return {
    contig,
    left: first && first[0] === base ? first[1] : 0,
    right: last && last[0] + last[1] === base + bb ? last[1] : 0,
    firstFree: first ? first[0] - base : bb,
  };
}

/** the largest free run anywhere in the chunk */
export function largestFreeRun(chunk: BitmapChunk): number {
  let best = 0;
  for (const [, len] of freeRuns(chunk.allocMap, 0, chunk.mapBits)) best = Math.max(best, len);
  return best;
}

/** a tiny deterministic random source so failures reproduce */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
