/**
 * The line a report prints under its modeled times: which measurements the machine's time
 * model was fitted on and how far off it was, in sample and on what it had not seen; or that
 * the machine has no measurements of its own.
 */
import type { Machine } from '../hw/machine-config.ts';

export function timeModelNote(m: Machine, costModel: string): string {
  const r = m.spec.calibration;
  const model = `costModel '${costModel}'; the code's cycles from native measurements (config/code/kernel-code.json5)`;
  if (!r) {
    return `time model: ${m.name} has no measurements of its own; its code speed and machine figures are assumptions (${m.file}); ${model}`;
  }
  return (
    `time model: ${m.name}'s figures fitted (${r.parameters} free parameters) on ${r.cells} measured cells of ${r.data}: ` +
    `in sample off by ${r.inSampleMedian.toFixed(2)}x median, ${r.inSampleWorst.toFixed(2)}x worst; ` +
    `predicting left-out groups ${r.heldOutMedian.toFixed(2)}x median, ${r.heldOutWorst.toFixed(2)}x worst; ${model}`
  );
}
