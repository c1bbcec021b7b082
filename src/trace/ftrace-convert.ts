/**
 * ftrace text → percpu-trace/1: the header (machine, first chunk, balance policy) comes from
 * the caller, since a capture does not say what machine it ran on.
 */
import type { TraceHeader } from './percpu-trace.ts';
import { parseFtrace } from './ftrace-parse.ts';
import type { FtraceOps, FtraceOpsOptions } from './ftrace-ops.ts';
import { ftraceToOps } from './ftrace-ops.ts';
import { percpuTraceText } from './percpu-trace-write.ts';

export interface FtraceConversion {
  /** the percpu-trace/1 file */
  text: string;
  /** what the conversion found (ops, chunk events, unmatched and implied frees) */
  info: FtraceOps;
}

/** Reads `text` (named `file` in errors) and writes it as percpu-trace/1 under `header`. */
export function ftraceToPercpuTrace(file: string, text: string, header: TraceHeader, opts: FtraceOpsOptions = {}): FtraceConversion {
  const info = ftraceToOps(file, parseFtrace(file, text), opts);
  return { text: percpuTraceText(header, info.ops.map((o) => o.value)), info };
}
