import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AllocatorName, PercpuAllocator } from '../../src/kernel/allocator.ts';
import { KERNEL_OF } from '../../src/kernel/allocator.ts';
import { allocatorFactory } from '../../src/kernel/registry.ts';
import { configOf, topologyOf } from '../../src/conform/replay.ts';
import { FtraceTracer } from '../../src/report/ftrace.ts';
import type { TraceHeader, TraceOp } from '../../src/trace/percpu-trace.ts';
import { parseHeader, parseJsonLines, parseOp, readTraceText } from '../../src/trace/percpu-trace.ts';
import type { PhaseSpec, RecordedOp } from '../../src/engine/run.ts';
import { runPhases } from '../../src/engine/run.ts';
import { loadReplayOps } from '../../src/engine/generators/replay-ops.ts';
import { runReplay } from '../../src/engine/generators/replay.ts';
import { DecisionPlatform, RecordingSink, newState } from './generator-harness.ts';

const FIXTURES = 'test/fixtures/conformance';
const dir = mkdtempSync(join(tmpdir(), 'replay-'));

function readCase(file: string): { header: TraceHeader; ops: TraceOp[] } {
  const lines = parseJsonLines(file, readTraceText(file));
  return { header: parseHeader(file, lines[0]!), ops: lines.slice(1).map((l) => parseOp(file, l)) };
}

/** what the kernel decided for each alloc line, as `chunk:off` or `fail` */
const expected = (ops: readonly TraceOp[]): string[] =>
  ops.flatMap((o) => (o.op !== 'alloc' ? [] : [!o.expect || 'fail' in o.expect ? 'fail' : `${o.expect.chunk}:${o.expect.off}`]));

/** runs one replay phase of `file` on a fresh allocator built from `header`; returns each alloc's decision */
function replay(header: TraceHeader, phase: PhaseSpec, tracer?: (a: PercpuAllocator) => void): string[] {
  const factory = allocatorFactory(header.allocator);
  if (typeof factory === 'string') throw new Error(factory);
  const platform = new DecisionPlatform(header.page_limit);
  const allocator = factory(configOf(header), platform);
  tracer?.(allocator);
  const decisions: string[] = [];
  const record = (op: RecordedOp): void => {
    if (op.op === 'alloc') decisions.push(op.off < 0 ? 'fail' : `${op.chunk}:${op.off}`);
  };
  runPhases(allocator, platform, [phase], {
    cpu: 0,
    balance: header.balance === 'eager' ? { mode: 'eager' } : { mode: 'manual' },
    seed: 't',
    check: false,
    topology: topologyOf(header),
    record,
  });
  return decisions;
}

describe('replaying a percpu-trace/1 file through a replay phase', () => {
  const cases: [AllocatorName, string][] = [
    ['bitmap', 'reserved-smp4-s11'],
    ['bitmap', 'pagealign-2s16-s12'], // two nodes
    ['bitmap', 'atomic-smp4-s10'], // manual balance: the trace's balance lines run the work
    ['bitmap-v4.14', 'big-smp4-s13'],
    ['areamap', 'reserved-smp4-s11'],
  ];
  for (const [allocator, name] of cases) {
    it(`gives the decisions sim conform expects: ${allocator}/${name}`, () => {
      const file = `${FIXTURES}/${allocator}/${name}.jsonl.gz`;
      const { header, ops } = readCase(file);
      const got = replay(header, { phase: 'replay', name: 'replay', file, format: 'percpu-trace' });
      expect(got.length).toBeGreaterThan(100);
      expect(got).toEqual(expected(ops));
    });
  }
});

describe('replaying ftrace text through a replay phase', () => {
  for (const [allocator, name] of [['bitmap', 'big-smp4-s13'], ['areamap', 'pagealign-2s16-s12']] as const) {
    it(`makes the same decisions as the percpu-trace/1 file the capture was made from: ${allocator}/${name}`, () => {
      const file = `${FIXTURES}/${allocator}/${name}.jsonl.gz`;
      const { header, ops } = readCase(file);
      // capture: replay the case with the percpu tracepoints printed as trace_pipe lines
      // (v6.12's field set for bitmap, v4.x's for the area map)
      const lines: string[] = ['# tracer: nop', '#'];
      const traced = replay(header, { phase: 'replay', name: 'replay', file, format: 'percpu-trace' }, (a) => {
        a.tracer = new FtraceTracer({ kernel: KERNEL_OF[allocator], nrCpus: header.machine.nr_cpus, sink: (l) => lines.push(l), clock: () => 10 + lines.length * 1e-6 });
      });
      expect(lines.length).toBeGreaterThan(100);
      const capture = join(dir, `${allocator}-${name}.txt`);
      writeFileSync(capture, lines.join('\n') + '\n');
      const got = replay(header, { phase: 'replay', name: 'replay', file: capture, format: 'ftrace' });
      // illegal requests (size 0, too big, bad alignment) return before the tracepoints, so a
      // capture has no line for them: compare the successful decisions, and count the failures
      const placed = (d: string[]): string[] => d.filter((x) => x !== 'fail');
      expect(placed(got)).toEqual(placed(traced));
      expect(placed(got)).toEqual(placed(expected(ops)));
      expect(got.filter((x) => x === 'fail').length).toBe(lines.filter((l) => l.includes('percpu_alloc_percpu_fail:')).length);
    });
  }
});

describe('replay input errors', () => {
  const header = JSON.stringify({
    format: 'percpu-trace/1', name: 'x', kernel: 'v6.12', allocator: 'bitmap',
    machine: { page_size: 4096, nr_cpus: 1, cpu_to_node: [0], node_distance: [[10]] },
    first_chunk: { static_size: 16384, reserved_size: 8192, dyn_size: 20480, atom_size: 4096 }, balance: 'eager', page_limit: null,
  });
  it('keep a double free and a free of an unknown id as bad frees: a counted warning, and the run goes on', () => {
    const f = join(dir, 'bad-free.jsonl');
    writeFileSync(f, `${header}\n{"op":"alloc","id":1,"size":8,"align":8,"gfp":"kernel"}\n{"op":"free","id":1}\n{"op":"free","id":1}\n{"op":"free","id":7}\n{"op":"alloc","id":2,"size":8,"align":8,"gfp":"kernel"}\n`);
    const sink = new RecordingSink();
    runReplay({ phase: 'replay', file: f, format: 'percpu-trace' }, sink, newState());
    expect(sink.ops).toEqual(['alloc#0 8/8', 'free#0', 'bad free', 'bad free', 'alloc#1 8/8']);
  });
  it('name the file and line of a malformed operation', () => {
    const f = join(dir, 'bad-op.jsonl');
    writeFileSync(f, `${header}\n{"op":"alloc","id":1,"size":"big","align":8,"gfp":"kernel"}\n`);
    expect(() => loadReplayOps(f, 'percpu-trace')).toThrow(`${f}:2: alloc.size: expected an integer, got "big"`);
  });
  it('name the file and line of a malformed ftrace record', () => {
    const f = join(dir, 'bad.trace');
    writeFileSync(f, '# tracer: nop\n  sim-1 [000] .....  1.000001: percpu_free_percpu: base_addr=0x1000 off=zz ptr=0x1000\n');
    expect(() => loadReplayOps(f, 'ftrace')).toThrow(new RegExp(`^${f}:2: `));
  });
  it('keep the allocations a recording leaves live for a later free phase', () => {
    const f = join(dir, 'leak.jsonl');
    writeFileSync(f, `${header}\n{"op":"alloc","id":"a","size":8,"align":8,"gfp":"kernel"}\n{"op":"alloc","id":"b","size":16,"align":8,"gfp":"kernel"}\n{"op":"free","id":"a"}\n`);
    const h = JSON.parse(header) as TraceHeader;
    const factory = allocatorFactory('bitmap') as Exclude<ReturnType<typeof allocatorFactory>, string>;
    const platform = new DecisionPlatform();
    const recorded: RecordedOp[] = [];
    runPhases(factory(configOf(h), platform), platform, [
      { phase: 'replay', name: 'replay', file: f, format: 'percpu-trace' },
      { phase: 'free', name: 'free', order: 'inorder' },
    ], { cpu: 0, balance: { mode: 'eager' }, seed: 't', check: true, topology: topologyOf(h), record: (op) => recorded.push(op) });
    expect(recorded.map((o) => (o.op === 'balance' ? 'balance' : `${o.op}#${o.id}`))).toEqual(['alloc#0', 'alloc#1', 'free#0', 'free#1']);
  });
});
