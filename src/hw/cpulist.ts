/**
 * The kernel's CPU list syntax (`/sys/devices/system/node/node0/cpulist`, `cpus=` boot
 * arguments): comma-separated CPU numbers and inclusive ranges, e.g. `0-13,28-41`.
 */

/** The CPUs of a list such as `0-13,28-41`, ascending order of appearance; null if malformed. */
export function parseCpuList(text: string): number[] | null {
  const out: number[] = [];
  const trimmed = text.trim();
  if (trimmed === '') return out;
  for (const part of trimmed.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo || hi - lo > 1 << 20) return null;
    for (let c = lo; c <= hi; c++) out.push(c);
  }
  return out;
}

/** The shortest CPU list text for a set of CPUs (used in messages and reports). */
export function formatCpuList(cpus: readonly number[]): string {
  const s = [...cpus].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    parts.push(j === i ? `${s[i]}` : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
