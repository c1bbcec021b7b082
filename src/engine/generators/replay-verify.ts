/**
 * A verified replay of a real kernel's capture (ftrace text with every percpu tracepoint): for
 * each recorded allocation the allocator decides, the decision is compared with the chunk and
 * offset the kernel chose, and then the kernel's placement becomes the allocator's state (the
 * same area allocated through the allocator's own area-allocation path), so one mismatch does
 * not cascade into the next.
 *
 * - The first chunk: tracing starts after its first dynamic allocations, so its dynamic area
 *   starts opaque (every free 4-byte granule allocated on its own). A recorded allocation there
 *   is placed where the kernel put it (the opaque granules under it given back first), shows in
 *   the run's trace as in the capture, and is not judged; frees of recorded first-chunk
 *   allocations are real frees.
 * - Chunk life: chunks are created and destroyed where the capture records it, and nowhere
 *   else (neither pcpu_alloc nor the balance work makes or destroys one on its own). Destroying a
 *   chunk that is not fully free in the simulator is a mismatch.
 * - Page population is not traced, so it is the simulator's own; it steers only atomic
 *   allocations.
 */
import { InputError } from '../../input/input-error.ts';
import { CHUNK_HINT_FIELDS } from '../../kernel/recorded-kernel.ts';
import { readTraceText } from '../../trace/percpu-trace.ts';
import type { OpSink, RunState } from './sink.ts';
import type { ReplayOps } from './replay-ops.ts';
import { FLAG_ACCOUNT, FLAG_ATOMIC, FLAG_RESERVED, OP_ALLOC, OP_BAD_FREE, OP_CREATE_CHUNK, OP_DESTROY_CHUNK, OP_FREE } from './replay-ops.ts';

/** mismatches kept with their details (the rest are only counted) */
export const MISMATCHES_KEPT = 10;

/** where an allocation went, in the capture's chunk numbers (-1 reserved, 0 first, 1.. created) */
export interface Placement {
  chunk: number;
  off: number;
}

export interface ReplayMismatch {
  /** what differed: a decision, a recorded placement the simulator could not make, a chunk's life */
  kind: 'decision' | 'placement' | 'create' | 'destroy';
  /** the capture's line: its number and text */
  line: number;
  text: string;
  callSite: string | null;
  /** allocations: where the kernel put it, and where the simulator decided (null: it failed) */
  recorded: Placement | null;
  simulated: Placement | null;
  /** the recorded chunk's hints just before the decision (CHUNK_HINT_FIELDS) */
  hints: Record<string, number> | null;
  /** what else there is to say (why a placement could not be made, why a chunk was kept) */
  note: string | null;
}

export interface ReplayVerification {
  phase: string;
  file: string;
  /** recorded allocations outside the first chunk: the decisions judged */
  judged: number;
  /** of those, decided at the kernel's chunk and offset */
  matched: number;
  /** recorded allocations in the first chunk, placed as recorded */
  placedFirstChunk: number;
  /** frees of objects allocated before the capture started (left out) */
  unmatchedFrees: number;
  /** every mismatch (decisions, placements, chunk life) */
  mismatches: number;
  /** the first MISMATCHES_KEPT of them */
  first: ReplayMismatch[];
}

export function runVerifiedReplay(phase: string, file: string, ops: ReplayOps, sink: OpSink, state: RunState): ReplayVerification {
  const rk = sink.recorded;
  if (!rk) throw new InputError(`${file}: a verified replay needs an allocator that can follow a capture (bitmap, v6.12)`);
  const rec = ops.recorded!;
  rk.followRecordedChunkLife();

  const v: ReplayVerification = { phase, file, judged: 0, matched: 0, placedFirstChunk: 0, unmatchedFrees: rec.unmatchedFrees, mismatches: 0, first: [] };
  let lines: string[] | null = null;
  const hints = new Int32Array(CHUNK_HINT_FIELDS.length);
  const note = (m: Omit<ReplayMismatch, 'text'>): void => {
    v.mismatches++;
    if (v.first.length >= MISMATCHES_KEPT) return;
    lines ??= readTraceText(file).split('\n');
    v.first.push({ ...m, text: (lines[m.line - 1] ?? '').trim() });
  };

  /** simulator chunk id of each capture chunk number, and back */
  const simOf = new Map<number, number>([
    [-1, -1],
    [0, 0],
  ]);
  const capOf = new Map<number, number>([
    [-1, -1],
    [0, 0],
  ]);
  const placementOf = (simChunk: number, off: number): Placement => ({ chunk: capOf.get(simChunk) ?? simChunk, off });
  const hintsOf = (simChunk: number): Record<string, number> | null => {
    if (!rk.chunkHints(simChunk, hints)) return null;
    return Object.fromEntries(CHUNK_HINT_FIELDS.map((f, k) => [f, hints[k]!]));
  };

  // the first chunk's untraced past: every free granule held on its own
  const opaque = new Uint8Array(rk.chunkBytes(0) >>> 2);
  for (let g = 0; g < opaque.length; g++) if (rk.allocAt(0, g * 4, 4)) opaque[g] = 1;

  const chunk = new Int32Array(ops.nRefs);
  const off = new Int32Array(ops.nRefs);
  const id = new Int32Array(ops.nRefs);
  const madeAt = new Int32Array(ops.nRefs).fill(-1);
  const before = new Int32Array(CHUNK_HINT_FIELDS.length);
  for (let i = 0; i < ops.n; i++) {
    const ref = ops.ref[i]!;
    const kind = ops.kind[i]!;
    const line = rec.line[i]!;
    if (kind === OP_ALLOC) {
      const size = ops.size[i]!;
      const flags = ops.flags[i]!;
      const recChunk = rec.chunk[i]!;
      const recOff = rec.off[i]!;
      const callSite = rec.callSite[i] ?? null;
      madeAt[ref] = -1;
      if (recChunk === 0) {
        // placed as recorded: give back the opaque granules under it first
        const end = Math.min(opaque.length, (recOff + size + 3) >>> 2);
        for (let g = recOff >>> 2; g < end; g++) {
          if (opaque[g]) {
            rk.freeArea(0, g * 4);
            opaque[g] = 0;
          }
        }
        // the run's trace shows it as the capture does (the request, where the kernel put it)
        const traced = { reserved: (flags & FLAG_RESERVED) !== 0, atomic: (flags & FLAG_ATOMIC) !== 0, align: ops.align[i]!, accounted: (flags & FLAG_ACCOUNT) !== 0 };
        if (!rk.allocAt(0, recOff, size, traced)) {
          note({ kind: 'placement', line, callSite, recorded: { chunk: 0, off: recOff }, simulated: null, hints: hintsOf(0), note: 'the area is not free in the simulator (a recorded allocation still holds it)' });
          continue;
        }
        v.placedFirstChunk++;
        chunk[ref] = 0;
        off[ref] = recOff;
        id[ref] = -1;
        madeAt[ref] = i;
        continue;
      }
      const simChunk = simOf.get(recChunk);
      if (simChunk === undefined) {
        throw new InputError(`${file}:${line}: percpu_alloc_percpu: chunk ${recChunk} of the capture is not live here`);
      }
      const haveHints = rk.chunkHints(simChunk, before);
      v.judged++;
      const o = sink.alloc(size, ops.align[i]!, (flags & FLAG_ATOMIC) !== 0, (flags & FLAG_RESERVED) !== 0, (flags & FLAG_ACCOUNT) !== 0);
      const got = o >= 0 ? sink.chunk : -2;
      id[ref] = sink.id;
      if (o === recOff && got === simChunk) {
        v.matched++;
        chunk[ref] = got;
        off[ref] = o;
        madeAt[ref] = i;
        continue;
      }
      // the kernel's placement becomes the simulator's state
      if (o >= 0) rk.freeArea(got, o);
      let where: string | null = null;
      if (rk.allocAt(simChunk, recOff, size)) {
        chunk[ref] = simChunk;
        off[ref] = recOff;
        madeAt[ref] = i;
      } else {
        where = 'the recorded area is not free in the simulator';
        if (o >= 0 && rk.allocAt(got, o, size)) {
          where += "; the simulator's placement kept";
          chunk[ref] = got;
          off[ref] = o;
          madeAt[ref] = i;
        }
      }
      note({
        kind: 'decision',
        line,
        callSite,
        recorded: { chunk: recChunk, off: recOff },
        simulated: o >= 0 ? placementOf(got, o) : null,
        hints: haveHints ? Object.fromEntries(CHUNK_HINT_FIELDS.map((f, k) => [f, before[k]!])) : null,
        note: where,
      });
    } else if (kind === OP_FREE) {
      if (madeAt[ref]! < 0) continue;
      sink.free(chunk[ref]!, off[ref]!, id[ref]!);
      madeAt[ref] = -1;
    } else if (kind === OP_BAD_FREE) {
      sink.badFree();
    } else if (kind === OP_CREATE_CHUNK) {
      const made = rk.createChunk();
      if (made < 0) {
        note({ kind: 'create', line, callSite: null, recorded: null, simulated: null, hints: null, note: `chunk ${ref} could not be created (no room for it)` });
        continue;
      }
      simOf.set(ref, made);
      capOf.set(made, ref);
    } else if (kind === OP_DESTROY_CHUNK) {
      const simChunk = simOf.get(ref)!;
      const h = hintsOf(simChunk);
      if (!rk.destroyChunk(simChunk)) {
        note({ kind: 'destroy', line, callSite: null, recorded: null, simulated: null, hints: h, note: `chunk ${ref} is not fully free in the simulator (kept)` });
        continue;
      }
      simOf.delete(ref);
      capOf.delete(simChunk);
    } else {
      sink.balance();
    }
  }
  const survivors: number[] = [];
  for (let r = 0; r < ops.nRefs; r++) if (madeAt[r]! >= 0) survivors.push(r);
  survivors.sort((a, b) => madeAt[a]! - madeAt[b]!);
  for (const r of survivors) state.live.push(chunk[r]!, off[r]!, id[r]!);
  return v;
}
