/**
 * Replays one percpu-trace/1 case against an allocator and stops at the first decision that
 * differs from what the kernel recorded. Every allocator goes through this one runner.
 */
import type { AllocatorConfig, AllocatorName, PercpuAllocator, Topology } from '../kernel/allocator.ts';
import { DEFAULT_KNOBS, KERNEL_OF } from '../kernel/allocator.ts';
import { unitSizeProblem } from '../engine/unit-limit.ts';
import { allocatorFactory } from '../kernel/registry.ts';
import { SimplePlatform } from '../hw/simple-platform.ts';
import type { TraceHeader, TraceLine, TraceOp } from '../trace/percpu-trace.ts';
import { firstDifference } from './first-difference.ts';
import { shown } from '../input/shown.ts';

export interface CaseFailure {
  /** 1-based line in the file where the mismatch or error happened */
  line: number;
  /** one-line reason: `field: expected X, got Y` or an error */
  reason: string;
}

export interface ReplayOptions {
  /** run the allocator's invariant checker after every operation */
  check: boolean;
}

export function topologyOf(header: TraceHeader): Topology {
  const m = header.machine;
  return { pageSize: m.page_size, nrCpus: m.nr_cpus, cpuToNode: m.cpu_to_node, nodeDistance: m.node_distance };
}

export function configOf(header: TraceHeader): AllocatorConfig {
  const fc = header.first_chunk;
  return {
    topology: topologyOf(header),
    firstChunk: { staticSize: fc.static_size, reservedSize: fc.reserved_size, dynSize: fc.dyn_size, atomSize: fc.atom_size },
    knobs: DEFAULT_KNOBS,
  };
}

const show = (v: unknown): string => shown(v, 200);

/** Returns null when every expectation of the case holds. */
export function replayCase(
  header: TraceHeader,
  headerLine: number,
  ops: readonly TraceLine<TraceOp>[],
  opts: ReplayOptions,
): CaseFailure | null {
  const factory = allocatorFactory(header.allocator);
  if (typeof factory === 'string') return { line: headerLine, reason: factory };
  let allocator: PercpuAllocator;
  try {
    const config = configOf(header);
    const tooLarge = unitSizeProblem(KERNEL_OF[header.allocator as AllocatorName], config.topology, config.firstChunk);
    if (tooLarge !== null) return { line: headerLine, reason: `setup failed: ${tooLarge}` };
    allocator = factory(config, new SimplePlatform(header.page_limit));
  } catch (e) {
    return { line: headerLine, reason: `setup failed: ${(e as Error).message}` };
  }
  if (header.expect_layout) {
    const d = firstDifference(header.expect_layout, allocator.layout, 'layout');
    if (d) return { line: headerLine, reason: `${d.path}: expected ${show(d.expected)}, got ${show(d.got)}` };
  }
  const live = new Map<number | string, { chunk: number; off: number } | null>();
  const eager = header.balance === 'eager';
  for (const { line, value: op } of ops) {
    try {
      const failure = applyOp(allocator, op, live, eager);
      if (failure) return { line, reason: failure };
      if (opts.check) allocator.checkInvariants();
    } catch (e) {
      return { line, reason: `${(e as Error).name}: ${(e as Error).message}` };
    }
  }
  return null;
}

/** Runs one operation; returns a one-line mismatch or null. */
function applyOp(
  allocator: PercpuAllocator,
  op: TraceOp,
  live: Map<number | string, { chunk: number; off: number } | null>,
  eager: boolean,
): string | null {
  switch (op.op) {
    case 'alloc': {
      const off = allocator.alloc(op.size, op.align, op.gfp === 'atomic', op.reserved === true);
      const got = off < 0 ? { fail: true } : { chunk: allocator.lastChunkId, off };
      // a failed alloc returned NULL; freeing it later is free_percpu(NULL), a no-op
      live.set(op.id, off >= 0 ? { chunk: allocator.lastChunkId, off } : null);
      if (eager && allocator.balancePending) allocator.runBalance();
      if (!op.expect) return null;
      const d = firstDifference(op.expect, got, 'expect');
      if (d) return `alloc id ${shown(op.id)} ${d.path}: expected ${show(d.expected)}, got ${show(d.got)}` + (off < 0 ? ` (${allocator.lastFailReason})` : '');
      return null;
    }
    case 'free': {
      const a = live.get(op.id);
      if (a === undefined) return `free of unknown id ${shown(op.id)}`;
      live.delete(op.id);
      if (a === null) return null;
      allocator.free(a.chunk, a.off);
      if (eager && allocator.balancePending) allocator.runBalance();
      return null;
    }
    case 'balance':
      allocator.runBalance();
      return null;
    case 'stats': {
      if (!op.expect) return null;
      const d = firstDifference(op.expect, allocator.stats(), 'stats');
      return d ? `${d.path}: expected ${show(d.expected)}, got ${show(d.got)}` : null;
    }
  }
}
