/**
 * fast-check generators for the allocator property tests: small machines (1-8 CPUs on 1-3
 * nodes, 4 KiB or 64 KiB pages, with and without a reserved area, with and without a page
 * budget) and operation sequences mixing legal and illegal requests.
 */
import fc from 'fast-check';
import type { MachineCase, Op } from './allocator-model.ts';
import { maxAllocSize } from './allocator-model.ts';

/** fixed so CI is repeatable; PROPERTY_SEED=n replays another (the failure message prints it) */
export const PROPERTY_SEED = Number(process.env.PROPERTY_SEED ?? 20250611);

/** fast-check options for one property: fixed seed, `numRuns` scaled by PROPERTY_RUNS_SCALE */
export function propertyParams(numRuns: number): fc.Parameters<unknown> {
  const scale = Number(process.env.PROPERTY_RUNS_SCALE ?? 1);
  return { seed: PROPERTY_SEED, numRuns: Math.max(1, Math.round(numRuns * scale)), endOnFailure: false };
}

const topologyArb = fc.integer({ min: 1, max: 8 }).chain((nrCpus) =>
  fc.integer({ min: 1, max: Math.min(3, nrCpus) }).chain((nrNodes) =>
    fc.record({
      nrCpus: fc.constant(nrCpus),
      cpuToNode: fc.array(fc.integer({ min: 0, max: nrNodes - 1 }), { minLength: nrCpus, maxLength: nrCpus }),
      // a remote distance of 10 puts two nodes' CPUs in one group, as the kernel does
      remote: fc.constantFrom(10, 12, 21),
      nrNodes: fc.constant(nrNodes),
    }),
  ),
);

export const machineArb: fc.Arbitrary<MachineCase> = fc
  .record({
    topo: topologyArb,
    big: fc.boolean(),
    /** the kernel image's static per-CPU data: a multiple of 8, as the linker leaves it */
    static8: fc.oneof(fc.integer({ min: 1, max: 1024 }), fc.integer({ min: 1024, max: 32768 })),
    reserved: fc.oneof(fc.constant(0), fc.constant(8192), fc.integer({ min: 1, max: 4096 }).map((n) => n * 4)),
    dyn: fc.constantFrom(0, 4096, 20480, 28672, 45000),
    atomPages: fc.constantFrom(1, 1, 1, 4, 512),
    pageLimit: fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 400 }) }),
    eager: fc.boolean(),
  })
  .map(({ topo, big, static8, reserved, dyn, atomPages, pageLimit, eager }) => {
    const pageSize = big ? 65536 : 4096;
    const nodeDistance = Array.from({ length: topo.nrNodes }, (_, a) => Array.from({ length: topo.nrNodes }, (_, b) => (a === b ? 10 : topo.remote)));
    return {
      topology: { pageSize, nrCpus: topo.nrCpus, cpuToNode: topo.cpuToNode, nodeDistance },
      firstChunk: { staticSize: static8 * 8, reservedSize: reserved, dynSize: dyn, atomSize: big ? pageSize : Math.min(atomPages * pageSize, 2 << 20) },
      pageLimit,
      eager,
    };
  });

/** request sizes, mostly legal, some illegal (0, just above the maximum) */
const sizeArb = (pageSize: number): fc.Arbitrary<number> => {
  const max = maxAllocSize(pageSize);
  return fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 64 }) },
    { weight: 4, arbitrary: fc.integer({ min: 65, max: 1024 }) },
    { weight: 3, arbitrary: fc.integer({ min: 1025, max: 8192 }) },
    { weight: 1, arbitrary: fc.integer({ min: 8193, max: max }) },
    { weight: 1, arbitrary: fc.constantFrom(0, max - 1, max, max + 1, max + 4, max * 2) },
  );
};

/** alignments: powers of two up to a page, the sub-granule ones, and illegal ones */
const alignArb = (pageSize: number): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(0, 1, 2, 4, 4, 4, 8, 8, 16, 32, 64, 256, 1024) },
    { weight: 2, arbitrary: fc.constantFrom(2048, 4096, pageSize) },
    { weight: 1, arbitrary: fc.constantFrom(3, 6, 12, 24, pageSize * 2) },
  );

/** operations; `freeWeight` (per run) sets how hard the live set is pushed up */
export const opArb = (pageSize: number, freeWeight: number): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 10,
      arbitrary: fc.record({
        k: fc.constant('alloc' as const),
        size: sizeArb(pageSize),
        align: alignArb(pageSize),
        atomic: fc.boolean(),
        reserved: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
        // a burst of the same request fills chunks and pages quickly
        count: fc.oneof({ weight: 5, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 40 }) }),
      }),
    },
    { weight: freeWeight, arbitrary: fc.record({ k: fc.constant('free' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('refree' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.constant({ k: 'balance' as const }) },
  );

/** a machine, a sequence of operations for it, and the order of the final frees */
export const scenarioArb = (maxOps: number) =>
  fc.tuple(machineArb, fc.constantFrom(2, 5, 9)).chain(([machine, freeWeight]) =>
    fc.record({
      machine: fc.constant(machine),
      ops: fc.array(opArb(machine.topology.pageSize, freeWeight), { minLength: 1, maxLength: maxOps, size: 'max' }),
      picks: fc.array(fc.nat(), { maxLength: 16 }),
    }),
  );
