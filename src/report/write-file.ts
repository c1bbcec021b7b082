/** Writes an output file whole or not at all: a temporary file renamed into place. */
import { renameSync, rmSync, writeFileSync } from 'node:fs';

export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
