/**
 * Order-0 pages per NUMA node, as alloc_pages_node / __free_page see them. Each node has a
 * fixed number of pages; an optional global budget caps the pages outstanding in total.
 *
 * With node fallback on (the kernel's behaviour without __GFP_THISNODE), a request for an
 * exhausted node takes a page from the nearest node that has one (smallest SLIT distance,
 * lowest node number on ties). The allocator frees by the node it asked for; a page that was
 * taken elsewhere is given back first (from the farthest lending node first), so the pages
 * in use per node stay exact whatever the order of frees.
 */
export class PagePools {
  /** pages in use per node (where the page physically is) */
  readonly inUse: Float64Array;
  /** pages that each node's requests took from other nodes: [requested × actual] */
  private readonly borrowed: Float64Array;
  /** per requested node, the sum of its row of `borrowed` */
  private readonly borrowedTotal: Float64Array;
  /** per requested node, the other nodes in fallback order */
  private readonly fallback: number[][];
  /** pages in use per requested node (wherever they physically are) */
  private readonly requested: Float64Array;
  private total = 0;
  /** most pages ever in use at once */
  peak = 0;
  /** bumped whenever a borrowed page is taken or given back: where requests' pages live changed */
  placementVersion = 0;

  constructor(
    private readonly pagesPerNode: readonly number[],
    distance: readonly (readonly number[])[],
    private readonly budget: number | null,
    private readonly nodeFallback: boolean,
  ) {
    const n = pagesPerNode.length;
    this.inUse = new Float64Array(n);
    this.borrowed = new Float64Array(n * n);
    this.borrowedTotal = new Float64Array(n);
    this.requested = new Float64Array(n);
    this.fallback = pagesPerNode.map((_, a) =>
      pagesPerNode
        .map((_, b) => b)
        .filter((b) => b !== a)
        .sort((x, y) => distance[a]![x]! - distance[a]![y]! || x - y),
    );
  }

  get nrNodes(): number {
    return this.pagesPerNode.length;
  }

  /** pages in use on every node together */
  get totalInUse(): number {
    return this.total;
  }

  freeOn(node: number): number {
    return this.pagesPerNode[node]! - this.inUse[node]!;
  }

  /** One page for a request on `node`: the node it came from, or -1 when none can be had. */
  alloc(node: number): number {
    if (this.budget !== null && this.total >= this.budget) return -1;
    let from = -1;
    if (this.freeOn(node) > 0) from = node;
    else if (this.nodeFallback) {
      for (const b of this.fallback[node]!) {
        if (this.freeOn(b) > 0) {
          from = b;
          break;
        }
      }
    }
    if (from < 0) return -1;
    this.inUse[from]!++;
    this.requested[node]!++;
    if (from !== node) {
      this.borrowed[node * this.nrNodes + from]!++;
      this.borrowedTotal[node]!++;
      this.placementVersion++;
    }
    this.total++;
    if (this.total > this.peak) this.peak = this.total;
    return from;
  }

  /** Gives back one page that a request on `node` obtained; returns the node it returns to. */
  free(node: number): number {
    const n = this.nrNodes;
    let to = node;
    if (this.borrowedTotal[node]! > 0) {
      // pages borrowed from the farthest fallback node go back first
      const order = this.fallback[node]!;
      for (let i = order.length - 1; i >= 0; i--) {
        const b = order[i]!;
        if (this.borrowed[node * n + b]! > 0) {
          this.borrowed[node * n + b]!--;
          this.borrowedTotal[node]!--;
          this.placementVersion++;
          to = b;
          break;
        }
      }
    }
    if (this.inUse[to]! <= 0) throw new RangeError(`page freed on node ${node} but none is in use there`);
    this.inUse[to]!--;
    this.requested[node]!--;
    this.total--;
    return to;
  }

  /** the share of the pages requested for `node` (and in use) that sit on `on` (1 on its own node when it has none) */
  shareOn(node: number, on: number): number {
    const req = this.requested[node]!;
    if (req <= 0) return node === on ? 1 : 0;
    const away = this.borrowedTotal[node]!;
    return node === on ? (req - away) / req : this.borrowed[node * this.nrNodes + on]! / req;
  }
}
