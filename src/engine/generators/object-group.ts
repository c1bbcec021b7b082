/**
 * A named group of kernel objects that each hold a few per-CPU allocations made together and
 * freed together: memory cgroups (their stats and reference counts) and modules (their static
 * per-CPU section). Records (chunk, offset, call id) sit in flat typed arrays; an object is a
 * run of records. Live objects are listed in creation order.
 */
import type { OpSink } from './sink.ts';
import { growInt32, pickRandom } from './grow.ts';

export type VictimPick = 'oldest' | 'newest' | 'random';
export const VICTIM_PICKS: readonly VictimPick[] = ['oldest', 'newest', 'random'];

/** the run's group under `key` (`kind:group`), made empty the first time it is named */
export function groupOf(groups: Map<string, ObjectGroup>, key: string): ObjectGroup {
  let group = groups.get(key);
  if (!group) groups.set(key, (group = new ObjectGroup()));
  return group;
}

export class ObjectGroup {
  private chunk = new Int32Array(64);
  private off = new Int32Array(64);
  private id = new Int32Array(64);
  private records = 0;
  /** start and length of each live object's records, in creation order */
  private start = new Int32Array(16);
  private len = new Int32Array(16);
  /** live objects */
  count = 0;
  /** objects ever created */
  created = 0;
  /** records of the object being created */
  private openStart = -1;

  /** start an object; its allocations follow with `add` */
  open(): void {
    this.openStart = this.records;
  }

  add(chunk: number, off: number, id: number): void {
    const n = this.records + 1;
    if (n > this.chunk.length) {
      this.chunk = growInt32(this.chunk, n);
      this.off = growInt32(this.off, n);
      this.id = growInt32(this.id, n);
    }
    this.chunk[this.records] = chunk;
    this.off[this.records] = off;
    this.id[this.records] = id;
    this.records = n;
  }

  /** the object's allocations are all made: it is live */
  commit(): void {
    const i = this.count++;
    this.start = growInt32(this.start, this.count);
    this.len = growInt32(this.len, this.count);
    this.start[i] = this.openStart;
    this.len[i] = this.records - this.openStart;
    this.created++;
    this.openStart = -1;
  }

  /** an allocation failed: free what the object got, newest first, and forget it */
  abandon(sink: OpSink): void {
    for (let r = this.records - 1; r >= this.openStart; r--) sink.free(this.chunk[r]!, this.off[r]!, this.id[r]!);
    this.records = this.openStart;
    this.openStart = -1;
  }

  /**
   * Destroys `k` live objects (all when k >= count) chosen by `pick`, freeing each one's
   * allocations newest first (teardown undoes setup), then compacts the survivors.
   */
  destroy(k: number, pick: VictimPick, sink: OpSink): void {
    k = Math.min(k, this.count);
    const n = this.count;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = pick === 'newest' ? n - 1 - i : i;
    if (pick === 'random') pickRandom(order, n, k, () => sink.random());
    const dead = new Uint8Array(n);
    for (let v = 0; v < k; v++) {
      const o = order[v]!;
      dead[o] = 1;
      const s = this.start[o]!;
      for (let r = s + this.len[o]! - 1; r >= s; r--) sink.free(this.chunk[r]!, this.off[r]!, this.id[r]!);
    }
    // compact objects and their records, keeping creation order
    let w = 0;
    let wr = 0;
    for (let o = 0; o < n; o++) {
      if (dead[o]) continue;
      const s = this.start[o]!;
      const l = this.len[o]!;
      this.chunk.copyWithin(wr, s, s + l);
      this.off.copyWithin(wr, s, s + l);
      this.id.copyWithin(wr, s, s + l);
      this.start[w] = wr;
      this.len[w] = l;
      wr += l;
      w++;
    }
    this.count = w;
    this.records = wr;
  }
}
