/**
 * What v4.14 relies on, checked after operations (tests and `--check`).
 *
 * Only what the kernel keeps exact is checked. Block hints never promise more than the block's
 * bitmap holds. The chunk hint (`contig_bits` at `contig_bits_start`) can, and the recorded
 * kernel runs show it: a free that extends the hinted run leftwards inside one block leaves the
 * recorded start where it was (pcpu_chunk_update only takes bigger runs), and a later
 * allocation that starts left of that start but overlaps the run does not trigger a rescan
 * (v4.14 rescans only when the allocation *starts* inside the hint), so the hint keeps a size
 * the chunk no longer has, possibly more than its free bytes, and may even reach past the map.
 * The per-chunk empty-page count is recomputed only on a chunk rescan, so it is not compared
 * with the bitmap either.
 *
 * Bitmap work is limited to the blocks touched since the last check (chunk.dirtyLo..dirtyHi);
 * the checker keeps its own count of allocated bits per block and counts its reads apart from
 * the allocator's work.
 */
import { InvariantError } from '../allocator.ts';
import { findNextZeroBit, popcount32, testBit } from '../bitops.ts';
import { RangeProbe, checkFreeTail, checkHintBlock } from '../bitmap/invariants.ts';
import type { BitmapChunk } from './chunk.ts';
import { MD_CONTIG, MD_CONTIG_START, MD_FIRST_FREE, MD_LEFT_FREE, MD_RIGHT_FREE, MD_STRIDE, contigBits, firstBit } from './chunk.ts';
import { PCPU_MIN_ALLOC_SIZE } from './constants.ts';
import { chunkSlot } from './slots.ts';
import { entryOf } from '../bitmap/state.ts';
import type { PcpuV414 } from './state.ts';

function fail(c: BitmapChunk | null, what: string): never {
  throw new InvariantError(c ? `bitmap-v4.14 chunk ${c.id}: ${what}` : `bitmap-v4.14: ${what}`);
}

/** allocated bits in block i */
function blockUsedBits(c: BitmapChunk, i: number, bb: number): number {
  const w0 = (i * bb) >>> 5;
  const w1 = w0 + (bb >>> 5);
  let used = 0;
  for (let k = w0; k < w1; k++) used += popcount32(c.allocMap[k]!);
  return used;
}

/**
 * block hints never promise more than the block's bitmap holds (the modern checker's per-block
 * probe), and v4.14's records stay within the block with edge runs no longer than the contig hint
 */
function checkBlock(probe: RangeProbe, c: BitmapChunk, i: number, bb: number): void {
  const md = c.md;
  const b = i * MD_STRIDE;
  const ch = md[b + MD_CONTIG]!;
  const cs = md[b + MD_CONTIG_START]!;
  const left = md[b + MD_LEFT_FREE]!;
  const right = md[b + MD_RIGHT_FREE]!;
  const ff = md[b + MD_FIRST_FREE]!;
  if (ch < 0 || ch > bb || (ch > 0 && (cs < 0 || cs + ch > bb))) fail(c, `block ${i} contig_hint ${ch}@${cs} outside the block`);
  if (left < 0 || left > ch) fail(c, `block ${i} left_free ${left} wrong (contig_hint ${ch})`);
  if (right < 0 || right > ch) fail(c, `block ${i} right_free ${right} wrong (contig_hint ${ch})`);
  if (ff < 0 || ff > bb) fail(c, `block ${i} first_free ${ff} outside the block`);
  checkHintBlock(probe, c, b, i * bb, bb, `block ${i}`, true);
}

function checkChunk(p: PcpuV414, c: BitmapChunk): void {
  const w = p.checkerWork;
  const bb = p.blockBits;
  let used = c.checkedUsed;
  if (!used) {
    used = c.checkedUsed = new Int32Array(c.nrBlocks);
    c.markDirty(0, c.nrBlocks - 1);
  }
  for (let i = c.dirtyLo; i <= c.dirtyHi; i++) used[i] = blockUsedBits(c, i, bb);
  const probe = new RangeProbe(w, c, used, bb);
  for (let i = c.dirtyLo; i <= c.dirtyHi; i++) checkBlock(probe, c, i, bb);
  c.dirtyLo = c.nrBlocks;
  c.dirtyHi = -1;
  checkFreeTail(c, bb);

  let usedBits = 0;
  const first = firstBit(c);
  const firstBlock = Math.floor(first / bb);
  for (let i = 0; i < c.nrBlocks; i++) {
    if (i < firstBlock && used[i] !== bb) fail(c, `a free bit lies below first_bit ${first}`);
    usedBits += used[i]!;
  }
  const free = (c.mapBits - usedBits) * PCPU_MIN_ALLOC_SIZE;
  if (c.freeBytes !== free) fail(c, `free_bytes ${c.freeBytes} but the bitmap has ${free} free`);
  if (first < 0 || first > c.mapBits) fail(c, `first_bit ${first} outside the map`);
  if (firstBlock < c.nrBlocks && findNextZeroBit(w, c.allocMap, first, firstBlock * bb) < first) {
    fail(c, `a free bit lies below first_bit ${first}`);
  }
  // the chunk hint itself is not checked against the bitmap: see the file comment
  const contig = contigBits(c);
  if (contig < 0 || contig > c.mapBits) fail(c, `contig_bits ${contig} larger than the map`);

  if (c.popDirty) {
    let pop = 0;
    for (let k = 0; k < c.populated.length; k++) pop += popcount32(c.populated[k]!);
    if (pop !== c.nrPopulated) fail(c, `nr_populated ${c.nrPopulated} but ${pop} pages are marked populated`);
    if (c.immutable && pop !== c.nrPages) fail(c, 'an immutable chunk has unpopulated pages');
    c.popDirty = false;
  }
  for (let i = 0; i < c.nrBlocks; i++) {
    if (used[i] !== 0 && !testBit(c.populated, i)) fail(c, `block ${i} has allocations on an unpopulated page`);
  }
  if (c.nrEmptyPopPages < 0 || c.nrEmptyPopPages > c.nrPopulated) {
    fail(c, `nr_empty_pop_pages ${c.nrEmptyPopPages} outside 0..${c.nrPopulated}`);
  }

  const list = p.lists.listOf(entryOf(c));
  if (c === p.reserved) {
    if (c.id !== -1) fail(c, 'the reserved chunk must have id -1');
  } else if (list !== chunkSlot(p, c)) {
    fail(c, `on list ${list} but its free bytes and contig_bits put it on slot ${chunkSlot(p, c)}`);
  }
}

/** the checks the v4.14 hint code relies on (see the file comment for what is left out) */
export function checkInvariantsV414(p: PcpuV414): void {
  let live = 0;
  let emptyPages = 0;
  // by list entry: the reserved chunk first
  for (const c of p.chunks) {
    if (!c) continue;
    if (c !== p.reserved) {
      live++;
      emptyPages += c.nrEmptyPopPages;
    }
    checkChunk(p, c);
  }
  if (live !== p.nrChunks) fail(null, `nr_chunks ${p.nrChunks} but ${live} chunks are live`);
  if (emptyPages !== p.nrEmptyPopPages) fail(null, `pcpu_nr_empty_pop_pages ${p.nrEmptyPopPages} but the chunks hold ${emptyPages}`);
}
