/**
 * A recorded workload as compact operation arrays: a percpu-trace/1 file (its header's machine
 * is not used: the scenario's machine runs the calls) or ftrace text of the percpu tracepoints
 * (`trace_pipe`, `cat trace` or `trace-cmd report` output, through trace/ftrace-parse.ts and
 * trace/ftrace-ops.ts). Ids become dense numbers (`ref`), so replaying allocates nothing.
 *
 * Bad input is an InputError naming the file and line. A free of an id that is not allocated
 * at that point (unknown, or freed twice) is kept as a bad free: replaying it counts a kernel
 * warning and the run goes on. ftrace-ops already leaves out frees of objects allocated before
 * a capture started.
 */
import { InputError } from '../../input/input-error.ts';
import type { TraceLine, TraceOp } from '../../trace/percpu-trace.ts';
import { TraceFormatError, parseHeader, parseJsonLines, parseOp, readTraceText } from '../../trace/percpu-trace.ts';
import { parseFtrace } from '../../trace/ftrace-parse.ts';
import { ftraceToOps } from '../../trace/ftrace-ops.ts';

export type ReplayFormat = 'percpu-trace' | 'ftrace';
export const REPLAY_FORMATS: readonly ReplayFormat[] = ['percpu-trace', 'ftrace'];

export const OP_ALLOC = 0;
export const OP_FREE = 1;
export const OP_BALANCE = 2;
/** a free of an id not allocated at that point */
export const OP_BAD_FREE = 3;
/** verified replays: the capture creates a chunk (`ref` is its number in the capture) */
export const OP_CREATE_CHUNK = 4;
/** verified replays: the capture destroys a chunk (`ref` is its number in the capture) */
export const OP_DESTROY_CHUNK = 5;
export const FLAG_ATOMIC = 1;
export const FLAG_RESERVED = 2;
/** the request carried __GFP_ACCOUNT */
export const FLAG_ACCOUNT = 4;

export interface ReplayOps {
  n: number;
  kind: Uint8Array;
  size: Int32Array;
  align: Int32Array;
  flags: Uint8Array;
  /** dense number of the op's id (alloc, free) */
  ref: Int32Array;
  /** distinct ids */
  nRefs: number;
  /** what a verified replay compares with (only when loaded for one) */
  recorded?: RecordedDecisions;
}

/** The capture's own decisions, per op: where each allocation went, and where each op came from. */
export interface RecordedDecisions {
  /** the ftrace line of each op */
  line: Int32Array;
  /** allocations: the chunk the kernel chose (-1 reserved, 0 first, 1.. created in the capture, in order) */
  chunk: Int32Array;
  /** allocations: the byte offset the kernel chose */
  off: Int32Array;
  /** allocations: the call site, when the capture records it */
  callSite: (string | undefined)[];
  /** frees the capture holds of objects allocated before it started (left out) */
  unmatchedFrees: number;
}

/** `.jsonl` / `.jsonl.gz` files are percpu-trace/1; anything else is ftrace text */
export function formatOfFile(file: string): ReplayFormat {
  return /\.jsonl(\.gz)?$/.test(file) ? 'percpu-trace' : 'ftrace';
}

/**
 * With `verify`, the recording must be ftrace text: each allocation keeps the chunk and offset
 * the kernel chose, and chunk creation and destruction become ops of their own.
 */
export function loadReplayOps(file: string, format: ReplayFormat, verify = false): ReplayOps {
  try {
    const text = readTraceText(file);
    if (verify) {
      if (format !== 'ftrace') throw new InputError(`${file}: a verified replay needs an ftrace capture (its base_addr, off and chunk events), not ${format}`);
      return recordedOps(file, text);
    }
    const ops = format === 'percpu-trace' ? percpuTraceOps(file, text) : ftraceToOps(file, parseFtrace(file, text)).ops;
    return compact(file, ops);
  } catch (e) {
    if (e instanceof TraceFormatError) throw new InputError(e.line > 0 ? e.message : `${file}: ${e.message.slice(file.length + 1).replace(/^0: /, '')}`);
    throw e;
  }
}

function percpuTraceOps(file: string, text: string): TraceLine<TraceOp>[] {
  const lines = parseJsonLines(file, text);
  parseHeader(file, lines[0]!);
  return lines.slice(1).map((l) => ({ line: l.line, value: parseOp(file, l) }));
}

/** ftrace ops with the kernel's decisions, chunk events merged in by line */
function recordedOps(file: string, text: string): ReplayOps {
  const records = parseFtrace(file, text);
  const conv = ftraceToOps(file, records, { expectDecisions: true });
  const callSiteOf = new Map<number, string>();
  for (const r of records) if (r.event.name === 'percpu_alloc_percpu' && r.event.callSite !== undefined) callSiteOf.set(r.line, r.event.callSite);
  type Item = { line: number; op: TraceOp } | { line: number; chunkEvent: 'create' | 'destroy'; chunk: number };
  const items: Item[] = [];
  let e = 0;
  const events = conv.chunkEvents;
  const pushEventsBefore = (line: number): void => {
    for (; e < events.length && events[e]!.line < line; e++) {
      const ev = events[e]!;
      if (ev.chunk === null) throw new TraceFormatError(file, ev.line, `percpu_destroy_chunk: field base_addr: ${ev.baseAddr} names no chunk created in the capture, so a verified replay cannot follow it`);
      items.push({ line: ev.line, chunkEvent: ev.kind, chunk: ev.chunk });
    }
  };
  for (const o of conv.ops) {
    pushEventsBefore(o.line);
    items.push({ line: o.line, op: o.value });
  }
  pushEventsBefore(Infinity);
  const ops: TraceLine<TraceOp>[] = items.map((it) => ({ line: it.line, value: 'op' in it ? it.op : { op: 'balance' } }));
  const out = compact(file, ops);
  const n = out.n;
  const rec: RecordedDecisions = { line: new Int32Array(n), chunk: new Int32Array(n).fill(-2), off: new Int32Array(n).fill(-1), callSite: new Array(n), unmatchedFrees: conv.unmatchedFrees.length };
  items.forEach((it, i) => {
    rec.line[i] = it.line;
    if ('chunkEvent' in it) {
      out.kind[i] = it.chunkEvent === 'create' ? OP_CREATE_CHUNK : OP_DESTROY_CHUNK;
      out.ref[i] = it.chunk;
      return;
    }
    if (it.op.op === 'alloc' && it.op.expect && 'chunk' in it.op.expect) {
      rec.chunk[i] = it.op.expect.chunk;
      rec.off[i] = it.op.expect.off;
      rec.callSite[i] = callSiteOf.get(it.line);
    }
  });
  out.recorded = rec;
  return out;
}

function compact(file: string, ops: readonly TraceLine<TraceOp>[]): ReplayOps {
  const n = ops.filter((o) => o.value.op !== 'stats').length;
  const out: ReplayOps = {
    n,
    kind: new Uint8Array(n),
    size: new Int32Array(n),
    align: new Int32Array(n),
    flags: new Uint8Array(n),
    ref: new Int32Array(n),
    nRefs: 0,
  };
  const refOf = new Map<string | number, number>();
  const allocated = new Set<number>();
  let i = 0;
  for (const { value: op } of ops) {
    switch (op.op) {
      case 'stats':
        continue;
      case 'balance':
        out.kind[i] = OP_BALANCE;
        break;
      case 'alloc': {
        let ref = refOf.get(op.id);
        if (ref === undefined) refOf.set(op.id, (ref = refOf.size));
        out.kind[i] = OP_ALLOC;
        out.size[i] = op.size;
        out.align[i] = op.align;
        out.flags[i] = (op.gfp === 'atomic' ? FLAG_ATOMIC : 0) | (op.reserved ? FLAG_RESERVED : 0) | (op.account ? FLAG_ACCOUNT : 0);
        out.ref[i] = ref;
        allocated.add(ref);
        break;
      }
      case 'free': {
        const ref = refOf.get(op.id);
        if (ref === undefined || !allocated.delete(ref)) {
          out.kind[i] = OP_BAD_FREE;
          break;
        }
        out.kind[i] = OP_FREE;
        out.ref[i] = ref;
        break;
      }
    }
    i++;
  }
  out.nRefs = refOf.size;
  return out;
}
