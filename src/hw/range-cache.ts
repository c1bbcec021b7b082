/**
 * The cache model as the platform runs it: set-associative LRU levels with the behaviour of
 * cache.ts (the reference, one line at a time), which also take a long ascending run of
 * lines at once. The area map reads and memmoves whole maps (hundreds of kilobytes) on every
 * operation; line by line, the cache model cost far more than the allocator.
 *
 * Every set holds its lines in two parts:
 *  - the base: `ways` explicit slots per set (tag = line div sets + 1, stamp = LRU clock),
 *    exactly like the reference;
 *  - the overlay: lines that runs brought in, described *relative to the set* and shared by
 *    every set whose recent history is the same. An overlay class is a list of up to `ways`
 *    row numbers q, most recently used first, meaning lines q * sets + s of set s. A run of
 *    lines gives each set between the run's edges the same rows in the same order, so a
 *    whole stretch of sets is simulated once.
 * Every overlay line is newer than every base line of its set, so the set holds its overlay
 * and the newest `ways - overlay size` base lines; older base slots are evicted lazily.
 * Only the recency order within a set decides anything (every access is newer than all
 * earlier ones), so the overlay keeps the order and no stamps; when overlay lines go to the
 * base they get stamps just below the clock, in their order, which keeps every comparison
 * the real stamps would have made.
 *
 * A run needs the base only for lines that might be in it: `inBase` (a bitmap over line
 * numbers) finds those, and a set whose base holds one of the run's lines is absorbed into an
 * overlay class of its own and simulated alone. A single line goes to the base: its set's
 * overlay is first written out into the base slots.
 *
 * LRU here is exact: stamps are doubles and never wrap (cache.ts likewise). Which way holds a
 * line is not modelled: with distinct stamps it never changes an outcome.
 */
import type { CacheGeometry } from './cache.ts';
import { setCount } from './cache.ts';
import { LineSet } from './line-set.ts';
import { addRepeated } from './repeated-sum.ts';

/** runs up to this many lines go line by line (the bulk machinery costs more for them) */
const SMALL_RUN = 32;

/** Hit stripes and miss runs: ascending line intervals, each tagged with a cache level. */
export class Stripes {
  start = new Float64Array(64);
  len = new Float64Array(64);
  level = new Int32Array(64);
  n = 0;

  push(start: number, len: number, level: number): void {
    if (this.n === this.start.length) this.grow();
    const i = this.n++;
    this.start[i] = start;
    this.len[i] = len;
    this.level[i] = level;
  }

  /** push, merged into the previous interval when it continues it at the same level */
  append(start: number, len: number, level: number): void {
    const i = this.n - 1;
    if (i >= 0 && this.level[i] === level && this.start[i]! + this.len[i]! === start) this.len[i] = this.len[i]! + len;
    else this.push(start, len, level);
  }

  /**
   * Sorts intervals from..n-1 by start. They come from one level in set order within each row
   * (row = start div sets), so a stable counting sort by row sorts them.
   */
  sortFrom(from: number, sets: number): void {
    const m = this.n - from;
    if (m < 2) return;
    const start = this.start;
    let sorted = true;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = from; i < this.n; i++) {
      if (i > from && start[i - 1]! > start[i]!) sorted = false;
      const row = Math.floor(start[i]! / sets);
      if (row < lo) lo = row;
      if (row > hi) hi = row;
    }
    if (sorted) return;
    if (this.tmpStart.length < m) {
      this.tmpStart = new Float64Array(2 * m);
      this.tmpLen = new Float64Array(2 * m);
      this.tmpLevel = new Int32Array(2 * m);
    }
    const ts = this.tmpStart;
    const tl = this.tmpLen;
    const tv = this.tmpLevel;
    for (let i = 0; i < m; i++) {
      ts[i] = start[from + i]!;
      tl[i] = this.len[from + i]!;
      tv[i] = this.level[from + i]!;
    }
    const rows = hi - lo + 1;
    if (rows > 4 * m + 64) {
      // rows too far apart for counting: insertion sort (rare, and short)
      for (let i = 1; i < m; i++) {
        const a = ts[i]!;
        const b = tl[i]!;
        const c = tv[i]!;
        let j = i - 1;
        for (; j >= 0 && ts[j]! > a; j--) {
          ts[j + 1] = ts[j]!;
          tl[j + 1] = tl[j]!;
          tv[j + 1] = tv[j]!;
        }
        ts[j + 1] = a;
        tl[j + 1] = b;
        tv[j + 1] = c;
      }
      for (let i = 0; i < m; i++) {
        start[from + i] = ts[i]!;
        this.len[from + i] = tl[i]!;
        this.level[from + i] = tv[i]!;
      }
      return;
    }
    if (this.counts.length < rows + 1) this.counts = new Int32Array(2 * rows + 1);
    const counts = this.counts;
    counts.fill(0, 0, rows + 1);
    for (let i = 0; i < m; i++) counts[Math.floor(ts[i]! / sets) - lo + 1]++;
    for (let r = 1; r <= rows; r++) counts[r] = counts[r]! + counts[r - 1]!;
    for (let i = 0; i < m; i++) {
      const at = from + counts[Math.floor(ts[i]! / sets) - lo]!++;
      start[at] = ts[i]!;
      this.len[at] = tl[i]!;
      this.level[at] = tv[i]!;
    }
  }

  private counts = new Int32Array(64);
  private tmpStart = new Float64Array(64);
  private tmpLen = new Float64Array(64);
  private tmpLevel = new Int32Array(64);

  private grow(): void {
    const n = this.start.length * 2;
    const s = new Float64Array(n);
    s.set(this.start);
    const l = new Float64Array(n);
    l.set(this.len);
    const v = new Int32Array(n);
    v.set(this.level);
    this.start = s;
    this.len = l;
    this.level = v;
  }
}

export class RangeCacheLevel {
  readonly sets: number;
  readonly ways: number;
  hits = 0;
  misses = 0;
  /** the stamp of the latest access */
  private clock = 0;

  // ---- base: explicit slots
  private readonly btag: Int32Array;
  private readonly bstamp: Float64Array;
  /** every line held in a base slot (resident or lazily evicted) */
  private readonly inBase = new LineSet();

  // ---- overlay classes; class 0 is the empty overlay
  private readonly cls: Int32Array;
  private cq: Int32Array;
  private cn: Int32Array;
  private cref: Int32Array;
  private freeIds: Int32Array;
  private nFree = 0;
  private nIds = 1;
  /** the class the current run made last (reused when the next stretch ends the same) */
  private lastMade = -1;

  // ---- scratch
  private readonly sq: Int32Array;
  private readonly hitRows: Int32Array;
  private dirty = new Int32Array(16);
  /** per run of the current batch: first and last row, the set of its first and last line, stamp base */
  private rRowP = new Float64Array(8);
  private rRowL = new Float64Array(8);
  private rP0 = new Float64Array(8);
  private rP1 = new Float64Array(8);
  /** per run: the rows it brings to the sets of the current stretch (none when last < first) */
  private aJf = new Float64Array(8);
  private aJl = new Float64Array(8);
  private cuts = new Float64Array(18);
  /** rows a set of the current stretch receives: its first and its last `ways` (listArrivals) */
  private readonly firstRows: Int32Array;
  private readonly lastRows: Int32Array;

  constructor(g: CacheGeometry) {
    this.ways = g.ways;
    this.sets = setCount(g);
    const W = this.ways;
    this.btag = new Int32Array(this.sets * W);
    this.bstamp = new Float64Array(this.sets * W);
    this.cls = new Int32Array(this.sets);
    const cap = 16;
    this.cq = new Int32Array(cap * W);
    this.cn = new Int32Array(cap);
    this.cref = new Int32Array(cap);
    this.freeIds = new Int32Array(cap);
    this.sq = new Int32Array(W + 1);
    this.hitRows = new Int32Array(W);
    this.firstRows = new Int32Array(W);
    this.lastRows = new Int32Array(W);
  }

  // ------------------------------------------------------------ one line

  /** Looks `line` up and fills it on a miss (LRU victim); returns whether it hit. */
  access(line: number): boolean {
    const S = this.sets;
    const q = Math.floor(line / S);
    const s = line - q * S;
    if (this.cls[s] !== 0) this.materialize(s);
    const W = this.ways;
    const base = s * W;
    const end = base + W;
    const tag = (q + 1) | 0;
    const btag = this.btag;
    const bst = this.bstamp;
    for (let w = base; w < end; w++) {
      if (btag[w] === tag) {
        bst[w] = ++this.clock;
        this.hits++;
        return true;
      }
    }
    this.misses++;
    let victim = base;
    let oldest = bst[base]!;
    for (let w = base + 1; w < end && oldest !== 0; w++) {
      if (bst[w]! < oldest) {
        oldest = bst[w]!;
        victim = w;
      }
    }
    if (oldest !== 0) this.inBase.delete((btag[victim]! - 1) * S + s);
    btag[victim] = tag;
    bst[victim] = ++this.clock;
    this.inBase.add(line);
    return false;
  }

  /** whether `line` is held, without touching LRU state or counters */
  contains(line: number): boolean {
    const S = this.sets;
    const q = Math.floor(line / S);
    const s = line - q * S;
    const c = this.cls[s]!;
    const W = this.ways;
    for (let t = 0; t < this.cn[c]!; t++) if (this.cq[c * W + t] === q) return true;
    const w = this.slotOf(s, (q + 1) | 0);
    return w >= 0 && this.baseRank(s, w) < W - this.cn[c]!;
  }

  /** drops `line` if present (another CPU wrote it) */
  invalidate(line: number): void {
    const S = this.sets;
    const q = Math.floor(line / S);
    const s = line - q * S;
    if (this.cls[s] !== 0) this.materialize(s);
    const w = this.slotOf(s, (q + 1) | 0);
    if (w >= 0) {
      this.btag[w] = 0;
      this.bstamp[w] = 0;
      this.inBase.delete(line);
    }
  }

  // ------------------------------------------------------------ batches of runs

  /**
   * The lines of `runs` (ascending, disjoint intervals; `level` ignored) arrive in order. Each
   * one that hits is reported in `hits` as stripes of level `level`; the ones that miss are
   * filled and reported in `misses` (ascending, merged), for the next level.
   *
   * Set space is cut at every run's edges (modulo the set count): between two cuts, every set
   * receives the same rows from each run, at stamps that differ by the set index only.
   */
  accessBatch(runs: Stripes, level: number, hits: Stripes, misses: Stripes): void {
    const nRuns = runs.n;
    let total = 0;
    for (let r = 0; r < nRuns; r++) total += runs.len[r]!;
    if (total <= SMALL_RUN) {
      for (let r = 0; r < nRuns; r++) {
        const p = runs.start[r]!;
        for (let line = p, end = p + runs.len[r]!; line < end; line++) {
          if (this.access(line)) hits.append(line, 1, level);
          else misses.append(line, 1, 0);
        }
      }
      return;
    }
    const S = this.sets;
    this.lastMade = -1;
    this.prepareRuns(nRuns);
    const cuts = this.cuts;
    let nCuts = 0;
    cuts[nCuts++] = 0;
    cuts[nCuts++] = S;
    for (let r = 0; r < nRuns; r++) {
      const p = runs.start[r]!;
      const last = p + runs.len[r]! - 1;
      const rowP = Math.floor(p / S);
      const rowL = Math.floor(last / S);
      const P0 = p - rowP * S;
      const P1 = last - rowL * S;
      this.rRowP[r] = rowP;
      this.rRowL[r] = rowL;
      this.rP0[r] = P0;
      this.rP1[r] = P1;
      cuts[nCuts++] = P0;
      cuts[nCuts++] = P1 + 1;
    }
    const sorted = cuts.subarray(0, nCuts).sort();
    const firstHit = hits.n;
    for (let i = 0; i + 1 < nCuts; i++) {
      const x = sorted[i]!;
      const y = sorted[i + 1]!;
      if (x >= y || y > S) continue;
      // the rows each run brings to the sets [x, y)
      let k = 0;
      for (let r = 0; r < nRuns; r++) {
        const jf = x >= this.rP0[r]! ? this.rRowP[r]! : this.rRowP[r]! + 1;
        const jl = x <= this.rP1[r]! ? this.rRowL[r]! : this.rRowL[r]! - 1;
        this.aJf[r] = jf;
        this.aJl[r] = jl;
        if (jl >= jf) k += jl - jf + 1;
      }
      if (k === 0) continue;
      this.listArrivals(nRuns, k);
      const cls = this.cls;
      let u = x;
      while (u < y) {
        const c = cls[u]!;
        let v = u + 1;
        while (v < y && cls[v] === c) v++;
        this.segment(u, v, c, k, hits, level);
        u = v;
      }
    }
    this.clock += total;
    // hits in line order, and the misses between them
    hits.sortFrom(firstHit, S);
    let r = 0;
    let at = runs.start[0]!;
    let runEnd = at + runs.len[0]!;
    for (let x = firstHit; x < hits.n; x++) {
      const st = hits.start[x]!;
      // misses up to this stripe, run by run
      while (st >= runEnd) {
        if (at < runEnd) misses.append(at, runEnd - at, 0);
        r++;
        at = runs.start[r]!;
        runEnd = at + runs.len[r]!;
      }
      if (st > at) misses.append(at, st - at, 0);
      at = st + hits.len[x]!;
    }
    for (;;) {
      if (at < runEnd) misses.append(at, runEnd - at, 0);
      if (++r >= nRuns) break;
      at = runs.start[r]!;
      runEnd = at + runs.len[r]!;
    }
  }

  /**
   * The rows a set of the current stretch receives, from the runs' ranges aJf..aJl: the first
   * min(k, ways) into `firstRows`, and when there are more, the last `ways` (newest first)
   * into `lastRows`. Only those can matter: after `ways` distinct lines a set holds exactly
   * those, so the arrivals in between all miss.
   */
  private listArrivals(nRuns: number, k: number): void {
    const W = this.ways;
    let m = 0;
    for (let r = 0; r < nRuns && m < W; r++) {
      const jf = this.aJf[r]!;
      const jl = this.aJl[r]!;
      for (let j = jf; j <= jl && m < W; j++) this.firstRows[m++] = j;
    }
    if (k <= W) return;
    m = 0;
    for (let r = nRuns - 1; r >= 0 && m < W; r--) {
      const jf = this.aJf[r]!;
      const jl = this.aJl[r]!;
      for (let j = jl; j >= jf && m < W; j--) this.lastRows[m++] = j;
    }
  }

  /** sets [s1, s2) share overlay class c and receive k lines each: find the sets whose base holds one */
  private segment(s1: number, s2: number, c: number, k: number, hits: Stripes, level: number): void {
    const S = this.sets;
    const W = this.ways;
    const lim = k < W ? k : W;
    let nd = 0;
    for (let idx = 0; idx < lim; idx++) {
      const j = this.firstRows[idx]!;
      if (this.classHas(c, j)) continue;
      const rowBase = S * j;
      const hi = rowBase + s2;
      for (let line = this.inBase.next(rowBase + s1, hi); line >= 0; line = this.inBase.next(line + 1, hi)) {
        const s = line - rowBase;
        const w = this.slotOf(s, j + 1);
        if (this.baseRank(s, w) < W - this.cn[c]!) {
          if (nd === this.dirty.length) {
            const grown = new Int32Array(nd * 2);
            grown.set(this.dirty);
            this.dirty = grown;
          }
          this.dirty[nd++] = s;
        } else {
          // evicted long ago (only the slot remained): drop it for real
          this.btag[w] = 0;
          this.bstamp[w] = 0;
          this.inBase.delete(line);
        }
      }
    }
    if (nd === 0) {
      this.simulate(s1, s2, c, k, hits, level);
      return;
    }
    const dirty = this.dirty.subarray(0, nd).sort();
    let u = s1;
    for (let i = 0; i < nd; i++) {
      const d = dirty[i]!;
      if (d < u) continue; // listed twice
      if (u < d) this.simulate(u, d, c, k, hits, level);
      const cd = this.absorb(d);
      this.simulate(d, d + 1, cd, k, hits, level);
      u = d + 1;
    }
    if (u < s2) this.simulate(u, s2, c, k, hits, level);
  }

  /**
   * The k arrivals of the current stretch reach each set of [u, v), whose whole content is
   * overlay class c (no base line of theirs is among the arrivals). Moves the sets to the
   * resulting class and reports the hits.
   */
  private simulate(u: number, v: number, c: number, k: number, hits: Stripes, level: number): void {
    const S = this.sets;
    const W = this.ways;
    const sq = this.sq;
    let n = this.cn[c]!;
    const off = c * W;
    for (let t = 0; t < n; t++) sq[t] = this.cq[off + t]!;
    const lim = k < W ? k : W;
    let nh = 0;
    const rows = this.firstRows;
    for (let idx = 0; idx < lim; idx++) {
      const j = rows[idx]!;
      let pos = -1;
      for (let t = 0; t < n; t++) {
        if (sq[t] === j) {
          pos = t;
          break;
        }
      }
      let t: number;
      if (pos >= 0) {
        this.hitRows[nh++] = j;
        t = pos;
      } else {
        t = n < W ? n++ : W - 1;
      }
      for (; t > 0; t--) sq[t] = sq[t - 1]!;
      sq[0] = j;
    }
    if (k > W) {
      // after `ways` distinct lines a set holds exactly those; every later arrival misses
      n = W;
      for (let t = 0; t < W; t++) sq[t] = this.lastRows[t]!;
    }
    const len = v - u;
    const d = this.intern(n);
    this.cls.fill(d, u, v);
    this.cref[d] = this.cref[d]! + len;
    this.release(c, len);
    this.hits += nh * len;
    this.misses += (k - nh) * len;
    for (let i = 0; i < nh; i++) hits.push(S * this.hitRows[i]! + u, len, level);
  }

  private prepareRuns(nRuns: number): void {
    if (this.rRowP.length >= nRuns) return;
    let cap = this.rRowP.length;
    while (cap < nRuns) cap *= 2;
    this.rRowP = new Float64Array(cap);
    this.rRowL = new Float64Array(cap);
    this.rP0 = new Float64Array(cap);
    this.rP1 = new Float64Array(cap);
    this.aJf = new Float64Array(cap);
    this.aJl = new Float64Array(cap);
    this.cuts = new Float64Array(2 * cap + 2);
  }

  // ------------------------------------------------------------ classes

  private classHas(c: number, q: number): boolean {
    const off = c * this.ways;
    for (let t = 0; t < this.cn[c]!; t++) if (this.cq[off + t] === q) return true;
    return false;
  }

  /** the class holding scratch entries sq[0..n): the last one made if equal, else a new one */
  private intern(n: number): number {
    const W = this.ways;
    const m = this.lastMade;
    if (m >= 0 && this.cn[m] === n) {
      const off = m * W;
      let same = true;
      for (let t = 0; t < n && same; t++) same = this.cq[off + t] === this.sq[t];
      if (same) return m;
    }
    const d = this.newClass();
    const off = d * W;
    for (let t = 0; t < n; t++) {
      this.cq[off + t] = this.sq[t]!;
    }
    this.cn[d] = n;
    this.lastMade = d;
    return d;
  }

  private newClass(): number {
    if (this.nFree > 0) {
      const d = this.freeIds[--this.nFree]!;
      this.cref[d] = 0;
      return d;
    }
    if (this.nIds === this.cn.length) this.growClasses();
    const d = this.nIds++;
    this.cref[d] = 0;
    return d;
  }

  private release(c: number, count: number): void {
    if (c === 0) return;
    const r = this.cref[c]! - count;
    this.cref[c] = r;
    if (r === 0) {
      this.freeIds[this.nFree++] = c;
      if (this.lastMade === c) this.lastMade = -1;
    }
  }

  private growClasses(): void {
    const W = this.ways;
    const cap = this.cn.length * 2;
    const cq = new Int32Array(cap * W);
    cq.set(this.cq);
    const cn = new Int32Array(cap);
    cn.set(this.cn);
    const cref = new Int32Array(cap);
    cref.set(this.cref);
    const free = new Int32Array(cap);
    free.set(this.freeIds);
    this.cq = cq;
    this.cn = cn;
    this.cref = cref;
    this.freeIds = free;
  }

  // ------------------------------------------------------------ base

  /** the base slot of set s holding tag, or -1 */
  private slotOf(s: number, tag: number): number {
    const base = s * this.ways;
    for (let w = base, end = base + this.ways; w < end; w++) if (this.btag[w] === tag) return w;
    return -1;
  }

  /** how many base lines of slot w's set are newer than it */
  private baseRank(s: number, w: number): number {
    const base = s * this.ways;
    const st = this.bstamp[w]!;
    let r = 0;
    for (let x = base, end = base + this.ways; x < end; x++) if (this.bstamp[x]! > st) r++;
    return r;
  }

  /** drop the base slots of set s beyond its `keep` newest lines */
  private trimBase(s: number, keep: number): void {
    const W = this.ways;
    const base = s * W;
    let m = 0;
    for (let w = base; w < base + W; w++) if (this.bstamp[w] !== 0) m++;
    for (; m > keep; m--) {
      let victim = -1;
      let oldest = Infinity;
      for (let w = base; w < base + W; w++) {
        const st = this.bstamp[w]!;
        if (st !== 0 && st < oldest) {
          oldest = st;
          victim = w;
        }
      }
      this.inBase.delete((this.btag[victim]! - 1) * this.sets + s);
      this.btag[victim] = 0;
      this.bstamp[victim] = 0;
    }
  }

  /**
   * Writes set s's overlay out into its base slots (the set leaves its class). Its lines get
   * stamps clock, clock - 1, ... in recency order: the n overlay lines were used at n
   * distinct times after every base line of the set and not after `clock`, so these stamps
   * sit where theirs did relative to every other stamp the set will ever compare them with.
   */
  private materialize(s: number): void {
    const c = this.cls[s]!;
    const n = this.cn[c]!;
    const W = this.ways;
    this.trimBase(s, W - n);
    const base = s * W;
    const off = c * W;
    let w = base;
    for (let t = 0; t < n; t++) {
      while (this.bstamp[w] !== 0) w++;
      const q = this.cq[off + t]!;
      this.btag[w] = q + 1;
      this.bstamp[w] = this.clock - t;
      this.inBase.add(q * this.sets + s);
    }
    this.cls[s] = 0;
    this.release(c, 1);
  }

  /** moves set s's whole content (overlay and resident base) into an overlay class of its own */
  private absorb(s: number): number {
    const c = this.cls[s]!;
    const n = this.cn[c]!;
    const W = this.ways;
    this.trimBase(s, W - n);
    const sq = this.sq;
    const off = c * W;
    for (let t = 0; t < n; t++) sq[t] = this.cq[off + t]!;
    // base lines after the overlay, newest first
    const base = s * W;
    let m = n;
    for (;;) {
      let best = -1;
      let newest = 0;
      for (let w = base; w < base + W; w++) {
        const st = this.bstamp[w]!;
        if (st > newest) {
          newest = st;
          best = w;
        }
      }
      if (best < 0) break;
      sq[m] = this.btag[best]! - 1;
      m++;
      this.inBase.delete((this.btag[best]! - 1) * this.sets + s);
      this.btag[best] = 0;
      this.bstamp[best] = 0;
    }
    const d = this.newClass();
    const doff = d * W;
    for (let t = 0; t < m; t++) this.cq[doff + t] = sq[t]!;
    this.cn[d] = m;
    this.cls[s] = d;
    this.cref[d] = 1;
    this.release(c, 1);
    return d;
  }
}

/**
 * The levels one CPU looks through, nearest first (levels may be shared with other CPUs'
 * hierarchies). `access` returns the index of the level that hit, or `levels.length` for
 * memory; `touch` does the same for a range of lines and returns their cost.
 */
export class RangeCacheHierarchy {
  private readonly hits = new Stripes();
  private runs = new Stripes();
  private next = new Stripes();
  /** where each level's stripes start in `hits` (-1: the level saw no lines) */
  private readonly from: Int32Array;
  /** merge cursors: one sorted list per level and one for memory */
  private readonly at: Int32Array;
  private readonly end: Int32Array;

  constructor(readonly levels: readonly RangeCacheLevel[]) {
    this.from = new Int32Array(levels.length);
    this.at = new Int32Array(levels.length + 1);
    this.end = new Int32Array(levels.length + 1);
  }

  access(line: number): number {
    const levels = this.levels;
    for (let k = 0; k < levels.length; k++) if (levels[k]!.access(line)) return k;
    return levels.length;
  }

  /**
   * Lines first..last in ascending order, as `access` line by line would see them. Returns
   * their cost summed in line order exactly as a line-by-line loop sums it: the first line
   * costs hitNs[k] (memHit for memory), every later one streamNs[k] (memStream); levels are
   * indexed like `access` results. Without costs (`hitNs` null) it only fills the caches.
   */
  touch(first: number, last: number, hitNs: Float64Array | null, streamNs: Float64Array | null, memHit: number, memStream: number): number {
    const levels = this.levels;
    const nLevels = levels.length;
    const n = last - first + 1;
    if (n <= SMALL_RUN) {
      let ns = 0;
      for (let line = first; line <= last; line++) {
        const k = this.access(line);
        if (hitNs === null) continue;
        if (k < nLevels) ns += line !== first ? streamNs![k]! : hitNs[k]!;
        else ns += line !== first ? memStream : memHit;
      }
      return ns;
    }
    const hits = this.hits;
    hits.n = 0;
    let runs = this.runs;
    let next = this.next;
    runs.n = 0;
    runs.push(first, n, 0);
    const from = this.from;
    let processed = 0;
    for (let k = 0; k < nLevels && runs.n > 0; k++) {
      next.n = 0;
      from[k] = hits.n;
      levels[k]!.accessBatch(runs, k, hits, next);
      processed = k + 1;
      const t = runs;
      runs = next;
      next = t;
    }
    this.runs = runs;
    this.next = next;
    if (hitNs === null) return 0;
    // merge the levels' stripes and the memory runs (each list in line order), then sum
    const memFrom = hits.n;
    for (let r = 0; r < runs.n; r++) hits.push(runs.start[r]!, runs.len[r]!, nLevels);
    const at = this.at;
    const end = this.end;
    let nl = 0;
    for (let k = 0; k < processed; k++) {
      const lo = from[k]!;
      const hi = k + 1 < processed ? from[k + 1]! : memFrom;
      if (lo < hi) {
        at[nl] = lo;
        end[nl++] = hi;
      }
    }
    if (memFrom < hits.n) {
      at[nl] = memFrom;
      end[nl++] = hits.n;
    }
    let ns = 0;
    for (;;) {
      let x = -1;
      let best = Infinity;
      for (let i = 0; i < nl; i++) {
        if (at[i]! < end[i]! && hits.start[at[i]!]! < best) {
          best = hits.start[at[i]!]!;
          x = i;
        }
      }
      if (x < 0) break;
      const xi = at[x]!;
      at[x] = xi + 1;
      const k = hits.level[xi]!;
      let len = hits.len[xi]!;
      const stream = k < nLevels ? streamNs![k]! : memStream;
      if (hits.start[xi] === first) {
        ns += k < nLevels ? hitNs[k]! : memHit;
        len--;
      }
      ns = addRepeated(ns, stream, len);
    }
    return ns;
  }
}
