import { describe, expect, it } from 'vitest';
import type { AllocInfo, AllocatorName, KernelVersion, PercpuAllocator } from '../../src/kernel/allocator.ts';
import { KERNEL_OF } from '../../src/kernel/allocator.ts';
import type { Platform } from '../../src/kernel/platform.ts';
import { allocatorFactory } from '../../src/kernel/registry.ts';
import { SimplePlatform } from '../../src/hw/simple-platform.ts';
import { configOf, replayCase } from '../../src/conform/replay.ts';
import { FtraceTracer } from '../../src/report/ftrace.ts';
import type { FtraceStyle } from '../../src/trace/ftrace-format.ts';
import { parseFtrace } from '../../src/trace/ftrace-parse.ts';
import { ftraceToOps } from '../../src/trace/ftrace-ops.ts';
import { ftraceToPercpuTrace } from '../../src/trace/ftrace-convert.ts';
import { formatOpLine, percpuTraceText } from '../../src/trace/percpu-trace-write.ts';
import type { TraceHeader, TraceLine, TraceOp } from '../../src/trace/percpu-trace.ts';
import { parseHeader, parseJsonLines, parseOp, readTraceText } from '../../src/trace/percpu-trace.ts';

const FIXTURES = 'test/fixtures/conformance';

function readCase(file: string): { header: TraceHeader; ops: TraceLine<TraceOp>[] } {
  const lines = parseJsonLines(file, readTraceText(file));
  return { header: parseHeader(file, lines[0]!), ops: lines.slice(1).map((l) => ({ line: l.line, value: parseOp(file, l) })) };
}

type Decision = string;

/**
 * Runs ops against a fresh allocator with an FtraceTracer attached, applying eager balance
 * as the conformance runner does. Time advances one microsecond per trace line so two runs
 * that trace the same events print the same text.
 */
function runTraced(
  header: TraceHeader,
  ops: readonly TraceOp[],
  make: (h: TraceHeader) => PercpuAllocator,
  kernel: KernelVersion,
  style: FtraceStyle,
): { lines: string[]; decisions: Decision[] } {
  const lines: string[] = [];
  const allocator = make(header);
  allocator.tracer = new FtraceTracer({ kernel, style, nrCpus: header.machine.nr_cpus, sink: (l) => lines.push(l), clock: () => 100 + lines.length * 1e-6, cpu: 0 });
  const live = new Map<string | number, { chunk: number; off: number }>();
  const decisions: Decision[] = [];
  const eager = header.balance === 'eager';
  for (const op of ops) {
    if (op.op === 'alloc') {
      const off = allocator.alloc(op.size, op.align, op.gfp === 'atomic', op.reserved === true);
      if (off >= 0) {
        live.set(op.id, { chunk: allocator.lastChunkId, off });
        decisions.push(`${allocator.lastChunkId}:${off}`);
      } else decisions.push('fail');
    } else if (op.op === 'free') {
      // free_percpu(NULL) is a no-op: a workload may free what failed to allocate
      const a = live.get(op.id);
      if (!a) continue;
      live.delete(op.id);
      allocator.free(a.chunk, a.off);
      if (eager && allocator.balancePending) allocator.runBalance();
      continue;
    } else if (op.op === 'balance') allocator.runBalance();
    if (eager && allocator.balancePending) allocator.runBalance();
  }
  return { lines, decisions };
}

/** record → ftrace text → ops → record again: the second run must decide and print the same */
function roundTrip(header: TraceHeader, ops: readonly TraceOp[], make: (h: TraceHeader) => PercpuAllocator, kernel: KernelVersion, style: FtraceStyle) {
  const first = runTraced(header, ops, make, kernel, style);
  const parsed = ftraceToOps('first.trace', parseFtrace('first.trace', first.lines.join('\n')), { expectDecisions: true });
  const second = runTraced(header, parsed.ops.map((o) => o.value), make, kernel, style);
  return { first, second, parsed };
}

/**
 * A deliberately simple allocator with the same contract as the real ones (first fit over
 * 4-byte units, fixed-size chunks created on demand, empty chunks destroyed by the balance
 * work, atomic requests never create chunks), so the harness above is exercised before the
 * kernel ports land.
 */
function toyAllocator(h: TraceHeader, platform: Platform): PercpuAllocator {
  const UNITS = 256;
  type Chunk = { id: number; base: number; used: Uint8Array; sizes: Map<number, number>; free: number };
  const newChunk = (id: number, base: number): Chunk => ({ id, base, used: new Uint8Array(UNITS), sizes: new Map(), free: UNITS });
  const reserved = newChunk(-1, platform.getVmAreas([0], [1 << 20], 4096));
  const chunks: Chunk[] = [newChunk(0, platform.getVmAreas([0], [1 << 20], 4096))];
  let nextId = 1;
  const fit = (c: Chunk, units: number, alignUnits: number): number => {
    for (let s = 0; s + units <= UNITS; s += alignUnits) {
      let ok = true;
      for (let i = s; i < s + units && ok; i++) ok = c.used[i] === 0;
      if (ok) return s;
    }
    return -1;
  };
  const self: PercpuAllocator = {
    name: h.allocator as AllocatorName,
    kernel: 'v6.12',
    layout: {} as AllocInfo,
    tracer: null,
    lastChunkId: 0,
    lastFailReason: null,
    balancePending: false,
    alloc(size, align, atomic, isReserved) {
      const units = Math.ceil(size / 4);
      const alignUnits = Math.max(1, align / 4);
      const pool = isReserved ? [reserved] : chunks;
      for (let pass = 0; pass < 2; pass++) {
        for (const c of pool) {
          const s = fit(c, units, alignUnits);
          if (s < 0) continue;
          c.used.fill(1, s, s + units);
          c.sizes.set(s * 4, units);
          c.free -= units;
          self.lastChunkId = c.id;
          self.tracer?.allocPercpu(isReserved, atomic, size, align, c.id, c.base, s * 4);
          return s * 4;
        }
        if (pass > 0 || isReserved || atomic || units > UNITS || !platform.allocPage(0)) break;
        const c = newChunk(nextId++, platform.getVmAreas([0], [1 << 20], 4096));
        chunks.push(c);
        self.tracer?.createChunk(c.id, c.base);
      }
      self.lastFailReason = 'no space';
      self.tracer?.allocPercpuFail(isReserved, atomic, size, align);
      return -1;
    },
    free(chunkId, off) {
      const c = chunkId === -1 ? reserved : chunks.find((x) => x.id === chunkId)!;
      const units = c.sizes.get(off)!;
      c.sizes.delete(off);
      c.used.fill(0, off / 4, off / 4 + units);
      c.free += units;
      self.tracer?.freePercpu(chunkId, c.base, off);
      if (c.id > 0 && c.free === UNITS) (self as { balancePending: boolean }).balancePending = true;
    },
    runBalance() {
      for (let i = chunks.length - 1; i > 0; i--) {
        const c = chunks[i]!;
        if (c.free !== UNITS) continue;
        chunks.splice(i, 1);
        platform.freePage(0);
        self.tracer?.destroyChunk(c.id, c.base);
      }
      (self as { balancePending: boolean }).balancePending = false;
    },
    stats: () => ({ nr_chunks: chunks.length, nr_empty_pop_pages: 0, nr_populated: null, chunks: [] }),
    checkInvariants() {},
  };
  return self;
}

/** a churn workload: mixed sizes and alignments, atomic and reserved requests, frees in between */
function churn(n: number, seed: number): TraceOp[] {
  let s = seed;
  const rnd = (k: number): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % k;
  };
  const ops: TraceOp[] = [];
  const live: number[] = [];
  for (let id = 1; id <= n; id++) {
    if (live.length > 0 && rnd(3) === 0) ops.push({ op: 'free', id: live.splice(rnd(live.length), 1)[0]! });
    const op: TraceOp = { op: 'alloc', id, size: [4, 8, 12, 64, 200, 1024][rnd(6)]!, align: [4, 8, 64][rnd(3)]!, gfp: rnd(5) === 0 ? 'atomic' : 'kernel' };
    if (rnd(10) === 0) op.reserved = true;
    ops.push(op);
    live.push(id);
  }
  for (const id of live) ops.push({ op: 'free', id });
  ops.push({ op: 'balance' });
  return ops;
}

const toyHeader = (pageLimit: number | null): TraceHeader => ({
  format: 'percpu-trace/1',
  name: 'toy',
  kernel: 'v6.12',
  allocator: 'bitmap',
  machine: { page_size: 4096, nr_cpus: 4, cpu_to_node: [0, 0, 0, 0], node_distance: [[10]] },
  first_chunk: { static_size: 0, reserved_size: 8192, dyn_size: 28672, atom_size: 4096 },
  balance: 'eager',
  page_limit: pageLimit,
});

describe('ftrace round trip through a stand-in allocator', () => {
  for (const kernel of ['v6.12', 'v4.14'] as const) {
    for (const style of ['trace', 'trace-cmd'] as const) {
      it(`${kernel} ${style}: replaying the printed trace decides and prints the same`, () => {
        const header = toyHeader(6);
        const make = (h: TraceHeader) => toyAllocator(h, new SimplePlatform(h.page_limit));
        const { first, second, parsed } = roundTrip(header, churn(800, 7), make, kernel, style);
        expect(first.lines.some((l) => l.includes('percpu_create_chunk'))).toBe(true);
        expect(first.lines.some((l) => l.includes('percpu_destroy_chunk'))).toBe(true);
        expect(first.decisions.filter((d) => d === 'fail').length).toBeGreaterThan(0);
        expect(first.decisions.some((d) => d.startsWith('-1:'))).toBe(true);
        expect(second.lines).toEqual(first.lines);
        expect(second.decisions).toEqual(first.decisions);
        expect(parsed.unmatchedFrees).toEqual([]);
        expect(parsed.impliedFrees).toEqual([]);
        expect(parsed.chunkEvents.filter((c) => c.kind === 'create').map((c) => c.chunk)).toEqual(
          parsed.chunkEvents.filter((c) => c.kind === 'create').map((_, i) => i + 1),
        );
      });
    }
  }

  it('a changed request in the trace shows up as a difference', () => {
    const header = toyHeader(null);
    const make = (h: TraceHeader) => toyAllocator(h, new SimplePlatform(h.page_limit));
    const first = runTraced(header, churn(200, 3), make, 'v6.12', 'trace');
    const at = first.lines.findIndex((l) => l.includes(' size=4 '));
    const tampered = first.lines.map((l, i) => (i === at ? l.replace(' size=4 ', ' size=1024 ') : l));
    const ops = ftraceToOps('t', parseFtrace('t', tampered.join('\n'))).ops.map((o) => o.value);
    const second = runTraced(header, ops, make, 'v6.12', 'trace');
    expect(at).toBeGreaterThanOrEqual(0);
    expect(second.lines).not.toEqual(first.lines);
  });
});

describe('percpu-trace/1 writer', () => {
  it('writes a fixture back line for line as the reader reads it', () => {
    const file = `${FIXTURES}/bitmap/big-smp4-s13.jsonl.gz`;
    const { header, ops } = readCase(file);
    const text = percpuTraceText(header, ops.map((o) => o.value));
    const again = parseJsonLines('again', text);
    expect(parseHeader('again', again[0]!)).toEqual(header);
    expect(again.slice(1).map((l) => parseOp('again', l))).toEqual(ops.map((o) => o.value));
  });

  it('orders keys as FORMAT.md does and leaves out absent optional fields', () => {
    expect(formatOpLine({ op: 'alloc', id: 'x', size: 8, align: 4, gfp: 'kernel', reserved: false, expect: { chunk: 0, off: 16 } })).toBe(
      '{"op":"alloc","id":"x","size":8,"align":4,"gfp":"kernel","expect":{"chunk":0,"off":16}}',
    );
    expect(formatOpLine({ op: 'alloc', id: 3, size: 8, align: 4, gfp: 'atomic', reserved: true, expect: { fail: true } })).toBe(
      '{"op":"alloc","id":3,"size":8,"align":4,"gfp":"atomic","reserved":true,"expect":{"fail":true}}',
    );
    expect(formatOpLine({ op: 'free', id: 3 })).toBe('{"op":"free","id":3}');
    expect(formatOpLine({ op: 'stats' })).toBe('{"op":"stats"}');
  });

  it('converts an ftrace capture into a percpu-trace file the reader accepts', () => {
    const capture = [
      '# tracer: nop',
      '  a-1  [000] .... 1.000000: percpu_alloc_percpu: reserved=1 is_atomic=0 size=8 align=8 base_addr=1000 off=16 ptr=1010',
      '  a-1  [000] .... 1.000001: percpu_alloc_percpu: reserved=0 is_atomic=1 size=4 align=4 base_addr=5000 off=0 ptr=5000',
      '  a-1  [000] .... 1.000002: percpu_free_percpu: base_addr=1000 off=16 ptr=1010',
    ].join('\n');
    const { text, info } = ftraceToPercpuTrace('cap', capture, toyHeader(null), { expectDecisions: true });
    const lines = parseJsonLines('out', text);
    expect(parseHeader('out', lines[0]!).name).toBe('toy');
    expect(lines.slice(1).map((l) => parseOp('out', l))).toEqual([
      { op: 'alloc', id: '0x1010', size: 8, align: 8, gfp: 'kernel', reserved: true, expect: { chunk: -1, off: 16 } },
      { op: 'alloc', id: '0x5000', size: 4, align: 4, gfp: 'atomic', expect: { chunk: 0, off: 0 } },
      { op: 'free', id: '0x1010' },
    ]);
    expect(info.fieldSet).toBe('v4');
  });
});

/**
 * The real ports, as each lands on main: replay a fixture, print it, replay the print. Each
 * case names the events its trace must hold; the page-limit churn is cut after its first
 * traced failures to keep the file fast.
 */
const FIXTURE_CASES = [
  { fixture: 'reserved-smp4-s11', limit: Infinity, styles: ['trace', 'trace-cmd'], events: ['percpu_alloc_percpu', 'percpu_free_percpu', 'percpu_alloc_percpu_fail'] },
  { fixture: 'big-smp4-s13', limit: Infinity, styles: ['trace'], events: ['percpu_create_chunk', 'percpu_destroy_chunk'] },
  { fixture: 'churn-smp4-pagelimit-s7', limit: 4000, styles: ['trace'], events: ['percpu_create_chunk', 'percpu_alloc_percpu_fail'] },
] as const satisfies readonly { fixture: string; limit: number; styles: readonly FtraceStyle[]; events: readonly string[] }[];
for (const name of ['bitmap', 'bitmap-v4.14', 'areamap'] as const) {
  const factory = allocatorFactory(name);
  describe.skipIf(typeof factory === 'string')(`ftrace round trip through the ${name} allocator`, () => {
    if (typeof factory === 'string') return;
    const make = (h: TraceHeader) => factory(configOf(h), new SimplePlatform(h.page_limit));
    for (const { fixture, limit, styles, events } of FIXTURE_CASES) {
      it(`${fixture}: the printed trace replays to the same chunks and offsets`, () => {
        const { header, ops } = readCase(`${FIXTURES}/${name}/${fixture}.jsonl.gz`);
        const head = ops.slice(0, limit).map((o) => o.value);
        for (const style of styles) {
          const { first, second, parsed } = roundTrip(header, head, make, KERNEL_OF[name], style);
          for (const ev of events) expect(first.lines.some((l) => l.includes(` ${ev}: `)), ev).toBe(true);
          expect(second.lines).toEqual(first.lines);
          // illegal requests fail before the tracepoint, so only traced failures come back
          const placed = (d: Decision[]) => d.filter((x) => x !== 'fail');
          expect(placed(second.decisions)).toEqual(placed(first.decisions));
          expect(second.decisions.length - placed(second.decisions).length).toBe(first.lines.filter((l) => l.includes(' percpu_alloc_percpu_fail: ')).length);
          // the expectations read from the trace hold under the conformance runner too
          expect(replayCase(header, 1, parsed.ops, { check: false })).toBeNull();
        }
      });
    }
    it('a wrong offset in the trace is reported at its line by the conformance runner', () => {
      const { header, ops } = readCase(`${FIXTURES}/${name}/big-smp4-s13.jsonl.gz`);
      const first = runTraced(header, ops.map((o) => o.value), make, KERNEL_OF[name], 'trace');
      const at = first.lines.findIndex((l, i) => i > 10 && l.includes('percpu_alloc_percpu:'));
      const tampered = first.lines.map((l, i) => (i === at ? l.replace(/ off=(\d+)/, (_, o: string) => ` off=${Number(o) + 8}`) : l));
      const parsed = ftraceToOps('t', parseFtrace('t', tampered.join('\n')), { expectDecisions: true });
      expect(replayCase(header, 1, parsed.ops, { check: false })?.line).toBe(at + 1);
    });
  });
}
