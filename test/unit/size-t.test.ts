/** A negative size or align is a huge size_t to the kernel: the request fails with the warning. */
import { describe, expect, it } from 'vitest';
import { ALLOCATOR_NAMES, DEFAULT_KNOBS } from '../../src/kernel/allocator.ts';
import { allocatorFactory } from '../../src/kernel/registry.ts';
import { SimplePlatform } from '../../src/hw/simple-platform.ts';
import type { AllocatorFactory } from '../../src/kernel/allocator.ts';

describe.each(ALLOCATOR_NAMES)('%s', (name) => {
  const make = () => {
    const platform = new SimplePlatform(null);
    const factory = allocatorFactory(name) as AllocatorFactory;
    const a = factory(
      {
        topology: { pageSize: 4096, nrCpus: 1, cpuToNode: [0], nodeDistance: [[10]] },
        firstChunk: { staticSize: 12344, reservedSize: 8192, dynSize: 20480, atomSize: 4096 },
        knobs: DEFAULT_KNOBS,
      },
      platform,
    );
    return { a, platform };
  };
  it('fails negative sizes and aligns as illegal requests, with a warning each', () => {
    const { a, platform } = make();
    expect(a.alloc(-4, 4, false, false)).toBe(-1);
    expect(a.alloc(-1, 0, false, false)).toBe(-1);
    expect(a.alloc(4, -4, false, false)).toBe(-1);
    expect(a.alloc(-4, 4, false, true)).toBe(-1);
    expect(a.lastFailReason).toMatch(/illegal size/);
    expect(platform.work.warnings).toBe(4);
    expect(a.alloc(4, 4, false, false)).toBeGreaterThanOrEqual(0);
  });
});
