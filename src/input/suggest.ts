/**
 * "Did you mean ...?" for a misspelt name: the known name nearest by edit distance, when it is
 * near enough to be a likely typo (a third of the longer name's length, at least one edit).
 */

/** Levenshtein distance (insert, delete, substitute; a swap of neighbours counts as one) */
export function editDistance(a: string, b: string): number {
  const prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, sub);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
    }
    prev2.splice(0, prev2.length, ...prev);
    prev = cur;
  }
  return prev[b.length]!;
}

/** the known name closest to `name`, or null when none is close (case is ignored when comparing) */
export function nearest(name: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  if (best === null) return null;
  const limit = Math.max(1, Math.floor(Math.max(name.length, best.length) / 3));
  return bestD <= limit ? best : null;
}

/** ` (did you mean \`count\`?)`, or '' when no known name is close */
export function didYouMean(name: string, known: readonly string[]): string {
  const n = nearest(name, known);
  return n === null ? '' : ` (did you mean \`${n}\`?)`;
}

/** a list of names as a message shows it: every one when short, else the first few */
export function nameList(names: readonly string[], max = 16): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, ... (${names.length} in all)`;
}

/** a message that says `unknown machine 'NAME'`, with the nearest preset name appended */
export function withPresetSuggestion(message: string, presets: readonly string[]): string {
  const m = /unknown machine '([^']*)'/.exec(message);
  return m ? `${message}${didYouMean(m[1]!, presets)}` : message;
}
