/**
 * Verified replays on small hand-made captures (ftrace text as a real kernel prints it): the
 * allocator decides each allocation outside the first chunk, the decision is compared with the
 * capture's, and the capture's placement becomes the state.
 *
 * The captures: a kworker creates chunk 1, then (8-byte objects)
 *
 *   chunk 1: |a|b|c|...|d 64/64 at 64|   b is freed, e (4 bytes) lands where b was, f after c
 *            0 8 16 24  64          128
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_KNOBS } from '../../src/kernel/allocator.ts';
import { allocatorFactory } from '../../src/kernel/registry.ts';
import { runPhases } from '../../src/engine/run.ts';
import type { ReplayVerification } from '../../src/engine/generators/replay-verify.ts';
import { runCommand } from '../../src/cli/run-command.ts';
import { main } from '../../src/cli/main.ts';
import { DecisionPlatform } from './generator-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'replay-verify-'));
const FIRST = 'ff11000000037000';
const CHUNK1 = 'ffffc90000400000';
const CHUNK2 = 'ffffc90000600000';

let t = 1;
const prefix = (task: string): string => `${task.padStart(16)} [001] ..... ${(t++ / 1000).toFixed(6)}:`;
const hex = (base: string, off: number): string => (BigInt(`0x${base}`) + BigInt(off)).toString(16).padStart(16, '0');
const alloc = (base: string, off: number, size: number, align: number, site = 'test_site+0x10/0x40'): string =>
  `${prefix('mkdir-7')} percpu_alloc_percpu: call_site=${site} reserved=0 is_atomic=0 size=${size} align=${align} base_addr=${base} off=${off} ptr=${hex(base, off)} bytes_alloc=${size * 6} gfp_flags=GFP_KERNEL`;
const free = (base: string, off: number): string => `${prefix('kworker/1:2-40')} percpu_free_percpu: base_addr=${base} off=${off} ptr=${hex(base, off)}`;
const create = (base: string): string => `${prefix('kworker/0:1-17')} percpu_create_chunk: base_addr=${base}`;
const destroy = (base: string): string => `${prefix('kworker/0:1-17')} percpu_destroy_chunk: base_addr=${base}`;

/** a capture that starts late: first-chunk allocations, a chunk created, its allocations */
function capture(dOff = 64): string[] {
  return [
    '# tracer: nop',
    '#',
    alloc(FIRST, 2208, 4, 4, 'alloc_desc+0x50/0x250'),
    alloc(FIRST, 4352, 88, 8, 'irq_alloc_matrix+0x5d/0x81'),
    create(CHUNK1),
    alloc(CHUNK1, 0, 8, 8),
    alloc(CHUNK1, 8, 8, 8),
    alloc(CHUNK1, 16, 8, 8),
    alloc(CHUNK1, dOff, 64, 64, 'psi_cgroup_alloc+0x43/0xb0'),
    free(CHUNK1, 8),
    alloc(CHUNK1, 8, 4, 4),
    alloc(CHUNK1, 24, 8, 8),
    free(FIRST, 4352),
    alloc(FIRST, 4352, 16, 8),
  ];
}

function write(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** one verified replay of `file` on a fresh 4-CPU bitmap allocator with the capture's first chunk */
function verify(file: string): ReplayVerification {
  const factory = allocatorFactory('bitmap');
  if (typeof factory === 'string') throw new Error(factory);
  const platform = new DecisionPlatform(null);
  const topology = { pageSize: 4096, nrCpus: 4, cpuToNode: [0, 0, 0, 0], nodeDistance: [[10]] };
  const allocator = factory({ topology, firstChunk: { staticSize: 217088, reservedSize: 8192, dynSize: 28672, atomSize: 2097152 }, knobs: DEFAULT_KNOBS }, platform);
  const r = runPhases(allocator, platform, [{ phase: 'replay', name: 'capture', file, format: 'ftrace', verify: true }], {
    cpu: 0,
    balance: { mode: 'eager' },
    seed: 't',
    check: true,
    topology,
  });
  expect(r.replays).toHaveLength(1);
  return r.replays[0]!;
}

describe('a verified replay', () => {
  it('verifies every decision of a consistent capture, N/N, and places the first-chunk ones', () => {
    const v = verify(write('consistent.txt', capture()));
    expect(v).toMatchObject({ judged: 6, matched: 6, placedFirstChunk: 3, mismatches: 0, unmatchedFrees: 0 });
  });

  it('reports exactly the allocation whose offset was changed, and still verifies the rest', () => {
    const lines = capture(128);
    const v = verify(write('one-changed.txt', lines));
    expect(v).toMatchObject({ judged: 6, matched: 5, mismatches: 1 });
    const m = v.first[0]!;
    expect(m).toMatchObject({ kind: 'decision', line: 9, callSite: 'psi_cgroup_alloc+0x43/0xb0', recorded: { chunk: 1, off: 128 }, simulated: { chunk: 1, off: 64 } });
    expect(m.text).toBe(lines[8]!.trim());
    // the chunk's hints before the decision: 24 bytes used, first free bit 6
    expect(m.hints).toMatchObject({ free_bytes: 512 * 1024 - 24, first_free: 6 });
  });

  it('places first-chunk allocations where recorded, never judging them, and frees them for real', () => {
    // offsets the allocator would never choose on its own; 4352 is reused after its free
    const v = verify(write('first-chunk.txt', [alloc(FIRST, 9000, 4, 4), alloc(FIRST, 12, 8, 8), free(FIRST, 12), alloc(FIRST, 12, 8, 8)]));
    expect(v).toMatchObject({ judged: 0, matched: 0, placedFirstChunk: 3, mismatches: 0 });
  });

  it('counts a chunk destroyed while the simulator still holds an allocation in it as a mismatch', () => {
    // the newest chunk heads the free list: the allocation goes to chunk 2, which is then destroyed
    const v = verify(write('destroy.txt', [create(CHUNK1), create(CHUNK2), alloc(CHUNK2, 0, 8, 8), destroy(CHUNK1), destroy(CHUNK2)]));
    expect(v).toMatchObject({ judged: 1, matched: 1, mismatches: 1 });
    expect(v.first[0]).toMatchObject({ kind: 'destroy', line: 5, note: 'chunk 2 is not fully free in the simulator (kept)' });
  });
});

describe('an allocator following a capture', () => {
  const fresh = (follow: boolean) => {
    const factory = allocatorFactory('bitmap');
    if (typeof factory === 'string') throw new Error(factory);
    const topology = { pageSize: 4096, nrCpus: 4, cpuToNode: [0, 0, 0, 0], nodeDistance: [[10]] };
    const a = factory({ topology, firstChunk: { staticSize: 217088, reservedSize: 8192, dynSize: 28672, atomSize: 2097152 }, knobs: DEFAULT_KNOBS }, new DecisionPlatform(null));
    if (follow) a.recorded!.followRecordedChunkLife();
    return a;
  };

  it('creates no chunk on its own: an allocation that does not fit fails, and the balance work makes none', () => {
    const free = fresh(false);
    const follow = fresh(true);
    for (const a of [free, follow]) expect(a.alloc(20000, 4, false, false)).toBe(0);
    expect(free.alloc(20000, 4, false, false)).toBe(0);
    expect(free.lastChunkId).toBe(1);
    expect(follow.alloc(20000, 4, false, false)).toBe(-1);
    expect(follow.lastFailReason).toBe('failed to allocate new chunk');
    follow.runBalance();
    expect(follow.stats().nr_chunks).toBe(1);
  });

  it('destroys a chunk only when asked, and only a fully free one', () => {
    const a = fresh(true);
    const c1 = a.recorded!.createChunk();
    const c2 = a.recorded!.createChunk();
    expect([c1, c2]).toEqual([1, 2]);
    a.runBalance(); // two fully free chunks: the balance work would destroy one
    expect(a.stats().nr_chunks).toBe(3);
    expect(a.recorded!.allocAt(c1, 4096, 8)).toBe(true);
    expect(a.recorded!.allocAt(c1, 4092, 8)).toBe(false); // overlaps
    expect(a.recorded!.destroyChunk(c1)).toBe(false);
    expect(a.recorded!.destroyChunk(c2)).toBe(true);
    a.checkInvariants();
    expect(a.stats().nr_chunks).toBe(2);
  });
});

describe('sim run with a verified replay', () => {
  const scenario = (file: string, extra = ''): string =>
    write(
      `s-${Math.random().toString(36).slice(2)}.json5`,
      [
        `{ machine: { preset: 'laptop', overrides: { topology: { nodes: [{ cpus: '0-3', memory: '4 GiB' }], distance: [[10]] } } },`,
        `  firstChunk: { staticSize: 217088, reservedSize: 8192, dynSize: 28672, atomSize: 2097152 },`,
        `  workload: [{ phase: 'replay', file: '${file}', format: 'ftrace', verify: true${extra} }] }`,
      ],
    );

  it('prints the verified line and exits 0 when every decision matches', async () => {
    let text = '';
    const rc = await runCommand(scenario(write('ok.txt', capture())), { json: null, workers: 0, check: false }, (s) => void (text += s));
    expect(rc).toBe(0);
    expect(text).toContain("replay verified: 6/6 allocations decided at the kernel's chunk and offset (3 placed in the first chunk as recorded)\n");
  });

  it('prints the mismatch after the report and exits 1', async () => {
    let text = '';
    const rc = await runCommand(scenario(write('bad.txt', capture(128))), { json: null, workers: 0, check: false }, (s) => void (text += s));
    expect(rc).toBe(1);
    expect(text).toContain('replay verified: 5/6');
    expect(text).toMatch(/mismatch 1 \(decision\) at line 9: .*off=128/);
    expect(text).toContain('call site psi_cgroup_alloc+0x43/0xb0: kernel chunk 1 off 128, simulator chunk 1 off 64');
  });

  it("charges the capture's accounted requests to the replay's cgroup", async () => {
    // d (64 B in chunk 1, never freed) was GFP_KERNEL_ACCOUNT: 64 B x 4 CPUs + 16 granules x 8 B
    const lines = capture().map((l) => (l.includes('psi_cgroup_alloc') ? l.replace('gfp_flags=GFP_KERNEL', 'gfp_flags=GFP_KERNEL_ACCOUNT') : l));
    const json = join(dir, `m-${Math.random().toString(36).slice(2)}.json`);
    const file = write(`acct-${Math.random().toString(36).slice(2)}.json5`, [
      `{ machine: { preset: 'laptop', overrides: { topology: { nodes: [{ cpus: '0-3', memory: '4 GiB' }], distance: [[10]] } } },`,
      `  firstChunk: { staticSize: 217088, reservedSize: 8192, dynSize: 28672, atomSize: 2097152 },`,
      `  workload: [{ phase: 'memcg', action: 'create', cgroup: 'pod' },`,
      `    { phase: 'replay', file: '${write('acct.txt', lines)}', format: 'ftrace', verify: true, account: 'pod' }] }`,
    ]);
    expect(await runCommand(file, { json, workers: 0, check: false }, () => {})).toBe(0);
    const m = JSON.parse(readFileSync(json, 'utf8')) as { runs: { memcg: { cgroups: { name: string; percpu_bytes: number }[] } }[] };
    expect(m.runs[0]!.memcg.cgroups).toEqual([expect.objectContaining({ name: 'pod', percpu_bytes: 64 * 4 + 16 * 8 })]);
  });

  it("writes a trace with the capture's events, first-chunk placements included", async () => {
    const out = join(dir, `trace-${Math.random().toString(36).slice(2)}`);
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['run', scenario(write('ok2.txt', capture())), '--ftrace', out, '--workers', '0'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const traced = readFileSync(out, 'utf8'); // one run: the path is the file
    const events = (text: string, name: string): string[] =>
      text.split('\n').filter((l) => l.includes(`${name}:`)).map((l) => `${/ size=(\d+)/.exec(l)?.[1] ?? ''} off=${/ off=(\d+)/.exec(l)![1]}`);
    const recorded = capture().join('\n');
    expect(events(traced, 'percpu_alloc_percpu')).toEqual(events(recorded, 'percpu_alloc_percpu'));
    expect(events(traced, 'percpu_free_percpu')).toEqual(events(recorded, 'percpu_free_percpu'));
  });
});

describe('a verified replay that cannot be made', () => {
  let stderr = '';
  beforeEach(() => {
    stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  });
  afterEach(() => vi.restoreAllMocks());

  const run = async (body: string): Promise<string> => {
    const file = write(`bad-${Math.random().toString(36).slice(2)}.json5`, [`{machine: 'laptop',`, body, `}`]);
    expect(await main(['run', file, '--workers', '0'])).toBe(2);
    const lines = stderr.trimEnd().split('\n');
    expect(lines, stderr).toHaveLength(1);
    return lines[0]!;
  };
  const capture1 = (): string => write('c1.txt', capture());

  it('names the verify field when the recording is not an ftrace capture', async () => {
    const jsonl = 'test/fixtures/conformance/bitmap/reserved-smp4-s11.jsonl.gz';
    expect(await run(`workload: [{phase: 'replay', file: '${join(process.cwd(), jsonl)}', verify: true}]`)).toMatch(
      /\.json5:2:\d+: workload\[0\]\.verify: a verified replay needs an ftrace capture .*read as percpu-trace$/,
    );
  });

  it('names the verify field when an allocator cannot follow a v6.12 kernel', async () => {
    expect(await run(`allocators: ['bitmap', 'areamap'], workload: [{phase: 'replay', file: '${capture1()}', verify: true}]`)).toMatch(
      /\.json5:2:\d+: workload\[0\]\.verify: .*bitmap allocator only, not areamap/,
    );
  });

  it('names the field and the value when verify is not a boolean', async () => {
    expect(await run(`workload: [{phase: 'replay', file: '${capture1()}', verify: 'yes'}]`)).toMatch(/\.json5:2:\d+: workload\[0\]\.verify: expected true or false .*received "yes"$/);
  });

  it("names the capture's line when an allocation names a chunk the capture never created", async () => {
    const file = write('stray.txt', [alloc(FIRST, 2208, 4, 4), alloc(CHUNK1, 0, 8, 8)]);
    expect(await run(`workload: [{phase: 'replay', file: '${file}', verify: true}]`)).toMatch(/workload\[0\]\.file: .*stray\.txt:2: percpu_alloc_percpu: field base_addr: 0xffffc90000400000 is neither the first chunk/);
  });
});
