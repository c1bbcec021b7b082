/**
 * Machines a sweep derives from a preset: the same hardware figures with another CPU count,
 * node count or page size. The result is machine-file overrides (for `loadMachine`), so the
 * derived machine is validated like any other.
 *
 * - CPUs are spread over the nodes in contiguous blocks (node n gets CPUs
 *   ceil(n·C/N) .. ceil((n+1)·C/N) - 1); with more nodes than CPUs some nodes are
 *   memory-only, as CXL memory expanders are.
 * - The SLIT table is the preset's when the node count is the preset's; otherwise 10 on the
 *   diagonal and the preset's remote distance (its most common off-diagonal value, 21 on a
 *   one-node preset) everywhere else.
 * - Each node gets the preset's average memory per node, rounded down to whole pages, so a
 *   machine with more nodes has more memory, as one with more sockets does.
 * - A new page size keeps the preset's atom rule: page-sized atoms stay page-sized (arm64),
 *   larger atoms (x86's PMD_SIZE) are kept when no smaller than the page.
 */
import type { Machine } from '../hw/machine-config.ts';
import { LOCAL_DISTANCE } from '../hw/machine-schema.ts';

export interface TopologyChange {
  cpus?: number;
  nodes?: number;
  pageSize?: number;
}

/** the remote distance a synthesized table uses: the preset's most common one, ties to the larger */
export function presetRemoteDistance(m: Machine): number {
  const counts = new Map<number, number>();
  m.topology.distance.forEach((row, a) => row.forEach((d, b) => a !== b && counts.set(d, (counts.get(d) ?? 0) + 1)));
  let best = 21;
  let bestCount = 0;
  for (const [d, c] of counts) if (c > bestCount || (c === bestCount && d > best)) [best, bestCount] = [d, c];
  return best;
}

/** CPU lists of `nodes` nodes sharing `cpus` CPUs in contiguous blocks, larger blocks first ('' for a memory-only node) */
export function spreadCpus(cpus: number, nodes: number): string[] {
  return Array.from({ length: nodes }, (_, n) => {
    const lo = Math.ceil((n * cpus) / nodes);
    const hi = Math.ceil(((n + 1) * cpus) / nodes);
    return hi === lo ? '' : hi - 1 === lo ? `${lo}` : `${lo}-${hi - 1}`;
  });
}

const kib = (bytes: number): string => (bytes % 1024 === 0 ? `${bytes / 1024}K` : `${bytes}B`);

/** Overrides that turn preset `m` into the machine `change` describes (empty when it changes nothing). */
export function topologyOverrides(m: Machine, change: TopologyChange): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const pageSize = change.pageSize ?? m.memory.pageSize;
  const reshape = change.cpus !== undefined || change.nodes !== undefined;
  if (!reshape && pageSize === m.memory.pageSize) return out;

  const parts: string[] = [];
  if (reshape) {
    const cpus = change.cpus ?? m.topology.nrCpus;
    const nodes = change.nodes ?? m.topology.nrNodes;
    const totalMemory = m.spec.topology.nodes.reduce((s, n) => s + n.memory, 0);
    const perNode = Math.floor(totalMemory / m.topology.nrNodes / pageSize) * pageSize;
    const remote = presetRemoteDistance(m);
    const distance =
      nodes === m.topology.nrNodes
        ? m.topology.distance.map((row) => [...row])
        : Array.from({ length: nodes }, (_, a) => Array.from({ length: nodes }, (_, b) => (a === b ? LOCAL_DISTANCE : remote)));
    out.topology = { nodes: spreadCpus(cpus, nodes).map((list) => ({ cpus: list === '' ? [] : list, memory: perNode })), distance };
    parts.push(`${cpus}cpu`, `${nodes}n`);
  }
  if (pageSize !== m.memory.pageSize) {
    const atom = m.firstChunk.atomSize === m.memory.pageSize ? pageSize : Math.max(m.firstChunk.atomSize, pageSize);
    out.memory = { pageSize };
    out.firstChunk = { atomSize: atom };
    out.vmalloc = { size: Math.floor(m.vmalloc.size / pageSize) * pageSize };
  }
  parts.push(kib(pageSize));
  out.name = `${m.name}/${parts.join('/')}`;
  return out;
}
