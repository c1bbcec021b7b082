import { describe, expect, it } from 'vitest';
import { FtraceTracer, formatTimestamp, formatTraceFileHeader } from '../../src/report/ftrace.ts';
import type { FtraceTracerOptions } from '../../src/report/ftrace.ts';
import { canonicalPtr, formatGlibcPtr, formatKernelPtr } from '../../src/trace/ftrace-format.ts';

function capture(opts: Omit<FtraceTracerOptions, 'sink'>): { tracer: FtraceTracer; lines: string[] } {
  const lines: string[] = [];
  return { tracer: new FtraceTracer({ ...opts, sink: (l) => lines.push(l) }), lines };
}

const BASE = 0x3ffff7e00000;

describe('FtraceTracer, kernel trace_pipe format', () => {
  it('prints v6.12 allocations with the v5+ field set and a 7-wide pid, 5 flags', () => {
    const { tracer, lines } = capture({ kernel: 'v6.12', nrCpus: 4, clock: () => 12.5, cpu: 2, task: { comm: 'insmod', pid: 731 } });
    tracer.allocPercpu(false, false, 48, 8, 0, BASE, 9216);
    expect(lines).toEqual([
      '          insmod-731     [002] .....    12.500000: percpu_alloc_percpu: call_site=__alloc_percpu_gfp_noprof+0x15/0x20 ' +
        'reserved=0 is_atomic=0 size=48 align=8 base_addr=00003ffff7e00000 off=9216 ptr=00003ffff7e02400 bytes_alloc=192 gfp_flags=GFP_KERNEL',
    ]);
  });

  it('prints v4.14 allocations with the seven v4 fields, a 5-wide pid and 4 flags', () => {
    const { tracer, lines } = capture({ kernel: 'v4.14', nrCpus: 4, clock: () => 106.4201957, task: { comm: 'modprobe', pid: 2290 } });
    tracer.allocPercpu(true, false, 4, 4, -1, BASE, 12);
    expect(lines).toEqual([
      '        modprobe-2290  [000] ....   106.420196: percpu_alloc_percpu: reserved=1 is_atomic=0 size=4 align=4 base_addr=00003ffff7e00000 off=12 ptr=00003ffff7e0000c',
    ]);
  });

  it('v4.13 uses the same format as v4.14', () => {
    const a = capture({ kernel: 'v4.13', nrCpus: 2, clock: () => 1 });
    const b = capture({ kernel: 'v4.14', nrCpus: 2, clock: () => 1 });
    for (const { tracer } of [a, b]) {
      tracer.allocPercpu(false, true, 8, 8, 0, BASE, 0);
      tracer.freePercpu(0, BASE, 0);
    }
    expect(a.lines).toEqual(b.lines);
  });

  it('prints free, failure and chunk events as TP_printk does', () => {
    const { tracer, lines } = capture({ kernel: 'v6.12', nrCpus: 4, clock: () => 3, task: { comm: 'kworker/2:1', pid: 88 } });
    tracer.freePercpu(1, BASE, 4096);
    tracer.allocPercpuFail(false, true, 4096, 4096);
    tracer.createChunk(1, BASE);
    tracer.destroyChunk(1, BASE);
    const tail = lines.map((l) => l.slice(l.indexOf(': ') + 2));
    expect(tail).toEqual([
      'percpu_free_percpu: base_addr=00003ffff7e00000 off=4096 ptr=00003ffff7e01000',
      'percpu_alloc_percpu_fail: reserved=0 is_atomic=1 size=4096 align=4096',
      'percpu_create_chunk: base_addr=00003ffff7e00000',
      'percpu_destroy_chunk: base_addr=00003ffff7e00000',
    ]);
    expect(lines[0]!.startsWith('     kworker/2:1-88      [000] .....     3.000000: ')).toBe(true);
  });

  it('prints atomic requests as GFP_NOWAIT and bytes_alloc as size times possible CPUs', () => {
    const { tracer, lines } = capture({ kernel: 'v6.12', nrCpus: 96, clock: () => 0 });
    tracer.allocPercpu(false, true, 16, 8, 3, BASE, 0);
    expect(lines[0]).toMatch(/ bytes_alloc=1536 gfp_flags=GFP_NOWAIT$/);
  });

  it('adds an obj_cgroup pointer per 4-byte granule to bytes_alloc under kmem accounting, as a real capture shows', () => {
    // scenarios/captures/real-6.1-smp4-memcg.trace.gz: size=4 on 4 possible CPUs prints bytes_alloc=24
    const { tracer, lines } = capture({ kernel: 'v6.12', nrCpus: 4, clock: () => 0, kmemAccounting: true });
    tracer.allocPercpu(false, false, 4, 4, 0, BASE, 0);
    tracer.allocPercpu(false, false, 48, 8, 0, BASE, 64);
    expect(lines[0]).toMatch(/ bytes_alloc=24 gfp_flags=GFP_KERNEL$/);
    expect(lines[1]).toMatch(/ bytes_alloc=288 gfp_flags=GFP_KERNEL$/); // 48 x 4 + 12 x 8
  });

  it('prints an accounted request as show_gfp_flags does: GFP_KERNEL_ACCOUNT, or GFP_NOWAIT|__GFP_ACCOUNT', () => {
    const { tracer, lines } = capture({ kernel: 'v6.12', nrCpus: 4, clock: () => 0, kmemAccounting: true });
    tracer.allocPercpu(false, false, 8, 8, 0, BASE, 0, true);
    tracer.allocPercpu(false, true, 8, 8, 0, BASE, 8, true);
    expect(lines[0]).toMatch(/ gfp_flags=GFP_KERNEL_ACCOUNT$/);
    expect(lines[1]).toMatch(/ gfp_flags=GFP_NOWAIT\|__GFP_ACCOUNT$/);
  });

  it('takes the CPU, the task and the call site from the caller at each event', () => {
    let cpu = 0;
    const { tracer, lines } = capture({
      kernel: 'v6.12',
      nrCpus: 1,
      clock: () => cpu,
      cpu: () => cpu,
      task: () => ({ comm: `t${cpu}`, pid: 10 + cpu }),
      callSite: () => ({ symbol: 'bpf_map_alloc_percpu', offset: 0x4b, size: 0x90 }),
    });
    tracer.createChunk(1, BASE);
    cpu = 13;
    tracer.allocPercpu(false, false, 8, 8, 1, BASE, 0);
    expect(lines[0]).toMatch(/^ {14}t0-10 {6}\[000\]/);
    expect(lines[1]).toMatch(/^ {13}t13-23 {6}\[013\] \.\.\.\.\. {4}13\.000000: percpu_alloc_percpu: call_site=bpf_map_alloc_percpu\+0x4b\/0x90 /);
  });

  it('sends warnings to onWarn, never into the trace', () => {
    const warned: string[] = [];
    const { tracer, lines } = capture({ kernel: 'v6.12', nrCpus: 1, clock: () => 0, onWarn: (t) => warned.push(t) });
    tracer.warn('allocation failed');
    expect(lines).toEqual([]);
    expect(warned).toEqual(['allocation failed']);
  });

  it('cuts a command name to 15 characters as the kernel does', () => {
    const { tracer, lines } = capture({ kernel: 'v6.12', nrCpus: 1, clock: () => 0, task: { comm: 'a-very-long-command-name', pid: 1 } });
    tracer.createChunk(1, BASE);
    expect(lines[0]!.startsWith(' a-very-long-com-1 ')).toBe(true);
  });
});

describe('FtraceTracer, trace-cmd report format', () => {
  it('pads the event name to 20 columns, prints 0x pointers and %pS without the size', () => {
    const { tracer, lines } = capture({ kernel: 'v6.12', nrCpus: 4, clock: () => 2365.218563, cpu: 1, style: 'trace-cmd', task: { comm: 'bash', pid: 1888 } });
    tracer.allocPercpu(false, false, 8, 8, 0, BASE, 64);
    tracer.freePercpu(0, BASE, 64);
    expect(lines).toEqual([
      '            bash-1888  [001] .....  2365.218563: percpu_alloc_percpu:  call_site=__alloc_percpu_gfp_noprof+0x15 ' +
        'reserved=0 is_atomic=0 size=8 align=8 base_addr=0x3ffff7e00000 off=64 ptr=0x3ffff7e00040 bytes_alloc=32 gfp_flags=GFP_KERNEL',
      '            bash-1888  [001] .....  2365.218563: percpu_free_percpu:   base_addr=0x3ffff7e00000 off=64 ptr=0x3ffff7e00040',
    ]);
  });
});

describe('ftrace text helpers', () => {
  it('formats timestamps as %5lu.%06lu, rounded to the microsecond', () => {
    expect(formatTimestamp(0)).toBe('    0.000000');
    expect(formatTimestamp(1.0000004)).toBe('    1.000000');
    expect(formatTimestamp(1.0000006)).toBe('    1.000001');
    expect(formatTimestamp(123456.75)).toBe('123456.750000');
  });

  it('prints pointers the way the kernel (%px) and glibc (%p) do', () => {
    expect(formatKernelPtr(0x1000)).toBe('0000000000001000');
    expect(formatGlibcPtr(0x1000)).toBe('0x1000');
    expect(formatGlibcPtr(0)).toBe('(nil)');
  });

  it('canonicalises every printed form of one pointer to the same id', () => {
    const forms = ['0000000000001000', '0x1000', '0x0000000000001000', '1000', '0X1000'.replace('X', 'x')];
    expect(new Set(forms.map(canonicalPtr))).toEqual(new Set(['0x1000']));
    expect(canonicalPtr('ffffe8ffffc0a000')).toBe('0xffffe8ffffc0a000');
    expect(canonicalPtr('(nil)')).toBe('0x0');
    expect(canonicalPtr('0xfffg')).toBeNull();
    expect(canonicalPtr('12345678901234567')).toBeNull();
  });

  it('writes the cat trace header of each kernel generation', () => {
    const v6 = formatTraceFileHeader('v6.12', 10, 12, 4);
    expect(v6.slice(0, 3)).toEqual(['# tracer: nop', '#', '# entries-in-buffer/entries-written: 10/12   #P:4']);
    expect(v6).toContain('#                              ||| / _-=> migrate-disable');
    expect(v6.at(-2)).toBe('#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION');
    const v4 = formatTraceFileHeader('v4.14', 1, 1, 2);
    expect(v4.at(-2)).toBe('#           TASK-PID   CPU#  ||||    TIMESTAMP  FUNCTION');
    expect(v4.some((l) => l.includes('migrate-disable'))).toBe(false);
  });
});
