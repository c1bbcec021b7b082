/**
 * Bad input through the command line: every malformed scenario, machine file or trace ends in
 * a short error that names the file and the place, with exit status 2, no stack trace and no
 * output file; `sim conform` counts an unreadable case as a failed case and goes on.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempFiles } from './temp-files.ts';
import { main } from '../../src/cli/main.ts';
import { captureOutput } from './captured-output.ts';

const { dir, put } = tempFiles('cli-bad-');
const out = join(dir, 'metrics.json');

const io = captureOutput();

/** runs `sim run FILE --json out` and checks the shape of a bad-input failure; returns the message */
async function rejects(file: string, ...extra: string[]): Promise<string> {
  rmSync(out, { force: true });
  io.stdout = '';
  io.stderr = '';
  const status = await main(['run', file, '--json', out, '--workers', '0', ...extra]);
  expect(status, io.stderr).toBe(2);
  expect(existsSync(out), 'no partial output file').toBe(false);
  expect(io.stderr).not.toMatch(/\n\s+at /);
  const lines = io.stderr.trimEnd().split('\n');
  expect(lines.length, io.stderr).toBe(1);
  expect(lines[0]!.length, io.stderr).toBeLessThan(400);
  expect(lines[0]).toMatch(/^sim: /);
  return lines[0]!.slice('sim: '.length);
}

const scenario = (body: string): string => `{machine: 'laptop', workload: [{phase: 'alloc', count: 20, size: 8}, {phase: 'free'}], ${body}}`;

describe('a malformed scenario', () => {
  it('a syntax error names file, line and column', async () => {
    const f = put('syntax.json5', `{\n  machine: 'laptop',\n  workload: [{phase: 'alloc', count: 1, size: 8}\n}`);
    expect(await rejects(f)).toMatch(new RegExp(`^${f}:4:1: syntax error: `));
  });
  it('an empty file, a blank one, a binary one', async () => {
    expect(await rejects(put('empty.json5', ''))).toBe(`${dir}/empty.json5: empty file`);
    expect(await rejects(put('blank.json5', '  \n\t\n'))).toBe(`${dir}/blank.json5: empty file`);
    expect(await rejects(put('bin.json5', Buffer.from([0x7b, 0x00, 0xff, 0x13, 0x37, 0x00])))).toBe(`${dir}/bin.json5: binary data, not JSON5 text`);
    // bytes that are not UTF-8 but hold no NUL read as text that does not parse
    expect(await rejects(put('latin.json5', Buffer.from([0x7b, 0xe9, 0xff, 0xfe, 0x7d])))).toMatch(/latin\.json5:1:2: syntax error/);
  });
  it('a wrong type, a wrong top level, an unknown key', async () => {
    const t = put('type.json5', `{\n  machine: 'laptop',\n  workload: [{phase: 'alloc', count: 1, size: 'big'}],\n}`);
    expect(await rejects(t)).toMatch(new RegExp(`^${t}:3:47: workload\\[0\\]\\.size: .*received "big"`));
    expect(await rejects(put('top.json5', '[1, 2]'))).toMatch(/top\.json5:1:1: \(top level\): /);
    const u = put('unknown.json5', `{\n  machine: 'laptop',\n  colour: 'red',\n  workload: [{phase: 'balance'}],\n}`);
    expect(await rejects(u)).toBe(`${u}:3:11: colour: unknown key; known keys: description, machine, allocators, knobs, firstChunk, seed, cpu, balance, costModel, kmemAccounting, matrix, workload, report, sweep`);
  });
  it('many problems at once: the first five, the fifth saying how many more', async () => {
    const f = put('many.json5', `{machine: 'laptop', workload: [${Array.from({ length: 8 }, () => "{phase: 'alloc', count: -1, size: 8}").join(', ')}]}`);
    rmSync(out, { force: true });
    io.stderr = '';
    expect(await main(['run', f, '--json', out])).toBe(2);
    const lines = io.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(new RegExp(`^sim: ${f}:1:\\d+: workload\\[0\\]\\.count: `));
    expect(lines.slice(1).every((l) => l.startsWith(`${f}:1:`))).toBe(true);
    expect(lines[4]).toMatch(/workload\[4\]\.count: .* \(and 3 more problems\)$/);
  });
  it('a missing file and a directory', async () => {
    expect(await rejects(join(dir, 'nope.json5'))).toBe(`${dir}/nope.json5: no such file`);
    mkdirSync(join(dir, 'adir.json5'), { recursive: true });
    expect(await rejects(join(dir, 'adir.json5'))).toBe(`${dir}/adir.json5: is a directory, not a file`);
  });
  it('a calling CPU the machine does not have', async () => {
    const f = put('cpu.json5', scenario('cpu: 16'));
    expect(await rejects(f)).toBe(`${f}:1:93: cpu: CPU 16 does not exist on laptop (possible CPUs 0..15)`);
  });
});

describe('a malformed machine file', () => {
  const machineText = readFileSync(new URL('../../config/laptop.json5', import.meta.url), 'utf8');
  const using = (name: string, machine: string): string => put(`uses-${name}.json5`, `{machine: '${machine}', workload: [{phase: 'balance'}]}`);
  it('a syntax error, an empty or a binary machine file: the scenario line naming it, then the machine file', async () => {
    const m = put('m-syntax.json5', machineText.replace("name: 'laptop',", "name: 'laptop'"));
    const ss = using('syntax', m);
    expect(await rejects(ss)).toMatch(new RegExp(`^${ss}:1:11: machine: ${m}:\\d+:\\d+: syntax error`));
    const e = put('m-empty.json5', '');
    const se = using('empty', e);
    expect(await rejects(se)).toBe(`${se}:1:11: machine: ${e}: empty file`);
    const b = put('m-bin.json5', Buffer.from('{\u0000}'));
    const sb = using('bin', b);
    expect(await rejects(sb)).toBe(`${sb}:1:11: machine: ${b}: binary data, not JSON5 text`);
  });
  it('a wrong type and an unknown key name the scenario line, then the field in the machine file', async () => {
    const t = put('m-type.json5', machineText.replace('pageSize: 4096,', "pageSize: 'big',"));
    expect(await rejects(using('type', t))).toMatch(new RegExp(`^${dir}/uses-type.json5:1:11: machine: ${t}:\\d+:\\d+: memory\\.pageSize: expected a byte size`));
    const u = put('m-key.json5', machineText.replace('pageSize: 4096,', 'pageSize: 4096, hugePages: true,'));
    expect(await rejects(using('key', u))).toMatch(new RegExp(`: machine: ${u}:\\d+:\\d+: memory\\.hugePages: unknown key \\(the machine file format`));
    const near = put('m-near.json5', machineText.replace('pageSize: 4096,', 'pageSize: 4096, pageSise: 3,'));
    expect(await rejects(using('near', near))).toMatch(new RegExp(`: machine: ${near}:\\d+:\\d+: memory\\.pageSise: unknown key \\(did you mean \`pageSize\`\\?\\)`));
    // a key named like an Object.prototype member is data like any other
    const c = put('m-ctor.json5', machineText.replace('pageSize: 4096,', 'pageSize: 4096, constructor: 1,'));
    expect(await rejects(using('ctor', c))).toMatch(new RegExp(`: machine: ${c}:\\d+:\\d+: memory\\.constructor: unknown key`));
  });
  it('a missing machine file, a directory and an unknown preset name the scenario line that names them', async () => {
    const s1 = using('missing', join(dir, 'no-machine.json5'));
    expect(await rejects(s1)).toBe(`${s1}:1:11: machine: ${dir}/no-machine.json5: no such file`);
    mkdirSync(join(dir, 'mdir.json5'), { recursive: true });
    const s2 = using('dir', join(dir, 'mdir.json5'));
    expect(await rejects(s2)).toBe(`${s2}:1:11: machine: ${dir}/mdir.json5: is a directory, not a file`);
    const s3 = using('preset', 'lapdog');
    expect(await rejects(s3)).toMatch(new RegExp(`^${s3}:1:11: machine: unknown machine 'lapdog': expected a file path or one of the presets .*laptop`));
  });
});

describe('an out-of-range machine', () => {
  const withOverrides = (name: string, overrides: string): string =>
    put(`ov-${name}.json5`, `{\n  machine: {preset: 'laptop',\n    overrides: ${overrides}},\n  workload: [{phase: 'balance'}],\n}`);
  it('0 CPUs, more than NR_CPUS, a distance table that is not square or lacks a node', async () => {
    const zero = withOverrides('zero', "{topology: {nodes: [{cpus: '', memory: '1 GiB'}]}}");
    expect(await rejects(zero)).toBe(`${zero}:3:16: machine.overrides: topology.nodes: expected at least one possible CPU, received [{"cpus":"","memory":"1 GiB"}]`);
    const many = withOverrides('many', "{topology: {nodes: [{cpus: '0-8192', memory: '64 GiB'}]}}");
    expect(await rejects(many)).toMatch(new RegExp(`^${many}:3:16: machine.overrides: topology.nodes: expected at most 8192 possible CPUs \\(NR_CPUS\\), got 8193`));
    const square = withOverrides('square', '{topology: {distance: [[10, 20]]}}');
    expect(await rejects(square)).toMatch(new RegExp(`^${square}:3:16: machine.overrides: topology.distance\\[0\\]: expected a square table`));
    const node = withOverrides('node', "{topology: {nodes: [{cpus: '0-7', memory: '16 GiB'}, {cpus: '8-15', memory: '16 GiB'}]}}");
    expect(await rejects(node)).toMatch(new RegExp(`^${node}:3:16: machine.overrides: topology.distance: expected a 2x2 table \\(one row per node\\), got 1 rows`));
  });
  it('CPUs on two nodes: one line per node, not one per CPU', async () => {
    const f = withOverrides('twice', "{topology: {nodes: [{cpus: '0-63', memory: '16 GiB'}, {cpus: '0-63', memory: '16 GiB'}], distance: [[10, 20], [20, 10]]}}");
    expect(await rejects(f)).toMatch(new RegExp(`^${f}:3:16: machine.overrides: topology.nodes\\[1\\].cpus: expected each CPU on one node, but CPU 0 is also on node 0`));
  });
  it('a page size the kernel does not support', async () => {
    const f = withOverrides('page', "{memory: {pageSize: '512 KiB'}, topology: {nodes: [{cpus: '0-3', memory: '4 GiB'}]}, firstChunk: {atomSize: '512 KiB'}, vmalloc: {size: '1 TiB'}}");
    expect(await rejects(f)).toMatch(new RegExp(`^${f}:3:\\d+: machine.overrides.memory.pageSize: the kernel refuses this first chunk for bitmap \\(v6.12\\): pageSize must be a power of two`));
  });
});

describe('an impossible first chunk', () => {
  const firstChunk = async (fc: string, allocator = 'bitmap'): Promise<string> => {
    const f = put(`fc-${allocator}-${fc.replace(/\W+/g, '_')}.json5`, `{\n  machine: 'laptop',\n  allocators: ['${allocator}'],\n  firstChunk: {${fc}},\n  workload: [{phase: 'alloc', count: 10, size: 8}],\n}`);
    return (await rejects(f)).replace(f, 'F');
  };
  it('names the firstChunk field and says why the kernel refuses it', async () => {
    expect(await firstChunk('atomSize: 3000')).toBe('F:4:26: firstChunk.atomSize: the kernel refuses this first chunk for bitmap (v6.12): atomSize must be a multiple of the page size (4096) up to 1 GiB, got 3000');
    expect(await firstChunk('reservedSize: 6', 'bitmap-v4.14')).toBe('F:4:30: firstChunk.reservedSize: the kernel refuses this first chunk for bitmap-v4.14 (v4.14): reservedSize must be a multiple of 4, got 6');
    expect(await firstChunk('staticSize: 0', 'areamap')).toMatch(/^F:4:28: firstChunk.staticSize: the kernel refuses this first chunk for areamap \(v4.13\): staticSize must not be 0/);
    expect(await firstChunk('dynSize: 1099511627776')).toMatch(/^F:4:25: firstChunk.dynSize: the first chunk's units would be \d+ bytes; .* below 2 GiB$/);
    expect(await firstChunk('staticSize: 9007199254740991')).toMatch(/^F:4:28: firstChunk.staticSize: .*too large/);
  });
  it('an odd static size the v4.13 area map cannot represent (its offsets are even)', async () => {
    expect(await firstChunk('staticSize: 212993', 'areamap')).toMatch(/^F:4:15: firstChunk: areamap \(v4.13\) cannot set up a first chunk from staticSize 212993, .*: chunk -1: /);
  });
  it('is found before any run starts, also when runs go to worker threads', async () => {
    const f = put('late.json5', `{machine: 'laptop', allocators: ['bitmap', 'areamap'], matrix: {n: [1, 2, 3]}, firstChunk: {staticSize: 4001},\n workload: [{phase: 'alloc', count: 100000, size: '$n'}]}`);
    const t0 = performance.now();
    expect(await rejects(f, '--workers', '2')).toMatch(new RegExp(`^${f}:1:\\d+: firstChunk: areamap \\(v4.13\\) cannot set up`));
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

describe('an output file that cannot be written', () => {
  it('is bad input found before the run, naming the file', async () => {
    const ok = put('fine.json5', scenario(''));
    const cases: [string, string][] = [
      [join(dir, 'no-such-dir', 'm.json'), `directory ${dir}/no-such-dir does not exist`],
      [dir, 'is a directory'],
      [join(ok, 'm.json'), `${ok} is not a directory`],
    ];
    for (const [target, why] of cases) {
      io.stderr = '';
      expect(await main(['run', ok, '--json', target, '--workers', '0'])).toBe(2);
      expect(io.stderr).toBe(`sim: ${target}: --json: ${why}\n`);
      expect(io.stdout).toBe('');
      io.stderr = '';
      expect(await main(['merge', join(dir, 'no-sweep-here'), '--json', target])).toBe(2);
      expect(io.stderr).toBe(`sim: ${target}: --json: ${why}\n`);
    }
  });
});

describe('sim conform on bad traces', () => {
  const good = new URL('../fixtures/conformance/bitmap/reserved-smp4-s11.jsonl.gz', import.meta.url).pathname;
  const goodLines = gunzipSync(readFileSync(good)).toString('utf8').trimEnd().split('\n');
  const header = JSON.parse(goodLines[0]!) as Record<string, unknown> & { machine: Record<string, unknown>; first_chunk: Record<string, unknown> };
  const trace = (name: string, lines: unknown[]): string => put(name, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  const withHeader = (change: (h: typeof header) => void): unknown => {
    const h = structuredClone(header);
    change(h);
    return h;
  };

  it('counts every unreadable case as one failed case, names file:line and goes on to the good case', async () => {
    const gz = gzipSync(Buffer.from(goodLines.join('\n')));
    mkdirSync(join(dir, 'tdir.jsonl'), { recursive: true });
    const cases: [string, RegExp][] = [
      [trace('t-syntax.jsonl', [goodLines[0], '{"op":"alloc",']), /t-syntax\.jsonl:2\): not JSON/],
      [put('t-empty.jsonl', ''), /t-empty\.jsonl\): empty file/],
      [put('t-bin.jsonl', Buffer.from([0x7b, 0, 1, 2, 0x7d])), /t-bin\.jsonl\): binary data/],
      [put('t-trunc.jsonl.gz', gz.subarray(0, gz.length >> 1)), /t-trunc\.jsonl\.gz:(\d+)\): cannot decompress: .*\(the text breaks off after line \d+\)$/],
      [join(dir, 't-missing.jsonl'), /t-missing\.jsonl\): no such file/],
      [join(dir, 'tdir.jsonl'), /tdir\.jsonl\): is a directory/],
      [trace('t-type.jsonl', [withHeader((h) => (h.machine.nr_cpus = 'four'))]), /t-type\.jsonl:1\): header\.machine\.nr_cpus: expected a positive integer, got "four"/],
      [trace('t-key.jsonl', [withHeader((h) => (h.colour = 'red'))]), /t-key\.jsonl:1\): header\."colour": unknown key/],
      [trace('t-opkey.jsonl', [goodLines[0], '{"op":"free","id":1,"when":3}']), /t-opkey\.jsonl:2\): free\."when": unknown key/],
      [trace('t-negsize.jsonl', [goodLines[0], '{"op":"alloc","id":1,"size":-4,"align":4,"gfp":"kernel"}']), /t-negsize\.jsonl:2\): alloc\.size: expected a non-negative integer/],
      [trace('t-cpus0.jsonl', [withHeader((h) => Object.assign(h.machine, { nr_cpus: 0, cpu_to_node: [] }))]), /t-cpus0\.jsonl:1\): header\.machine\.nr_cpus: expected a positive integer, got 0/],
      [trace('t-cpusbig.jsonl', [withHeader((h) => Object.assign(h.machine, { nr_cpus: 8193, cpu_to_node: new Array(8193).fill(0) }))]), /t-cpusbig\.jsonl:1\): setup failed: nrCpus must be between 1 and 8192/],
      [trace('t-square.jsonl', [withHeader((h) => (h.machine.node_distance = [[10, 20]]))]), /t-square\.jsonl:1\): setup failed: nodeDistance must be square/],
      [trace('t-node.jsonl', [withHeader((h) => (h.machine.cpu_to_node = [0, 0, 3, 0]))]), /t-node\.jsonl:1\): setup failed: cpuToNode\[2\] names node 3, but nodeDistance has nodes 0\.\.0/],
      [trace('t-atom.jsonl', [withHeader((h) => (h.first_chunk.atom_size = 3000))]), /t-atom\.jsonl:1\): setup failed: atomSize must be a multiple of the page size/],
      [trace('t-huge.jsonl', [withHeader((h) => (h.first_chunk.dyn_size = 2 ** 40))]), /t-huge\.jsonl:1\): setup failed: the first chunk's units would be \d+ bytes/],
      [trace('t-unknown-free.jsonl', [goodLines[0], goodLines[1], '{"op":"free","id":77}']), /t-unknown-free\.jsonl:3\): free of unknown id 77/],
      [trace('t-double-free.jsonl', [goodLines[0], goodLines[1], '{"op":"free","id":1}', '{"op":"free","id":1}']), /t-double-free\.jsonl:4\): free of unknown id 1/],
    ];
    const status = await main(['conform', ...cases.map(([f]) => f), good]);
    expect(status, io.stdout).toBe(1);
    const lines = io.stdout.trimEnd().split('\n');
    expect(lines.at(-1), io.stdout).toBe(`1 passed, ${cases.length} failed`);
    cases.forEach(([, re], i) => expect(lines[i], lines.join('\n')).toMatch(re));
    expect(lines.slice(0, -1).every((l) => l.startsWith('FAIL '))).toBe(true);
    expect(io.stderr).toBe('');
  });
});
