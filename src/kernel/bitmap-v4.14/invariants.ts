/**
 * What v4.14 relies on, checked after operations (tests and `--check`).
 *
 * Only what the kernel keeps exact is checked. Block hints never promise more than the block's
 * bitmap holds. The chunk hint (`contig_bits`) can: after a free that stays inside one block,
 * pcpu_chunk_update records the block's contig size at the freed run's start, which may be
 * neither where that run is nor even inside the map, and later allocations elsewhere leave the
 * stale hint standing, so it can exceed the chunk's free bytes (the recorded kernel runs show
 * all of this). The per-chunk empty-page count is recomputed only on a chunk rescan, so it is
 * not compared with the bitmap either.
 *
 * Bitmap work is limited to the blocks touched since the last check.
 */
import { InvariantError } from '../allocator.ts';
import { findNextBit, findNextZeroBit, popcount32 } from '../bitops.ts';
import type { WorkCounters } from '../platform.ts';
import type { ChunkV414 } from './chunk.ts';
import { PCPU_MIN_ALLOC_SIZE } from './constants.ts';
import { chunkSlot } from './slots.ts';
import type { PcpuV414 } from './state.ts';

function fail(c: ChunkV414 | null, what: string): never {
  throw new InvariantError(c ? `bitmap-v4.14 chunk ${c.id}: ${what}` : `bitmap-v4.14: ${what}`);
}

/** are bits [start, start + len) all clear? */
function isClear(w: WorkCounters, map: Uint32Array, start: number, len: number): boolean {
  return len <= 0 || findNextBit(w, map, start + len, start) >= start + len;
}

/** free bits in block i */
function blockFreeBits(c: ChunkV414, i: number): number {
  const w0 = (i * c.blockBits) >>> 5;
  const w1 = w0 + (c.blockBits >>> 5);
  let used = 0;
  for (let w = w0; w < w1; w++) used += popcount32(c.allocMap[w]!);
  return c.blockBits - used;
}

/** block hints never promise more than the block's bitmap holds, and first_free has nothing free below it */
function checkBlock(w: WorkCounters, c: ChunkV414, i: number): void {
  const bb = c.blockBits;
  const base = i * bb;
  const ch = c.mdContigHint[i]!;
  const cs = c.mdContigHintStart[i]!;
  const left = c.mdLeftFree[i]!;
  const right = c.mdRightFree[i]!;
  const ff = c.mdFirstFree[i]!;
  if (ch < 0 || ch > bb || (ch > 0 && (cs < 0 || cs + ch > bb))) fail(c, `block ${i} contig hint ${ch}@${cs} outside the block`);
  if (!isClear(w, c.allocMap, base + cs, ch)) fail(c, `block ${i} contig hint ${ch}@${cs} covers allocated bits`);
  if (left < 0 || left > ch || !isClear(w, c.allocMap, base, left)) fail(c, `block ${i} left_free ${left} wrong (contig ${ch})`);
  if (right < 0 || right > ch || !isClear(w, c.allocMap, base + bb - right, right)) fail(c, `block ${i} right_free ${right} wrong (contig ${ch})`);
  if (ff < 0 || ff > bb) fail(c, `block ${i} first_free ${ff} outside the block`);
  if (findNextZeroBit(w, c.allocMap, base + bb, base) < base + ff) fail(c, `block ${i} has a free bit below first_free ${ff}`);
  const populated = (c.populated[i >>> 5]! >>> (i & 31)) & 1;
  if (!populated && blockFreeBits(c, i) !== bb) fail(c, `block ${i} has allocations on an unpopulated page`);
}

function checkChunk(p: PcpuV414, c: ChunkV414): void {
  const w = p.checkerWork;
  let cache = c.checkedFreeBits;
  if (!cache) {
    cache = c.checkedFreeBits = new Int32Array(c.nrBlocks);
    c.markDirty(0, c.nrBlocks);
  }
  for (let i = c.dirtyLo; i < c.dirtyHi; i++) {
    checkBlock(w, c, i);
    cache[i] = blockFreeBits(c, i);
  }
  c.dirtyLo = c.nrBlocks;
  c.dirtyHi = 0;

  let freeBits = 0;
  const firstBitBlock = Math.floor(c.firstBit / c.blockBits);
  for (let i = 0; i < c.nrBlocks; i++) {
    if (i === firstBitBlock && freeBits !== 0) fail(c, `a free bit lies below first_bit ${c.firstBit}`);
    freeBits += cache[i]!;
  }
  if (c.freeBytes !== freeBits * PCPU_MIN_ALLOC_SIZE) fail(c, `free_bytes ${c.freeBytes} but the bitmap has ${freeBits * PCPU_MIN_ALLOC_SIZE} free`);
  if (firstBitBlock < c.nrBlocks) {
    const base = firstBitBlock * c.blockBits;
    if (findNextZeroBit(w, c.allocMap, c.firstBit, base) < c.firstBit) fail(c, `a free bit lies below first_bit ${c.firstBit}`);
  }
  // the chunk hint itself is not checked against the bitmap: see the file comment
  if (c.contigBits < 0 || c.contigBits > c.mapBits) fail(c, `contig_bits ${c.contigBits} larger than the map`);

  let pop = 0;
  for (let w = 0; w < c.populated.length; w++) pop += popcount32(c.populated[w]!);
  if (pop !== c.nrPopulated) fail(c, `nr_populated ${c.nrPopulated} but ${pop} pages are marked populated`);
  if (c.immutable && pop !== c.nrPages) fail(c, 'an immutable chunk has unpopulated pages');
  if (c.nrEmptyPopPages < 0 || c.nrEmptyPopPages > c.nrPopulated) fail(c, `nr_empty_pop_pages ${c.nrEmptyPopPages} outside 0..${c.nrPopulated}`);

  const list = p.lists.listOf(c.id);
  if (c === p.reserved) {
    if (c.id !== -1) fail(c, 'the reserved chunk must have id -1');
  } else if (list !== chunkSlot(p, c)) {
    fail(c, `on list ${list} but its free bytes and contig hint put it on slot ${chunkSlot(p, c)}`);
  }
}

/** mirrors the debug checks the kernel's hint code relies on (see the file comment for what is left out) */
export function checkInvariantsV414(p: PcpuV414): void {
  if (p.reserved) checkChunk(p, p.reserved);
  let live = 0;
  let emptyPages = 0;
  for (const c of p.chunks) {
    if (!c) continue;
    live++;
    emptyPages += c.nrEmptyPopPages;
    checkChunk(p, c);
  }
  if (live !== p.nrChunks) fail(null, `nr_chunks ${p.nrChunks} but ${live} chunks are live`);
  if (emptyPages !== p.nrEmptyPopPages) fail(null, `pcpu_nr_empty_pop_pages ${p.nrEmptyPopPages} but the chunks hold ${emptyPages}`);
  if (!p.lists.isEmpty(p.toFreeList)) fail(null, 'chunks left on the balance work\'s to_free list');
}
