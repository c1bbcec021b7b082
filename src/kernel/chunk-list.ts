/**
 * The kernel's chunk slot lists (`pcpu_chunk_lists[]` / `pcpu_slot[]`): circular doubly linked
 * lists with a head per list, holding chunks by a non-negative index the allocator chooses.
 * Operations keep the kernel's names and meaning (list_add puts at the head, list_move_tail at
 * the tail, ...), because the order of chunks on a list decides which chunk serves a request.
 *
 * Storage is two Int32Arrays of links; list heads are nodes 0..nrLists-1 and chunk `c` is node
 * nrLists + c. Capacity grows by doubling when a larger chunk index appears (chunk creation,
 * never an alloc/free path).
 *
 * Iterating safely against moves of the current chunk, as list_for_each_entry_safe does:
 *   for (let c = lists.first(slot), n; c !== -1; c = n) { n = lists.next(c); ... }
 */
export class ChunkLists {
  readonly nrLists: number;
  private nextNode: Int32Array;
  private prevNode: Int32Array;
  /** list each chunk sits on, -1 for none */
  private onList: Int32Array;
  /** chunk index capacity */
  private capacity: number;
  /** one bit per list, set while the list holds a chunk (the allocation paths skip empty slots by it) */
  private readonly occupied: Uint32Array;

  constructor(nrLists: number, initialCapacity = 16) {
    this.nrLists = nrLists;
    this.capacity = Math.max(1, initialCapacity);
    const nodes = nrLists + this.capacity;
    this.nextNode = new Int32Array(nodes);
    this.prevNode = new Int32Array(nodes);
    this.onList = new Int32Array(this.capacity).fill(-1);
    this.occupied = new Uint32Array((nrLists + 31) >>> 5);
    for (let l = 0; l < nrLists; l++) {
      this.nextNode[l] = l;
      this.prevNode[l] = l;
    }
  }

  /** make room for chunk index `c` (INIT_LIST_HEAD of a new chunk: on no list) */
  ensure(c: number): void {
    if (c < this.capacity) return;
    let cap = this.capacity;
    while (cap <= c) cap *= 2;
    const next = new Int32Array(this.nrLists + cap);
    const prev = new Int32Array(this.nrLists + cap);
    next.set(this.nextNode);
    prev.set(this.prevNode);
    const on = new Int32Array(cap).fill(-1);
    on.set(this.onList);
    this.nextNode = next;
    this.prevNode = prev;
    this.onList = on;
    this.capacity = cap;
  }

  /** the list chunk `c` is on, or -1 */
  listOf(c: number): number {
    return c < this.capacity ? this.onList[c]! : -1;
  }

  isEmpty(list: number): boolean {
    return this.nextNode[list] === list;
  }

  /** the first list at or after `from` that holds a chunk, or nrLists when none does */
  nextNonEmpty(from: number): number {
    const occ = this.occupied;
    let w = from >>> 5;
    if (w >= occ.length) return this.nrLists;
    let word = occ[w]! & (0xffffffff << (from & 31));
    while (word === 0) {
      if (++w >= occ.length) return this.nrLists;
      word = occ[w]!;
    }
    return (w << 5) + 31 - Math.clz32(word & -word);
  }

  /** the head entry of `list` (list_first_entry_or_null), or -1 */
  first(list: number): number {
    const n = this.nextNode[list]!;
    return n === list ? -1 : n - this.nrLists;
  }

  /** the tail entry of `list` (list_last_entry), or -1 */
  last(list: number): number {
    const n = this.prevNode[list]!;
    return n === list ? -1 : n - this.nrLists;
  }

  /** the entry after `c` on its list, or -1 at the end */
  next(c: number): number {
    const n = this.nextNode[this.nrLists + c]!;
    return n < this.nrLists ? -1 : n - this.nrLists;
  }

  /** the entry before `c` on its list, or -1 at the start */
  prev(c: number): number {
    const p = this.prevNode[this.nrLists + c]!;
    return p < this.nrLists ? -1 : p - this.nrLists;
  }

  /** entries on `list` (walks it) */
  count(list: number): number {
    let n = 0;
    for (let node = this.nextNode[list]!; node !== list; node = this.nextNode[node]!) n++;
    return n;
  }

  /** mirrors list_add: `c` (on no list) becomes the head of `list` */
  add(c: number, list: number): void {
    this.ensure(c);
    this.insert(this.nrLists + c, list, this.nextNode[list]!);
    this.onList[c] = list;
    this.occupied[list >>> 5] |= 1 << (list & 31);
  }

  /** mirrors list_add_tail: `c` (on no list) becomes the tail of `list` */
  addTail(c: number, list: number): void {
    this.ensure(c);
    this.insert(this.nrLists + c, this.prevNode[list]!, list);
    this.onList[c] = list;
    this.occupied[list >>> 5] |= 1 << (list & 31);
  }

  /** mirrors list_del_init: `c` leaves whatever list it is on */
  del(c: number): void {
    const list = this.listOf(c);
    if (list < 0) return;
    const node = this.nrLists + c;
    const p = this.prevNode[node]!;
    const n = this.nextNode[node]!;
    this.nextNode[p] = n;
    this.prevNode[n] = p;
    this.nextNode[node] = node;
    this.prevNode[node] = node;
    this.onList[c] = -1;
    if (this.nextNode[list] === list) this.occupied[list >>> 5] &= ~(1 << (list & 31));
  }

  /** mirrors list_move: to the head of `list` */
  move(c: number, list: number): void {
    this.del(c);
    this.add(c, list);
  }

  /** mirrors list_move_tail: to the tail of `list` */
  moveTail(c: number, list: number): void {
    this.del(c);
    this.addTail(c, list);
  }

  /** the entries of `list`, head to tail (allocates: for stats and tests, not hot paths) */
  toArray(list: number): number[] {
    const out: number[] = [];
    for (let node = this.nextNode[list]!; node !== list; node = this.nextNode[node]!) out.push(node - this.nrLists);
    return out;
  }

  private insert(node: number, prev: number, next: number): void {
    this.nextNode[prev] = node;
    this.prevNode[node] = prev;
    this.nextNode[node] = next;
    this.prevNode[next] = node;
  }
}
