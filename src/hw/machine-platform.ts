/**
 * The modeled machine behind the kernel's Platform interface: per-node page pools that run
 * out, a vmalloc space handing out congruent areas top-down, metadata addresses per node, a
 * cache hierarchy fed the metadata lines the allocator touches, and a modeled clock.
 *
 * Time is charged as the allocator calls in (touches, zeroing, pages, TLB flushes, vm areas,
 * metadata buffers) and, for the work it only counts, when the engine calls `chargeOp` after
 * each operation (the counter deltas since the previous call go through cost.ts). Everything
 * is charged to the acting CPU (`setActingCpu`), or to the kworker (-1) that runs balance
 * work on the CPU that queued it.
 *
 * costModel 'counts' (the default, and what seed-2017 is calibrated with) charges a flat cost
 * per metadata line and skips the address simulation; 'full' runs the cache model on the
 * addresses (exact LRU state; range-cache.ts takes the area map's whole-map scans and memmoves
 * as runs of lines rather than line by line).
 */
import type { Platform, WorkCounters } from '../kernel/platform.ts';
import { newWorkCounters } from '../kernel/platform.ts';
import { RangeCacheHierarchy, RangeCacheLevel } from './range-cache.ts';
import type { CountedWorkCost, OpKind } from './cost.ts';
import { cacheLineCosts, mapPagesNs, metaAllocNs, metaFreeNs, metaZeroNs, newCountedWorkCost, tlbFlushNs } from './cost.ts';
import { CountedWorkMeter } from './counted-work-meter.ts';
import type { CodeCosts } from './code-costs.ts';
import { codeCostsFor, loadCodeCosts } from './code-costs.ts';
import type { TimeRates, WorkTally } from './time-model.ts';
import { timeRates, ZERO_KEY_NODE, zeroingNs, zeroStreamNsPerByte } from './time-model.ts';
import type { Machine } from './machine-config.ts';
import { MetadataArena } from './metadata-arena.ts';
import { PagePools } from './page-pools.ts';
import { VmallocSpace } from './vmalloc.ts';

export type CostModel = 'full' | 'counts';

export const COST_CATEGORIES = ['cache', 'compute', 'memmove', 'zeroing', 'pages', 'tlb', 'vmalloc', 'metadata', 'fixed'] as const;
export type CostCategory = (typeof COST_CATEGORIES)[number];
/** modeled ns per category */
export type CostBreakdown = Record<CostCategory, number>;

const CACHE = 0;
const COMPUTE = 1;
const MEMMOVE = 2;
const ZEROING = 3;
const PAGES = 4;
const TLB = 5;
const VMALLOC = 6;
const METADATA = 7;
const FIXED = 8;
const NCAT = COST_CATEGORIES.length;

/** the CPU number that stands for the kworker running balance work */
export const KWORKER = -1;

/** the embedded first chunk's synthetic address (linear map, below metadata and vmalloc) */
const LINEAR_MAP_BASE = 2 ** 36;

/** synthetic vmalloc space starts here (above the metadata arenas; its end stays below 2^53) */
export const VMALLOC_BASE = 2 ** 44;

/**
 * Synthetic kernel page tables and struct pages for vmalloc addresses (above the vmalloc
 * space): the entries a walk reads, one region per level, 8 bytes an entry, 64 per struct page.
 */
const PTE_BASE = 2 ** 50;
const PMD_BASE = PTE_BASE + 2 ** 47;
const PUD_BASE = PMD_BASE + 2 ** 46;
const PGD_BASE = PUD_BASE + 2 ** 45;
const STRUCT_PAGE_BASE = 2 ** 51;
const ENTRIES_PER_TABLE = 512;

export interface MachinePlatformOptions {
  /** 'counts' (default): flat cost per metadata line; 'full': cache model on the addresses */
  costModel?: CostModel;
  /** overrides the machine's memory.pageBudget (pages outstanding in total; null: none) */
  pageBudget?: number | null;
  /** the allocator version whose code runs (its call costs); default `bitmap` */
  allocator?: string;
  /** the code's cycles; default: config/code/kernel-code.json5 for `allocator` and the cost model */
  code?: CodeCosts;
}

/** What the machine holds for the allocator now (names as the engine's metrics use them). */
export interface MachineFootprint {
  /** allocator metadata bytes in use */
  metadata_bytes: number;
  /** pages in use by chunks, summed over every unit */
  populated_pages: number;
  /** vmalloc address space held by chunks, bytes */
  vmalloc_bytes: number;
  /** pages in use on each node */
  pages_per_node: number[];
  /** sets of vm areas (one per chunk created through pcpu_get_vm_areas) */
  vm_area_sets: number;
  peak_metadata_bytes: number;
  peak_populated_pages: number;
  peak_vmalloc_bytes: number;
}

export interface CacheLevelStats {
  name: string;
  hits: number;
  misses: number;
}

export class MachinePlatform implements Platform {
  readonly work: WorkCounters = newWorkCounters();
  readonly costModel: CostModel;

  private readonly pools: PagePools;
  private readonly vm: VmallocSpace;
  private readonly arena: MetadataArena;

  // --- the clock ---
  private totalNs = 0;
  private opNs = 0;
  /** metadata lines touched and not yet charged (costModel 'counts') */
  private pendingLines = 0;
  /** ns per category: [0, NCAT) the calling CPUs, [NCAT, 2 NCAT) the kworker */
  private readonly acc = new Float64Array(2 * NCAT);
  private actorBase = 0;
  /** 0 while the calling CPUs act, 1 while the kworker does */
  private actor = 0;
  private actingCpu = 0;
  /** the CPU whose caches and node the current work uses (the kworker runs on the last CPU) */
  private execCpu = 0;
  private execNode = 0;
  private readonly meter: CountedWorkMeter;
  private readonly counted: CountedWorkCost = newCountedWorkCost();

  // --- the tally of priced work (time-model.ts WorkTally), for the calibration ---
  // per actor: [0] the calling CPUs, [1] the kworker
  private readonly allocCalls = [0, 0];
  private readonly freeCalls = [0, 0];
  private readonly balanceRuns = [0, 0];
  private readonly linesTouched = [0, 0];
  /** bytes of metadata buffers zeroed, per actor and node, and the ns that cost (priced apart from the services) */
  private readonly metaZeroBytes: Float64Array[];
  private readonly metaZeroNs = [0, 0];
  /** the counters' growth while each actor acted, and their values at the last change of actor */
  private readonly actorCounters = [newWorkCounters(), newWorkCounters()];
  private readonly counterMark = newWorkCounters();
  /** zeroing calls by (acting node, bytes); the last key's calls wait in zeroRun (no map access per call) */
  private readonly zeroCalls = new Map<number, number>();
  private zeroKey = -1;
  private zeroRun = 0;

  // --- derived constants ---
  readonly rates: TimeRates;
  /** the fixed cost of the two per-call kinds, and the flat cost of a line in costModel 'counts' */
  private readonly allocOverheadNs: number;
  private readonly freeOverheadNs: number;
  private readonly countsLineNs: number;
  private readonly countsOnly: boolean;
  /** zeroing ns per byte were every byte to stall, by acting node (recomputed when pages fall back to other nodes) */
  private readonly zeroStreamByNode: Float64Array;
  private zeroPlacement = 0;
  private readonly nrCpus: number;
  private readonly tlbNs: number;
  /** 1 / lineSize: lineSize is a power of two (the schema checks), so multiplying by it is exact */
  private readonly perLine: number;
  /** bytes of a zeroed buffer left in cache: the largest per-CPU level */
  private readonly warmLimit: number;
  private readonly hitNs: Float64Array;
  private readonly streamNs: Float64Array;
  /** memory line cost, [acting node * nodes + memory node], first line / streamed */
  private readonly memHitNs: Float64Array;
  private readonly memStreamNs: Float64Array;

  // --- caches (full model only) ---
  private readonly hierarchies: (RangeCacheHierarchy | undefined)[];
  private readonly sharedLevels: (RangeCacheLevel | undefined)[][];
  private liveHierarchies: RangeCacheHierarchy[] = [];

  constructor(
    readonly machine: Machine,
    opts: MachinePlatformOptions = {},
  ) {
    const m = machine;
    const nodes = m.topology.nrNodes;
    this.costModel = opts.costModel ?? 'counts';
    const budget = opts.pageBudget !== undefined ? opts.pageBudget : m.memory.pageBudget;
    this.pools = new PagePools(m.memory.pagesPerNode, m.topology.distance, budget, m.memory.nodeFallback);
    this.vm = new VmallocSpace(VMALLOC_BASE, m.vmalloc.size);
    this.arena = new MetadataArena(nodes);

    const code = opts.code ?? codeCostsFor(loadCodeCosts(), this.costModel, opts.allocator ?? 'bitmap');
    this.rates = timeRates(m, code);
    this.allocOverheadNs = this.rates.allocCallNs;
    this.freeOverheadNs = this.rates.freeCallNs;
    this.countsLineNs = this.rates.countsLineNs;
    this.meter = new CountedWorkMeter(this.rates);
    this.countsOnly = this.costModel === 'counts';
    this.zeroStreamByNode = Float64Array.from({ length: nodes }, (_, n) => zeroStreamNsPerByte(m, n));
    this.nrCpus = m.topology.nrCpus;
    this.tlbNs = tlbFlushNs(m);
    this.perLine = 1 / m.caches.lineSize;
    this.warmLimit = Math.max(m.caches.lineSize, ...m.caches.levels.filter((l) => l.shared === 'cpu').map((l) => l.size));
    const lc = cacheLineCosts(m);
    this.hitNs = lc.hit;
    this.streamNs = lc.stream;
    this.memHitNs = new Float64Array(nodes * nodes);
    this.memStreamNs = new Float64Array(nodes * nodes);
    for (let a = 0; a < nodes; a++) {
      for (let b = 0; b < nodes; b++) {
        const lat = m.memory.latencyNs[a]![b]!;
        this.memHitNs[a * nodes + b] = lat;
        this.memStreamNs[a * nodes + b] = Math.min(lat, m.caches.lineSize * m.memory.readNsPerByte[a]![b]!);
      }
    }
    this.metaZeroBytes = [new Float64Array(nodes), new Float64Array(nodes)];
    this.hierarchies = new Array<RangeCacheHierarchy | undefined>(m.topology.nrCpus);
    this.sharedLevels = Array.from({ length: nodes }, () => new Array<RangeCacheLevel | undefined>(m.caches.levels.length));
  }

  // ---------------------------------------------------------------- the clock

  /** the CPU that runs the next operations; -1 (KWORKER) for balance work */
  setActingCpu(cpu: number): void {
    this.settleLines();
    this.noteActorCounters();
    const nr = this.machine.topology.nrCpus;
    if (!Number.isInteger(cpu) || cpu < KWORKER || cpu >= nr) throw new RangeError(`acting CPU ${cpu} is not a possible CPU (0..${nr - 1}) or -1 for the kworker`);
    this.actingCpu = cpu;
    this.actor = cpu === KWORKER ? 1 : 0;
    if (cpu === KWORKER) this.actorBase = NCAT;
    else {
      this.actorBase = 0;
      this.execCpu = cpu;
      this.execNode = this.machine.topology.cpuToNode[cpu]!;
    }
  }


  /** credits the counters' growth since the last change of actor to the actor that acted */
  private noteActorCounters(): void {
    const into = this.actorCounters[this.actor]!;
    const w = this.work;
    for (const k of Object.keys(w) as (keyof WorkCounters)[]) {
      into[k] += w[k] - this.counterMark[k];
      this.counterMark[k] = w[k];
    }
  }

  get acting(): number {
    return this.actingCpu;
  }

  /**
   * Closes one operation: charges the counted work since the previous call (and the fixed
   * overhead of `op`), and returns the ns the operation cost in all, everything charged since
   * the previous call included.
   */
  chargeOp(op: OpKind = 'none'): number {
    this.settleLines();
    this.meter.take(this.work, this.counted);
    this.charge(COMPUTE, this.counted.compute);
    // adding a zero changes no sum: most operations move no map bytes
    if (this.counted.memmove !== 0) this.charge(MEMMOVE, this.counted.memmove);
    let overhead = 0;
    if (op === 'alloc') {
      overhead = this.allocOverheadNs;
      this.allocCalls[this.actor]!++;
    } else if (op === 'free') {
      overhead = this.freeOverheadNs;
      this.freeCalls[this.actor]!++;
    } else if (op === 'balance') {
      overhead = this.rates.balanceCallNs;
      this.balanceRuns[this.actor]!++;
    }
    this.charge(FIXED, this.counted.fixed + overhead);
    const ns = this.opNs;
    this.opNs = 0;
    return ns;
  }

  /** modeled ns so far, calling CPUs and kworker together; never decreases */
  get modeledNs(): number {
    this.settleLines();
    return this.totalNs;
  }

  /** modeled ns charged to the calling CPUs */
  get cpuNs(): number {
    this.settleLines();
    let s = 0;
    for (let i = 0; i < NCAT; i++) s += this.acc[i]!;
    return s;
  }

  /** modeled ns charged to the kworker (balance work) */
  get kworkerNs(): number {
    this.settleLines();
    let s = 0;
    for (let i = NCAT; i < 2 * NCAT; i++) s += this.acc[i]!;
    return s;
  }

  /** ns per category, for the calling CPUs, the kworker, or both */
  breakdown(who: 'cpu' | 'kworker' | 'all' = 'all'): CostBreakdown {
    this.settleLines();
    const out = {} as CostBreakdown;
    COST_CATEGORIES.forEach((name, i) => {
      out[name] = (who === 'kworker' ? 0 : this.acc[i]!) + (who === 'cpu' ? 0 : this.acc[NCAT + i]!);
    });
    return out;
  }

  private charge(cat: number, ns: number): void {
    this.acc[this.actorBase + cat]! += ns;
    this.totalNs += ns;
    this.opNs += ns;
  }

  // ---------------------------------------------------------------- footprint

  footprint(): MachineFootprint {
    return {
      metadata_bytes: this.arena.bytesInUse,
      populated_pages: this.pools.totalInUse,
      vmalloc_bytes: this.vm.bytesInUse,
      pages_per_node: Array.from(this.pools.inUse),
      vm_area_sets: this.vm.areaSets,
      peak_metadata_bytes: this.arena.peakBytes,
      peak_populated_pages: this.pools.peak,
      peak_vmalloc_bytes: this.vm.peakBytes,
    };
  }

  /** hits and misses per cache level, over every instance of the level */
  cacheStats(): CacheLevelStats[] {
    return this.machine.caches.levels.map((lv, k) => {
      const seen = new Set<RangeCacheLevel>();
      for (const h of this.liveHierarchies) seen.add(h.levels[k]!);
      let hits = 0;
      let misses = 0;
      for (const c of seen) {
        hits += c.hits;
        misses += c.misses;
      }
      return { name: lv.name, hits, misses };
    });
  }

  // ---------------------------------------------------------------- pages

  allocPage(node: number): boolean {
    this.checkNode(node);
    this.charge(PAGES, this.machine.fixed.pageAllocNs);
    return this.pools.alloc(node) >= 0;
  }

  freePage(node: number): void {
    this.checkNode(node);
    this.pools.free(node);
    this.charge(PAGES, this.machine.fixed.pageFreeNs);
  }

  mapPages(nrUnits: number, nrPages: number): void {
    this.charge(PAGES, mapPagesNs(this.machine, nrUnits, nrPages, false));
  }

  unmapPages(nrUnits: number, nrPages: number): void {
    this.charge(PAGES, mapPagesNs(this.machine, nrUnits, nrPages, true));
  }

  flushTlbKernelRange(_start: number, _end: number): void {
    this.charge(TLB, this.tlbNs);
  }

  /** a four-level walk to the page's PTE, then its struct page: five lines, each costed where it is found */
  vmallocToPage(addr: number): void {
    // each entry is 8 aligned bytes in a region of its own: five distinct lines, whatever the address
    if (this.countsOnly) {
      this.pendingLines += 5;
      return;
    }
    const page = Math.floor((addr - VMALLOC_BASE) / this.machine.memory.pageSize);
    const pmd = Math.floor(page / ENTRIES_PER_TABLE);
    const pud = Math.floor(pmd / ENTRIES_PER_TABLE);
    this.touchRead(PGD_BASE + Math.floor(pud / ENTRIES_PER_TABLE) * 8, 8);
    this.touchRead(PUD_BASE + pud * 8, 8);
    this.touchRead(PMD_BASE + pmd * 8, 8);
    this.touchRead(PTE_BASE + page * 8, 8);
    this.touchRead(STRUCT_PAGE_BASE + page * 64, 8);
  }

  // ---------------------------------------------------------------- vmalloc

  getVmAreas(groupOffsets: readonly number[], groupSizes: readonly number[], align: number): number {
    this.charge(VMALLOC, groupOffsets.length * this.machine.fixed.vmAreaSetupNs);
    return this.vm.alloc(groupOffsets, groupSizes, align);
  }

  /** the embedded first chunk: memblock memory in the linear map, not vmalloc space */
  embedFirstChunk(groupOffsets: readonly number[], _groupSizes: readonly number[], _align: number): number {
    return LINEAR_MAP_BASE - (groupOffsets[0] ?? 0);
  }

  freeVmAreas(baseAddr: number): void {
    const n = this.vm.free(baseAddr);
    this.charge(VMALLOC, n * this.machine.fixed.vmAreaFreeNs);
  }

  // ---------------------------------------------------------------- metadata

  metaAlloc(bytes: number): number {
    const addr = this.arena.alloc(this.execNode, bytes);
    const zero = metaZeroNs(this.machine, this.execNode, bytes);
    this.charge(METADATA, metaAllocNs(this.machine, bytes) + zero);
    this.metaZeroBytes[this.actor]![this.execNode]! += bytes;
    this.metaZeroNs[this.actor]! += zero;
    // the buffer was just zeroed by this CPU: its lines are in this CPU's caches
    if (this.costModel === 'full' && bytes > 0) this.warm(addr, bytes);
    return addr;
  }

  metaFree(addr: number, bytes: number): void {
    this.arena.free(addr, bytes);
    this.charge(METADATA, metaFreeNs(this.machine, bytes));
  }

  touchRead(addr: number, bytes: number): void {
    if (bytes <= 0) return;
    if (this.countsOnly) this.chargeLines(addr, bytes);
    else this.touch(addr, bytes, false);
  }

  touchWrite(addr: number, bytes: number): void {
    if (bytes <= 0) return;
    if (this.countsOnly) this.chargeLines(addr, bytes);
    else this.touch(addr, bytes, true);
  }

  /**
   * costModel 'counts': the lines of a range, counted now and charged at the flat rate when the
   * clock is next read (settleLines); small enough to inline at every touch
   */
  private chargeLines(addr: number, bytes: number): void {
    this.pendingLines += this.lineOf(addr + bytes - 1) - this.lineOf(addr) + 1;
  }

  /** the cache line holding byte `addr` */
  private lineOf(addr: number): number {
    return Math.floor(addr * this.perLine);
  }

  /** charges the lines counted since the clock was last read, to the actor that touched them */
  private settleLines(): void {
    if (this.pendingLines === 0) return;
    const lines = this.pendingLines;
    this.pendingLines = 0;
    this.linesTouched[this.actor]! += lines;
    this.charge(CACHE, lines * this.countsLineNs);
  }

  zeroUnits(_baseAddr: number, _off: number, bytes: number): void {
    if (bytes <= 0) return;
    if (this.pools.placementVersion !== this.zeroPlacement) this.replaceZeroing();
    const node = this.execNode;
    this.charge(ZEROING, zeroingNs(this.rates, this.nrCpus, this.zeroStreamByNode[node]!, bytes));
    const key = node * ZERO_KEY_NODE + bytes;
    if (key !== this.zeroKey) {
      this.flushZeroRun();
      this.zeroKey = key;
    }
    this.zeroRun++;
  }

  /** units' pages now partly sit on other nodes (or came back): zeroing is priced at their distances */
  private replaceZeroing(): void {
    this.zeroPlacement = this.pools.placementVersion;
    const share = (node: number, on: number): number => this.pools.shareOn(node, on);
    for (let n = 0; n < this.zeroStreamByNode.length; n++) this.zeroStreamByNode[n] = zeroStreamNsPerByte(this.machine, n, share);
  }

  private flushZeroRun(): void {
    if (this.zeroRun === 0) return;
    this.zeroCalls.set(this.zeroKey, (this.zeroCalls.get(this.zeroKey) ?? 0) + this.zeroRun);
    this.zeroRun = 0;
  }

  /**
   * everything priced so far, as the time model sees it (a copy): see time-model.ts priceTally.
   * `who` picks the calling CPUs' share, the kworker's (balance work) or both.
   */
  tally(who: 'cpu' | 'kworker' | 'all' = 'all'): WorkTally {
    this.settleLines();
    this.flushZeroRun();
    this.noteActorCounters();
    const actors = who === 'cpu' ? [0] : who === 'kworker' ? [1] : [0, 1];
    const a = this.acc;
    const sum = (xs: number[]): number => actors.reduce((s, i) => s + xs[i]!, 0);
    const inCat = (cat: number): number => actors.reduce((s, i) => s + a[i * NCAT + cat]!, 0);
    const counters = newWorkCounters();
    for (const k of Object.keys(counters) as (keyof WorkCounters)[]) counters[k] = actors.reduce((s, i) => s + this.actorCounters[i]![k], 0);
    return {
      allocCalls: sum(this.allocCalls),
      freeCalls: sum(this.freeCalls),
      balanceRuns: sum(this.balanceRuns),
      counters,
      // only callers zero (pcpu_alloc's memset): the kworker's share has none
      zeroing: actors.includes(0) ? new Map(this.zeroCalls) : new Map(),
      lines: sum(this.linesTouched),
      cacheNs: this.countsOnly ? 0 : inCat(CACHE),
      metaZeroBytes: Array.from(this.metaZeroBytes[0]!, (_, n) => actors.reduce((s, i) => s + this.metaZeroBytes[i]![n]!, 0)),
      servicesNs: inCat(PAGES) + inCat(TLB) + inCat(VMALLOC) + inCat(METADATA) - sum(this.metaZeroNs),
    };
  }

  // ---------------------------------------------------------------- cache model

  private touch(addr: number, bytes: number, write: boolean): void {
    const first = this.lineOf(addr);
    const last = this.lineOf(addr + bytes - 1);
    const h = this.hierarchyOf(this.execCpu);
    const nodes = this.machine.topology.nrNodes;
    // metadata lives on its arena's node; any other address is taken as local memory
    const memNode = this.arena.nodeOf(addr);
    const memRow = this.execNode * nodes + (memNode >= 0 ? memNode : this.execNode);
    // the lines in order, each costed where it hit: the first at latency, the rest streamed
    const ns = h.touch(first, last, this.hitNs, this.streamNs, this.memHitNs[memRow]!, this.memStreamNs[memRow]!);
    if (write && this.liveHierarchies.length > 1) {
      for (let line = first; line <= last; line++) this.invalidateElsewhere(h, line);
    }
    this.charge(CACHE, ns);
  }

  /**
   * Fills a freshly zeroed buffer into the executing CPU's caches without charging. Only the
   * tail that the nearest private levels can hold stays there after a big memset, so only
   * that part is simulated.
   */
  private warm(addr: number, bytes: number): void {
    const h = this.hierarchyOf(this.execCpu);
    const keep = Math.min(bytes, this.warmLimit);
    const first = this.lineOf(addr + bytes - keep);
    const last = this.lineOf(addr + bytes - 1);
    h.touch(first, last, null, null, 0, 0);
  }

  /** a write by one CPU removes the line from every other CPU's caches */
  private invalidateElsewhere(writer: RangeCacheHierarchy, line: number): void {
    for (const h of this.liveHierarchies) {
      if (h === writer) continue;
      for (const lv of h.levels) if (!writer.levels.includes(lv)) lv.invalidate(line);
    }
  }

  private hierarchyOf(cpu: number): RangeCacheHierarchy {
    const have = this.hierarchies[cpu];
    if (have) return have;
    const m = this.machine;
    const node = m.topology.cpuToNode[cpu]!;
    const levels = m.caches.levels.map((spec, k) => {
      const geometry = { size: spec.size, ways: spec.ways, lineSize: m.caches.lineSize };
      if (spec.shared === 'cpu') return new RangeCacheLevel(geometry);
      const shared = this.sharedLevels[node]![k] ?? new RangeCacheLevel(geometry);
      this.sharedLevels[node]![k] = shared;
      return shared;
    });
    const h = new RangeCacheHierarchy(levels);
    this.hierarchies[cpu] = h;
    this.liveHierarchies.push(h);
    return h;
  }

  private checkNode(node: number): void {
    if (!Number.isInteger(node) || node < 0 || node >= this.machine.topology.nrNodes) {
      throw new RangeError(`page request on node ${node}, but the machine has nodes 0..${this.machine.topology.nrNodes - 1}`);
    }
  }
}
