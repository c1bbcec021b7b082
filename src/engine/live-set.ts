/**
 * The loose allocations of a run (those of `alloc` phases, and what churn and replay phases
 * leave live), in allocation order: struct-of-arrays that grow by doubling, so a million live
 * objects cost a few typed arrays and no per-object allocation. `free` phases free from here.
 */
/** room reserved up front at most (an estimate can be far above what stays live) */
const MAX_INITIAL_CAPACITY = 1 << 22;

export class LiveSet {
  chunk: Int32Array;
  off: Int32Array;
  /** the run-wide number of the alloc call that made it (-1 when not known) */
  id: Int32Array;
  /** 1 while the allocation at that index is live */
  live: Uint8Array;
  /** entries pushed so far (live or freed) */
  length = 0;
  /** entries still live */
  count = 0;

  /** @param capacity entries to make room for up front (the run's estimated calls); grows beyond */
  constructor(capacity = 1024) {
    const n = Math.max(16, Math.min(capacity, MAX_INITIAL_CAPACITY));
    this.chunk = new Int32Array(n);
    this.off = new Int32Array(n);
    this.id = new Int32Array(n);
    this.live = new Uint8Array(n);
  }

  push(chunk: number, off: number, id = -1): number {
    if (this.length === this.chunk.length) this.grow();
    const i = this.length++;
    this.chunk[i] = chunk;
    this.off[i] = off;
    this.id[i] = id;
    this.live[i] = 1;
    this.count++;
    return i;
  }

  kill(i: number): void {
    this.live[i] = 0;
    this.count--;
  }

  /** drop freed entries, keeping the order of the live ones */
  compact(): void {
    let w = 0;
    for (let r = 0; r < this.length; r++) {
      if (!this.live[r]) continue;
      this.chunk[w] = this.chunk[r]!;
      this.off[w] = this.off[r]!;
      this.id[w] = this.id[r]!;
      this.live[w] = 1;
      w++;
    }
    this.length = w;
  }

  private grow(): void {
    const n = this.chunk.length * 2;
    const grown = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.chunk = grown(this.chunk, (k) => new Int32Array(k));
    this.off = grown(this.off, (k) => new Int32Array(k));
    this.id = grown(this.id, (k) => new Int32Array(k));
    this.live = grown(this.live, (k) => new Uint8Array(k));
  }
}
