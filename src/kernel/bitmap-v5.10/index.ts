/**
 * The v5.10 bitmap allocator (before partial chunk depopulation), as a diff of the modern (v6.12)
 * port: the hints, the fit search, chunk life, page bookkeeping, the checker and the stats come
 * from ../bitmap/; the list numbering, the free decision, the balance work and the failure
 * warnings are v5.10's own. README.md lists what differs, file by file.
 */
import type { AllocatorConfig, AllocatorFactory, PercpuAllocator } from '../allocator.ts';
import type { Platform } from '../platform.ts';
import { V6_12, createBitmapVersion, type BitmapAllocatorOptions, type BitmapVersion } from '../bitmap/index.ts';
import { pcpuAllocV510 } from './alloc.ts';
import { balanceWorkV510 } from './balance.ts';
import { freePercpuV510 } from './free.ts';
import { v510SlotLayout } from './state.ts';

export const V5_10: BitmapVersion = {
  ...V6_12,
  name: 'bitmap-v5.10',
  kernel: 'v5.10',
  slotLayout: v510SlotLayout,
  alloc: pcpuAllocV510,
  free: freePercpuV510,
  balance: balanceWorkV510,
  // v5.10 charges __GFP_ACCOUNT requests from a second bank of chunks (pcpu_chunk_type), not ported
  memcg: false,
};

export function createBitmapV510AllocatorWith(config: AllocatorConfig, platform: Platform, opts: BitmapAllocatorOptions = {}): PercpuAllocator {
  return createBitmapVersion(V5_10, config, platform, opts);
}

export const createBitmapV510Allocator: AllocatorFactory = (config, platform) => createBitmapV510AllocatorWith(config, platform);
