/**
 * `memcg` phases: named memory cgroups made and removed (mkdir / rmdir under
 * /sys/fs/cgroup), each with an optional memory.max. They make no allocator calls: they are
 * the tree other phases charge to (`account`), kept in src/engine/memcg-tree.ts. A cgroup's
 * own per-CPU structures are what a `cgroups` phase allocates.
 */
import type { OpSink, RunState } from './sink.ts';

export type MemcgSpec =
  | { phase: 'memcg'; action: 'create'; cgroup: string; max: number | null }
  | { phase: 'memcg'; action: 'remove'; cgroup: string };

export function runMemcg(s: MemcgSpec, _sink: OpSink, state: RunState): void {
  const tree = state.memcg;
  if (!tree) return;
  if (s.action === 'create') tree.create(s.cgroup, s.max);
  else tree.remove(s.cgroup);
}
