/**
 * The text shape of the kernel's percpu tracepoints (include/trace/events/percpu.h) as the
 * ftrace ring buffer prints them, shared by the writer (report/ftrace.ts) and the parser
 * (trace/ftrace-parse.ts) so the two cannot drift apart.
 *
 * Two field sets exist: v4.13, v4.14 and v5.10 print the same five events; v5.19 onward (v6.12
 * and v6.18 here) adds `call_site`, `bytes_alloc` and `gfp_flags` to the allocation event. The
 * other four events are identical in every version.
 */
import type { KernelVersion } from '../kernel/allocator.ts';

export const PERCPU_EVENTS = [
  'percpu_alloc_percpu',
  'percpu_free_percpu',
  'percpu_alloc_percpu_fail',
  'percpu_create_chunk',
  'percpu_destroy_chunk',
] as const;
export type PercpuEventName = (typeof PERCPU_EVENTS)[number];

export function isPercpuEvent(name: string): name is PercpuEventName {
  return (PERCPU_EVENTS as readonly string[]).includes(name);
}

/** how a TP_printk conversion prints a value, as far as reading it back is concerned */
export type FieldKind =
  /** %pS: `symbol+0xoff/0xsize` (may be followed by ` [module]`), or a bare hex address */
  | 'symbol'
  /** %d of a bool: 0 or 1 */
  | 'bool'
  /** %zu */
  | 'uint'
  /** %d */
  | 'int'
  /** %p */
  | 'ptr'
  /** show_gfp_flags: `GFP_KERNEL`, `GFP_NOWAIT|__GFP_NOWARN`, `none`, ... */
  | 'gfp';

export type FieldSpec = readonly (readonly [name: string, kind: FieldKind])[];

/** the two generations of the percpu tracepoint field sets */
export type FtraceFieldSet = 'v4' | 'v6';

export const fieldSetOf = (kernel: KernelVersion): FtraceFieldSet => (kernel === 'v6.12' || kernel === 'v6.18' ? 'v6' : 'v4');

/** TP_printk field order of percpu_alloc_percpu, per field set */
export const ALLOC_FIELDS: Record<FtraceFieldSet, FieldSpec> = {
  v4: [
    ['reserved', 'bool'],
    ['is_atomic', 'bool'],
    ['size', 'uint'],
    ['align', 'uint'],
    ['base_addr', 'ptr'],
    ['off', 'int'],
    ['ptr', 'ptr'],
  ],
  v6: [
    ['call_site', 'symbol'],
    ['reserved', 'bool'],
    ['is_atomic', 'bool'],
    ['size', 'uint'],
    ['align', 'uint'],
    ['base_addr', 'ptr'],
    ['off', 'int'],
    ['ptr', 'ptr'],
    ['bytes_alloc', 'uint'],
    ['gfp_flags', 'gfp'],
  ],
};

export const FREE_FIELDS: FieldSpec = [
  ['base_addr', 'ptr'],
  ['off', 'int'],
  ['ptr', 'ptr'],
];

export const FAIL_FIELDS: FieldSpec = [
  ['reserved', 'bool'],
  ['is_atomic', 'bool'],
  ['size', 'uint'],
  ['align', 'uint'],
];

export const CHUNK_FIELDS: FieldSpec = [['base_addr', 'ptr']];

/** the field list of every event but the allocation one (which depends on the field set) */
export const FIXED_FIELDS: Record<Exclude<PercpuEventName, 'percpu_alloc_percpu'>, FieldSpec> = {
  percpu_free_percpu: FREE_FIELDS,
  percpu_alloc_percpu_fail: FAIL_FIELDS,
  percpu_create_chunk: CHUNK_FIELDS,
  percpu_destroy_chunk: CHUNK_FIELDS,
};

/**
 * How the record prefix looks. `trace` is the kernel's own output (`trace`, `trace_pipe`,
 * trace_print_context); `trace-cmd` is `trace-cmd report` (libtraceevent), which pads event
 * names to 20 columns and prints plain %p as glibc does (`0x…`, no zero padding).
 */
export type FtraceStyle = 'trace' | 'trace-cmd';

/**
 * Prefix widths per kernel: v4.x prints `%16s-%-5d` and four latency flags; v5.14 onward
 * (v6.12 here) widened the pid to `%-7d` and added a fifth flag (migrate-disable).
 */
export const PID_WIDTH: Record<FtraceFieldSet, number> = { v4: 5, v6: 7 };
export const IRQ_FLAGS: Record<FtraceFieldSet, string> = { v4: '....', v6: '.....' };

/**
 * A pointer as the kernel's `trace` file prints it with the hash-ptr option off (%p becomes
 * %px): sixteen zero-padded lower-case hex digits, no `0x`.
 */
export function formatKernelPtr(value: number): string {
  return value.toString(16).padStart(16, '0');
}

/** A pointer as glibc's %p prints it (trace-cmd report): `0x` and no padding, `(nil)` for 0. */
export function formatGlibcPtr(value: number): string {
  return value === 0 ? '(nil)' : `0x${value.toString(16)}`;
}

/**
 * A printed pointer in canonical form (`0x` + lower-case hex, no leading zeros), so that
 * `000000000012f000`, `0x12f000` and `0x000000000012F000` name the same object; null when the
 * text is not a pointer. Hashed pointers (the kernel default) are canonicalised the same way:
 * a given address always hashes to the same value, which is all an identity needs.
 */
export function canonicalPtr(text: string): string | null {
  if (text === '(nil)' || text === '(null)') return '0x0';
  const m = /^(?:0x)?([0-9a-fA-F]{1,16})$/.exec(text);
  if (!m) return null;
  const digits = m[1]!.toLowerCase().replace(/^0+(?=.)/, '');
  return `0x${digits}`;
}
