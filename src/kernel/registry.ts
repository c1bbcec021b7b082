/** Picks an allocator version by name; every caller that chooses an allocator goes through here. */
import type { AllocatorFactory, AllocatorName } from './allocator.ts';
import { ALLOCATOR_NAMES } from './allocator.ts';
import { resolveAllocator, unknownAllocatorMessage } from './versions.ts';
import { createBitmapAllocator } from './bitmap/index.ts';
import { createBitmapV414Allocator } from './bitmap-v4.14/index.ts';
import { createAreamapAllocator } from './areamap/index.ts';
import { createBitmapV618Allocator } from './bitmap-v6.18/index.ts';
import { createBitmapV510Allocator } from './bitmap-v5.10/index.ts';

const FACTORIES: Record<AllocatorName, AllocatorFactory | null> = {
  bitmap: createBitmapAllocator,
  'bitmap-v4.14': createBitmapV414Allocator,
  areamap: createAreamapAllocator,
  'bitmap-v6.18': createBitmapV618Allocator,
  'bitmap-v5.10': createBitmapV510Allocator,
};

export function isAllocatorName(name: unknown): name is AllocatorName {
  return typeof name === 'string' && (ALLOCATOR_NAMES as readonly string[]).includes(name);
}

/** the factory for `name` (a port, or a kernel version that versions.ts maps to one), or a one-line reason why there is none */
export function allocatorFactory(name: string): AllocatorFactory | string {
  const port = resolveAllocator(name);
  if (port === null) return unknownAllocatorMessage(name);
  return FACTORIES[port] ?? `allocator "${port}" is not built yet`;
}
