/** `sim conform [--check] FILE|DIR...` */
import { conformFile, expandInputs } from '../conform/conform.ts';

export function conformCommand(files: string[], check: boolean, out: (line: string) => void): number {
  let passed = 0;
  let failed = 0;
  for (const file of expandInputs(files)) {
    for (const c of conformFile(file, { check })) {
      if (c.failure === null) {
        passed++;
        continue;
      }
      failed++;
      // a problem with the file as a whole (missing, empty, not a trace) has no line to name
      out(`FAIL ${c.name} (${c.file}${c.failure.line > 0 ? `:${c.failure.line}` : ''}): ${c.failure.reason}`);
    }
  }
  out(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}
