import type { AllocatorFactory } from '../allocator.ts';

/** the v4.14 bitmap allocator; null until ported */
export const createBitmapV414Allocator: AllocatorFactory | null = null;
