/**
 * The code's side of the time model: how many cycles of the reference machine (the host the
 * native measurements ran on) one unit of each kind of counted work takes, per kernel version
 * where the code differs. `config/code/kernel-code.json5` holds them, written by
 * `sim calibrate --fit code`; a machine turns cycles into ns with its own clock and code speed
 * (machine-schema.ts `cpu`). One set per cost model: under 'full' the metadata lines are priced
 * by the cache model, under 'counts' at a flat rate, so the code's share differs.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { InputError } from '../input/input-error.ts';
import { parseJson5, readTextFile, validateJson5 } from '../input/json5-file.ts';

export const CODE_COSTS_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../config/code/kernel-code.json5');

const cycles = z.number().finite().nonnegative();

/** cycles per unit of the work the allocators count, shared by every version */
const unitCycles = z.strictObject({
  /** one 32-bit bitmap word examined by a find_*_bit-style loop */
  bitmapWord: cycles,
  /** one bitmap search call (find_next_bit and kin): call, set-up and the result's clamp */
  bitmapSearch: cycles,
  /** one pcpu_block_md record read / written by a hint step */
  blockMdRead: cycles,
  blockMdWrite: cycles,
  /** one area-map entry examined (scan step or binary-search probe) */
  mapEntry: cycles,
  /** one page-table walk of free_percpu's chunk search (the walk's steps; its lines are priced as lines) */
  chunkPageLookup: cycles,
  /** one list_move of a chunk between slots */
  listMove: cycles,
  /** pcpu_extend_area_map bookkeeping beyond its buffer and copy */
  mapExtension: cycles,
  /** chunk set-up and tear-down beyond metadata buffers, vm areas and pages (not fitted: see calibrate-command.ts UNFITTED_UNITS) */
  chunkCreate: cycles,
  chunkDestroy: cycles,
  /**
   * one page of one unit populated / depopulated: percpu-vm.c's loops around the page allocator
   * and the mapping (pcpu_alloc_pages, pcpu_map_pages and their undoing), beyond the services'
   * own `fixed` costs
   */
  pagePopulate: cycles,
  pageDepopulate: cycles,
  /** one step of the zeroing loop: per_cpu_ptr, the memset call and its start-up, per possible CPU */
  memsetCall: cycles,
  /** one run of the balance work's fixed path */
  balanceCall: cycles,
});

/** the fixed path of one call, per kernel version: what no counter sees */
const callCycles = z.strictObject({ alloc: cycles, free: cycles });

const modelCosts = z.strictObject({
  units: unitCycles,
  calls: z.record(z.string(), callCycles),
});

export const CodeCostsSchema = z.strictObject({
  /** the machine whose cycles these are, and its clock: reference ns = cycles / clockGHz */
  reference: z.strictObject({ machine: z.string(), clockGHz: z.number().positive() }),
  counts: modelCosts,
  full: modelCosts,
});

export type CodeCostsFile = z.output<typeof CodeCostsSchema>;
export type UnitCycles = CodeCostsFile['counts']['units'];
export type CallCycles = z.output<typeof callCycles>;
export type CodeModelCosts = CodeCostsFile['counts'];

/** The cycles one allocator version's code costs under one cost model. */
export interface CodeCosts {
  units: UnitCycles;
  call: CallCycles;
}

let cached: CodeCostsFile | undefined;

/** the committed code costs (read once per process) */
export function loadCodeCosts(file = CODE_COSTS_FILE): CodeCostsFile {
  if (file === CODE_COSTS_FILE && cached) return cached;
  const text = readTextFile(file);
  const v = validateJson5(file, text, parseJson5(file, text), CodeCostsSchema);
  if (file === CODE_COSTS_FILE) cached = v;
  return v;
}

/**
 * The code costs of `allocator` under `model`. A version without its own call costs runs the
 * modern port's code paths (the bitmap-v* diffs of `bitmap`), so it takes `bitmap`'s.
 */
export function codeCostsFor(file: CodeCostsFile, model: 'counts' | 'full', allocator: string): CodeCosts {
  const m = file[model];
  const call = m.calls[allocator] ?? m.calls['bitmap'];
  if (!call) throw new InputError(`config/code/kernel-code.json5: ${model}.calls has no entry for ${allocator} (nor bitmap)`);
  return { units: m.units, call };
}
