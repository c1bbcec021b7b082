/**
 * A golden metrics file: a percpu-sim/metrics/1 file as `sim run --json` writes it, with every
 * wall-clock field written as 0, and an optional `tolerances` object of per-scenario overrides
 * (`{"modeled": 0.02, "counters.bytesMoved": "exact"}`) that `--update` keeps. Every problem
 * with one is an InputError naming the file, the line and column, and the field.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { MetricsFile, RunMetrics } from '../engine/metrics.ts';
import { METRICS_SCHEMA, WALL_CLOCK_FIELDS } from '../engine/metrics.ts';
import { InputError } from '../input/input-error.ts';
import { parseJson5, readTextFile, validateJson5 } from '../input/json5-file.ts';
import { locateValues, positionOf } from '../input/json5-locate.ts';
import { writeFileAtomic } from '../report/write-file.ts';
import type { ToleranceOverride } from './tolerances.ts';
import { makeOverride } from './tolerances.ts';
import { describeRun, runKey } from './run-identity.ts';

// arrays too (a verified replay's mismatches): metricLeaves walks them by index
type Tree = number | string | boolean | null | Tree[] | { [k: string]: Tree };
const Leaf = z.union([z.number(), z.string(), z.boolean(), z.null()]);
const MetricTree: z.ZodType<Tree> = z.lazy(() => z.union([Leaf, z.array(MetricTree), z.record(z.string(), MetricTree)]));
const Count = z.number().int().nonnegative();
const Time = z.number().nonnegative();

const PhaseSchema = z
  .object({
    ops: Count,
    failed: Count,
    modeled_ms: Time,
    wall_ms: z.number().optional(),
    latency_ns: z.object({ p50: Time, p99: Time, max: Time }).catchall(MetricTree),
  })
  .catchall(MetricTree);

const RunSchema = z
  .object({
    allocator: z.string().min(1),
    kernel: z.string(),
    machine: z.string(),
    page_size: Count,
    labels: z.record(z.string(), z.union([z.string(), z.number()])),
    phases: z.record(z.string(), PhaseSchema),
    balance: z.object({ runs: Count, modeled_ms: Time }).catchall(MetricTree),
    footprint: z.record(z.string(), Count),
    footprint_end: z.record(z.string(), Count).optional(),
    counters: z.record(z.string(), Count),
  })
  .catchall(MetricTree);

const GoldenSchema = z.strictObject({
  schema: z.literal(METRICS_SCHEMA),
  scenario: z.string().min(1),
  tolerances: z.record(z.string(), z.union([z.number(), z.string()])).optional(),
  runs: z.array(RunSchema),
});

export interface Golden {
  file: string;
  scenario: string;
  runs: RunMetrics[];
  /** the file's own overrides, in the order written */
  tolerances: ToleranceOverride[];
  /** the overrides as written, kept by --update */
  rawTolerances: Record<string, number | string> | undefined;
  /** `FILE:line:col` of a value in the file */
  where(path: (string | number)[]): string;
}

export const updateHint = (scenario: string, golden: string): string => `run \`sim check ${scenario} --golden ${golden} --update\` to write it`;

export function readGolden(file: string, scenarioFile: string): Golden {
  if (!existsSync(file)) throw new InputError(`${file}: no such golden file; ${updateHint(scenarioFile, file)}`);
  const text = readTextFile(file);
  const value = parseJson5(file, text);
  const parsed = validateJson5(file, text, value, GoldenSchema);
  const located = locateValues(text);
  const where = (path: (string | number)[]): string => {
    const p = positionOf(located, path);
    return `${file}:${p.line}:${p.column}`;
  };
  const tolerances = Object.entries(parsed.tolerances ?? {}).map(([name, v]) => makeOverride(name, v, `${where(['tolerances', name])}: tolerances`));
  const seen = new Map<string, number>();
  parsed.runs.forEach((r, i) => {
    const key = runKey(r);
    const before = seen.get(key);
    if (before !== undefined) throw new InputError(`${where(['runs', i])}: runs[${i}]: the same run as runs[${before}] (${describeRun(r)})`);
    seen.set(key, i);
  });
  return { file, scenario: parsed.scenario, runs: parsed.runs as unknown as RunMetrics[], tolerances, rawTolerances: parsed.tolerances, where };
}

/** the runs with every wall-clock field written as 0 */
export function withoutWallClock<T>(runs: T): T {
  return JSON.parse(JSON.stringify(runs), (k, v: unknown) => (WALL_CLOCK_FIELDS.includes(k) ? 0 : v)) as T;
}

export function goldenText(scenario: string, runs: readonly RunMetrics[], tolerances?: Record<string, number | string>): string {
  const file: MetricsFile & { tolerances?: Record<string, number | string> } = { schema: METRICS_SCHEMA, scenario, ...(tolerances ? { tolerances } : {}), runs: withoutWallClock([...runs]) };
  return JSON.stringify(file, null, 1) + '\n';
}

/** writes the golden whole or not at all */
export function writeGolden(file: string, scenario: string, runs: readonly RunMetrics[], tolerances?: Record<string, number | string>): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomic(file, goldenText(scenario, runs, tolerances));
  } catch (e) {
    throw new InputError(`${file}: cannot write the golden file: ${(e as Error).message}`);
  }
}
