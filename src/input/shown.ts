/** A value as an error message quotes it: JSON, cut to `max` characters so messages stay one short line. */
export function shown(v: unknown, max = 60): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}
