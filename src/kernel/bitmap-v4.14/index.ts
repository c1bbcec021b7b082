/**
 * The v4.14 bitmap allocator (the first bitmap allocator, 2017), as a small diff from the modern
 * port: chunk storage, the core state and chunk registry, chunk metadata, marking areas, the
 * populate and depopulate loops, pcpu_balance_free, slot arithmetic, the checker's block probe
 * and the stats line come from ../bitmap/; what v4.14 decides differently lives here.
 * README.md lists, file by file, what differs from v6.12.
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
