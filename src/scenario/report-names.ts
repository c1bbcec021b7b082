/**
 * The dimension names a scenario's report tables group by (`rows`, `over`) must exist: a
 * matrix dimension, or a built-in one every run has. A typo would otherwise collapse a table
 * into one row `all` and exit 0.
 */
import { InputError } from '../input/input-error.ts';
import { didYouMean, nameList } from '../input/suggest.ts';
import { pathKey } from '../input/json5-locate.ts';
import { shown } from '../input/shown.ts';
import type { Scenario } from './schema.ts';

/** dimensions every run has, whatever its matrix: what `RunMetrics` says about it */
export const BUILT_IN_DIMENSIONS = ['allocator', 'kernel', 'machine'] as const;

const TABLES = ['worst', 'breakdown', 'footprint', 'failures', 'counters'] as const;

export function checkReportNames(s: Scenario, where: (path: (string | number)[]) => string): void {
  const known = [...Object.keys(s.matrix), ...BUILT_IN_DIMENSIONS];
  for (const table of TABLES) {
    const t = s.report[table] as { rows: string[]; over?: string[] } | undefined;
    if (!t) continue;
    for (const field of ['rows', 'over'] as const) {
      (t[field] ?? []).forEach((name, i) => {
        if (known.includes(name)) return;
        const at = ['report', table, field, i];
        throw new InputError(`${where(at)}: ${pathKey(at)}: unknown dimension ${shown(name)}${didYouMean(name, known)}; expected a matrix dimension or a built-in one: ${nameList(known)}`);
      });
    }
  }
}
