/**
 * A reference model for property tests of the allocator ports: it drives one allocator through
 * a list of operations on a SimplePlatform and checks, after every operation, what any faithful
 * port must guarantee whatever its version (invariants, non-overlap, alignment, region bounds,
 * free-byte accounting, reserved-chunk use, atomic requests never populating pages).
 * A violation throws an Error whose message names the operation and what broke.
 */
import type { AllocInfo, AllocatorName, FirstChunkRequest, KernelVersion, PercpuAllocator, PercpuTracer, Topology } from '../../src/kernel/allocator.ts';
import { DEFAULT_KNOBS, KERNEL_OF } from '../../src/kernel/allocator.ts';
import { allocatorFactory } from '../../src/kernel/registry.ts';
import { SimplePlatform } from '../../src/hw/simple-platform.ts';

export interface MachineCase {
  topology: Topology;
  firstChunk: FirstChunkRequest;
  /** how many page allocations succeed in total (null: unlimited) */
  pageLimit: number | null;
  /** run scheduled balance work right after the operation that scheduled it */
  eager: boolean;
}

export type Op =
  /** `count` times the same request */
  | { k: 'alloc'; size: number; align: number; atomic: boolean; reserved: boolean; count?: number }
  /** free the live allocation at index `pick % live` */
  | { k: 'free'; pick: number }
  /** free one and at once ask again for the same size and alignment (non-atomic) */
  | { k: 'refree'; pick: number }
  | { k: 'balance' };

interface Live {
  chunk: number;
  off: number;
  /** unit-0 address: base_addr + off */
  addr: number;
  /** bytes the allocator took (the size after the version's rounding) */
  bytes: number;
  size: number;
  align: number;
  reserved: boolean;
}

/** PCPU_MIN_UNIT_SIZE, also the largest legal request */
export const maxAllocSize = (pageSize: number): number => Math.ceil((32 << 10) / pageSize) * pageSize;

const isPow2 = (x: number): boolean => x > 0 && (x & (x - 1)) === 0;

/** the size and alignment after the version's rounding, or null when the kernel calls them illegal */
export function roundedRequest(kernel: KernelVersion, pageSize: number, size: number, align: number): { bytes: number; align: number } | null {
  const granule = kernel === 'v4.13' ? 2 : 4;
  const a = align < granule ? granule : align;
  const bytes = Math.ceil(size / granule) * granule;
  if (bytes <= 0 || bytes > maxAllocSize(pageSize) || a > pageSize || !isPow2(a)) return null;
  return { bytes, align: a };
}

/** [start, end) of offsets a chunk serves, relative to its base_addr (FORMAT.md: first and reserved chunk offsets) */
export function chunkRegion(kernel: KernelVersion, ai: AllocInfo, pageSize: number, chunk: number): [number, number] {
  if (chunk > 0) return [0, ai.unit_size];
  if (kernel === 'v4.13') {
    // offsets count from the unit start; with no reserved area the static chunk serves the dynamic area
    const start = ai.static_size + (chunk === 0 ? ai.reserved_size : 0);
    return [start, start + (chunk === 0 ? ai.dyn_size : ai.reserved_size)];
  }
  // v4.14 on: regions start at the 4-aligned static end; base_addr is that start rounded down to a page
  const staticAligned = Math.ceil(ai.static_size / 4) * 4;
  const start = chunk === 0 ? staticAligned + ai.reserved_size : staticAligned;
  const size = chunk === 0 ? ai.dyn_size - (staticAligned - ai.static_size) : ai.reserved_size;
  return [start % pageSize, (start % pageSize) + size];
}

/** Everything one property run holds; `run` applies the operations and checks as it goes. */
export class ModelRun {
  readonly alloc: PercpuAllocator;
  readonly kernel: KernelVersion;
  readonly platform: SimplePlatform;
  readonly live: Live[] = [];
  readonly hasReserved: boolean;
  private readonly base = new Map<number, number>();
  private events: { kind: 'alloc' | 'free' | 'fail'; chunk: number; base: number; off: number }[] = [];
  private step = '';
  /** operations applied, for messages */
  count = 0;

  constructor(
    readonly name: AllocatorName,
    readonly m: MachineCase,
  ) {
    const factory = allocatorFactory(name);
    if (typeof factory === 'string') throw new Error(factory);
    this.kernel = KERNEL_OF[name];
    this.platform = new SimplePlatform(m.pageLimit);
    this.alloc = factory({ topology: m.topology, firstChunk: m.firstChunk, knobs: DEFAULT_KNOBS }, this.platform);
    this.hasReserved = this.alloc.layout.reserved_size > 0;
    const ev = this.events;
    const tracer: PercpuTracer = {
      allocPercpu: (_r, _a, _s, _al, chunk, base, off) => void ev.push({ kind: 'alloc', chunk, base, off }),
      freePercpu: (chunk, base, off) => void ev.push({ kind: 'free', chunk, base, off }),
      allocPercpuFail: () => void ev.push({ kind: 'fail', chunk: 0, base: 0, off: 0 }),
      createChunk: () => {},
      destroyChunk: (chunk) => void this.base.delete(chunk),
      warn: () => {},
    };
    this.alloc.tracer = tracer;
    this.check();
  }

  private fail(what: string): never {
    throw new Error(`${this.name}: op ${this.count} (${this.step}): ${what}`);
  }

  private expect(ok: boolean, what: () => string): void {
    if (!ok) this.fail(what());
  }

  /** runs scheduled balance work as the policy says */
  private afterOp(): void {
    if (this.m.eager && this.alloc.balancePending) this.balance();
  }

  balance(): void {
    this.alloc.runBalance();
    this.expect(!this.alloc.balancePending, () => 'balance work still pending after runBalance');
  }

  apply(op: Op): void {
    this.count++;
    this.step = JSON.stringify(op);
    switch (op.k) {
      case 'alloc':
        for (let i = 0; i < (op.count ?? 1); i++) {
          this.allocate(op.size, op.align, op.atomic, op.reserved);
          if (i + 1 < (op.count ?? 1)) this.check();
        }
        break;
      case 'free':
        if (this.live.length > 0) this.freeAt(op.pick % this.live.length);
        break;
      case 'refree': {
        if (this.live.length === 0) break;
        const a = this.live[op.pick % this.live.length]!;
        this.freeAt(op.pick % this.live.length);
        const off = this.allocate(a.size, a.align, false, a.reserved);
        // The freed place fits the same request. A normal request may still need a fresh page
        // (only the page budget refuses one). In the reserved chunk there is no other chunk to
        // fall back on, and the chunk's contig hint decides: v4.13 merges it on every free; v4.14
        // checks it *with the alignment*, and it may name a larger but misaligned area, so only a
        // granule-aligned request is sure to fit; v6.12 updates the chunk hint after a free
        // inside one block with a chunk offset as start and a block offset as end
        // (pcpu_block_update_hint_free), so outside block 0 the hint may miss the freed area.
        const mustFit = a.reserved && this.hasReserved ? this.kernel === 'v4.13' || (this.kernel === 'v4.14' && a.align <= 4) : this.m.pageLimit === null;
        this.expect(off >= 0 || !mustFit, () => `re-asking for a freed ${a.size}/${a.align} failed: ${this.alloc.lastFailReason}`);
        break;
      }
      case 'balance':
        this.balance();
        break;
    }
    this.check();
  }

  /** one request with every per-request check; returns the offset or -1 */
  allocate(size: number, align: number, atomic: boolean, reserved: boolean): number {
    const req = roundedRequest(this.kernel, this.m.topology.pageSize, size, align);
    const work = this.platform.work;
    const populated0 = work.pagesPopulated;
    const created0 = work.chunksCreated;
    const failed0 = work.failedAllocs;
    const stats0 = req === null ? JSON.stringify(this.alloc.stats()) : '';
    this.events.length = 0;
    const off = this.alloc.alloc(size, align, atomic, reserved);
    const chunk = this.alloc.lastChunkId;
    const events = this.events.splice(0);
    if (atomic && !reserved) {
      this.expect(work.pagesPopulated === populated0, () => `atomic request populated ${work.pagesPopulated - populated0} pages`);
      this.expect(work.chunksCreated === created0, () => 'atomic request created a chunk');
    }
    if (req === null) {
      this.expect(off === -1, () => `illegal request ${size}/${align} returned ${off}`);
      this.expect(events.length === 0, () => `illegal request traced ${JSON.stringify(events)}`);
      this.expect(JSON.stringify(this.alloc.stats()) === stats0, () => 'illegal request changed the allocator state');
      this.expect(work.failedAllocs === failed0 + 1, () => 'illegal request not counted in failedAllocs');
      this.afterOp();
      return -1;
    }
    if (off < 0) {
      this.expect(off === -1, () => `failure returned ${off}, not -1`);
      this.expect(typeof this.alloc.lastFailReason === 'string' && this.alloc.lastFailReason !== '', () => 'failure without a reason');
      this.expect(events.length === 1 && events[0]!.kind === 'fail', () => `failure traced ${JSON.stringify(events)}`);
      this.expect(work.failedAllocs === failed0 + 1, () => 'failure not counted in failedAllocs');
      const mustFit = !atomic && (!reserved || !this.hasReserved) && this.m.pageLimit === null;
      this.expect(!mustFit, () => `legal sleeping request ${size}/${align} failed with unlimited pages: ${this.alloc.lastFailReason}`);
      this.afterOp();
      return -1;
    }
    this.expect(events.length === 1 && events[0]!.kind === 'alloc' && events[0]!.chunk === chunk && events[0]!.off === off, () => `returned chunk ${chunk} off ${off} but traced ${JSON.stringify(events)}`);
    const base = events[0]!.base;
    // the reserved chunk (-1) serves exactly the reserved requests, when there is one
    if (reserved && this.hasReserved) this.expect(chunk === -1, () => `reserved request served by chunk ${chunk}`);
    else this.expect(chunk >= 0, () => `${reserved ? 'reserved request without a reserved chunk' : 'normal request'} served by chunk ${chunk}`);
    const known = this.base.get(chunk);
    this.expect(known === undefined || known === base, () => `chunk ${chunk} base_addr moved from ${known} to ${base}`);
    this.base.set(chunk, base);
    // CPU c's copy is at base_addr + unit_offset(c) + off; unit offsets are page multiples, so
    // the copy is aligned for every CPU exactly when base_addr is page-aligned and base_addr + off is aligned
    this.expect(base % this.m.topology.pageSize === 0, () => `chunk ${chunk} base_addr ${base} not page-aligned`);
    const addr = base + off;
    this.expect(addr % req.align === 0, () => `chunk ${chunk} off ${off}: address ${addr} not aligned to ${req.align}`);
    const [lo, hi] = chunkRegion(this.kernel, this.alloc.layout, this.m.topology.pageSize, chunk);
    this.expect(off >= lo && off + req.bytes <= hi, () => `chunk ${chunk} [${off}, ${off + req.bytes}) outside its region [${lo}, ${hi})`);
    for (const other of this.live) {
      const overlap = addr < other.addr + other.bytes && other.addr < addr + req.bytes;
      this.expect(!overlap, () => `chunk ${chunk} [${off}, ${off + req.bytes}) overlaps live chunk ${other.chunk} [${other.off}, ${other.off + other.bytes})`);
    }
    this.live.push({ chunk, off, addr, bytes: req.bytes, size, align, reserved });
    this.afterOp();
    return off;
  }

  freeAt(i: number): void {
    const a = this.live[i]!;
    this.live.splice(i, 1);
    this.events.length = 0;
    this.alloc.free(a.chunk, a.off);
    const events = this.events.splice(0);
    this.expect(events.length === 1 && events[0]!.kind === 'free' && events[0]!.chunk === a.chunk && events[0]!.off === a.off, () => `free of chunk ${a.chunk} off ${a.off} traced ${JSON.stringify(events)}`);
    this.afterOp();
  }

  /** frees every live allocation, in the order `picks` says, then runs the balance work */
  freeAll(picks: readonly number[]): void {
    let k = 0;
    while (this.live.length > 0) this.apply({ k: 'free', pick: picks.length > 0 ? picks[k++ % picks.length]! : 0 });
    this.step = 'balance after freeing everything';
    this.balance();
    this.check();
  }

  /** invariants, plus per-chunk free-byte accounting against the live set */
  check(): void {
    try {
      this.alloc.checkInvariants();
    } catch (e) {
      this.fail(`${(e as Error).name}: ${(e as Error).message}`);
    }
    const stats = this.alloc.stats();
    const ids = new Set(stats.chunks.map((c) => c.id));
    this.expect(stats.nr_chunks === stats.chunks.filter((c) => c.id >= 0).length, () => `nr_chunks ${stats.nr_chunks} but ${stats.chunks.length} chunks listed`);
    this.expect(ids.has(-1) === this.hasReserved, () => `reserved chunk ${this.hasReserved ? 'missing from' : 'present in'} stats`);
    const used = new Map<number, number>();
    for (const a of this.live) {
      this.expect(ids.has(a.chunk), () => `chunk ${a.chunk} holds a live allocation but is gone`);
      used.set(a.chunk, (used.get(a.chunk) ?? 0) + a.bytes);
    }
    for (const c of stats.chunks) {
      const [lo, hi] = chunkRegion(this.kernel, this.alloc.layout, this.m.topology.pageSize, c.id);
      const expected = hi - lo - (used.get(c.id) ?? 0);
      // v4.13 folds an alignment head of under 4 bytes into the previous area: it may hold a little more
      const ok = this.kernel === 'v4.13' ? c.free_bytes <= expected && (used.has(c.id) || c.free_bytes === expected) : c.free_bytes === expected;
      this.expect(ok, () => `chunk ${c.id}: free_bytes ${c.free_bytes}, expected ${expected} (region ${hi - lo}, live ${used.get(c.id) ?? 0})`);
      // before v5.x the chunk's contig hint is an upper bound that may go stale (v4.13 updates it
      // only on a full scan, v4.14 only when the allocation took the hinted area)
      if (this.kernel === 'v6.12') this.expect(c.contig_bytes <= c.free_bytes, () => `chunk ${c.id}: contig_bytes ${c.contig_bytes} > free_bytes ${c.free_bytes}`);
    }
  }
}
