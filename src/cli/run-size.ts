/**
 * Runs that know their size: before anything runs, each run's peak host memory and seconds are
 * estimated from its specification (src/engine/estimate.ts). A run that cannot fit in the
 * memory this process may use is refused with one line naming the scenario field that makes
 * it large; work that will take long gets a one-line note on stderr; the worker count, when not
 * given, is chosen from the estimates.
 */
import { availableParallelism, totalmem } from 'node:os';
import { InputError } from '../input/input-error.ts';
import { readTextFile } from '../input/json5-file.ts';
import { locateValues, pathKey, positionOf } from '../input/json5-locate.ts';
import type { RunEstimate } from '../engine/estimate.ts';
import { chooseWorkers, estimateRuns, idleCpus } from '../engine/estimate.ts';
import type { RunSpec } from '../scenario/load.ts';
import type { PhaseSpec } from '../engine/run.ts';

/** work above this many estimated seconds gets a note before it starts */
export const LONG_RUN_SECONDS = 60;

/** the memory this process may use: the cgroup's limit when there is one, else the machine's */
export function memoryLimit(): number {
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  const total = totalmem();
  return constrained && constrained > 0 && constrained < total ? constrained : total;
}

/** `--max-memory 8G`: bytes, or a number with K, M, G or T (powers of 1024; KiB, MiB, ... and a B are accepted) */
export function parseMemorySize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([KMGT])(?:i?B)?|B)?\s*$/i.exec(text);
  const n = m ? Number(m[1]) * 1024 ** (m[2] ? 'KMGT'.indexOf(m[2].toUpperCase()) + 1 : 0) : NaN;
  if (!Number.isFinite(n) || n <= 0) throw new InputError(`--max-memory: expected a size such as 8G, 512M or 2147483648, got "${text}"`);
  return Math.floor(n);
}

export const formatBytes = (b: number): string =>
  b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(1)} GiB` : b >= 2 ** 20 ? `${Math.round(b / 2 ** 20)} MiB` : `${Math.round(b / 1024)} KiB`;

export const formatSeconds = (s: number): string => {
  if (s < 10) return `${s.toFixed(1)} s`;
  const t = Math.round(s);
  if (t < 60) return `${t} s`;
  if (t < 3600) return `${Math.floor(t / 60)} min ${t % 60} s`;
  return `${Math.floor(t / 3600)} h ${Math.floor((t % 3600) / 60)} min`;
};

/** the field of a phase that sets how many calls it makes */
function sizeField(p: PhaseSpec): string | null {
  switch (p.phase) {
    case 'alloc':
    case 'cgroups':
    case 'modules':
      return 'count';
    case 'churn':
      return 'ops';
    case 'bpfPercpuArray':
    case 'bpfPercpuHash':
      return p.action === 'create' ? 'entries' : 'count';
    case 'replay':
      return 'file';
    default:
      return null;
  }
}

export interface SizedRuns {
  estimates: RunEstimate[];
  /** worker threads to use */
  workers: number;
  /** estimated wall seconds with that many */
  seconds: number;
}

/**
 * Estimates `runs` (of scenario `file`), refuses one that cannot fit in `maxMemory` bytes,
 * chooses the worker count when `workers` is null (fewer when concurrent runs would not fit),
 * and notes long work through `note`. `context` names a run in messages (a sweep point).
 */
export function sizeRuns(
  file: string,
  runs: readonly RunSpec[],
  opts: { maxMemory: number | null; workers: number | null; note: (line: string) => void; context?: (spec: RunSpec) => string },
): SizedRuns {
  const limit = opts.maxMemory ?? memoryLimit();
  const estimates = estimateRuns(runs);
  estimates.forEach((e, i) => {
    if (e.peakBytes <= limit) return;
    const spec = runs[i]!;
    const phase = spec.phases[e.largestPhase];
    const field = phase ? sizeField(phase) : null;
    const path = field ? ['workload', e.largestPhase, field] : ['workload'];
    const p = positionOf(locateValues(readTextFile(file)), path);
    const who = [opts.context?.(spec), `the ${spec.allocator} run${Object.keys(spec.labels).length > 0 ? ` at ${Object.entries(spec.labels).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}`].filter(Boolean).join(': ');
    throw new InputError(
      `${file}:${p.line}:${p.column}: ${pathKey(path)}: ${who} needs about ${formatBytes(e.peakBytes)} of host memory at its peak (${e.calls.toLocaleString('en')} calls, ${Math.round(e.peakLive).toLocaleString('en')} objects live at once), more than the ${formatBytes(limit)} this process may use; make it smaller, or set the limit with --max-memory`,
    );
  });
  const cores = availableParallelism();
  // the CPUs left idle are sampled only when workers could pay at all (the sample takes 0.2 s)
  const choose = (): { workers: number; seconds: number } => {
    const best = chooseWorkers(estimates, cores);
    return best.workers === 0 ? best : chooseWorkers(estimates, idleCpus(cores));
  };
  let { workers, seconds } = opts.workers === null ? choose() : { workers: opts.workers, seconds: NaN };
  // runs in flight at once must fit together
  const largest = estimates.map((e) => e.peakBytes).sort((a, b) => b - a);
  while (workers > 1 && largest.slice(0, workers).reduce((s, b) => s + b, 0) - (workers - 1) * BASE_SHARED > limit) workers--;
  if (Number.isNaN(seconds)) {
    const total = estimates.reduce((s, e) => s + e.seconds, 0);
    seconds = workers > 0 ? total / Math.min(workers, cores) : total;
  }
  if (seconds > LONG_RUN_SECONDS) {
    opts.note(`sim: note: ${runs.length} run${runs.length === 1 ? '' : 's'}, ${estimates.reduce((s, e) => s + e.calls, 0).toLocaleString('en')} calls: about ${formatSeconds(seconds)} of work${workers > 0 ? ` on ${workers} worker threads` : ''} (an estimate)`);
  }
  return { estimates, workers, seconds };
}

/** what runs in worker threads of one process share: the process itself */
const BASE_SHARED = 100 * 2 ** 20;
