/**
 * Random churn: `ops` calls, each an allocation (size and alignment drawn from a weighted
 * distribution) or a free of a live object of this phase.
 *
 * - Each call allocates with probability `allocFraction`, else frees; with nothing live it
 *   allocates.
 * - With `liveTarget`, while fewer than that many objects are live every call allocates: the
 *   phase fills up to the target, then hovers above it.
 * - The freed object is a random live one, the oldest (FIFO) or the newest (LIFO).
 *
 * What is still live at the end joins the run's live set (in allocation order), for a later
 * `free` phase.
 */
import type { OpSink, RunState } from './sink.ts';
import { objcgOf } from './sink.ts';
import type { SizeEntry } from './sizes.ts';
import { SizeDistribution } from './sizes.ts';
import { growFloat64, growInt32 } from './grow.ts';

export type ChurnVictim = 'random' | 'oldest' | 'newest';
export const CHURN_VICTIMS: readonly ChurnVictim[] = ['random', 'oldest', 'newest'];

export interface ChurnSpec {
  phase: 'churn';
  ops: number;
  sizes: SizeEntry[];
  allocFraction: number;
  liveTarget: number;
  victim: ChurnVictim;
  atomic: boolean;
  /** __GFP_ACCOUNT on every call */
  accounted?: boolean;
  /** the memory cgroup the calling task runs in (null: the root) */
  account?: string | null;
}

export function runChurn(s: ChurnSpec, sink: OpSink, state: RunState): void {
  const dist = new SizeDistribution(s.sizes);
  const accounted = s.accounted === true;
  sink.setActiveMemcg(objcgOf(state, s.account));
  const random = (): number => sink.random();
  const cap = Math.min(s.ops, Math.max(s.liveTarget * 2, 1024));
  let chunk = new Int32Array(cap);
  let off = new Int32Array(cap);
  let id = new Int32Array(cap);
  let seq = new Float64Array(cap);
  /** live objects sit in [head, tail) */
  let head = 0;
  let tail = 0;
  for (let n = 0; n < s.ops; n++) {
    const live = tail - head;
    const alloc = live === 0 || live < s.liveTarget || random() < s.allocFraction;
    if (alloc) {
      dist.draw(random);
      const o = sink.alloc(dist.size, dist.align, s.atomic, false, accounted);
      if (o < 0) continue;
      if (tail === chunk.length) {
        if (head > 0) {
          // slide the live window down before growing
          chunk.copyWithin(0, head, tail);
          off.copyWithin(0, head, tail);
          id.copyWithin(0, head, tail);
          seq.copyWithin(0, head, tail);
          tail -= head;
          head = 0;
        }
        if (tail === chunk.length) {
          chunk = growInt32(chunk, tail + 1);
          off = growInt32(off, tail + 1);
          id = growInt32(id, tail + 1);
          seq = growFloat64(seq, tail + 1);
        }
      }
      chunk[tail] = sink.chunk;
      off[tail] = o;
      id[tail] = sink.id;
      seq[tail] = n;
      tail++;
      continue;
    }
    let v: number;
    if (s.victim === 'oldest') v = head++;
    else if (s.victim === 'newest') v = --tail;
    else {
      v = head + Math.floor(random() * live);
      const last = --tail;
      sink.free(chunk[v]!, off[v]!, id[v]!);
      chunk[v] = chunk[last]!;
      off[v] = off[last]!;
      id[v] = id[last]!;
      seq[v] = seq[last]!;
      continue;
    }
    sink.free(chunk[v]!, off[v]!, id[v]!);
  }
  // survivors, in allocation order
  const order = new Int32Array(tail - head);
  for (let i = 0; i < order.length; i++) order[i] = head + i;
  if (s.victim === 'random') order.sort((a, b) => seq[a]! - seq[b]!);
  for (let i = 0; i < order.length; i++) state.live.push(chunk[order[i]!]!, off[order[i]!]!, id[order[i]!]!);
}
