/**
 * The chunk backend contract: how a chunk gets its virtual space and its pages
 * (the kernel's percpu-vm.c and percpu-km.c, one of which is compiled into mm/percpu.c).
 * All three allocator versions share it; what differs between versions is who calls what
 * (v4.13/v4.14 never flush the TLB after depopulating; v6.12 reclaim flushes once per chunk).
 *
 * Also here: the unit geometry a backend needs, derived from the first chunk's allocation info
 * the way pcpu_setup_first_chunk derives its unit map and group tables.
 */
import type { AllocInfo, Topology } from './allocator.ts';
import { PercpuConfigError } from './allocator.ts';
import type { Platform } from './platform.ts';

/** cpu_map entry of an unused unit in `AllocInfo.groups[].cpu_map` */
export const NO_CPU = -1;

/** Unit layout shared by every chunk (pcpu_unit_* / pcpu_group_* statics of mm/percpu.c). */
export interface UnitGeometry {
  pageSize: number;
  unitPages: number;
  unitSize: number;
  nrUnits: number;
  atomSize: number;
  nrGroups: number;
  groupOffsets: readonly number[];
  groupSizes: readonly number[];
  /** possible CPUs */
  nrCpus: number;
  cpuToNode: readonly number[];
  /** unit index of each possible CPU (pcpu_unit_map) */
  unitMap: readonly number[];
  /** byte offset of each possible CPU's unit from a chunk's base_addr (pcpu_unit_offsets) */
  unitOffsets: readonly number[];
  /** CPUs with the lowest and highest unit offset: they bound every flush range */
  lowUnitCpu: number;
  highUnitCpu: number;
}

/** mirrors the unit-map part of pcpu_setup_first_chunk, with its sanity checks as config errors */
export function unitGeometry(ai: AllocInfo, topology: Topology): UnitGeometry {
  const nrCpus = topology.nrCpus;
  const pageSize = topology.pageSize;
  if (ai.nr_groups <= 0) throw new PercpuConfigError('percpu: failed to initialize, ai->nr_groups <= 0');
  if (ai.unit_size % pageSize !== 0) {
    throw new PercpuConfigError(`percpu: failed to initialize, unit_size ${ai.unit_size} is not page aligned`);
  }
  const unitMap: number[] = new Array<number>(nrCpus).fill(-1);
  const unitOffsets: number[] = new Array<number>(nrCpus).fill(0);
  const groupOffsets: number[] = [];
  const groupSizes: number[] = [];
  let low = -1;
  let high = -1;
  let unit = 0;
  for (let g = 0; g < ai.nr_groups; g++) {
    const gi = ai.groups[g]!;
    groupOffsets.push(gi.base_offset);
    groupSizes.push(gi.nr_units * ai.unit_size);
    for (let i = 0; i < gi.nr_units; i++) {
      const cpu = gi.cpu_map[i] ?? NO_CPU;
      if (cpu === NO_CPU) continue;
      if (cpu < 0 || cpu >= nrCpus) throw new PercpuConfigError(`percpu: failed to initialize, cpu ${cpu} is not possible`);
      if (unitMap[cpu] !== -1) throw new PercpuConfigError(`percpu: failed to initialize, cpu ${cpu} mapped twice`);
      unitMap[cpu] = unit + i;
      unitOffsets[cpu] = gi.base_offset + i * ai.unit_size;
      if (low === -1 || unitOffsets[cpu]! < unitOffsets[low]!) low = cpu;
      if (high === -1 || unitOffsets[cpu]! > unitOffsets[high]!) high = cpu;
    }
    unit += gi.nr_units;
  }
  for (let cpu = 0; cpu < nrCpus; cpu++) {
    if (unitMap[cpu] === -1) throw new PercpuConfigError(`percpu: failed to initialize, cpu ${cpu} has no unit`);
  }
  return {
    pageSize,
    unitPages: ai.unit_size / pageSize,
    unitSize: ai.unit_size,
    nrUnits: unit,
    atomSize: ai.atom_size,
    nrGroups: ai.nr_groups,
    groupOffsets,
    groupSizes,
    nrCpus,
    cpuToNode: topology.cpuToNode,
    unitMap,
    unitOffsets,
    lowUnitCpu: low,
    highUnitCpu: high,
  };
}

export type ChunkBackendKind = 'vm' | 'km';

/**
 * What mm/percpu.c asks of its backend. Chunk metadata (maps, hints) is the allocator's own
 * business; the backend only deals in address space and pages. Page runs are [pageStart, pageEnd)
 * within a unit, applied to every possible CPU's unit.
 */
export interface ChunkBackend {
  readonly kind: ChunkBackendKind;
  /** percpu-km hands out fully backed chunks: the caller records all pages populated at creation */
  readonly populatedOnCreate: boolean;
  /** pcpu_should_reclaim_chunk can say yes (percpu-vm); percpu-km never reclaims */
  readonly reclaims: boolean;
  /** backend half of pcpu_create_chunk: the new chunk's base_addr, or -1 when it fails */
  createChunk(): number;
  /** backend half of pcpu_destroy_chunk (after full depopulation) */
  destroyChunk(baseAddr: number): void;
  /** pcpu_populate_chunk: false when a page could not be had (nothing is left allocated then) */
  populate(baseAddr: number, pageStart: number, pageEnd: number): boolean;
  /** pcpu_depopulate_chunk: unmap and free, without a TLB flush */
  depopulate(baseAddr: number, pageStart: number, pageEnd: number): void;
  /** pcpu_post_unmap_tlb_flush: one flush over the run in every unit */
  postUnmapTlbFlush(baseAddr: number, pageStart: number, pageEnd: number): void;
}

/** percpu-vm.c: chunks are vm areas, populated page by page on each CPU's own node */
export function createVmBackend(geo: UnitGeometry, platform: Platform): ChunkBackend {
  const work = platform.work;
  const flush = (baseAddr: number, pageStart: number, pageEnd: number): void => {
    platform.flushTlbKernelRange(
      baseAddr + geo.unitOffsets[geo.lowUnitCpu]! + pageStart * geo.pageSize,
      baseAddr + geo.unitOffsets[geo.highUnitCpu]! + pageEnd * geo.pageSize,
    );
    work.tlbFlushes++;
  };
  return {
    kind: 'vm',
    populatedOnCreate: false,
    reclaims: true,

    createChunk(): number {
      const base = platform.getVmAreas(geo.groupOffsets, geo.groupSizes, geo.atomSize);
      if (base < 0) return -1;
      work.chunksCreated++;
      return base;
    },

    destroyChunk(baseAddr: number): void {
      platform.freeVmAreas(baseAddr);
      work.chunksDestroyed++;
    },

    /** mirrors pcpu_populate_chunk (pcpu_alloc_pages + pcpu_map_pages + pcpu_post_map_flush) */
    populate(baseAddr: number, pageStart: number, pageEnd: number): boolean {
      void baseAddr;
      const nr = pageEnd - pageStart;
      for (let cpu = 0; cpu < geo.nrCpus; cpu++) {
        const node = geo.cpuToNode[cpu]!;
        for (let i = 0; i < nr; i++) {
          if (platform.allocPage(node)) continue;
          // give back this CPU's pages so far, then every earlier CPU's run
          for (let j = 0; j < i; j++) platform.freePage(node);
          for (let t = 0; t < cpu; t++) {
            const tnode = geo.cpuToNode[t]!;
            for (let j = 0; j < nr; j++) platform.freePage(tnode);
          }
          return false;
        }
      }
      platform.mapPages(geo.nrCpus, nr);
      work.pagesPopulated += nr * geo.nrCpus;
      return true;
    },

    /** mirrors pcpu_depopulate_chunk (pre-unmap cache flush, unmap, free the pages) */
    depopulate(baseAddr: number, pageStart: number, pageEnd: number): void {
      void baseAddr;
      const nr = pageEnd - pageStart;
      platform.unmapPages(geo.nrCpus, nr);
      for (let cpu = 0; cpu < geo.nrCpus; cpu++) {
        const node = geo.cpuToNode[cpu]!;
        for (let i = 0; i < nr; i++) platform.freePage(node);
      }
      work.pagesDepopulated += nr * geo.nrCpus;
    },

    postUnmapTlbFlush: flush,
  };
}

/** order_base_2: the smallest order whose block holds `n` pages */
function orderBase2(n: number): number {
  let order = 0;
  while (1 << order < n) order++;
  return order;
}

/**
 * percpu-km.c: every chunk is one physically contiguous block of pages allocated at creation
 * (rounded up to a power of two), so it is born fully populated and never depopulated piecewise.
 * Requires a single group, as pcpu_verify_alloc_info does there.
 */
export function createKmBackend(geo: UnitGeometry, platform: Platform): ChunkBackend {
  if (geo.nrGroups !== 1) throw new PercpuConfigError("percpu: can't handle more than one group");
  const work = platform.work;
  const nrPages = geo.groupSizes[0]! / geo.pageSize;
  const blockPages = 1 << orderBase2(nrPages);
  // alloc_pages(gfp, order) takes the local node of the CPU running it (CPU 0 here)
  const node = geo.cpuToNode[0] ?? 0;
  return {
    kind: 'km',
    populatedOnCreate: true,
    reclaims: false,

    createChunk(): number {
      for (let i = 0; i < blockPages; i++) {
        if (platform.allocPage(node)) continue;
        for (let j = 0; j < i; j++) platform.freePage(node);
        return -1;
      }
      // the block's address: a synthetic range of the right size from the platform
      const base = platform.getVmAreas([0], [blockPages * geo.pageSize], geo.pageSize);
      if (base < 0) {
        for (let j = 0; j < blockPages; j++) platform.freePage(node);
        return -1;
      }
      work.chunksCreated++;
      work.pagesPopulated += geo.unitPages * geo.nrCpus;
      return base;
    },

    destroyChunk(baseAddr: number): void {
      platform.freeVmAreas(baseAddr);
      for (let j = 0; j < blockPages; j++) platform.freePage(node);
      work.chunksDestroyed++;
      work.pagesDepopulated += geo.unitPages * geo.nrCpus;
    },

    populate(): boolean {
      return true;
    },

    depopulate(): void {},

    postUnmapTlbFlush(): void {},
  };
}

export function createChunkBackend(kind: ChunkBackendKind, geo: UnitGeometry, platform: Platform): ChunkBackend {
  return kind === 'km' ? createKmBackend(geo, platform) : createVmBackend(geo, platform);
}
