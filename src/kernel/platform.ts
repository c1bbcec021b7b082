/**
 * What an allocator may ask of the machine, and where it reports the work it does.
 *
 * The kernel layer (src/kernel/**) imports nothing but this file's types from outside
 * itself. The hardware model (src/hw/) implements `Platform`; it alone turns the work the
 * allocator reports into modeled time. The allocator never computes time.
 *
 * Addresses are synthetic numbers handed out by the platform (`metaAlloc`, `getVmAreas`);
 * they only need to be stable and distinct so a cache model can be fed with them.
 */

/**
 * Work done, in the kernel's own terms. Plain mutable numbers: the allocator bumps them
 * directly on its hot paths (no call, no allocation). The platform owns the object; the
 * engine snapshots it around operations.
 */
export interface WorkCounters {
  /** bitmap words (32-bit) read while searching alloc/bound/populated bitmaps */
  bitmapWordsScanned: number;
  /** bitmap searches made (find_next_bit, find_next_zero_bit, find_last_bit calls): each has a fixed cost beyond its words */
  bitmapSearches: number;
  /** per-block metadata records (pcpu_block_md) read */
  blockMdRead: number;
  /** per-block metadata records written */
  blockMdWritten: number;
  /** area-map entries examined (v4.13) */
  mapEntriesScanned: number;
  /** bytes moved by memmove (v4.13 map inserts and removals, map extension copies) */
  bytesMoved: number;
  /** area-map extensions (v4.13 pcpu_extend_area_map) */
  mapExtensions: number;
  /** frees whose chunk was found by walking the page tables (pcpu_chunk_addr_search on a vmalloc address) */
  chunkPageLookups: number;
  /** chunk list moves (list_move / list_move_tail) */
  listMoves: number;
  /** bytes zeroed in each unit by successful allocations (multiply by units for the total) */
  bytesZeroedPerUnit: number;
  /** pages populated, counted per unit (one per page per possible CPU) */
  pagesPopulated: number;
  /** pages depopulated, counted per unit */
  pagesDepopulated: number;
  /** TLB flushes requested (flush_tlb_kernel_range calls) */
  tlbFlushes: number;
  chunksCreated: number;
  chunksDestroyed: number;
  /** kernel warnings printed (illegal requests, allocation failures; subject to warn_limit) */
  warnings: number;
  /** allocations that returned NULL, whatever the reason */
  failedAllocs: number;
}

export function newWorkCounters(): WorkCounters {
  return {
    bitmapWordsScanned: 0,
    bitmapSearches: 0,
    blockMdRead: 0,
    blockMdWritten: 0,
    mapEntriesScanned: 0,
    bytesMoved: 0,
    mapExtensions: 0,
    chunkPageLookups: 0,
    listMoves: 0,
    bytesZeroedPerUnit: 0,
    pagesPopulated: 0,
    pagesDepopulated: 0,
    tlbFlushes: 0,
    chunksCreated: 0,
    chunksDestroyed: 0,
    warnings: 0,
    failedAllocs: 0,
  };
}

export type WorkCounterName = keyof WorkCounters;

/**
 * The narrow interface between a faithful allocator and the machine it runs on.
 * Every method is cheap to call; a platform without a cost model makes the
 * `touch*` and `zeroUnits` calls no-ops.
 */
export interface Platform {
  /** counters the allocator bumps directly */
  readonly work: WorkCounters;

  // --- memory: order-0 pages (alloc_pages_node / __free_page) ---
  /** one page on `node`; false when the node (or the page budget) is exhausted */
  allocPage(node: number): boolean;
  freePage(node: number): void;

  // --- vmalloc space (pcpu_get_vm_areas / pcpu_free_vm_areas) ---
  /**
   * Congruent vm areas, one per group, at `groupOffsets[g]` from a common base, each
   * `groupSizes[g]` bytes, the base aligned to `align`. Returns the base address of area 0
   * minus groupOffsets[0] (the chunk's base_addr), or -1 when vmalloc space is exhausted.
   */
  getVmAreas(groupOffsets: readonly number[], groupSizes: readonly number[], align: number): number;
  freeVmAreas(baseAddr: number): void;
  /**
   * The first chunk's memory (pcpu_embed_first_chunk: memblock in the linear map, one area
   * per group at `groupOffsets[g]`, `groupSizes[g]` bytes). Returns its base address. It is
   * not vmalloc space and is never freed.
   */
  embedFirstChunk(groupOffsets: readonly number[], groupSizes: readonly number[], align: number): number;
  /** pages mapped into units (vmap_pages_range_noflush), counted by the platform */
  mapPages(nrUnits: number, nrPages: number): void;
  /** pages unmapped from units */
  unmapPages(nrUnits: number, nrPages: number): void;
  /** vmalloc_to_page(addr): the page-table walk and the struct page read that find a vmalloc address's page */
  vmallocToPage(addr: number): void;
  /** flush_tlb_kernel_range over [start, end) virtual addresses */
  flushTlbKernelRange(start: number, end: number): void;

  // --- metadata (kzalloc / vzalloc of chunk structures, bitmaps, maps) ---
  /** a zeroed metadata buffer; returns its synthetic address */
  metaAlloc(bytes: number): number;
  metaFree(addr: number, bytes: number): void;
  /** a metadata range was read (addresses for the cache model) */
  touchRead(addr: number, bytes: number): void;
  /** a metadata range was written */
  touchWrite(addr: number, bytes: number): void;

  /** memset(0) of `bytes` at byte offset `off` of a chunk in every possible CPU's unit */
  zeroUnits(baseAddr: number, off: number, bytes: number): void;
}
