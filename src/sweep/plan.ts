/**
 * A sweep's plan: the scenario expanded over the grid into points, in grid order (grid
 * dimensions in declared order, the first slowest; then the scenario's matrix; allocators
 * innermost). Each point is one RunSpec with a stable key. Every derived machine is loaded
 * once here, with the run's matrix references resolved, so a grid point the machine loader
 * rejects fails before anything runs.
 */
import type { AllocatorName, KernelKnobs } from '../kernel/allocator.ts';
import { deepMerge, listPresets, loadMachine } from '../hw/machine-config.ts';
import { withPresetSuggestion } from '../input/suggest.ts';
import type { Machine } from '../hw/machine-config.ts';
import { InputError } from '../input/input-error.ts';
import { readTextFile } from '../input/json5-file.ts';
import { locateValues, positionOf } from '../input/json5-locate.ts';
import type { Labels, MachineRef, RunSpec } from '../scenario/load.ts';
import { expandRuns, loadScenario } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Grid, GridValue } from '../scenario/sweep-schema.ts';
import type { GridPoint } from './grid.ts';
import { combineGrids, gridPoints, NON_LABEL_DIMENSIONS } from './grid.ts';
import { canonicalJson, hashKey } from './point-key.ts';
import { topologyOverrides } from './topology.ts';

export interface SweepPoint {
  /** position in grid order */
  index: number;
  key: string;
  /** grid labels then matrix labels: what the point's metrics carry */
  labels: Labels;
  spec: RunSpec;
}

export interface SweepPlan {
  file: string;
  /** the scenario's name (its file name without extension) */
  name: string;
  scenario: Scenario;
  grid: Grid;
  /** label names in table order: grid dimensions, then matrix dimensions */
  labelNames: string[];
  points: SweepPoint[];
  /** identifies the sweep: a hash of its point keys in order */
  id: string;
}

const labelValue = (v: GridValue): string | number => (typeof v === 'string' || typeof v === 'number' ? v : JSON.stringify(v));

/** `cpus=64 nodes=4` */
export function describePoint(labels: Record<string, unknown>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

/** `{memory: {pageBudget: v}}` from `machine.memory.pageBudget` */
function pathObject(path: readonly string[], v: unknown): Record<string, unknown> {
  return path.reduceRight<Record<string, unknown>>((inner, k, i) => ({ [k]: i === path.length - 1 ? v : inner }), {});
}

const num = (v: GridValue | undefined): number | undefined => (typeof v === 'number' ? v : undefined);

export function planSweep(file: string, gridOptions: readonly string[] = []): SweepPlan {
  const loaded = loadScenario(file);
  const s = loaded.scenario;
  const grid = combineGrids(s.sweep, gridOptions);
  const located = locateValues(readTextFile(file));
  const where = (path: (string | number)[]): string => {
    const p = positionOf(located, path);
    return `${file}:${p.line}:${p.column}`;
  };
  const matrixNames = Object.keys(s.matrix);
  const gridNames = Object.keys(grid).filter((d) => !NON_LABEL_DIMENSIONS.includes(d));
  for (const d of gridNames) {
    if (matrixNames.includes(d)) throw new InputError(`${where(['matrix', d])}: matrix.${d}: also a sweep grid dimension; rename one of them`);
  }

  const base: MachineRef = typeof s.machine === 'string' ? { preset: s.machine, overrides: {} } : s.machine;
  const presets = new Map<string, Machine>();
  const machines = new Map<string, Machine>();
  const points: SweepPoint[] = [];
  for (const gp of gridPoints(grid)) {
    const context = `${file}: sweep point ${describePoint(gp)}`;
    try {
      const ref = pointMachine(base, gp, presets, context);
      const point: Scenario = {
        ...s,
        machine: ref,
        knobs: { ...s.knobs, ...dimensionGroup<KernelKnobs>(gp, 'knobs') },
        firstChunk: { ...s.firstChunk, ...dimensionGroup(gp, 'firstChunk') },
        allocators: (grid.allocator as string[] | undefined) ?? s.allocators,
      };
      const gridLabels: Labels = Object.fromEntries(Object.entries(gp).map(([k, v]) => [k, labelValue(v)]));
      for (const spec of expandRuns(loaded.name, point, where)) {
        // the run's machine: the point's, with the matrix values of this run in its overrides
        const refKey = canonicalJson(spec.machine);
        let machine = machines.get(refKey);
        if (!machine) machines.set(refKey, (machine = loadMachine(spec.machine.preset, spec.machine.overrides, context)));
        if (spec.cpu >= machine.topology.nrCpus) {
          throw new InputError(`cpu ${spec.cpu} (the scenario's calling CPU) does not exist on ${machine.name} (${machine.topology.nrCpus} possible CPUs)`);
        }
        const { index: _index, scenario: _scenario, ...what } = spec;
        points.push({ index: points.length, key: hashKey({ grid: gridLabels, run: what }), labels: { ...gridLabels, ...spec.labels }, spec: { ...spec, index: points.length } });
      }
    } catch (e) {
      if (e instanceof InputError && !e.message.startsWith(context)) throw new InputError(`${context}: ${withPresetSuggestion(e.message, listPresets())}`);
      throw e;
    }
  }
  return {
    file,
    name: loaded.name,
    scenario: s,
    grid,
    labelNames: [...gridNames, ...matrixNames],
    points,
    id: hashKey({ scenario: loaded.name, keys: points.map((p) => p.key) }),
  };
}

/** the values of `group.*` dimensions of a point, keyed by field */
function dimensionGroup<T>(gp: GridPoint, group: string): Partial<T> {
  const out: Record<string, GridValue> = {};
  for (const [k, v] of Object.entries(gp)) if (k.startsWith(`${group}.`)) out[k.slice(group.length + 1)] = v;
  return out as Partial<T>;
}

/** `value` without the fields that are `$name` matrix references (objects only; other values as they are) */
function withoutMatrixRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMatrixRefs);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' && v.startsWith('$')) continue;
    out[k] = withoutMatrixRefs(v);
  }
  return out;
}

/** the machine of a grid point: its preset, the scenario's overrides, the derived topology, then `machine.*` dimensions */
function pointMachine(base: MachineRef, gp: GridPoint, presets: Map<string, Machine>, context: string): MachineRef {
  const preset = typeof gp.preset === 'string' ? gp.preset : base.preset;
  let overrides: Record<string, unknown> = base.overrides;
  if (gp.cpus !== undefined || gp.nodes !== undefined || gp.pageSize !== undefined) {
    // the topology is derived from the preset with the scenario's overrides, less any `$name`
    // matrix reference (each run's machine is loaded with its own values later)
    let m = presets.get(preset);
    if (!m) presets.set(preset, (m = loadMachine(preset, withoutMatrixRefs(base.overrides) as Record<string, unknown>, context)));
    overrides = deepMerge(overrides, topologyOverrides(m, { cpus: num(gp.cpus), nodes: num(gp.nodes), pageSize: num(gp.pageSize) })) as Record<string, unknown>;
  }
  for (const [k, v] of Object.entries(gp)) {
    if (k.startsWith('machine.')) overrides = deepMerge(overrides, pathObject(k.split('.').slice(1), v)) as Record<string, unknown>;
  }
  return { preset, overrides };
}
