import { describe, expect, it } from 'vitest';
import { parseFtrace } from '../../src/trace/ftrace-parse.ts';
import { ftraceToOps } from '../../src/trace/ftrace-ops.ts';
import { TraceFormatError } from '../../src/trace/percpu-trace.ts';

const P = (secs: number, ev: string, fields: string): string => `            bash-1412    [001] ..... ${secs.toFixed(6).padStart(12)}: ${ev}: ${fields}`;
const alloc = (reserved: 0 | 1, atomic: 0 | 1, size: number, base: string, off: number, ptr: string): string =>
  P(1, 'percpu_alloc_percpu', `call_site=f+0x1/0x2 reserved=${reserved} is_atomic=${atomic} size=${size} align=8 base_addr=${base} off=${off} ptr=${ptr} bytes_alloc=${size * 4} gfp_flags=GFP_KERNEL`);
const free = (base: string, off: number, ptr: string): string => P(2, 'percpu_free_percpu', `base_addr=${base} off=${off} ptr=${ptr}`);
const create = (base: string): string => P(3, 'percpu_create_chunk', `base_addr=${base}`);
const destroy = (base: string): string => P(3, 'percpu_destroy_chunk', `base_addr=${base}`);
const fail = (atomic: 0 | 1, size: number): string => P(4, 'percpu_alloc_percpu_fail', `reserved=0 is_atomic=${atomic} size=${size} align=4096`);

const ops = (lines: string[], expectDecisions = false) => ftraceToOps('cap', parseFtrace('cap', lines.join('\n')), { expectDecisions });

describe('ftraceToOps', () => {
  it('turns allocations, frees and failures into percpu-trace operations keyed by pointer', () => {
    const r = ops([
      '# tracer: nop',
      alloc(1, 0, 64, 'a000', 320, 'a140'),
      alloc(0, 1, 8, 'b000', 16, '00000000000b0010'),
      free('b000', 16, '0xb0010'),
      fail(1, 4096),
    ]);
    expect(r.ops).toEqual([
      { line: 2, value: { op: 'alloc', id: '0xa140', size: 64, align: 8, gfp: 'kernel', reserved: true } },
      { line: 3, value: { op: 'alloc', id: '0xb0010', size: 8, align: 8, gfp: 'atomic' } },
      { line: 4, value: { op: 'free', id: '0xb0010' } },
      { line: 5, value: { op: 'alloc', id: 'fail@5', size: 4096, align: 4096, gfp: 'atomic', expect: { fail: true } } },
    ]);
    expect(r.fieldSet).toBe('v6');
    expect(r.unmatchedFrees).toEqual([]);
    expect(r.impliedFrees).toEqual([]);
  });

  it('marks requests whose gfp_flags carry __GFP_ACCOUNT as accounted', () => {
    const withGfp = (line: string, gfp: string): string => line.replace('gfp_flags=GFP_KERNEL', `gfp_flags=${gfp}`);
    const r = ops([
      withGfp(alloc(0, 0, 8, 'a000', 0, 'a000'), 'GFP_KERNEL_ACCOUNT'),
      withGfp(alloc(0, 1, 8, 'a000', 8, 'a008'), 'GFP_NOWAIT|__GFP_ACCOUNT'),
      alloc(0, 0, 8, 'a000', 16, 'a010'),
    ]);
    expect(r.ops.map((o) => (o.value.op === 'alloc' ? (o.value.account ?? false) : null))).toEqual([true, true, false]);
  });

  it('lets a pointer be reused after its free, and numbers chunks in creation order', () => {
    const r = ops([create('c000'), alloc(0, 0, 8, 'c000', 0, 'c000'), free('c000', 0, 'c000'), alloc(0, 0, 8, 'c000', 0, 'c000'), destroy('c000'), create('d000'), destroy('e000')]);
    expect(r.ops.map((o) => o.value.op)).toEqual(['alloc', 'free', 'alloc']);
    expect(r.chunkEvents).toEqual([
      { line: 1, kind: 'create', baseAddr: '0xc000', chunk: 1 },
      { line: 5, kind: 'destroy', baseAddr: '0xc000', chunk: 1 },
      { line: 6, kind: 'create', baseAddr: '0xd000', chunk: 2 },
      { line: 7, kind: 'destroy', baseAddr: '0xe000', chunk: null },
    ]);
  });

  it('leaves out frees of objects allocated before the capture started', () => {
    const r = ops([free('a000', 8, 'a008'), alloc(0, 0, 8, 'a000', 16, 'a010')]);
    expect(r.ops.map((o) => o.value)).toEqual([{ op: 'alloc', id: '0xa010', size: 8, align: 8, gfp: 'kernel' }]);
    expect(r.unmatchedFrees).toEqual([1]);
  });

  it('inserts the lost free when a live pointer is allocated again', () => {
    const r = ops([alloc(0, 0, 8, 'a000', 16, 'a010'), alloc(0, 0, 8, 'a000', 16, 'a010')]);
    expect(r.ops.map((o) => [o.line, o.value.op])).toEqual([
      [1, 'alloc'],
      [2, 'free'],
      [2, 'alloc'],
    ]);
    expect(r.impliedFrees).toEqual([2]);
  });

  it('attaches chunk and offset expectations when asked', () => {
    const r = ops([alloc(1, 0, 8, 'a000', 8, 'a008'), alloc(0, 0, 8, 'b000', 64, 'b040'), create('c000'), alloc(0, 0, 8, 'c000', 0, 'c000')], true);
    expect(r.ops.map((o) => (o.value.op === 'alloc' ? o.value.expect : null))).toEqual([
      { chunk: -1, off: 8 },
      { chunk: 0, off: 64 },
      { chunk: 1, off: 0 },
    ]);
  });

  it('refuses to number a chunk it never saw created', () => {
    expect(() => ops([alloc(0, 0, 8, 'b000', 64, 'b040'), alloc(0, 0, 8, 'f000', 0, 'f000')], true)).toThrow(
      /^cap:2: percpu_alloc_percpu: field base_addr: 0xf000 is neither the first chunk \(0xb000\) nor a chunk created in the capture/,
    );
    expect(() => ops([alloc(0, 0, 8, 'b000', 64, 'b040'), alloc(0, 0, 8, 'f000', 0, 'f000')], false)).not.toThrow();
  });

  it('refuses a capture that mixes the v4 and v5+ field sets', () => {
    const v4 = '  a-1  [000] .... 1.000000: percpu_alloc_percpu: reserved=0 is_atomic=0 size=8 align=8 base_addr=1000 off=0 ptr=1000';
    let err: unknown;
    try {
      ops([alloc(0, 0, 8, 'b000', 64, 'b040'), v4]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TraceFormatError);
    expect((err as TraceFormatError).message).toBe('cap:2: percpu_alloc_percpu: v4.x field set, but line 1 used the v5+ one (mixed captures?)');
  });
});
