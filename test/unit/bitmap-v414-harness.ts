/**
 * Small machines for the v4.14 allocator's unit tests. Chunks use the modern port's storage,
 * so the modern harness's pictures and exact-hint helpers apply unchanged.
 */
import type { AllocInfo, AllocatorConfig, KernelKnobs, PercpuTracer, Topology } from '../../src/kernel/allocator.ts';
import { DEFAULT_KNOBS } from '../../src/kernel/allocator.ts';
import type { ChunkBackendKind } from '../../src/kernel/chunk-backend.ts';
import { BitmapV414Allocator } from '../../src/kernel/bitmap-v4.14/allocator.ts';
import { createPcpuV414 } from '../../src/kernel/bitmap-v4.14/first-chunk.ts';
import type { PcpuV414 } from '../../src/kernel/bitmap-v4.14/state.ts';
import { SimplePlatform } from '../../src/hw/simple-platform.ts';

export { exactBlockHints, freeRuns, picture, rng } from './bitmap-harness.ts';

export interface SmallMachine {
  pageSize?: number;
  /** pages per unit */
  unitPages?: number;
  nrCpus?: number;
  staticSize?: number;
  reservedSize?: number;
  dynSize?: number;
  pageLimit?: number | null;
  backend?: ChunkBackendKind;
  /** PCPU_EMPTY_POP_PAGES_LOW / HIGH (default 2 / 4) */
  knobs?: KernelKnobs;
  /** a platform to run on instead of a fresh SimplePlatform(pageLimit) */
  platform?: SimplePlatform;
}

/**
 * default: 2 CPUs, 4 KiB pages, 16-page units, a one-page static area and a 5-page first
 * chunk starting on a page boundary (so its offsets are plain bit offsets times 4)
 */
function machine(m: SmallMachine): { config: AllocatorConfig; ai: AllocInfo } {
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
  const config: AllocatorConfig = { topology, firstChunk: { staticSize, reservedSize, dynSize, atomSize: pageSize }, knobs: m.knobs ?? DEFAULT_KNOBS };
  return { config, ai };
}

/** allocator state on a small machine, for tests that drive the kernel functions directly */
export function smallV414State(m: SmallMachine = {}): { p: PcpuV414; platform: SimplePlatform } {
  const { config, ai } = machine(m);
  const platform = new SimplePlatform(m.pageLimit ?? null);
  return { p: createPcpuV414(config, platform, ai, m.backend ?? 'vm'), platform };
}

/** the public allocator on a small machine */
export function smallV414(m: SmallMachine = {}): { a: BitmapV414Allocator; platform: SimplePlatform } {
  const { config, ai } = machine(m);
  const platform = m.platform ?? new SimplePlatform(m.pageLimit ?? null);
  return { a: new BitmapV414Allocator(config, platform, ai, m.backend ?? 'vm'), platform };
}

/** a tracer that records warnings, failure traces and chunk events */
export function recorder(): { tracer: PercpuTracer; warnings: string[]; fails: boolean[]; created: number[]; destroyed: number[] } {
  const warnings: string[] = [];
  const fails: boolean[] = [];
  const created: number[] = [];
  const destroyed: number[] = [];
  const noop = (): void => {};
  return {
    warnings, fails, created, destroyed,
    tracer: {
      allocPercpu: noop,
      freePercpu: noop,
      allocPercpuFail: (_reserved, atomic) => { fails.push(atomic); },
      createChunk: (id) => { created.push(id); },
      destroyChunk: (id) => { destroyed.push(id); },
      warn: (t) => { warnings.push(t); },
    },
  };
}
