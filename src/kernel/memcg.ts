/**
 * Memory-cgroup accounting of per-CPU memory (v6.12): what mm/percpu.c asks of the memory
 * controller, and its three hooks around pcpu_alloc_noprof and free_percpu. The controller
 * itself (the cgroup tree, its charges and limits) lives outside the kernel layer, behind
 * `MemcgController`; an allocator given none runs as a kernel booted with
 * `cgroup.memory=nokmem` (or without CONFIG_MEMCG): nothing is charged and chunks carry no
 * obj_exts.
 *
 * Accounting never changes a decision of the allocator: the pre-hook either refuses the call
 * before any allocator work, or lets it run exactly as an unaccounted one.
 */

/** sizeof(struct obj_cgroup *): what obj_exts holds per granule, and what the charge adds per granule */
export const OBJ_CGROUP_PTR_BYTES = 8;
/** PCPU_MIN_ALLOC_SIZE: one granule (one obj_exts slot) is 4 bytes */
const GRANULE = 4;

/** The memory controller as the allocator sees it (mm/memcontrol.c). Object cgroups are numbered from 1; 0 is none. */
export interface MemcgController {
  /** current_obj_cgroup(): the objcg the calling task's allocations are charged to (set_active_memcg included); 0 for the root cgroup */
  currentObjcg(): number;
  /** obj_cgroup_charge: take `bytes` against the objcg's cgroup and every ancestor; false (nothing taken) when a limit refuses */
  charge(objcg: number, bytes: number): boolean;
  /** obj_cgroup_uncharge */
  uncharge(objcg: number, bytes: number): void;
  /** mod_memcg_state(memcg, MEMCG_PERCPU_B, bytes): the `percpu` line of memory.stat */
  modPercpuStat(objcg: number, bytes: number): void;
}

/**
 * mirrors pcpu_obj_full_size: what one accounted object costs its cgroup, the object on every
 * possible CPU plus one obj_cgroup pointer per granule (the obj_exts slots that could name it);
 * `size` as pcpu_alloc_noprof rounded it (a multiple of 4)
 */
export function pcpuObjFullSize(size: number, nrPossibleCpus: number): number {
  return size * nrPossibleCpus + ((size / GRANULE) | 0) * OBJ_CGROUP_PTR_BYTES;
}

/** bytes of a chunk's obj_exts array (pcpu_alloc_chunk, when need_pcpuobj_ext()): one struct pcpuobj_ext per granule */
export function objExtsBytes(mapBits: number): number {
  return mapBits * OBJ_CGROUP_PTR_BYTES;
}

/**
 * mirrors pcpu_memcg_pre_alloc_hook: for an accounted request (GFP_KERNEL_ACCOUNT) of a task
 * in a cgroup, charge the full size before anything else. Returns the objcg charged (0: none),
 * or -1 when the charge is refused: the call returns NULL with no allocator work.
 */
export function memcgPreAllocHook(memcg: MemcgController | null, size: number, accounted: boolean, nrPossibleCpus: number): number {
  if (memcg === null || !accounted) return 0;
  const objcg = memcg.currentObjcg();
  if (objcg === 0) return 0;
  return memcg.charge(objcg, pcpuObjFullSize(size, nrPossibleCpus)) ? objcg : -1;
}

/**
 * mirrors pcpu_memcg_post_alloc_hook: record the objcg in the object's obj_exts slot and count
 * it in memory.stat; without a chunk (the call failed) or without obj_exts (the first and
 * reserved chunks, which the kernel leaves free to use) the charge goes back
 */
export function memcgPostAllocHook(memcg: MemcgController | null, objcg: number, objExts: Int32Array | null, off: number, size: number, nrPossibleCpus: number): void {
  if (memcg === null || objcg <= 0) return;
  const full = pcpuObjFullSize(size, nrPossibleCpus);
  if (objExts !== null) {
    objExts[(off / GRANULE) | 0] = objcg;
    memcg.modPercpuStat(objcg, full);
  } else {
    memcg.uncharge(objcg, full);
  }
}

/** mirrors pcpu_memcg_free_hook: the object's cgroup (if any) gets its charge and its memory.stat bytes back */
export function memcgFreeHook(memcg: MemcgController | null, objExts: Int32Array | null, off: number, size: number, nrPossibleCpus: number): void {
  if (memcg === null || objExts === null) return;
  const slot = (off / GRANULE) | 0;
  const objcg = objExts[slot]!;
  if (objcg === 0) return;
  objExts[slot] = 0;
  const full = pcpuObjFullSize(size, nrPossibleCpus);
  memcg.uncharge(objcg, full);
  memcg.modPercpuStat(objcg, -full);
}
