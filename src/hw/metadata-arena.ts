/**
 * Synthetic addresses for allocator metadata (kzalloc / vzalloc buffers), one arena per
 * NUMA node so that a cache miss can be charged at the right distance: the node of an
 * address is a division away. Freed buffers are reused by later requests of the same
 * rounded size (like a slab cache), which keeps cache behaviour realistic.
 */

/** metadata lives in [META_BASE, META_BASE + 2^40), below the vmalloc space */
export const META_BASE = 2 ** 40;
const META_SPAN = 2 ** 40;
/** buffers are rounded up to this and aligned to it (a cache line) */
const GRAIN = 64;

export class MetadataArena {
  private readonly arenaSize: number;
  private readonly next: number[];
  private readonly freeBySize: Map<number, number[]>[];
  /** rounded bytes held per address */
  private readonly held = new Map<number, number>();
  bytesInUse = 0;
  peakBytes = 0;

  constructor(nrNodes: number) {
    this.arenaSize = Math.floor(META_SPAN / nrNodes / GRAIN) * GRAIN;
    this.next = Array.from({ length: nrNodes }, (_, n) => META_BASE + n * this.arenaSize);
    this.freeBySize = Array.from({ length: nrNodes }, () => new Map<number, number[]>());
  }

  /** the node whose arena holds `addr`; -1 for an address outside every arena */
  nodeOf(addr: number): number {
    const n = Math.floor((addr - META_BASE) / this.arenaSize);
    return n >= 0 && n < this.next.length ? n : -1;
  }

  alloc(node: number, bytes: number): number {
    const size = Math.max(GRAIN, Math.ceil(bytes / GRAIN) * GRAIN);
    const reuse = this.freeBySize[node]!.get(size);
    let addr: number;
    if (reuse !== undefined && reuse.length > 0) addr = reuse.pop()!;
    else {
      addr = this.next[node]!;
      if (addr + size > META_BASE + (node + 1) * this.arenaSize) throw new RangeError(`metadata arena of node ${node} is full`);
      this.next[node] = addr + size;
    }
    this.held.set(addr, size);
    this.bytesInUse += bytes;
    if (this.bytesInUse > this.peakBytes) this.peakBytes = this.bytesInUse;
    return addr;
  }

  free(addr: number, bytes: number): void {
    const size = this.held.get(addr);
    if (size === undefined) throw new RangeError(`metadata free of ${addr}, which is not allocated`);
    this.held.delete(addr);
    const node = this.nodeOf(addr);
    const list = this.freeBySize[node]!.get(size);
    if (list) list.push(addr);
    else this.freeBySize[node]!.set(size, [addr]);
    this.bytesInUse -= bytes;
  }
}
