/**
 * struct pcpu_chunk of v4.14, kept in the modern port's chunk storage (`BitmapChunk`): the same
 * allocation, boundary and populated bitmaps, and one hint record per block.
 *
 * What v4.14 lays out differently is only a naming of the same storage:
 * - its struct pcpu_block_md has contig_hint, contig_hint_start, left_free, right_free and
 *   first_free, and no scan hint or nr_bits: those two ints of each record stay unused;
 * - its chunk-wide hints are plain fields, `contig_bits`, `contig_bits_start` and `first_bit`,
 *   held here in the chunk record (`chunkMd`) as contig, contig start and first free.
 *
 * Metadata is accounted at v4.14's sizes (20-byte block records, a smaller struct).
 */
import * as shared from '../bitmap/chunk.ts';
import { BitmapChunk } from '../bitmap/chunk.ts';
import { allocChunkMeta, freeChunkMeta, type ChunkMetaSizes } from '../bitmap/chunk-meta.ts';
import type { Platform } from '../platform.ts';
import { BLOCK_MD_BYTES, CHUNK_STRUCT_BYTES } from './constants.ts';

// an imported binding is checked on every read (an accessor call under vitest): hot paths use module-level copies
const { MD_CONTIG, MD_CONTIG_START, MD_FIRST_FREE } = shared;

export { BitmapChunk, MD_CONTIG, MD_CONTIG_START, MD_FIRST_FREE, MD_LEFT_FREE, MD_RIGHT_FREE, MD_STRIDE } from '../bitmap/chunk.ts';

/** chunk.contig_bits */
export function contigBits(c: BitmapChunk): number {
  return c.md[c.chunkMd + MD_CONTIG]!;
}

/** chunk.contig_bits_start */
export function contigBitsStart(c: BitmapChunk): number {
  return c.md[c.chunkMd + MD_CONTIG_START]!;
}

/** chunk.first_bit: no free bit below it */
export function firstBit(c: BitmapChunk): number {
  return c.md[c.chunkMd + MD_FIRST_FREE]!;
}

export function setFirstBit(c: BitmapChunk, bit: number): void {
  c.md[c.chunkMd + MD_FIRST_FREE] = bit;
}

/** v4.14's metadata sizes: a smaller struct, 20-byte block records, and md_blocks never freed */
const META_SIZES: ChunkMetaSizes = { structBytes: CHUNK_STRUCT_BYTES, blockMdBytes: BLOCK_MD_BYTES, freesBlockMd: false };

/**
 * mirrors pcpu_alloc_chunk (v4.14): a fully free chunk of `nrPages` pages with contig_bits
 * covering the whole map, first_bit 0, and v4.14-sized metadata buffers
 */
export function allocChunkV414(platform: Platform, id: number, nrPages: number, pageSize: number, blockBits: number): BitmapChunk {
  const c = new BitmapChunk(id, nrPages, blockBits);
  c.freeBytes = nrPages * pageSize;
  allocChunkMeta(platform, c, META_SIZES);
  return c;
}

/** mirrors pcpu_free_chunk (v4.14), which never frees md_blocks: a leak, kept faithfully */
export function freeChunkV414(platform: Platform, c: BitmapChunk): void {
  freeChunkMeta(platform, c, META_SIZES);
}
