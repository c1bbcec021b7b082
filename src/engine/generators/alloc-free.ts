/**
 * The seed's phases: `alloc` makes `count` identical calls and keeps what they return in the
 * run's live set; `free` frees the live set in one of the free orders (all of it, or the first
 * `count` of that order).
 */
import type { OpSink, RunState } from './sink.ts';
import { objcgOf } from './sink.ts';
import type { FreeOrder } from '../free-order.ts';
import { fixedOrderAt, freeOrder } from '../free-order.ts';

export interface AllocSpec {
  phase: 'alloc';
  count: number;
  size: number;
  align: number;
  atomic: boolean;
  reserved: boolean;
  /** GFP_KERNEL_ACCOUNT (or GFP_NOWAIT | __GFP_ACCOUNT when atomic) */
  accounted?: boolean;
  /** the memory cgroup the calling task runs in (null: the root) */
  account?: string | null;
}

export interface FreeSpec {
  phase: 'free';
  order: FreeOrder;
  /** free only the first `count` allocations of the order (all when absent) */
  count?: number;
}

export function runAlloc(s: AllocSpec, sink: OpSink, state: RunState): void {
  const { count, size, align, atomic, reserved } = s;
  const accounted = s.accounted === true;
  sink.setActiveMemcg(objcgOf(state, s.account));
  const live = state.live;
  for (let i = 0; i < count; i++) {
    const off = sink.alloc(size, align, atomic, reserved, accounted);
    if (off >= 0) live.push(sink.chunk, off, sink.id);
  }
}

export function runFree(s: FreeSpec, sink: OpSink, state: RunState): void {
  const live = state.live;
  if (live.count !== live.length) live.compact();
  const len = live.length;
  const n = Math.min(len, s.count ?? len);
  const order = s.order;
  if (order === 'random') {
    const perm = freeOrder(len, order, state.runRandom);
    for (let k = 0; k < n; k++) freeEntry(live, sink, perm[k]!);
  } else {
    for (let k = 0; k < n; k++) freeEntry(live, sink, fixedOrderAt(k, len, order));
  }
}

function freeEntry(live: RunState['live'], sink: OpSink, i: number): void {
  sink.free(live.chunk[i]!, live.off[i]!, live.id[i]!);
  live.kill(i);
}
