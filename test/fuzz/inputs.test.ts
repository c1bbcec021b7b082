/**
 * Fuzzes every reader of user input with thousands of mutated files made from the real ones
 * (scenarios/, config/, the conformance fixtures, an ftrace capture): byte flips, truncation,
 * line edits, key deletion and renaming, type swaps, number extremes. The loaders and `main()`
 * (with small workloads) must never throw anything but an InputError whose message starts with
 * the file at fault, must exit 2 (bad input) or 0 / 1 as documented, never print a stack, and
 * never leave a partial output file. Seeded: FUZZ_SEED=... replays another sequence; FUZZ_SCALE
 * multiplies the number of inputs.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import JSON5 from 'json5';
import { afterAll, beforeEach, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { loadMachine } from '../../src/hw/machine-config.ts';
import { conformFile } from '../../src/conform/conform.ts';
import { InputError } from '../../src/input/input-error.ts';
import { parseFtrace } from '../../src/trace/ftrace-parse.ts';
import { TraceFormatError } from '../../src/trace/percpu-trace.ts';
import { FUZZ_SEED, mutateBytes, mutateJson5, mutateJsonLines, pick, rng } from './mutate.ts';
import type { Rng } from './mutate.ts';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const tmp = mkdtempSync(join(tmpdir(), 'fuzz-'));
const out = join(tmp, 'metrics.json');

/** what the suite saw, printed at the end (the closing note of issue 6 quotes it) */
const tally: Record<string, number> = {};
const count = (what: string): void => void (tally[what] = (tally[what] ?? 0) + 1);
afterAll(() => {
  const total = Object.entries(tally).filter(([k]) => k.endsWith(' inputs')).reduce((n, [, v]) => n + v, 0);
  console.log(`fuzz (seed ${FUZZ_SEED}): ${total} mutated inputs; ${JSON.stringify(tally)}`);
  rmSync(tmp, { recursive: true, force: true });
});

let stdout = '';
let stderr = '';
beforeEach(() => {
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
});
afterEach(() => vi.restoreAllMocks());

interface Failure {
  input: string;
  mutation: string;
  problem: string;
}

/** keeps the failing input next to the report and says how to find it again */
function failure(failures: Failure[], file: string, mutation: string, problem: string): void {
  const kept = join(tmp, '..', `fuzz-failure-${failures.length}-${file.split('/').pop()}`);
  try {
    writeFileSync(kept, readFileSync(file));
  } catch {
    // a directory or a missing file: nothing to keep
  }
  failures.push({ input: kept, mutation, problem: problem.slice(0, 400) });
}

/** `sim ...` in this process; checks the contract for bad input and returns what went wrong, or null */
async function runMain(argv: string[], faulty: readonly string[], okStatuses: readonly number[] = [0]): Promise<{ status: number; problem: string | null }> {
  // a file may be shown as given or relative to the working directory
  faulty = faulty.flatMap((f) => [f, relative(process.cwd(), f)]);
  stdout = '';
  stderr = '';
  rmSync(out, { force: true });
  let status: number;
  try {
    status = await main(argv);
  } catch (e) {
    return { status: -1, problem: `main threw ${(e as Error).stack ?? e}` };
  }
  if (/\n\s+at /.test(stderr)) return { status, problem: `stack trace on stderr: ${stderr}` };
  const json = argv.includes('--json');
  if (status === 2) {
    if (json && existsSync(out)) return { status, problem: 'exit 2 left the --json file behind' };
    const first = stderr.split('\n')[0]!;
    if (!faulty.some((f) => first.startsWith(`sim: ${f}`))) return { status, problem: `exit 2 without naming ${faulty.join(' or ')} first: ${stderr}` };
    // short: one line per problem found (a schema error may list a few), each naming the file
    const lines = stderr.trimEnd().split('\n');
    if (lines.length > 8 || lines.some((l) => l.length > 600)) return { status, problem: `exit 2 with a long message: ${stderr.slice(0, 1000)}` };
    if (lines.slice(1).some((l) => !faulty.some((f) => l.startsWith(f)))) return { status, problem: `exit 2 with a line not naming the file: ${stderr}` };
    return { status, problem: null };
  }
  if (okStatuses.includes(status)) {
    if (json && status === 0 && !existsSync(out)) return { status, problem: 'exit 0 without the --json file' };
    return { status, problem: null };
  }
  return { status, problem: `exit ${status}: ${stderr}` };
}

/** a loader may return or throw an InputError (of any subclass) whose message starts with one of `faulty` */
function loaderProblem(call: () => unknown, faulty: readonly string[]): string | null {
  try {
    call();
    return null;
  } catch (e) {
    if (!(e instanceof InputError)) return `threw ${(e as Error).name}: ${(e as Error).stack ?? e}`;
    if (!faulty.some((f) => e.message.startsWith(f))) return `InputError not naming ${faulty.join(' or ')} first: ${e.message}`;
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// seeds

const SIZE_KEYS = new Set(['size', 'align', 'valueSize', 'weight']);

/** every integer under `workload` and `matrix` that counts something is at most `max` */
function shrinkWorkload(tree: Record<string, unknown>, max: number): void {
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === 'number') return !SIZE_KEYS.has(key) && Number.isInteger(v) && v > max ? max : v;
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  tree.workload = walk(tree.workload, 'workload');
  if (tree.matrix && typeof tree.matrix === 'object') {
    tree.matrix = Object.fromEntries(Object.entries(tree.matrix).map(([k, vs]) => [k, (walk(vs, k) as unknown[]).slice(0, 2)]));
  }
  delete tree.sweep;
}

/** the shipped scenarios (full and CI-sized), shrunk to small workloads so `main()` runs them in milliseconds */
function scenarioSeeds(): { name: string; text: string }[] {
  const dirs = [join(ROOT, 'scenarios'), join(ROOT, 'scenarios/ci')];
  const seeds: { name: string; text: string }[] = [];
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).filter((x) => x.endsWith('.json5')).sort()) {
      const tree = JSON5.parse(readFileSync(join(d, f), 'utf8')) as Record<string, unknown>;
      shrinkWorkload(tree, 24);
      seeds.push({ name: f, text: JSON5.stringify(tree, null, 1) });
    }
  }
  return seeds;
}

/**
 * Whether `main()` may run this (parsed) scenario within the test's budget: small counts, a
 * small first chunk, and no negative size or alignment (the allocator ports loop forever on a
 * negative size: a known kernel-port bug, reported; loaders still see those inputs).
 */
function runnable(text: string): { ok: true } | { ok: false; why: string } {
  let tree: unknown;
  try {
    tree = JSON5.parse(text);
  } catch {
    return { ok: true };
  }
  let why: string | null = null;
  const walk = (v: unknown, key: string, under: string): void => {
    if (why) return;
    if (typeof v === 'number') {
      if (v < 0 && ((under === 'workload' && (key === 'size' || key === 'align')) || under === 'matrix')) why = 'negative size or align';
      else if ((under === 'workload' || under === 'matrix') && !SIZE_KEYS.has(key) && v > 400) why = 'large count';
      else if (under === 'firstChunk' && v > 2 ** 26) why = 'large first chunk';
      else if ((key === 'size' || key === 'valueSize') && v > 2 ** 26) why = 'large object';
      return;
    }
    if (Array.isArray(v)) {
      if (under === 'matrix' && v.length > 4) why = 'large matrix';
      v.forEach((x) => walk(x, key, under));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, k, ['workload', 'matrix', 'firstChunk'].includes(k) ? k : under);
    }
  };
  walk(tree, '', '');
  return why ? { ok: false, why } : { ok: true };
}

const fixture = (p: string): string => join(ROOT, 'test/fixtures/conformance', p);
const gunzipText = (f: string): string => gunzipSync(readFileSync(f)).toString('utf8');

/** heads of recorded traces (header and first operations) of every allocator, and layout cases */
function traceSeeds(): { name: string; text: string }[] {
  const head = (f: string, n: number): string => gunzipText(fixture(f)).split('\n').slice(0, n).join('\n') + '\n';
  return [
    { name: 'reserved-bitmap.jsonl', text: head('bitmap/reserved-smp4-s11.jsonl.gz', 40) },
    { name: 'churn-v414.jsonl', text: head('bitmap-v4.14/churn-smp4-s2.jsonl.gz', 40) },
    { name: 'atomic-areamap.jsonl', text: head('areamap/atomic-smp4-s10.jsonl.gz', 40) },
    { name: 'pagelimit-bitmap.jsonl', text: head('bitmap/churn-smp4-pagelimit-s7.jsonl.gz', 30) },
    { name: 'layout-areamap.jsonl', text: head('areamap/layout-public.jsonl.gz', 3) },
  ];
}

// ---------------------------------------------------------------------------------------------

describe(`fuzzing the input readers (seed ${FUZZ_SEED})`, () => {
  it('mutated scenarios: loadScenario and sim run fail only with a located input error', async () => {
    const r = rng('scenarios');
    const seeds = scenarioSeeds();
    expect(seeds.length).toBeGreaterThan(4);
    const failures: Failure[] = [];
    const n = Math.round(1200 * SCALE);
    for (let i = 0; i < n; i++) {
      const seed = pick(r, seeds);
      const m = mutateJson5(r, seed.text);
      const file = join(tmp, `scn-${i % 7}.json5`);
      writeFileSync(file, m.data);
      count('scenario inputs');
      const what = `${seed.name} #${i}: ${m.what}`;
      const lp = loaderProblem(() => loadScenario(file), [file]);
      if (lp) failure(failures, file, what, lp);
      // main() on every fourth input (the others exercise the loader only), when small enough to run
      if (i % 4 !== 0) continue;
      const ok = runnable(m.data.toString('utf8'));
      if (!ok.ok) {
        count(`scenario runs skipped: ${ok.why}`);
        continue;
      }
      const res = await runMain(['run', file, '--json', out, '--workers', '0'], [file]);
      count(`scenario runs exit ${res.status}`);
      if (res.problem) failure(failures, file, what, res.problem);
    }
    expect(failures).toEqual([]);
  });

  it('mutated machine files: loadMachine and sim run fail only with a located input error', async () => {
    const r = rng('machines');
    const configs = readdirSync(join(ROOT, 'config')).filter((f) => f.endsWith('.json5')).sort();
    const texts = configs.map((f) => ({ name: f, text: readFileSync(join(ROOT, 'config', f), 'utf8') }));
    const failures: Failure[] = [];
    const n = Math.round(900 * SCALE);
    for (let i = 0; i < n; i++) {
      const seed = pick(r, texts);
      const m = mutateJson5(r, seed.text);
      const file = join(tmp, `machine-${i % 5}.json5`);
      writeFileSync(file, m.data);
      count('machine inputs');
      const what = `${seed.name} #${i}: ${m.what}`;
      let machine: ReturnType<typeof loadMachine> | null = null;
      const lp = loaderProblem(() => (machine = loadMachine(file)), [file]);
      if (lp) failure(failures, file, what, lp);
      if (i % 4 !== 0) continue;
      const fc = (machine as ReturnType<typeof loadMachine> | null)?.firstChunk;
      if (fc && Math.max(fc.staticSize, fc.reservedSize, fc.dynSize) > 2 ** 26) {
        count('machine runs skipped: large first chunk');
        continue;
      }
      const scenario = join(tmp, 'uses-machine.json5');
      writeFileSync(scenario, `{machine: '${file}', allocators: ['areamap', 'bitmap-v4.14', 'bitmap'], workload: [{phase: 'alloc', count: 40, size: 24, align: 8}, {phase: 'alloc', count: 5, size: 16, reserved: true}, {phase: 'free', order: 'random'}, {phase: 'balance'}]}`);
      const res = await runMain(['run', scenario, '--json', out, '--workers', '0'], [file, `${scenario}:1:11: machine: ${file}`]);
      count(`machine runs exit ${res.status}`);
      if (res.problem) failure(failures, file, what, res.problem);
    }
    expect(failures).toEqual([]);
  });

  it('mutated traces: sim conform counts each as a case and goes on; replay and ftrace readers fail only with located errors', async () => {
    const r = rng('traces');
    const seeds = traceSeeds();
    const failures: Failure[] = [];
    const n = Math.round(1500 * SCALE);
    const replayScenario = join(tmp, 'replays.json5');
    for (let i = 0; i < n; i++) {
      const seed = pick(r, seeds);
      const m = mutateJsonLines(r, seed.text);
      let data = m.data;
      let what = `${seed.name} #${i}: ${m.what}`;
      let name = `trace-${i % 5}.jsonl`;
      if (r() < 0.25) {
        // compressed, and sometimes the compressed bytes themselves damaged
        data = gzipSync(data);
        name += '.gz';
        if (r() < 0.5) {
          const g = mutateBytes(r, data);
          data = g.data;
          what += `; gzip ${g.what}`;
        }
      }
      const file = join(tmp, name);
      writeFileSync(file, data);
      count('trace inputs');
      // the conformance runner never throws and names a line for every failure
      try {
        const cases = conformFile(file, { check: true });
        if (cases.length === 0) failure(failures, file, what, 'no case reported');
        for (const c of cases) {
          if (c.failure && (typeof c.failure.reason !== 'string' || c.failure.reason === '' || !(c.failure.line >= 0))) failure(failures, file, what, `bad failure record ${JSON.stringify(c.failure)}`);
          if (c.failure && /^(InvariantError|TypeError|RangeError|Error):/.test(c.failure.reason)) failure(failures, file, what, `simulator error as a case failure: ${c.failure.reason}`);
        }
      } catch (e) {
        failure(failures, file, what, `conformFile threw ${(e as Error).stack ?? e}`);
      }
      if (i % 5 === 0) {
        const res = await runMain(['conform', file], [file], [0, 1]);
        count(`conform runs exit ${res.status}`);
        if (res.problem) failure(failures, file, what, res.problem);
        else if (!/^\d+ passed, \d+ failed$/m.test(stdout) || stdout.split('\n').some((l) => l !== '' && !l.startsWith('FAIL ') && !/^\d+ passed/.test(l))) {
          failure(failures, file, what, `unexpected conform output: ${stdout.slice(0, 300)}`);
        } else if (stdout.split('\n').some((l) => l.length > 700)) failure(failures, file, what, `a long conform line: ${stdout.slice(0, 800)}`);
      }
      if (i % 5 === 1) {
        // the same file replayed as a scenario workload on the modeled machine
        writeFileSync(replayScenario, `{machine: 'laptop', allocators: ['bitmap', 'areamap'], workload: [{phase: 'replay', file: '${file}'}, {phase: 'balance'}]}`);
        const res = await runMain(['run', replayScenario, '--json', out, '--workers', '0'], [file, replayScenario]);
        count(`replay runs exit ${res.status}`);
        if (res.problem) failure(failures, file, what, res.problem);
      }
    }
    expect(failures).toEqual([]);
  });

  it('mutated ftrace captures: the ftrace reader fails only with a located trace error', async () => {
    const r: Rng = rng('ftrace');
    // a capture of a small run, from the simulator's own --ftrace output
    const scenario = join(tmp, 'capture.json5');
    writeFileSync(scenario, `{machine: 'laptop', workload: [{phase: 'alloc', count: 30, size: 48, align: 16}, {phase: 'alloc', count: 4, size: 8, gfp: 'atomic'}, {phase: 'free', order: 'random'}, {phase: 'balance'}]}`);
    const capture = join(tmp, 'capture.txt');
    const status = await main(['run', scenario, '--workers', '0', '--ftrace', capture]);
    expect(status, stderr).toBe(0);
    const text = readFileSync(capture, 'utf8');
    expect(text).toMatch(/percpu_alloc_percpu:/);
    const failures: Failure[] = [];
    const n = Math.round(1500 * SCALE);
    const file = join(tmp, 'ftrace-mutated.txt');
    const replay = join(tmp, 'replays-ftrace.json5');
    writeFileSync(replay, `{machine: 'laptop', workload: [{phase: 'replay', file: '${file}', format: 'ftrace'}]}`);
    for (let i = 0; i < n; i++) {
      const m = mutateBytes(r, Buffer.from(text, 'utf8'));
      writeFileSync(file, m.data);
      count('ftrace inputs');
      try {
        parseFtrace(file, m.data.toString('utf8'));
      } catch (e) {
        if (!(e instanceof TraceFormatError) || !e.message.startsWith(file)) failure(failures, file, `#${i}: ${m.what}`, `parseFtrace threw ${(e as Error).stack ?? e}`);
      }
      if (i % 10 === 0) {
        const res = await runMain(['run', replay, '--json', out, '--workers', '0'], [file, replay]);
        count(`ftrace replay runs exit ${res.status}`);
        if (res.problem) failure(failures, file, `#${i}: ${m.what}`, res.problem);
      }
    }
    expect(failures).toEqual([]);
  });
});

