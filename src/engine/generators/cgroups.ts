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
 * A scenario can replace the set (`objects`), e.g. for an older kernel or another config.
 * If an allocation fails, mkdir fails: what the cgroup already got is freed and it does not exist.
 */
import type { OpSink, RunState } from './sink.ts';
import { groupOf } from './object-group.ts';
import type { VictimPick } from './object-group.ts';

export interface CgroupObject {
  size: number;
  align: number;
  /** one per possible NUMA node instead of one per cgroup */
  perNode: boolean;
}

export const MEMCG_V6_12_OBJECTS: readonly CgroupObject[] = [
  { size: 8, align: 8, perNode: false }, // cgroup self refcount
  { size: 144, align: 8, perNode: false }, // cgroup_rstat_cpu
  { size: 8, align: 8, perNode: false }, // cgroup bpf refcount
  { size: 960, align: 64, perNode: false }, // memcg_vmstats_percpu
  { size: 432, align: 8, perNode: true }, // lruvec_stats_percpu, per node
  { size: 8, align: 8, perNode: false }, // memory css refcount
  { size: 8, align: 8, perNode: false }, // obj_cgroup refcount
];

export type CgroupSpec =
  | { phase: 'cgroups'; action: 'create'; group: string; count: number; objects: CgroupObject[] }
  | { phase: 'cgroups'; action: 'destroy'; group: string; count: number | null; pick: VictimPick };

export function runCgroups(s: CgroupSpec, sink: OpSink, state: RunState): void {
  const group = groupOf(state.groups, `cgroups:${s.group}`);
  if (s.action === 'destroy') {
    group.destroy(s.count ?? group.count, s.pick, sink);
    return;
  }
  const objects = s.objects;
  for (let c = 0; c < s.count; c++) {
    group.open();
    let ok = true;
    for (let o = 0; o < objects.length && ok; o++) {
      const obj = objects[o]!;
      const copies = obj.perNode ? state.nrNodes : 1;
      for (let k = 0; k < copies; k++) {
        const off = sink.alloc(obj.size, obj.align, false, false);
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
