/**
 * BPF per-CPU maps, as kernel/bpf/arraymap.c and kernel/bpf/hashtab.c use the allocator:
 *
 * - `BPF_MAP_TYPE_PERCPU_ARRAY`: at create, one `bpf_map_alloc_percpu(round_up(value_size, 8),
 *   8, GFP_USER)` per entry, in index order; update copies into the entry and delete is not
 *   supported, so neither calls the allocator; destroy frees every entry in index order. If an
 *   allocation fails, create frees what it got and the map does not exist (-ENOMEM).
 * - `BPF_MAP_TYPE_PERCPU_HASH`, preallocated (the default): the same at create (percpu hash
 *   maps get no extra elements), so update and delete never call the allocator; destroy frees
 *   the elements in index order.
 * - `BPF_MAP_TYPE_PERCPU_HASH` with `BPF_F_NO_PREALLOC`: an update of a key not in the map
 *   allocates its value with `GFP_NOWAIT` (atomic: BPF programs update maps from any context),
 *   unless the map already holds `max_entries` keys (-E2BIG, no call); an update of a present
 *   key copies in place; delete frees the value (after an RCU grace period, which is not
 *   modeled: the free happens at once); destroy frees the values in bucket order, which is
 *   hash order — a seeded shuffle here. (This is the per-element path of v4.x–v6.0; from v6.1
 *   the values come through bpf_mem_alloc's per-CPU caches, which refill in batches and are
 *   not modeled.)
 *
 * Every value is allocated through bpf_map_alloc_percpu, which adds `__GFP_ACCOUNT` and charges
 * the memory cgroup that created the map (`account` on the create phase; the root, nothing,
 * without it), at create and at later updates alike.
 *
 * `round_up(value_size, 8)` above PCPU_MIN_UNIT_SIZE (32 KiB) is refused at create with -E2BIG
 * before any allocation; the scenario loader rejects such sizes.
 */
import type { OpSink, RunState } from './sink.ts';
import { objcgOf } from './sink.ts';
import { growInt32 } from './grow.ts';

export type BpfMapKind = 'array' | 'hash';

export type BpfMapSpec =
  | { phase: 'bpfPercpuArray' | 'bpfPercpuHash'; action: 'create'; map: string; maps: number; entries: number; valueSize: number; prealloc: boolean; account?: string | null }
  | { phase: 'bpfPercpuHash'; action: 'update'; map: string; count: number; keys: number | null }
  | { phase: 'bpfPercpuHash'; action: 'delete'; map: string; count: number }
  | { phase: 'bpfPercpuArray' | 'bpfPercpuHash'; action: 'destroy'; map: string };

/** what the kernel stores per element value: round_up(value_size, 8), aligned to 8 */
export const bpfElemSize = (valueSize: number): number => Math.ceil(valueSize / 8) * 8;

/** One map: its element values' allocations, and for a no-prealloc hash the key → element table. */
export class BpfMap {
  readonly chunk: Int32Array;
  readonly off: Int32Array;
  readonly id: Int32Array;
  /** elements holding a value (prealloc: all of them) */
  present = 0;
  /** no-prealloc hash: element of each key (-1 none), the key of each element, present elements densely, free elements */
  private keyElem = new Int32Array(0);
  private readonly elemKey: Int32Array;
  private readonly dense: Int32Array;
  private readonly posOf: Int32Array;
  private readonly freeElems: Int32Array;
  private nFree: number;

  constructor(
    readonly kind: BpfMapKind,
    readonly prealloc: boolean,
    readonly entries: number,
    readonly elemSize: number,
    /** the obj_cgroup of the cgroup that created the map (bpf_map_save_memcg; 0: the root) */
    readonly objcg = 0,
  ) {
    this.chunk = new Int32Array(entries);
    this.off = new Int32Array(entries);
    this.id = new Int32Array(entries);
    const dyn = !prealloc;
    this.elemKey = new Int32Array(dyn ? entries : 0);
    this.dense = new Int32Array(dyn ? entries : 0);
    this.posOf = new Int32Array(dyn ? entries : 0);
    this.freeElems = new Int32Array(dyn ? entries : 0);
    for (let e = 0; e < this.freeElems.length; e++) this.freeElems[e] = entries - 1 - e;
    this.nFree = this.freeElems.length;
  }

  /** bpf_array_alloc_percpu / prealloc_init: every element at once; false (all freed) on failure */
  preallocate(sink: OpSink): boolean {
    // bpf_map_alloc_percpu: __GFP_ACCOUNT, charged to the map's cgroup
    sink.setActiveMemcg(this.objcg);
    for (let e = 0; e < this.entries; e++) {
      const off = sink.alloc(this.elemSize, 8, false, false, true);
      if (off < 0) {
        for (let f = 0; f < e; f++) sink.free(this.chunk[f]!, this.off[f]!, this.id[f]!);
        return false;
      }
      this.chunk[e] = sink.chunk;
      this.off[e] = off;
      this.id[e] = sink.id;
    }
    this.present = this.entries;
    return true;
  }

  /** an update of `key` in a no-prealloc hash: allocates when the key is new and there is room */
  update(key: number, sink: OpSink): void {
    if (key >= this.keyElem.length) {
      const old = this.keyElem.length;
      this.keyElem = growInt32(this.keyElem, key + 1);
      this.keyElem.fill(-1, old);
    }
    if (this.keyElem[key]! >= 0 || this.nFree === 0) return;
    sink.setActiveMemcg(this.objcg);
    const off = sink.alloc(this.elemSize, 8, true, false, true);
    if (off < 0) return;
    const e = this.freeElems[--this.nFree]!;
    this.chunk[e] = sink.chunk;
    this.off[e] = off;
    this.id[e] = sink.id;
    this.keyElem[key] = e;
    this.elemKey[e] = key;
    this.posOf[e] = this.present;
    this.dense[this.present++] = e;
  }

  /** a delete of a present key, the `pos`-th of the present elements, in a no-prealloc hash */
  deleteAt(pos: number, sink: OpSink): void {
    const e = this.dense[pos]!;
    sink.free(this.chunk[e]!, this.off[e]!, this.id[e]!);
    const last = this.dense[--this.present]!;
    this.dense[pos] = last;
    this.posOf[last] = pos;
    this.keyElem[this.elemKey[e]!] = -1;
    this.freeElems[this.nFree++] = e;
  }

  /** map_free: every element value */
  destroy(sink: OpSink): void {
    if (this.prealloc) {
      for (let e = 0; e < this.entries; e++) sink.free(this.chunk[e]!, this.off[e]!, this.id[e]!);
    } else {
      // bucket order: a seeded shuffle of the present elements
      while (this.present > 0) this.deleteAt(Math.floor(sink.random() * this.present), sink);
    }
    this.present = 0;
  }
}

/** the instances created under one map name */
export interface BpfMapSet {
  kind: BpfMapKind;
  maps: BpfMap[];
}

export function runBpfMaps(s: BpfMapSpec, sink: OpSink, state: RunState): void {
  const kind: BpfMapKind = s.phase === 'bpfPercpuArray' ? 'array' : 'hash';
  let set = state.maps.get(s.map);
  if (s.action === 'create') {
    if (!set) state.maps.set(s.map, (set = { kind, maps: [] }));
    const prealloc = kind === 'array' || s.prealloc;
    for (let m = 0; m < s.maps; m++) {
      const map = new BpfMap(kind, prealloc, s.entries, bpfElemSize(s.valueSize), objcgOf(state, s.account));
      if (!prealloc || map.preallocate(sink)) set.maps.push(map);
    }
    return;
  }
  if (!set) return;
  const maps = set.maps;
  switch (s.action) {
    case 'destroy':
      for (const map of maps) map.destroy(sink);
      state.maps.delete(s.map);
      return;
    case 'update': {
      if (maps.length === 0 || maps[0]!.prealloc) return;
      const keys = s.keys ?? maps[0]!.entries;
      for (let u = 0; u < s.count; u++) {
        const map = maps.length === 1 ? maps[0]! : maps[Math.floor(sink.random() * maps.length)]!;
        map.update(Math.floor(sink.random() * keys), sink);
      }
      return;
    }
    case 'delete': {
      if (maps.length === 0 || maps[0]!.prealloc) return;
      for (let d = 0; d < s.count; d++) {
        const map = maps.length === 1 ? maps[0]! : maps[Math.floor(sink.random() * maps.length)]!;
        if (map.present > 0) map.deleteAt(Math.floor(sink.random() * map.present), sink);
      }
      return;
    }
  }
}
