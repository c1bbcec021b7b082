/**
 * Loads a scenario file and expands it into runs: one per allocator and per point of the
 * matrix, in a fixed order (matrix dimensions in declared order, allocators innermost).
 */
import { basename } from 'node:path';
import type { FirstChunkRequest, KernelKnobs } from '../kernel/allocator.ts';
import { DEFAULT_KNOBS } from '../kernel/allocator.ts';
import { resolveAllocator } from '../kernel/versions.ts';
import type { BalancePolicy, PhaseSpec } from '../engine/run.ts';
import { InputError } from '../input/input-error.ts';
import { parseJson5, readTextFile, validateJson5 } from '../input/json5-file.ts';
import { locateValues, positionOf } from '../input/json5-locate.ts';
import type { Scenario } from './schema.ts';
import { ScenarioSchema } from './schema.ts';
import type { Labels } from './resolve-phases.ts';
import { checkReportNames } from './report-names.ts';
import { anchorReplayPaths, checkWorkloadSequence, resolvePhases, substitute, workloadUsesMemcg } from './resolve-phases.ts';
import { portKernel } from '../kernel/versions.ts';

export type { Labels };

/** A machine as a scenario names it: a preset (or file) plus overrides. */
export interface MachineRef {
  preset: string;
  overrides: Record<string, unknown>;
}

/** Everything one run needs; plain data, so it can cross to a worker thread. */
export interface RunSpec {
  index: number;
  scenario: string;
  /** the allocator as the scenario names it: a port (`bitmap`) or a kernel version (`v6.6`); resolveAllocator gives the port */
  allocator: string;
  machine: MachineRef;
  labels: Labels;
  phases: PhaseSpec[];
  knobs: KernelKnobs;
  firstChunk: Partial<FirstChunkRequest>;
  cpu: number;
  balance: BalancePolicy;
  seed: string;
  /** how metadata lines are priced (src/hw/time-model.ts) */
  costModel: 'counts' | 'full';
  /** kmem accounting on: memory cgroups are kept, and the versions that account per-CPU memory charge them */
  memcg?: boolean;
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
  checkReportNames(scenario, where);
  anchorReplayPaths(scenario, file);
  return { file, name, scenario, runs: expandRuns(name, scenario, where) };
}

/** every combination of the matrix, in declared order, last dimension fastest */
function matrixPoints(matrix: Record<string, (string | number | boolean)[]>): Labels[] {
  let points: Labels[] = [{}];
  for (const [key, values] of Object.entries(matrix)) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  }
  return points;
}

/** The runs of a scenario: `$name` references in the workload and in `machine.overrides` take each run's matrix values. */
export function expandRuns(name: string, s: Scenario, where: (path: (string | number)[]) => string): RunSpec[] {
  const baseMachine: MachineRef = typeof s.machine === 'string' ? { preset: s.machine, overrides: {} } : s.machine;
  const knobs: KernelKnobs = { ...DEFAULT_KNOBS, ...s.knobs };
  if (knobs.emptyPopPagesLow > knobs.emptyPopPagesHigh) {
    throw new InputError(`${where(['knobs'])}: knobs.emptyPopPagesLow must not exceed emptyPopPagesHigh, got ${knobs.emptyPopPagesLow} > ${knobs.emptyPopPagesHigh}`);
  }
  const balance: BalancePolicy =
    s.balance === 'eager' ? { mode: 'eager' } : s.balance === 'manual' ? { mode: 'manual' } : { mode: 'kworker', delayNs: s.balance.kworkerDelayUs * 1000 };
  checkWorkloadSequence(s.workload, where);
  const memcg = s.kmemAccounting ?? workloadUsesMemcg(s.workload);
  if (memcg) {
    // v5.10 keeps accounted allocations in a second bank of chunks that no recorded case covers (src/kernel/bitmap-v5.10/README.md)
    const i = s.allocators.findIndex((a) => portKernel(a) === 'v5.10');
    if (i >= 0) {
      const why = s.kmemAccounting ? 'kmemAccounting is true' : 'the workload names a memory cgroup';
      throw new InputError(`${where(['allocators', i])}: allocators[${i}]: ${JSON.stringify(s.allocators[i])} cannot run memory-cgroup accounting (${why}): v5.10 charges accounted per-CPU allocations from a second bank of chunks no recorded case covers yet; drop it, or set kmemAccounting: false`);
    }
  }
  const runs: RunSpec[] = [];
  for (const labels of matrixPoints(s.matrix)) {
    const phases = resolvePhases(s.workload, labels, where);
    const verified = phases.findIndex((p) => p.phase === 'replay' && p.verify);
    // a version that runs on the v6.12 port (v5.15 .. v6.12) follows the same decisions
    const unable = s.allocators.find((a) => resolveAllocator(a) !== 'bitmap');
    if (verified >= 0 && unable) {
      throw new InputError(`${where(['workload', verified, 'verify'])}: workload[${verified}].verify: a verified replay follows a v6.12 kernel's decisions, so it runs on the bitmap allocator only, not ${unable} (set allocators: ['bitmap'])`);
    }
    const machine: MachineRef = { preset: baseMachine.preset, overrides: substitute(baseMachine.overrides, labels, ['machine', 'overrides'], where, new Map()) as Record<string, unknown> };
    for (const allocator of s.allocators) {
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
        costModel: s.costModel,
        ...(memcg ? { memcg: true } : {}),
      });
    }
  }
  return runs;
}
