/**
 * Measurements as data: one JSON line per workload (data/calibration/README.md), as the native
 * timings of the kernel's own code are recorded. `sim calibrate` fits to them, `sim validate`
 * compares with them; a line without `measured` is a point to predict.
 */
import { z } from 'zod';
import { ALLOCATOR_NAMES } from '../kernel/allocator.ts';
import { InputError } from '../input/input-error.ts';
import { readTextFile } from '../input/json5-file.ts';

/** `worst`: the three free orders, each a fresh run; a phase's figure is the worst of them (the seed table) */
export const MEASURED_ORDERS = ['inorder', 'alternating', 'reverse', 'worst'] as const;

const ms = z.number().finite().nonnegative();

export const MeasurementSchema = z.object({
  id: z.string().min(1),
  allocator: z.enum(ALLOCATOR_NAMES as [string, ...string[]]),
  /** the machine the kernel saw; absent: the preset as it is */
  machine: z
    .object({
      cpus: z.number().int().positive(),
      nodes: z.literal(1).optional(),
      pageSize: z.number().int().positive(),
      firstChunk: z.object({ staticSize: ms, reservedSize: ms, dynSize: ms, atomSize: z.number().positive() }).optional(),
    })
    .optional(),
  workload: z.object({
    count: z.number().int().positive(),
    size: z.number().int().positive(),
    align: z.number().int().positive(),
    free: z.enum(MEASURED_ORDERS),
  }),
  /**
   * where the balance work a phase triggered was timed: 'in-phase' (run at once and counted in
   * the phase, as the native harness does) or 'kworker' (on a kworker of another CPU, outside
   * the caller's time, as in a booted kernel)
   */
  balance: z.enum(['in-phase', 'kworker']).default('in-phase'),
  /** ms per phase, or the whole run's */
  measured: z.object({ alloc_ms: ms.optional(), free_ms: ms.optional(), total_ms: ms.optional() }).optional(),
});

export type Measurement = z.output<typeof MeasurementSchema> & { file: string; line: number };

/** the lines of a measurement file; an error names the file, the line and the field */
export function loadMeasurements(file: string): Measurement[] {
  const out: Measurement[] = [];
  readTextFile(file)
    .split('\n')
    .forEach((text, i) => {
      if (text.trim() === '') return;
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (e) {
        throw new InputError(`${file}:${i + 1}: not a JSON line (${(e as Error).message})`);
      }
      const r = MeasurementSchema.safeParse(raw);
      if (!r.success) {
        const issue = r.error.issues[0]!;
        throw new InputError(`${file}:${i + 1}: ${issue.path.join('.') || '(line)'}: ${issue.message}`);
      }
      out.push({ ...r.data, file, line: i + 1 });
    });
  if (out.length === 0) throw new InputError(`${file}: no measurement lines`);
  return out;
}

/** the measured cells of a line: phase name -> ms ('total' for a whole-run figure) */
export function measuredCells(m: Measurement): [string, number][] {
  const cells: [string, number][] = [];
  const got = m.measured;
  if (!got) return cells;
  if (got.alloc_ms !== undefined) cells.push(['alloc', got.alloc_ms]);
  if (got.free_ms !== undefined) cells.push(['free', got.free_ms]);
  if (got.total_ms !== undefined) cells.push(['total', got.total_ms]);
  return cells;
}
