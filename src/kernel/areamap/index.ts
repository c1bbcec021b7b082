import type { AllocatorFactory } from '../allocator.ts';

/** the v4.13 area-map allocator; null until ported */
export const createAreamapAllocator: AllocatorFactory | null = null;
