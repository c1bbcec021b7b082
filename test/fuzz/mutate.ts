/**
 * Mutations for the input fuzz test: byte flips, truncation, line edits, and structural edits
 * of a parsed document (key deletion and renaming, type swaps, number extremes, odd strings).
 * Every choice comes from a seeded generator, so a run is repeatable (FUZZ_SEED picks another).
 */
import JSON5 from 'json5';
import seedrandom from 'seedrandom';

export type Rng = () => number;

export const FUZZ_SEED = process.env.FUZZ_SEED ?? 'percpu-fuzz-1';

export function rng(label: string): Rng {
  return seedrandom(`${FUZZ_SEED}/${label}`);
}

export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rng, n: number): number => Math.floor(r() * n);

/** numbers at the edges: zero, negatives, powers of two around int and double limits, fractions, non-finite */
export const EXTREME_NUMBERS = [0, -1, -4, 1, 3, 7, 4097, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 53, -(2 ** 53), 1e308, -1e308, 0.5, 1e-9, NaN, Infinity, -Infinity];
const ODD_STRINGS = ['', 'x', '$nosuch', '$size', '0-9999999', '5-2', '1 ZiB', '-1 GiB', '64 KiB', 'NaN', '\u0000', '\uFFFF', 'ä'.repeat(3), 'x'.repeat(5000), 'laptop', 'inorder'];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** every [parent, key] in the tree, depth first */
function slots(root: Json): [Json[] | { [k: string]: Json }, string | number][] {
  const out: [Json[] | { [k: string]: Json }, string | number][] = [];
  const walk = (v: Json): void => {
    if (Array.isArray(v)) v.forEach((c, i) => (out.push([v, i]), walk(c)));
    else if (v !== null && typeof v === 'object') for (const [k, c] of Object.entries(v)) out.push([v, k]), walk(c);
  };
  walk(root);
  return out;
}

const get = (p: Json[] | { [k: string]: Json }, k: string | number): Json => (p as Record<string | number, Json>)[k]!;
const set = (p: Json[] | { [k: string]: Json }, k: string | number, v: Json): void => void ((p as Record<string | number, Json>)[k] = v);

/** a replacement of another type (or an extreme of the same) for `v` */
function swapValue(r: Rng, v: Json): Json {
  const choices: (() => Json)[] = [
    () => pick(r, EXTREME_NUMBERS),
    () => pick(r, ODD_STRINGS),
    () => null,
    () => r() < 0.5,
    () => [],
    () => ({}),
    () => [v],
    () => ({ v }),
    () => (typeof v === 'number' ? String(v) : typeof v === 'string' ? Number(v) : JSON.stringify(v) ?? null),
  ];
  if (typeof v === 'number') choices.push(() => pick(r, EXTREME_NUMBERS), () => -v, () => v * 1024, () => v + 1);
  return pick(r, choices)();
}

/** one structural edit of a parsed document, in place; returns what was done */
export function mutateTree(r: Rng, root: Json): string {
  const all = slots(root);
  if (all.length === 0) return 'nothing to edit';
  // numbers and short strings are where most bugs hide: prefer leaves
  const leaves = all.filter(([p, k]) => typeof get(p, k) !== 'object' || get(p, k) === null);
  const [parent, key] = leaves.length > 0 && r() < 0.7 ? pick(r, leaves) : pick(r, all);
  const old = get(parent, key);
  const op = int(r, 6);
  if (op === 0) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
    return `delete ${key}`;
  }
  if (op === 1 && !Array.isArray(parent)) {
    const keys = Object.keys(parent);
    const other = pick(r, [`${key as string}x`, (key as string).toUpperCase(), '', 'constructor', '__proto__x', pick(r, keys)]);
    delete parent[key as string];
    parent[other] = old;
    return `rename ${key} to ${other}`;
  }
  if (op === 2 && typeof old === 'number') {
    const v = pick(r, EXTREME_NUMBERS);
    set(parent, key, v);
    return `${key} = ${v}`;
  }
  if (op === 3 && Array.isArray(parent) && parent.length > 0) {
    parent.push(structuredClone(parent[int(r, parent.length)]!));
    return `duplicate an element of ${key}`;
  }
  const v = swapValue(r, old);
  set(parent, key, v);
  return `${key}: ${JSON.stringify(old)?.slice(0, 20)} -> ${JSON.stringify(v)?.slice(0, 20)}`;
}

/** one byte-level or line-level edit of a file's bytes */
export function mutateBytes(r: Rng, data: Buffer): { data: Buffer; what: string } {
  const at = int(r, Math.max(1, data.length));
  const lines = (): string[] => data.toString('utf8').split('\n');
  const join = (ls: string[]): Buffer => Buffer.from(ls.join('\n'), 'utf8');
  switch (int(r, 7)) {
    case 0: {
      const b = Buffer.from(data);
      const n = 1 + int(r, 4);
      for (let i = 0; i < n && b.length > 0; i++) b[int(r, b.length)] = int(r, 256);
      return { data: b, what: `flip ${n} bytes` };
    }
    case 1:
      return { data: data.subarray(0, at), what: `truncate at byte ${at}` };
    case 2: {
      const ls = lines();
      ls.splice(int(r, ls.length), 1);
      return { data: join(ls), what: 'delete a line' };
    }
    case 3: {
      const ls = lines();
      const i = int(r, ls.length);
      ls.splice(i, 0, ls[i]!);
      return { data: join(ls), what: 'duplicate a line' };
    }
    case 4: {
      const junk = pick(r, ['{', '}', '"', "'", ',', ':', '[', ']', '\u0000', '\uFFFD', '/*', '//', '\\', '\n', '9e9999', '\u{1F4A5}']);
      return { data: Buffer.concat([data.subarray(0, at), Buffer.from(junk, 'utf8'), data.subarray(at)]), what: `insert ${JSON.stringify(junk)} at byte ${at}` };
    }
    case 5: {
      const ls = lines();
      const i = int(r, ls.length);
      const j = int(r, ls.length);
      [ls[i], ls[j]] = [ls[j]!, ls[i]!];
      return { data: join(ls), what: 'swap two lines' };
    }
    default: {
      const text = data.toString('utf8');
      const nums = [...text.matchAll(/\d+/g)];
      if (nums.length === 0) return { data, what: 'no number to edit' };
      const m = pick(r, nums);
      const to = pick(r, ['', '-' + m[0], m[0] + '000000000000', '0x' + m[0], '1e400', '0']);
      return { data: Buffer.from(text.slice(0, m.index) + to + text.slice(m.index! + m[0].length), 'utf8'), what: `number ${m[0]} -> ${JSON.stringify(to)}` };
    }
  }
}

/** a JSON5 document with 1-3 structural edits (when it parses), else a byte or line edit */
export function mutateJson5(r: Rng, text: string): { data: Buffer; what: string } {
  if (r() < 0.35) return mutateBytes(r, Buffer.from(text, 'utf8'));
  const tree = JSON5.parse(text) as Json;
  const edits: string[] = [];
  for (let n = 1 + int(r, 3); n > 0; n--) edits.push(mutateTree(r, tree));
  return { data: Buffer.from(JSON5.stringify(tree, null, 1), 'utf8'), what: edits.join('; ') };
}

/** JSON lines with a structural edit of one line (JSON output, so NaN and Infinity become null) or a byte edit */
export function mutateJsonLines(r: Rng, text: string): { data: Buffer; what: string } {
  if (r() < 0.4) return mutateBytes(r, Buffer.from(text, 'utf8'));
  const lines = text.split('\n');
  const i = r() < 0.5 ? 0 : int(r, lines.length);
  let tree: Json;
  try {
    tree = JSON.parse(lines[i]!) as Json;
  } catch {
    return mutateBytes(r, Buffer.from(text, 'utf8'));
  }
  const edits: string[] = [];
  for (let n = 1 + int(r, 2); n > 0; n--) edits.push(mutateTree(r, tree));
  lines[i] = JSON.stringify(tree) ?? 'null';
  return { data: Buffer.from(lines.join('\n'), 'utf8'), what: `line ${i + 1}: ${edits.join('; ')}` };
}
