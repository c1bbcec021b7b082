/**
 * A sweep's grid: dimensions from the scenario's `sweep` section and from `--grid NAME=V1,V2`
 * options, and its points (every combination, the first dimension varying slowest).
 */
import { InputError } from '../input/input-error.ts';
import type { Grid, GridValue } from '../scenario/sweep-schema.ts';
import { dimensionCheck, GRID_DIMENSION_HELP, suggestDimension } from '../scenario/sweep-schema.ts';

export type GridPoint = Record<string, GridValue>;

/** a value as written on the command line: numbers, true/false/null, otherwise a string */
function cliValue(text: string): unknown {
  const t = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  return t;
}

/** `cpus=4,64,1024` → ['cpus', [4, 64, 1024]]; errors name the option and the dimension */
export function parseGridOption(text: string): [string, GridValue[]] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InputError(`--grid: expected NAME=V1,V2,... (NAME one of ${GRID_DIMENSION_HELP}), got "${text}"`);
  const name = text.slice(0, eq).trim();
  const check = dimensionCheck(name);
  if (!check) throw new InputError(`--grid ${name}: unknown grid dimension${suggestDimension(name)} (expected ${GRID_DIMENSION_HELP})`);
  const parts = text.slice(eq + 1).split(',');
  if (parts.some((p) => p.trim() === '')) throw new InputError(`--grid ${name}: expected a comma-separated list of values, got "${text.slice(eq + 1)}"`);
  const values = parts.map((p) => {
    const r = check(cliValue(p));
    if ('error' in r) throw new InputError(`--grid ${name}: ${r.error}, received ${JSON.stringify(p.trim())}`);
    return r.value;
  });
  if (new Set(values.map((v) => JSON.stringify(v))).size !== values.length) throw new InputError(`--grid ${name}: expected distinct values, got "${text.slice(eq + 1)}"`);
  return [name, values];
}

/** The scenario's grid with the command line's dimensions: a dimension given on both is replaced in place, new ones come last. */
export function combineGrids(scenario: Grid | undefined, options: readonly string[]): Grid {
  const out: Grid = { ...scenario };
  const seen = new Set<string>();
  for (const o of options) {
    const [name, values] = parseGridOption(o);
    if (seen.has(name)) throw new InputError(`--grid ${name}: given twice`);
    seen.add(name);
    out[name] = values;
  }
  return out;
}

/** dimensions that vary the runs of one point rather than label a point */
export const NON_LABEL_DIMENSIONS = ['allocator'];

/** every combination of the grid's label dimensions, first dimension slowest */
export function gridPoints(grid: Grid): GridPoint[] {
  let points: GridPoint[] = [{}];
  for (const [name, values] of Object.entries(grid)) {
    if (NON_LABEL_DIMENSIONS.includes(name)) continue;
    points = points.flatMap((p) => values.map((v) => ({ ...p, [name]: v })));
  }
  return points;
}
