/**
 * `sim validate DATA --machine PRESET [--json OUT] [--cost-model counts|full|both]`: runs
 * every workload of a measurement file on the preset (the line's CPU count on one node, its
 * page size and first chunk), and prints measured against modeled ms per phase, with the
 * ratio, then a summary. A phase's modeled ms includes the balance work it triggered, as the
 * measurements do. A line without `measured` is predicted, not compared.
 */
import { writeFileSync } from 'node:fs';
import type { Cell } from '../calibrate/calibrate.ts';
import { summarize } from '../calibrate/calibrate.ts';
import { loadMeasurements, measuredCells } from '../calibrate/measurements.ts';
import type { CostModelName, OrderRun } from '../calibrate/run-measurement.ts';
import { runMeasurement } from '../calibrate/run-measurement.ts';
import { InputError } from '../input/input-error.ts';
import { fmtMs, summaryLine } from './calibrate-command.ts';

export interface ValidateOptions {
  machine: string;
  json: string | null;
  costModels: CostModelName[];
}

interface PointOut {
  id: string;
  allocator: string;
  phases: Record<'alloc' | 'free', { modeled_ms: number; measured_ms?: number }>;
  total_ms: { modeled_ms: number; measured_ms?: number };
}

/** each phase's worst over the free orders the line runs; balance work in it where the line's timing had it */
function phaseMs(runs: OrderRun[], phase: 'alloc' | 'free', balanceInPhase: boolean): number {
  return Math.max(...runs.map((r) => (balanceInPhase ? r.ms[phase] : r.cpuMs[phase])));
}

export function validateCommand(file: string, opts: ValidateOptions, out: (s: string) => void, err: (s: string) => void): number {
  const lines = loadMeasurements(file);
  const tty = process.stderr.isTTY;
  const byModel: Record<string, PointOut[]> = {};
  for (const model of opts.costModels) {
    const points: PointOut[] = [];
    const cs: Cell[] = [];
    out(`validate ${file} on ${opts.machine}, costModel '${model}' (modeled / measured; a phase's balance work counted in it where the line says it was timed so)\n`);
    lines.forEach((m, i) => {
      if (tty) err(`\rvalidate: ${model} ${i + 1}/${lines.length} ${m.id}`.padEnd(80));
      const runs = runMeasurement(opts.machine, m, model);
      const alloc = phaseMs(runs, 'alloc', m.balance === 'in-phase');
      const free = phaseMs(runs, 'free', m.balance === 'in-phase');
      const measured = Object.fromEntries(measuredCells(m));
      const got: Record<string, number> = { alloc, free, total: alloc + free };
      const parts: string[] = [];
      for (const [phase, ms] of Object.entries(measured)) {
        const c = { id: m.id, phase, measured: ms, modeled: got[phase]!, ratio: got[phase]! / ms };
        cs.push(c);
        parts.push(`${phase} ${fmtMs(c.modeled)} / ${fmtMs(ms)} = ${c.ratio.toFixed(2)}x`);
      }
      if (parts.length === 0) parts.push(`predicted: alloc ${fmtMs(alloc)}, free ${fmtMs(free)}`);
      if (tty) err('\r'.padEnd(80) + '\r');
      out(`  ${m.id.padEnd(44)} ${parts.join('   ')}\n`);
      points.push({
        id: m.id,
        allocator: m.allocator,
        phases: { alloc: { modeled_ms: alloc, measured_ms: measured.alloc }, free: { modeled_ms: free, measured_ms: measured.free } },
        total_ms: { modeled_ms: alloc + free, measured_ms: measured.total },
      });
    });
    byModel[model] = points;
    if (cs.length > 0) out(`  summary (${model}): ${summaryLine(summarize(cs))}\n\n`);
    else out(`  no measured cells: every line was predicted\n\n`);
  }
  if (opts.json) {
    const first = opts.costModels[0]!;
    const doc = { schema: 'percpu-sim/validate/1', machine: opts.machine, costModel: first, points: byModel[first], byCostModel: byModel };
    writeFileSync(opts.json, JSON.stringify(doc, null, 1) + '\n');
  }
  return 0;
}

export function parseCostModels(v: string | undefined): CostModelName[] {
  if (v === undefined || v === 'both') return ['counts', 'full'];
  if (v === 'counts' || v === 'full') return [v];
  throw new InputError(`--cost-model: expected counts, full or both, got ${v}`);
}
