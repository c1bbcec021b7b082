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
import { knownKeys } from './schema-keys.ts';
import { didYouMean, nameList, nearest } from './suggest.ts';

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

type Issue = z.core.$ZodIssue;
const pathOf = (issue: Issue): (string | number)[] => issue.path.filter((p): p is string | number => typeof p !== 'symbol');

/** a required field is missing: every branch of the issue was handed `undefined` */
function isMissing(issue: Issue, value: unknown): boolean {
  return valueAt(value, pathOf(issue)) === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union');
}

/** the issues inside a union's branches, flattened */
const branchIssues = (issue: Issue): Issue[] => (issue.code === 'invalid_union' ? issue.errors.flat().flatMap((i) => [i, ...branchIssues(i)]) : []);

/** what a failed field allows, said plainly, with the nearest allowed name when it got a string */
function allowed(issue: Issue, value: unknown): string {
  const got = valueAt(value, pathOf(issue));
  const suggest = (options: string[]): string => (typeof got === 'string' ? didYouMean(got, options) : '');
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
    const options = (issue.options as unknown[]).map(String);
    return `expected one of ${nameList(options)}${suggest(options)}`;
  }
  if (issue.code === 'invalid_value') {
    const options = issue.values.map(String);
    return `expected one of ${nameList(options)}${suggest(options)}`;
  }
  if (isMissing(issue, value)) {
    const types = issue.code === 'invalid_type' ? [issue.expected] : branchIssues(issue).flatMap((i) => (i.code === 'invalid_type' ? [i.expected] : []));
    const kinds = [...new Set(types)].map((t) => (t === 'string' && issue.code === 'invalid_union' ? 'a $name reference' : t));
    return kinds.length > 0 ? `required, expected ${kinds.join(' or ')}` : 'required';
  }
  const enumBranch = branchIssues(issue).find((i) => i.code === 'invalid_value');
  if (enumBranch?.code === 'invalid_value') return `${issue.message}${suggest(enumBranch.values.map(String))}`;
  // a field that takes a name or a `$name` reference says its names in its message (phase-schema.ts)
  const listed = /^expected one of (.+) or a \$name/.exec(issue.message);
  if (listed) return `${issue.message}${suggest(listed[1]!.split(', '))}`;
  return issue.message;
}

/**
 * One line per zod issue (the first few), each naming file:line:column, the field, what it
 * received and what is allowed. An unknown key gets the nearest known key as a suggestion
 * (`schema` gives the known keys); a required field missing beside an unknown key that is its
 * misspelling is said once, on the unknown key.
 */
export function describeIssues(file: string, text: string, value: unknown, error: z.ZodError, schema?: z.ZodType): string {
  const located = locateValues(text);
  const misspelt = new Set<string>();
  const lines: string[] = [];
  for (const issue of error.issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const known = schema ? knownKeys(schema, value, pathOf(issue)) : [];
    for (const key of issue.keys) {
      const near = nearest(key, known.filter((k) => valueAt(value, [...pathOf(issue), k]) === undefined)) ?? nearest(key, known);
      if (near !== null) misspelt.add(pathKey([...pathOf(issue), near]));
    }
  }
  for (const issue of error.issues) {
    const path = pathOf(issue);
    if (issue.code === 'unrecognized_keys') {
      const known = schema ? knownKeys(schema, value, path) : [];
      for (const key of issue.keys) {
        const fieldPath = [...path, key];
        const pos = positionOf(located, fieldPath);
        const hint = known.length > 0 ? `${didYouMean(key, known)}; known keys: ${nameList(known)}` : ' (known keys are listed in the README)';
        lines.push(`${file}:${pos.line}:${pos.column}: ${pathKey(fieldPath)}: unknown key${hint}`);
      }
      continue;
    }
    if (isMissing(issue, value) && misspelt.has(pathKey(path))) continue;
    const pos = positionOf(located, path);
    const field = pathKey(path) || '(top level)';
    lines.push(`${file}:${pos.line}:${pos.column}: ${field}: ${allowed(issue, value)}, received ${received(valueAt(value, path))}`);
  }
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
  if (!r.success) throw new InputError(describeIssues(file, text, value, r.error, schema));
  return r.data;
}
