/** A fresh temporary directory for one test file, and `put` to write a file into it. Not a test file itself. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempFiles(prefix: string): { dir: string; put: (name: string, data: string | Buffer) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const put = (name: string, data: string | Buffer): string => {
    const p = join(dir, name);
    writeFileSync(p, data);
    return p;
  };
  return { dir, put };
}
