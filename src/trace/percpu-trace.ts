/**
 * percpu-trace/1: the conformance case format (see README, "Conformance cases").
 * Reading is strict: anything that is not the format is a `TraceFormatError` naming the line.
 */
import { readFileSync, statSync } from 'node:fs';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import type { AllocInfo, AllocatorStats } from '../kernel/allocator.ts';
import { shown } from '../input/shown.ts';

export const TRACE_FORMAT = 'percpu-trace/1';

export interface TraceMachine {
  page_size: number;
  nr_cpus: number;
  cpu_to_node: number[];
  node_distance: number[][];
}

export interface TraceFirstChunk {
  static_size: number;
  reserved_size: number;
  dyn_size: number;
  atom_size: number;
}

export interface TraceHeader {
  format: typeof TRACE_FORMAT;
  name: string;
  kernel: string;
  allocator: string;
  machine: TraceMachine;
  first_chunk: TraceFirstChunk;
  balance: 'eager' | 'manual';
  page_limit: number | null;
  expect_layout?: AllocInfo;
}

export type AllocExpect = { chunk: number; off: number } | { fail: true };

export type TraceOp =
  | { op: 'alloc'; id: number | string; size: number; align: number; gfp: 'kernel' | 'atomic'; reserved?: boolean; account?: boolean; expect?: AllocExpect }
  | { op: 'free'; id: number | string }
  | { op: 'balance' }
  | { op: 'stats'; expect?: AllocatorStats };

/** one parsed line and where it came from (1-based) */
export interface TraceLine<T> {
  line: number;
  value: T;
}

export class TraceFormatError extends Error {
  override name = 'TraceFormatError';
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
  }
}

/** The text of a `.jsonl` or `.jsonl.gz` file; errors say what is wrong with the file. */
export function readTraceText(file: string): string {
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new TraceFormatError(file, 0, 'no such file');
  }
  if (st.isDirectory()) throw new TraceFormatError(file, 0, 'is a directory, not a trace file');
  let bytes: Buffer = readFileSync(file);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      // what decompresses before the damage says which line it cut
      const complete = completeLinesOf(bytes);
      const where = complete === null ? '' : complete === 0 ? ' (nothing decompresses)' : ` (the text breaks off after line ${complete})`;
      throw new TraceFormatError(file, complete === null ? 0 : complete + 1, `cannot decompress: ${(e as Error).message}${where}`);
    }
  }
  const text = bytes.toString('utf8');
  if (text.includes('\u0000')) throw new TraceFormatError(file, 0, 'binary data, not JSON lines');
  return text;
}

/** the whole lines a damaged gzip stream yields before it breaks, or null when none can be had */
function completeLinesOf(gz: Buffer): number | null {
  try {
    const partial = gunzipSync(gz, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    let n = 0;
    for (const b of partial) if (b === 0x0a) n++;
    return n;
  } catch {
    return null;
  }
}

/** Non-blank lines with their 1-based numbers, parsed as JSON. */
export function parseJsonLines(file: string, text: string): TraceLine<unknown>[] {
  const out: TraceLine<unknown>[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    try {
      out.push({ line: i + 1, value: JSON.parse(raw) as unknown });
    } catch (e) {
      throw new TraceFormatError(file, i + 1, `not JSON: ${(e as Error).message}`);
    }
  }
  if (out.length === 0) throw new TraceFormatError(file, 0, 'empty file');
  return out;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isSize = (v: unknown): v is number => isInt(v) && v >= 0 && Number.isSafeInteger(v);

const HEADER_KEYS = ['format', 'name', 'kernel', 'allocator', 'machine', 'first_chunk', 'balance', 'page_limit', 'expect_layout'];
const OP_KEYS: Record<string, string[]> = {
  alloc: ['op', 'id', 'size', 'align', 'gfp', 'reserved', 'expect'],
  free: ['op', 'id'],
  balance: ['op'],
  stats: ['op', 'expect'],
};

/** the first key of `obj` not in `known`, as a message, or null */
function unknownKey(obj: Record<string, unknown>, known: readonly string[], where: string): string | null {
  const k = Object.keys(obj).find((key) => !known.includes(key));
  return k === undefined ? null : `${where}${shown(k)}: unknown key (known: ${known.join(', ')})`;
}

/** Checks a header line's shape; returns it typed. */
export function parseHeader(file: string, entry: TraceLine<unknown>): TraceHeader {
  const h = entry.value;
  const bad = (msg: string): never => {
    throw new TraceFormatError(file, entry.line, msg);
  };
  if (!isObj(h)) return bad('header: expected an object');
  const extra = unknownKey(h, HEADER_KEYS, 'header.');
  if (extra) bad(extra);
  if (h.format !== TRACE_FORMAT) bad(`header.format: expected "${TRACE_FORMAT}", got ${shown(h.format)}`);
  for (const k of ['name', 'kernel', 'allocator'] as const) {
    if (typeof h[k] !== 'string') bad(`header.${k}: expected a string, got ${shown(h[k])}`);
  }
  const m = h.machine;
  if (!isObj(m)) return bad('header.machine: expected an object');
  const extraM = unknownKey(m, ['page_size', 'nr_cpus', 'cpu_to_node', 'node_distance'], 'header.machine.');
  if (extraM) bad(extraM);
  for (const k of ['page_size', 'nr_cpus'] as const) {
    if (!isInt(m[k]) || (m[k] as number) <= 0) bad(`header.machine.${k}: expected a positive integer, got ${shown(m[k])}`);
  }
  if (!Array.isArray(m.cpu_to_node) || !m.cpu_to_node.every(isInt)) bad('header.machine.cpu_to_node: expected an array of integers');
  if (!Array.isArray(m.node_distance) || !m.node_distance.every((r) => Array.isArray(r) && r.every(isInt))) {
    bad('header.machine.node_distance: expected an array of integer arrays');
  }
  const fc = h.first_chunk;
  if (!isObj(fc)) return bad('header.first_chunk: expected an object');
  const extraFc = unknownKey(fc, ['static_size', 'reserved_size', 'dyn_size', 'atom_size'], 'header.first_chunk.');
  if (extraFc) bad(extraFc);
  for (const k of ['static_size', 'reserved_size', 'dyn_size', 'atom_size'] as const) {
    if (!isInt(fc[k]) || (fc[k] as number) < 0) bad(`header.first_chunk.${k}: expected a non-negative integer, got ${shown(fc[k])}`);
  }
  if (h.balance !== 'eager' && h.balance !== 'manual') bad(`header.balance: expected "eager" or "manual", got ${shown(h.balance)}`);
  if (h.page_limit !== null && h.page_limit !== undefined && !(isInt(h.page_limit) && h.page_limit >= 0)) {
    bad(`header.page_limit: expected null or a non-negative integer, got ${shown(h.page_limit)}`);
  }
  if (h.page_limit === undefined) h.page_limit = null;
  return h as unknown as TraceHeader;
}

/** Checks an operation line's shape; returns it typed. */
export function parseOp(file: string, entry: TraceLine<unknown>): TraceOp {
  const o = entry.value;
  const bad = (msg: string): never => {
    throw new TraceFormatError(file, entry.line, msg);
  };
  if (!isObj(o)) return bad('expected an operation object');
  const known = typeof o.op === 'string' && Object.hasOwn(OP_KEYS, o.op) ? OP_KEYS[o.op]! : null;
  if (known) {
    const extra = unknownKey(o, known, `${o.op as string}.`);
    if (extra) bad(extra);
    if (o.expect !== undefined && !isObj(o.expect)) bad(`${o.op as string}.expect: expected an object, got ${shown(o.expect)}`);
  }
  switch (o.op) {
    case 'alloc':
      for (const k of ['size', 'align'] as const) {
        if (!isInt(o[k])) bad(`alloc.${k}: expected an integer, got ${shown(o[k])}`);
        // size_t in the kernel: a recorded call cannot pass a negative one
        if (!isSize(o[k])) bad(`alloc.${k}: expected a non-negative integer (size_t), got ${shown(o[k])}`);
      }
      if (o.gfp !== 'kernel' && o.gfp !== 'atomic') bad(`alloc.gfp: expected "kernel" or "atomic", got ${shown(o.gfp)}`);
      if (o.reserved !== undefined && typeof o.reserved !== 'boolean') bad('alloc.reserved: expected a boolean');
      if (!isInt(o.id) && typeof o.id !== 'string') bad('alloc.id: expected an integer or a string');
      return o as TraceOp;
    case 'free':
      if (!isInt(o.id) && typeof o.id !== 'string') bad('free.id: expected an integer or a string');
      return o as TraceOp;
    case 'balance':
    case 'stats':
      return o as TraceOp;
    default:
      return bad(`op: expected "alloc", "free", "balance" or "stats", got ${shown(o.op)}`);
  }
}
