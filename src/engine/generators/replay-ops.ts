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
export const FLAG_ATOMIC = 1;
export const FLAG_RESERVED = 2;

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
}

/** `.jsonl` / `.jsonl.gz` files are percpu-trace/1; anything else is ftrace text */
export function formatOfFile(file: string): ReplayFormat {
  return /\.jsonl(\.gz)?$/.test(file) ? 'percpu-trace' : 'ftrace';
}

export function loadReplayOps(file: string, format: ReplayFormat): ReplayOps {
  try {
    const text = readTraceText(file);
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
        out.flags[i] = (op.gfp === 'atomic' ? FLAG_ATOMIC : 0) | (op.reserved ? FLAG_RESERVED : 0);
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
