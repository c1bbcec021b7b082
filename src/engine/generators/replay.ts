/**
 * Replays a recorded workload (replay-ops.ts) call for call: each alloc with its size,
 * alignment, GFP and reserved flag; each free of what that id got (a free of an id whose
 * alloc failed is free_percpu(NULL): no call; a free of an unknown or already freed id is a
 * counted warning, no call); each `balance` line runs the balance work.
 * Allocations the recording never frees join the run's live set, in allocation order.
 */
import type { OpSink, RunState } from './sink.ts';
import { objcgOf } from './sink.ts';
import type { ReplayFormat } from './replay-ops.ts';
import { FLAG_ACCOUNT, FLAG_ATOMIC, FLAG_RESERVED, OP_ALLOC, OP_BAD_FREE, OP_FREE, loadReplayOps } from './replay-ops.ts';
import { runVerifiedReplay } from './replay-verify.ts';

export interface ReplaySpec {
  phase: 'replay';
  /** resolved path of the recording */
  file: string;
  format: ReplayFormat;
  /** compare each decision with the capture's (replay-verify.ts) */
  verify?: boolean;
  /** the memory cgroup the capture's accounted requests are charged to */
  account?: string;
}

export function runReplay(s: ReplaySpec & { name?: string }, sink: OpSink, state: RunState): void {
  sink.setActiveMemcg(objcgOf(state, s.account));
  if (s.verify) {
    state.verifications.push(runVerifiedReplay(s.name ?? 'replay', s.file, loadReplayOps(s.file, s.format, true), sink, state));
    return;
  }
  const ops = loadReplayOps(s.file, s.format);
  const chunk = new Int32Array(ops.nRefs);
  const off = new Int32Array(ops.nRefs);
  const id = new Int32Array(ops.nRefs);
  /** index of the op that made the live allocation of each ref, -1 when none */
  const madeAt = new Int32Array(ops.nRefs).fill(-1);
  for (let i = 0; i < ops.n; i++) {
    const ref = ops.ref[i]!;
    const kind = ops.kind[i]!;
    if (kind === OP_ALLOC) {
      const flags = ops.flags[i]!;
      const o = sink.alloc(ops.size[i]!, ops.align[i]!, (flags & FLAG_ATOMIC) !== 0, (flags & FLAG_RESERVED) !== 0, (flags & FLAG_ACCOUNT) !== 0);
      if (o < 0) {
        madeAt[ref] = -1;
        continue;
      }
      chunk[ref] = sink.chunk;
      off[ref] = o;
      id[ref] = sink.id;
      madeAt[ref] = i;
    } else if (kind === OP_FREE) {
      if (madeAt[ref]! < 0) continue;
      sink.free(chunk[ref]!, off[ref]!, id[ref]!);
      madeAt[ref] = -1;
    } else if (kind === OP_BAD_FREE) sink.badFree();
    else sink.balance();
  }
  const survivors: number[] = [];
  for (let r = 0; r < ops.nRefs; r++) if (madeAt[r]! >= 0) survivors.push(r);
  survivors.sort((a, b) => madeAt[a]! - madeAt[b]!);
  for (const r of survivors) state.live.push(chunk[r]!, off[r]!, id[r]!);
}
