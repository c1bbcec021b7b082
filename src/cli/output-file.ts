/**
 * Output files named on the command line (`--json FILE`): checked before any work starts, so a
 * typo in a path costs nothing, and written whole or not at all; a path that cannot be written
 * is bad input (exit 2) naming the file, never an internal error after a long run.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../input/input-error.ts';
import { writeFileAtomic } from '../report/write-file.ts';

/** throws an InputError when `file` (given with `option`) cannot be created or replaced */
export function checkOutputFile(file: string, option: string): void {
  const dir = dirname(file);
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new InputError(`${file}: ${option}: directory ${dir} does not exist`);
  }
  if (!st.isDirectory()) throw new InputError(`${file}: ${option}: ${dir} is not a directory`);
  let target;
  try {
    target = statSync(file);
  } catch {
    return; // a new file
  }
  if (target.isDirectory()) throw new InputError(`${file}: ${option}: is a directory`);
}

/** writeFileAtomic, with a failure (permissions, a full disk) as an InputError naming the file */
export function writeOutputFile(file: string, option: string, text: string): void {
  try {
    writeFileAtomic(file, text);
  } catch (e) {
    throw new InputError(`${file}: ${option}: cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
