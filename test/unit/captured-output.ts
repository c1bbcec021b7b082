/**
 * What a command prints, captured for the tests of one file: registers the spies around every
 * test and returns the text written so far to stdout and stderr. Not a test file itself.
 */
import { afterEach, beforeEach, vi } from 'vitest';

export interface CapturedOutput {
  stdout: string;
  stderr: string;
}

export function captureOutput(): CapturedOutput {
  const io: CapturedOutput = { stdout: '', stderr: '' };
  beforeEach(() => {
    io.stdout = '';
    io.stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((io.stdout += String(c)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((io.stderr += String(c)), true));
  });
  afterEach(() => vi.restoreAllMocks());
  return io;
}
