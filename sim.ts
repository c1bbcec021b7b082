// Entry for `npx tsx sim ...`: everything lives in src/cli.
import { raiseInliningBudget } from './src/engine/jit-budget.ts';
import { main } from './src/cli/main.ts';

raiseInliningBudget();
process.exitCode = await main(process.argv.slice(2));
