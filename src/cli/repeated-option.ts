/** Options that may be given more than once (`--grid`, `--tolerance`), taken out of argv before the usual parsing. */
import { InputError } from '../input/input-error.ts';

/**
 * every `FLAG V` / `FLAG=V` of argv, in order, and the arguments left; `hint` says what a value
 * looks like when one is missing
 */
export function takeRepeatedOption(argv: readonly string[], flag: string, hint: string): { values: string[]; rest: string[] } {
  const values: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === flag) {
      const v = argv[++i];
      if (v === undefined) throw new InputError(`${flag} needs a value (${hint})`);
      values.push(v);
    } else if (a.startsWith(`${flag}=`)) values.push(a.slice(flag.length + 1));
    else rest.push(a);
  }
  return { values, rest };
}
