/**
 * The shape of a machine file (`config/*.json5`) and the checks that make a machine one the
 * kernel could boot on. Structure errors come from zod; the cross-field checks (CPU numbering,
 * the distance table, power-of-two sizes, cache geometry) are added as issues on the field at
 * fault, so every error names a dotted path and the value received.
 */
import { z } from 'zod';
import { parseByteSize } from './byte-size.ts';
import { parseCpuList } from './cpulist.ts';

/** the kernel's NR_CPUS ceiling (x86-64 MAXSMP) */
export const MAX_CPUS = 8192;
/** MAX_NUMNODES with NODES_SHIFT = 10 */
export const MAX_NODES = 1024;
/** LOCAL_DISTANCE; ACPI SLIT entries above it are remote, 255 means unreachable */
export const LOCAL_DISTANCE = 10;
const MAX_DISTANCE = 255;
/** keep synthetic addresses exact in a double */
export const MAX_VMALLOC_SIZE = 2 ** 52;

const byteSize = z.unknown().transform((v, ctx) => {
  const n = parseByteSize(v);
  if (n === null) {
    ctx.addIssue({ code: 'custom', message: "expected a byte size such as 4096 or '64 GiB'" });
    return z.NEVER;
  }
  return n;
});

const cpuList = z.unknown().transform((v, ctx): number[] => {
  if (typeof v === 'string') {
    const cpus = parseCpuList(v);
    if (cpus !== null) return cpus;
  } else if (Array.isArray(v)) {
    let ok = true;
    v.forEach((c: unknown, i) => {
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0) {
        ctx.addIssue({ code: 'custom', message: 'expected a CPU number (an integer >= 0)', path: [i] });
        ok = false;
      }
    });
    if (ok) return v as number[];
    return z.NEVER;
  }
  ctx.addIssue({ code: 'custom', message: "expected a CPU list such as '0-13,28-41' or an array of CPU numbers" });
  return z.NEVER;
});

const ns = z.number().finite().nonnegative();
const positive = z.number().finite().positive();

/** a figure that depends on NUMA distance, keyed by SLIT distance: `{ '10': 89, '21': 139 }` */
const byDistance = z
  .record(z.string().regex(/^\d+$/, 'expected a SLIT distance (an integer) as key'), positive)
  .superRefine((t, ctx) => {
    const keys = Object.keys(t);
    if (keys.length === 0) ctx.addIssue({ code: 'custom', message: "expected at least one distance, e.g. { '10': 90 }" });
    for (const k of keys) {
      const d = Number(k);
      if (d < LOCAL_DISTANCE || d > MAX_DISTANCE) ctx.addIssue({ code: 'custom', message: `expected a SLIT distance between ${LOCAL_DISTANCE} and ${MAX_DISTANCE}`, path: [k] });
    }
  });

const cacheLevel = z.strictObject({
  name: z.string().min(1),
  size: byteSize,
  ways: z.number().int().positive(),
  /** load-to-use latency of a hit at this level */
  latencyNs: positive,
  /** sustained single-core read bandwidth from this level (streaming lines after the first) */
  bandwidthGBs: positive,
  /** one instance per CPU, or one per NUMA node shared by its CPUs */
  shared: z.enum(['cpu', 'node']),
});

const fixed = z.strictObject({
  /** alloc_pages_node for one order-0 page */
  pageAllocNs: ns,
  /** __free_page */
  pageFreeNs: ns,
  /** one PTE set by vmap_pages_range_noflush, per page per unit */
  pageMapNs: ns,
  /** one PTE cleared, per page per unit */
  pageUnmapNs: ns,
  /** walking to a unit's range once per map/unmap call, per unit */
  mapRangeNs: ns,
  /** the initiating CPU's own TLB flush */
  tlbLocalFlushNs: ns,
  /** one IPI, remote flush and acknowledgement, per other CPU */
  tlbShootdownPerCpuNs: ns,
  /** pcpu_get_vm_areas, per area: vmap_area + vm_struct allocation, free-tree search and insert */
  vmAreaSetupNs: ns,
  /** pcpu_free_vm_areas, per area */
  vmAreaFreeNs: ns,
  /** kzalloc call (buffers up to a page), zeroing excluded */
  kmallocNs: ns,
  kfreeNs: ns,
  /** vzalloc call (buffers over a page), pages and zeroing excluded */
  vmallocNs: ns,
  vfreeNs: ns,
});

/**
 * The machine's side of the time model: what a unit of the work the code counts takes here.
 * The code's side (cycles per counted unit, per kernel version) is config/code/kernel-code.json5.
 */
const cpu = z.strictObject({
  /** the clock the allocator's code runs at (a published figure) */
  clockGHz: positive,
  /** reference-host cycles done per cycle here (instructions per cycle relative to the calibration host) */
  codeSpeed: positive,
});

const cost = z.strictObject({
  /** what a call costs beyond the allocator's own code: kernel entry, locks, irq save/restore, tracepoints, the caller's loop */
  callOverheadNs: z.strictObject({ alloc: ns, free: ns, balance: ns }),
  /** one core's memmove bandwidth within its caches (the area map's inserts and removals) */
  copyBandwidthGBs: positive,
  /** bytes of stores into cold lines one zeroing can leave in flight without stalling (store and fill buffers) */
  storeBufferBytes: ns,
  /** per kernel warning printed */
  warningNs: ns,
  /** per metadata cache line touched when the cache model is off (costModel 'counts') */
  countsModeLineNs: ns,
});

/** what `sim calibrate` last fitted this machine on, and how well (reports print it beside modeled times) */
const calibration = z.strictObject({
  /** the measurement file the fit used */
  data: z.string(),
  /** measured cells fitted */
  cells: z.number().int().nonnegative(),
  /** free parameters fitted */
  parameters: z.number().int().nonnegative(),
  /** miss factors (max(modeled/measured, measured/modeled)) on the fitted cells */
  inSampleMedian: positive,
  inSampleWorst: positive,
  /** the same for every cell predicted by a fit that left its group out (cross-validation) */
  heldOutMedian: positive,
  heldOutWorst: positive,
});

export const MachineFileSchema = z
  .strictObject({
    name: z.string().min(1),
    description: z.string(),
    topology: z.strictObject({
      nodes: z.array(z.strictObject({ cpus: cpuList, memory: byteSize })).min(1).max(MAX_NODES),
      /** SLIT distance table, nodes × nodes */
      distance: z.array(z.array(z.number().int())),
    }),
    memory: z.strictObject({
      pageSize: byteSize,
      /** how many page allocations may be outstanding in total (null: only the nodes limit) */
      pageBudget: z.number().int().nonnegative().nullable().default(null),
      /** alloc_pages_node falls back to other nodes (no __GFP_THISNODE), nearest first */
      nodeFallback: z.boolean().default(true),
      /** load latency of a cache miss, by distance from the acting CPU's node */
      latencyNs: byDistance,
      /** streaming read bandwidth of one core, by distance */
      readBandwidthGBs: byDistance,
      /** memset bandwidth of one core into cold lines, by distance from the acting CPU's node */
      writeBandwidthGBs: byDistance,
    }),
    vmalloc: z.strictObject({ size: byteSize }),
    caches: z.strictObject({ lineSize: z.number().int().positive(), levels: z.array(cacheLevel).min(1).max(4) }),
    cpu,
    fixed,
    calibration: calibration.optional(),
    firstChunk: z.strictObject({ staticSize: byteSize, reservedSize: byteSize, dynSize: byteSize, atomSize: byteSize }),
    cost,
  })
  .superRefine((m, ctx) => {
    const issue = (path: (string | number)[], message: string): void => {
      ctx.addIssue({ code: 'custom', message, path });
    };
    const isPow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0 && Number.isSafeInteger(n);
    const isPow2Big = (n: number): boolean => n > 0 && Number.isInteger(Math.log2(n));

    // --- topology: CPUs numbered 0..n-1, each on exactly one node ---
    const nodes = m.topology.nodes;
    const owner = new Map<number, number>();
    nodes.forEach((node, n) => {
      let reported = false; // one message per node, not one per CPU of an overlapping range
      for (const c of node.cpus) {
        const prev = owner.get(c);
        if (prev === undefined) owner.set(c, n);
        else if (!reported) {
          issue(['topology', 'nodes', n, 'cpus'], `expected each CPU on one node, but CPU ${c} is also on node ${prev}`);
          reported = true;
        }
      }
    });
    const nrCpus = owner.size;
    if (nrCpus === 0) issue(['topology', 'nodes'], 'expected at least one possible CPU');
    else if (nrCpus > MAX_CPUS) issue(['topology', 'nodes'], `expected at most ${MAX_CPUS} possible CPUs (NR_CPUS), got ${nrCpus}`);
    else {
      for (let c = 0; c < nrCpus; c++) {
        if (!owner.has(c)) {
          const max = Math.max(...owner.keys());
          const n = owner.get(max)!;
          issue(['topology', 'nodes', n, 'cpus'], `expected possible CPUs numbered 0..${nrCpus - 1} without gaps, but CPU ${c} is on no node and CPU ${max} is on node ${n}`);
          break;
        }
      }
    }

    // --- the SLIT table: square, one row per node, 10 on the diagonal, 11..255 elsewhere ---
    const dist = m.topology.distance;
    if (dist.length !== nodes.length) {
      issue(['topology', 'distance'], `expected a ${nodes.length}x${nodes.length} table (one row per node), got ${dist.length} rows`);
    } else {
      dist.forEach((row, a) => {
        if (row.length !== nodes.length) {
          issue(['topology', 'distance', a], `expected a square table: ${nodes.length} entries per row, got ${row.length}`);
          return;
        }
        row.forEach((d, b) => {
          if (a === b && d !== LOCAL_DISTANCE) issue(['topology', 'distance', a, b], `expected ${LOCAL_DISTANCE} (LOCAL_DISTANCE) on the diagonal`);
          if (a !== b && (d <= LOCAL_DISTANCE || d > MAX_DISTANCE)) issue(['topology', 'distance', a, b], `expected a remote distance between ${LOCAL_DISTANCE + 1} and ${MAX_DISTANCE}`);
        });
      });
    }

    // --- memory and vmalloc ---
    const page = m.memory.pageSize;
    if (!isPow2(page) || page < 4096 || page > 1 << 20) issue(['memory', 'pageSize'], 'expected a power of two between 4096 and 1048576');
    nodes.forEach((node, n) => {
      if (isPow2(page) && node.memory % page !== 0) issue(['topology', 'nodes', n, 'memory'], `expected a whole number of ${page}-byte pages`);
    });
    const vm = m.vmalloc.size;
    if (vm > MAX_VMALLOC_SIZE) issue(['vmalloc', 'size'], `expected at most 2^52 bytes`);
    else if (isPow2(page) && (vm < page || vm % page !== 0)) issue(['vmalloc', 'size'], `expected a positive multiple of the page size (${page})`);

    // --- caches: whole number of sets per level ---
    const line = m.caches.lineSize;
    if (!isPow2(line) || line < 16 || line > 512) issue(['caches', 'lineSize'], 'expected a power of two between 16 and 512');
    else {
      m.caches.levels.forEach((lv, i) => {
        const setBytes = line * lv.ways;
        if (lv.size < setBytes || lv.size % setBytes !== 0) issue(['caches', 'levels', i, 'size'], `expected a multiple of lineSize x ways (${setBytes})`);
      });
    }

    // --- the first-chunk request, as pcpu_embed_first_chunk would accept it ---
    const fc = m.firstChunk;
    if (fc.staticSize === 0) issue(['firstChunk', 'staticSize'], 'expected a positive size (the kernel image always has per-CPU variables)');
    if (fc.reservedSize % 4 !== 0) issue(['firstChunk', 'reservedSize'], 'expected a multiple of 4 (PCPU_MIN_ALLOC_SIZE)');
    if (!isPow2Big(fc.atomSize) || (isPow2(page) && fc.atomSize < page)) issue(['firstChunk', 'atomSize'], 'expected a power of two no smaller than the page size');
  });

export type MachineFile = z.output<typeof MachineFileSchema>;
export type FixedCosts = MachineFile['fixed'];
export type CostConstants = MachineFile['cost'];
export type CpuSpec = MachineFile['cpu'];
export type CalibrationRecord = NonNullable<MachineFile['calibration']>;
export type CacheLevelSpec = MachineFile['caches']['levels'][number];
