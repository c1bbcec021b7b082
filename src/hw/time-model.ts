/**
 * The one place that turns counted work into time.
 *
 * Two sides, kept apart:
 *  - the code's: cycles of the reference host per unit of work the allocators count (bitmap
 *    words, block records, map entries, list moves, zeroing-loop steps, a call's fixed path),
 *    per kernel version (code-costs.ts, config/code/kernel-code.json5);
 *  - the machine's: how long that work takes there: its clock and code speed turn cycles into
 *    ns; its copy bandwidth prices memmove; its store buffer and write bandwidths price zeroing;
 *    a flat line cost (costModel 'counts') or its cache model ('full') prices metadata lines;
 *    its `fixed` section prices the kernel services the allocator calls (pages, PTEs, TLB
 *    flushes, vm areas, metadata buffers).
 *
 * The platform charges each operation with these rates as it runs; the calibration prices a
 * phase's tally (`WorkTally`) with `priceTally` and gets the same ns, so a fit and a run can
 * never disagree about what a parameter means.
 */
import type { WorkCounters } from '../kernel/platform.ts';
import type { CodeCosts } from './code-costs.ts';
import type { Machine } from './machine-config.ts';
import { metaZeroNs } from './cost.ts';

/** ns per unit of each kind of counted work on one machine, for one allocator version */
export interface TimeRates {
  bitmapWordNs: number;
  bitmapSearchNs: number;
  blockMdReadNs: number;
  blockMdWriteNs: number;
  mapEntryNs: number;
  listMoveNs: number;
  chunkPageLookupNs: number;
  mapExtensionNs: number;
  chunkCreateNs: number;
  chunkDestroyNs: number;
  pagePopulateNs: number;
  pageDepopulateNs: number;
  warningNs: number;
  /** ns per byte memmoved (1 / copy bandwidth) */
  memmoveByteNs: number;
  /** a call's fixed path: the code's cycles plus the kernel environment's overhead */
  allocCallNs: number;
  freeCallNs: number;
  balanceCallNs: number;
  /** one step of the zeroing loop, per possible CPU */
  memsetCallNs: number;
  /** a metadata line under costModel 'counts' */
  countsLineNs: number;
  /** cold-line stores one zeroing leaves in flight without stalling, bytes */
  storeBufferBytes: number;
}

/** ns of `cycles` reference-host cycles on `m` */
export function cyclesToNs(m: Machine, cycles: number): number {
  return cycles / (m.cpu.clockGHz * m.cpu.codeSpeed);
}

export function timeRates(m: Machine, code: CodeCosts): TimeRates {
  const u = code.units;
  const ns = (cycles: number): number => cyclesToNs(m, cycles);
  return {
    bitmapWordNs: ns(u.bitmapWord),
    bitmapSearchNs: ns(u.bitmapSearch),
    blockMdReadNs: ns(u.blockMdRead),
    blockMdWriteNs: ns(u.blockMdWrite),
    mapEntryNs: ns(u.mapEntry),
    listMoveNs: ns(u.listMove),
    chunkPageLookupNs: ns(u.chunkPageLookup),
    mapExtensionNs: ns(u.mapExtension),
    chunkCreateNs: ns(u.chunkCreate),
    chunkDestroyNs: ns(u.chunkDestroy),
    pagePopulateNs: ns(u.pagePopulate),
    pageDepopulateNs: ns(u.pageDepopulate),
    warningNs: m.cost.warningNs,
    memmoveByteNs: 1 / m.cost.copyBandwidthGBs,
    allocCallNs: ns(code.call.alloc) + m.cost.callOverheadNs.alloc,
    freeCallNs: ns(code.call.free) + m.cost.callOverheadNs.free,
    balanceCallNs: ns(u.balanceCall) + m.cost.callOverheadNs.balance,
    memsetCallNs: ns(u.memsetCall),
    countsLineNs: m.cost.countsModeLineNs,
    storeBufferBytes: m.cost.storeBufferBytes,
  };
}

/**
 * ns per byte of one memset into every possible CPU's unit, from a CPU on `actingNode`, were
 * every byte to stall: each unit lives on its CPU's node and is written at the bandwidth for
 * that distance; with `shareOn`, a unit's bytes are spread over the nodes its pages came from
 * (a node that ran out lent pages: alloc_pages_node falls back), each at its own distance.
 */
export function zeroStreamNsPerByte(m: Machine, actingNode: number, shareOn?: (node: number, on: number) => number): number {
  const row = m.memory.writeNsPerByte[actingNode]!;
  let ns = 0;
  m.topology.nodeCpus.forEach((cpus, node) => {
    if (!shareOn) ns += cpus.length * row[node]!;
    else for (let on = 0; on < row.length; on++) ns += cpus.length * shareOn(node, on) * row[on]!;
  });
  return ns;
}

/**
 * pcpu_alloc's zeroing of `bytes` in each possible CPU's unit: one loop step per CPU, and the
 * stores. Stores into cold lines retire into the store and fill buffers; only the part of the
 * burst beyond `storeBufferBytes` waits for memory, at each unit's write bandwidth.
 */
export function zeroingNs(r: TimeRates, nrCpus: number, streamNsPerByte: number, bytes: number): number {
  const total = nrCpus * bytes;
  const stalled = total > r.storeBufferBytes ? 1 - r.storeBufferBytes / total : 0;
  return nrCpus * r.memsetCallNs + stalled * bytes * streamNsPerByte;
}

/** The work of a stretch of a run, as the time model prices it. */
export interface WorkTally {
  allocCalls: number;
  freeCalls: number;
  balanceRuns: number;
  counters: WorkCounters;
  /** zeroing calls by acting node and bytes per unit: key `node * 2^32 + bytes` */
  zeroing: Map<number, number>;
  /** metadata lines touched (priced only under costModel 'counts') */
  lines: number;
  /** ns the cache model charged for metadata lines (costModel 'full') */
  cacheNs: number;
  /** bytes of metadata buffers zeroed (kzalloc/vzalloc), by node: written at the node's own write bandwidth */
  metaZeroBytes: number[];
  /** ns of kernel services (pages, PTEs, TLB flushes, vm areas, metadata buffers but their zeroing), priced by `fixed` */
  servicesNs: number;
}

export const ZERO_KEY_NODE = 2 ** 32;

/** `later - earlier`, field by field */
export function tallyDelta(later: WorkTally, earlier: WorkTally): WorkTally {
  const counters = { ...later.counters };
  for (const k of Object.keys(counters) as (keyof WorkCounters)[]) counters[k] -= earlier.counters[k];
  const zeroing = new Map<number, number>();
  for (const [k, n] of later.zeroing) {
    const d = n - (earlier.zeroing.get(k) ?? 0);
    if (d !== 0) zeroing.set(k, d);
  }
  return {
    allocCalls: later.allocCalls - earlier.allocCalls,
    freeCalls: later.freeCalls - earlier.freeCalls,
    balanceRuns: later.balanceRuns - earlier.balanceRuns,
    counters,
    zeroing,
    lines: later.lines - earlier.lines,
    metaZeroBytes: later.metaZeroBytes.map((b, n) => b - (earlier.metaZeroBytes[n] ?? 0)),
    cacheNs: later.cacheNs - earlier.cacheNs,
    servicesNs: later.servicesNs - earlier.servicesNs,
  };
}

/**
 * The modeled ns of a tally: what the platform charged while the tally was taken, when every
 * unit's pages were on its own node (a run whose pages fell back to other nodes zeroes at their
 * distances, which a tally does not record; the calibration's workloads never run out of memory).
 */
export function priceTally(m: Machine, r: TimeRates, t: WorkTally, costModel: 'counts' | 'full'): number {
  const c = t.counters;
  let ns =
    t.allocCalls * r.allocCallNs +
    t.freeCalls * r.freeCallNs +
    t.balanceRuns * r.balanceCallNs +
    c.bitmapWordsScanned * r.bitmapWordNs +
    c.bitmapSearches * r.bitmapSearchNs +
    c.blockMdRead * r.blockMdReadNs +
    c.blockMdWritten * r.blockMdWriteNs +
    c.mapEntriesScanned * r.mapEntryNs +
    c.listMoves * r.listMoveNs +
    c.chunkPageLookups * r.chunkPageLookupNs +
    c.mapExtensions * r.mapExtensionNs +
    c.chunksCreated * r.chunkCreateNs +
    c.chunksDestroyed * r.chunkDestroyNs +
    c.pagesPopulated * r.pagePopulateNs +
    c.pagesDepopulated * r.pageDepopulateNs +
    c.warnings * r.warningNs +
    c.bytesMoved * r.memmoveByteNs +
    t.servicesNs;
  ns += costModel === 'counts' ? t.lines * r.countsLineNs : t.cacheNs;
  t.metaZeroBytes.forEach((bytes, node) => {
    ns += metaZeroNs(m, node, bytes);
  });
  for (const [key, calls] of t.zeroing) {
    const node = Math.floor(key / ZERO_KEY_NODE);
    const bytes = key - node * ZERO_KEY_NODE;
    ns += calls * zeroingNs(r, m.topology.nrCpus, zeroStreamNsPerByte(m, node), bytes);
  }
  return ns;
}
