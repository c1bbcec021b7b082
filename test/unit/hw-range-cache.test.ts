/**
 * The range cache model against the reference (cache.ts, one line at a time): random streams
 * of single lines, short ranges and long ranges, on several CPUs that share a level, with
 * invalidations; every touch must cost the same to the last bit, and the levels must hold the
 * same lines with the same hit and miss counts.
 */
import { describe, expect, it } from 'vitest';
import type { CacheGeometry } from '../../src/hw/cache.ts';
import { CacheHierarchy, CacheLevel } from '../../src/hw/cache.ts';
import { RangeCacheHierarchy, RangeCacheLevel } from '../../src/hw/range-cache.ts';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Pair {
  ref: CacheHierarchy;
  fast: RangeCacheHierarchy;
}

/** cpus hierarchies: private levels per CPU, the last level shared by CPUs of one node (2 per node) */
function build(geoms: CacheGeometry[], cpus: number): { pairs: Pair[]; refLevels: CacheLevel[][]; fastLevels: RangeCacheLevel[][] } {
  const pairs: Pair[] = [];
  const refLevels: CacheLevel[][] = [];
  const fastLevels: RangeCacheLevel[][] = [];
  const sharedRef = new Map<number, CacheLevel>();
  const sharedFast = new Map<number, RangeCacheLevel>();
  for (let cpu = 0; cpu < cpus; cpu++) {
    const node = cpu >> 1;
    const r = geoms.map((g, k) => {
      if (k < geoms.length - 1) return new CacheLevel(g);
      if (!sharedRef.has(node)) sharedRef.set(node, new CacheLevel(g));
      return sharedRef.get(node)!;
    });
    const f = geoms.map((g, k) => {
      if (k < geoms.length - 1) return new RangeCacheLevel(g);
      if (!sharedFast.has(node)) sharedFast.set(node, new RangeCacheLevel(g));
      return sharedFast.get(node)!;
    });
    refLevels.push(r);
    fastLevels.push(f);
    pairs.push({ ref: new CacheHierarchy(r), fast: new RangeCacheHierarchy(f) });
  }
  return { pairs, refLevels, fastLevels };
}

function refTouch(h: CacheHierarchy, first: number, last: number, hit: Float64Array, stream: Float64Array, memHit: number, memStream: number): number {
  let ns = 0;
  for (let line = first; line <= last; line++) {
    const k = h.access(line);
    if (k < hit.length) ns += line !== first ? stream[k]! : hit[k]!;
    else ns += line !== first ? memStream : memHit;
  }
  return ns;
}

function runStream(seed: number, geoms: CacheGeometry[], cpus: number, ops: number, regions: number[], maxLong: number): void {
  const r = rng(seed);
  const { pairs, refLevels, fastLevels } = build(geoms, cpus);
  const hit = Float64Array.from(geoms.map((_, k) => 1.25 * (k + 1) + 0.1 * k));
  const stream = Float64Array.from(geoms.map((_, k) => 0.64 + k / 3));
  const memHit = 85;
  const memStream = 64 / 11;
  const levelsOf = (x: CacheLevel[] | RangeCacheLevel[]): string => x.map((l) => `${l.hits}/${l.misses}`).join(' ');
  for (let op = 0; op < ops; op++) {
    const cpu = Math.floor(r() * cpus);
    const region = regions[Math.floor(r() * regions.length)]!;
    const kind = r();
    let first: number;
    let len: number;
    if (kind < 0.45) {
      first = region + Math.floor(r() * 300);
      len = 1 + Math.floor(r() * 3);
    } else if (kind < 0.75) {
      first = region + Math.floor(r() * 300);
      len = 10 + Math.floor(r() * 60);
    } else {
      first = region + Math.floor(r() * 40);
      len = 17 + Math.floor(r() * maxLong);
    }
    const last = first + len - 1;
    const { ref, fast } = pairs[cpu]!;
    const a = refTouch(ref, first, last, hit, stream, memHit, memStream);
    const b = fast.touch(first, last, hit, stream, memHit, memStream);
    expect(b, `op ${op}: cpu ${cpu} lines ${first}..${last}`).toBe(a);
    // a write invalidates the lines in the other CPUs' private levels, as the platform does
    if (r() < 0.2) {
      for (let other = 0; other < cpus; other++) {
        if (other === cpu) continue;
        for (let k = 0; k < geoms.length; k++) {
          const rl = refLevels[other]![k]!;
          const fl = fastLevels[other]![k]!;
          if (refLevels[cpu]!.includes(rl)) continue;
          for (let line = first; line <= last; line++) {
            rl.invalidate(line);
            fl.invalidate(line);
          }
        }
      }
    }
    for (let c = 0; c < cpus; c++) expect(levelsOf(fastLevels[c]!), `op ${op}: counts of cpu ${c}`).toBe(levelsOf(refLevels[c]!));
    if (op % 50 === 49) {
      for (const base of regions) {
        for (let line = base - 5; line < base + maxLong + 400; line += 1) {
          for (let c = 0; c < cpus; c++) {
            for (let k = 0; k < geoms.length; k++) {
              if (fastLevels[c]![k]!.contains(line) !== refLevels[c]![k]!.contains(line)) {
                expect.fail(`op ${op}: cpu ${c} level ${k} line ${line}: fast ${fastLevels[c]![k]!.contains(line)}`);
              }
            }
          }
        }
      }
    }
  }
}

const g = (sets: number, ways: number): CacheGeometry => ({ size: sets * ways * 64, ways, lineSize: 64 });
// (tags are 32-bit in both models: lines stay below 2^31 x sets, as metadata lines do on real geometries)

describe('range cache model agrees with the line-by-line reference', () => {
  it('on small odd-sized levels, one CPU', () => {
    runStream(1, [g(4, 2), g(8, 4), g(12, 5)], 1, 1500, [1000, 5000, 2 ** 32 + 7], 200);
  });

  it('on small levels with two CPUs sharing the last level and a third on another node', () => {
    runStream(2, [g(4, 2), g(8, 4), g(12, 5)], 3, 1500, [1000, 1150, 2 ** 32 + 7], 120);
  });

  it('on the seed machine geometry (64 x 8, 512 x 8, 20480 x 20) with ranges of whole maps', () => {
    runStream(3, [g(64, 8), g(512, 8), g(20480, 20)], 1, 400, [2 ** 34, 2 ** 34 + 6000, 2 ** 34 + 9000], 9000);
  });

  it('on many seeds with one direct-mapped level', () => {
    for (let seed = 10; seed < 16; seed++) runStream(seed, [g(2, 1), g(16, 2)], 2, 400, [64, 100], 80);
  });
});
