/**
 * Calibration: run each measured workload once, then fit the named parameters so that the
 * modeled ms match the measured ones. Objective: the sum over measured cells (a phase of a
 * line, or a whole run) of log(modeled / measured)^2, so a 2x miss weighs the same on a 7 ms
 * cell as on a 50-minute one; parameters stay within their bounds (model-state.ts).
 */
import { loadMachine } from '../hw/machine-config.ts';
import { leastSquares } from './least-squares.ts';
import type { Measurement } from './measurements.ts';
import { measuredCells } from './measurements.ts';
import type { ModelState, ParamRef, Point } from './model-state.ts';
import { cloneState, predict } from './model-state.ts';
import type { CostModelName } from './run-measurement.ts';
import { measurementOverrides, runMeasurement } from './run-measurement.ts';

export function collectPoints(preset: string, lines: Measurement[], costModel: CostModelName, progress?: (done: number, total: number, id: string) => void): Point[] {
  return lines.map((m, i) => {
    progress?.(i, lines.length, m.id);
    return { m, machine: loadMachine(preset, measurementOverrides(preset, m)), runs: runMeasurement(preset, m, costModel) };
  });
}

export interface Cell {
  id: string;
  phase: string;
  measured: number;
  modeled: number;
  /** modeled / measured */
  ratio: number;
}

export function cells(points: Point[], s: ModelState, costModel: CostModelName): Cell[] {
  const out: Cell[] = [];
  for (const p of points) {
    const got = predict(p, s, costModel);
    for (const [phase, measured] of measuredCells(p.m)) {
      const modeled = got[phase as 'alloc' | 'free' | 'total'];
      out.push({ id: p.m.id, phase, measured, modeled, ratio: modeled / measured });
    }
  }
  return out;
}

export interface ErrorSummary {
  cells: number;
  within125: number;
  within15: number;
  /** median and worst of max(ratio, 1/ratio) */
  medianFactor: number;
  worstFactor: number;
  worst?: Cell;
}

export const missFactor = (ratio: number): number => Math.max(ratio, 1 / ratio);

export function summarize(cs: Cell[]): ErrorSummary {
  const f = cs.map((c) => missFactor(c.ratio)).sort((a, b) => a - b);
  const mid = f.length === 0 ? NaN : f.length % 2 ? f[(f.length - 1) / 2]! : (f[f.length / 2 - 1]! + f[f.length / 2]!) / 2;
  let worst: Cell | undefined;
  for (const c of cs) if (!worst || missFactor(c.ratio) > missFactor(worst.ratio)) worst = c;
  return {
    cells: cs.length,
    within125: f.filter((x) => x <= 1.25).length,
    within15: f.filter((x) => x <= 1.5).length,
    medianFactor: mid,
    worstFactor: f.length ? f[f.length - 1]! : NaN,
    worst,
  };
}

export interface FitOutcome {
  state: ModelState;
  cost: number;
  iterations: number;
}

/** fits `params` (from their own start values; the rest of `start` stays) to the measured cells of `points` */
export function fitState(points: Point[], start: ModelState, params: ParamRef[], costModel: CostModelName): FitOutcome {
  const work = cloneState(start);
  const residuals = (v: number[]): number[] => {
    params.forEach((p, j) => p.set(work, v[j]!));
    return cells(points, work, costModel).map((c) => Math.log(c.ratio));
  };
  const r = leastSquares(
    params.map((p) => ({ start: p.start, lo: p.lo, hi: p.hi })),
    residuals,
    1000,
  );
  params.forEach((p, j) => p.set(work, r.values[j]!));
  return { state: work, cost: r.cost, iterations: r.iterations };
}
