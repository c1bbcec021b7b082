/**
 * The metadata buffers of a bitmap chunk (pcpu_alloc_chunk / pcpu_free_chunk): the struct with
 * its populated bitmap, the allocation and boundary maps, the hint blocks. Every version sizes
 * the maps the same way (BITS_TO_LONGS in 8-byte longs); the struct and block-record sizes, and
 * whether the hint blocks are freed at all, are the version's own.
 */
import type { Platform } from '../platform.ts';
import type { BitmapChunk } from './chunk.ts';
import { objExtsBytes } from '../memcg.ts';

export interface ChunkMetaSizes {
  /** sizeof(struct pcpu_chunk) up to populated[] */
  readonly structBytes: number;
  /** sizeof(struct pcpu_block_md) */
  readonly blockMdBytes: number;
  /** pcpu_free_chunk frees md_blocks (v4.14 forgot to) */
  readonly freesBlockMd: boolean;
}

/** BITS_TO_LONGS(bits) * sizeof(long) */
const longBytes = (bits: number): number => Math.ceil(bits / 64) * 8;

/**
 * the allocation half of pcpu_alloc_chunk: struct, alloc map, bound map, hint blocks, and with
 * memcg accounting on (need_pcpuobj_ext) the obj_exts array, one 8-byte record per granule
 */
export function allocChunkMeta(platform: Platform, chunk: BitmapChunk, sizes: ChunkMetaSizes, objExts = false): void {
  chunk.metaAddr = platform.metaAlloc(sizes.structBytes + longBytes(chunk.nrPages));
  chunk.allocMapAddr = platform.metaAlloc(longBytes(chunk.mapBits));
  chunk.boundMapAddr = platform.metaAlloc(longBytes(chunk.mapBits + 1));
  chunk.mdAddr = platform.metaAlloc(chunk.nrBlocks * sizes.blockMdBytes);
  if (objExts) {
    chunk.objExtsAddr = platform.metaAlloc(objExtsBytes(chunk.mapBits));
    chunk.objExts = new Int32Array(chunk.mapBits);
  }
}

/** mirrors pcpu_free_chunk: obj_exts, hint blocks (if the version frees them), bound map, alloc map, struct */
export function freeChunkMeta(platform: Platform, chunk: BitmapChunk, sizes: ChunkMetaSizes): void {
  if (chunk.objExts) platform.metaFree(chunk.objExtsAddr, objExtsBytes(chunk.mapBits));
  if (sizes.freesBlockMd) platform.metaFree(chunk.mdAddr, chunk.nrBlocks * sizes.blockMdBytes);
  platform.metaFree(chunk.boundMapAddr, longBytes(chunk.mapBits + 1));
  platform.metaFree(chunk.allocMapAddr, longBytes(chunk.mapBits));
  platform.metaFree(chunk.metaAddr, sizes.structBytes + longBytes(chunk.nrPages));
}
