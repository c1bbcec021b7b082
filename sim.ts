// Entry for `npx tsx sim ...`: everything lives in src/cli.
import { main } from './src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
