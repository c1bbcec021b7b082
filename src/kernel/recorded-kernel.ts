/**
 * What an allocator offers a verified replay of a real kernel's capture: the kernel decides
 * every allocation, then its recorded placement becomes the allocator's state. Chunks come and
 * go only where the capture says, and areas can be allocated at a given offset through the
 * allocator's own area-allocation path, so the hints evolve as the kernel's did.
 */

/** the chunk-wide hint fields `chunkHints` writes, in order (bits, but free_bytes) */
export const CHUNK_HINT_FIELDS = [
  'free_bytes',
  'contig_hint',
  'contig_hint_start',
  'scan_hint',
  'scan_hint_start',
  'first_free',
  'left_free',
  'right_free',
] as const;

export interface RecordedKernel {
  /** from now on no chunk is created or destroyed but through createChunk / destroyChunk */
  followRecordedChunkLife(): void;
  /** a new chunk, as pcpu_alloc or the balance work makes one; its id, or -1 when the backend has no room */
  createChunk(): number;
  /**
   * the balance work's destruction of one fully free chunk (depopulated, destroyed); false, and
   * nothing done, when the chunk does not exist or is not fully free
   */
  destroyChunk(chunkId: number): boolean;
  /**
   * allocates `size` bytes at byte `off` of the chunk as pcpu_alloc_area does once it has found
   * the spot (maps, first_free, hints, slot), then populates the pages it covers as pcpu_alloc
   * does; false, and nothing done, when the area is not free or not in the chunk. With `traced`,
   * the placement is also a request the run's trace shows (percpu_alloc_percpu, as recorded)
   */
  allocAt(chunkId: number, off: number, size: number, traced?: TracedRequest): boolean;
  /** pcpu_free_area of the allocation at byte `off` (no tracepoint, no balance decision) */
  freeArea(chunkId: number, off: number): void;
  /** bytes the chunk's maps cover (0 when it does not exist) */
  chunkBytes(chunkId: number): number;
  /** the chunk's hints into `out` (CHUNK_HINT_FIELDS order); false when it does not exist */
  chunkHints(chunkId: number, out: Int32Array): boolean;
}

/** what percpu_alloc_percpu prints of a request placed by allocAt */
export interface TracedRequest {
  reserved: boolean;
  atomic: boolean;
  align: number;
  accounted: boolean;
}
