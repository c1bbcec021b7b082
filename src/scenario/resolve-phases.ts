/**
 * Turns a scenario's workload into the phases one run executes: `$name` references replaced
 * by the run's matrix values and checked again, defaults filled in, names given, file paths
 * made absolute. An error names the scenario file, line and column, and the field — or, when a
 * matrix value is at fault, the matrix entry and the field that uses it.
 */
import { dirname, relative, resolve as resolvePath } from 'node:path';
import { existsSync } from 'node:fs';
import type { z } from 'zod';
import type { PhaseSpec } from '../engine/run.ts';
import { CGROUP_OBJECT_SETS, MEMCG_V6_12_OBJECTS } from '../engine/generators/cgroups.ts';
import type { CgroupObjectSetName } from '../engine/generators/cgroups.ts';
import type { CgroupObject } from '../engine/generators/cgroups.ts';
import type { SizeEntry } from '../engine/generators/sizes.ts';
import type { ReplayFormat } from '../engine/generators/replay-ops.ts';
import { formatOfFile, loadReplayOps } from '../engine/generators/replay-ops.ts';
import { InputError } from '../input/input-error.ts';
import { pathKey } from '../input/json5-locate.ts';
import { didYouMean, nameList } from '../input/suggest.ts';
import { shown } from '../input/shown.ts';
import type { ScenarioPhase } from './phase-schema.ts';
import { ResolvedPhase } from './phase-schema.ts';
import { parseByteSize } from '../hw/byte-size.ts';

export type Labels = Record<string, string | number | boolean>;
export type Where = (path: (string | number)[]) => string;

const REF = /^\$([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * `value` with every `$name` string replaced by `labels[name]`; `used` collects which matrix
 * key each replaced path took its value from. `at` is the value's path in the scenario file.
 */
export function substitute(value: unknown, labels: Labels, at: (string | number)[], where: Where, used: Map<string, string>): unknown {
  if (typeof value === 'string') {
    const m = REF.exec(value);
    if (!m) return value;
    const key = m[1]!;
    if (!(key in labels)) {
      const known = Object.keys(labels);
      throw new InputError(`${where(at)}: ${pathKey(at)}: no matrix dimension ${shown(key)}${didYouMean(key, known)}${known.length > 0 ? `; the matrix has ${nameList(known)}` : '; the scenario has no matrix'}`);
    }
    used.set(pathKey(at), key);
    return labels[key];
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, labels, [...at, i], where, used));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, labels, [...at, k], where, used)]));
  }
  return value;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value') return `expected ${issue.values.map(String).join(' | ')}`;
  return issue.message;
}

/**
 * Makes the recordings that replay phases name relative to the working directory instead of
 * the scenario file (literal paths, and the matrix values a `file: '$name'` takes), so runs,
 * their keys and their workers agree on them wherever the scenario lives.
 */
export function anchorReplayPaths(s: { workload: ScenarioPhase[]; matrix: Record<string, (string | number | boolean)[]> }, scenarioFile: string): void {
  const anchor = (f: string): string => relative(process.cwd(), resolvePath(dirname(scenarioFile), f)) || '.';
  const anchored = new Set<string>();
  for (const p of s.workload) {
    if (p.phase !== 'replay') continue;
    const ref = REF.exec(p.file);
    if (!ref) p.file = anchor(p.file);
    else if (s.matrix[ref[1]!] && !anchored.has(ref[1]!)) {
      anchored.add(ref[1]!);
      s.matrix[ref[1]!] = s.matrix[ref[1]!]!.map((v) => (typeof v === 'string' ? anchor(v) : v));
    }
  }
}

/** The phases of one run (one matrix point); replay paths are taken as relative to the working directory. */
export function resolvePhases(workload: readonly ScenarioPhase[], labels: Labels, where: Where): PhaseSpec[] {
  const used = new Map<string, number>();
  return workload.map((raw, i) => {
    const refs = new Map<string, string>();
    const at: (string | number)[] = ['workload', i];
    const value = substitute(raw, labels, at, where, refs);
    const r = ResolvedPhase.safeParse(value);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const path = [...at, ...issue.path.filter((p): p is string | number => typeof p !== 'symbol')];
      // the matrix value behind the field (or behind one of its parents)
      for (let n = path.length; n > at.length; n--) {
        const key = refs.get(pathKey(path.slice(0, n)));
        if (key === undefined) continue;
        const v = labels[key];
        throw new InputError(`${where(['matrix', key])}: matrix.${key}: ${issueMessage(issue)} (used by ${pathKey(path.slice(0, n))}), received ${JSON.stringify(v)}`);
      }
      throw new InputError(`${where(path)}: ${pathKey(path)}: ${issueMessage(issue)}`);
    }
    const p = r.data as ScenarioPhase;
    const base = p.name ?? defaultName(p);
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    const name = n === 1 ? base : `${base}${n}`;
    const spec = toSpec(p, name);
    if (spec.phase === 'replay') {
      if (spec.verify && spec.format !== 'ftrace') {
        throw new InputError(`${where([...at, 'verify'])}: ${pathKey([...at, 'verify'])}: a verified replay needs an ftrace capture of a real kernel (base_addr, off and chunk events), but ${spec.file} is read as ${spec.format}`);
      }
      checkReplayFile(spec.file, spec.format, spec.verify === true, [...at, 'file'], where);
    }
    return spec;
  });
}

/** `alloc`, `free`, `balance`, `churn`, `replay`; `<action>-<map or group>` for the kinds with actions */
function defaultName(p: ScenarioPhase): string {
  switch (p.phase) {
    case 'bpfPercpuArray':
    case 'bpfPercpuHash':
      return `${p.action}-${p.map}`;
    case 'cgroups':
    case 'modules':
      return `${p.action}-${p.group}`;
    case 'memcg':
      return `${p.action}-${p.cgroup}`;
    default:
      return p.phase;
  }
}

const num = (v: unknown): number => v as number;
const bool = (v: unknown): boolean => v as boolean;
const sizesOf = (sizes: readonly { size: unknown; align: unknown; weight: unknown }[]): SizeEntry[] =>
  sizes.map((e) => ({ size: e.size as number | [number, number], align: num(e.align), weight: num(e.weight) }));

/**
 * a phase's gfp as written (or its default: GFP_KERNEL_ACCOUNT when the phase names a cgroup);
 * the memcg fields only when they are set, so unaccounted phases keep their shape (and sweep keys)
 */
function gfpOf(p: { gfp?: unknown; account?: unknown }): { atomic: boolean; accounted?: boolean; account?: string } {
  const account = typeof p.account === 'string' ? p.account : null;
  const gfp = (p.gfp as string | undefined) ?? (account ? 'kernel_account' : 'kernel');
  return { atomic: gfp.startsWith('atomic'), ...(gfp.endsWith('_account') ? { accounted: true } : {}), ...(account ? { account } : {}) };
}

/** `{account}` when the phase names a cgroup, else nothing */
const accountOf = (p: { account?: unknown }): { account?: string } => (typeof p.account === 'string' ? { account: p.account } : {});

function toSpec(p: ScenarioPhase, name: string): PhaseSpec {
  if (p.phase === 'balance') return { phase: 'balance', name };
  if (p.phase === 'memcg') {
    if (p.action === 'create') return { phase: 'memcg', name, action: 'create', cgroup: p.cgroup, max: p.max === 'max' ? null : parseByteSize(p.max) };
    return { phase: 'memcg', name, action: 'remove', cgroup: p.cgroup };
  }
  const withCpu = <T extends object>(s: T): T & { cpu?: number } => (p.cpu === undefined ? s : { ...s, cpu: num(p.cpu) });
  switch (p.phase) {
    case 'alloc':
      return withCpu({ phase: 'alloc', name, count: num(p.count), size: num(p.size), align: num(p.align), reserved: bool(p.reserved), ...gfpOf(p) });
    case 'free':
      return withCpu(p.count === undefined ? { phase: 'free', name, order: p.order as never } : { phase: 'free', name, order: p.order as never, count: num(p.count) });
    case 'bpfPercpuArray':
    case 'bpfPercpuHash':
      switch (p.action) {
        case 'create':
          return withCpu({
            phase: p.phase,
            name,
            action: 'create',
            map: p.map,
            maps: num(p.maps),
            entries: num(p.entries),
            valueSize: num(p.valueSize),
            prealloc: 'prealloc' in p ? bool(p.prealloc) : true,
            ...accountOf(p),
          });
        case 'destroy':
          return withCpu({ phase: p.phase, name, action: 'destroy', map: p.map });
        case 'update':
          return withCpu({ phase: 'bpfPercpuHash', name, action: 'update', map: p.map, count: num(p.count), keys: p.keys === undefined ? null : num(p.keys) });
        case 'delete':
          return withCpu({ phase: 'bpfPercpuHash', name, action: 'delete', map: p.map, count: num(p.count) });
      }
      break;
    case 'cgroups':
      if (p.action === 'create') {
        const objects: CgroupObject[] =
          p.objects === undefined
            ? [...MEMCG_V6_12_OBJECTS]
            : typeof p.objects === 'string'
              ? [...CGROUP_OBJECT_SETS[p.objects as CgroupObjectSetName]]
              : p.objects.map((o) => ({ size: num(o.size), align: num(o.align), perNode: bool(o.perNode), ...(bool(o.account) ? { account: true } : {}) }));
        return withCpu({ phase: 'cgroups', name, action: 'create', group: p.group, count: num(p.count), objects, ...accountOf(p) });
      }
      return withCpu({ phase: 'cgroups', name, action: 'destroy', group: p.group, count: p.count === undefined ? null : num(p.count), pick: p.pick as never });
    case 'modules':
      if (p.action === 'load') return withCpu({ phase: 'modules', name, action: 'load', group: p.group, count: num(p.count), sizes: sizesOf(p.sizes) });
      return withCpu({ phase: 'modules', name, action: 'unload', group: p.group, count: p.count === undefined ? null : num(p.count), pick: p.pick as never });
    case 'churn':
      return withCpu({
        phase: 'churn',
        name,
        ops: num(p.ops),
        sizes: sizesOf(p.sizes),
        allocFraction: num(p.allocFraction),
        liveTarget: num(p.liveTarget),
        victim: p.victim as never,
        ...gfpOf(p),
      });
    case 'replay': {
      const path = p.file as string;
      return withCpu({ phase: 'replay', name, file: path, format: p.format ?? formatOfFile(path), verify: bool(p.verify), ...accountOf(p) });
    }
  }
  throw new Error(`unreachable: phase ${(p as { phase: string }).phase}`);
}

/** a replay's recording must exist and read cleanly before any run starts */
function checkReplayFile(path: string, format: ReplayFormat, verify: boolean, at: (string | number)[], where: Where): void {
  if (!existsSync(path)) throw new InputError(`${where(at)}: ${pathKey(at)}: no such file: ${path}`);
  try {
    loadReplayOps(path, format, verify);
  } catch (e) {
    // the recording's own place, after the scenario line that names it
    if (e instanceof InputError) throw new InputError(`${where(at)}: ${pathKey(at)}: ${e.message}`);
    throw e;
  }
}

/**
 * Checks that hold for the workload as written: a map is created before it is used and not
 * created twice while it exists, and is used as the kind it was created as; cgroups and
 * modules are created in a group before that group is destroyed or unloaded.
 */
export function checkWorkloadSequence(workload: readonly ScenarioPhase[], where: Where): void {
  const maps = new Map<string, { kind: string; at: number }>();
  const groups = new Set<string>();
  /** live memory cgroups and the phase that made each */
  const memcgs = new Map<string, number>();
  workload.forEach((p, i) => {
    const fail = (field: string, msg: string): never => {
      throw new InputError(`${where(['workload', i, field])}: workload[${i}].${field}: ${msg}`);
    };
    const account = 'account' in p ? p.account : undefined;
    if (typeof account === 'string' && !REF.test(account) && !memcgs.has(account)) {
      const live = [...memcgs.keys()];
      fail('account', `no memory cgroup ${shown(account)} exists here${didYouMean(account, live)}${live.length ? `; live: ${nameList(live)}` : '; create it with a memcg phase first'}`);
    }
    if (p.phase === 'memcg') {
      const cut = p.cgroup.lastIndexOf('/');
      if (p.action === 'create') {
        if (memcgs.has(p.cgroup)) fail('cgroup', `memory cgroup ${shown(p.cgroup)} already exists (created by workload[${memcgs.get(p.cgroup)}] and not removed since)`);
        if (cut >= 0 && !memcgs.has(p.cgroup.slice(0, cut))) fail('cgroup', `the parent ${shown(p.cgroup.slice(0, cut))} of ${shown(p.cgroup)} does not exist here: create it first`);
        memcgs.set(p.cgroup, i);
      } else {
        if (!memcgs.has(p.cgroup)) {
          const live = [...memcgs.keys()];
          fail('cgroup', `no memory cgroup ${shown(p.cgroup)} exists here${didYouMean(p.cgroup, live)}`);
        }
        const child = [...memcgs.keys()].find((c) => c.startsWith(`${p.cgroup}/`));
        if (child !== undefined) fail('cgroup', `memory cgroup ${shown(p.cgroup)} still has a child, ${shown(child)}: rmdir refuses it (EBUSY); remove the child first`);
        memcgs.delete(p.cgroup);
      }
      return;
    }
    if (p.phase === 'bpfPercpuArray' || p.phase === 'bpfPercpuHash') {
      const known = maps.get(p.map);
      if (p.action === 'create') {
        if (known) fail('map', `map "${p.map}" already exists (created by workload[${known.at}] and not destroyed since)`);
        maps.set(p.map, { kind: p.phase, at: i });
        return;
      }
      if (!known) fail('map', `no map "${p.map}" exists here: create it in an earlier phase`);
      else if (known.kind !== p.phase) fail('phase', `map "${p.map}" is a ${known.kind} map (created by workload[${known.at}])`);
      if (p.action === 'destroy') maps.delete(p.map);
    } else if (p.phase === 'cgroups' || p.phase === 'modules') {
      const key = `${p.phase}:${p.group}`;
      if (p.action === 'create' || p.action === 'load') groups.add(key);
      else if (!groups.has(key)) fail('action', `no ${p.phase} were created in group "${p.group}" before this phase`);
    }
  });
}

/** does the workload name a memory cgroup (a `memcg` phase, or an `account` field): kmem accounting's default */
export function workloadUsesMemcg(workload: readonly ScenarioPhase[]): boolean {
  return workload.some((p) => p.phase === 'memcg' || ('account' in p && p.account !== undefined) || ('gfp' in p && typeof p.gfp === 'string' && p.gfp.endsWith('_account')));
}
