/** Progress on stderr, on a terminal only (logs and CI stay clean). */
import type { RunEstimate } from '../engine/estimate.ts';
import { phaseAt } from '../engine/estimate.ts';

export interface Progress {
  update(fraction: number, label?: string): void;
  done(): void;
}

type Stream = Pick<NodeJS.WriteStream, 'write' | 'isTTY'> & { columns?: number };

export function progressBar(stream: Stream = process.stderr): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  let last = -1;
  return {
    update(fraction, label = '') {
      const pct = Math.floor(fraction * 100);
      if (pct === last) return;
      last = pct;
      const width = 30;
      const fill = Math.round((pct / 100) * width);
      stream.write(`\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${String(pct).padStart(3)}% ${label}`.padEnd(70));
    },
    done() {
      if (last >= 0) stream.write('\r' + ' '.repeat(70) + '\r');
    },
  };
}

/** `1:05` */
export const clock = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds));
  return s >= 3600 ? `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

export interface RunsProgress {
  /** run `index` is `fraction` done */
  update(index: number, fraction: number): void;
  done(): void;
}

/**
 * One line for a batch of runs: runs done of the total, the run last heard from with its phase
 * and percentage, the elapsed time and an ETA. The ETA weighs each run by its estimated
 * seconds and scales by the pace so far. `unit` names the runs (`runs`, `points`).
 */
export function runsProgress(
  runs: readonly { label: string; estimate: RunEstimate }[],
  unit = 'runs',
  stream: Stream = process.stderr,
  now: () => number = () => performance.now() / 1000,
): RunsProgress {
  if (!stream.isTTY || runs.length === 0) return { update() {}, done() {} };
  const start = now();
  const fraction = new Float64Array(runs.length);
  const total = runs.reduce((s, r) => s + Math.max(r.estimate.seconds, 1e-3), 0);
  let finished = 0;
  let lastDraw = -Infinity;
  let drawn = false;
  const draw = (index: number, force: boolean): void => {
    const t = now();
    if (!force && t - lastDraw < 0.1) return;
    lastDraw = t;
    const doneWork = runs.reduce((s, r, i) => s + fraction[i]! * Math.max(r.estimate.seconds, 1e-3), 0);
    const elapsed = t - start;
    const eta = doneWork > 0 && elapsed > 0.5 ? clock((elapsed * (total - doneWork)) / doneWork) : '?';
    const width = 20;
    const fill = Math.round((doneWork / total) * width);
    const f = fraction[index]!;
    const phase = f < 1 ? phaseAt(runs[index]!.estimate, f) : null;
    const current = f < 1 ? `  ${runs[index]!.label}${phase ? `: ${phase.name} ${Math.floor(((f - phase.from) / Math.max(1e-9, phase.to - phase.from)) * 100)}%` : ''}` : '';
    const line = `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${finished}/${runs.length} ${unit}  ${clock(elapsed)} elapsed, ETA ${eta}${current}`;
    const cols = (stream.columns ?? 100) - 1;
    stream.write(`\r${line.slice(0, cols).padEnd(cols)}`);
    drawn = true;
  };
  return {
    update(index, f) {
      if (f >= 1 && fraction[index]! < 1) finished++;
      fraction[index] = Math.min(1, f);
      draw(index, f >= 1);
    },
    done() {
      if (drawn) stream.write(`\r${' '.repeat((stream.columns ?? 100) - 1)}\r`);
    },
  };
}
