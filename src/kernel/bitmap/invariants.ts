/**
 * The debug checks of the modern allocator: no hint promises free space the bitmap does not
 * have, the byte and page counters agree with the bitmaps, and every chunk sits on the list its
 * state implies. Throws InvariantError naming the broken invariant.
 *
 * To stay cheap after every operation, the checker rescans only the hint blocks an operation
 * touched (chunk.dirtyLo..dirtyHi) and keeps its own count of allocated bits per block; the
 * words it reads are not counted as allocator work.
 */
import { InvariantError } from '../allocator.ts';
import { bitmapWeight, findNextBit, findNextZeroBit, popcount32, testBit } from '../bitops.ts';
import { newWorkCounters, type WorkCounters } from '../platform.ts';
import type { BitmapChunk } from './chunk.ts';
import {
  MD_CONTIG,
  MD_CONTIG_START,
  MD_FIRST_FREE,
  MD_LEFT_FREE,
  MD_RIGHT_FREE,
  MD_SCAN,
  MD_SCAN_START,
  MD_STRIDE,
} from './chunk.ts';
import { chunkSlot } from './slots.ts';
import type { PcpuState } from './state.ts';
import { PCPU_MIN_ALLOC_SIZE, PCPU_SLOT_FAIL_THRESHOLD, entryOf } from './state.ts';

function fail(chunk: BitmapChunk, what: string): never {
  throw new InvariantError(`chunk ${chunk.id}: ${what}`);
}

/**
 * Answers "is this bit range all clear / all set" using whole-block counts where it can.
 * Shared with the v4.14 checker (same chunk storage).
 */
export class RangeProbe {
  constructor(
    private readonly w: WorkCounters,
    private readonly chunk: BitmapChunk,
    private readonly used: Int32Array,
    private readonly bb: number,
  ) {}

  clear(start: number, len: number): boolean {
    return this.uniform(start, len, true);
  }

  set(start: number, len: number): boolean {
    return this.uniform(start, len, false);
  }

  private uniform(start: number, len: number, clear: boolean): boolean {
    if (len <= 0) return true;
    const end = start + len;
    if (end > this.chunk.mapBits || start < 0) return false;
    const bb = this.bb;
    const map = this.chunk.allocMap;
    let pos = start;
    while (pos < end) {
      const blockEnd = (Math.floor(pos / bb) + 1) * bb;
      const stop = Math.min(end, blockEnd);
      if (pos % bb === 0 && stop === blockEnd) {
        const u = this.used[pos / bb]!;
        if (clear ? u !== 0 : u !== bb) return false;
      } else {
        const hit = clear ? findNextBit(this.w, map, stop, pos) : findNextZeroBit(this.w, map, stop, pos);
        if (hit < stop) return false;
      }
      pos = stop;
    }
    return true;
  }
}

/**
 * one hint record against the bitmap: contig (and scan) hints cover only free bits, nothing is
 * free below first_free, and with `edges` the left and right free runs are free. v4.14 records
 * have no scan hint: theirs stays 0 and passes.
 */
export function checkHintBlock(probe: RangeProbe, chunk: BitmapChunk, b: number, base: number, nrBits: number, name: string, edges: boolean): void {
  const md = chunk.md;
  const contig = md[b + MD_CONTIG]!;
  const cs = md[b + MD_CONTIG_START]!;
  if (contig < 0 || contig > nrBits) fail(chunk, `${name} contig_hint ${contig} out of range`);
  if (contig > 0 && (cs + contig > nrBits || !probe.clear(base + cs, contig))) {
    fail(chunk, `${name} contig_hint ${contig}@${cs} covers allocated bits`);
  }
  const scan = md[b + MD_SCAN]!;
  const ss = md[b + MD_SCAN_START]!;
  if (scan > 0 && (ss + scan > nrBits || !probe.clear(base + ss, scan))) {
    fail(chunk, `${name} scan_hint ${scan}@${ss} covers allocated bits`);
  }
  if (scan > contig) fail(chunk, `${name} scan_hint ${scan} exceeds contig_hint ${contig}`);
  const ff = md[b + MD_FIRST_FREE]!;
  if (ff < 0 || ff > nrBits || !probe.set(base, ff)) fail(chunk, `${name} first_free ${ff} skips a free bit`);
  if (edges) {
    const left = md[b + MD_LEFT_FREE]!;
    const right = md[b + MD_RIGHT_FREE]!;
    if (!probe.clear(base, left)) fail(chunk, `${name} left_free ${left} covers allocated bits`);
    if (!probe.clear(base + nrBits - right, right)) fail(chunk, `${name} right_free ${right} covers allocated bits`);
  }
}

/** the walks' shortcut: every block from freeTail on has a whole block of left_free */
export function checkFreeTail(chunk: BitmapChunk, blockBits: number): void {
  const t = chunk.freeTail;
  if (t < 0 || t > chunk.nrBlocks) fail(chunk, `freeTail ${t} outside 0..${chunk.nrBlocks}`);
  for (let i = t; i < chunk.nrBlocks; i++) {
    if (chunk.md[i * MD_STRIDE + MD_LEFT_FREE] !== blockBits) fail(chunk, `block ${i} at or above freeTail ${t} is not fully free`);
  }
}

function checkChunkMaps(w: WorkCounters, state: PcpuState, chunk: BitmapChunk): void {
  const bb = state.blockBits;
  const words = bb >>> 5;
  const map = chunk.allocMap;
  let used = chunk.checkedUsed;
  if (!used) {
    used = chunk.checkedUsed = new Int32Array(chunk.nrBlocks);
    chunk.dirtyLo = 0;
    chunk.dirtyHi = chunk.nrBlocks - 1;
  }
  const lo = chunk.dirtyLo;
  const hi = chunk.dirtyHi;
  for (let i = lo; i <= hi; i++) {
    let n = 0;
    for (let k = i * words, e = k + words; k < e; k++) n += popcount32(map[k]!);
    used[i] = n;
  }
  let usedBits = 0;
  for (let i = 0; i < chunk.nrBlocks; i++) usedBits += used[i]!;
  const free = (chunk.mapBits - usedBits) * PCPU_MIN_ALLOC_SIZE;
  if (free !== chunk.freeBytes) fail(chunk, `free_bytes ${chunk.freeBytes} but the bitmap has ${free} free`);

  const probe = new RangeProbe(w, chunk, used, bb);
  for (let i = lo; i <= hi; i++) checkHintBlock(probe, chunk, i * MD_STRIDE, i * bb, bb, `block ${i}`, true);
  checkHintBlock(probe, chunk, chunk.chunkMd, 0, chunk.mapBits, 'chunk_md', false);
  chunk.dirtyLo = chunk.nrBlocks;
  chunk.dirtyHi = -1;
  chunk.popDirty = false;

  let emptyPop = 0;
  for (let i = 0; i < chunk.nrBlocks; i++) {
    const empty = used[i] === 0;
    if ((chunk.md[i * MD_STRIDE + MD_CONTIG] === bb) !== empty) {
      fail(chunk, `block ${i} contig_hint says ${empty ? 'not ' : ''}empty`);
    }
    if (empty && testBit(chunk.populated, i)) emptyPop++;
  }
  const pop = bitmapWeight(w, chunk.populated, chunk.nrPages);
  if (pop !== chunk.nrPopulated) fail(chunk, `nr_populated ${chunk.nrPopulated} but ${pop} pages are populated`);
  if (emptyPop !== chunk.nrEmptyPopPages) {
    fail(chunk, `nr_empty_pop_pages ${chunk.nrEmptyPopPages} but ${emptyPop} populated pages are empty`);
  }
}

function checkChunkList(state: PcpuState, chunk: BitmapChunk): void {
  const list = state.lists.listOf(entryOf(chunk));
  if (chunk === state.reservedChunk) {
    if (list !== -1) fail(chunk, `reserved chunk on list ${list}`);
    return;
  }
  if (chunk.isolated) {
    if (list !== state.toDepopulateSlot && list !== state.sidelinedSlot) fail(chunk, `isolated chunk on list ${list}`);
    return;
  }
  const slot = chunkSlot(state, chunk);
  if (list === slot) return;
  // a failed fit parks small-slot chunks in slot 0 until their hints move them
  if (list === 0 && slot < PCPU_SLOT_FAIL_THRESHOLD) return;
  fail(chunk, `on list ${list} but its hints give slot ${slot}`);
}

/** throws InvariantError naming the first broken invariant */
export function checkInvariants(state: PcpuState): void {
  const w = newWorkCounters();
  let emptyPop = 0;
  let populated = state.bootPages;
  let onLists = 0;
  for (const chunk of state.chunks) {
    if (!chunk) continue;
    if (chunk.dirtyLo <= chunk.dirtyHi || chunk.popDirty || !chunk.checkedUsed) checkChunkMaps(w, state, chunk);
    checkChunkList(state, chunk);
    checkFreeTail(chunk, state.blockBits);
    if (chunk !== state.reservedChunk) {
      onLists++;
      if (!chunk.isolated) emptyPop += chunk.nrEmptyPopPages;
      if (chunk !== state.firstChunk) populated += chunk.nrPopulated;
    }
  }
  if (emptyPop !== state.nrEmptyPopPages) {
    throw new InvariantError(`pcpu_nr_empty_pop_pages ${state.nrEmptyPopPages} but the chunks hold ${emptyPop}`);
  }
  if (populated !== state.nrPopulated) {
    throw new InvariantError(`pcpu_nr_populated ${state.nrPopulated} but the chunks hold ${populated}`);
  }
  let listed = 0;
  for (let s = 0; s < state.nrSlots; s++) listed += state.lists.count(s);
  if (listed !== onLists) throw new InvariantError(`${listed} chunks on lists but ${onLists} live chunks`);
}
