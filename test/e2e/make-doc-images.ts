/**
 * Regenerates the chart examples the README shows (docs/img/*.svg) from the report test
 * scenario: `npx tsx test/e2e/make-doc-images.ts`. The output is deterministic, so a rerun
 * on an unchanged tree changes no file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { executeRun } from '../../src/engine/execute.ts';
import { loadMachineSetup } from '../../src/engine/machines.ts';
import type { RunMetrics } from '../../src/engine/metrics.ts';
import type { RunSpec } from '../../src/scenario/load.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { planSweep } from '../../src/sweep/plan.ts';
import { latencyHistogramSvg } from '../../src/report/chart-histogram.ts';
import { footprintSvg } from '../../src/report/chart-footprint.ts';
import { sweepPlotSvg } from '../../src/report/chart-line.ts';
import { occupancyMapSvg } from '../../src/report/chart-occupancy.ts';
import type { RunCaptureData } from '../../src/report/run-capture.ts';
import { RunCapture } from '../../src/report/run-capture.ts';
import { sweepSeries } from '../../src/report/sweep-series.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'report-small.json5');
/** where the images go: the first argument, or docs/img */
const OUT = process.argv[2] ?? join(import.meta.dirname, '..', '..', 'docs', 'img');

function captured(spec: RunSpec): RunCaptureData {
  let capture: RunCapture | null = null;
  executeRun(spec, loadMachineSetup, {
    check: false,
    observe: (allocator, platform, machine) => {
      capture = new RunCapture(allocator, platform, { ftrace: null, keep: true }, { nrCpus: machine.topology.nrCpus, cpu: spec.cpu, pageSize: machine.topology.pageSize });
      return capture.hooks();
    },
  });
  return (capture as RunCapture | null)!.data;
}

mkdirSync(OUT, { recursive: true });
const loaded = loadScenario(FIXTURE);
const bitmap = captured(loaded.runs.find((r) => r.allocator === 'bitmap')!);
const large = bitmap.phases.find((p) => p.name === 'large')!;
const free = bitmap.phases.find((p) => p.name === 'free')!;
writeFileSync(join(OUT, 'occupancy-map.svg'), occupancyMapSvg(large.stats!, { title: 'Chunk occupancy after "large" (bitmap v6.12, laptop)' }) + '\n');
writeFileSync(join(OUT, 'latency-histogram.svg'), latencyHistogramSvg(free.histogram, { title: 'free: modeled latency per call (bitmap v6.12, 3040 calls)', width: 520 }) + '\n');
writeFileSync(
  join(OUT, 'footprint.svg'),
  footprintSvg(bitmap.samples, { pageSize: bitmap.pageSize, marks: bitmap.phases.map((p) => ({ ns: p.endNs, label: p.name })), title: 'Footprint over modeled time (bitmap v6.12, laptop)' }) + '\n',
);

const plan = planSweep(FIXTURE, ['cpus=2,8,32,128,512']);
const runs: RunMetrics[] = plan.points.map((p) => ({ ...executeRun(p.spec, loadMachineSetup, { check: false }), labels: p.labels }));
const kernelName = (r: RunMetrics): string => `${r.allocator} (${r.kernel})`;
writeFileSync(
  join(OUT, 'sweep-plot.svg'),
  sweepPlotSvg({
    title: 'Modeled ms of the "small" phase vs possible CPUs (laptop preset)',
    dimension: 'cpus',
    metric: 'modeled ms',
    series: sweepSeries(runs, 'cpus', (r) => r.phases.small!.modeled_ms, kernelName),
  }) + '\n',
);
process.stdout.write(`wrote occupancy-map.svg, latency-histogram.svg, footprint.svg, sweep-plot.svg to ${OUT}\n`);
