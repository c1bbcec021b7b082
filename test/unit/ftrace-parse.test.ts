import { describe, expect, it } from 'vitest';
import { parseFtrace, parseFtraceLine } from '../../src/trace/ftrace-parse.ts';
import { TraceFormatError } from '../../src/trace/percpu-trace.ts';

/** `cat trace` from a v6.12 box, default options (hashed pointers), other events interleaved */
const V612_TRACE = `# tracer: nop
#
# entries-in-buffer/entries-written: 9/9   #P:4
#
#                                _-----=> irqs-off/BH-disabled
#                               / _----=> need-resched
#                              | / _---=> hardirq/softirq
#                              || / _--=> preempt-depth
#                              ||| / _-=> migrate-disable
#                              |||| /     delay
#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
#              | |         |   |||||     |         |
          insmod-1500    [002] .....   513.000001: percpu_alloc_percpu: call_site=load_module+0x1f7c/0x2a40 reserved=1 is_atomic=0 size=64 align=64 base_addr=00000000b1c2d3e4 off=320 ptr=000000004e2d9a11 bytes_alloc=256 gfp_flags=GFP_KERNEL
            bash-1412    [001] .....   514.200300: percpu_alloc_percpu: call_site=bpf_map_alloc_percpu+0x4b/0x90 reserved=0 is_atomic=0 size=8 align=8 base_addr=000000009a8b7c6d off=9216 ptr=000000001a2b3c4d bytes_alloc=32 gfp_flags=GFP_KERNEL_ACCOUNT|__GFP_NOWARN
            bash-1412    [001] d..2.   514.200310: sched_switch: prev_comm=bash prev_pid=1412 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120
     kworker/1:2-97      [001] .....   514.250000: percpu_create_chunk: base_addr=00000000f00dcafe
   conntrackd-x-3021    [003] .....   515.000000: percpu_alloc_percpu: call_site=nf_ct_ext_add+0x12/0x40 [nf_conntrack] reserved=0 is_atomic=1 size=16 align=8 base_addr=00000000f00dcafe off=0 ptr=00000000abad1dea bytes_alloc=64 gfp_flags=GFP_NOWAIT
          <idle>-0       [000] ..s1.   516.000000: percpu_free_percpu: base_addr=000000009a8b7c6d off=9216 ptr=000000001a2b3c4d
            bash-1412    [001] .....   517.000000: percpu_alloc_percpu_fail: reserved=0 is_atomic=1 size=4096 align=4096
     kworker/1:2-97      [001] .....   518.000000: percpu_destroy_chunk: base_addr=00000000f00dcafe
`;

/** trace_pipe from a v4.14 box (pointers unhashed before v4.15), one line with a TGID column */
const V414_PIPE = `        modprobe-2290  [000] ....   106.420196: percpu_alloc_percpu: reserved=1 is_atomic=0 size=4 align=4 base_addr=ffffe8ffffc00000 off=147456 ptr=000060ff80024000
        modprobe-2290  [000] ....   106.420250: percpu_alloc_percpu: reserved=0 is_atomic=0 size=24 align=8 base_addr=ffffe8ffffc00000 off=163840 ptr=000060ff80028000
            bash-1033  (  1033) [003] d...   107.000001: percpu_free_percpu: base_addr=ffffe8ffffc00000 off=163840 ptr=000060ff80028000
`;

/** trace-cmd report of a v6.12 capture */
const TRACE_CMD = `cpus=4
CPU 2 is empty
          insmod-1500  [000] .....   513.000001: percpu_alloc_percpu:  call_site=load_module+0x1f7c reserved=1 is_atomic=0 size=64 align=64 base_addr=0xffffa3a63fc2c000 off=320 ptr=0x5c63c0002140 bytes_alloc=256 gfp_flags=GFP_KERNEL
CPU:1 [12 EVENTS DROPPED]
            bash-1412  [001] .....   516.000000: percpu_free_percpu:   base_addr=0xffffa3a63fc2c000 off=320 ptr=0x5c63c0002140
            bash-1412  [001] .....   517.000000: percpu_alloc_percpu_fail: reserved=0 is_atomic=1 size=4096 align=4096
     kworker/1:2-97    [001] .....   518.000000: percpu_create_chunk:  base_addr=0xffffb3a63fc00000
`;

describe('parseFtrace reads real-looking captures', () => {
  it('reads a v6.12 cat trace file, skipping headers and other events', () => {
    const recs = parseFtrace('v612.trace', V612_TRACE);
    expect(recs.map((r) => [r.line, r.event.name])).toEqual([
      [13, 'percpu_alloc_percpu'],
      [14, 'percpu_alloc_percpu'],
      [16, 'percpu_create_chunk'],
      [17, 'percpu_alloc_percpu'],
      [18, 'percpu_free_percpu'],
      [19, 'percpu_alloc_percpu_fail'],
      [20, 'percpu_destroy_chunk'],
    ]);
    expect(recs[0]!.event).toEqual({
      name: 'percpu_alloc_percpu',
      fieldSet: 'v6',
      reserved: true,
      atomic: false,
      size: 64,
      align: 64,
      baseAddr: '0xb1c2d3e4',
      off: 320,
      ptr: '0x4e2d9a11',
      callSite: 'load_module+0x1f7c/0x2a40',
      bytesAlloc: 256,
      gfpFlags: 'GFP_KERNEL',
    });
    expect(recs[0]!.ctx).toEqual({ task: 'insmod', pid: 1500, cpu: 2, flags: '.....', seconds: 513.000001 });
  });

  it('keeps a module suffix with the call site and a dash inside a command name', () => {
    const rec = parseFtrace('v612.trace', V612_TRACE).find((r) => r.line === 17)!;
    expect(rec.ctx.task).toBe('conntrackd-x');
    expect(rec.ctx.pid).toBe(3021);
    expect(rec.event).toMatchObject({ callSite: 'nf_ct_ext_add+0x12/0x40 [nf_conntrack]', atomic: true, gfpFlags: 'GFP_NOWAIT' });
  });

  it('reads v4.14 trace_pipe lines with the seven-field allocation and an optional TGID column', () => {
    const recs = parseFtrace('v414.pipe', V414_PIPE);
    expect(recs).toHaveLength(3);
    expect(recs[1]!.event).toEqual({
      name: 'percpu_alloc_percpu',
      fieldSet: 'v4',
      reserved: false,
      atomic: false,
      size: 24,
      align: 8,
      baseAddr: '0xffffe8ffffc00000',
      off: 163840,
      ptr: '0x60ff80028000',
    });
    expect(recs[2]!.ctx).toMatchObject({ task: 'bash', pid: 1033, cpu: 3, flags: 'd...' });
    expect(recs[2]!.event).toMatchObject({ name: 'percpu_free_percpu', ptr: '0x60ff80028000' });
  });

  it('reads trace-cmd report output, padding and all', () => {
    const recs = parseFtrace('report.txt', TRACE_CMD);
    expect(recs.map((r) => r.line)).toEqual([3, 5, 6, 7]);
    expect(recs[0]!.event).toMatchObject({ callSite: 'load_module+0x1f7c', baseAddr: '0xffffa3a63fc2c000', ptr: '0x5c63c0002140' });
    expect(recs[1]!.event).toEqual({ name: 'percpu_free_percpu', baseAddr: '0xffffa3a63fc2c000', off: 320, ptr: '0x5c63c0002140' });
    expect(recs[3]!.event).toEqual({ name: 'percpu_create_chunk', baseAddr: '0xffffb3a63fc00000' });
  });

  it('reads lines without the irq-info flags and with CRLF endings', () => {
    const rec = parseFtraceLine('f', 1, '            bash-1  [000]  5.000000: percpu_create_chunk: base_addr=0000000000001000\r');
    expect(rec?.ctx.flags).toBeNull();
    expect(rec?.event).toEqual({ name: 'percpu_create_chunk', baseAddr: '0x1000' });
  });

  it('ignores text that is not a percpu record', () => {
    for (const l of ['', '# tracer: nop', 'cpus=8', 'version = 7', '  bash-1 [000] ..... 1.0: kmalloc: call_site=x ptr=y', '[ 12.3] percpu: allocation failed']) {
      expect(parseFtraceLine('f', 1, l)).toBeNull();
    }
  });
});

function errorOf(text: string): TraceFormatError {
  try {
    parseFtrace('cap.txt', text);
  } catch (e) {
    if (e instanceof TraceFormatError) return e;
    throw e;
  }
  throw new Error('no error');
}

const OK_V6 = '  a-1  [000] ..... 1.000000: percpu_alloc_percpu: call_site=f+0x1/0x2 reserved=0 is_atomic=0 size=8 align=8 base_addr=0000000000001000 off=0 ptr=0000000000001000 bytes_alloc=8 gfp_flags=GFP_KERNEL';

describe('parseFtrace errors name the file, the line and the field', () => {
  it('accepts the well-formed line the error cases start from', () => {
    expect(parseFtrace('cap.txt', OK_V6)).toHaveLength(1);
  });

  it('names a missing field', () => {
    const e = errorOf(`# header\n${OK_V6.replace(' gfp_flags=GFP_KERNEL', '')}`);
    expect(e.message).toBe('cap.txt:2: percpu_alloc_percpu: missing field gfp_flags');
    expect(e.line).toBe(2);
  });

  it('names a missing v4 field', () => {
    expect(errorOf('  a-1  [000] .... 1.000000: percpu_free_percpu: base_addr=1000 ptr=1000').message).toBe('cap.txt:1: percpu_free_percpu: missing field off');
  });

  it('names a malformed number, boolean or pointer with the value it got', () => {
    expect(errorOf(OK_V6.replace('size=8', 'size=eight')).message).toBe('cap.txt:1: percpu_alloc_percpu: field size: expected an unsigned integer, got "eight"');
    expect(errorOf(OK_V6.replace('reserved=0', 'reserved=2')).message).toBe('cap.txt:1: percpu_alloc_percpu: field reserved: expected 0 or 1, got "2"');
    expect(errorOf(OK_V6.replace('off=0', 'off=-x')).message).toBe('cap.txt:1: percpu_alloc_percpu: field off: expected an integer, got "-x"');
    expect(errorOf(OK_V6.replace('base_addr=0000000000001000', 'base_addr=(____ptrval____)')).message).toBe(
      'cap.txt:1: percpu_alloc_percpu: field base_addr: expected a hex pointer, got "(____ptrval____)"',
    );
  });

  it('names a field given twice, and text that is not name=value', () => {
    expect(errorOf(`${OK_V6} size=16`).message).toBe('cap.txt:1: percpu_alloc_percpu: field size appears twice');
    expect(errorOf('  a-1  [000] ..... 1.000000: percpu_create_chunk: oops base_addr=1000').message).toBe(
      'cap.txt:1: percpu_create_chunk: expected name=value fields, got "oops"',
    );
  });

  it('rejects a percpu record whose prefix is broken', () => {
    expect(errorOf('\n\n  a-1  [zero] ..... 1.000000: percpu_create_chunk: base_addr=1000').message).toBe(
      'cap.txt:3: percpu_create_chunk: the record prefix (task-pid [cpu] timestamp:) is missing or malformed',
    );
  });
});
