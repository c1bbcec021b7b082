/**
 * Turns parsed percpu tracepoint records into the operation stream of percpu-trace/1, so an
 * ftrace capture replays through the same machinery as a conformance case.
 *
 * - an allocation becomes `alloc` with `id` = its pointer (canonical hex), the later free of
 *   that pointer becomes `free` of the same id;
 * - a failed allocation becomes `alloc` expected to fail (`id` = `fail@<line>`);
 * - chunk creation and destruction are kept aside as information (numbered 1, 2, ... in
 *   creation order, like percpu-trace/1 chunk ids).
 *
 * A capture rarely starts at boot, so frees of objects allocated before it are left out
 * (listed in `unmatchedFrees`), and an allocation at a pointer still live means the free in
 * between was lost (the ring buffer dropped it): a free is inserted (listed in `impliedFrees`).
 * ftrace has no event for the balance work, so the stream holds no `balance` lines.
 */
import type { TraceLine, TraceOp } from './percpu-trace.ts';
import { TraceFormatError } from './percpu-trace.ts';
import type { FtraceFieldSet } from './ftrace-format.ts';
import type { FtraceRecord } from './ftrace-parse.ts';

export interface FtraceOpsOptions {
  /**
   * Attach `expect: {chunk, off}` to each successful allocation, taken from the capture.
   * Chunk numbers assume the capture starts at boot: the reserved flag names the reserved
   * chunk (-1), the first unknown base_addr of a dynamic allocation is the first chunk (0),
   * chunks seen created are 1, 2, ...; any other base_addr is an error.
   */
  expectDecisions?: boolean;
}

export interface FtraceChunkEvent {
  line: number;
  kind: 'create' | 'destroy';
  baseAddr: string;
  /** the chunk's number, null for the destruction of a chunk the capture never saw created */
  chunk: number | null;
}

export interface FtraceOps {
  /** operations with the ftrace line each came from */
  ops: TraceLine<TraceOp>[];
  chunkEvents: FtraceChunkEvent[];
  /** lines of frees of objects the capture never saw allocated (left out) */
  unmatchedFrees: number[];
  /** lines of allocations at a still-live pointer (a free was inserted before each) */
  impliedFrees: number[];
  /** which field set the allocation records use; null when there are none */
  fieldSet: FtraceFieldSet | null;
}

export function ftraceToOps(file: string, records: readonly FtraceRecord[], opts: FtraceOpsOptions = {}): FtraceOps {
  const ops: TraceLine<TraceOp>[] = [];
  const chunkEvents: FtraceChunkEvent[] = [];
  const unmatchedFrees: number[] = [];
  const impliedFrees: number[] = [];
  let fieldSet: FtraceFieldSet | null = null;
  let fieldSetLine = 0;
  const live = new Set<string>();
  const chunkOfBase = new Map<string, number>();
  let nextChunk = 1;
  let firstChunkBase: string | null = null;

  for (const { line, event: ev } of records) {
    switch (ev.name) {
      case 'percpu_alloc_percpu': {
        if (fieldSet === null) {
          fieldSet = ev.fieldSet;
          fieldSetLine = line;
        } else if (ev.fieldSet !== fieldSet) {
          throw new TraceFormatError(
            file,
            line,
            `percpu_alloc_percpu: ${ev.fieldSet === 'v6' ? 'v5+' : 'v4.x'} field set, but line ${fieldSetLine} used the ${fieldSet === 'v6' ? 'v5+' : 'v4.x'} one (mixed captures?)`,
          );
        }
        if (live.has(ev.ptr)) {
          impliedFrees.push(line);
          ops.push({ line, value: { op: 'free', id: ev.ptr } });
        }
        live.add(ev.ptr);
        const op: TraceOp = { op: 'alloc', id: ev.ptr, size: ev.size, align: ev.align, gfp: ev.atomic ? 'atomic' : 'kernel' };
        if (ev.reserved) op.reserved = true;
        // GFP_KERNEL_ACCOUNT or __GFP_ACCOUNT (v5.19+ captures print gfp_flags)
        if (ev.gfpFlags !== undefined && /ACCOUNT/.test(ev.gfpFlags)) op.account = true;
        if (opts.expectDecisions) {
          let chunk: number | undefined;
          if (ev.reserved) chunk = -1;
          else {
            chunk = chunkOfBase.get(ev.baseAddr);
            if (chunk === undefined && (firstChunkBase === null || firstChunkBase === ev.baseAddr)) {
              firstChunkBase = ev.baseAddr;
              chunk = 0;
            }
          }
          if (chunk === undefined) {
            throw new TraceFormatError(
              file,
              line,
              `percpu_alloc_percpu: field base_addr: ${ev.baseAddr} is neither the first chunk (${firstChunkBase}) nor a chunk created in the capture, so it cannot be numbered`,
            );
          }
          op.expect = { chunk, off: ev.off };
        }
        ops.push({ line, value: op });
        break;
      }
      case 'percpu_free_percpu':
        if (!live.delete(ev.ptr)) {
          unmatchedFrees.push(line);
          break;
        }
        ops.push({ line, value: { op: 'free', id: ev.ptr } });
        break;
      case 'percpu_alloc_percpu_fail': {
        const op: TraceOp = { op: 'alloc', id: `fail@${line}`, size: ev.size, align: ev.align, gfp: ev.atomic ? 'atomic' : 'kernel', expect: { fail: true } };
        if (ev.reserved) op.reserved = true;
        ops.push({ line, value: op });
        break;
      }
      case 'percpu_create_chunk': {
        const chunk = nextChunk++;
        chunkOfBase.set(ev.baseAddr, chunk);
        chunkEvents.push({ line, kind: 'create', baseAddr: ev.baseAddr, chunk });
        break;
      }
      case 'percpu_destroy_chunk': {
        const chunk = chunkOfBase.get(ev.baseAddr) ?? null;
        chunkOfBase.delete(ev.baseAddr);
        chunkEvents.push({ line, kind: 'destroy', baseAddr: ev.baseAddr, chunk });
        break;
      }
    }
  }
  return { ops, chunkEvents, unmatchedFrees, impliedFrees, fieldSet };
}
