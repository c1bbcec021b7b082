/**
 * The keys a zod object schema allows at a path of a value, found by walking the schema the
 * way the value goes (through optional, default, pipe, arrays, records, and the option of a
 * union its discriminator picks), so an unknown key can be answered with the known ones.
 */
import type { z } from 'zod';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** the object schema that validates `value`, through wrappers and unions; null when there is none */
function objectSchema(s: z.ZodType, value: unknown): Def | null {
  for (let i = 0; i < 20; i++) {
    const d = defOf(s);
    if (d.type === 'object') return d;
    if (d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else if (d.type === 'union' && d.options) {
      const objects = d.options.map((o) => objectSchema(o, value)).filter((o): o is Def => o !== null);
      if (objects.length === 0) return null;
      const disc = d.discriminator;
      const v = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[disc ?? ''] : undefined;
      const match = disc === undefined ? null : objects.find((o) => literalValues(o.shape?.[disc]).includes(v));
      // no discriminator (or no match): the union's keys together
      return match ?? { type: 'object', shape: Object.assign({}, ...objects.map((o) => o.shape)) };
    } else return null;
  }
  return null;
}

/** the values a literal (or a wrapped literal) schema accepts */
function literalValues(s: z.ZodType | undefined): unknown[] {
  while (s) {
    const d = defOf(s) as Def & { values?: unknown[] };
    if (d.type === 'literal') return d.values ?? [];
    s = d.innerType;
  }
  return [];
}

/** the schema of the value at `path` (null when the path leaves the schema) */
function schemaAt(s: z.ZodType, root: unknown, path: readonly (string | number)[]): { schema: z.ZodType; value: unknown } | null {
  let value = root;
  for (const p of path) {
    let d = defOf(s);
    while (d.innerType || (d.type === 'pipe' && d.in)) {
      s = (d.innerType ?? d.in)!;
      d = defOf(s);
    }
    if (d.type === 'array' && d.element && typeof p === 'number') s = d.element;
    else if (d.type === 'record' && d.valueType) s = d.valueType;
    else {
      const o = objectSchema(s, value);
      const next = o?.shape?.[String(p)];
      if (!next) return null;
      s = next;
    }
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[p] : undefined;
  }
  return { schema: s, value };
}

/** the keys the object at `path` of `root` may have under `schema`, or [] when unknown */
export function knownKeys(schema: z.ZodType, root: unknown, path: readonly (string | number)[]): string[] {
  const at = schemaAt(schema, root, path);
  if (!at) return [];
  return Object.keys(objectSchema(at.schema, at.value)?.shape ?? {});
}
