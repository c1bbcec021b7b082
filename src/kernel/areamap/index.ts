import type { AllocatorFactory } from '../allocator.ts';
import { buildAllocInfo } from '../layout.ts';
import { AreamapAllocator } from './allocator.ts';

/** the v4.13 area-map allocator (mm/percpu.c of Linux 4.13), percpu-vm backend */
export const createAreamapAllocator: AllocatorFactory = (config, platform) =>
  new AreamapAllocator(config, platform, buildAllocInfo('v4.13', config.topology, config.firstChunk));
