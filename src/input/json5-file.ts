/**
 * Reads a JSON5 file and validates it with a zod schema. Every failure is an InputError that
 * names the file, the line and column, the dotted field path and the received value:
 * `scenarios/x.json5:12:5: workload[2].size: expected a positive integer, received -4`.
 */
import { readFileSync, statSync } from 'node:fs';
import JSON5 from 'json5';
import type { z } from 'zod';
import { InputError } from './input-error.ts';
import { locateValues, pathKey, positionOf } from './json5-locate.ts';

/** The file's text, or an InputError saying why it cannot be had. */
export function readTextFile(file: string): string {
  let isDir = false;
  try {
    isDir = statSync(file).isDirectory();
  } catch {
    throw new InputError(`${file}: no such file`);
  }
  if (isDir) throw new InputError(`${file}: is a directory, not a file`);
  const text = readFileSync(file, 'utf8');
  if (text.trim() === '') throw new InputError(`${file}: empty file`);
  if (text.includes('\u0000')) throw new InputError(`${file}: binary data, not JSON5 text`);
  return text;
}

/** JSON5.parse with the file name on syntax errors (JSON5 carries line and column). */
export function parseJson5(file: string, text: string): unknown {
  try {
    return JSON5.parse(text);
  } catch (e) {
    const err = e as Error & { lineNumber?: number; columnNumber?: number };
    const msg = err.message.replace(/^JSON5: /, '').replace(/ at \d+:\d+$/, '');
    throw new InputError(`${file}:${err.lineNumber ?? 1}:${err.columnNumber ?? 1}: syntax error: ${msg}`);
  }
}

const received = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s;
};

/** The value at `path` inside `root`, or undefined; own properties only (a key `constructor` is data, not Object's). */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, p)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** at most this many problems are listed; the last line listed says how many more there are */
const MAX_PROBLEMS = 5;

/** the first MAX_PROBLEMS lines; the last one kept says how many more there are */
export function firstProblems(lines: string[]): string[] {
  if (lines.length <= MAX_PROBLEMS) return lines;
  const kept = lines.slice(0, MAX_PROBLEMS);
  kept[MAX_PROBLEMS - 1] += ` (and ${lines.length - MAX_PROBLEMS} more problems)`;
  return kept;
}

/** One line per zod issue (the first few), each naming file:line:column and the field. */
export function describeIssues(file: string, text: string, value: unknown, error: z.ZodError): string {
  const located = locateValues(text);
  const lines = error.issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const keys = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys : [];
    const fieldPath = keys.length > 0 ? [...path, keys[0]!] : path;
    const pos = positionOf(located, fieldPath);
    const field = pathKey(fieldPath) || '(top level)';
    const what = keys.length > 0 ? `unknown key (known keys are listed in the README)` : `${issue.message}, received ${received(valueAt(value, path))}`;
    return `${file}:${pos.line}:${pos.column}: ${field}: ${what}`;
  });
  return firstProblems(lines).join('\n');
}

/** Read, parse and validate; returns the schema's output type. */
export function loadJson5File<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  const text = readTextFile(file);
  const value = parseJson5(file, text);
  return validateJson5<S>(file, text, value, schema);
}

export function validateJson5<S extends z.ZodType>(file: string, text: string, value: unknown, schema: S): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new InputError(describeIssues(file, text, value, r.error));
  return r.data;
}
