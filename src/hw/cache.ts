/**
 * A set-associative cache with true LRU replacement, and a hierarchy of them as one CPU sees
 * it. Fed line addresses (byte address / line size); answers which level held the line.
 *
 * State is two typed arrays per level (32-bit tags, last-use stamps as doubles), sized once.
 * The hierarchy is non-inclusive and allocate-on-miss: a hit at level k fills levels 0..k-1,
 * a miss everywhere fills every level. Writes allocate like reads (write-allocate).
 *
 * This is the reference model, one line at a time; the platform runs range-cache.ts, which
 * gives the same results and also takes long runs of lines at once.
 */

export interface CacheGeometry {
  /** bytes */
  size: number;
  ways: number;
  lineSize: number;
}

/**
 * One cache level: sets × ways, LRU within a set. Set index = line mod sets; the tag kept is
 * line div sets (+1, so 0 marks an empty way), held in 32 bits: exact for every line below
 * 2^31 × sets, which covers the simulator's metadata addresses (< 2^41) for any level of
 * 16 sets or more.
 */
/** the sets of a cache of geometry `g`; throws unless it is a whole number of sets */
export function setCount(g: CacheGeometry): number {
  const sets = Math.floor(Math.floor(g.size / g.lineSize) / g.ways);
  if (sets < 1 || sets * g.ways * g.lineSize !== g.size) {
    throw new RangeError(`cache of ${g.size} bytes is not a whole number of ${g.ways}-way sets of ${g.lineSize}-byte lines`);
  }
  return sets;
}

export class CacheLevel {
  readonly sets: number;
  readonly ways: number;
  private readonly tags: Int32Array;
  /** last-use stamp per way (0: empty); doubles, so the LRU order stays exact for 2^53 uses */
  private readonly stamps: Float64Array;
  private clock = 0;
  hits = 0;
  misses = 0;

  constructor(g: CacheGeometry) {
    this.ways = g.ways;
    this.sets = setCount(g);
    this.tags = new Int32Array(this.sets * g.ways);
    this.stamps = new Float64Array(this.sets * g.ways);
  }

  /** Looks `line` up; on a hit marks it most recently used. Returns whether it hit. */
  lookup(line: number): boolean {
    const q = Math.floor(line / this.sets);
    const base = (line - q * this.sets) * this.ways;
    const tag = (q + 1) | 0;
    const tags = this.tags;
    for (let w = base, end = base + this.ways; w < end; w++) {
      if (tags[w] === tag) {
        this.stamps[w] = this.tick();
        this.hits++;
        return true;
      }
    }
    this.misses++;
    return false;
  }

  /** Inserts `line` (known absent) in place of the least recently used way of its set. */
  fill(line: number): void {
    const q = Math.floor(line / this.sets);
    const base = (line - q * this.sets) * this.ways;
    const stamps = this.stamps;
    let victim = base;
    let oldest = stamps[base]!;
    for (let w = base + 1, end = base + this.ways; w < end && oldest !== 0; w++) {
      if (stamps[w]! < oldest) {
        oldest = stamps[w]!;
        victim = w;
      }
    }
    this.tags[victim] = (q + 1) | 0;
    stamps[victim] = this.tick();
  }

  /** lookup, and fill on a miss; returns whether it hit */
  access(line: number): boolean {
    if (this.lookup(line)) return true;
    this.fill(line);
    return false;
  }

  /** whether `line` is present, without touching LRU state or counters */
  contains(line: number): boolean {
    return this.wayOf(line) >= 0;
  }

  /** drops `line` if present (another CPU wrote it) */
  invalidate(line: number): void {
    const w = this.wayOf(line);
    if (w >= 0) {
      this.tags[w] = 0;
      this.stamps[w] = 0;
    }
  }

  private wayOf(line: number): number {
    const q = Math.floor(line / this.sets);
    const base = (line - q * this.sets) * this.ways;
    const tag = (q + 1) | 0;
    for (let w = base, end = base + this.ways; w < end; w++) if (this.tags[w] === tag) return w;
    return -1;
  }

  /** the next stamp */
  private tick(): number {
    return ++this.clock;
  }
}

/**
 * The levels one CPU looks through, nearest first. Levels may be shared with other CPUs'
 * hierarchies (an L3 per node). `access` returns the index of the level that hit, or
 * `levels.length` for memory.
 */
export class CacheHierarchy {
  constructor(readonly levels: readonly CacheLevel[]) {}

  access(line: number): number {
    const levels = this.levels;
    const n = levels.length;
    let hit = n;
    for (let k = 0; k < n; k++) {
      if (levels[k]!.lookup(line)) {
        hit = k;
        break;
      }
    }
    for (let k = 0; k < hit; k++) levels[k]!.fill(line);
    return hit;
  }

  invalidate(line: number): void {
    for (const lv of this.levels) lv.invalidate(line);
  }
}
