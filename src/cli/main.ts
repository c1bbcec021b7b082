/**
 * The command line: `sim <command> ...`. Commands and their options are declared as data; a
 * user error prints one line and exits 2, never a stack trace.
 */
import { InputError } from '../input/input-error.ts';
import { PercpuConfigError } from '../kernel/allocator.ts';
import { conformCommand } from './conform-command.ts';
import { runCommand } from './run-command.ts';
import { sweepCommand } from './sweep-command.ts';
import { mergeCommand } from './merge-command.ts';
import { checkCommand } from './check-command.ts';
import { versionsCommand } from './versions-command.ts';
import { takeRepeatedOption } from './repeated-option.ts';
import { defaultWorkers, RunError } from '../engine/pool.ts';

interface OptionSpec {
  name: string;
  value?: string;
  help: string;
}

interface CommandSpec {
  name: string;
  args: string;
  help: string;
  options: OptionSpec[];
}

/** options several commands share, declared once */
const WORKERS: OptionSpec = { name: '--workers', value: 'N', help: 'worker threads (default: CPUs, at most 8; 0 = this thread)' };
const CHECK: OptionSpec = { name: '--check', help: 'run the allocator invariant checker after every operation' };
const NO_WALL_CLOCK: OptionSpec = { name: '--no-wall-clock', help: 'write wall_ms as 0 so metrics files compare byte for byte' };

const COMMANDS: CommandSpec[] = [
  {
    name: 'run',
    args: 'SCENARIO.json5',
    help: 'run a scenario and print its report (`sim SCENARIO.json5` is the same)',
    options: [
      { name: '--json', value: 'FILE', help: 'write the metrics (percpu-sim/metrics/1) to FILE' },
      WORKERS,
      CHECK,
      { name: '--ftrace', value: 'PATH', help: 'write the percpu tracepoints as ftrace text (a file, or a directory: one per run)' },
      { name: '--stats', value: 'DIR', help: 'write percpu_stats (and the meminfo Percpu line) after every phase of every run' },
      { name: '--html', value: 'PATH', help: 'write a self-contained HTML report with charts (a file, or a directory: one per run)' },
    ],
  },
  {
    name: 'conform',
    args: 'FILE|DIR...',
    help: 'replay percpu-trace/1 cases; print each failing case; end with "N passed, M failed"',
    options: [{ name: '--check', help: 'also run the invariant checker after every operation' }],
  },
  {
    name: 'sweep',
    args: 'SCENARIO.json5',
    help: 'run a scenario over a grid; one result file per point in DIR; a rerun resumes',
    options: [
      { name: '--out', value: 'DIR', help: 'result directory (required): DIR/sweep.json, DIR/points/<key>.json' },
      { name: '--grid', value: 'NAME=V1,V2', help: 'a grid dimension (repeatable): preset, cpus, nodes, pageSize, allocator, knobs.*, firstChunk.*, machine.<path>' },
      { name: '--shard', value: 'i/n', help: 'run only the points whose index mod n is i' },
      WORKERS,
      { name: '--json', value: 'FILE', help: "write this invocation's points as percpu-sim/metrics/1 to FILE" },
      NO_WALL_CLOCK,
      CHECK,
    ],
  },
  {
    name: 'merge',
    args: 'DIR...',
    help: "join sweep shards' result directories; print the sweep table",
    options: [
      { name: '--json', value: 'FILE', help: 'write every point, in grid order, as percpu-sim/metrics/1 to FILE' },
      NO_WALL_CLOCK,
    ],
  },
  {
    name: 'check',
    args: 'SCENARIO.json5',
    help: 'run a scenario and compare its metrics with a golden file, per-metric tolerances; exit 1 when one moved beyond them',
    options: [
      { name: '--golden', value: 'FILE', help: 'the golden metrics file (required)' },
      { name: '--update', help: 'rewrite the golden from this run, on purpose' },
      { name: '--tolerance', value: 'NAME=VALUE', help: 'override a tolerance (repeatable): NAME a class (count, modeled, setup) or a metric pattern (counters.*); VALUE 0.02, 2%, exact, ignore' },
      WORKERS,
      { name: '--all', help: 'print every changed metric (default: the first 40 rows)' },
    ],
  },
  { name: 'versions', args: '[NAME...]', help: 'the kernel versions a scenario may name, the port that runs each and the evidence', options: [] },
  { name: 'help', args: '', help: 'this text', options: [] },
];

export function usage(): string {
  const lines = ['usage: sim <command> [options]', ''];
  for (const c of COMMANDS) {
    lines.push(`  sim ${c.name} ${c.args}`.trimEnd(), `      ${c.help}`);
    for (const o of c.options) lines.push(`      ${`${o.name}${o.value ? ` ${o.value}` : ''}`.padEnd(16)} ${o.help}`);
  }
  return lines.join('\n');
}

class UsageError extends Error {}

/** splits argv into positional arguments and the command's declared options */
function parseArgs(spec: CommandSpec, argv: string[]): { args: string[]; opts: Map<string, string | true> } {
  const args: string[] = [];
  const opts = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      args.push(a);
      continue;
    }
    const [name, inline] = a.split('=', 2) as [string, string | undefined];
    const o = spec.options.find((x) => x.name === name);
    if (!o) throw new UsageError(`${spec.name}: unknown option ${name}`);
    if (!o.value) opts.set(name, true);
    else {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${spec.name}: ${name} needs a value (${o.value})`);
      opts.set(name, v);
    }
  }
  return { args, opts };
}

function intOption(opts: Map<string, string | true>, name: string): number | null {
  const v = opts.get(name);
  if (v === undefined) return null;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new UsageError(`${name}: expected a non-negative integer, got ${v}`);
  return Number(v);
}

export async function main(argv: string[]): Promise<number> {
  const out = (text: string): void => void process.stdout.write(text);
  let [command, ...rest] = argv;
  if (command !== undefined && /\.json5?$/.test(command)) {
    rest = [command, ...rest];
    command = 'run';
  }
  try {
    switch (command) {
      case 'run': {
        const { args, opts } = parseArgs(COMMANDS[0]!, rest);
        if (args.length !== 1) throw new UsageError('run needs exactly one SCENARIO file');
        const path = (name: string): string | null => (typeof opts.get(name) === 'string' ? (opts.get(name) as string) : null);
        return await runCommand(
          args[0]!,
          { json: path('--json'), workers: intOption(opts, '--workers'), check: opts.has('--check'), ftrace: path('--ftrace'), stats: path('--stats'), html: path('--html') },
          out,
        );
      }
      case 'conform': {
        const { args, opts } = parseArgs(COMMANDS[1]!, rest);
        if (args.length === 0) throw new UsageError('conform needs at least one FILE or DIR');
        return conformCommand(args, opts.has('--check'), (line) => out(line + '\n'));
      }
      case 'sweep': {
        const { values: grid, rest: others } = takeRepeatedOption(rest, '--grid', 'NAME=V1,V2,...');
        const { args, opts } = parseArgs(COMMANDS.find((c) => c.name === 'sweep')!, others);
        if (args.length !== 1) throw new UsageError('sweep needs exactly one SCENARIO file');
        const str = (name: string): string | null => (typeof opts.get(name) === 'string' ? (opts.get(name) as string) : null);
        return await sweepCommand(
          args[0]!,
          { out: str('--out'), grid, shard: str('--shard'), workers: intOption(opts, '--workers'), json: str('--json'), wallClock: !opts.has('--no-wall-clock'), check: opts.has('--check') },
          out,
        );
      }
      case 'merge': {
        const { args, opts } = parseArgs(COMMANDS.find((c) => c.name === 'merge')!, rest);
        if (args.length === 0) throw new UsageError('merge needs at least one DIR');
        const json = opts.get('--json');
        return mergeCommand(args, { json: typeof json === 'string' ? json : null, wallClock: !opts.has('--no-wall-clock') }, out);
      }
      case 'check': {
        const { values: tolerance, rest: others } = takeRepeatedOption(rest, '--tolerance', 'NAME=VALUE, e.g. modeled=0.02');
        const { args, opts } = parseArgs(COMMANDS.find((c) => c.name === 'check')!, others);
        if (args.length !== 1) throw new UsageError('check needs exactly one SCENARIO file');
        const golden = opts.get('--golden');
        return await checkCommand(
          args[0]!,
          { golden: typeof golden === 'string' ? golden : null, update: opts.has('--update'), workers: intOption(opts, '--workers') ?? defaultWorkers(), tolerance, all: opts.has('--all') },
          out,
        );
      }
      case 'versions':
        return versionsCommand(parseArgs(COMMANDS.find((c) => c.name === 'versions')!, rest).args, out);
      case 'help':
      case '--help':
      case '-h':
        out(usage() + '\n');
        return 0;
      case undefined:
        throw new UsageError('no command given');
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`sim: ${e.message}\n\n${usage()}\n`);
      return 2;
    }
    if (e instanceof InputError || e instanceof PercpuConfigError || e instanceof RunError) {
      process.stderr.write(`sim: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`sim: internal error: ${(e as Error).message ?? e}${process.env.SIM_DEBUG ? `\n${(e as Error).stack}` : ' (SIM_DEBUG=1 shows the stack)'}\n`);
    return 1;
  }
}
