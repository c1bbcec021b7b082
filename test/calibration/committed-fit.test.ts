/**
 * The committed time-model figures are what `sim calibrate` gives on the committed data: the
 * test re-runs the two fits the presets record (the code's cycles and the reference host's
 * figures on the native measurements; seed-2017's figures on the area-map cells of the two 2017 tables)
 * and compares every fitted number with the files. Slow (it runs every measured workload).
 */
import { describe, expect, it } from 'vitest';
import { collectPoints, fitState } from '../../src/calibrate/calibrate.ts';
import type { Measurement } from '../../src/calibrate/measurements.ts';
import { loadMeasurements } from '../../src/calibrate/measurements.ts';
import { machineParamsOf } from '../../src/calibrate/model-state.ts';
import { paramsFor, selectLines, startState } from '../../src/cli/calibrate-command.ts';
import { loadCodeCosts } from '../../src/hw/code-costs.ts';
import { loadMachine } from '../../src/hw/machine-config.ts';

/** the files keep 4 significant digits */
const close = (got: number, committed: number): boolean => Math.abs(got - committed) <= 6e-4 * Math.abs(committed) + 1e-12;

/** re-runs one fit from its neutral start and lists every fitted number that differs from the files */
function refit(preset: string, lines: Measurement[], fit: 'code' | 'machine'): string[] {
  const points = collectPoints(preset, lines, 'counts');
  const start = startState(preset, 'counts');
  const params = paramsFor({ fit, costModel: 'counts' }, lines, start.code);
  const got = fitState(points, start, params, 'counts').state;
  const committed = { code: loadCodeCosts().counts, machine: machineParamsOf(loadMachine(preset)) };
  return params.filter((p) => !close(p.get(got), p.get(committed))).map((p) => `${p.name}: fit ${p.get(got)}, file ${p.get(committed)}`);
}

describe('committed calibration', () => {
  it('config/code/kernel-code.json5 (counts) and host-zen4-vm are the fit of the native measurements', () => {
    expect(refit('host-zen4-vm', loadMeasurements('data/calibration/native-zen4-vm.jsonl'), 'code')).toEqual([]);
  }, 600_000);

  it("seed-2017's machine figures are the fit of the area-map cells of both 2017 tables", () => {
    const lines = selectLines(loadMeasurements('data/calibration/seed-2017.jsonl'), '^seed-2017(-merged)?/areamap/[0-9]+B$');
    expect(lines).toHaveLength(10);
    expect(refit('seed-2017', lines, 'machine')).toEqual([]);
  }, 600_000);
});
