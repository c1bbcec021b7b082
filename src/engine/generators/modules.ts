/**
 * Modules loading and unloading. A module with static per-CPU variables (DEFINE_PER_CPU in a
 * module) gets its `.data..percpu` section from the reserved area at load time — one
 * `__alloc_reserved_percpu(section size, section alignment)` call, the alignment clamped to a
 * page (kernel/module/main.c, percpu_modalloc) — and gives it back at unload. When the call
 * fails the load fails ("Could not allocate N bytes percpu data").
 *
 * The reserved area is PERCPU_MODULE_RESERVE: 8 KiB, or 64 KiB when CONFIG_MEM_ALLOC_PROFILING
 * puts a per-CPU counter pair for every allocation call site of every module there
 * (include/linux/percpu.h in v6.12).
 */
import type { OpSink, RunState } from './sink.ts';
import { groupOf } from './object-group.ts';
import type { VictimPick } from './object-group.ts';
import type { SizeEntry } from './sizes.ts';
import { SizeDistribution } from './sizes.ts';

export type ModuleSpec =
  | { phase: 'modules'; action: 'load'; group: string; count: number; sizes: SizeEntry[] }
  | { phase: 'modules'; action: 'unload'; group: string; count: number | null; pick: VictimPick };

export function runModules(s: ModuleSpec, sink: OpSink, state: RunState): void {
  const group = groupOf(state.groups, `modules:${s.group}`);
  if (s.action === 'unload') {
    group.destroy(s.count ?? group.count, s.pick, sink);
    return;
  }
  const dist = new SizeDistribution(s.sizes);
  const random = (): number => sink.random();
  for (let m = 0; m < s.count; m++) {
    dist.draw(random);
    const off = sink.alloc(dist.size, Math.min(dist.align, state.pageSize), false, true);
    if (off < 0) continue;
    group.open();
    group.add(sink.chunk, off, sink.id);
    group.commit();
  }
}
