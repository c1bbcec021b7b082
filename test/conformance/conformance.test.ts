/**
 * Every recorded conformance case, for every allocator, through the one shared runner, with
 * the invariant checker after every operation.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALLOCATOR_NAMES } from '../../src/kernel/allocator.ts';
import { allocatorFactory } from '../../src/kernel/registry.ts';
import { conformFile } from '../../src/conform/conform.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'conformance');

for (const allocator of ALLOCATOR_NAMES) {
  const built = typeof allocatorFactory(allocator) !== 'string';
  const dir = join(FIXTURES, allocator);
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl.gz')).sort();
  describe.skipIf(!built)(`${allocator} matches the kernel on every recorded case`, () => {
    for (const f of files) {
      it(f, () => {
        const failures = conformFile(join(dir, f), { check: true })
          .filter((c) => c.failure !== null)
          .map((c) => `${c.name}:${c.failure!.line}: ${c.failure!.reason}`);
        expect(failures).toEqual([]);
      });
    }
  });
}
