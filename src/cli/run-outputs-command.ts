/**
 * `sim run` with --ftrace, --stats or --html: every run is watched from inside
 * (src/report/run-capture.ts), so the runs go one after the other in this thread, and each
 * run's files are written as soon as it ends.
 */
import { join } from 'node:path';
import { executeRun } from '../engine/execute.ts';
import { loadMachineSetup } from '../engine/machines.ts';
import type { RunMetrics } from '../engine/metrics.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import { runReportHtml } from '../report/html-report.ts';
import { RunCapture } from '../report/run-capture.ts';
import { TraceFileWriter, fileStems, outputFile, runName, writePhaseStats } from '../report/run-outputs.ts';
import { writeFileAtomic } from '../report/write-file.ts';

export interface RunOutputOptions {
  ftrace: string | null;
  stats: string | null;
  html: string | null;
  check: boolean;
}

export function runWithOutputs(
  loaded: LoadedScenario,
  o: RunOutputOptions,
  onProgress: (index: number, fraction: number) => void,
  note: (line: string) => void = () => {},
): RunMetrics[] {
  const names = loaded.runs.map((spec) => runName(spec.allocator, spec.labels));
  const stems = fileStems(names);
  const total = loaded.runs.length;
  return loaded.runs.map((spec, i) => {
    const stem = stems[i]!;
    // filled in by `observe`, inside executeRun
    const held: { trace: TraceFileWriter | null; traceFile: string; capture: RunCapture | null } = { trace: null, traceFile: '', capture: null };
    try {
      const metrics = executeRun(spec, loadMachineSetup, {
        check: o.check,
        progress: (f) => onProgress(spec.index, f),
        observe: (allocator, platform, machine) => {
          if (o.ftrace) {
            held.traceFile = outputFile(o.ftrace, total, stem, '.trace');
            held.trace = new TraceFileWriter(held.traceFile, allocator.kernel, machine.topology.nrCpus);
          }
          const stats = o.stats;
          held.capture = new RunCapture(
            allocator,
            platform,
            {
              ftrace: held.trace ? held.trace.line : null,
              keep: o.html !== null,
              onPhase: stats ? (phase) => writePhaseStats(stats, stem, phase) : undefined,
            },
            { nrCpus: machine.topology.nrCpus, cpu: spec.cpu, pageSize: machine.topology.pageSize, kmemAccounting: spec.memcg ?? false },
          );
          return held.capture.hooks();
        },
      });
      onProgress(spec.index, 1);
      if (held.trace) {
        held.trace.close();
        held.trace = null;
        note(`event log written to ${held.traceFile}`);
      }
      if (o.stats) note(`percpu_stats written to ${join(o.stats, stem)}/`);
      if (o.html && held.capture) {
        const file = outputFile(o.html, total, stem, '.html');
        writeFileAtomic(file, runReportHtml({ scenario: loaded.name, description: loaded.scenario.description, runName: names[i]!, metrics, capture: held.capture.data }));
        note(`report written to ${file}`);
      }
      return metrics;
    } finally {
      held.trace?.abort();
    }
  });
}
