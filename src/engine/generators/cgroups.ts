/**
 * Memory cgroups created and destroyed in bulk (container runtimes, systemd slices): each
 * cgroup holds a handful of per-CPU objects, allocated at mkdir (GFP_KERNEL) and freed when
 * the cgroup is finally released, in reverse.
 *
 * The default set is what a v6.12 x86-64 kernel allocates for one cgroup-v2 directory with the
 * memory controller enabled (cgroup_create, mem_cgroup_alloc, css_create, memcg_online_kmem):
 *
 * | object | size | align | count | where the size comes from |
 * |---|---|---|---|---|
 * | cgroup self-css refcount (`percpu_ref`) | 8 | 8 | 1 | one `unsigned long` per CPU (lib/percpu-refcount.c) |
 * | `cgroup_rstat_cpu` | 144 | 8 | 1 | four `cgroup_base_stat` (3 × u64 cputime + u64 ntime, CONFIG_SCHED_CORE off) and two pointers (include/linux/cgroup-defs.h); our count, not a measurement |
 * | cgroup BPF refcount (`percpu_ref`, CONFIG_CGROUP_BPF) | 8 | 8 | 1 | as above |
 * | memcg `memcg_vmstats_percpu` | 960 | 64 | 1 | 960 bytes on x86-64 after "memcg: reduce memory for the lruvec and memcg stats" (Shakeel Butt, v6.10; pahole figures in the patch); `____cacheline_aligned` |
 * | memcg `lruvec_stats_percpu` | 432 | 8 | one per possible node | 432 bytes, same patch |
 * | memory css refcount (`percpu_ref`) | 8 | 8 | 1 | as above |
 * | memcg `obj_cgroup` refcount (`percpu_ref`) | 8 | 8 | 1 | as above |
 *
 * `memcg-v6.1-debian` is what Debian's 6.1.192 kernel (its own config) allocates per `mkdir`
 * of a memory cgroup, as a capture of it shows (scenarios/captures/README.md): eleven calls in
 * this order, 2,052 bytes per CPU on one node and 688 more per extra node. Call sites, sizes,
 * alignments and GFP flags are the capture's; what each object is comes from reading 6.1's
 * cgroup and memcg code, and is marked where the capture cannot tell:
 *
 * | call site | size | align | gfp | object |
 * |---|---|---|---|---|
 * | `percpu_ref_init` | 8 | 8 | KERNEL | the cgroup's self-css refcount |
 * | `cgroup_rstat_init` | 64 | 8 | KERNEL | `cgroup_rstat_cpu` (6.1's layout, CONFIG_SCHED_CORE off) |
 * | `psi_cgroup_alloc` | 128 | 64 | KERNEL | `psi_group_cpu` (CONFIG_PSI) |
 * | `percpu_ref_init` | 8 | 8 | KERNEL | the cgroup's BPF refcount (CONFIG_CGROUP_BPF) |
 * | `mem_cgroup_css_alloc` | 1,096 | 8 | KERNEL_ACCOUNT | `memcg_vmstats_percpu` |
 * | `mem_cgroup_css_alloc` | 688 | 8 | KERNEL_ACCOUNT | `lruvec_stats_percpu`, one per possible node |
 * | `__percpu_counter_init` | 4 | 4 | KERNEL | a `percpu_counter` (s32 per CPU); the writeback domain's, we believe |
 * | `percpu_ref_init` | 8 | 8 | KERNEL | a css or `obj_cgroup` refcount (the capture does not say which) |
 * | `percpu_ref_init` | 8 | 8 | KERNEL | as above |
 * | `perf_cgroup_css_alloc` | 32 | 8 | KERNEL | `perf_cgroup_info` (the perf_event controller, implicit on cgroup v2) |
 * | `percpu_ref_init` | 8 | 8 | KERNEL | the perf_event css refcount, we believe |
 *
 * A scenario can replace the set (`objects`: a set's name, or a list), e.g. for an older kernel
 * or another config.
 * If an allocation fails, mkdir fails: what the cgroup already got is freed and it does not exist.
 */
import type { OpSink, RunState } from './sink.ts';
import { objcgOf } from './sink.ts';
import { groupOf } from './object-group.ts';
import type { VictimPick } from './object-group.ts';

export interface CgroupObject {
  size: number;
  align: number;
  /** one per possible NUMA node instead of one per cgroup */
  perNode: boolean;
  /** the kernel function that allocates it, where a capture shows it */
  site?: string;
  /** GFP_KERNEL_ACCOUNT: charged to the memory cgroup (the allocator's decisions do not depend on it) */
  account?: boolean;
}

/**
 * v6.12's set. Two objects are GFP_KERNEL_ACCOUNT (6.12.117's mm/memcontrol.c): the
 * `memcg_vmstats_percpu` of mem_cgroup_alloc (line 3530) and each node's `lruvec_stats_percpu`
 * of alloc_mem_cgroup_per_node_info (line 3458). mem_cgroup_css_alloc runs mem_cgroup_alloc under
 * set_active_memcg(parent) (line 3590), so both are charged to the new cgroup's parent. The
 * refcounts and cgroup_rstat_cpu are plain GFP_KERNEL.
 */
export const MEMCG_V6_12_OBJECTS: readonly CgroupObject[] = [
  { size: 8, align: 8, perNode: false }, // cgroup self refcount
  { size: 144, align: 8, perNode: false }, // cgroup_rstat_cpu
  { size: 8, align: 8, perNode: false }, // cgroup bpf refcount
  { size: 960, align: 64, perNode: false, site: 'mem_cgroup_alloc', account: true }, // memcg_vmstats_percpu: mm/memcontrol.c:3530
  { size: 432, align: 8, perNode: true, site: 'alloc_mem_cgroup_per_node_info', account: true }, // lruvec_stats_percpu, per node: mm/memcontrol.c:3458
  { size: 8, align: 8, perNode: false }, // memory css refcount
  { size: 8, align: 8, perNode: false }, // obj_cgroup refcount
];

export const MEMCG_V6_1_DEBIAN_OBJECTS: readonly CgroupObject[] = [
  { size: 8, align: 8, perNode: false, site: 'percpu_ref_init' }, // cgroup self refcount
  { size: 64, align: 8, perNode: false, site: 'cgroup_rstat_init' }, // cgroup_rstat_cpu
  { size: 128, align: 64, perNode: false, site: 'psi_cgroup_alloc' }, // psi_group_cpu
  { size: 8, align: 8, perNode: false, site: 'percpu_ref_init' }, // cgroup bpf refcount
  { size: 1096, align: 8, perNode: false, site: 'mem_cgroup_css_alloc', account: true }, // memcg_vmstats_percpu
  { size: 688, align: 8, perNode: true, site: 'mem_cgroup_css_alloc', account: true }, // lruvec_stats_percpu, per node
  { size: 4, align: 4, perNode: false, site: '__percpu_counter_init' }, // a percpu_counter
  { size: 8, align: 8, perNode: false, site: 'percpu_ref_init' }, // a css or obj_cgroup refcount
  { size: 8, align: 8, perNode: false, site: 'percpu_ref_init' }, // a css or obj_cgroup refcount
  { size: 32, align: 8, perNode: false, site: 'perf_cgroup_css_alloc' }, // perf_cgroup_info
  { size: 8, align: 8, perNode: false, site: 'percpu_ref_init' }, // perf_event css refcount
];

/** the named object sets a `cgroups` create phase may take (`objects: 'memcg-v6.1-debian'`) */
export const CGROUP_OBJECT_SETS = {
  'memcg-v6.12': MEMCG_V6_12_OBJECTS,
  'memcg-v6.1-debian': MEMCG_V6_1_DEBIAN_OBJECTS,
} as const satisfies Record<string, readonly CgroupObject[]>;
export type CgroupObjectSetName = keyof typeof CGROUP_OBJECT_SETS;
export const CGROUP_OBJECT_SET_NAMES = Object.keys(CGROUP_OBJECT_SETS) as CgroupObjectSetName[];

export type CgroupSpec =
  | { phase: 'cgroups'; action: 'create'; group: string; count: number; objects: CgroupObject[]; account?: string | null }
  | { phase: 'cgroups'; action: 'destroy'; group: string; count: number | null; pick: VictimPick };

export function runCgroups(s: CgroupSpec, sink: OpSink, state: RunState): void {
  const group = groupOf(state.groups, `cgroups:${s.group}`);
  if (s.action === 'destroy') {
    group.destroy(s.count ?? group.count, s.pick, sink);
    return;
  }
  const objects = s.objects;
  // mem_cgroup_css_alloc charges the new cgroup's accounted objects to its parent (set_active_memcg(parent))
  sink.setActiveMemcg(objcgOf(state, s.account));
  for (let c = 0; c < s.count; c++) {
    group.open();
    let ok = true;
    for (let o = 0; o < objects.length && ok; o++) {
      const obj = objects[o]!;
      const copies = obj.perNode ? state.nrNodes : 1;
      for (let k = 0; k < copies; k++) {
        const off = sink.alloc(obj.size, obj.align, false, false, obj.account === true);
        if (off < 0) {
          ok = false;
          break;
        }
        group.add(sink.chunk, off, sink.id);
      }
    }
    if (ok) group.commit();
    else group.abandon(sink);
  }
}

/** allocator calls a create phase makes when nothing fails */
export function cgroupCallsEach(objects: readonly CgroupObject[], nrNodes: number): number {
  return objects.reduce((n, o) => n + (o.perNode ? nrNodes : 1), 0);
}
