/**
 * Loads a modeled machine: a preset from `config/` by name (or a file by path), deep-merged
 * with a scenario's overrides, validated, and resolved into the numbers the platform uses
 * (pages per node, node × node latency and bandwidth matrices).
 *
 * Errors are `MachineConfigError`s that name the file, the line and column, the dotted field
 * path and the value received:
 * `config/x.json5:14:17: topology.nodes[1].cpus[2]: expected a CPU number (an integer >= 0), received -4`.
 * A field set by the overrides is named as such (`<source> override: memory.pageSize: ...`).
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import type { FirstChunkRequest, Topology } from '../kernel/allocator.ts';
import { InputError } from '../input/input-error.ts';
import { firstProblems, parseJson5, readTextFile, valueAt } from '../input/json5-file.ts';
import { locateValues, pathKey, positionOf } from '../input/json5-locate.ts';
import { nodeMatrix } from './distance-table.ts';
import type { CacheLevelSpec, CostConstants, CpuSpec, FixedCosts, MachineFile } from './machine-schema.ts';
import { MachineFileSchema } from './machine-schema.ts';

/** A machine description the user gave us is wrong; the message names file, place and field. */
export class MachineConfigError extends InputError {
  override name = 'MachineConfigError';
}

/** The directory holding the presets (`config/` at the project root). */
export const PRESET_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../config');

/** A validated machine with its derived figures. Read-only by convention. */
export interface Machine {
  name: string;
  description: string;
  /** the file it came from, as shown in messages */
  file: string;
  topology: {
    nrNodes: number;
    nrCpus: number;
    cpuToNode: number[];
    /** possible CPUs on each node, ascending */
    nodeCpus: number[][];
    /** SLIT distance, nodes × nodes */
    distance: number[][];
  };
  memory: {
    pageSize: number;
    pagesPerNode: number[];
    pageBudget: number | null;
    nodeFallback: boolean;
    /** cache-miss latency, [acting node][memory node] */
    latencyNs: number[][];
    /** streaming read cost, ns per byte, [acting node][memory node] */
    readNsPerByte: number[][];
    /** memset cost into cold lines, ns per byte, [acting node][memory node] */
    writeNsPerByte: number[][];
  };
  vmalloc: { size: number };
  caches: { lineSize: number; levels: CacheLevelSpec[] };
  /** the clock and code speed that turn the code's cycles into ns (time-model.ts) */
  cpu: CpuSpec;
  fixed: FixedCosts;
  firstChunk: FirstChunkRequest;
  cost: CostConstants;
  /** the validated file content after overrides (for reports) */
  spec: MachineFile;
}

/** Names of the presets in `config/`. */
export function listPresets(): string[] {
  return readdirSync(PRESET_DIR)
    .filter((f) => f.endsWith('.json5'))
    .map((f) => f.slice(0, -'.json5'.length))
    .sort();
}

/** A preset name (`seed-2017`) or a path to a machine file. */
export function resolveMachinePath(nameOrPath: string): string {
  const looksLikePath = nameOrPath.includes('/') || nameOrPath.endsWith('.json5');
  if (looksLikePath) return nameOrPath;
  const preset = join(PRESET_DIR, `${nameOrPath}.json5`);
  if (!existsSync(preset)) {
    throw new MachineConfigError(`unknown machine '${nameOrPath}': expected a file path or one of the presets ${listPresets().join(', ')}`);
  }
  return preset;
}

const displayPath = (file: string): string => {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
};

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Objects merge key by key; anything else (numbers, strings, arrays) in `over` replaces `base`. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

/** whether `path` (or a prefix of it) was given by the overrides */
function fromOverrides(overrides: unknown, path: readonly (string | number)[]): boolean {
  for (let n = path.length; n >= 1; n--) if (valueAt(overrides, path.slice(0, n)) !== undefined) return true;
  return false;
}

const received = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s;
};

function describe(file: string, text: string, value: unknown, overrides: unknown, overridesSource: string, error: z.ZodError): string {
  const located = locateValues(text);
  const lines = error.issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const keys = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys : [];
    const fieldPath = keys.length > 0 ? [...path, keys[0]!] : path;
    const field = pathKey(fieldPath) || '(top level)';
    const what = keys.length > 0 ? 'unknown key (the machine file format is described in config/README.md)' : `${issue.message.replace(/, received \w+$/, '')}, received ${received(valueAt(value, path))}`;
    if (fromOverrides(overrides, fieldPath)) return `${overridesSource}: ${field}: ${what}`;
    const pos = positionOf(located, fieldPath);
    return `${file}:${pos.line}:${pos.column}: ${field}: ${what}`;
  });
  return firstProblems(lines).join('\n');
}

/** Turns a validated file into a Machine. */
export function resolveMachine(spec: MachineFile, file: string): Machine {
  const nodes = spec.topology.nodes;
  const nrCpus = nodes.reduce((n, node) => n + node.cpus.length, 0);
  const cpuToNode = new Array<number>(nrCpus).fill(0);
  const nodeCpus = nodes.map((node, n) => {
    for (const c of node.cpus) cpuToNode[c] = n;
    return [...node.cpus].sort((a, b) => a - b);
  });
  const distance = spec.topology.distance.map((row) => [...row]);
  const pageSize = spec.memory.pageSize;
  const perByte = (gbs: number): number => 1 / gbs; // 1 GB/s = 1 byte/ns
  return {
    name: spec.name,
    description: spec.description,
    file,
    topology: { nrNodes: nodes.length, nrCpus, cpuToNode, nodeCpus, distance },
    memory: {
      pageSize,
      pagesPerNode: nodes.map((node) => Math.floor(node.memory / pageSize)),
      pageBudget: spec.memory.pageBudget,
      nodeFallback: spec.memory.nodeFallback,
      latencyNs: nodeMatrix(distance, spec.memory.latencyNs),
      readNsPerByte: nodeMatrix(distance, spec.memory.readBandwidthGBs, perByte),
      writeNsPerByte: nodeMatrix(distance, spec.memory.writeBandwidthGBs, perByte),
    },
    vmalloc: { size: spec.vmalloc.size },
    caches: { lineSize: spec.caches.lineSize, levels: spec.caches.levels },
    cpu: spec.cpu,
    fixed: spec.fixed,
    firstChunk: { ...spec.firstChunk },
    cost: spec.cost,
    spec,
  };
}

/**
 * A machine by preset name or file path, with `overrides` deep-merged over the file (objects
 * merge, arrays and scalars replace). `overridesSource` names the overrides in messages.
 */
export function loadMachine(nameOrPath: string, overrides?: Record<string, unknown>, overridesSource = 'machine override'): Machine {
  const path = resolveMachinePath(nameOrPath);
  const file = displayPath(path);
  let text: string;
  let raw: unknown;
  try {
    text = readTextFile(path);
    raw = parseJson5(file, text);
  } catch (e) {
    if (e instanceof InputError) throw new MachineConfigError(e.message.replace(path, file));
    throw e;
  }
  const merged = overrides === undefined ? raw : deepMerge(raw, overrides);
  const r = MachineFileSchema.safeParse(merged);
  if (!r.success) throw new MachineConfigError(describe(file, text, merged, overrides ?? {}, overridesSource, r.error));
  return resolveMachine(r.data, file);
}

/** The machine as the allocator sees it. */
export function machineTopology(m: Machine): Topology {
  return {
    pageSize: m.memory.pageSize,
    nrCpus: m.topology.nrCpus,
    cpuToNode: [...m.topology.cpuToNode],
    nodeDistance: m.topology.distance.map((row) => [...row]),
  };
}

/** What the machine's arch code passes to pcpu_embed_first_chunk. */
export function machineFirstChunk(m: Machine): FirstChunkRequest {
  return { ...m.firstChunk };
}
