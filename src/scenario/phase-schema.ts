/**
 * The workload phases of a scenario (`workload: [...]`), validated at load. Each phase kind
 * is a strict object, so unknown keys are errors; kinds with several actions (maps, cgroups,
 * modules) are unions on `action`, so each action takes only its own fields. Scalar fields
 * accept a `$name` reference to a matrix dimension (resolved and checked again per run in
 * load.ts). What each generator does is documented in src/engine/generators/ and the README.
 */
import { z } from 'zod';
import { FREE_ORDERS } from '../engine/free-order.ts';
import { VICTIM_PICKS } from '../engine/generators/object-group.ts';
import { CHURN_VICTIMS } from '../engine/generators/churn.ts';
import { REPLAY_FORMATS } from '../engine/generators/replay-ops.ts';
import { CGROUP_OBJECT_SET_NAMES } from '../engine/generators/cgroups.ts';
import { parseByteSize } from '../hw/byte-size.ts';

const VAR_REF = /^\$[A-Za-z_][A-Za-z0-9_]*$/;
export const VarRef = z.string().regex(VAR_REF, 'expected a $name reference to a matrix dimension');

/** what a plain value of `t` looks like, for the message when neither it nor a reference fits */
function plainValue(t: z.ZodType): string {
  if (t instanceof z.ZodEnum) return `one of ${t.options.join(', ')}`;
  if (t instanceof z.ZodNumber) return 'a number';
  if (t instanceof z.ZodString) return 'a string';
  if (t instanceof z.ZodBoolean) return 'true or false';
  return 'a value';
}

/** a `$name` reference standing for a field whose plain values are `t`'s */
const refFor = (t: z.ZodType) => z.string().regex(VAR_REF, `expected ${plainValue(t)} or a $name reference to a matrix dimension`);
const PositiveInt = z.number().int().positive();
const NonNegInt = z.number().int().nonnegative();
const Name = z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'expected a name (letters, digits, _ . : -)');
const enumOf = <T extends string>(values: readonly T[]) => z.enum(values as unknown as [T, ...T[]]);
/** a memory cgroup's path under the root, as under /sys/fs/cgroup: names joined by `/` */
export const CgroupPath = z.string().regex(/^[A-Za-z0-9_.:-]+(\/[A-Za-z0-9_.:-]+)*$/, "expected a cgroup path such as 'kubepods/pod-a' (names of letters, digits, _ . : - joined by /)");
/** memory.max: bytes, a size with a binary unit ('1 GiB'), or 'max' (no limit) */
const MemoryMax = z.union([z.literal('max'), z.number(), z.string()]).superRefine((v, ctx) => {
  if (v !== 'max' && parseByteSize(v) === null) ctx.addIssue({ code: 'custom', message: "expected a byte count, a size such as '1 GiB', or 'max'" });
});

/** PCPU_MIN_UNIT_SIZE: BPF refuses per-CPU values whose round_up(size, 8) exceeds it (E2BIG) */
const BPF_MAX_VALUE = 32768;

/** the phase schema; `refs`: whether scalar fields may be `$name` references */
function phaseSchema(refs: boolean) {
  const orVar = <T extends z.ZodType>(t: T) => (refs ? z.union([t, refFor(t)]) : t) as z.ZodUnion<[T, typeof VarRef]>;
  /** fields every phase but `balance` takes */
  const common = {
    name: z.string().min(1).optional(),
    /** the CPU that makes this phase's calls (the scenario's `cpu` otherwise) */
    cpu: orVar(NonNegInt).optional(),
  };

  /** one entry of a weighted size distribution */
  const SizeEntry = z.strictObject({
    /** bytes, or [min, max] drawn uniformly */
    size: z.union([orVar(PositiveInt), z.tuple([PositiveInt, PositiveInt]).refine(([lo, hi]) => lo <= hi, 'expected [min, max] with min <= max')]),
    align: orVar(z.number().int()).default(8),
    weight: orVar(z.number().positive()).default(1),
  });
  const Sizes = z.array(SizeEntry).min(1);

  const AllocPhase = z.strictObject({
    phase: z.literal('alloc'),
    ...common,
    /** how many objects */
    count: orVar(PositiveInt),
    /** bytes per object; illegal sizes are allowed and fail as the kernel fails them */
    size: orVar(z.number().int()),
    align: orVar(z.number().int()).default(4),
    /** kernel_account: GFP_KERNEL_ACCOUNT (the default when `account` is given); atomic_account: GFP_NOWAIT | __GFP_ACCOUNT */
    gfp: orVar(z.enum(['kernel', 'atomic', 'kernel_account', 'atomic_account'])).optional(),
    reserved: orVar(z.boolean()).default(false),
    /** the memory cgroup the calling task runs in: accounted calls are charged to it */
    account: orVar(CgroupPath).optional(),
  });

  const FreePhase = z.strictObject({
    phase: z.literal('free'),
    ...common,
    order: orVar(enumOf(FREE_ORDERS)).default('inorder'),
    /** free only the first `count` of the order */
    count: orVar(PositiveInt).optional(),
  });

  const BalancePhase = z.strictObject({
    phase: z.literal('balance'),
    name: z.string().min(1).optional(),
  });

  const mapCreate = {
    action: z.literal('create'),
    map: Name,
    /** maps created under this name */
    maps: orVar(PositiveInt).default(1),
    /** max_entries */
    entries: orVar(PositiveInt),
    /** value_size in bytes (rounded up to 8 per CPU) */
    valueSize: orVar(PositiveInt.max(BPF_MAX_VALUE, `expected at most ${BPF_MAX_VALUE}: BPF refuses larger per-CPU values (E2BIG)`)),
    /** the memory cgroup of the task creating the map: every value, now and at later updates, is charged to it */
    account: orVar(CgroupPath).optional(),
  };
  const mapDestroy = { action: z.literal('destroy'), map: Name };

  const BpfArrayPhase = z.discriminatedUnion('action', [
    z.strictObject({ phase: z.literal('bpfPercpuArray'), ...common, ...mapCreate }),
    z.strictObject({ phase: z.literal('bpfPercpuArray'), ...common, ...mapDestroy }),
  ]);

  const BpfHashPhase = z.discriminatedUnion('action', [
    z.strictObject({
      phase: z.literal('bpfPercpuHash'),
      ...common,
      ...mapCreate,
      /** false: BPF_F_NO_PREALLOC, values allocated per update of a new key */
      prealloc: orVar(z.boolean()).default(true),
    }),
    z.strictObject({
      phase: z.literal('bpfPercpuHash'),
      ...common,
      action: z.literal('update'),
      map: Name,
      count: orVar(PositiveInt),
      /** keys are drawn from [0, keys) (default: max_entries) */
      keys: orVar(PositiveInt).optional(),
    }),
    z.strictObject({ phase: z.literal('bpfPercpuHash'), ...common, action: z.literal('delete'), map: Name, count: orVar(PositiveInt) }),
    z.strictObject({ phase: z.literal('bpfPercpuHash'), ...common, ...mapDestroy }),
  ]);

  const CgroupObject = z.strictObject({
    size: orVar(PositiveInt),
    align: orVar(z.number().int()).default(8),
    perNode: orVar(z.boolean()).default(false),
    /** allocated with GFP_KERNEL_ACCOUNT */
    account: orVar(z.boolean()).default(false),
  });

  const destroyFields = {
    /** how many (all when absent) */
    count: orVar(PositiveInt).optional(),
    pick: orVar(enumOf(VICTIM_PICKS)).default('random'),
  };

  const CgroupPhase = z.discriminatedUnion('action', [
    z.strictObject({
      phase: z.literal('cgroups'),
      ...common,
      action: z.literal('create'),
      group: Name.default('memcg'),
      count: orVar(PositiveInt),
      /** the per-CPU objects of one cgroup: a list, or a named set (default: v6.12 memory cgroup, src/engine/generators/cgroups.ts) */
      objects: z.union([z.array(CgroupObject).min(1), orVar(enumOf(CGROUP_OBJECT_SET_NAMES))]).optional(),
      /** the parent memory cgroup: the new cgroups' GFP_KERNEL_ACCOUNT objects are charged to it */
      account: orVar(CgroupPath).optional(),
    }),
    z.strictObject({ phase: z.literal('cgroups'), ...common, action: z.literal('destroy'), group: Name.default('memcg'), ...destroyFields }),
  ]);

  const ModulePhase = z.discriminatedUnion('action', [
    z.strictObject({
      phase: z.literal('modules'),
      ...common,
      action: z.literal('load'),
      group: Name.default('modules'),
      count: orVar(PositiveInt),
      /** sizes of the modules' static per-CPU sections */
      sizes: Sizes,
    }),
    z.strictObject({ phase: z.literal('modules'), ...common, action: z.literal('unload'), group: Name.default('modules'), ...destroyFields }),
  ]);

  const ChurnPhase = z.strictObject({
    phase: z.literal('churn'),
    ...common,
    /** calls to make */
    ops: orVar(PositiveInt),
    sizes: Sizes,
    /** chance that a call allocates (when not filling up to liveTarget) */
    allocFraction: orVar(z.number().min(0).max(1)).default(0.5),
    /** fill up to this many live objects first, and never drop below it */
    liveTarget: orVar(NonNegInt).default(0),
    victim: orVar(enumOf(CHURN_VICTIMS)).default('random'),
    gfp: orVar(z.enum(['kernel', 'atomic', 'kernel_account', 'atomic_account'])).optional(),
    account: orVar(CgroupPath).optional(),
  });

  const ReplayPhase = z.strictObject({
    phase: z.literal('replay'),
    ...common,
    /** a percpu-trace/1 file or ftrace text, relative to the scenario file */
    file: orVar(z.string().min(1)),
    /** default: percpu-trace for .jsonl / .jsonl.gz, ftrace otherwise */
    format: enumOf(REPLAY_FORMATS).optional(),
    /** compare every decision with the kernel's recorded one (ftrace captures of a real kernel) */
    verify: orVar(z.boolean()).default(false),
    /** the memory cgroup the capture's accounted requests (GFP_KERNEL_ACCOUNT) are charged to; a capture does not say */
    account: orVar(CgroupPath).optional(),
  });
  const MemcgPhase = z.discriminatedUnion('action', [
    z.strictObject({ phase: z.literal('memcg'), name: z.string().min(1).optional(), action: z.literal('create'), cgroup: CgroupPath, max: MemoryMax.default('max') }),
    z.strictObject({ phase: z.literal('memcg'), name: z.string().min(1).optional(), action: z.literal('remove'), cgroup: CgroupPath }),
  ]);
  return z.discriminatedUnion('phase', [AllocPhase, FreePhase, BalancePhase, BpfArrayPhase, BpfHashPhase, CgroupPhase, ModulePhase, ChurnPhase, ReplayPhase, MemcgPhase]);
}

/** a workload phase as written: scalar fields may be `$name` references */
export const Phase = phaseSchema(true);
/** a phase after its references took a run's matrix values: every field a plain value */
export const ResolvedPhase = phaseSchema(false);

export type ScenarioPhase = z.output<typeof Phase>;
