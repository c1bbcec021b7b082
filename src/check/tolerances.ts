/**
 * How far each metric may move before `sim check` calls it a regression. The rules are data:
 * a metric path pattern picks a class, and the class says how its values compare. The README's
 * tolerance table is this table; keep them together.
 *
 * Patterns match dotted metric paths segment by segment: `*` is one segment, `**` any number
 * of them. The first rule that matches wins.
 */
import { InputError } from '../input/input-error.ts';

export type Tolerance =
  /** the values must be equal */
  | { kind: 'exact' }
  /** |now - golden| <= within * |golden| */
  | { kind: 'relative'; within: number }
  /** not compared */
  | { kind: 'ignore' };

export type ToleranceClass = 'setup' | 'count' | 'modeled' | 'wall';

export interface ToleranceRule {
  pattern: string;
  class: ToleranceClass;
  why: string;
}

export const EXACT: Tolerance = { kind: 'exact' };
export const IGNORE: Tolerance = { kind: 'ignore' };

/** what each class allows unless an override says otherwise */
export const CLASS_DEFAULTS: Record<ToleranceClass, Tolerance> = {
  setup: EXACT,
  count: EXACT,
  // modeled time is a deterministic function of the work done: the tolerance only absorbs
  // floating-point noise (a different summation order), never a real change
  modeled: { kind: 'relative', within: 1e-9 },
  wall: IGNORE,
};

export const TOLERANCE_RULES: readonly ToleranceRule[] = [
  { pattern: 'kernel', class: 'setup', why: 'the kernel version the allocator ports' },
  { pattern: 'machine', class: 'setup', why: 'the machine the run was modeled on' },
  { pattern: 'page_size', class: 'setup', why: "the machine's page size" },
  { pattern: 'phases.*.wall_ms', class: 'wall', why: 'host time: differs on every run' },
  { pattern: 'phases.*.modeled_ms', class: 'modeled', why: 'modeled time of the phase' },
  { pattern: 'phases.*.latency_ns.*', class: 'modeled', why: 'modeled time per call (p50, p99, max)' },
  { pattern: 'balance.modeled_ms', class: 'modeled', why: 'modeled time of the balance work' },
  { pattern: 'phases.*.ops', class: 'count', why: 'calls made' },
  { pattern: 'phases.*.failed', class: 'count', why: 'calls that returned NULL' },
  { pattern: 'balance.runs', class: 'count', why: 'balance work runs' },
  { pattern: 'footprint.*', class: 'count', why: 'pages, metadata, vmalloc space and chunks at peak: placements decide them' },
  { pattern: 'footprint_end.*', class: 'count', why: 'the same when the run ended: what the allocator gave back' },
  { pattern: 'counters.*', class: 'count', why: 'the work the allocator reported, in kernel terms' },
  { pattern: '**', class: 'count', why: 'any other metric: compared exactly until it gets a rule' },
];

export const TOLERANCE_CLASSES = Object.keys(CLASS_DEFAULTS) as ToleranceClass[];

/** does a dotted pattern match a metric path (given as segments)? */
export function matchesPattern(pattern: string, path: readonly string[]): boolean {
  const parts = pattern.split('.');
  const match = (pi: number, si: number): boolean => {
    if (pi === parts.length) return si === path.length;
    const p = parts[pi]!;
    if (p === '**') {
      for (let k = si; k <= path.length; k++) if (match(pi + 1, k)) return true;
      return false;
    }
    return si < path.length && (p === '*' || p === path[si]) && match(pi + 1, si + 1);
  };
  return match(0, 0);
}

export function classOf(path: readonly string[], rules: readonly ToleranceRule[] = TOLERANCE_RULES): ToleranceClass {
  return rules.find((r) => matchesPattern(r.pattern, path))?.class ?? 'count';
}

/** `exact`, `ignore`, `±2%`, `±1e-7%` */
export function describeTolerance(t: Tolerance): string {
  if (t.kind !== 'relative') return t.kind;
  if (t.within === 0) return 'exact';
  const pct = t.within * 100;
  return `±${pct >= 0.01 ? `${+pct.toPrecision(4)}` : pct.toExponential(0)}%`;
}

/** An override: a class (`modeled`) or a metric path pattern (`counters.*`), and what it allows. */
export interface ToleranceOverride {
  name: string;
  tolerance: Tolerance;
  /** where it was given, for error messages: `--tolerance` or `FILE:line:col` */
  source: string;
}

const PATTERN = /^(\*\*|\*|[A-Za-z0-9_-]+)(\.(\*\*|\*|[A-Za-z0-9_-]+))*$/;

/** `0.02`, `2%`, `exact`, `ignore` (numbers are relative tolerances; 0 is exact) */
export function parseToleranceValue(v: unknown): Tolerance | string {
  if (v === 'exact') return EXACT;
  if (v === 'ignore') return IGNORE;
  let n: number | null = null;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^\s*[0-9.eE+-]+\s*%?\s*$/.test(v) && v.trim() !== '') {
    const t = v.trim();
    n = t.endsWith('%') ? Number(t.slice(0, -1)) / 100 : Number(t);
  }
  if (n === null || !Number.isFinite(n) || n < 0) return `expected a relative tolerance (a number >= 0 such as 0.02, or a percentage such as 2%), "exact" or "ignore", received ${JSON.stringify(v)}`;
  return n === 0 ? EXACT : { kind: 'relative', within: n };
}

/** checks an override's name and value; errors start with `source` */
export function makeOverride(name: string, value: unknown, source: string): ToleranceOverride {
  const n = name.trim();
  if (!TOLERANCE_CLASSES.includes(n as ToleranceClass) && !PATTERN.test(n)) {
    throw new InputError(`${source}: "${name}": expected a tolerance class (${TOLERANCE_CLASSES.join(', ')}) or a metric path pattern such as counters.* or phases.*.modeled_ms`);
  }
  const t = parseToleranceValue(value);
  if (typeof t === 'string') throw new InputError(`${source}: ${n}: ${t}`);
  return { name: n, tolerance: t, source };
}

/** `--tolerance NAME=VALUE` */
export function parseToleranceOption(text: string): ToleranceOverride {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InputError(`--tolerance: expected NAME=VALUE (NAME a class, ${TOLERANCE_CLASSES.join(', ')}, or a metric path pattern; VALUE 0.02, 2%, exact or ignore), got "${text}"`);
  return makeOverride(text.slice(0, eq), text.slice(eq + 1), '--tolerance');
}

/**
 * The tolerances in force: overrides in priority order (the command line's, then the golden
 * file's), each either a class or a pattern, over the rule table and the class defaults.
 */
export class ToleranceSet {
  constructor(readonly overrides: readonly ToleranceOverride[] = []) {}

  isClass(o: ToleranceOverride): boolean {
    return TOLERANCE_CLASSES.includes(o.name as ToleranceClass);
  }

  /** the tolerance of one metric */
  toleranceOf(path: readonly string[]): Tolerance {
    const byPattern = this.overrides.find((o) => !this.isClass(o) && matchesPattern(o.name, path));
    if (byPattern) return byPattern.tolerance;
    const cls = classOf(path);
    return this.overrides.find((o) => o.name === cls)?.tolerance ?? CLASS_DEFAULTS[cls];
  }

  /** throws for the first pattern override that matches none of `paths` (a typo, most likely) */
  requireMatches(paths: readonly (readonly string[])[], what: string): void {
    for (const o of this.overrides) {
      if (!this.isClass(o) && !paths.some((p) => matchesPattern(o.name, p))) throw new InputError(`${o.source}: ${o.name}: matches no metric of ${what}`);
    }
  }
}
