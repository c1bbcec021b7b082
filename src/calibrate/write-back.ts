/**
 * Writes a calibration's answer back: the code's cycles as config/code/kernel-code.json5 (the
 * fitted cost model's section; the other is kept), and a machine file's fitted fields changed
 * in place, with a generated comment block (between the two marker lines) that records the
 * data, the command, the fit and its in-sample errors. Everything else in the file is kept.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import JSON5 from 'json5';
import type { CodeCostsFile, CodeModelCosts } from '../hw/code-costs.ts';
import type { CalibrationRecord } from '../hw/machine-schema.ts';
import { locateValues, pathKey } from '../input/json5-locate.ts';

export const BLOCK_BEGIN = '// --- calibration: written by `sim calibrate`; do not edit by hand ---';
export const BLOCK_END = '// --- end of calibration ---';

/** a number as the files show it: 4 significant digits, no exponent below 1e9 */
export function fmt(v: number): string {
  if (v === 0) return '0';
  const s = Number(v.toPrecision(4));
  return String(s);
}

function asComment(lines: string[]): string {
  return lines.map((l) => (l === '' ? '//' : `// ${l}`)).join('\n');
}

/** replaces the calibration block of `text` (or adds one above the opening brace) */
export function withCalibrationBlock(text: string, lines: string[]): string {
  const block = `${BLOCK_BEGIN}\n${asComment(lines)}\n${BLOCK_END}\n`;
  const a = text.indexOf(BLOCK_BEGIN);
  if (a >= 0) {
    const b = text.indexOf(BLOCK_END, a);
    return text.slice(0, a) + block + text.slice(b + BLOCK_END.length + 1);
  }
  const brace = text.search(/^\{/m);
  return text.slice(0, brace) + block + text.slice(brace);
}

/** sets the numbers at `values`' paths (each must already hold a number literal) */
export function withNumbers(file: string, text: string, values: [(string | number)[], number][]): string {
  const located = locateValues(text);
  const lines = text.split('\n');
  // right to left within a line keeps earlier columns valid
  const edits = values
    .map(([path, v]) => {
      const pos = located.get(pathKey(path));
      if (!pos) throw new Error(`${file}: no value at ${pathKey(path)} to calibrate`);
      return { pos, v, path };
    })
    .sort((x, y) => y.pos.line - x.pos.line || y.pos.column - x.pos.column);
  for (const { pos, v, path } of edits) {
    const line = lines[pos.line - 1]!;
    const at = pos.column - 1;
    const m = /^-?[0-9][0-9_.eE+-]*/.exec(line.slice(at));
    if (!m) throw new Error(`${file}:${pos.line}:${pos.column}: ${pathKey(path)} is not a number literal`);
    lines[pos.line - 1] = line.slice(0, at) + fmt(v) + line.slice(at + m[0].length);
  }
  return lines.join('\n');
}

export function writeMachineFile(file: string, values: [(string | number)[], number][], block: string[], record: CalibrationRecord): void {
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, withCalibrationBlock(withRecord(withNumbers(file, text, values), record), block));
}

/** the machine's `calibration` section, replaced (or added above `cpu`) */
export function withRecord(text: string, r: CalibrationRecord): string {
  const section =
    `  // what the last \`sim calibrate\` fitted this machine on, and its miss factors (reports print them)\n` +
    `  calibration: {\n    data: '${r.data}',\n    cells: ${r.cells},\n    parameters: ${r.parameters},\n` +
    `    inSampleMedian: ${fmt(r.inSampleMedian)},\n    inSampleWorst: ${fmt(r.inSampleWorst)},\n` +
    `    heldOutMedian: ${fmt(r.heldOutMedian)},\n    heldOutWorst: ${fmt(r.heldOutWorst)},\n  },\n\n`;
  const old = /(  \/\/[^\n]*\n)*  calibration: \{\n[\s\S]*?\n  \},\n\n/;
  if (old.test(text)) return text.replace(old, section);
  const at = text.search(/^  cpu: \{/m);
  return text.slice(0, at) + section + text.slice(at);
}

function codeSection(c: CodeModelCosts): string {
  const units = Object.entries(c.units)
    .map(([k, v]) => `${k}: ${fmt(v)}`)
    .join(', ');
  const calls = Object.entries(c.calls)
    .map(([k, v]) => `      ${JSON5.stringify(k, { quote: "'" })}: { alloc: ${fmt(v.alloc)}, free: ${fmt(v.free)} },`)
    .join('\n');
  return `{\n    units: { ${units} },\n    calls: {\n${calls}\n    },\n  }`;
}

/** the whole code-costs file, `model`'s section replaced by `costs` */
export function codeCostsText(current: CodeCostsFile, model: 'counts' | 'full', costs: CodeModelCosts, notes: Record<'counts' | 'full', string[]>): string {
  const next = { ...current, [model]: costs };
  const head = [
    "The code's side of the time model: cycles of the reference machine per unit of the work the",
    'allocators count (src/hw/code-costs.ts says what each unit is). Written by',
    '`sim calibrate --fit code`; a machine turns cycles into ns with its clock and code speed.',
    'See config/README.md.',
  ];
  const section = (m: 'counts' | 'full'): string => `${notes[m].length ? asComment(notes[m]).replace(/^/gm, '  ') + '\n' : ''}  ${m}: ${codeSection(next[m])},`;
  return `${asComment(head)}\n{\n  reference: { machine: '${next.reference.machine}', clockGHz: ${fmt(next.reference.clockGHz)} },\n${section('counts')}\n${section('full')}\n}\n`;
}

/** the comment lines above a section of the code-costs file, kept when the other is written */
export function sectionNotes(text: string, model: 'counts' | 'full'): string[] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`  ${model}: {`));
  const out: string[] = [];
  for (let i = at - 1; i >= 0 && lines[i]!.startsWith('  //'); i--) out.unshift(lines[i]!.replace(/^ {2}\/\/ ?/, ''));
  return out;
}
