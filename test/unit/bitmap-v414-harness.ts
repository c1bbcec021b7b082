/**
 * Small machines for the v4.14 allocator's unit tests. Chunks use the modern port's storage,
 * so the modern harness's pictures and exact-hint helpers apply unchanged.
 */
import type { PercpuTracer } from '../../src/kernel/allocator.ts';
import { BitmapV414Allocator } from '../../src/kernel/bitmap-v4.14/allocator.ts';
import { createPcpuV414 } from '../../src/kernel/bitmap-v4.14/first-chunk.ts';
import type { PcpuV414 } from '../../src/kernel/bitmap-v4.14/state.ts';
import { SimplePlatform } from '../../src/hw/simple-platform.ts';

import { machine, type SmallMachine as BaseMachine } from './bitmap-harness.ts';

export { exactBlockHints, freeRuns, picture, rng } from './bitmap-harness.ts';

/**
 * the modern harness's small machine (default: 2 CPUs, 4 KiB pages, 16-page units, a one-page
 * static area and a 5-page first chunk starting on a page boundary, so its offsets are plain bit
 * offsets times 4), plus a platform to run on instead of a fresh SimplePlatform(pageLimit)
 */
export interface SmallMachine extends BaseMachine {
  platform?: SimplePlatform;
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
