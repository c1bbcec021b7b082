/**
 * The prices of the kernel services the allocator calls (pages, PTEs, TLB flushes, metadata
 * buffers) and of metadata lines by where they are found: plain functions of the machine, no
 * state. Counted work is priced in time-model.ts. Every constant comes from the machine file;
 * no time literal lives here.
 *
 * Split of responsibilities: the counters the allocator bumps (bitmap words scanned, block
 * records, map entries, bytes memmoved, list moves) are priced as *compute* by time-model.ts;
 * the memory side of metadata access is priced per cache line by the cache model (or at a flat
 * rate per line when it is off), so nothing is charged twice.
 */
import type { Machine } from './machine-config.ts';

/** what the engine says an operation was, for its fixed per-call cost */
export type OpKind = 'alloc' | 'free' | 'balance' | 'none';

/** Where counted work went, in ns (filled by CountedWorkMeter.take, counted-work-meter.ts). */
export interface CountedWorkCost {
  /** bitmap words, block records, map entries, list moves, map extensions, chunk set-up */
  compute: number;
  /** bytes moved by memmove */
  memmove: number;
  /** warnings printed */
  fixed: number;
}

export const newCountedWorkCost = (): CountedWorkCost => ({ compute: 0, memmove: 0, fixed: 0 });

/** flush_tlb_kernel_range: the local flush plus one shootdown per other possible CPU */
export function tlbFlushNs(m: Machine): number {
  return m.fixed.tlbLocalFlushNs + (m.topology.nrCpus - 1) * m.fixed.tlbShootdownPerCpuNs;
}

/** mapping (or unmapping) `nrPages` pages into each of `nrUnits` units */
export function mapPagesNs(m: Machine, nrUnits: number, nrPages: number, unmap: boolean): number {
  const perPage = unmap ? m.fixed.pageUnmapNs : m.fixed.pageMapNs;
  return nrUnits * (m.fixed.mapRangeNs + nrPages * perPage);
}

/** pcpu_mem_zalloc's call: kzalloc up to a page, vzalloc (its pages and mappings) above; the zeroing apart */
export function metaAllocNs(m: Machine, bytes: number): number {
  if (bytes <= m.memory.pageSize) return m.fixed.kmallocNs;
  const pages = Math.ceil(bytes / m.memory.pageSize);
  return m.fixed.vmallocNs + pages * (m.fixed.pageAllocNs + m.fixed.pageMapNs);
}

/** pcpu_mem_zalloc's zeroing: a memset of the buffer on `node`, by a CPU of that node */
export function metaZeroNs(m: Machine, node: number, bytes: number): number {
  return bytes * m.memory.writeNsPerByte[node]![node]!;
}

export function metaFreeNs(m: Machine, bytes: number): number {
  if (bytes <= m.memory.pageSize) return m.fixed.kfreeNs;
  const pages = Math.ceil(bytes / m.memory.pageSize);
  return m.fixed.vfreeNs + pages * (m.fixed.pageFreeNs + m.fixed.pageUnmapNs);
}

/**
 * Cost of metadata lines by where they were found, for the acting CPU: `hit[k]` for a line
 * first in a range found at cache level k, `stream[k]` for later lines of the same range
 * (prefetched: the smaller of latency and line / bandwidth). Memory (index levels.length)
 * depends on the node holding the line: see `memoryLineNs`.
 */
export function cacheLineCosts(m: Machine): { hit: Float64Array; stream: Float64Array } {
  const levels = m.caches.levels;
  const hit = new Float64Array(levels.length);
  const stream = new Float64Array(levels.length);
  levels.forEach((lv, k) => {
    hit[k] = lv.latencyNs;
    stream[k] = Math.min(lv.latencyNs, m.caches.lineSize / lv.bandwidthGBs);
  });
  return { hit, stream };
}

/** a metadata line from memory on `memNode`, read by a CPU on `actingNode` */
export function memoryLineNs(m: Machine, actingNode: number, memNode: number, streamed: boolean): number {
  const lat = m.memory.latencyNs[actingNode]![memNode]!;
  return streamed ? Math.min(lat, m.caches.lineSize * m.memory.readNsPerByte[actingNode]![memNode]!) : lat;
}
