/** Shared set-up for the areamap-*.test.ts files: a small machine and map pictures. */
import type { AllocatorConfig, PercpuTracer } from '../../src/kernel/allocator.ts';
import { DEFAULT_KNOBS } from '../../src/kernel/allocator.ts';
import { SimplePlatform } from '../../src/hw/simple-platform.ts';
import { AreamapAllocator } from '../../src/kernel/areamap/allocator.ts';
import type { AreamapChunk } from '../../src/kernel/areamap/chunk.ts';
import { createChunk } from '../../src/kernel/areamap/chunk-lifecycle.ts';
import { chunkRelocate } from '../../src/kernel/areamap/slots.ts';
import type { AreamapState } from '../../src/kernel/areamap/state.ts';
import { buildAllocInfo } from '../../src/kernel/layout.ts';

export const PAGE = 4096;
/** x86-64 defaults as the conformance cases use them: 4 CPUs give a 512 KiB unit */
export const STATIC = 208896;
export const RESERVED = 8192;
export const DYN = 28672;
/** first dynamic offset of the first chunk: offsets count from the unit start in v4.13 */
export const DYN_START = STATIC + RESERVED;

export interface Harness {
  a: AreamapAllocator;
  s: AreamapState;
  platform: SimplePlatform;
  warnings: string[];
}

export function newAreamap(opts: { nrCpus?: number; pageLimit?: number | null; reservedSize?: number } = {}): Harness {
  const nrCpus = opts.nrCpus ?? 4;
  const config: AllocatorConfig = {
    topology: { pageSize: PAGE, nrCpus, cpuToNode: new Array<number>(nrCpus).fill(0), nodeDistance: [[10]] },
    firstChunk: { staticSize: STATIC, reservedSize: opts.reservedSize ?? RESERVED, dynSize: DYN, atomSize: 2 << 20 },
    knobs: DEFAULT_KNOBS,
  };
  const platform = new SimplePlatform(opts.pageLimit ?? null);
  const a = new AreamapAllocator(config, platform, buildAllocInfo('v4.13', config.topology, config.firstChunk));
  const warnings: string[] = [];
  const tracer: PercpuTracer = {
    allocPercpu() {},
    freePercpu() {},
    allocPercpuFail() {},
    createChunk() {},
    destroyChunk() {},
    warn(text) {
      warnings.push(text);
    },
  };
  a.tracer = tracer;
  return { a, s: a.state, platform, warnings };
}

/** a fresh dynamic chunk on its slot, every page populated, map grown to `mapAlloc` entries */
export function freshChunk(s: AreamapState, mapAlloc = 64): AreamapChunk {
  const chunk = createChunk(s)!;
  chunkRelocate(s, chunk, -1);
  if (mapAlloc > chunk.mapAlloc) {
    const map = new Int32Array(mapAlloc);
    map.set(chunk.map);
    chunk.map = map;
    chunk.mapAlloc = mapAlloc;
  }
  chunk.populated.fill(0xffffffff);
  chunk.nrPopulated = s.unitPages;
  return chunk;
}

/**
 * Lays out a chunk's map from a picture: `'u'` areas are in use, `'f'` free, each with its
 * size, from offset 0 up to the end of the unit (the last area takes the rest). Sets
 * free_size, an exact contig hint and first_free, as a chunk that got there honestly has.
 */
export function drawMap(s: AreamapState, chunk: AreamapChunk, areas: [('u' | 'f'), number][]): void {
  let off = 0;
  let largest = 0;
  let free = 0;
  chunk.firstFree = -1;
  areas.forEach(([kind, size], i) => {
    const len = i === areas.length - 1 ? s.unitSize - off : size;
    chunk.map[i] = kind === 'u' ? off | 1 : off;
    if (kind === 'f') {
      free += len;
      largest = Math.max(largest, len);
      if (chunk.firstFree < 0) chunk.firstFree = i;
    }
    off += len;
  });
  chunk.map[areas.length] = s.unitSize | 1;
  chunk.mapUsed = areas.length;
  chunk.freeSize = free;
  chunk.contigHint = largest;
  if (chunk.firstFree < 0) chunk.firstFree = areas.length;
}

/** the live map as `[offset, 'u'|'f']` pairs, then the sentinel's offset */
export function picture(chunk: AreamapChunk): string {
  const parts: string[] = [];
  for (let i = 0; i < chunk.mapUsed; i++) {
    const e = chunk.map[i]!;
    parts.push(`${e & ~1}${e & 1 ? 'u' : 'f'}`);
  }
  parts.push(`|${chunk.map[chunk.mapUsed]! & ~1}`);
  return parts.join(' ');
}
