/**
 * Byte sizes as a machine file may write them: a plain integer, or a string with a binary
 * unit (`'32 KiB'`, `'2 MiB'`, `'128 GiB'`, `'32 TiB'`). Decimal fractions are allowed when the
 * result is a whole number of bytes (`'1.5 MiB'`).
 */

const UNITS: Record<string, number> = {
  B: 1,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
  PiB: 2 ** 50,
};

/** The byte count of `'64 GiB'` or `4096`; null when it is not a whole, non-negative byte count. */
export function parseByteSize(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|TiB|PiB)\s*$/.exec(v);
  if (!m) return null;
  const bytes = Number(m[1]) * UNITS[m[2]!]!;
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** `262144` → `'256 KiB'`; exact values only, otherwise plain bytes. */
export function formatByteSize(bytes: number): string {
  for (const unit of ['PiB', 'TiB', 'GiB', 'MiB', 'KiB'] as const) {
    const u = UNITS[unit]!;
    if (bytes >= u && bytes % u === 0) return `${bytes / u} ${unit}`;
  }
  return `${bytes} B`;
}
