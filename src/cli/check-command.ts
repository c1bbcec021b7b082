/** `sim check SCENARIO --golden FILE [--update] [--tolerance NAME=VALUE]... [--workers N] [--all]` */
import { checkScenario } from '../check/check-scenario.ts';
import { parseToleranceOption } from '../check/tolerances.ts';
import { InputError } from '../input/input-error.ts';
import { progressBar } from './progress.ts';

export interface CheckCommandOptions {
  golden: string | null;
  update: boolean;
  /** null: chosen from the estimated work */
  workers: number | null;
  /** `--tolerance NAME=VALUE` texts, in the order given */
  tolerance: string[];
  all: boolean;
}

/** exit status: 0 within tolerance (or golden written), 1 a metric moved beyond it; bad input throws */
export async function checkCommand(file: string, opts: CheckCommandOptions, out: (text: string) => void): Promise<number> {
  if (!opts.golden) throw new InputError('check: --golden FILE is required (the golden metrics file to compare with, or to write with --update)');
  const tolerances = opts.tolerance.map(parseToleranceOption);
  const bar = progressBar();
  let outcome;
  try {
    outcome = await checkScenario(file, {
      golden: opts.golden,
      update: opts.update,
      workers: opts.workers,
      tolerances,
      maxRows: opts.all ? null : 40,
      onProgress: (f) => bar.update(f, 'check'),
    });
  } finally {
    bar.done();
  }
  out(outcome.text);
  return outcome.status;
}
