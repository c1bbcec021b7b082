/**
 * Every name a user writes is checked, and a wrong one ends in one line that names the place,
 * says what is allowed and suggests the nearest known name: report dimensions, keys, phase
 * kinds, actions, presets, matrix references, options and commands. Exit 2, nothing written.
 * Also: matrix values of every scalar kind (a boolean `prealloc` sweeps a BPF hash map), and
 * a run too large for this process refused before it allocates anything.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFiles } from './temp-files.ts';
import { main } from '../../src/cli/main.ts';
import { captureOutput } from './captured-output.ts';
import { editDistance, nearest } from '../../src/input/suggest.ts';

const { dir, put } = tempFiles('bad-names-');
const out = join(dir, 'metrics.json');

const io = captureOutput();

/** `sim ARGS` must fail as bad input: exit 2, one line on io.stderr, nothing on io.stdout, no output file; returns the line */
async function oneLine(...argv: string[]): Promise<string> {
  rmSync(out, { force: true });
  io.stdout = '';
  io.stderr = '';
  const status = await main(argv);
  expect(status, io.stderr).toBe(2);
  expect(existsSync(out), 'no output file').toBe(false);
  expect(io.stdout).toBe('');
  const lines = io.stderr.trimEnd().split('\n');
  expect(lines, io.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^sim: /);
  return lines[0]!.slice('sim: '.length);
}
const run = (file: string, ...extra: string[]): Promise<string> => oneLine('run', file, '--json', out, '--workers', '0', ...extra);

const MATRIX = `matrix: {size: [8, 16], order: ['inorder', 'reverse']}`;
const WORKLOAD = `workload: [{phase: 'alloc', count: 50, size: '$size'}, {phase: 'free', order: '$order'}]`;
const scenario = (name: string, report: string): string => put(name, `{\n  machine: 'laptop',\n  allocators: ['areamap', 'bitmap'],\n  ${MATRIX},\n  ${WORKLOAD},\n  report: ${report},\n}`);

describe('suggestions', () => {
  it('edit distance counts inserts, deletes, substitutions and swaps', () => {
    expect(editDistance('sise', 'size')).toBe(1);
    expect(editDistance('ordr', 'order')).toBe(1);
    expect(editDistance('cuont', 'count')).toBe(1);
    expect(editDistance('abc', 'xyz')).toBe(3);
  });
  it('suggests only a name near enough to be a typo', () => {
    expect(nearest('sise', ['size', 'order'])).toBe('size');
    expect(nearest('foo', ['size', 'order'])).toBeNull();
    expect(nearest('lapdog', ['laptop', 'seed-2017'])).toBe('laptop');
  });
});

describe('report dimensions', () => {
  it('a misspelt row dimension names the place, the nearest dimension and every allowed one', async () => {
    const f = scenario('worst.json5', `{worst: {title: 't', rows: ['sise'], over: ['order']}}`);
    expect(await run(f)).toBe(`${f}:6:39: report.worst.rows[0]: unknown dimension "sise" (did you mean \`size\`?); expected a matrix dimension or a built-in one: size, order, allocator, kernel, machine`);
  });
  it('a dimension that is nothing like one says what is allowed', async () => {
    const f = scenario('foo.json5', `{worst: {title: 't', rows: ['foo'], over: ['order']}}`);
    expect(await run(f)).toMatch(new RegExp(`^${f}:6:39: report\\.worst\\.rows\\[0\\]: unknown dimension "foo"; expected a matrix dimension or a built-in one: size, order, allocator`));
  });
  it('the second of two rows, and over', async () => {
    const f = scenario('ordr.json5', `{breakdown: {title: 't', rows: ['size', 'ordr']}}`);
    expect(await run(f)).toMatch(/report\.breakdown\.rows\[1\]: unknown dimension "ordr" \(did you mean `order`\?\)/);
    const g = scenario('over.json5', `{worst: {title: 't', rows: ['size'], over: ['oder']}}`);
    expect(await run(g)).toMatch(/report\.worst\.over\[0\]: unknown dimension "oder" \(did you mean `order`\?\)/);
  });
  it('built-in dimensions group rows by what every run has; rows: [] is one row of every run', async () => {
    const f = put('builtin.json5', `{machine: 'laptop', allocators: ['areamap', 'bitmap'], ${WORKLOAD.replace("'$size'", '8').replace("'$order'", "'reverse'")},
      report: {footprint: {title: 'by allocator', rows: ['allocator']}, failures: {title: 'all', rows: []}, breakdown: {title: 'k', rows: ['kernel', 'machine']}}}`);
    expect(await main(['run', f, '--workers', '0'])).toBe(0);
    const table = (title: string): string[] => io.stdout.split('\n\n').find((t) => t.startsWith(title))!.split('\n');
    expect(table('by allocator').slice(3).map((l) => l.split(/\s+/)[0])).toEqual(['areamap', 'bitmap']);
    expect(table('all')[1]).toMatch(/^runs\s/);
    expect(table('all')[3]).toMatch(/^all\s+0 \/ 50/);
    expect(table('k').slice(3, 5).map((l) => l.split(/\s{2,}/)[0])).toEqual(['v4.13 / laptop', 'v6.12 / laptop']);
  });
});

describe('keys, kinds and values', () => {
  it('a misspelt field is one line on the unknown key with the known ones, not a second about the missing field', async () => {
    const f = put('cout.json5', `{\n  machine: 'laptop',\n  workload: [{phase: 'alloc', cout: 5, size: 8}],\n}`);
    expect(await run(f)).toBe(`${f}:3:37: workload[0].cout: unknown key (did you mean \`count\`?); known keys: phase, name, cpu, count, size, align, gfp, reserved, account`);
  });
  it('a phase kind, an action, an enum value', async () => {
    const k = put('kind.json5', `{machine: 'laptop', workload: [{phase: 'aloc', count: 5, size: 8}]}`);
    expect(await run(k)).toBe(`${k}:1:40: workload[0].phase: expected one of alloc, free, balance, bpfPercpuArray, bpfPercpuHash, cgroups, modules, churn, replay, memcg (did you mean \`alloc\`?), received "aloc"`);
    const a = put('action.json5', `{machine: 'laptop', workload: [{phase: 'cgroups', action: 'creat', count: 5}]}`);
    expect(await run(a)).toMatch(/workload\[0\]\.action: expected one of create, destroy \(did you mean `create`\?\), received "creat"$/);
    const e = put('enum.json5', `{machine: 'laptop', workload: [{phase: 'alloc', count: 5, size: 8}, {phase: 'free', order: 'revrse'}]}`);
    expect(await run(e)).toMatch(/workload\[1\]\.order: expected one of inorder, alternating, reverse, random or a \$name reference to a matrix dimension \(did you mean `reverse`\?\), received "revrse"$/);
  });
  it('a top-level key, a missing field, a matrix reference, a preset', async () => {
    const t = put('top.json5', `{machine: 'laptop', workload: [{phase: 'balance'}], reprot: {}}`);
    expect(await run(t)).toMatch(/:1:\d+: reprot: unknown key \(did you mean `report`\?\); known keys: description, machine, allocators/);
    const m = put('missing.json5', `{machine: 'laptop', workload: [{phase: 'alloc', count: 5}]}`);
    expect(await run(m)).toMatch(/workload\[0\]\.size: required, expected number or a \$name reference, received nothing$/);
    const r = put('ref.json5', `{machine: 'laptop', matrix: {size: [8]}, workload: [{phase: 'alloc', count: 5, size: '$sise'}]}`);
    expect(await run(r)).toMatch(/workload\[0\]\.size: no matrix dimension "sise" \(did you mean `size`\?\); the matrix has size$/);
    const p = put('preset.json5', `{machine: 'lapotp', workload: [{phase: 'balance'}]}`);
    expect(await run(p)).toMatch(/:1:11: machine: unknown machine 'lapotp': expected a file path or one of the presets .* \(did you mean `laptop`\?\)$/);
  });
  it('a truncated recording in a replay phase names the scenario line and the place in the recording', async () => {
    const good = new URL('../fixtures/conformance/bitmap/reserved-smp4-s11.jsonl.gz', import.meta.url).pathname;
    const gz = readFileSync(good);
    put('cut.jsonl.gz', gz.subarray(0, gz.length >> 1));
    const f = put('replay.json5', `{\n  machine: 'laptop',\n  workload: [\n    {phase: 'replay', file: 'cut.jsonl.gz'},\n  ],\n}`);
    expect(await run(f)).toMatch(new RegExp(`^${f}:4:29: workload\\[0\\]\\.file: \\S*cut\\.jsonl\\.gz:\\d+: cannot decompress: .* \\(the text breaks off after line \\d+\\)$`));
  });
});

describe('the command line', () => {
  const ok = put('ok.json5', `{machine: 'laptop', workload: [{phase: 'alloc', count: 5, size: 8}]}`);
  it('an unknown option is one line with the nearest option and a help hint', async () => {
    expect(await oneLine('run', ok, '--jsno', out)).toBe('run: unknown option --jsno (did you mean --json?); options of run: --json, --workers, --max-memory, --check, --ftrace, --stats, --html, --format; see `sim help`');
    expect(await oneLine('sweep', ok, '--out', dir, '--shards', '0/2')).toMatch(/^sweep: unknown option --shards \(did you mean --shard\?\); options of sweep: .*; see `sim help`$/);
    expect(await oneLine('conform', '-x')).toBe('conform: unknown option -x; options of conform: --check; see `sim help`');
  });
  it('a missing value, a value where none is taken, a bad number, too many files', async () => {
    expect(await oneLine('run', ok, '--json')).toBe('run: --json needs a value (--json FILE; a value starting with - as --json=VALUE); see `sim help`');
    expect(await oneLine('run', ok, '--check=yes')).toBe('run: --check takes no value; see `sim help`');
    expect(await oneLine('run', ok, '--workers', 'two')).toBe('--workers: expected a non-negative integer, got two; see `sim help`');
    expect(await oneLine('run', ok, ok)).toBe(`run needs exactly one SCENARIO file, got ${ok} ${ok}; see \`sim help\``);
    expect(await oneLine('run', ok, '--max-memory', 'lots')).toBe('--max-memory: expected a size such as 8G, 512M or 2147483648, got "lots"');
  });
  it('an unknown command suggests the nearest; a directory given as a scenario is one line', async () => {
    expect(await oneLine('swep', ok)).toBe('unknown command "swep" (did you mean sweep?); commands: run, conform, sweep, merge, check, calibrate, validate, versions, help; see `sim help`');
    mkdirSync(join(dir, 'scenarios'), { recursive: true });
    expect(await oneLine(join(dir, 'scenarios'))).toBe(`${dir}/scenarios: is a directory, expected a command or a SCENARIO.json5 file; see \`sim help\``);
  });
});

describe('matrix values of every scalar kind', () => {
  it('matrix: {prealloc: [true, false]} sweeps a BPF hash map', async () => {
    const f = put('prealloc.json5', `{machine: 'laptop', matrix: {prealloc: [true, false]},
      workload: [
        {phase: 'bpfPercpuHash', action: 'create', map: 'h', entries: 512, valueSize: 16, prealloc: '$prealloc'},
        {phase: 'bpfPercpuHash', action: 'update', map: 'h', count: 1000},
        {phase: 'bpfPercpuHash', action: 'destroy', map: 'h'},
      ]}`);
    expect(await main(['run', f, '--json', out, '--workers', '0']), io.stderr).toBe(0);
    const runs = JSON.parse(readFileSync(out, 'utf8')).runs as { labels: { prealloc: boolean }; phases: Record<string, { ops: number }> }[];
    expect(runs.map((r) => r.labels.prealloc)).toEqual([true, false]);
    // preallocated: every value at create, none at update; no-prealloc: the other way round
    expect(runs.map((r) => [r.phases['create-h']!.ops, r.phases['update-h']!.ops > 0])).toEqual([[512, false], [0, true]]);
  });
  it('a value of the wrong kind is reported where the matrix declares it', async () => {
    const f = put('prealloc-num.json5', `{\n  machine: 'laptop',\n  matrix: {prealloc: [1, 0]},\n  workload: [{phase: 'bpfPercpuHash', action: 'create', map: 'h', entries: 8, valueSize: 16, prealloc: '$prealloc'}],\n}`);
    expect(await run(f)).toMatch(new RegExp(`^${f}:3:22: matrix\\.prealloc: .*boolean.* \\(used by workload\\[0\\]\\.prealloc\\), received 1$`));
  });
});

describe('runs that know their size', () => {
  it('count: 1000000000 is refused before anything is allocated, naming the field', async () => {
    const f = put('huge.json5', `{\n  machine: 'laptop',\n  workload: [{phase: 'alloc', count: 1000000000, size: 8}, {phase: 'free'}],\n}`);
    const t0 = performance.now();
    expect(await run(f)).toMatch(new RegExp(`^${f}:3:38: workload\\[0\\]\\.count: the bitmap run needs about [\\d.]+ GiB of host memory at its peak \\(2,000,000,000 calls, 1,000,000,000 objects live at once\\), more than the [\\d.]+ GiB this process may use; make it smaller, or set the limit with --max-memory$`));
    expect(performance.now() - t0).toBeLessThan(3000);
  });
  it('--max-memory lowers the limit; a run that fits runs', async () => {
    const f = put('mid.json5', `{machine: 'laptop', workload: [{phase: 'alloc', count: 20000, size: 8}]}`);
    expect(await run(f, '--max-memory', '100M')).toMatch(/needs about \d+ MiB of host memory .* more than the 100 MiB this process may use/);
    expect(await main(['run', f, '--max-memory', '2G', '--workers', '0'])).toBe(0);
  });
});
