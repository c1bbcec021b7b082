/**
 * Checks every run of a scenario before any of them starts, so a bad machine or an impossible
 * first chunk is an InputError naming the file and the place (not an error from a worker
 * thread half-way through, without either): each machine loads, the calling CPU exists on it,
 * and each allocator sets up its first chunk there and passes its invariant checker.
 */
import { InputError } from '../input/input-error.ts';
import { readTextFile } from '../input/json5-file.ts';
import { locateValues, pathKey, positionOf } from '../input/json5-locate.ts';
import type { Machine } from '../hw/machine-config.ts';
import { listPresets, loadMachine, machineFirstChunk, machineTopology } from '../hw/machine-config.ts';
import { didYouMean, withPresetSuggestion } from '../input/suggest.ts';
import { knownKeys } from '../input/schema-keys.ts';
import { MachineFileSchema } from '../hw/machine-schema.ts';
import { SimplePlatform } from '../hw/simple-platform.ts';
import type { FirstChunkRequest } from '../kernel/allocator.ts';
import { InvariantError, PercpuConfigError } from '../kernel/allocator.ts';
import { portKernel } from '../kernel/versions.ts';
import { allocatorFactory } from '../kernel/registry.ts';
import { unitSizeProblem } from './unit-limit.ts';
import type { RunSpec } from '../scenario/load.ts';
import { valueAt } from '../input/json5-file.ts';

type Path = (string | number)[];

const FIRST_CHUNK_FIELDS = ['staticSize', 'reservedSize', 'dynSize', 'atomSize'] as const;
type FirstChunkField = (typeof FIRST_CHUNK_FIELDS)[number];

/** the machine-file field a PercpuConfigError message is about (it names it first) */
function faultyField(message: string): Path | null {
  for (const f of FIRST_CHUNK_FIELDS) if (message.startsWith(f)) return ['firstChunk', f];
  if (message.startsWith('dyn_size')) return ['firstChunk', 'dynSize'];
  if (message.startsWith('pageSize')) return ['memory', 'pageSize'];
  if (/^(nrCpus|cpuToNode|nodeDistance)/.test(message)) return ['topology'];
  return null;
}

/**
 * Throws an InputError for the first run that could not start. `context` names a run in
 * messages when the scenario text alone does not (a sweep point).
 */
export function preflightRuns(file: string, runs: readonly RunSpec[], context: (spec: RunSpec) => string = () => ''): void {
  const located = locateValues(readTextFile(file));
  const where = (path: Path): string => {
    const p = positionOf(located, path);
    return `${file}:${p.line}:${p.column}`;
  };
  const machines = new Map<string, Machine>();
  const setups = new Set<string>();
  for (const spec of runs) {
    const ctx = context(spec);
    const fail = (message: string): never => {
      throw new InputError(ctx && !message.includes(ctx) ? message.replace(/^([^\s:][^:]*:\d+:\d+): /, `$1: ${ctx}: `) : message);
    };
    const key = JSON.stringify(spec.machine);
    let machine = machines.get(key);
    if (!machine) {
      try {
        machine = loadMachine(spec.machine.preset, spec.machine.overrides, `${where(['machine', 'overrides'])}: machine.overrides`);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        // an unknown preset or an unreadable machine file: say where the scenario names it
        const message = withMachineKeySuggestions(withPresetSuggestion(e.message, listPresets()));
        // the scenario line that names the machine, then the machine file's own place (each line: several problems are several lines)
        return fail(message.split('\n').map((line) => (line.startsWith(`${file}:`) ? line : `${where(['machine'])}: machine: ${line}`)).join('\n'));
      }
      machines.set(key, machine);
    }
    const nrCpus = machine.topology.nrCpus;
    if (spec.cpu >= nrCpus) fail(`${where(['cpu'])}: cpu: CPU ${spec.cpu} does not exist on ${machine.name} (possible CPUs 0..${nrCpus - 1})`);
    const setupKey = JSON.stringify([key, spec.allocator, spec.firstChunk, spec.knobs]);
    if (setups.has(setupKey)) continue;
    setups.add(setupKey);
    const problem = setupProblem(spec, machine);
    if (problem !== null) fail(placeOf(problem.path, spec, machine, where) + problem.message);
  }
}

/** the machine file's unknown keys (src/hw/ says only that they are unknown) with the nearest known key of the format */
export function withMachineKeySuggestions(message: string): string {
  return message.replace(/([\w.[\]]+): unknown key \(the machine file format is described in config\/README\.md\)/g, (all, field: string) => {
    const path = field.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    const known = knownKeys(MachineFileSchema, {}, path.slice(0, -1));
    const hint = didYouMean(String(path.at(-1)), known);
    return hint === '' ? all : `${field}: unknown key${hint} (the machine file format is described in config/README.md)`;
  });
}

/** what goes wrong when the allocator sets up its first chunk on `machine`, or null */
function setupProblem(spec: RunSpec, machine: Machine): { path: Path | null; message: string } | null {
  const factory = allocatorFactory(spec.allocator);
  if (typeof factory === 'string') return { path: ['allocators'], message: factory };
  const firstChunk: FirstChunkRequest = { ...machineFirstChunk(machine), ...spec.firstChunk };
  const who = `${spec.allocator} (${portKernel(spec.allocator)})`;
  try {
    const tooLarge = unitSizeProblem(portKernel(spec.allocator), machineTopology(machine), firstChunk);
    if (tooLarge !== null) {
      const largest = FIRST_CHUNK_FIELDS.slice(0, 3).reduce((a, b) => (firstChunk[b] > firstChunk[a] ? b : a));
      return { path: ['firstChunk', largest], message: tooLarge };
    }
    const allocator = factory({ topology: machineTopology(machine), firstChunk, knobs: spec.knobs }, new SimplePlatform(null));
    allocator.checkInvariants();
    return null;
  } catch (e) {
    if (e instanceof PercpuConfigError) return { path: faultyField(e.message), message: `the kernel refuses this first chunk for ${who}: ${e.message}` };
    if (e instanceof InvariantError) {
      const sizes = FIRST_CHUNK_FIELDS.map((f) => `${f} ${firstChunk[f]}`).join(', ');
      return { path: null, message: `${who} cannot set up a first chunk from ${sizes}: ${e.message}` };
    }
    throw e;
  }
}

/**
 * `file:line:column: field: ` of the field at fault: the scenario's `firstChunk` when it sets
 * the field, else its machine overrides, else the machine file.
 */
function placeOf(path: Path | null, spec: RunSpec, machine: Machine, where: (path: Path) => string): string {
  const field = path ?? ['firstChunk'];
  const name = pathKey(field);
  if (field[0] === 'firstChunk') {
    const f = field[1] as FirstChunkField | undefined;
    if (f !== undefined ? spec.firstChunk[f] !== undefined : Object.keys(spec.firstChunk).length > 0) return `${where(field)}: ${name}: `;
  } else if (field[0] === 'allocators') return `${where(field)}: allocators: `;
  if (valueAt(spec.machine.overrides, field) !== undefined) return `${where(['machine', 'overrides', ...field])}: machine.overrides.${name}: `;
  try {
    const p = positionOf(locateValues(readTextFile(machine.file)), field);
    return `${machine.file}:${p.line}:${p.column}: ${name}: `;
  } catch {
    return `${machine.file}: ${name}: `;
  }
}
