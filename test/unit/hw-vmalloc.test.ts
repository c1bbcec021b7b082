import { describe, expect, it } from 'vitest';
import { VMALLOC_BASE, MachinePlatform } from '../../src/hw/machine-platform.ts';
import { VmallocSpace } from '../../src/hw/vmalloc.ts';
import { tinyMachine } from './hw-tiny-machine.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

describe('VmallocSpace (pcpu_get_vm_areas placement)', () => {
  it('places congruent areas top-down, aligned, keeping the group offsets', () => {
    const vm = new VmallocSpace(0, 64 * MiB);
    const a = vm.alloc([0, 8 * MiB], [2 * MiB, 2 * MiB], 2 * MiB);
    expect(a).toBe(64 * MiB - 10 * MiB); // highest base where the last area ends at the top
    const b = vm.alloc([0, 8 * MiB], [2 * MiB, 2 * MiB], 2 * MiB);
    expect(b).toBe(a - 2 * MiB); // slots in just below, interleaving with the first set
    expect(vm.bytesInUse).toBe(8 * MiB);
  });

  it('fits a set into a gap between others when it is the highest fit', () => {
    const vm = new VmallocSpace(0, 16 * MiB);
    const a = vm.alloc([0], [4 * MiB], MiB); // [12, 16)
    const b = vm.alloc([0], [4 * MiB], MiB); // [8, 12)
    vm.free(a);
    const c = vm.alloc([0], [2 * MiB], MiB);
    expect(c).toBe(14 * MiB);
    expect(b).toBe(8 * MiB);
  });

  it('returns -1 when the space is exhausted, and space comes back on free', () => {
    const vm = new VmallocSpace(0, 4 * MiB);
    const a = vm.alloc([0, 2 * MiB], [MiB, MiB], MiB);
    expect(a).toBe(MiB);
    const b = vm.alloc([0, 2 * MiB], [MiB, MiB], MiB);
    expect(b).toBe(0);
    expect(vm.alloc([0, 2 * MiB], [MiB, MiB], MiB)).toBe(-1);
    vm.free(a);
    expect(vm.alloc([0, 2 * MiB], [MiB, MiB], MiB)).toBe(MiB);
  });

  it('refuses misaligned areas as the kernel BUGs on them', () => {
    const vm = new VmallocSpace(0, 4 * MiB);
    expect(() => vm.alloc([0], [3 * KiB], 4 * KiB)).toThrow(/not aligned/);
    expect(() => vm.free(123)).toThrow(/no areas/);
  });
});

describe('MachinePlatform vmalloc', () => {
  it('hands out areas inside the machine vmalloc size until it runs out', () => {
    const p = new MachinePlatform(tinyMachine()); // 16 MiB of vmalloc space
    const bases: number[] = [];
    for (;;) {
      const b = p.getVmAreas([0, 4 * MiB], [2 * MiB, 2 * MiB], 2 * MiB);
      if (b < 0) break;
      bases.push(b);
    }
    expect(bases.length).toBe(4);
    for (const b of bases) expect(b >= VMALLOC_BASE && b + 6 * MiB <= VMALLOC_BASE + 16 * MiB).toBe(true);
    expect(p.footprint().vmalloc_bytes).toBe(16 * MiB);
    p.freeVmAreas(bases[0]!);
    expect(p.footprint().vmalloc_bytes).toBe(12 * MiB);
    expect(p.footprint().peak_vmalloc_bytes).toBe(16 * MiB);
  });
});
