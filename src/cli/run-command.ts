/** `sim [run] SCENARIO.json5 [--json FILE] [--workers N] [--max-memory SIZE] [--check] [--ftrace PATH] [--stats DIR] [--html PATH]` */
import type { LoadedScenario, RunSpec } from '../scenario/load.ts';
import { loadScenario } from '../scenario/load.ts';
import { preflightRuns } from '../engine/preflight.ts';
import { runAll } from '../engine/pool.ts';
import type { MetricsFile } from '../engine/metrics.ts';
import { METRICS_SCHEMA } from '../engine/metrics.ts';
import type { TableFormat } from '../report/text-table.ts';
import { renderTables, wrap } from '../report/text-table.ts';
import { machineLine } from '../report/machine-line.ts';
import { scenarioTables } from '../report/scenario-tables.ts';
import { checkOutputFile, writeOutputFile } from './output-file.ts';
import { runsProgress } from './progress.ts';
import { sizeRuns } from './run-size.ts';
import { runWithOutputs } from './run-outputs-command.ts';
import { timeModelNote } from '../report/time-model-note.ts';
import { replayReport } from '../report/replay-verification.ts';
import { loadMachine } from '../hw/machine-config.ts';

export interface RunCommandOptions {
  json: string | null;
  workers: number | null;
  check: boolean;
  /** event log: a file, or a directory with one file per run */
  ftrace?: string | null;
  /** directory for percpu_stats / meminfo text at the end of every phase of every run */
  stats?: string | null;
  /** HTML report: a file, or a directory with one page per run */
  html?: string | null;
  /** refuse runs whose estimated peak exceeds this many bytes (default: the memory this process may use) */
  maxMemory?: number | null;
  /** how tables print: text (default, fits 100 columns), md, csv, json */
  format?: TableFormat;
}

/** `bitmap size=8 order=inorder` */
export const runLabel = (spec: RunSpec): string => [spec.allocator, ...Object.entries(spec.labels).map(([k, v]) => `${k}=${v}`)].join(' ');

export async function runCommand(file: string, opts: RunCommandOptions, out: (text: string) => void): Promise<number> {
  if (opts.json) checkOutputFile(opts.json, '--json');
  const loaded: LoadedScenario = loadScenario(file);
  preflightRuns(file, loaded.runs);
  const sized = sizeRuns(file, loaded.runs, { maxMemory: opts.maxMemory ?? null, workers: opts.workers, note: (line) => void process.stderr.write(line + '\n') });
  const bar = runsProgress(loaded.runs.map((spec, i) => ({ label: runLabel(spec), estimate: sized.estimates[i]! })));
  const onProgress = (index: number, f: number): void => bar.update(index, f);
  const observed = opts.ftrace || opts.stats || opts.html;
  const notes: string[] = [];
  const runs = observed
    ? runWithOutputs(loaded, { ftrace: opts.ftrace ?? null, stats: opts.stats ?? null, html: opts.html ?? null, check: opts.check }, onProgress, (l) => notes.push(l))
    : await runAll(loaded.runs, {
        workers: sized.workers,
        check: opts.check,
        onProgress,
        onResult: (spec) => onProgress(spec.index, 1),
      });
  bar.done();
  const format = opts.format ?? 'text';
  const tables = scenarioTables(loaded.scenario, runs);
  const ref = loaded.runs[0]?.machine;
  const lines: string[] = [];
  if (ref) lines.push(timeModelNote(loadMachine(ref.preset, ref.overrides), loaded.scenario.costModel));
  lines.push(...notes);
  const verified = replayReport(runs.map((r, i) => ({ label: runLabel(loaded.runs[i]!), replays: r.replay_verified ?? [] })));
  if (loaded.scenario.sweep) {
    lines.push(`note: ${file} has a sweep grid; sim run ran its ${runs.length} base runs only (the grid runs with \`sim sweep ${file} --out DIR\`)`);
  }
  if (format === 'csv' || format === 'json') {
    out(renderTables(tables, format));
    for (const line of [...lines, ...verified.lines]) process.stderr.write(line + '\n');
  } else {
    const header = `${loaded.name}: ${loaded.scenario.description ?? ''}`.trimEnd();
    out(`${wrap(header).join('\n')}\n${wrap(machineLine(runs)).join('\n')}\n\n`);
    out(renderTables(tables, format) + '\n');
    for (const line of lines) out(wrap(line).join('\n') + '\n');
    // the verification summary stays one line whatever its length: scripts grep for it
    for (const line of verified.lines) out(line + '\n');
  }
  if (opts.json) {
    const metrics: MetricsFile = { schema: METRICS_SCHEMA, scenario: loaded.name, runs };
    writeOutputFile(opts.json, '--json', JSON.stringify(metrics, null, 1) + '\n');
    out(`metrics written to ${opts.json}\n`);
  }
  // a verified replay that found a mismatch fails the run (after the report)
  return verified.mismatches > 0 ? 1 : 0;
}
