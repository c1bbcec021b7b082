/**
 * One chunk of the modern bitmap allocator (struct pcpu_chunk in mm/percpu-internal.h):
 * allocation and boundary bitmaps, per-page hint blocks plus the chunk-wide hint block,
 * the populated-page bitmap and its counters. All state is in typed arrays sized at creation.
 */
import { bitmapWords } from '../bitops.ts';

/**
 * A hint block (struct pcpu_block_md) is MD_STRIDE consecutive ints of `BitmapChunk.md`;
 * a block is named by the index of its first int.
 */
export const MD_SCAN = 0;
export const MD_SCAN_START = 1;
export const MD_CONTIG = 2;
export const MD_CONTIG_START = 3;
export const MD_LEFT_FREE = 4;
export const MD_RIGHT_FREE = 5;
export const MD_FIRST_FREE = 6;
export const MD_NR_BITS = 7;
export const MD_STRIDE = 8;

/** bytes of a struct pcpu_block_md (eight ints), for metadata accounting */
export const MD_BYTES = 32;

// an exported const is checked again on every read, even here; the hot loop below uses copies
const STRIDE = MD_STRIDE;
const LEFT_FREE = MD_LEFT_FREE;

export class BitmapChunk {
  /** -1 reserved, 0 first, 1.. created (never reused) */
  readonly id: number;
  baseAddr = 0;
  readonly nrPages: number;
  /** bits in the allocation map (pcpu_chunk_map_bits) */
  readonly mapBits: number;
  /** hint blocks, one per page (pcpu_chunk_nr_blocks) */
  readonly nrBlocks: number;
  readonly allocMap: Uint32Array;
  /** mapBits + 1 bits: a set bit starts (or ends) an allocation */
  readonly boundMap: Uint32Array;
  readonly populated: Uint32Array;
  /** the per-page hint blocks, then chunk_md */
  readonly md: Int32Array;
  /** index of chunk_md in `md` */
  readonly chunkMd: number;

  freeBytes = 0;
  nrPopulated = 0;
  nrEmptyPopPages = 0;
  /** first and reserved chunks: pages are never populated or depopulated */
  immutable = false;
  /** on the to_depopulate or sidelined list; its empty pages are not counted globally */
  isolated = false;
  /** hidden head and tail of first-chunk regions, in bytes */
  startOffset = 0;
  endOffset = 0;

  /** obj_exts: the objcg of the object starting at each granule (0 none); null without memcg accounting, and for the first and reserved chunks */
  objExts: Int32Array | null = null;

  /** synthetic metadata addresses (struct, alloc map, bound map, hint blocks, obj_exts) */
  metaAddr = 0;
  allocMapAddr = 0;
  boundMapAddr = 0;
  mdAddr = 0;
  objExtsAddr = 0;

  /**
   * Every block from here to the end has left_free equal to a whole block, by its hints. The
   * chunk-level walks add such blocks up without reading them one by one (and still count the
   * reads the kernel makes). Kept true by noteBlocksWritten after every hint update of blocks.
   */
  freeTail = 0;

  /** hint blocks whose bits or hints changed since the invariant checker last looked (lo > hi: none) */
  dirtyLo = 0;
  dirtyHi: number;
  /** populated pages changed since the invariant checker last looked */
  popDirty = true;
  /** the invariant checker's count of allocated bits per block (null until it first looks) */
  checkedUsed: Int32Array | null = null;

  constructor(id: number, nrPages: number, blockBits: number) {
    this.id = id;
    this.nrPages = nrPages;
    this.nrBlocks = nrPages;
    this.mapBits = nrPages * blockBits;
    this.allocMap = new Uint32Array(bitmapWords(this.mapBits));
    this.boundMap = new Uint32Array(bitmapWords(this.mapBits + 1));
    this.populated = new Uint32Array(bitmapWords(nrPages));
    this.md = new Int32Array((this.nrBlocks + 1) * MD_STRIDE);
    this.chunkMd = this.nrBlocks * MD_STRIDE;
    this.dirtyHi = this.nrBlocks - 1;
    this.initMdBlocks(blockBits);
  }

  /** note that blocks lo..hi changed (for the invariant checker) */
  markDirty(lo: number, hi: number): void {
    if (lo < this.dirtyLo) this.dirtyLo = lo;
    if (hi > this.dirtyHi) this.dirtyHi = hi;
  }

  /** keeps freeTail true after the hints of blocks lo..hi were rewritten */
  noteBlocksWritten(lo: number, hi: number, blockBits: number): void {
    let t = this.freeTail;
    if (hi < t - 1) return;
    const md = this.md;
    for (let j = hi; j >= lo && j >= t; j--) {
      if (md[j * STRIDE + LEFT_FREE] !== blockBits) {
        t = j + 1;
        break;
      }
    }
    while (t > 0 && md[(t - 1) * STRIDE + LEFT_FREE] === blockBits) t--;
    this.freeTail = t;
  }

  /** index in `md` of block `i` */
  block(i: number): number {
    return i * MD_STRIDE;
  }

  /** mirrors pcpu_init_md_blocks: every block and chunk_md fully free */
  private initMdBlocks(blockBits: number): void {
    for (let i = 0; i < this.nrBlocks; i++) initMdBlock(this.md, i * MD_STRIDE, blockBits);
    initMdBlock(this.md, this.chunkMd, this.mapBits);
  }
}

/** mirrors pcpu_init_md_block (the *_start fields stay as zeroed memory left them) */
export function initMdBlock(md: Int32Array, b: number, nrBits: number): void {
  md[b + MD_SCAN] = 0;
  md[b + MD_CONTIG] = nrBits;
  md[b + MD_LEFT_FREE] = nrBits;
  md[b + MD_RIGHT_FREE] = nrBits;
  md[b + MD_FIRST_FREE] = 0;
  md[b + MD_NR_BITS] = nrBits;
}
