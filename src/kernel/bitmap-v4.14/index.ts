/** The v4.14 bitmap allocator (the first bitmap allocator, 2017). */
import type { AllocatorFactory } from '../allocator.ts';
import { buildAllocInfo } from '../layout.ts';
import { BitmapV414Allocator } from './allocator.ts';

export { BitmapV414Allocator } from './allocator.ts';

/** first-chunk geometry as v4.14's pcpu_embed_first_chunk computes it, then the allocator */
export const createBitmapV414Allocator: AllocatorFactory = (config, platform) =>
  new BitmapV414Allocator(config, platform, buildAllocInfo('v4.14', config.topology, config.firstChunk));
