/**
 * The memory controller a run's per-CPU allocations are charged to (mm/memcontrol.c, as far as
 * per-CPU memory goes): a tree of named cgroups, each with an optional memory.max, implementing
 * the narrow `MemcgController` the allocator's memcg hooks call (src/kernel/memcg.ts).
 *
 * - A charge counts against the cgroup and every ancestor (page_counter is hierarchical); it is
 *   refused when it would take any of them above its memory.max, and that cgroup counts the
 *   refusal. memory.max is taken in whole pages (page_counter_memparse rounds it down); charges
 *   are in bytes (obj_cgroup_charge keeps the bytes below a page in its stock; which page the
 *   stock spills into is not modeled). Only per-CPU memory is charged here: a real cgroup's
 *   usage also holds its page cache, anonymous memory and other kernel objects. The memcg OOM
 *   killer is not modeled: a charge over the limit fails, as it does once the OOM killer finds
 *   nothing to kill.
 * - memory.stat's `percpu` counts a cgroup's own objects and its descendants' (cgroup v2 shows
 *   hierarchical figures).
 * - Each cgroup has one obj_cgroup. Removing a cgroup (rmdir) reparents its obj_cgroup
 *   (memcg_reparent_objcgs): objects still live are then the parent's, and uncharge the parent
 *   when freed.
 */
import type { MemcgController } from '../kernel/memcg.ts';

/** a cgroup as the report shows it: memory.stat's percpu now and at its largest, memory.max, refusals */
export interface MemcgCgroupMetrics {
  /** the cgroup's path under the root (`kubepods/pod-a`) */
  name: string;
  /** memory.max in bytes, null for `max` */
  max_bytes: number | null;
  /** memory.stat `percpu`, this cgroup and its descendants, at the end of the run */
  percpu_bytes: number;
  /** the same at its largest over phase ends */
  percpu_peak_bytes: number;
  /** charges this cgroup's memory.max refused (the calls returned NULL) */
  refused: number;
  /** removed (rmdir) before the run ended */
  removed: boolean;
}

export class MemcgTree implements MemcgController {
  readonly names: string[] = [];
  private readonly parent: number[] = [];
  private readonly maxBytes: number[] = [];
  /** page_counter usage in bytes: this cgroup's charges and its descendants' */
  private readonly usage: number[] = [];
  /** MEMCG_PERCPU_B of this cgroup's own objects (descendants' are added when read) */
  private readonly percpuOwn: number[] = [];
  private readonly peak: number[] = [];
  private readonly refusedBy: number[] = [];
  private readonly alive: boolean[] = [];
  /** the cgroup each obj_cgroup (numbered from 1) charges now */
  private readonly objcgCgroup: number[] = [0];
  private readonly byName = new Map<string, number>();
  /** the objcg the calls being made are charged to (0: the root cgroup, nothing charged) */
  current = 0;

  constructor(private readonly pageSize: number) {}

  /** mkdir: `name` is a path; its parent (the part before the last `/`) must exist, or it is a child of the root */
  create(name: string, maxBytes: number | null): void {
    if (this.byName.has(name)) throw new Error(`memcg: cgroup ${name} already exists`);
    const cut = name.lastIndexOf('/');
    const parentName = cut < 0 ? null : name.slice(0, cut);
    const parent = parentName === null ? -1 : this.byName.get(parentName);
    if (parent === undefined) throw new Error(`memcg: cgroup ${name}: no parent ${parentName}`);
    const cg = this.names.length;
    this.names.push(name);
    this.parent.push(parent);
    this.maxBytes.push(maxBytes === null ? Infinity : Math.floor(maxBytes / this.pageSize) * this.pageSize);
    this.usage.push(0);
    this.percpuOwn.push(0);
    this.peak.push(0);
    this.refusedBy.push(0);
    this.alive.push(true);
    this.objcgCgroup.push(cg);
    this.byName.set(name, cg);
  }

  /** rmdir: the cgroup's obj_cgroups now charge its parent (the root: nothing) */
  remove(name: string): void {
    const cg = this.byName.get(name);
    if (cg === undefined) throw new Error(`memcg: no cgroup ${name}`);
    const p = this.parent[cg]!;
    for (let o = 1; o < this.objcgCgroup.length; o++) if (this.objcgCgroup[o] === cg) this.objcgCgroup[o] = p;
    // below the root, the parent's memory.stat now holds them; the root keeps no figures
    if (p >= 0) this.percpuOwn[p]! += this.percpuOwn[cg]!;
    this.percpuOwn[cg] = 0;
    this.usage[cg] = 0;
    this.alive[cg] = false;
    this.byName.delete(name);
  }

  /** the objcg of a live cgroup by name, 0 for none (the root) */
  objcgOf(name: string | null): number {
    if (name === null) return 0;
    const cg = this.byName.get(name);
    if (cg === undefined) throw new Error(`memcg: no cgroup ${name}`);
    return this.objcgIndex(cg);
  }

  currentObjcg(): number {
    return this.current;
  }

  charge(objcg: number, bytes: number): boolean {
    const cg = this.objcgCgroup[objcg]!;
    for (let a = cg; a >= 0; a = this.parent[a]!) {
      if (this.usage[a]! + bytes > this.maxBytes[a]!) {
        this.refusedBy[a]!++;
        return false;
      }
    }
    for (let a = cg; a >= 0; a = this.parent[a]!) this.usage[a]! += bytes;
    return true;
  }

  uncharge(objcg: number, bytes: number): void {
    for (let a = this.objcgCgroup[objcg]!; a >= 0; a = this.parent[a]!) this.usage[a]! -= bytes;
  }

  modPercpuStat(objcg: number, bytes: number): void {
    const cg = this.objcgCgroup[objcg]!;
    if (cg >= 0) this.percpuOwn[cg]! += bytes;
  }

  /** memory.stat `percpu` of a cgroup: its own objects and its descendants' */
  percpuOf(cg: number): number {
    let sum = this.percpuOwn[cg]!;
    for (let c = cg + 1; c < this.names.length; c++) if (this.isBelow(c, cg)) sum += this.percpuOwn[c]!;
    return sum;
  }

  /** the bytes charged to a cgroup's page counter (its subtree's) */
  usageOf(cg: number): number {
    return this.usage[cg]!;
  }

  /** remember each cgroup's largest percpu figure (at a phase end) */
  notePeaks(): void {
    for (let c = 0; c < this.names.length; c++) this.peak[c] = Math.max(this.peak[c]!, this.percpuOf(c));
  }

  isAlive(cg: number): boolean {
    return this.alive[cg]!;
  }

  metrics(): MemcgCgroupMetrics[] {
    return this.names.map((name, c) => ({
      name,
      max_bytes: this.maxBytes[c] === Infinity ? null : this.maxBytes[c]!,
      percpu_bytes: this.alive[c] ? this.percpuOf(c) : 0,
      percpu_peak_bytes: this.peak[c]!,
      refused: this.refusedBy[c]!,
      removed: !this.alive[c],
    }));
  }

  private objcgIndex(cg: number): number {
    return cg + 1;
  }

  private isBelow(c: number, ancestor: number): boolean {
    for (let a = this.parent[c]!; a >= 0; a = this.parent[a]!) if (a === ancestor) return true;
    return false;
  }
}
