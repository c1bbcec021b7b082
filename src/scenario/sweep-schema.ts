/**
 * The `sweep` section of a scenario: a grid of dimensions, each a list of values, written with
 * the same names as `sim sweep --grid NAME=V1,V2`:
 *
 * ```json5
 * sweep: { cpus: [1, 64, 4096], nodes: [1, 4], pageSize: ['4 KiB', '64 KiB'],
 *          'knobs.emptyPopPagesHigh': [4, 16], 'machine.memory.pageBudget': [null, 100000] }
 * ```
 *
 * Dimensions keep the order they are written in (the first varies slowest). The checks here
 * are shared with the command line, so both name the dimension and the value at fault.
 */
import { z } from 'zod';
import { knownAllocatorNames, resolveAllocator } from '../kernel/versions.ts';
import { parseByteSize } from '../hw/byte-size.ts';
import { MAX_CPUS, MAX_NODES } from '../hw/machine-schema.ts';
import { didYouMean } from '../input/suggest.ts';

/** one value of a dimension, as it appears in labels and keys */
export type GridValue = string | number | boolean | null;

const KNOBS = ['emptyPopPagesLow', 'emptyPopPagesHigh'] as const;
const FIRST_CHUNK = ['staticSize', 'reservedSize', 'dynSize', 'atomSize'] as const;

export const GRID_DIMENSION_HELP =
  `preset, cpus, nodes, pageSize, allocator, ${KNOBS.map((k) => `knobs.${k}`).join(', ')}, ` +
  `${FIRST_CHUNK.map((k) => `firstChunk.${k}`).join(', ')}, or machine.<path> (a field of the machine file)`;

/** `4K`, `64K`, `2M` as shorthands for KiB and MiB; otherwise what machine files accept */
function byteSize(v: unknown): number | null {
  if (typeof v === 'string') {
    const m = /^\s*(\d+)\s*([KMG])\s*$/i.exec(v);
    if (m) return Number(m[1]) * 1024 ** ('KMG'.indexOf(m[2]!.toUpperCase()) + 1);
  }
  return parseByteSize(v);
}

type Check = (v: unknown) => { value: GridValue } | { error: string };

const intIn = (lo: number, hi: number, what: string): Check => (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi ? { value: v } : { error: `expected ${what}` };

const byteCheck = (v: unknown): { value: GridValue } | { error: string } => {
  const n = byteSize(v);
  return n === null ? { error: "expected a byte size such as 4096, '64 KiB' or 64K" } : { value: n };
};

const pageSizeCheck: Check = (v) => {
  const n = byteSize(v);
  if (n === null || n < 4096 || n > 1 << 20 || (n & (n - 1)) !== 0) return { error: "expected a page size: a power of two from 4096 to 1 MiB, such as 4096, '64 KiB' or 64K" };
  return { value: n };
};

const jsonValue: Check = (v) => {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return { value: v };
  return { error: 'expected a string, a number, true, false or null' };
};

/** The check for the values of dimension `name`, or null when there is no such dimension. */
export function dimensionCheck(name: string): Check | null {
  if (name === 'preset') return (v) => (typeof v === 'string' && v.length > 0 ? { value: v } : { error: 'expected a preset name or a machine file path' });
  if (name === 'cpus') return intIn(1, MAX_CPUS, `a CPU count from 1 to ${MAX_CPUS}`);
  if (name === 'nodes') return intIn(1, MAX_NODES, `a node count from 1 to ${MAX_NODES}`);
  if (name === 'pageSize') return pageSizeCheck;
  if (name === 'allocator') {
    return (v) => (typeof v === 'string' && resolveAllocator(v) !== null ? { value: v } : { error: `expected an allocator or a kernel version (${knownAllocatorNames().join(', ')})` });
  }
  const [head, ...rest] = name.split('.');
  const tail = rest.join('.');
  if (head === 'knobs' && KNOBS.includes(tail as never)) return intIn(0, 2 ** 31 - 1, 'a non-negative integer');
  if (head === 'firstChunk' && FIRST_CHUNK.includes(tail as never)) return byteCheck;
  if (head === 'machine' && rest.length > 0 && rest.every((p) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(p))) return jsonValue;
  return null;
}

/** every fixed dimension name, for suggestions */
const FIXED_DIMENSIONS = ['preset', 'cpus', 'nodes', 'pageSize', 'allocator', ...KNOBS.map((k) => `knobs.${k}`), ...FIRST_CHUNK.map((k) => `firstChunk.${k}`)];

/** ` (did you mean \`cpus\`?)` for a misspelt dimension name, or '' */
export const suggestDimension = (name: string): string => didYouMean(name, FIXED_DIMENSIONS);

/** A grid: dimension name → values, in declared order. */
export type Grid = Record<string, GridValue[]>;

export const SweepSchema = z.record(z.string(), z.array(z.unknown()).min(1)).transform((rec, ctx): Grid => {
  const out: Grid = {};
  for (const [name, values] of Object.entries(rec)) {
    const check = dimensionCheck(name);
    if (!check) {
      ctx.addIssue({ code: 'custom', message: `unknown grid dimension${suggestDimension(name)} (expected ${GRID_DIMENSION_HELP})`, path: [name] });
      continue;
    }
    out[name] = values.map((v, i) => {
      const r = check(v);
      if ('error' in r) {
        ctx.addIssue({ code: 'custom', message: r.error, path: [name, i] });
        return null;
      }
      return r.value;
    });
    const seen = new Set(out[name]!.map((v) => JSON.stringify(v)));
    if (seen.size !== values.length) ctx.addIssue({ code: 'custom', message: 'expected distinct values', path: [name] });
  }
  return out;
});
