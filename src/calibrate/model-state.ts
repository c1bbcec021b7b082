/**
 * The numbers a calibration may move, by name, and how a set of them prices a measured
 * workload. Code parameters are cycles of the reference host (config/code/kernel-code.json5);
 * machine parameters are the machine file's fields of the same name. Every parameter has
 * bounds (the fit's box, documented in config/README.md).
 */
import type { CodeModelCosts } from '../hw/code-costs.ts';
import { codeCostsFor } from '../hw/code-costs.ts';
import type { Machine } from '../hw/machine-config.ts';
import { priceTally, timeRates } from '../hw/time-model.ts';
import { LOCAL_DISTANCE } from '../hw/machine-schema.ts';
import { valueAtDistance } from '../hw/distance-table.ts';
import type { CostModelName, OrderRun, PhaseName } from './run-measurement.ts';
import type { Measurement } from './measurements.ts';

/** the machine-side numbers a fit may move */
export interface MachineParams {
  codeSpeed: number;
  callOverheadAllocNs: number;
  callOverheadFreeNs: number;
  copyBandwidthGBs: number;
  storeBufferBytes: number;
  countsModeLineNs: number;
  /** write bandwidth at distance 10; other distances keep their ratio to it */
  writeBandwidthGBs: number;
}

export interface ModelState {
  code: CodeModelCosts;
  machine: MachineParams;
}

export function machineParamsOf(m: Machine): MachineParams {
  return {
    codeSpeed: m.cpu.codeSpeed,
    callOverheadAllocNs: m.cost.callOverheadNs.alloc,
    callOverheadFreeNs: m.cost.callOverheadNs.free,
    copyBandwidthGBs: m.cost.copyBandwidthGBs,
    storeBufferBytes: m.cost.storeBufferBytes,
    countsModeLineNs: m.cost.countsModeLineNs,
    writeBandwidthGBs: valueAtDistance(m.spec.memory.writeBandwidthGBs, LOCAL_DISTANCE),
  };
}

/** `base` with the machine parameters of `p` */
export function withMachineParams(base: Machine, p: MachineParams): Machine {
  const scale = valueAtDistance(base.spec.memory.writeBandwidthGBs, LOCAL_DISTANCE) / p.writeBandwidthGBs;
  return {
    ...base,
    cpu: { ...base.cpu, codeSpeed: p.codeSpeed },
    cost: {
      ...base.cost,
      callOverheadNs: { ...base.cost.callOverheadNs, alloc: p.callOverheadAllocNs, free: p.callOverheadFreeNs },
      copyBandwidthGBs: p.copyBandwidthGBs,
      storeBufferBytes: p.storeBufferBytes,
      countsModeLineNs: p.countsModeLineNs,
    },
    memory: { ...base.memory, writeNsPerByte: base.memory.writeNsPerByte.map((row) => row.map((v) => v * scale)) },
  };
}

/** A parameter by name: `code.units.<unit>`, `code.calls.<allocator>.<alloc|free>` or `machine.<field>`. */
export interface ParamRef {
  name: string;
  lo: number;
  hi: number;
  /** where every fit starts, whatever the files hold now: the answer depends on the data and the model only */
  start: number;
  unit: string;
  get(s: ModelState): number;
  set(s: ModelState, v: number): void;
}

/** bounds and start of a unit's cycles: [lo, hi, start] */
const UNIT_BOUNDS: Record<string, [number, number, number]> = {
  mapExtension: [10, 1e6, 1000],
  chunkCreate: [10, 1e7, 10000],
  chunkDestroy: [10, 1e7, 10000],
  balanceCall: [10, 1e6, 1000],
};
const DEFAULT_UNIT_BOUNDS: [number, number, number] = [0.05, 5000, 10];
const CALL_BOUNDS: [number, number, number] = [10, 5000, 300];

const MACHINE_BOUNDS: Record<keyof MachineParams, [number, number, number, string]> = {
  codeSpeed: [0.2, 5, 1, 'reference cycles per cycle'],
  callOverheadAllocNs: [1, 5000, 100, 'ns'],
  callOverheadFreeNs: [1, 5000, 100, 'ns'],
  copyBandwidthGBs: [1, 500, 50, 'GB/s'],
  storeBufferBytes: [64, 65536, 1024, 'bytes'],
  countsModeLineNs: [0.05, 20, 1, 'ns'],
  writeBandwidthGBs: [0.5, 200, 10, 'GB/s'],
};

export function unitParam(unit: keyof CodeModelCosts['units']): ParamRef {
  const [lo, hi, start] = UNIT_BOUNDS[unit] ?? DEFAULT_UNIT_BOUNDS;
  return {
    name: `code.units.${unit}`,
    lo,
    hi,
    start,
    unit: 'cycles',
    get: (s) => s.code.units[unit],
    set: (s, v) => void (s.code.units[unit] = v),
  };
}

export function callParam(allocator: string, kind: 'alloc' | 'free'): ParamRef {
  return {
    name: `code.calls.${allocator}.${kind}`,
    lo: CALL_BOUNDS[0],
    hi: CALL_BOUNDS[1],
    start: CALL_BOUNDS[2],
    unit: 'cycles',
    get: (s) => s.code.calls[allocator]![kind],
    set: (s, v) => void (s.code.calls[allocator]![kind] = v),
  };
}

export function machineParam(field: keyof MachineParams): ParamRef {
  const [lo, hi, start, unit] = MACHINE_BOUNDS[field];
  return { name: `machine.${field}`, lo, hi, start, unit, get: (s) => s.machine[field], set: (s, v) => void (s.machine[field] = v) };
}

export function cloneState(s: ModelState): ModelState {
  return { code: structuredClone(s.code), machine: { ...s.machine } };
}

/** a measured workload, run once, ready to be priced under any parameters */
export interface Point {
  m: Measurement;
  /** the preset with the line's machine, as the runs ran on it */
  machine: Machine;
  runs: OrderRun[];
}

/** modeled ms of each phase (the worst over the free orders a line runs), and their sum */
export function predict(p: Point, s: ModelState, costModel: CostModelName): Record<PhaseName | 'total', number> {
  const machine = withMachineParams(p.machine, s.machine);
  const rates = timeRates(machine, codeCostsFor({ reference: { machine: '', clockGHz: 1 }, counts: s.code, full: s.code }, costModel, p.m.allocator));
  const inPhase = p.m.balance === 'in-phase';
  const phase = (name: PhaseName): number => Math.max(...p.runs.map((r) => priceTally(machine, rates, inPhase ? r.tally[name] : r.cpuTally[name], costModel) / 1e6));
  const alloc = phase('alloc');
  const free = phase('free');
  return { alloc, free, total: alloc + free };
}
