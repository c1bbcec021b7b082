/**
 * First-chunk geometry: pcpu_build_alloc_info as pcpu_embed_first_chunk calls it (x86-64
 * style, CPU distance = the SLIT distance of their nodes), then the checks
 * pcpu_setup_first_chunk would panic on. A configuration the kernel could not boot with
 * throws PercpuConfigError naming the field.
 *
 * Every version shares one implementation; they differ in how CPUs are grouped (v6.12 and v6.18
 * seed each group with its lowest CPU; v4.13, v4.14 and v5.10 test each CPU against earlier ones)
 * and in PERCPU_DYNAMIC_EARLY_SIZE.
 * base_offset is the provisional back-to-back value pcpu_build_alloc_info computes.
 */
import type { AllocInfo, FirstChunkRequest, KernelVersion, Topology } from './allocator.ts';
import { PercpuConfigError } from './allocator.ts';
import {
  LOCAL_DISTANCE,
  NR_CPUS,
  PCPU_MIN_ALLOC_SIZE,
  PERCPU_DYNAMIC_EARLY_SIZE,
  pcpuBitmapBlockSize,
  pcpuMinUnitSize,
  pfnAlign,
} from './constants.ts';

/** the versions whose pcpu_build_alloc_info groups CPUs around a seed (the rest test earlier CPUs) */
const SEED_GROUPING: ReadonlySet<KernelVersion> = new Set<KernelVersion>(['v6.12', 'v6.18']);

/** Largest atom accepted: PUD_SIZE (1 GiB), above any arch's choice; keeps the upa search short. */
const MAX_ATOM_SIZE = 1 << 30;
/** Largest page size Linux supports (256 KiB, hexagon and ppc44x). */
const MAX_PAGE_SIZE = 256 << 10;
/** A SLIT entry is one byte. */
const MAX_DISTANCE = 255;
/** cpu_map entry of an unused unit (NR_CPUS in the kernel). */
const NO_CPU = -1;

/** mirrors pcpu_build_alloc_info (embedding path), then pcpu_setup_first_chunk's sanity checks */
export function buildAllocInfo(version: KernelVersion, topology: Topology, req: FirstChunkRequest): AllocInfo {
  if (!(version in PERCPU_DYNAMIC_EARLY_SIZE)) fail(`no first-chunk geometry for kernel version ${version}`);
  checkTopology(topology);
  checkRequest(topology.pageSize, req);
  const { pageSize, nrCpus } = topology;

  // the dynamic area grows so that the whole first-chunk region ends on a page
  const sizeSum = pfnAlign(
    req.staticSize + req.reservedSize + Math.max(req.dynSize, PERCPU_DYNAMIC_EARLY_SIZE[version]),
    pageSize,
  );
  const dynSize = sizeSum - req.staticSize - req.reservedSize;
  const minUnitSize = Math.max(sizeSum, pcpuMinUnitSize(pageSize));
  const allocSize = Math.ceil(minUnitSize / req.atomSize) * req.atomSize;
  // upa (units per allocation) is usable when it cuts the allocation into whole pages
  const usable = (upa: number): boolean => allocSize % upa === 0 && (allocSize / upa) % pageSize === 0;
  let maxUpa = Math.floor(allocSize / minUnitSize);
  while (!usable(maxUpa)) maxUpa--; // stops at 1 at the latest: atom is a page multiple

  const groupMap = SEED_GROUPING.has(version) ? groupBySeed(topology) : groupByEarlierMembers(topology);
  const members: number[][] = [];
  for (let cpu = 0; cpu < nrCpus; cpu++) (members[groupMap[cpu]] ??= []).push(cpu);

  const upa = bestUnitsPerAlloc(maxUpa, usable, members.map((m) => m.length), nrCpus);
  const unitSize = allocSize / upa;
  let unit = 0;
  const groups = members.map((cpus) => {
    const nrUnits = Math.ceil(cpus.length / upa) * upa;
    const group = { nr_units: nrUnits, base_offset: unit * unitSize, cpu_map: padded(cpus, nrUnits) };
    unit += nrUnits;
    return group;
  });
  if (!Number.isSafeInteger(unit * unitSize)) fail(`first chunk too large: ${unit} units of ${unitSize} bytes`);

  const ai: AllocInfo = {
    unit_size: unitSize,
    atom_size: req.atomSize,
    alloc_size: allocSize,
    static_size: req.staticSize,
    reserved_size: req.reservedSize,
    dyn_size: dynSize,
    nr_groups: groups.length,
    groups,
    nr_units: unit,
  };
  checkSetup(version, ai, pageSize);
  return ai;
}

/**
 * v6.12/v6.18 grouping: the lowest ungrouped CPU seeds a group, and every ungrouped CPU whose
 * distance to the seed is LOCAL_DISTANCE both ways joins it (compared with the seed only).
 */
function groupBySeed(t: Topology): Int32Array {
  const groupMap = new Int32Array(t.nrCpus).fill(-1);
  let nrGroups = 0;
  for (let seed = 0; seed < t.nrCpus; seed++) {
    if (groupMap[seed] !== -1) continue;
    const group = nrGroups++;
    groupMap[seed] = group;
    for (let cpu = seed + 1; cpu < t.nrCpus; cpu++) {
      if (groupMap[cpu] === -1 && distance(t, seed, cpu) === LOCAL_DISTANCE && distance(t, cpu, seed) === LOCAL_DISTANCE) {
        groupMap[cpu] = group;
      }
    }
  }
  return groupMap;
}

/**
 * v4.13/v4.14/v5.10 grouping: each CPU in turn takes the first group holding no earlier CPU more
 * than LOCAL_DISTANCE away in either direction. Distance depends only on nodes, so each
 * group remembers the nodes it holds rather than its CPUs.
 */
function groupByEarlierMembers(t: Topology): Int32Array {
  const groupMap = new Int32Array(t.nrCpus);
  const nodesIn: number[][] = [];
  const D = t.nodeDistance;
  for (let cpu = 0; cpu < t.nrCpus; cpu++) {
    const n = t.cpuToNode[cpu];
    const far = (m: number): boolean => D[n][m] > LOCAL_DISTANCE || D[m][n] > LOCAL_DISTANCE;
    let group = 0;
    while (group < nodesIn.length && nodesIn[group].some(far)) group++;
    if (group === nodesIn.length) nodesIn.push([]);
    if (!nodesIn[group].includes(n)) nodesIn[group].push(n);
    groupMap[cpu] = group;
  }
  return groupMap;
}

/**
 * The smallest upa that still needs the fewest atom allocations, skipping any that would
 * leave more than a third of the CPU count in unused units (upa 1 wastes none, so one wins).
 */
function bestUnitsPerAlloc(maxUpa: number, usable: (upa: number) => boolean, groupCnt: number[], nrCpus: number): number {
  let lastAllocs = Infinity;
  let best = 0;
  for (let upa = maxUpa; upa > 0; upa--) {
    if (!usable(upa)) continue;
    let allocs = 0;
    let wasted = 0;
    for (const cnt of groupCnt) {
      const these = Math.ceil(cnt / upa);
      allocs += these;
      wasted += these * upa - cnt;
    }
    if (wasted > Math.floor(nrCpus / 3)) continue;
    if (allocs > lastAllocs) break;
    lastAllocs = allocs;
    best = upa;
  }
  return best;
}

/** mirrors the PCPU_SETUP_BUG_ON size checks of pcpu_setup_first_chunk for each version */
function checkSetup(version: KernelVersion, ai: AllocInfo, pageSize: number): void {
  const sizeSum = ai.static_size + ai.reserved_size + ai.dyn_size;
  const bitmap = version !== 'v4.13';
  const early = PERCPU_DYNAMIC_EARLY_SIZE[version];
  const panics: [boolean, string][] = [
    [ai.nr_groups <= 0, 'nr_groups must be positive'],
    [ai.static_size === 0, 'staticSize must not be 0 (SMP kernels always have static percpu data)'],
    [ai.unit_size < sizeSum, `unit_size ${ai.unit_size} is below static + reserved + dyn (${sizeSum})`],
    [ai.unit_size % pageSize !== 0, `unit_size ${ai.unit_size} is not page aligned`],
    [ai.unit_size < pcpuMinUnitSize(pageSize), `unit_size ${ai.unit_size} is below PCPU_MIN_UNIT_SIZE`],
    [bitmap && ai.unit_size % pcpuBitmapBlockSize(pageSize) !== 0, `unit_size ${ai.unit_size} is not block aligned`],
    [ai.dyn_size < early, `dyn_size ${ai.dyn_size} is below PERCPU_DYNAMIC_EARLY_SIZE (${early})`],
    [(version === 'v4.14' || version === 'v5.10') && ai.dyn_size === 0, 'dyn_size must not be 0'],
    [bitmap && ai.reserved_size % PCPU_MIN_ALLOC_SIZE !== 0,
      `reservedSize must be a multiple of ${PCPU_MIN_ALLOC_SIZE}, got ${ai.reserved_size}`],
  ];
  for (const [panic, what] of panics) if (panic) fail(what);
}

function checkTopology(t: Topology): void {
  const { pageSize, nrCpus, cpuToNode, nodeDistance } = t;
  if (!Number.isInteger(pageSize) || pageSize < 4096 || pageSize > MAX_PAGE_SIZE || (pageSize & (pageSize - 1)) !== 0) {
    fail(`pageSize must be a power of two from 4 KiB to 256 KiB, got ${pageSize}`);
  }
  if (!Number.isInteger(nrCpus) || nrCpus < 1 || nrCpus > NR_CPUS) {
    fail(`nrCpus must be between 1 and ${NR_CPUS} (NR_CPUS), got ${nrCpus}`);
  }
  const nrNodes = Array.isArray(nodeDistance) ? nodeDistance.length : 0;
  if (nrNodes === 0) fail('nodeDistance must list at least one node');
  nodeDistance.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== nrNodes) fail(`nodeDistance must be square: row ${i} is not ${nrNodes} long`);
    row.forEach((d, j) => {
      if (!Number.isInteger(d) || d < 0 || d > MAX_DISTANCE) {
        fail(`nodeDistance[${i}][${j}] must be an integer 0..${MAX_DISTANCE}, got ${d}`);
      }
    });
  });
  if (!Array.isArray(cpuToNode) || cpuToNode.length !== nrCpus) {
    fail(`cpuToNode must have one entry per CPU (${nrCpus}), got ${Array.isArray(cpuToNode) ? cpuToNode.length : cpuToNode}`);
  }
  cpuToNode.forEach((node, cpu) => {
    if (!Number.isInteger(node) || node < 0 || node >= nrNodes) {
      fail(`cpuToNode[${cpu}] names node ${node}, but nodeDistance has nodes 0..${nrNodes - 1}`);
    }
  });
}

function checkRequest(pageSize: number, req: FirstChunkRequest): void {
  for (const field of ['staticSize', 'reservedSize', 'dynSize', 'atomSize'] as const) {
    const v = req[field];
    if (!Number.isSafeInteger(v) || v < 0) fail(`${field} must be a non-negative integer, got ${v}`);
  }
  if (req.atomSize === 0 || req.atomSize % pageSize !== 0 || req.atomSize > MAX_ATOM_SIZE) {
    fail(`atomSize must be a multiple of the page size (${pageSize}) up to 1 GiB, got ${req.atomSize}`);
  }
  if (!Number.isSafeInteger(req.staticSize + req.reservedSize + req.dynSize)) {
    fail('staticSize + reservedSize + dynSize is too large');
  }
}

function distance(t: Topology, a: number, b: number): number {
  return t.nodeDistance[t.cpuToNode[a]][t.cpuToNode[b]];
}

function padded(cpus: number[], nrUnits: number): number[] {
  return [...cpus, ...new Array<number>(nrUnits - cpus.length).fill(NO_CPU)];
}

function fail(what: string): never {
  throw new PercpuConfigError(what);
}
