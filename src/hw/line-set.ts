/**
 * A set of cache-line numbers (non-negative integers below 2^53) as a paged bitmap: pages of
 * 2^15 lines are made on first use, so a sparse address space (metadata arenas 2^40 bytes
 * apart) costs only the pages it touches. `next` finds the first member of a range a word at
 * a time.
 */

const PAGE_LINES = 1 << 15;
const PAGE_WORDS = PAGE_LINES >>> 5;

export class LineSet {
  private readonly pages = new Map<number, Uint32Array>();
  private lastKey = -1;
  private lastPage: Uint32Array | undefined = undefined;

  private page(key: number, create: boolean): Uint32Array | undefined {
    if (key === this.lastKey) return this.lastPage;
    let p = this.pages.get(key);
    if (p === undefined) {
      if (!create) return undefined;
      p = new Uint32Array(PAGE_WORDS);
      this.pages.set(key, p);
    }
    this.lastKey = key;
    this.lastPage = p;
    return p;
  }

  add(line: number): void {
    const key = Math.floor(line / PAGE_LINES);
    const i = line - key * PAGE_LINES;
    const p = this.page(key, true)!;
    p[i >>> 5] |= 1 << (i & 31);
  }

  delete(line: number): void {
    const key = Math.floor(line / PAGE_LINES);
    const p = this.page(key, false);
    if (p === undefined) return;
    const i = line - key * PAGE_LINES;
    p[i >>> 5] &= ~(1 << (i & 31));
  }

  has(line: number): boolean {
    const key = Math.floor(line / PAGE_LINES);
    const p = this.page(key, false);
    if (p === undefined) return false;
    const i = line - key * PAGE_LINES;
    return (p[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  /** the smallest member in [lo, hi), or -1 */
  next(lo: number, hi: number): number {
    while (lo < hi) {
      const key = Math.floor(lo / PAGE_LINES);
      const base = key * PAGE_LINES;
      const end = Math.min(hi, base + PAGE_LINES);
      const p = this.page(key, false);
      if (p !== undefined) {
        const iEnd = end - base;
        let w = (lo - base) >>> 5;
        const lastW = (iEnd - 1) >>> 5;
        let word = p[w]! & (-1 << ((lo - base) & 31));
        for (;;) {
          if (word !== 0) {
            const bit = (w << 5) + 31 - Math.clz32(word & -word);
            return bit < iEnd ? base + bit : -1;
          }
          if (w >= lastW) break;
          word = p[++w]!;
        }
      }
      lo = end;
    }
    return -1;
  }
}
