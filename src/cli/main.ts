/**
 * The command line: `sim <command> ...`. Commands and their options are declared as data; a
 * user error prints one line and exits 2, never a stack trace.
 */
import { parseArgs as nodeParseArgs } from 'node:util';
import { statSync } from 'node:fs';
import { InputError } from '../input/input-error.ts';
import { didYouMean } from '../input/suggest.ts';
import { PercpuConfigError } from '../kernel/allocator.ts';
import { conformCommand } from './conform-command.ts';
import { runCommand } from './run-command.ts';
import { sweepCommand } from './sweep-command.ts';
import { mergeCommand } from './merge-command.ts';
import { checkCommand } from './check-command.ts';
import { calibrateCommand, parseFree } from './calibrate-command.ts';
import { parseCostModels, validateCommand } from './validate-command.ts';
import { versionsCommand } from './versions-command.ts';
import { takeRepeatedOption } from './repeated-option.ts';
import { parseMemorySize } from './run-size.ts';
import { RunError } from '../engine/pool.ts';
import type { TableFormat } from '../report/text-table.ts';
import { TABLE_FORMATS } from '../report/text-table.ts';

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
const WORKERS: OptionSpec = { name: '--workers', value: 'N', help: 'worker threads (default: chosen from the estimated work, at most the CPUs; 0 = this thread)' };
const MAX_MEMORY: OptionSpec = { name: '--max-memory', value: 'SIZE', help: 'refuse a run estimated to need more host memory (8G, 512M; default: what this process may use)' };
const CHECK: OptionSpec = { name: '--check', help: 'run the allocator invariant checker after every operation' };
const FORMAT: OptionSpec = { name: '--format', value: 'text|md|csv|json', help: 'how the tables print (default text: human units, at most 100 columns; csv and json: exact numbers)' };
const NO_WALL_CLOCK: OptionSpec = { name: '--no-wall-clock', help: 'write wall_ms as 0 so metrics files compare byte for byte' };

const COMMANDS: CommandSpec[] = [
  {
    name: 'run',
    args: 'SCENARIO.json5',
    help: 'run a scenario and print its report (`sim SCENARIO.json5` is the same)',
    options: [
      { name: '--json', value: 'FILE', help: 'write the metrics (percpu-sim/metrics/1) to FILE' },
      WORKERS,
      MAX_MEMORY,
      CHECK,
      { name: '--ftrace', value: 'PATH', help: 'write the percpu tracepoints as ftrace text (a file, or a directory: one per run)' },
      { name: '--stats', value: 'DIR', help: 'write percpu_stats (and the meminfo Percpu line) after every phase of every run' },
      { name: '--html', value: 'PATH', help: 'write a self-contained HTML report with charts (a file, or a directory: one per run)' },
      FORMAT,
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
      { name: '--shard', value: 'i/n', help: 'run the i-th of n slices balanced by estimated cost; auto/n or auto: i (and n) from a job array (docs/distributed.md)' },
      WORKERS,
      MAX_MEMORY,
      { name: '--json', value: 'FILE', help: "write this invocation's points as percpu-sim/metrics/1 to FILE" },
      { name: '--html', value: 'FILE', help: 'write a self-contained HTML report: each metric charted against each swept dimension, with its numbers' },
      FORMAT,
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
      { name: '--html', value: 'FILE', help: 'write the sweep report (charts and tables) to FILE, as sweep --html' },
      FORMAT,
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
  {
    name: 'calibrate',
    args: 'DATA.jsonl...',
    help: "fit the time model's free numbers to measurements; write them to config/ (config/README.md)",
    options: [
      { name: '--machine', value: 'PRESET', help: 'the preset the measurements ran on (required)' },
      { name: '--fit', value: 'code|machine', help: "code: the code's cycles (and the reference machine's figures); machine: one machine's figures, the code's cycles fixed" },
      { name: '--cost-model', value: 'counts|full', help: 'the cost model to fit under (default counts)' },
      { name: '--include', value: 'REGEX', help: 'only the lines whose id matches' },
      { name: '--exclude', value: 'REGEX', help: 'leave out the lines whose id matches' },
      { name: '--cross-validate', help: 'also fit without each size, free order and the contrived case, and predict what was left out' },
      { name: '--free', value: 'FIGURE,...', help: "also fit these machine figures (e.g. codeSpeed), to check an assumed one against the data" },
      { name: '--dry-run', help: 'print the fit, write nothing' },
    ],
  },
  {
    name: 'validate',
    args: 'DATA.jsonl',
    help: 'run every measured workload on a preset; print measured vs modeled ms per phase and a summary',
    options: [
      { name: '--machine', value: 'PRESET', help: 'the preset to run on (required)' },
      { name: '--cost-model', value: 'counts|full|both', help: 'which cost models to run (default both)' },
      { name: '--json', value: 'FILE', help: 'write percpu-sim/validate/1 to FILE' },
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

/** the option of `spec` an argument names (`--json`, `--json=x`), or the argument itself */
const optionName = (arg: string): string => arg.split('=', 1)[0]!;

/** one line for what util.parseArgs refused in `argv` */
function argumentProblem(spec: CommandSpec, argv: readonly string[], e: Error & { code?: string }): string {
  const names = spec.options.map((o) => o.name);
  const given = argv.filter((a) => a.startsWith('-')).map(optionName);
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const bad = given.find((a) => !names.includes(a)) ?? '?';
    const known = names.length > 0 ? `; options of ${spec.name}: ${names.join(', ')}` : `; ${spec.name} takes no options`;
    return `${spec.name}: unknown option ${bad}${didYouMean(bad, names).replace(/`/g, '')}${known}`;
  }
  const o = spec.options.find((x) => e.message.includes(`'${x.name}`));
  if (o?.value) return `${spec.name}: ${o.name} needs a value (${o.name} ${o.value}; a value starting with - as ${o.name}=VALUE)`;
  if (o) return `${spec.name}: ${o.name} takes no value`;
  return `${spec.name}: ${e.message.split('. ')[0]}`;
}

/** splits argv into positional arguments and the command's declared options (util.parseArgs, strict) */
function parseArgs(spec: CommandSpec, argv: string[]): { args: string[]; opts: Map<string, string | true> } {
  const options = Object.fromEntries(spec.options.map((o) => [o.name.slice(2), { type: o.value ? ('string' as const) : ('boolean' as const) }]));
  let parsed: ReturnType<typeof nodeParseArgs<{ args: string[]; options: typeof options; allowPositionals: true; strict: true }>>;
  try {
    parsed = nodeParseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(argumentProblem(spec, argv, e as Error & { code?: string }));
  }
  const opts = new Map<string, string | true>();
  for (const [name, value] of Object.entries(parsed.values)) if (value !== undefined && value !== false) opts.set(`--${name}`, value as string | true);
  return { args: parsed.positionals, opts };
}

/** a string option's value, or null when it was not given */
function stringOption(opts: Map<string, string | true>, name: string): string | null {
  const v = opts.get(name);
  return typeof v === 'string' ? v : null;
}

function intOption(opts: Map<string, string | true>, name: string): number | null {
  const v = opts.get(name);
  if (v === undefined) return null;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new UsageError(`${name}: expected a non-negative integer, got ${v}`);
  return Number(v);
}

const isDirectory = (arg: string): boolean => {
  try {
    return statSync(arg).isDirectory();
  } catch {
    return false;
  }
};

/** an existing file: `sim PATH` runs it as a scenario */
function isPath(arg: string): boolean {
  try {
    statSync(arg);
    return true;
  } catch {
    return false;
  }
}

function formatOption(opts: Map<string, string | true>): TableFormat {
  const v = opts.get('--format');
  if (v === undefined) return 'text';
  if (typeof v === 'string' && (TABLE_FORMATS as readonly string[]).includes(v)) return v as TableFormat;
  throw new UsageError(`--format: expected one of ${TABLE_FORMATS.join(', ')}, got ${String(v)}${didYouMean(String(v), TABLE_FORMATS).replace(/`/g, '')}`);
}

const memoryOption = (opts: Map<string, string | true>): number | null => {
  const v = opts.get('--max-memory');
  return typeof v === 'string' ? parseMemorySize(v) : null;
};

export async function main(argv: string[]): Promise<number> {
  const out = (text: string): void => void process.stdout.write(text);
  let [command, ...rest] = argv;
  if (command !== undefined && isDirectory(command)) {
    process.stderr.write(`sim: ${command}: is a directory, expected a command or a SCENARIO.json5 file; see \`sim help\`\n`);
    return 2;
  }
  if (command !== undefined && (/\.json5?$/.test(command) || isPath(command))) {
    rest = [command, ...rest];
    command = 'run';
  }
  try {
    switch (command) {
      case 'run': {
        const { args, opts } = parseArgs(COMMANDS[0]!, rest);
        if (args.length !== 1) throw new UsageError(`run needs exactly one SCENARIO file, got ${args.length === 0 ? 'none' : args.join(' ')}`);
        const path = (name: string): string | null => stringOption(opts, name);
        return await runCommand(
          args[0]!,
          { json: path('--json'), workers: intOption(opts, '--workers'), maxMemory: memoryOption(opts), check: opts.has('--check'), ftrace: path('--ftrace'), stats: path('--stats'), html: path('--html'), format: formatOption(opts) },
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
        const str = (name: string): string | null => stringOption(opts, name);
        return await sweepCommand(
          args[0]!,
          { out: str('--out'), grid, shard: str('--shard'), workers: intOption(opts, '--workers'), maxMemory: memoryOption(opts), json: str('--json'), html: str('--html'), format: formatOption(opts), wallClock: !opts.has('--no-wall-clock'), check: opts.has('--check') },
          out,
        );
      }
      case 'merge': {
        const { args, opts } = parseArgs(COMMANDS.find((c) => c.name === 'merge')!, rest);
        if (args.length === 0) throw new UsageError('merge needs at least one DIR');
        const str = (name: string): string | null => stringOption(opts, name);
        return await mergeCommand(args, { json: str('--json'), html: str('--html'), format: formatOption(opts), wallClock: !opts.has('--no-wall-clock') }, out);
      }
      case 'check': {
        const { values: tolerance, rest: others } = takeRepeatedOption(rest, '--tolerance', 'NAME=VALUE, e.g. modeled=0.02');
        const { args, opts } = parseArgs(COMMANDS.find((c) => c.name === 'check')!, others);
        if (args.length !== 1) throw new UsageError('check needs exactly one SCENARIO file');
        return await checkCommand(
          args[0]!,
          { golden: stringOption(opts, '--golden'), update: opts.has('--update'), workers: intOption(opts, '--workers'), tolerance, all: opts.has('--all') },
          out,
        );
      }
      case 'calibrate': {
        const { args, opts } = parseArgs(COMMANDS.find((c) => c.name === 'calibrate')!, rest);
        const str = (name: string): string | undefined => stringOption(opts, name) ?? undefined;
        const machine = str('--machine');
        if (!machine) throw new UsageError('calibrate needs --machine PRESET');
        const fit = str('--fit') ?? 'code';
        if (fit !== 'code' && fit !== 'machine') throw new UsageError(`--fit: expected code or machine, got ${fit}`);
        const costModel = str('--cost-model') ?? 'counts';
        if (costModel !== 'counts' && costModel !== 'full') throw new UsageError(`--cost-model: expected counts or full, got ${costModel}`);
        const freeList = str('--free');
        return calibrateCommand(
          args,
          { machine, fit, costModel, include: str('--include'), exclude: str('--exclude'), crossValidate: opts.has('--cross-validate'), dryRun: opts.has('--dry-run'), free: freeList === undefined ? undefined : parseFree(freeList) },
          (s) => out(s + '\n'),
          (s) => void process.stderr.write(s),
        );
      }
      case 'validate': {
        const { args, opts } = parseArgs(COMMANDS.find((c) => c.name === 'validate')!, rest);
        const str = (name: string): string | undefined => stringOption(opts, name) ?? undefined;
        if (args.length !== 1) throw new UsageError('validate needs exactly one DATA file');
        const machine = str('--machine');
        if (!machine) throw new UsageError('validate needs --machine PRESET');
        return validateCommand(args[0]!, { machine, json: str('--json') ?? null, costModels: parseCostModels(str('--cost-model')) }, out, (s) => void process.stderr.write(s));
      }
      case 'versions':
        return versionsCommand(parseArgs(COMMANDS.find((c) => c.name === 'versions')!, rest).args, out);
      case 'help':
      case '--help':
      case '-h':
        out(usage() + '\n');
        return 0;
      case undefined:
        process.stderr.write(usage() + '\n');
        return 2;
      default:
        throw new UsageError(`unknown command "${command}"${didYouMean(command, COMMANDS.map((c) => c.name)).replace(/`/g, '')}; commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`sim: ${e.message}; see \`sim help\`\n`);
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
