/**
 * The area map's fast path (fast-area.ts: a gap in the map, the first-fit index) against the
 * straightforward port (alloc-area.ts, free-area.ts), side by side on the same random streams:
 * every result, failure reason, work counter, metadata touch, map entry and hint must agree.
 * Streams include the contrived case (4-byte objects at 8-byte alignment, where the index
 * answers walks over thousands of holes), atomic and reserved requests, page exhaustion and
 * balance work. A 32 KiB unit keeps chunks small enough for thousands of operations a test.
 */
import { describe, expect, it } from 'vitest';
import type { AllocatorConfig } from '../../src/kernel/allocator.ts';
import { DEFAULT_KNOBS } from '../../src/kernel/allocator.ts';
import { SimplePlatform } from '../../src/hw/simple-platform.ts';
import { AreamapAllocator } from '../../src/kernel/areamap/allocator.ts';
import type { AreamapChunk } from '../../src/kernel/areamap/chunk.ts';
import { buildAllocInfo } from '../../src/kernel/layout.ts';

/** SimplePlatform that folds every metadata touch into a running hash */
class RecordingPlatform extends SimplePlatform {
  touches = 0;
  hash = 0;

  override touchRead(addr: number, bytes: number): void {
    this.note(1, addr, bytes);
  }

  override touchWrite(addr: number, bytes: number): void {
    this.note(2, addr, bytes);
  }

  private note(kind: number, addr: number, bytes: number): void {
    this.touches++;
    this.hash = (Math.imul(this.hash ^ kind, 0x9e3779b1) + (addr % 1e9) * 31 + bytes) | 0;
  }
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function newPair(pageLimit: number | null): { fast: AreamapAllocator; ref: AreamapAllocator; pf: RecordingPlatform; pr: RecordingPlatform } {
  const config: AllocatorConfig = {
    topology: { pageSize: 4096, nrCpus: 2, cpuToNode: [0, 0], nodeDistance: [[10]] },
    firstChunk: { staticSize: 8192, reservedSize: 4096, dynSize: 8192, atomSize: 4096 },
    knobs: DEFAULT_KNOBS,
  };
  const ai = buildAllocInfo('v4.13', config.topology, config.firstChunk);
  const pf = new RecordingPlatform(pageLimit);
  const pr = new RecordingPlatform(pageLimit);
  const fast = new AreamapAllocator(config, pf, ai);
  const ref = new AreamapAllocator(config, pr, ai);
  ref.state.fastPath = false;
  expect(fast.state.fastPath).toBe(true);
  return { fast, ref, pf, pr };
}

function chunksOf(a: AreamapAllocator): AreamapChunk[] {
  const out: AreamapChunk[] = [];
  if (a.state.reservedChunk) out.push(a.state.reservedChunk);
  for (const c of a.state.chunks) if (c) out.push(c);
  return out;
}

/** compares chunk state; the fast side is read through its gap (at), the reference plainly */
function expectSameChunks(fast: AreamapAllocator, ref: AreamapAllocator, where: string): void {
  const f = chunksOf(fast);
  const r = chunksOf(ref);
  expect(f.length, where).toBe(r.length);
  for (let k = 0; k < f.length; k++) {
    const a = f[k]!;
    const b = r[k]!;
    const what = `${where}, chunk ${b.id}`;
    expect([a.id, a.mapUsed, a.mapAlloc, a.freeSize, a.contigHint, a.firstFree, a.nrPopulated], what).toEqual([
      b.id,
      b.mapUsed,
      b.mapAlloc,
      b.freeSize,
      b.contigHint,
      b.firstFree,
      b.nrPopulated,
    ]);
    const bm = b.map;
    for (let i = 0; i <= b.mapUsed; i++) {
      if (a.at(i) !== bm[i]) expect.fail(`${what}: map[${i}] is ${a.at(i)}, the reference has ${bm[i]}`);
    }
  }
}

interface StreamOpts {
  ops: number;
  /** probability that an operation is an allocation (else a burst of frees) */
  alloc: number;
  /** probability of the contrived request (4 bytes, 8-byte aligned) */
  corner: number;
  atomic: number;
  reserved: number;
  pageLimit: number | null;
  /** frees come in bursts of this many, taken from the front, the back or at random */
  freeBurst: number;
}

function runStream(seed: number, o: StreamOpts): { allocs: number; indexed: number } {
  const r = rng(seed);
  const { fast, ref, pf, pr } = newPair(o.pageLimit);
  const live: { chunk: number; off: number }[] = [];
  let allocs = 0;
  let indexed = 0;
  for (let op = 0; op < o.ops; op++) {
    const where = `seed ${seed} op ${op}`;
    const x = r();
    if (x < o.alloc || live.length === 0) {
      let size: number;
      let align: number;
      if (r() < o.corner) {
        size = 4;
        align = 8;
      } else {
        size = 1 + Math.floor(r() * (r() < 0.8 ? 64 : 3000));
        align = 2 ** Math.floor(r() * (r() < 0.9 ? 4 : 13));
      }
      const atomic = r() < o.atomic;
      const reserved = r() < o.reserved;
      const a = fast.alloc(size, align, atomic, reserved);
      const b = ref.alloc(size, align, atomic, reserved);
      expect([a, fast.lastChunkId, fast.lastFailReason], `${where}: alloc(${size}, ${align}, ${atomic}, ${reserved})`).toEqual([
        b,
        ref.lastChunkId,
        ref.lastFailReason,
      ]);
      if (b >= 0) {
        live.push({ chunk: ref.lastChunkId, off: b });
        allocs++;
      }
    } else {
      const burst = 1 + Math.floor(r() * o.freeBurst);
      const mode = r();
      for (let k = 0; k < burst && live.length > 0; k++) {
        const idx = mode < 0.3 ? 0 : mode < 0.5 ? live.length - 1 : Math.floor(r() * live.length);
        const { chunk, off } = live[idx]!;
        live.splice(idx, 1);
        fast.free(chunk, off);
        ref.free(chunk, off);
      }
    }
    if (ref.balancePending) {
      expect(fast.balancePending, where).toBe(true);
      fast.runBalance();
      ref.runBalance();
    }
    expect(pf.work, where).toEqual(pr.work);
    expect([pf.touches, pf.hash], `${where}: metadata touches`).toEqual([pr.touches, pr.hash]);
    expect(fast.stats(), where).toEqual(ref.stats());
    if (op % 50 === 0 || op === o.ops - 1) {
      expectSameChunks(fast, ref, where);
      indexed = Math.max(indexed, chunksOf(fast).filter((c) => c.fitIndex !== null).length);
    }
  }
  // both checkers agree the states are sound (reading the map closes the fast side's gap)
  fast.checkInvariants();
  ref.checkInvariants();
  return { allocs, indexed };
}

describe('area map fast path against the straightforward port', () => {
  it('agrees on the contrived case: 4-byte objects at 8-byte alignment fill several chunks', () => {
    const { indexed } = runStream(1, { ops: 11000, alloc: 0.62, corner: 1, atomic: 0, reserved: 0, pageLimit: null, freeBurst: 1 });
    expect(indexed).toBeGreaterThan(0);
  });

  it('agrees on the contrived case mixed with in-order, reverse and random frees', () => {
    const { indexed } = runStream(2, { ops: 9000, alloc: 0.8, corner: 0.85, atomic: 0, reserved: 0, pageLimit: null, freeBurst: 5 });
    expect(indexed).toBeGreaterThan(0);
  });

  it('agrees on random sizes and alignments with atomic and reserved requests', () => {
    for (let seed = 3; seed < 7; seed++) runStream(seed, { ops: 3000, alloc: 0.62, corner: 0.3, atomic: 0.15, reserved: 0.1, pageLimit: null, freeBurst: 8 });
  });

  it('agrees when indexed chunks serve random sizes and alignments', () => {
    for (let seed = 9; seed < 11; seed++) {
      const { indexed } = runStream(seed, { ops: 5000, alloc: 0.85, corner: 0.6, atomic: 0.05, reserved: 0, pageLimit: null, freeBurst: 3 });
      expect(indexed).toBeGreaterThan(0);
    }
  });

  it('agrees on in-order, reverse and alternating frees (the orders whose entry the free finds next to the last one)', () => {
    for (const order of ['inorder', 'reverse', 'alternating'] as const) {
      for (const align of [4, 8]) {
        const { fast, ref, pf, pr } = newPair(null);
        const n = 3000;
        const live: { chunk: number; off: number }[] = [];
        for (let k = 0; k < n; k++) {
          const b = ref.alloc(4, align, false, false);
          expect(fast.alloc(4, align, false, false)).toBe(b);
          live.push({ chunk: ref.lastChunkId, off: b });
          if (ref.balancePending) {
            fast.runBalance();
            ref.runBalance();
          }
        }
        for (let k = 0; k < n; k++) {
          const idx = order === 'inorder' ? k : order === 'reverse' ? n - 1 - k : k < n / 2 ? 2 * k : 2 * (k - n / 2) + 1;
          const { chunk, off } = live[idx]!;
          fast.free(chunk, off);
          ref.free(chunk, off);
          if (ref.balancePending) {
            fast.runBalance();
            ref.runBalance();
          }
          const where = `${order}, align ${align}, free ${k}`;
          expect(pf.work, where).toEqual(pr.work);
          expect([pf.touches, pf.hash], `${where}: metadata touches`).toEqual([pr.touches, pr.hash]);
          if (k % 500 === 0) expectSameChunks(fast, ref, where);
        }
        expectSameChunks(fast, ref, `${order}, align ${align}, end`);
      }
    }
  });

  it('agrees when pages run out (populate failures give the area back)', () => {
    runStream(8, { ops: 3000, alloc: 0.62, corner: 0.5, atomic: 0.1, reserved: 0.05, pageLimit: 40, freeBurst: 6 });
  });
});
