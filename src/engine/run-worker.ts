/** A worker thread: runs the specs it is sent, one at a time, and posts back their metrics. */
import { parentPort } from 'node:worker_threads';
import { loadMachineSetup } from './machines.ts';
import type { RunSpec } from '../scenario/load.ts';
import { executeRun } from './execute.ts';
import { InputError } from '../input/input-error.ts';
import { PercpuConfigError } from '../kernel/allocator.ts';

export type ToWorker = { spec: RunSpec; check: boolean } | { stop: true };
export type FromWorker =
  | { index: number; metrics: import('./metrics.ts').RunMetrics }
  /** `input`: the user's input is at fault (exit 2), else the simulator (exit 1) */
  | { index: number; error: string; input: boolean }
  | { index: number; progress: number };

const port = parentPort!;
port.on('message', (msg: ToWorker) => {
  if ('stop' in msg) {
    port.close();
    return;
  }
  const { spec, check } = msg;
  try {
    const metrics = executeRun(spec, loadMachineSetup, {
      check,
      progress: (f) => port.postMessage({ index: spec.index, progress: f } satisfies FromWorker),
    });
    port.postMessage({ index: spec.index, metrics } satisfies FromWorker);
  } catch (e) {
    const input = e instanceof InputError || e instanceof PercpuConfigError;
    port.postMessage({ index: spec.index, error: e instanceof Error ? `${e.message}` : String(e), input } satisfies FromWorker);
  }
});
