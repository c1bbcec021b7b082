/**
 * The scenario format (JSON5), validated at load. Unknown keys are errors. Any workload value
 * may be a `$name` reference to a `matrix` dimension: the scenario runs once per allocator and
 * per point of the matrix, each run on a fresh machine.
 */
import { z } from 'zod';
import { knownAllocatorNames, resolveAllocator } from '../kernel/versions.ts';
import type { WorkCounterName } from '../kernel/platform.ts';
import { newWorkCounters } from '../kernel/platform.ts';
import { Phase } from './phase-schema.ts';
import { SweepSchema } from './sweep-schema.ts';

const PositiveInt = z.number().int().positive();
const NonNegInt = z.number().int().nonnegative();

const MachineRef = z.union([
  z.string().min(1),
  z.strictObject({ preset: z.string().min(1), overrides: z.record(z.string(), z.unknown()).default({}) }),
]);

const Balance = z.union([
  z.enum(['eager', 'manual']),
  z.strictObject({ kworkerDelayUs: z.number().nonnegative() }),
]);

/** an allocator port or a kernel version that maps to one */
const AllocatorChoice = z.string().refine((n) => resolveAllocator(n) !== null, {
  message: `expected an allocator or a kernel version (${knownAllocatorNames().join(', ')})`,
});

/** dimensions to group rows by: matrix dimensions or built-in ones (report-names.ts); [] is one row of every run */
const TableRows = z.array(z.string());

export const ScenarioSchema = z.strictObject({
  /** what question the scenario answers (also say it in a comment at the top) */
  description: z.string().optional(),
  /** a preset name from config/, a path to a machine file, or a preset with overrides */
  machine: MachineRef,
  /** ports by name (bitmap, ...) or kernel versions (v5.10, 6.6.87, ...), resolved through kernel/versions.ts */
  allocators: z.array(AllocatorChoice).min(1).default(['bitmap']),
  knobs: z
    .strictObject({ emptyPopPagesLow: NonNegInt.optional(), emptyPopPagesHigh: NonNegInt.optional() })
    .default({}),
  /** overrides of the first-chunk request the machine's arch code makes */
  firstChunk: z
    .strictObject({
      staticSize: NonNegInt.optional(),
      reservedSize: NonNegInt.optional(),
      dynSize: NonNegInt.optional(),
      atomSize: PositiveInt.optional(),
    })
    .default({}),
  seed: z.union([z.string(), z.number()]).default(1),
  /** the CPU that makes the calls */
  cpu: NonNegInt.default(0),
  balance: Balance.default('eager'),
  /** how metadata lines are priced: a flat rate ('counts') or the cache model on their addresses ('full') */
  costModel: z.enum(['counts', 'full']).default('counts'),
  /**
   * kmem accounting of the memory controller (need_pcpuobj_ext): chunks carry obj_exts and
   * accounted calls are charged. Default: on when the workload names a memory cgroup (a
   * `memcg` phase or an `account` field), off otherwise; false runs as cgroup.memory=nokmem
   */
  kmemAccounting: z.boolean().optional(),
  /** values of every scalar kind; each is checked where a `$name` uses it */
  matrix: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.array(z.union([z.string(), z.number(), z.boolean()])).min(1)).default({}),
  workload: z.array(Phase).min(1),
  report: z
    .strictObject({
      /** worst case over these matrix dimensions, rows by the others (the seed's table) */
      worst: z.strictObject({ title: z.string(), rows: TableRows, over: z.array(z.string()).min(1) }).optional(),
      /** every run, rows by these matrix dimensions */
      breakdown: z.strictObject({ title: z.string(), rows: TableRows }).optional(),
      /** footprint at its peak, rows by these matrix dimensions */
      footprint: z.strictObject({ title: z.string(), rows: TableRows }).optional(),
      /** populated chunk memory at its peak and when the run ended, and the balance work, rows by these matrix dimensions */
      memory: z.strictObject({ title: z.string(), rows: TableRows }).optional(),
      /** failed calls / calls per phase, rows by these matrix dimensions */
      failures: z.strictObject({ title: z.string(), rows: TableRows }).optional(),
      /** work counters at the end of each run (names as in the metrics' `counters`) */
      counters: z.strictObject({ title: z.string(), rows: TableRows, counters: z.array(z.enum(Object.keys(newWorkCounters()) as [WorkCounterName, ...WorkCounterName[]])).min(1) }).optional(),
      /** measured figures to print beside the modeled ones: rows key -> allocator -> phase -> ms */
      reference: z
        .strictObject({
          title: z.string(),
          values: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.number()))),
          /** allocators whose cells the machine's time model was fitted on (marked as calibration data) */
          fitted: z.array(z.string()).default([]),
        })
        .optional(),
    })
    .default({}),
  /** a grid to run the scenario over with `sim sweep` (src/scenario/sweep-schema.ts); `sim run` runs the base runs and notes the grid */
  sweep: SweepSchema.optional(),
});

export type Scenario = z.output<typeof ScenarioSchema>;
export type { ScenarioPhase } from './phase-schema.ts';
export { Phase };
