/**
 * Runs that know their size: the estimate of a run's calls, live objects and memory follows
 * its workload; the worker count follows the work; progress says runs done, the current
 * phase, elapsed time and an ETA on a terminal, and nothing elsewhere.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEstimate } from '../../src/engine/estimate.ts';
import { busyCpusNow, chooseWorkers, estimateRun, estimateRuns, idleCpus } from '../../src/engine/estimate.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { parseMemorySize } from '../../src/cli/run-size.ts';
import { clock, runsProgress } from '../../src/cli/progress.ts';

const dir = mkdtempSync(join(tmpdir(), 'estimate-'));
const runsOf = (body: string) => {
  const f = join(dir, `s${Math.random().toString(36).slice(2)}.json5`);
  writeFileSync(f, `{machine: 'laptop', ${body}}`);
  return loadScenario(f).runs;
};

describe('estimates', () => {
  it('counts the calls and the objects live at once, phase by phase', () => {
    const [run] = runsOf(`workload: [{phase: 'alloc', count: 1000, size: 8}, {phase: 'free', count: 400}, {phase: 'alloc', count: 100, size: 8, name: 'more'}, {phase: 'free'}]`);
    const e = estimateRun(run!);
    expect(e.calls).toBe(1000 + 400 + 100 + 700);
    expect(e.peakLive).toBe(1000);
    expect(e.phases.map((p) => [p.name, p.calls])).toEqual([['alloc', 1000], ['free', 400], ['more', 100], ['free2', 700]]);
    expect(e.phases[1]!.from).toBeCloseTo(1000 / 2200);
    expect(e.largestPhase).toBe(0);
  });
  it('counts what a destroy frees, and grows memory and time with the work', () => {
    const [small, large] = runsOf(`matrix: {n: [1000, 100000]}, workload: [
      {phase: 'bpfPercpuArray', action: 'create', map: 'a', maps: 2, entries: '$n', valueSize: 16},
      {phase: 'bpfPercpuArray', action: 'destroy', map: 'a'}]`).map((r) => estimateRun(r));
    expect(small!.calls).toBe(4000);
    expect(large!.calls).toBe(400000);
    expect(large!.peakBytes).toBeGreaterThan(small!.peakBytes);
    expect(large!.seconds).toBeGreaterThan(small!.seconds * 10);
  });
  it('a run on more CPUs with more populated pages takes longer', () => {
    const specs = runsOf(`workload: [{phase: 'alloc', count: 5000, size: 1024}]`);
    const few = estimateRun(specs[0]!, { nrNodes: 1, nrCpus: 4, pageSize: 4096 });
    const many = estimateRun(specs[0]!, { nrNodes: 1, nrCpus: 4096, pageSize: 4096 });
    expect(many.seconds).toBeGreaterThan(few.seconds);
    expect(estimateRuns(specs)[0]!.calls).toBe(5000);
  });
});

describe('worker count from the work', () => {
  const est = (seconds: number): RunEstimate => ({ calls: 0, peakLive: 0, peakBytes: 0, seconds, phases: [], largestPhase: 0 });
  it('no workers for small work, where starting them costs more than they save', () => {
    expect(chooseWorkers(Array.from({ length: 9 }, () => est(0.15)), 8).workers).toBe(0);
    expect(chooseWorkers([est(100)], 8).workers).toBe(0);
  });
  it('workers for large work, never more than the cores or the runs', () => {
    expect(chooseWorkers(Array.from({ length: 45 }, () => est(2)), 2).workers).toBe(2);
    expect(chooseWorkers(Array.from({ length: 45 }, () => est(2)), 4).workers).toBe(4);
    expect(chooseWorkers(Array.from({ length: 3 }, () => est(20)), 16).workers).toBe(3);
    expect(chooseWorkers(Array.from({ length: 45 }, () => est(2)), 1).workers).toBe(0);
  });
  it('counts only the CPUs other processes leave idle', () => {
    expect(idleCpus(2, 0)).toBe(2);
    expect(idleCpus(2, 1)).toBe(1);
    expect(idleCpus(2, 5.5)).toBe(1);
    expect(idleCpus(8, 3.2)).toBe(5);
  });
  it('--max-memory sizes', () => {
    expect(parseMemorySize('8G')).toBe(8 * 2 ** 30);
    expect(parseMemorySize('512MiB')).toBe(512 * 2 ** 20);
    expect(parseMemorySize('1.5g')).toBe(1.5 * 2 ** 30);
    expect(parseMemorySize('4096')).toBe(4096);
    expect(() => parseMemorySize('0')).toThrow(/--max-memory/);
    expect(() => parseMemorySize('-1G')).toThrow(/--max-memory/);
  });
});

describe('progress', () => {
  const fakeStream = (isTTY: boolean) => {
    const writes: string[] = [];
    return { writes, stream: { isTTY, columns: 200, write: (s: string) => (writes.push(s), true) } };
  };
  const runs = runsOf(`matrix: {n: [100, 300]}, workload: [{phase: 'alloc', count: '$n', size: 8}, {phase: 'free'}]`).map((spec) => ({
    label: `${spec.allocator} n=${spec.labels.n}`,
    estimate: estimateRun(spec),
  }));
  it('shows runs done of the total, the current run, its phase and percentage, elapsed time and ETA', () => {
    const { writes, stream } = fakeStream(true);
    let t = 0;
    // estimated 10 s and 30 s: 32.5 s of the 40 done after 20 s leaves 7.5 s at that pace, about 5 s
    const timed = runs.map((r, i) => ({ ...r, estimate: { ...r.estimate, seconds: [10, 30][i]! } }));
    const p = runsProgress(timed, 'runs', stream as never, () => t);
    t = 8;
    p.update(0, 1);
    t = 20;
    p.update(1, 0.75); // all the allocations then half of the frees
    const last = writes.at(-1)!;
    expect(last).toMatch(/^\r\[#{16}\.{4}\] 1\/2 runs {2}0:20 elapsed, ETA 0:05 {2}bitmap n=300: free 50%/);
    p.done();
    expect(writes.at(-1)).toMatch(/^\r\s+\r$/);
  });
  it('is quiet when stderr is not a terminal', () => {
    const { writes, stream } = fakeStream(false);
    const p = runsProgress(runs, 'runs', stream as never, () => 0);
    p.update(0, 0.5);
    p.update(0, 1);
    p.done();
    expect(writes).toEqual([]);
  });
  it('clock', () => {
    expect(clock(0)).toBe('0:00');
    expect(clock(65)).toBe('1:05');
    expect(clock(3725)).toBe('1:02:05');
  });
});

describe('busy CPUs sampled now', () => {
  it('reads between none and every CPU, and more while a second thread spins', async () => {
    const quiet = busyCpusNow(100);
    expect(quiet).toBeGreaterThanOrEqual(0);
    expect(quiet).toBeLessThanOrEqual(availableParallelism() + 1e-9);
    const spin = new Worker('const end = Date.now() + 1500; while (Date.now() < end) {}', { eval: true });
    await new Promise((r) => setTimeout(r, 100));
    const loaded = busyCpusNow(300);
    await spin.terminate();
    // the spinning thread alone keeps one CPU busy (other load on the host only adds)
    expect(loaded).toBeGreaterThan(0.6);
  });
});
