/**
 * Loads a scenario file and expands it into runs: one per allocator and per point of the
 * matrix, in a fixed order (matrix dimensions in declared order, allocators innermost).
 */
import { basename } from 'node:path';
import type { AllocatorName, FirstChunkRequest, KernelKnobs } from '../kernel/allocator.ts';
import { DEFAULT_KNOBS } from '../kernel/allocator.ts';
import type { BalancePolicy, PhaseSpec } from '../engine/run.ts';
import type { FreeOrder } from '../engine/free-order.ts';
import { FREE_ORDERS } from '../engine/free-order.ts';
import { InputError } from '../input/input-error.ts';
import { parseJson5, readTextFile, validateJson5 } from '../input/json5-file.ts';
import { locateValues, positionOf } from '../input/json5-locate.ts';
import type { Scenario } from './schema.ts';
import { ScenarioSchema } from './schema.ts';

export type Labels = Record<string, string | number>;

/** A machine as a scenario names it: a preset (or file) plus overrides. */
export interface MachineRef {
  preset: string;
  overrides: Record<string, unknown>;
}

/** Everything one run needs; plain data, so it can cross to a worker thread. */
export interface RunSpec {
  index: number;
  scenario: string;
  allocator: AllocatorName;
  machine: MachineRef;
  labels: Labels;
  phases: PhaseSpec[];
  knobs: KernelKnobs;
  firstChunk: Partial<FirstChunkRequest>;
  cpu: number;
  balance: BalancePolicy;
  seed: string;
}

export interface LoadedScenario {
  file: string;
  name: string;
  scenario: Scenario;
  runs: RunSpec[];
}

export function loadScenario(file: string): LoadedScenario {
  const text = readTextFile(file);
  const value = parseJson5(file, text);
  const scenario = validateJson5(file, text, value, ScenarioSchema);
  const name = basename(file).replace(/\.json5?$/, '');
  const where = (path: (string | number)[]): string => {
    const p = positionOf(locateValues(text), path);
    return `${file}:${p.line}:${p.column}`;
  };
  return { file, name, scenario, runs: expandRuns(name, scenario, where) };
}

/** every combination of the matrix, in declared order, last dimension fastest */
function matrixPoints(matrix: Record<string, (string | number)[]>): Labels[] {
  let points: Labels[] = [{}];
  for (const [key, values] of Object.entries(matrix)) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  }
  return points;
}

export function expandRuns(name: string, s: Scenario, where: (path: (string | number)[]) => string): RunSpec[] {
  const machine: MachineRef = typeof s.machine === 'string' ? { preset: s.machine, overrides: {} } : s.machine;
  const knobs: KernelKnobs = { ...DEFAULT_KNOBS, ...s.knobs };
  if (knobs.emptyPopPagesLow > knobs.emptyPopPagesHigh) {
    throw new InputError(`${where(['knobs'])}: knobs.emptyPopPagesLow must not exceed emptyPopPagesHigh, got ${knobs.emptyPopPagesLow} > ${knobs.emptyPopPagesHigh}`);
  }
  const balance: BalancePolicy =
    s.balance === 'eager' ? { mode: 'eager' } : s.balance === 'manual' ? { mode: 'manual' } : { mode: 'kworker', delayNs: s.balance.kworkerDelayUs * 1000 };
  const runs: RunSpec[] = [];
  for (const labels of matrixPoints(s.matrix)) {
    const phases = resolvePhases(s, labels, where);
    for (const allocator of s.allocators as AllocatorName[]) {
      runs.push({
        index: runs.length,
        scenario: name,
        allocator,
        machine,
        labels,
        phases,
        knobs,
        firstChunk: s.firstChunk,
        cpu: s.cpu,
        balance,
        seed: `${s.seed}`,
      });
    }
  }
  return runs;
}

function resolvePhases(s: Scenario, labels: Labels, where: (path: (string | number)[]) => string): PhaseSpec[] {
  const used = new Map<string, number>();
  return s.workload.map((p, i) => {
    const resolve = <T>(field: string, v: unknown, ok: (x: unknown) => x is T, want: string): T => {
      if (typeof v === 'string' && v.startsWith('$')) {
        const key = v.slice(1);
        if (!(key in labels)) throw new InputError(`${where(['workload', i, field])}: workload[${i}].${field}: no matrix dimension "${key}"`);
        v = labels[key];
        if (!ok(v)) throw new InputError(`${where(['matrix', key])}: matrix.${key}: expected ${want} (used by workload[${i}].${field}), received ${JSON.stringify(v)}`);
      }
      return v as T;
    };
    const isInt = (x: unknown): x is number => Number.isInteger(x);
    const isPos = (x: unknown): x is number => Number.isInteger(x) && (x as number) > 0;
    const base = p.name ?? p.phase;
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    const name = n === 1 ? base : `${base}${n}`;
    switch (p.phase) {
      case 'alloc':
        return {
          phase: 'alloc',
          name,
          count: resolve('count', p.count, isPos, 'a positive integer'),
          size: resolve('size', p.size, isInt, 'an integer'),
          align: resolve('align', p.align, isInt, 'an integer'),
          atomic: resolve('gfp', p.gfp, (x): x is string => x === 'kernel' || x === 'atomic', '"kernel" or "atomic"') === 'atomic',
          reserved: p.reserved,
        };
      case 'free':
        return { phase: 'free', name, order: resolve('order', p.order, (x): x is FreeOrder => FREE_ORDERS.includes(x as FreeOrder), FREE_ORDERS.join(' | ')) };
      case 'balance':
        return { phase: 'balance', name };
    }
  });
}
