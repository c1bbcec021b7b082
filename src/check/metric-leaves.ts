/**
 * A run's metrics as leaves: every number or string under the run with its dotted path
 * (`phases.alloc.latency_ns.p99`), leaving out what identifies the run (allocator, labels).
 * Walking the object rather than listing fields means a metric added later is compared too.
 */

export type LeafValue = number | string | boolean | null;

export interface MetricLeaf {
  path: string[];
  value: LeafValue;
}

const IDENTITY_FIELDS = ['allocator', 'labels'];

export function metricLeaves(run: object): MetricLeaf[] {
  const out: MetricLeaf[] = [];
  const walk = (v: unknown, path: string[]): void => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, child] of Object.entries(v)) {
        if (path.length === 0 && IDENTITY_FIELDS.includes(k)) continue;
        walk(child, [...path, k]);
      }
    } else if (Array.isArray(v)) {
      v.forEach((child, i) => walk(child, [...path, String(i)]));
    } else if (v !== undefined) {
      out.push({ path, value: v as LeafValue });
    }
  };
  walk(run, []);
  return out;
}

export const pathText = (path: readonly string[]): string => path.join('.');
