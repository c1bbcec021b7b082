/**
 * `sim calibrate DATA... --machine PRESET --fit code|machine`: fits the time model's free
 * numbers to measurements and writes them back (config/code/kernel-code.json5 for the code's
 * cycles, the preset's file for the machine's figures). `--cross-validate` also fits once per
 * left-out group (a size, a free order, the contrived case) and predicts the group.
 */
import { loadCodeCosts, CODE_COSTS_FILE } from '../hw/code-costs.ts';
import { loadMachine, resolveMachinePath } from '../hw/machine-config.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { InputError } from '../input/input-error.ts';
import type { Cell, ErrorSummary } from '../calibrate/calibrate.ts';
import { cells, collectPoints, fitState, summarize } from '../calibrate/calibrate.ts';
import type { Measurement } from '../calibrate/measurements.ts';
import { loadMeasurements, measuredCells } from '../calibrate/measurements.ts';
import type { MachineParams, ModelState, ParamRef, Point } from '../calibrate/model-state.ts';
import { callParam, machineParam, machineParamsOf, unitParam } from '../calibrate/model-state.ts';
import type { CostModelName } from '../calibrate/run-measurement.ts';
import { codeCostsText, fmt, sectionNotes, writeMachineFile } from '../calibrate/write-back.ts';
import type { UnitCycles } from '../hw/code-costs.ts';
import type { CalibrationRecord } from '../hw/machine-schema.ts';

export interface CalibrateOptions {
  machine: string;
  fit: 'code' | 'machine';
  costModel: CostModelName;
  include?: string;
  exclude?: string;
  crossValidate: boolean;
  dryRun: boolean;
  /** machine figures fitted besides the kind's usual ones (e.g. codeSpeed, to check an assumed value) */
  free?: (keyof MachineParams)[];
}

/** the machine figures each kind of fit moves */
export const MACHINE_FIELDS: Record<'code' | 'machine', Record<CostModelName, (keyof MachineParams)[]>> = {
  code: { counts: ['copyBandwidthGBs', 'storeBufferBytes', 'writeBandwidthGBs', 'countsModeLineNs'], full: [] },
  machine: {
    counts: ['callOverheadAllocNs', 'callOverheadFreeNs', 'copyBandwidthGBs', 'storeBufferBytes', 'writeBandwidthGBs'],
    full: [],
  },
};

/** where each machine figure lives in the file */
const FILE_PATHS: Record<keyof MachineParams, (string | number)[]> = {
  codeSpeed: ['cpu', 'codeSpeed'],
  callOverheadAllocNs: ['cost', 'callOverheadNs', 'alloc'],
  callOverheadFreeNs: ['cost', 'callOverheadNs', 'free'],
  copyBandwidthGBs: ['cost', 'copyBandwidthGBs'],
  storeBufferBytes: ['cost', 'storeBufferBytes'],
  countsModeLineNs: ['cost', 'countsModeLineNs'],
  writeBandwidthGBs: ['memory', 'writeBandwidthGBs'],
};

/**
 * Units the data cannot tell apart from others, kept at their files' values:
 *  - in every measured workload a chunk has the same 512 unit pages, so per-chunk set-up is
 *    inseparable from per-page population; the fit takes the per-page costs (which scale with
 *    CPUs and page size as the kernel's loops do), the per-chunk ones stay at an estimate of
 *    pcpu_alloc_chunk's own work;
 *  - every measured workload has 8 possible CPUs, so the zeroing loop's per-CPU step is
 *    inseparable from a call's fixed path; it is measured instead (scripts/zeroing-step.c,
 *    data/calibration/zeroing-step-zen4-vm.txt), since it sets how allocations scale with CPUs.
 */
export const UNFITTED_UNITS: readonly (keyof UnitCycles)[] = ['chunkCreate', 'chunkDestroy', 'memsetCall'];

/** the machine figures a calibration moves: its kind's usual ones and any `--free` ones */
export function fittedFields(opts: Pick<CalibrateOptions, 'fit' | 'costModel' | 'free'>): (keyof MachineParams)[] {
  const usual = MACHINE_FIELDS[opts.fit][opts.costModel];
  return [...(opts.free ?? []).filter((f) => !usual.includes(f)), ...usual];
}

/** parses `--free a,b`: machine figures by name */
export function parseFree(v: string): (keyof MachineParams)[] {
  const known = Object.keys(FILE_PATHS) as (keyof MachineParams)[];
  return v.split(',').map((raw) => {
    const name = raw.trim() as keyof MachineParams;
    if (!known.includes(name)) throw new InputError(`--free: unknown machine figure "${name}"; known: ${known.join(', ')}`);
    return name;
  });
}

export function paramsFor(opts: Pick<CalibrateOptions, 'fit' | 'costModel' | 'free'>, lines: Measurement[], code: ModelState['code']): ParamRef[] {
  const machine = fittedFields(opts).map(machineParam);
  if (opts.fit === 'machine') return machine;
  const allocators = [...new Set(lines.map((l) => l.allocator))].sort();
  const units = (Object.keys(code.units) as (keyof UnitCycles)[]).filter((u) => !UNFITTED_UNITS.includes(u)).map(unitParam);
  for (const a of allocators) code.calls[a] ??= { alloc: 300, free: 150 };
  return [...units, ...allocators.flatMap((a) => [callParam(a, 'alloc'), callParam(a, 'free')]), ...machine];
}

export function selectLines(lines: Measurement[], include?: string, exclude?: string): Measurement[] {
  const inc = include ? new RegExp(include) : null;
  const exc = exclude ? new RegExp(exclude) : null;
  return lines.filter((l) => (!inc || inc.test(l.id)) && !(exc && exc.test(l.id)));
}

/** the groups cross-validation leaves out one at a time */
export function folds(lines: Measurement[]): { name: string; test: (m: Measurement) => boolean }[] {
  const contrived = (m: Measurement): boolean => m.workload.size === 4 && m.workload.align === 8;
  const out: { name: string; test: (m: Measurement) => boolean }[] = [];
  for (const size of [...new Set(lines.filter((m) => !contrived(m)).map((m) => m.workload.size))].sort((a, b) => a - b)) {
    out.push({ name: `size ${size} B`, test: (m) => !contrived(m) && m.workload.size === size });
  }
  for (const order of [...new Set(lines.map((m) => m.workload.free))]) out.push({ name: `free order ${order}`, test: (m) => !contrived(m) && m.workload.free === order });
  if (lines.some(contrived)) out.push({ name: 'contrived case (4 B at align 8)', test: contrived });
  return out.filter((f) => lines.some((m) => !f.test(m)) && lines.some((m) => f.test(m) && measuredCells(m).length > 0));
}

export const summaryLine = (s: ErrorSummary): string =>
  `${s.cells} cells: ${s.within125} within 1.25x, ${s.within15} within 1.5x; median miss ${s.medianFactor.toFixed(2)}x, worst ${s.worstFactor.toFixed(2)}x` +
  (s.worst ? ` (${s.worst.id} ${s.worst.phase}: ${fmtMs(s.worst.modeled)} modeled vs ${fmtMs(s.worst.measured)} measured)` : '');

export const fmtMs = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)) + ' ms';

export function startState(machine: string, costModel: CostModelName): ModelState {
  return { code: structuredClone(loadCodeCosts()[costModel]), machine: machineParamsOf(loadMachine(machine)) };
}

export function calibrateCommand(files: string[], opts: CalibrateOptions, out: (s: string) => void, err: (s: string) => void): number {
  if (files.length === 0) throw new InputError('calibrate: give at least one measurement file (e.g. data/calibration/native-zen4-vm.jsonl)');
  const all = files.flatMap((f) => loadMeasurements(f));
  const lines = selectLines(all, opts.include, opts.exclude);
  if (lines.filter((l) => measuredCells(l).length > 0).length === 0) throw new InputError('calibrate: no measured line left after --include/--exclude');
  if (opts.fit === 'code' && opts.free?.includes('codeSpeed')) {
    throw new InputError("calibrate: --free codeSpeed needs --fit machine: the code's cycles are the reference machine's, whose code speed is 1 by definition");
  }
  const t0 = performance.now();
  const tty = process.stderr.isTTY;
  const points = collectPoints(opts.machine, lines, opts.costModel, (i, n, id) => {
    if (tty) err(`\rcalibrate: running ${i + 1}/${n} ${id}`.padEnd(80));
  });
  if (tty) err('\r'.padEnd(80) + '\r');
  const runMs = performance.now() - t0;
  const start = startState(opts.machine, opts.costModel);
  const params = paramsFor(opts, lines, start.code);
  const t1 = performance.now();
  const fit = fitState(points, start, params, opts.costModel);
  const fitMs = performance.now() - t1;
  const inSample = cells(points, fit.state, opts.costModel);
  const sum = summarize(inSample);

  out(`calibrate ${opts.machine} (--fit ${opts.fit}, costModel ${opts.costModel}) on ${lines.length} lines of ${files.join(', ')}`);
  out(`  ${params.length} free parameters, ${inSample.length} measured cells; runs ${(runMs / 1000).toFixed(1)} s, fit ${(fitMs / 1000).toFixed(1)} s (${fit.iterations} iterations)`);
  for (const p of params) out(`  ${p.name.padEnd(36)} ${fmt(p.get(fit.state)).padStart(10)} ${p.unit}  [${fmt(p.lo)}, ${fmt(p.hi)}]`);
  out(`  in sample: ${summaryLine(sum)}`);

  // cross-validation: fit without each group, predict it; the record keeps the pooled figures
  if (opts.crossValidate) out('  cross-validation (fit without the group, predict it):');
  const pooled: Cell[] = [];
  for (const f of folds(lines)) {
    // sizes and the contrived case split the cells once; the free orders split them again (printed only)
    const byOrder = f.name.startsWith('free order');
    if (byOrder && !opts.crossValidate) continue;
    const s = fitState(points.filter((p) => !f.test(p.m)), start, params, opts.costModel).state;
    const predicted = cells(points.filter((p) => f.test(p.m)), s, opts.costModel);
    if (!byOrder) pooled.push(...predicted);
    if (opts.crossValidate) out(`    ${f.name.padEnd(34)} ${summaryLine(summarize(predicted))}`);
  }
  const heldOut = summarize(pooled);
  out(`  held out: every cell predicted by the fit without its size (or the contrived case): ${summaryLine(heldOut)}`);

  if (!opts.dryRun) {
    const command = `sim calibrate ${files.join(' ')} --machine ${opts.machine} --fit ${opts.fit} --cost-model ${opts.costModel}` +
      (opts.include ? ` --include '${opts.include}'` : '') + (opts.exclude ? ` --exclude '${opts.exclude}'` : '') +
      (opts.free?.length ? ` --free ${opts.free.join(',')}` : '');
    const notes = [...recordLines(command, lines, params, fit.state, sum, inSample), `held out (cross-validation by size and contrived case): ${summaryLine(heldOut)}`];
    if (opts.fit === 'code') writeCode(opts.costModel, fit.state, notes);
    const fields = fittedFields(opts);
    const record: CalibrationRecord = {
      data: [...new Set(lines.map((l) => l.file))].join(', '),
      cells: inSample.length,
      parameters: params.length,
      inSampleMedian: sum.medianFactor,
      inSampleWorst: sum.worstFactor,
      heldOutMedian: pooled.length ? heldOut.medianFactor : sum.medianFactor,
      heldOutWorst: pooled.length ? heldOut.worstFactor : sum.worstFactor,
    };
    if (fields.length > 0) writeMachine(opts.machine, fields, fit.state, notes, record);
    out(`  written: ${[opts.fit === 'code' ? 'config/code/kernel-code.json5' : '', fields.length ? resolveMachinePath(opts.machine) : ''].filter(Boolean).join(', ')}`);
  }
  return 0;
}

function recordLines(command: string, lines: Measurement[], params: ParamRef[], s: ModelState, sum: ErrorSummary, cs: Cell[]): string[] {
  const files = [...new Set(lines.map((l) => l.file))].join(', ');
  const out = [
    `${command}`,
    `data: ${lines.length} lines of ${files}; ${cs.length} measured cells; ${params.length} free parameters:`,
    ...chunkWords(params.map((p) => `${p.name.replace(/^(code|machine)\./, '')} ${fmt(p.get(s))}`), 90),
    `in sample: ${summaryLine(sum)}`,
  ];
  return out;
}

function chunkWords(items: string[], width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const it of items) {
    const next = line ? `${line}, ${it}` : it;
    if (next.length > width && line) {
      out.push(`  ${line},`);
      line = it;
    } else line = next;
  }
  if (line) out.push(`  ${line}`);
  return out;
}

function writeCode(costModel: CostModelName, s: ModelState, notes: string[]): void {
  const text = readFileSync(CODE_COSTS_FILE, 'utf8');
  const current = loadCodeCosts();
  const keep = { counts: sectionNotes(text, 'counts'), full: sectionNotes(text, 'full') };
  keep[costModel] = notes;
  writeFileSync(CODE_COSTS_FILE, codeCostsText(current, costModel, s.code, keep));
}

function writeMachine(machine: string, fields: (keyof MachineParams)[], s: ModelState, notes: string[], record: CalibrationRecord): void {
  const file = resolveMachinePath(machine);
  const m = loadMachine(machine);
  const values: [(string | number)[], number][] = [];
  for (const f of fields) {
    if (f === 'writeBandwidthGBs') {
      const table = m.spec.memory.writeBandwidthGBs;
      const scale = s.machine.writeBandwidthGBs / (table['10'] ?? Object.values(table)[0]!);
      for (const [d, v] of Object.entries(table)) values.push([[...FILE_PATHS[f], d], v * scale]);
    } else values.push([FILE_PATHS[f], s.machine[f]]);
  }
  writeMachineFile(file, values, notes, record);
}
