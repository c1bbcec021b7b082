import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.ts';
import { executeRun } from '../../src/engine/execute.ts';
import { loadMachineSetup } from '../../src/engine/machines.ts';
import { MEMCG_V6_1_DEBIAN_OBJECTS, cgroupCallsEach } from '../../src/engine/generators/cgroups.ts';
import type { PercpuAllocator } from '../../src/kernel/allocator.ts';

/** the VM of the 6.1.192 capture, as the shipped scenario describes it */
const vm = loadScenario('scenarios/real-6.1-memcg.json5').runs[0]!;

describe('the memory-cgroup objects of Debian 6.1.192', () => {
  it('are 2,052 bytes per CPU in eleven calls on one node, 688 more per extra node', () => {
    const bytes = (nodes: number): number => MEMCG_V6_1_DEBIAN_OBJECTS.reduce((n, o) => n + o.size * (o.perNode ? nodes : 1), 0);
    expect(bytes(1)).toBe(2052);
    expect(bytes(2) - bytes(1)).toBe(688);
    expect(cgroupCallsEach(MEMCG_V6_1_DEBIAN_OBJECTS, 1)).toBe(11);
  });

  it("grow Percpu: by 8,016 kB (within 1%) over 1,000 mkdirs on the capture's VM, as its /proc/meminfo did (1,040 -> 9,056 kB)", () => {
    let allocator: PercpuAllocator | null = null;
    let before = 0;
    let after = 0;
    const kb = (a: PercpuAllocator): number => (a.percpuStats!().nr_pages! * a.percpuStats!().page_size) / 1024;
    executeRun(
      { ...vm, phases: [{ phase: 'cgroups', name: 'mkdir', action: 'create', group: 'memcg', count: 1000, objects: [...MEMCG_V6_1_DEBIAN_OBJECTS] }] },
      loadMachineSetup,
      {
        check: false,
        observe: (a) => {
          allocator = a;
          before = kb(a);
          return { onPhaseEnd: () => void (after = kb(allocator!)) };
        },
      },
    );
    expect(vm.firstChunk).toMatchObject({ staticSize: 217088, reservedSize: 8192, dynSize: 28672 });
    expect(Math.abs(after - before - 8016) / 8016).toBeLessThan(0.01);
  });
});
