import type { AllocatorFactory } from '../allocator.ts';

/** the modern (v6.12) bitmap allocator; null until ported */
export const createBitmapAllocator: AllocatorFactory | null = null;
