/** The command line: `sim <command> ...`. Options are declared as data in each command. */
import { conformCommand } from './conform-command.ts';

const USAGE = `usage:
  sim conform [--check] FILE|DIR...   replay percpu-trace/1 cases and compare every decision
  sim help                            this text`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const out = (line: string): void => {
    process.stdout.write(line + '\n');
  };
  switch (command) {
    case 'conform': {
      const check = rest.includes('--check');
      const unknown = rest.filter((a) => a.startsWith('--') && a !== '--check');
      if (unknown.length > 0) return usageError(`unknown option ${unknown[0]}`);
      const files = rest.filter((a) => !a.startsWith('--'));
      if (files.length === 0) return usageError('conform needs at least one FILE or DIR');
      return conformCommand(files, check, out);
    }
    case 'help':
    case '--help':
    case undefined:
      out(USAGE);
      return command === undefined ? 2 : 0;
    default:
      return usageError(`unknown command "${command}"`);
  }
}

function usageError(msg: string): number {
  process.stderr.write(`sim: ${msg}\n${USAGE}\n`);
  return 2;
}
