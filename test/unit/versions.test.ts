/**
 * Kernel versions as allocator names: one table maps every series and exact release to a port,
 * its case counts stay true to the fixtures, and a scenario naming versions runs and is reported
 * under those names.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureOutput } from './captured-output.ts';
import { allocatorFactory } from '../../src/kernel/registry.ts';
import { KERNEL_RELEASES, kernelOfName, knownAllocatorNames, resolveAllocator } from '../../src/kernel/versions.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'conformance');

/** cases in a fixture directory as `sim conform` counts them: a trace file each, a layout file a line each */
function caseCount(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl.gz'))) {
    n += f.startsWith('layout-') ? gunzipSync(readFileSync(join(dir, f))).toString('utf8').trim().split('\n').length : 1;
  }
  return n;
}

describe('the versions table', () => {
  it('maps series, exact releases and ports to the port that runs them', () => {
    expect(resolveAllocator('v5.10')).toBe('bitmap-v5.10');
    expect(resolveAllocator('5.10.265')).toBe('bitmap-v5.10');
    expect(resolveAllocator('v6.6')).toBe('bitmap');
    expect(resolveAllocator('6.1.192')).toBe('bitmap');
    expect(resolveAllocator('v7.1')).toBe('bitmap-v6.18');
    expect(resolveAllocator('v6.18')).toBe('bitmap-v6.18');
    expect(resolveAllocator('v4.13')).toBe('areamap');
    expect(resolveAllocator('bitmap-v4.14')).toBe('bitmap-v4.14');
  });

  it('knows no release it has no evidence for', () => {
    expect(resolveAllocator('5.10.1')).toBeNull();
    expect(resolveAllocator('v6.7')).toBeNull();
    const reason = allocatorFactory('v6.7');
    expect(reason).toMatch(/unknown allocator or kernel version "v6.7" \(known: .*v5\.10.*v7\.1.*5\.10\.265/);
  });

  it('heads a report column with the version as named, or the port with its kernel', () => {
    expect(kernelOfName('v6.6')).toBe('v6.6');
    expect(kernelOfName('6.6.87')).toBe('v6.6');
    expect(kernelOfName('bitmap')).toBe('v6.12');
    expect(kernelOfName('bitmap-v5.10')).toBe('v5.10');
  });

  it('claims as many passing cases as the fixtures of each port hold', () => {
    for (const r of KERNEL_RELEASES) expect(caseCount(join(FIXTURES, r.allocator)), `${r.version} (${r.allocator})`).toBe(r.cases);
  });

  it('lists every name once', () => {
    const names = knownAllocatorNames();
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('versions on the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'versions-'));
  const io = captureOutput();

  it('sim versions prints the table, one row per series', async () => {
    expect(await main(['versions'])).toBe(0);
    for (const r of KERNEL_RELEASES) expect(io.stdout).toMatch(new RegExp(`^${r.version.replace('.', '\\.')} +${r.allocator} +${r.recordedBy.replace(/\./g, '\\.')} +${r.cases}/${r.cases}`, 'm'));
  });

  it('sim versions NAME rejects an unknown version with the known ones', async () => {
    expect(await main(['versions', 'v3.2'])).toBe(2);
    expect(io.stderr).toMatch(/unknown allocator or kernel version "v3\.2" \(known: bitmap, .*v6\.18, v7\.1/);
  });

  it("runs allocators: ['v5.10', 'v6.6', 'v7.1'] and reports them under those names", async () => {
    const file = join(dir, 'v.json5');
    const json = join(dir, 'v.json');
    writeFileSync(
      file,
      `// versions\n{ machine: 'seed-2017', allocators: ['v5.10', 'v6.6', 'v7.1'], workload: [{ phase: 'alloc', count: 200, size: 64 }, { phase: 'free', order: 'random' }] }\n`,
    );
    expect(await main(['run', file, '--json', json, '--workers', '0']), io.stderr).toBe(0);
    for (const v of ['v5.10', 'v6.6', 'v7.1']) expect(io.stdout).toContain(`Time per phase, ${v}\n`);
    const runs = JSON.parse(readFileSync(json, 'utf8')).runs as { allocator: string; kernel: string }[];
    expect(runs.map((r) => [r.allocator, r.kernel])).toEqual([
      ['v5.10', 'v5.10'],
      ['v6.6', 'v6.12'],
      ['v7.1', 'v6.18'],
    ]);
  });

  it('refuses an unknown version in a scenario, naming the place', async () => {
    const file = join(dir, 'bad.json5');
    writeFileSync(file, `// bad\n{ machine: 'seed-2017', allocators: ['v5.10', 'v6.7'], workload: [{ phase: 'alloc', count: 2, size: 64 }] }\n`);
    expect(await main(['run', file, '--workers', '0'])).toBe(2);
    expect(io.stderr).toMatch(/bad\.json5:2:\d+: allocators\[1\]: expected an allocator or a kernel version \(.*\), received "v6\.7"/);
  });
});
