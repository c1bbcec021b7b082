/** The command line: `sim <command> ...` (stub). */
export async function main(argv: string[]): Promise<number> {
  process.stderr.write(`sim: not built yet (${argv.join(' ')})\n`);
  return 2;
}
