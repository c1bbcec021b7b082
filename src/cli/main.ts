/**
 * The command line: `sim <command> ...`. Commands and their options are declared as data; a
 * user error prints one line and exits 2, never a stack trace.
 */
import { InputError } from '../input/input-error.ts';
import { PercpuConfigError } from '../kernel/allocator.ts';
import { conformCommand } from './conform-command.ts';
import { runCommand } from './run-command.ts';
import { RunError } from '../engine/pool.ts';

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

const COMMANDS: CommandSpec[] = [
  {
    name: 'run',
    args: 'SCENARIO.json5',
    help: 'run a scenario and print its report (`sim SCENARIO.json5` is the same)',
    options: [
      { name: '--json', value: 'FILE', help: 'write the metrics (percpu-sim/metrics/1) to FILE' },
      { name: '--workers', value: 'N', help: 'worker threads (default: CPUs, at most 8; 0 = this thread)' },
      { name: '--check', help: 'run the allocator invariant checker after every operation' },
    ],
  },
  {
    name: 'conform',
    args: 'FILE|DIR...',
    help: 'replay percpu-trace/1 cases; print each failing case; end with "N passed, M failed"',
    options: [{ name: '--check', help: 'also run the invariant checker after every operation' }],
  },
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
        const json = opts.get('--json');
        return await runCommand(args[0]!, { json: typeof json === 'string' ? json : null, workers: intOption(opts, '--workers'), check: opts.has('--check') }, out);
      }
      case 'conform': {
        const { args, opts } = parseArgs(COMMANDS[1]!, rest);
        if (args.length === 0) throw new UsageError('conform needs at least one FILE or DIR');
        return conformCommand(args, opts.has('--check'), (line) => out(line + '\n'));
      }
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
