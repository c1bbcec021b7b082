/** The README's images are what the current code draws: `npm run docs:images` regenerates them, and this fails when a committed one differs. */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

it('every committed docs/img image equals what npm run docs:images draws now', () => {
  const dir = mkdtempSync(join(tmpdir(), 'doc-images-'));
  try {
    execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'e2e', 'make-doc-images.ts'), dir], { cwd: ROOT, stdio: 'pipe' });
    const made = readdirSync(dir).sort();
    expect(made.length).toBeGreaterThan(0);
    expect(readdirSync(join(ROOT, 'docs', 'img')).filter((f) => f.endsWith('.svg')).sort()).toEqual(made);
    for (const f of made) {
      expect(readFileSync(join(ROOT, 'docs', 'img', f), 'utf8') === readFileSync(join(dir, f), 'utf8'), `docs/img/${f} is stale: run npm run docs:images`).toBe(true);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
