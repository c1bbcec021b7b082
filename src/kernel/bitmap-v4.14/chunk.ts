/**
 * struct pcpu_chunk of v4.14: the allocation and boundary bitmaps, the populated-page bitmap,
 * per-block hint records (struct pcpu_block_md without scan hints, as five parallel Int32Arrays)
 * and the chunk-wide hints, which in v4.14 are plain fields (`contig_bits`, `contig_bits_start`,
 * `first_bit`) rather than a block record.
 *
 * Everything is sized once, when the chunk is made. Metadata addresses come from the platform
 * so a cache model can follow the touches.
 */
import { bitmapWords } from '../bitops.ts';
import type { Platform } from '../platform.ts';
import { BLOCK_MD_BYTES, CHUNK_STRUCT_BYTES } from './constants.ts';

export class ChunkV414 {
  /** -1 reserved, 0 first, 1.. created (never reused) */
  readonly id: number;
  /** pages served (first/reserved chunk: the page-aligned region; others: unit pages) */
  readonly nrPages: number;
  /** pcpu_chunk_map_bits */
  readonly mapBits: number;
  /** pcpu_chunk_nr_blocks (a block is one page) */
  readonly nrBlocks: number;
  /** PCPU_BITMAP_BLOCK_BITS */
  readonly blockBits: number;

  baseAddr = 0;
  /** hidden head and tail of the first and reserved chunks, in bytes */
  startOffset = 0;
  endOffset = 0;
  /** first and reserved chunks: never populated or depopulated */
  immutable = false;

  freeBytes: number;
  /** chunk contig hint (v4.14 keeps it as plain fields) */
  contigBits: number;
  contigBitsStart = 0;
  /** no free bit below this */
  firstBit = 0;

  nrPopulated = 0;
  nrEmptyPopPages = 0;

  readonly allocMap: Uint32Array;
  /** mapBits + 1 bits: a set bit starts an allocation and marks the end of the previous one */
  readonly boundMap: Uint32Array;
  readonly populated: Uint32Array;

  // struct pcpu_block_md, one entry per block
  readonly mdContigHint: Int32Array;
  readonly mdContigHintStart: Int32Array;
  readonly mdLeftFree: Int32Array;
  readonly mdRightFree: Int32Array;
  readonly mdFirstFree: Int32Array;

  // synthetic metadata addresses (for touches)
  readonly structAddr: number;
  readonly allocMapAddr: number;
  readonly boundMapAddr: number;
  readonly mdAddr: number;

  /** the invariant checker's per-block free-bit counts as of its last look (null until then) */
  checkedFreeBits: Int32Array | null = null;
  /** blocks touched since the invariant checker last looked: [dirtyLo, dirtyHi) */
  dirtyLo: number;
  dirtyHi = 0;

  /** mirrors pcpu_alloc_chunk (and the allocation half of pcpu_alloc_first_chunk) */
  constructor(platform: Platform, id: number, nrPages: number, pageSize: number, minAllocShift: number) {
    this.id = id;
    this.nrPages = nrPages;
    this.blockBits = pageSize >>> minAllocShift;
    this.mapBits = nrPages * this.blockBits;
    this.nrBlocks = nrPages;
    this.allocMap = new Uint32Array(bitmapWords(this.mapBits));
    this.boundMap = new Uint32Array(bitmapWords(this.mapBits + 1));
    this.populated = new Uint32Array(bitmapWords(nrPages));
    this.mdContigHint = new Int32Array(nrPages);
    this.mdContigHintStart = new Int32Array(nrPages);
    this.mdLeftFree = new Int32Array(nrPages);
    this.mdRightFree = new Int32Array(nrPages);
    this.mdFirstFree = new Int32Array(nrPages);
    // kernel longs are 8 bytes: metadata sizes as the kernel allocates them
    this.structAddr = platform.metaAlloc(CHUNK_STRUCT_BYTES + 8 * Math.ceil(nrPages / 64));
    this.allocMapAddr = platform.metaAlloc(8 * Math.ceil(this.mapBits / 64));
    this.boundMapAddr = platform.metaAlloc(8 * Math.ceil((this.mapBits + 1) / 64));
    this.mdAddr = platform.metaAlloc(BLOCK_MD_BYTES * nrPages);
    this.initMdBlocks();
    this.contigBits = this.mapBits;
    this.freeBytes = nrPages * pageSize;
    this.dirtyLo = 0;
    this.dirtyHi = this.nrBlocks;
  }

  /** mirrors pcpu_init_md_blocks: every block fully free (starts and first_free stay zero) */
  private initMdBlocks(): void {
    this.mdContigHint.fill(this.blockBits);
    this.mdLeftFree.fill(this.blockBits);
    this.mdRightFree.fill(this.blockBits);
  }

  /** mirrors pcpu_free_chunk, which in v4.14 never frees md_blocks (a leak, kept faithfully) */
  freeMetadata(platform: Platform): void {
    platform.metaFree(this.boundMapAddr, 8 * Math.ceil((this.mapBits + 1) / 64));
    platform.metaFree(this.allocMapAddr, 8 * Math.ceil(this.mapBits / 64));
    platform.metaFree(this.structAddr, CHUNK_STRUCT_BYTES + 8 * Math.ceil(this.nrPages / 64));
  }

  /** note blocks [lo, hi) as changed, for the incremental invariant checker */
  markDirty(lo: number, hi: number): void {
    if (lo < this.dirtyLo) this.dirtyLo = lo;
    if (hi > this.dirtyHi) this.dirtyHi = hi;
  }
}
