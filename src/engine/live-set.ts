/**
 * The allocations a run holds, in allocation order: struct-of-arrays that grow by doubling,
 * so a million live objects cost two Int32Arrays and no per-object allocation.
 */
export class LiveSet {
  chunk = new Int32Array(1024);
  off = new Int32Array(1024);
  /** 1 while the allocation at that index is live */
  live = new Uint8Array(1024);
  /** entries pushed so far (live or freed) */
  length = 0;
  /** entries still live */
  count = 0;

  push(chunk: number, off: number): number {
    if (this.length === this.chunk.length) this.grow();
    const i = this.length++;
    this.chunk[i] = chunk;
    this.off[i] = off;
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
      this.live[w] = 1;
      w++;
    }
    this.length = w;
  }

  private grow(): void {
    const n = this.chunk.length * 2;
    const chunk = new Int32Array(n);
    chunk.set(this.chunk);
    const off = new Int32Array(n);
    off.set(this.off);
    const live = new Uint8Array(n);
    live.set(this.live);
    this.chunk = chunk;
    this.off = off;
    this.live = live;
  }
}
