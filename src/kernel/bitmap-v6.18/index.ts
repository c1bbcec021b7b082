/**
 * The v6.18 bitmap allocator (also v6.13 to v7.1 as far as decisions go), as a diff of the
 * modern (v6.12) port: everything but the allocation entry comes from ../bitmap/. README.md
 * lists what differs.
 */
import type { AllocatorConfig, AllocatorFactory, PercpuAllocator } from '../allocator.ts';
import type { Platform } from '../platform.ts';
import { V6_12, createBitmapVersion, type BitmapAllocatorOptions, type BitmapVersion } from '../bitmap/index.ts';
import { pcpuAllocV618 } from './alloc.ts';

export const V6_18: BitmapVersion = { ...V6_12, name: 'bitmap-v6.18', kernel: 'v6.18', alloc: pcpuAllocV618 };

export function createBitmapV618AllocatorWith(config: AllocatorConfig, platform: Platform, opts: BitmapAllocatorOptions = {}): PercpuAllocator {
  return createBitmapVersion(V6_18, config, platform, opts);
}

export const createBitmapV618Allocator: AllocatorFactory = (config, platform) => createBitmapV618AllocatorWith(config, platform);
