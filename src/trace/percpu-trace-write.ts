/**
 * Writes percpu-trace/1 (see FORMAT.md): one JSON object per line, keys in the order the
 * format documents them, so files diff cleanly and read back through `parseHeader` / `parseOp`.
 */
import type { TraceHeader, TraceOp } from './percpu-trace.ts';

/** the header line; `page_limit` is always written (null for none), `expect_layout` when present */
export function formatHeaderLine(h: TraceHeader): string {
  const m = h.machine;
  const fc = h.first_chunk;
  const out: Record<string, unknown> = {
    format: h.format,
    name: h.name,
    kernel: h.kernel,
    allocator: h.allocator,
    machine: { page_size: m.page_size, nr_cpus: m.nr_cpus, cpu_to_node: m.cpu_to_node, node_distance: m.node_distance },
    first_chunk: { static_size: fc.static_size, reserved_size: fc.reserved_size, dyn_size: fc.dyn_size, atom_size: fc.atom_size },
    balance: h.balance,
    page_limit: h.page_limit ?? null,
  };
  if (h.expect_layout) out.expect_layout = h.expect_layout;
  return JSON.stringify(out);
}

/** one operation line; `reserved` only when true, `expect` only when present */
export function formatOpLine(op: TraceOp): string {
  switch (op.op) {
    case 'alloc': {
      const out: Record<string, unknown> = { op: 'alloc', id: op.id, size: op.size, align: op.align, gfp: op.gfp };
      if (op.reserved) out.reserved = true;
      if (op.expect) out.expect = 'fail' in op.expect ? { fail: true } : { chunk: op.expect.chunk, off: op.expect.off };
      return JSON.stringify(out);
    }
    case 'free':
      return JSON.stringify({ op: 'free', id: op.id });
    case 'balance':
      return JSON.stringify({ op: 'balance' });
    case 'stats':
      return JSON.stringify(op.expect ? { op: 'stats', expect: op.expect } : { op: 'stats' });
  }
}

/** Writes the header then every operation, one line at a time (no trailing newline per line). */
export function writePercpuTrace(header: TraceHeader, ops: Iterable<TraceOp>, sink: (line: string) => void): void {
  sink(formatHeaderLine(header));
  for (const op of ops) sink(formatOpLine(op));
}

/** The whole file as text, newline-terminated. */
export function percpuTraceText(header: TraceHeader, ops: Iterable<TraceOp>): string {
  const lines: string[] = [];
  writePercpuTrace(header, ops, (l) => lines.push(l));
  return lines.join('\n') + '\n';
}
