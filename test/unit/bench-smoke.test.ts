/**
 * The benchmark still runs and writes its documented JSON: a tiny case (one progress period of
 * objects, cold, one timed run) through `npm run bench`'s script. Times are not checked.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = resolve(import.meta.dirname, '../../bench/run.ts');

describe('npm run bench', () => {
  it('writes percpu-sim/bench/1 with every documented field of the chosen case', () => {
    const json = join(mkdtempSync(join(tmpdir(), 'bench-')), 'b.json');
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', script, '--only', 'bitmap-v4.14/16B/reverse', '--count', '65536', '--warmup', '0', '--timed', '2', '--json', json],
      { encoding: 'utf8' },
    );
    expect(out).toContain('bitmap-v4.14/16B/reverse');
    const b = JSON.parse(readFileSync(json, 'utf8'));
    expect(b.schema).toBe('percpu-sim/bench/1');
    expect(b.inline_budget).toBe('4000');
    expect(b.cases).toHaveLength(1);
    const c = b.cases[0];
    expect(c.name).toBe('bitmap-v4.14/16B/reverse');
    expect(c.ops).toBe(2 * 65536);
    expect(c.timed_wall_ms).toHaveLength(2);
    for (const k of ['alloc_ms', 'free_ms', 'peak_rss_mb', 'alloc_cpu_ms', 'free_cpu_ms']) {
      expect(c[k]).toBeGreaterThan(0);
    }
  }, 60_000);

  it('refuses a bad inline budget with a one-line reason', () => {
    let err = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', script, '--inline-budget', 'lots'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      err = String((e as { stderr: string }).stderr);
    }
    expect(err).toMatch(/--inline-budget: expected a positive number of bytes or "default", got "lots"/);
  });
});
