/**
 * The debug checks of the modern allocator: no hint promises free space the bitmap does not
 * have, the byte and page counters agree with the bitmaps, and every chunk sits on the list its
 * state implies. Throws InvariantError naming the broken invariant. Bitmap scans run only over
 * chunks changed since the last check, and their words are not counted as allocator work.
 */
import { InvariantError } from '../allocator.ts';
import { bitmapWeight, findNextBit, findNextZeroBit, testBit } from '../bitops.ts';
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

/** [start, start + len) of the map is clear */
function isClear(w: WorkCounters, map: Uint32Array, start: number, len: number): boolean {
  if (len <= 0) return true;
  return findNextBit(w, map, start + len, start) >= start + len;
}

/** [start, start + len) of the map is all set */
function isSet(w: WorkCounters, map: Uint32Array, start: number, len: number): boolean {
  if (len <= 0) return true;
  return findNextZeroBit(w, map, start + len, start) >= start + len;
}

function checkHintBlock(w: WorkCounters, chunk: BitmapChunk, b: number, base: number, nrBits: number, name: string, edges: boolean): void {
  const md = chunk.md;
  const map = chunk.allocMap;
  const contig = md[b + MD_CONTIG]!;
  const cs = md[b + MD_CONTIG_START]!;
  if (contig < 0 || contig > nrBits) fail(chunk, `${name} contig_hint ${contig} out of range`);
  if (contig > 0 && (cs + contig > nrBits || !isClear(w, map, base + cs, contig))) {
    fail(chunk, `${name} contig_hint ${contig}@${cs} covers allocated bits`);
  }
  const scan = md[b + MD_SCAN]!;
  const ss = md[b + MD_SCAN_START]!;
  if (scan > 0 && (ss + scan > nrBits || !isClear(w, map, base + ss, scan))) {
    fail(chunk, `${name} scan_hint ${scan}@${ss} covers allocated bits`);
  }
  if (scan > contig) fail(chunk, `${name} scan_hint ${scan} exceeds contig_hint ${contig}`);
  const ff = md[b + MD_FIRST_FREE]!;
  if (ff < 0 || ff > nrBits || !isSet(w, map, base, ff)) fail(chunk, `${name} first_free ${ff} skips a free bit`);
  if (edges) {
    const left = md[b + MD_LEFT_FREE]!;
    const right = md[b + MD_RIGHT_FREE]!;
    if (!isClear(w, map, base, left)) fail(chunk, `${name} left_free ${left} covers allocated bits`);
    if (!isClear(w, map, base + nrBits - right, right)) fail(chunk, `${name} right_free ${right} covers allocated bits`);
  }
}

function checkChunkMaps(w: WorkCounters, state: PcpuState, chunk: BitmapChunk): void {
  const bb = state.blockBits;
  const used = bitmapWeight(w, chunk.allocMap, chunk.mapBits);
  const free = (chunk.mapBits - used) * PCPU_MIN_ALLOC_SIZE;
  if (free !== chunk.freeBytes) fail(chunk, `free_bytes ${chunk.freeBytes} but the bitmap has ${free} free`);

  let emptyPop = 0;
  for (let i = 0; i < chunk.nrBlocks; i++) {
    const b = i * MD_STRIDE;
    checkHintBlock(w, chunk, b, i * bb, bb, `block ${i}`, true);
    const empty = isClear(w, chunk.allocMap, i * bb, bb);
    if ((chunk.md[b + MD_CONTIG] === bb) !== empty) fail(chunk, `block ${i} contig_hint says ${empty ? 'not ' : ''}empty`);
    if (empty && testBit(chunk.populated, i)) emptyPop++;
  }
  checkHintBlock(w, chunk, chunk.chunkMd, 0, chunk.mapBits, 'chunk_md', false);

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
export function checkInvariants(state: PcpuState, sizeSum: number): void {
  const w = newWorkCounters();
  let emptyPop = 0;
  let populated = Math.floor(sizeSum / state.pageSize);
  let onLists = 0;
  for (const chunk of state.chunks) {
    if (!chunk) continue;
    if (chunk.dirty) {
      checkChunkMaps(w, state, chunk);
      chunk.dirty = false;
    }
    checkChunkList(state, chunk);
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
