/**
 * The v4.14 bitmap allocator (the first bitmap allocator, 2017), as a small diff from the modern
 * port: chunk storage, slot arithmetic and shared constants come from ../bitmap/; what v4.14
 * decides differently lives here. File map: chunk.ts (v4.14 names over the shared storage),
 * block-hints.ts and chunk-hints.ts (the hint ladder without scan hints), fit.ts and area.ts
 * (finding and carving areas), slots.ts (slots by free bytes), alloc.ts, free.ts, populate.ts,
 * lifecycle.ts, balance.ts (pcpu_balance_workfn of 4.14), first-chunk.ts, stats.ts,
 * invariants.ts.
 */
import type { AllocInfo, AllocatorConfig, AllocatorFactory } from '../allocator.ts';
import type { ChunkBackendKind } from '../chunk-backend.ts';
import { buildAllocInfo } from '../layout.ts';
import type { Platform } from '../platform.ts';
import { BitmapV414Allocator } from './allocator.ts';

export { BitmapV414Allocator } from './allocator.ts';

export interface BitmapV414Options {
  /** chunk backend: percpu-vm (default) or percpu-km */
  backend?: ChunkBackendKind;
  /** first-chunk allocation info to use instead of building it from the config */
  allocInfo?: AllocInfo;
}

export function createBitmapV414AllocatorWith(config: AllocatorConfig, platform: Platform, opts: BitmapV414Options = {}): BitmapV414Allocator {
  const ai = opts.allocInfo ?? buildAllocInfo('v4.14', config.topology, config.firstChunk);
  return new BitmapV414Allocator(config, platform, ai, opts.backend ?? 'vm');
}

/** first-chunk geometry as v4.14's pcpu_embed_first_chunk computes it, then the allocator */
export const createBitmapV414Allocator: AllocatorFactory = (config, platform) => createBitmapV414AllocatorWith(config, platform);
