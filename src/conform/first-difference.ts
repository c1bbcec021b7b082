/** The first field where `got` differs from `expected`, as a dotted path, or null when equal. */
export interface Difference {
  path: string;
  expected: unknown;
  got: unknown;
}

export function firstDifference(expected: unknown, got: unknown, path = ''): Difference | null {
  if (Array.isArray(expected)) {
    if (!Array.isArray(got)) return { path, expected, got };
    const n = Math.min(expected.length, got.length);
    for (let i = 0; i < n; i++) {
      const d = firstDifference(expected[i], got[i], `${path}[${i}]`);
      if (d) return d;
    }
    if (expected.length !== got.length) return { path: `${path}.length`, expected: expected.length, got: got.length };
    return null;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof got !== 'object' || got === null || Array.isArray(got)) return { path, expected, got };
    const g = got as Record<string, unknown>;
    for (const [k, v] of Object.entries(expected)) {
      const d = firstDifference(v, g[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
    return null;
  }
  // null matches only null; a missing field reads as undefined and differs
  return Object.is(expected, got) ? null : { path, expected, got };
}
