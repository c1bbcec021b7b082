/**
 * `--shard i/n`: a deterministic slice of a sweep, so n batch jobs (a Slurm job array, a
 * Kubernetes Indexed Job, ...) cover every point exactly once. Points go to shards by their
 * estimated cost, longest first onto the least loaded shard (ties to the lower point index and
 * the lower shard), so every shard gets a mix and the shards take about as long; the same
 * scenario and n give the same assignment in every job (the estimate is a function of the
 * scenario alone; every job must run the same simulator version).
 *
 * `--shard auto/N` takes i from the job array engine's variable; `--shard auto` also takes n
 * where the engine gives it.
 */
import { InputError } from '../input/input-error.ts';

export interface Shard {
  index: number;
  count: number;
  /** where the index came from, for the report (`SLURM_ARRAY_TASK_ID=3`), when not given */
  source?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** a job array engine: how it passes the task index, and the count when it does */
interface Engine {
  name: string;
  /** the variable whose presence says this engine started the process */
  variable: string;
  /** the index, from 0, and a phrase saying where it came from */
  index(env: Env): { value: number; from: string };
  count?(env: Env): { value: number; from: string } | null;
}

function intVar(env: Env, name: string): number {
  const v = env[name]!;
  if (!/^\s*\d+\s*$/.test(v)) throw new InputError(`--shard auto: ${name} is ${JSON.stringify(v)}, expected a non-negative integer`);
  return Number(v);
}

const plain = (name: string, variable: string, countVariable?: string): Engine => ({
  name,
  variable,
  index: (env) => ({ value: intVar(env, variable), from: `${variable}=${env[variable]!.trim()}` }),
  count: countVariable ? (env) => (env[countVariable] === undefined ? null : { value: intVar(env, countVariable), from: `${countVariable}=${env[countVariable]!.trim()}` }) : undefined,
});

export const JOB_ARRAY_ENGINES: readonly Engine[] = [
  plain('Kubernetes Indexed Job', 'JOB_COMPLETION_INDEX'),
  {
    name: 'Slurm job array',
    variable: 'SLURM_ARRAY_TASK_ID',
    index: (env) => {
      const id = intVar(env, 'SLURM_ARRAY_TASK_ID');
      const min = env.SLURM_ARRAY_TASK_MIN === undefined ? 0 : intVar(env, 'SLURM_ARRAY_TASK_MIN');
      const step = env.SLURM_ARRAY_TASK_STEP === undefined ? 1 : Math.max(1, intVar(env, 'SLURM_ARRAY_TASK_STEP'));
      if (id < min || (id - min) % step !== 0) throw new InputError(`--shard auto: SLURM_ARRAY_TASK_ID=${id} is not in the array from SLURM_ARRAY_TASK_MIN=${min} by step ${step}`);
      return { value: (id - min) / step, from: `SLURM_ARRAY_TASK_ID=${id} - SLURM_ARRAY_TASK_MIN=${min}${step > 1 ? `, step ${step}` : ''}` };
    },
    count: (env) => (env.SLURM_ARRAY_TASK_COUNT === undefined ? null : { value: intVar(env, 'SLURM_ARRAY_TASK_COUNT'), from: `SLURM_ARRAY_TASK_COUNT=${env.SLURM_ARRAY_TASK_COUNT.trim()}` }),
  },
  plain('AWS Batch array job', 'AWS_BATCH_JOB_ARRAY_INDEX', 'AWS_BATCH_JOB_ARRAY_SIZE'),
  plain('PBS job array', 'PBS_ARRAY_INDEX'),
];

const VARIABLES = JOB_ARRAY_ENGINES.map((e) => e.variable).join(', ');

/** `i/n`, `auto/n` or `auto`; `env` is where `auto` looks for the job array's index */
export function parseShard(text: string, env: Env = process.env): Shard {
  const t = text.trim();
  const auto = /^auto(?:\/(\d+))?$/.exec(t);
  if (auto) return autoShard(auto[1] === undefined ? null : Number(auto[1]), env, t);
  const m = /^(\d+)\/(\d+)$/.exec(t);
  if (!m) throw new InputError(`--shard: expected i/n (the i-th of n slices, 0 <= i < n), auto/n or auto (the index from a job array), got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new InputError(`--shard: expected 0 <= i < n and n >= 1, got ${index}/${count}`);
  return { index, count };
}

function autoShard(given: number | null, env: Env, text: string): Shard {
  if (given !== null && given < 1) throw new InputError(`--shard ${text}: expected n >= 1`);
  const engine = JOB_ARRAY_ENGINES.find((e) => env[e.variable] !== undefined && env[e.variable]!.trim() !== '');
  if (!engine) throw new InputError(`--shard ${text}: no job array index in the environment (looked for ${VARIABLES}); run it as a job array task, or give --shard i/n`);
  const index = engine.index(env);
  let count: { value: number; from: string };
  if (given !== null) count = { value: given, from: `--shard ${text}` };
  else {
    const c = engine.count?.(env) ?? null;
    if (c === null) throw new InputError(`--shard auto: a ${engine.name} gives the index (${index.from}) but not the count; use --shard auto/N with N the number of tasks`);
    count = c;
  }
  if (count.value < 1 || index.value >= count.value) throw new InputError(`--shard ${text}: the ${engine.name} index ${index.value} (${index.from}) is not below the count ${count.value} (${count.from})`);
  return { index: index.value, count: count.value, source: `${index.from}${given === null ? `, ${count.from}` : ''}` };
}

/**
 * The shard of each point, by estimated cost: longest first onto the least loaded shard.
 * Deterministic: ties go to the lower point index and the lower shard.
 */
export function assignShards(costs: readonly number[], count: number): number[] {
  const order = costs.map((c, i) => [c, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const load = new Float64Array(count);
  const shardOf = new Array<number>(costs.length);
  for (const [c, i] of order) {
    let best = 0;
    for (let s = 1; s < count; s++) if (load[s]! < load[best]!) best = s;
    shardOf[i] = best;
    load[best] = load[best]! + c;
  }
  return shardOf;
}
