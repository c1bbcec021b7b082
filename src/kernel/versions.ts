/**
 * The kernels users run, each mapped to the allocator port that makes its decisions, with the
 * evidence: which release's own mm/percpu.c recorded the cases that port passes, and which
 * releases were checked against those recordings. Every place that takes an allocator name
 * (scenarios, --grid allocator=, trace headers) also takes a version from here, through
 * `resolveAllocator`.
 *
 * How the mapping was established (docs/kernel-percpu.md §12 of the shared notes): every recorded
 * operation stream (48 files) was run through each release's own mm/percpu.c in one harness.
 * 5.15.215, 6.1.192 and 6.6.87 made exactly 6.12's decisions on all 48; 6.18.26 and 7.1.5 agree
 * with each other on all 48 and differ from 6.12 on the eager-balance churn streams; 5.10.265
 * differs on 41 of 48.
 */
import type { AllocatorName, KernelVersion } from './allocator.ts';
import { ALLOCATOR_NAMES, KERNEL_OF } from './allocator.ts';

export interface KernelRelease {
  /** the series as users name it: `v5.10` */
  readonly version: string;
  /** the port that runs it */
  readonly allocator: AllocatorName;
  /** the release whose own code recorded the cases the port passes */
  readonly recordedBy: string;
  /** the recorded cases (trace files, and each line of a layout file) the port passes */
  readonly cases: number;
  /** releases of this series checked against the recordings, if other than `recordedBy` */
  readonly checked: readonly string[];
  /** what else the evidence says */
  readonly note: string;
}

/** oldest first; the case counts are those of test/fixtures/conformance/<allocator>/ (a test keeps them true) */
export const KERNEL_RELEASES: readonly KernelRelease[] = [
  { version: 'v4.13', allocator: 'areamap', recordedBy: '4.13.4', cases: 230, checked: [], note: 'the area-map allocator' },
  { version: 'v4.14', allocator: 'bitmap-v4.14', recordedBy: '4.14.5', cases: 230, checked: [], note: 'the first bitmap allocator' },
  {
    version: 'v5.10',
    allocator: 'bitmap-v5.10',
    recordedBy: '5.10.265',
    cases: 230,
    checked: [],
    note: 'no partial depopulation: differs from 6.12 on 41 of 48 recorded streams',
  },
  { version: 'v5.15', allocator: 'bitmap', recordedBy: '6.12.117', cases: 230, checked: ['5.15.215'], note: "6.12's decisions on all 48 recorded streams" },
  { version: 'v6.1', allocator: 'bitmap', recordedBy: '6.12.117', cases: 230, checked: ['6.1.192'], note: "6.12's decisions on all 48 recorded streams" },
  { version: 'v6.6', allocator: 'bitmap', recordedBy: '6.12.117', cases: 230, checked: ['6.6.87'], note: "6.12's decisions on all 48 recorded streams" },
  { version: 'v6.12', allocator: 'bitmap', recordedBy: '6.12.117', cases: 230, checked: [], note: 'the modern port' },
  {
    version: 'v6.18',
    allocator: 'bitmap-v6.18',
    recordedBy: '6.18.26',
    cases: 230,
    checked: [],
    note: 'empty-page test at area_found: differs from 6.12 on the 11 eager churn streams',
  },
  { version: 'v7.1', allocator: 'bitmap-v6.18', recordedBy: '6.18.26', cases: 230, checked: ['7.1.5'], note: "6.18.26's decisions on all 48 recorded streams" },
];

/** `v5.10` → `5.10`, `5.10.265` → `5.10.265` */
const bare = (name: string): string => (name.startsWith('v') ? name.slice(1) : name);

/** the exact releases a series answers to: the one that recorded its cases (if of this series) and those checked */
function exactReleases(r: KernelRelease): string[] {
  const own = r.recordedBy.startsWith(`${bare(r.version)}.`) ? [r.recordedBy] : [];
  return [...own, ...r.checked];
}

/** the series a name stands for: `v5.10` or `5.10`, or an exact release the table names (`5.10.265`, `v5.10.265`) */
export function kernelRelease(name: string): KernelRelease | null {
  const n = bare(name);
  return KERNEL_RELEASES.find((r) => bare(r.version) === n || exactReleases(r).includes(n)) ?? null;
}

/** every name the simulator takes for an allocator: the ports, the series, the exact releases */
export function knownAllocatorNames(): string[] {
  return [...ALLOCATOR_NAMES, ...KERNEL_RELEASES.map((r) => r.version), ...KERNEL_RELEASES.flatMap(exactReleases)];
}

/** the port a name runs on (a port's own name, a series or an exact release), or null */
export function resolveAllocator(name: string): AllocatorName | null {
  if ((ALLOCATOR_NAMES as readonly string[]).includes(name)) return name as AllocatorName;
  return kernelRelease(name)?.allocator ?? null;
}

/** the one-line reason a name is not an allocator or a known kernel version */
export function unknownAllocatorMessage(name: string): string {
  return `unknown allocator or kernel version "${name}" (known: ${knownAllocatorNames().join(', ')})`;
}

/** the kernel version a name stands for in a report: the series as named, or the port's own kernel */
export function kernelOfName(name: string): KernelVersion | string {
  const r = kernelRelease(name);
  if (r) return r.version;
  const a = resolveAllocator(name);
  return a ? KERNEL_OF[a] : name;
}

/** the kernel version of the port a (validated) name runs on: `v6.6` → `v6.12` */
export function portKernel(name: string): KernelVersion {
  const port = resolveAllocator(name);
  if (port === null) throw new Error(unknownAllocatorMessage(name));
  return KERNEL_OF[port];
}
