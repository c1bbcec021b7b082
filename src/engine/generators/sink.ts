/**
 * What a workload generator drives: the calls it makes into the allocator, one at a time, and
 * the state it keeps between phases. The engine (run.ts) implements `OpSink`: it times each
 * call on the calling CPU's modeled clock, counts failures and runs balance work by policy.
 *
 * A generator keeps what it allocated in its own typed arrays (chunk, offset, call id) and
 * gives them back to `free`; nothing on the per-call path allocates.
 */
import type { RecordedKernel } from '../../kernel/recorded-kernel.ts';
import type { LiveSet } from '../live-set.ts';
import type { BpfMapSet } from './bpf-maps.ts';
import type { ObjectGroup } from './object-group.ts';
import type { ReplayVerification } from './replay-verify.ts';
import type { MemcgTree } from '../memcg-tree.ts';

export interface OpSink {
  /**
   * One `__alloc_percpu_gfp(size, align)` call (`__alloc_reserved_percpu` when `reserved`).
   * Returns the offset, or -1 when the kernel would return NULL. Afterwards `chunk` names the
   * chunk of a successful call and `id` is the call's run-wide number (0, 1, 2, ...).
   */
  alloc(size: number, align: number, atomic: boolean, reserved: boolean, accounted?: boolean): number;
  /**
   * set_active_memcg: the obj_cgroup (MemcgTree.objcgOf) that accounted calls are charged to
   * from now on; 0 is the root cgroup (nothing charged). Every phase starts at 0.
   */
  setActiveMemcg(objcg: number): void;
  readonly chunk: number;
  readonly id: number;
  /** `free_percpu` of a live allocation, named by what `alloc` returned */
  free(chunk: number, off: number, id: number): void;
  /**
   * A recorded free of something that is not allocated (an unknown id, or a double free): the
   * call is not made; the run counts a kernel warning (`counters.warnings`) and goes on.
   */
  badFree(): void;
  /** the balance work (`pcpu_balance_workfn`) now, on the kworker */
  balance(): void;
  /** this phase's random stream, seeded from the scenario seed and the phase's position */
  random(): number;
  /** the allocator's hooks for following a real kernel's capture (verified replays), null when it has none */
  readonly recorded?: RecordedKernel | null;
}

/** What generators keep across the phases of one run. */
export interface RunState {
  /** loose allocations, which `free` phases free */
  live: LiveSet;
  /** the run-wide random stream (`free` phases draw their `random` order from it) */
  runRandom: () => number;
  /** possible NUMA nodes (nr_node_ids): per-node objects are allocated once per node */
  nrNodes: number;
  /** the machine's page size */
  pageSize: number;
  /** BPF maps by name */
  maps: Map<string, BpfMapSet>;
  /** cgroups and modules by `kind:group` */
  groups: Map<string, ObjectGroup>;
  /** the memory cgroups charges go to (null when the scenario has no memcg accounting) */
  memcg: MemcgTree | null;
  /** what verified replays found, in phase order */
  verifications: ReplayVerification[];
}

/** the obj_cgroup of a phase's `account` cgroup (0: none, or no accounting in this run) */
export function objcgOf(state: RunState, account: string | null | undefined): number {
  return state.memcg && account ? state.memcg.objcgOf(account) : 0;
}
