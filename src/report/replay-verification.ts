/**
 * What verified replays found (engine/generators/replay-verify.ts): one summary line per
 * replay, then the first mismatches with the capture's line, the call site, where the kernel
 * and the simulator put the allocation and the chunk's hints.
 */
import type { ReplayMismatch, ReplayVerification } from '../engine/generators/replay-verify.ts';

const where = (p: { chunk: number; off: number } | null): string => (p ? `chunk ${p.chunk} off ${p.off}` : 'nothing (the call failed)');

function mismatchLines(n: number, m: ReplayMismatch): string[] {
  const out = [`  mismatch ${n} (${m.kind}) at line ${m.line}: ${m.text}`];
  if (m.recorded) {
    out.push(`    ${m.callSite ? `call site ${m.callSite}: ` : ''}kernel ${where(m.recorded)}, simulator ${where(m.simulated)}`);
  }
  if (m.hints) out.push(`    chunk hints before: ${Object.entries(m.hints).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  if (m.note) out.push(`    ${m.note}`);
  return out;
}

/** the report of one verified replay; `prefix` names the run and phase when there are several */
export function replayVerificationLines(v: ReplayVerification, prefix = ''): string[] {
  const out = [
    `${prefix}replay verified: ${v.matched}/${v.judged} allocations decided at the kernel's chunk and offset (${v.placedFirstChunk} placed in the first chunk as recorded)`,
  ];
  if (v.unmatchedFrees > 0) out.push(`  ${v.unmatchedFrees} frees of objects allocated before the capture started were left out`);
  if (v.mismatches > 0) {
    out.push(`  ${v.mismatches} mismatch${v.mismatches === 1 ? '' : 'es'}${v.mismatches > v.first.length ? `, the first ${v.first.length}:` : ':'}`);
    v.first.forEach((m, k) => out.push(...mismatchLines(k + 1, m)));
  }
  return out;
}

/** every verified replay of the runs (labelled when there are several); and whether any found a mismatch */
export function replayReport(runs: readonly { label: string; replays: readonly ReplayVerification[] }[]): { lines: string[]; mismatches: number } {
  const all = runs.flatMap((r) => r.replays.map((v) => ({ label: r.label, v })));
  const lines: string[] = [];
  let mismatches = 0;
  for (const { label, v } of all) {
    lines.push(...replayVerificationLines(v, all.length > 1 ? `${label} ${v.phase}: ` : ''));
    mismatches += v.mismatches;
  }
  return { lines, mismatches };
}
