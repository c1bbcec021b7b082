/**
 * `sim versions [NAME...]`: the kernel versions the simulator runs, the port that runs each and
 * the evidence behind it (kernel/versions.ts); with names, only the versions they stand for, and
 * an unknown name is an input error listing the known ones.
 */
import { InputError } from '../input/input-error.ts';
import { KERNEL_OF } from '../kernel/allocator.ts';
import { KERNEL_RELEASES, kernelRelease, resolveAllocator, unknownAllocatorMessage, type KernelRelease } from '../kernel/versions.ts';
import { renderTable } from '../report/text-table.ts';

export function versionsCommand(names: readonly string[], out: (text: string) => void): number {
  let releases: readonly KernelRelease[] = KERNEL_RELEASES;
  if (names.length > 0) {
    const picked = new Set<KernelRelease>();
    for (const name of names) {
      const r = kernelRelease(name) ?? KERNEL_RELEASES.find((k) => k.version === KERNEL_OF[resolveAllocator(name)!]);
      if (!r) throw new InputError(unknownAllocatorMessage(name));
      picked.add(r);
    }
    releases = KERNEL_RELEASES.filter((r) => picked.has(r));
  }
  out(
    renderTable({
      title: 'Kernel versions (a scenario may name any of them, or an exact release below, wherever it names an allocator)',
      header: ['version', 'runs on', 'cases recorded by', 'cases passing', 'releases checked', 'evidence'],
      rows: releases.map((r) => [r.version, r.allocator, r.recordedBy, `${r.cases}/${r.cases}`, r.checked.join(', ') || '-', r.note]),
      note:
        'cases: test/fixtures/conformance/<port>/ (one per trace file, one per layout line), replayed by `sim conform` and npm test;\n' +
        'releases checked: ran every recorded stream (48) through that release\'s own mm/percpu.c, same decisions as the recording release',
    }),
  );
  return 0;
}
