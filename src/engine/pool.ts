/**
 * Spreads independent runs over worker threads (one run stays on one thread, so it is exactly
 * repeatable). Results come back in spec order whatever the finishing order; `onResult` sees
 * each one as it finishes, so a sweep can save it at once.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { RunSpec } from '../scenario/load.ts';
import { loadMachineSetup } from './machines.ts';
import { executeRun } from './execute.ts';
import type { RunMetrics } from './metrics.ts';
import type { FromWorker, ToWorker } from './run-worker.ts';

export interface PoolOptions {
  /** worker threads; 0 runs everything in this thread */
  workers: number;
  check: boolean;
  onResult?: (spec: RunSpec, metrics: RunMetrics) => void;
  /** fraction of each run done, by spec index */
  onProgress?: (index: number, fraction: number) => void;
}

/** a run on a worker thread stopped on bad input (its message names the file and place) */
export class RunError extends Error {
  override name = 'RunError';
}

export function defaultWorkers(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

export async function runAll(specs: readonly RunSpec[], opts: PoolOptions): Promise<RunMetrics[]> {
  const results: RunMetrics[] = new Array(specs.length);
  if (opts.workers <= 0 || specs.length <= 1) {
    for (const spec of specs) {
      const m = executeRun(spec, loadMachineSetup, { check: opts.check, progress: (f) => opts.onProgress?.(spec.index, f) });
      results[specs.indexOf(spec)] = m;
      opts.onResult?.(spec, m);
    }
    return results;
  }
  const position = new Map(specs.map((s, i) => [s.index, i]));
  let next = 0;
  const n = Math.min(opts.workers, specs.length);
  const entry = new URL('./run-worker.ts', import.meta.url).href;
  await new Promise<void>((resolve, reject) => {
    let busy = 0;
    let failed = false;
    const workers: Worker[] = [];
    const stopAll = (): void => workers.forEach((w) => void w.terminate());
    const feed = (w: Worker): void => {
      if (failed) return;
      if (next >= specs.length) {
        w.postMessage({ stop: true } satisfies ToWorker);
        if (busy === 0) resolve();
        return;
      }
      busy++;
      w.postMessage({ spec: specs[next++]!, check: opts.check } satisfies ToWorker);
    };
    for (let i = 0; i < n; i++) {
      const w = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: { entry } });
      workers.push(w);
      w.on('message', (msg: FromWorker) => {
        if ('progress' in msg) return opts.onProgress?.(msg.index, msg.progress);
        busy--;
        if ('error' in msg) {
          failed = true;
          stopAll();
          // a bad input is the user's to fix (exit 2); anything else is a simulator bug (exit 1)
          return reject(msg.input ? new RunError(msg.error) : new Error(`run ${msg.index} (${specs[position.get(msg.index)!]!.allocator}): ${msg.error}`));
        }
        const at = position.get(msg.index)!;
        results[at] = msg.metrics;
        opts.onResult?.(specs[at]!, msg.metrics);
        feed(w);
      });
      w.on('error', (e) => {
        failed = true;
        stopAll();
        reject(new Error(`worker thread: ${e.message}`));
      });
      feed(w);
    }
  });
  return results;
}
