/**
 * Reads the percpu tracepoints out of ftrace text: `trace_pipe` or `cat trace` output
 * (v4.x or v6.x prefix, with or without irq-info flags or a TGID column) and `trace-cmd report`
 * output. Every other line — other events, `# tracer: nop` headers, `cpus=4`, `CPU 0 is empty`,
 * dropped-event notes — is skipped. A percpu record with a missing or malformed field is a
 * `TraceFormatError` naming the file, the line and the field.
 */
import { TraceFormatError } from './percpu-trace.ts';
import type { FieldSpec, FtraceFieldSet, PercpuEventName } from './ftrace-format.ts';
import { ALLOC_FIELDS, FIXED_FIELDS, PERCPU_EVENTS, canonicalPtr, isPercpuEvent } from './ftrace-format.ts';

/** who and when, from the record prefix */
export interface FtraceContext {
  task: string;
  pid: number;
  cpu: number;
  /** the irq-info flags (`.....`, `d..1.`), null when the option was off */
  flags: string | null;
  /** the timestamp in seconds (or clock ticks when the trace clock is a counter) */
  seconds: number;
}

/** pointers are canonical strings (`0x1f2a000`): real captures exceed 2^53, and may be hashed */
export type PercpuFtraceEvent =
  | {
      name: 'percpu_alloc_percpu';
      fieldSet: FtraceFieldSet;
      reserved: boolean;
      atomic: boolean;
      size: number;
      align: number;
      baseAddr: string;
      off: number;
      ptr: string;
      /** v6 only */
      callSite?: string;
      bytesAlloc?: number;
      gfpFlags?: string;
    }
  | { name: 'percpu_free_percpu'; baseAddr: string; off: number; ptr: string }
  | { name: 'percpu_alloc_percpu_fail'; reserved: boolean; atomic: boolean; size: number; align: number }
  | { name: 'percpu_create_chunk'; baseAddr: string }
  | { name: 'percpu_destroy_chunk'; baseAddr: string };

export interface FtraceRecord {
  /** 1-based line in the input */
  line: number;
  ctx: FtraceContext;
  event: PercpuFtraceEvent;
}

/**
 * `<comm>-<pid> [(<tgid>)] [<cpu>] [<flags>] <secs>.<usecs>: <event>: <fields>`. The comm may
 * itself hold dashes and spaces, so it is matched greedily up to the last `-<pid>` that is
 * followed by a CPU column.
 */
const RECORD = /^\s*(.*)-(\d+)\s+(?:\(\s*(?:\d+|-+)\)\s+)?\[(\d+)\]\s+(?:([^\s\d]\S*)\s+)?(\d+(?:\.\d+)?):\s+(\w+):(.*)$/;

/** a line that names a percpu event where a record's event name would stand */
const MENTIONS_PERCPU = new RegExp(`(?:^|\\s)(${PERCPU_EVENTS.join('|')}):`);

/** Parses every percpu record of a text; other lines are skipped. */
export function parseFtrace(file: string, text: string): FtraceRecord[] {
  const out: FtraceRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const rec = parseFtraceLine(file, i + 1, lines[i]!);
    if (rec) out.push(rec);
  }
  return out;
}

/** One line: a percpu record, or null for anything else (headers, other events, blanks). */
export function parseFtraceLine(file: string, line: number, raw: string): FtraceRecord | null {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const m = RECORD.exec(text);
  if (!m) {
    const mention = MENTIONS_PERCPU.exec(text);
    if (mention && !text.trimStart().startsWith('#')) {
      throw new TraceFormatError(file, line, `${mention[1]}: the record prefix (task-pid [cpu] timestamp:) is missing or malformed`);
    }
    return null;
  }
  const name = m[6]!;
  if (!isPercpuEvent(name)) return null;
  const ctx: FtraceContext = {
    task: m[1]!.trim(),
    pid: Number(m[2]),
    cpu: Number(m[3]),
    flags: m[4] ?? null,
    seconds: Number(m[5]),
  };
  return { line, ctx, event: parseEvent(file, line, name, m[7]!) };
}

function parseEvent(file: string, line: number, name: PercpuEventName, info: string): PercpuFtraceEvent {
  const fields = splitFields(file, line, name, info);
  if (name === 'percpu_alloc_percpu') {
    const set: FtraceFieldSet = fields.has('call_site') || fields.has('bytes_alloc') || fields.has('gfp_flags') ? 'v6' : 'v4';
    const f = readFields(file, line, name, ALLOC_FIELDS[set], fields);
    const ev: PercpuFtraceEvent = {
      name,
      fieldSet: set,
      reserved: f.bool('reserved'),
      atomic: f.bool('is_atomic'),
      size: f.num('size'),
      align: f.num('align'),
      baseAddr: f.str('base_addr'),
      off: f.num('off'),
      ptr: f.str('ptr'),
    };
    if (set === 'v6') {
      ev.callSite = f.str('call_site');
      ev.bytesAlloc = f.num('bytes_alloc');
      ev.gfpFlags = f.str('gfp_flags');
    }
    return ev;
  }
  const f = readFields(file, line, name, FIXED_FIELDS[name], fields);
  switch (name) {
    case 'percpu_free_percpu':
      return { name, baseAddr: f.str('base_addr'), off: f.num('off'), ptr: f.str('ptr') };
    case 'percpu_alloc_percpu_fail':
      return { name, reserved: f.bool('reserved'), atomic: f.bool('is_atomic'), size: f.num('size'), align: f.num('align') };
    case 'percpu_create_chunk':
    case 'percpu_destroy_chunk':
      return { name, baseAddr: f.str('base_addr') };
  }
}

/**
 * `key=value` words. A word without `=` continues the previous value: %pS appends
 * ` [module]` to symbols in modules.
 */
function splitFields(file: string, line: number, event: string, info: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last: string | null = null;
  for (const word of info.trim().split(/\s+/)) {
    if (word === '') continue;
    const eq = word.indexOf('=');
    if (eq > 0 && /^\w+$/.test(word.slice(0, eq))) {
      const key = word.slice(0, eq);
      if (fields.has(key)) throw new TraceFormatError(file, line, `${event}: field ${key} appears twice`);
      fields.set(key, word.slice(eq + 1));
      last = key;
    } else if (last !== null) {
      fields.set(last, `${fields.get(last)!} ${word}`);
    } else {
      throw new TraceFormatError(file, line, `${event}: expected name=value fields, got ${JSON.stringify(word)}`);
    }
  }
  return fields;
}

interface FieldReader {
  bool(name: string): boolean;
  num(name: string): number;
  str(name: string): string;
}

const KIND_CHECK: Record<string, { re: RegExp; what: string }> = {
  bool: { re: /^[01]$/, what: '0 or 1' },
  uint: { re: /^\d+$/, what: 'an unsigned integer' },
  int: { re: /^-?\d+$/, what: 'an integer' },
  gfp: { re: /^[\w|]+$/, what: 'GFP flag names joined by |' },
  symbol: { re: /^\S+( \[\S+\])?$/, what: 'a symbol (func+0xoff/0xsize) or an address' },
};

/** Checks every field of `spec` is present and well formed; returns typed accessors. */
function readFields(file: string, line: number, event: string, spec: FieldSpec, fields: Map<string, string>): FieldReader {
  const values = new Map<string, string | number | boolean>();
  const bad = (msg: string): never => {
    throw new TraceFormatError(file, line, `${event}: ${msg}`);
  };
  for (const [name, kind] of spec) {
    const v = fields.get(name);
    if (v === undefined) return bad(`missing field ${name}`);
    if (kind === 'ptr') {
      const p = canonicalPtr(v);
      if (p === null) bad(`field ${name}: expected a hex pointer, got ${JSON.stringify(v)}`);
      values.set(name, p!);
      continue;
    }
    const check = KIND_CHECK[kind]!;
    if (!check.re.test(v)) bad(`field ${name}: expected ${check.what}, got ${JSON.stringify(v)}`);
    if (kind === 'bool') values.set(name, v === '1');
    else if (kind === 'uint' || kind === 'int') {
      const n = Number(v);
      if (!Number.isSafeInteger(n)) bad(`field ${name}: ${v} is out of range`);
      values.set(name, n);
    } else values.set(name, v);
  }
  return {
    bool: (n) => values.get(n) as boolean,
    num: (n) => values.get(n) as number,
    str: (n) => values.get(n) as string,
  };
}
