/**
 * The event log of a run in the text format of the kernel's percpu tracepoints, line for line
 * as `trace_pipe` / `cat trace` print them (or, with `style: 'trace-cmd'`, as `trace-cmd
 * report` does), so the tools people already point at a real machine read it unchanged and
 * `trace/ftrace-parse.ts` reads it back.
 *
 * Addresses are the simulator's synthetic ones: `base_addr` is the chunk's base as the
 * platform handed it out and `ptr` is `base_addr + off`. They are printed unhashed (as with
 * the `hash-ptr` trace option off). Time comes from the caller's modeled clock; nothing here
 * reads a wall clock or does I/O.
 */
import type { KernelVersion, PercpuTracer } from '../kernel/allocator.ts';
import { pcpuObjFullSize } from '../kernel/memcg.ts';
import type { FieldSpec, FtraceFieldSet, FtraceStyle, PercpuEventName } from '../trace/ftrace-format.ts';
import {
  ALLOC_FIELDS,
  CHUNK_FIELDS,
  FAIL_FIELDS,
  FREE_FIELDS,
  IRQ_FLAGS,
  PID_WIDTH,
  fieldSetOf,
  formatGlibcPtr,
  formatKernelPtr,
} from '../trace/ftrace-format.ts';

/** the caller of the allocator as %pS would name it: `symbol+0xoffset/0xsize` */
export interface CallSite {
  symbol: string;
  offset: number;
  size: number;
}

export interface FtraceTask {
  /** command name, at most 15 characters (TASK_COMM_LEN - 1); longer names are cut */
  comm: string;
  pid: number;
}

export interface FtraceTracerOptions {
  /** which kernel's field set and prefix widths to print */
  kernel: KernelVersion;
  /** possible CPUs: `bytes_alloc` is size × this, plus the accounting below (v6.12) */
  nrCpus: number;
  /**
   * kmem accounting on (not cgroup.memory=nokmem): `bytes_alloc` also counts the obj_cgroup
   * pointer each 4-byte granule carries, as pcpu_obj_full_size does (default off)
   */
  kmemAccounting?: boolean;
  /** receives one line at a time, without the trailing newline */
  sink: (line: string) => void;
  /** modeled time of the event, in seconds (printed to the microsecond) */
  clock: () => number;
  /** the CPU the event happened on (default 0) */
  cpu?: number | (() => number);
  /** the task the event is charged to (default `percpu-sim`, pid 1000) */
  task?: FtraceTask | (() => FtraceTask);
  /** `trace` (default): the kernel's own output; `trace-cmd`: `trace-cmd report` */
  style?: FtraceStyle;
  /** `call_site` of an allocation (v6.12 only); defaults to the exported entry point */
  callSite?: (reserved: boolean) => CallSite;
  /** `gfp_flags` of an allocation (v6.12 only), as show_gfp_flags prints it */
  gfpFlags?: (atomic: boolean, accounted: boolean) => string;
  /** kernel warnings go to the kernel log, not to the trace; this receives them if given */
  onWarn?: (text: string) => void;
}

export const DEFAULT_TASK: FtraceTask = { comm: 'percpu-sim', pid: 1000 };


/**
 * The entry points a module or subsystem calls; the real call site is the caller's caller
 * and unknowable here, so this is a stand-in with plausible numbers.
 */
export function defaultCallSite(reserved: boolean): CallSite {
  return reserved
    ? { symbol: '__alloc_reserved_percpu_noprof', offset: 0x15, size: 0x20 }
    : { symbol: '__alloc_percpu_gfp_noprof', offset: 0x15, size: 0x20 };
}

/**
 * an atomic request is GFP_NOWAIT (see FORMAT.md), an accounted one adds __GFP_ACCOUNT, which
 * show_gfp_flags prints as GFP_KERNEL_ACCOUNT (a name of its own) or as a trailing flag
 */
export function defaultGfpFlags(atomic: boolean, accounted = false): string {
  if (atomic) return accounted ? 'GFP_NOWAIT|__GFP_ACCOUNT' : 'GFP_NOWAIT';
  return accounted ? 'GFP_KERNEL_ACCOUNT' : 'GFP_KERNEL';
}

/** `secs.usecs` as trace_print_time prints it: `%5lu.%06lu` */
export function formatTimestamp(seconds: number): string {
  const us = Math.round(seconds * 1e6);
  const secs = Math.floor(us / 1e6);
  return `${String(secs).padStart(5)}.${String(us - secs * 1e6).padStart(6, '0')}`;
}

/** the context every record starts with, up to and including the event name and `: ` */
export function formatPrefix(
  set: FtraceFieldSet,
  style: FtraceStyle,
  task: FtraceTask,
  cpu: number,
  seconds: number,
  event: PercpuEventName,
): string {
  const comm = task.comm.slice(0, 15).padStart(16);
  const pidWidth = style === 'trace-cmd' ? 5 : PID_WIDTH[set];
  const flags = style === 'trace-cmd' ? '.....' : IRQ_FLAGS[set];
  const head = `${comm}-${String(task.pid).padEnd(pidWidth)} [${String(cpu).padStart(3, '0')}] ${flags} ${formatTimestamp(seconds)}: ${event}: `;
  return style === 'trace-cmd' ? head + ' '.repeat(Math.max(0, 20 - event.length)) : head;
}

/** `name=value` pairs in TP_printk order; every field of the spec must have a value */
export function formatFields(spec: FieldSpec, values: Readonly<Record<string, string | number>>): string {
  return spec
    .map(([name]) => {
      const v = values[name];
      if (v === undefined) throw new Error(`ftrace: no value for field ${name}`);
      return `${name}=${v}`;
    })
    .join(' ');
}

/** `cat trace` opens with this (nop tracer, irq-info on, record-tgid off) */
export function formatTraceFileHeader(kernel: KernelVersion, entries: number, written: number, onlineCpus: number): string[] {
  const head = ['# tracer: nop', '#', `# entries-in-buffer/entries-written: ${entries}/${written}   #P:${onlineCpus}`, '#'];
  if (fieldSetOf(kernel) === 'v4') {
    return head.concat([
      '#                              _-----=> irqs-off',
      '#                             / _----=> need-resched',
      '#                            | / _---=> hardirq/softirq',
      '#                            || / _--=> preempt-depth',
      '#                            ||| /     delay',
      '#           TASK-PID   CPU#  ||||    TIMESTAMP  FUNCTION',
      '#              | |       |   ||||       |         |',
    ]);
  }
  return head.concat([
    '#                                _-----=> irqs-off/BH-disabled',
    '#                               / _----=> need-resched',
    '#                              | / _---=> hardirq/softirq',
    '#                              || / _--=> preempt-depth',
    '#                              ||| / _-=> migrate-disable',
    '#                              |||| /     delay',
    '#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION',
    '#              | |         |   |||||     |         |',
  ]);
}

/** A PercpuTracer that prints every tracepoint hit as one ftrace text line. */
export class FtraceTracer implements PercpuTracer {
  /** lines written so far */
  lines = 0;
  private readonly set: FtraceFieldSet;
  private readonly style: FtraceStyle;
  private readonly ptr: (v: number) => string;

  constructor(private readonly opts: FtraceTracerOptions) {
    this.set = fieldSetOf(opts.kernel);
    this.style = opts.style ?? 'trace';
    this.ptr = this.style === 'trace-cmd' ? formatGlibcPtr : formatKernelPtr;
  }

  allocPercpu(reserved: boolean, atomic: boolean, size: number, align: number, _chunkId: number, baseAddr: number, off: number, accounted = false): void {
    const values: Record<string, string | number> = {
      reserved: reserved ? 1 : 0,
      is_atomic: atomic ? 1 : 0,
      size,
      align,
      base_addr: this.ptr(baseAddr),
      off,
      ptr: this.ptr(baseAddr + off),
    };
    if (this.set === 'v6') {
      const cs = (this.opts.callSite ?? defaultCallSite)(reserved);
      values.call_site =
        this.style === 'trace-cmd'
          ? `${cs.symbol}+0x${cs.offset.toString(16)}`
          : `${cs.symbol}+0x${cs.offset.toString(16)}/0x${cs.size.toString(16)}`;
      values.bytes_alloc = this.opts.kmemAccounting ? pcpuObjFullSize(size, this.opts.nrCpus) : size * this.opts.nrCpus;
      values.gfp_flags = (this.opts.gfpFlags ?? defaultGfpFlags)(atomic, accounted);
    }
    this.emit('percpu_alloc_percpu', ALLOC_FIELDS[this.set], values);
  }

  freePercpu(_chunkId: number, baseAddr: number, off: number): void {
    this.emit('percpu_free_percpu', FREE_FIELDS, { base_addr: this.ptr(baseAddr), off, ptr: this.ptr(baseAddr + off) });
  }

  allocPercpuFail(reserved: boolean, atomic: boolean, size: number, align: number): void {
    this.emit('percpu_alloc_percpu_fail', FAIL_FIELDS, { reserved: reserved ? 1 : 0, is_atomic: atomic ? 1 : 0, size, align });
  }

  createChunk(_chunkId: number, baseAddr: number): void {
    this.emit('percpu_create_chunk', CHUNK_FIELDS, { base_addr: this.ptr(baseAddr) });
  }

  destroyChunk(_chunkId: number, baseAddr: number): void {
    this.emit('percpu_destroy_chunk', CHUNK_FIELDS, { base_addr: this.ptr(baseAddr) });
  }

  warn(text: string): void {
    this.opts.onWarn?.(text);
  }

  private emit(event: PercpuEventName, spec: FieldSpec, values: Record<string, string | number>): void {
    const o = this.opts;
    const cpu = typeof o.cpu === 'function' ? o.cpu() : (o.cpu ?? 0);
    const task = typeof o.task === 'function' ? o.task() : (o.task ?? DEFAULT_TASK);
    o.sink(formatPrefix(this.set, this.style, task, cpu, o.clock(), event) + formatFields(spec, values));
    this.lines++;
  }
}
