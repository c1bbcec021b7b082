/**
 * `sim conform`: replays percpu-trace/1 files and counts cases. A trace file is one case; each
 * line of a `layout-*` file is one case. A file that cannot be read is one failed case.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { TraceLine, TraceOp } from '../trace/percpu-trace.ts';
import { TraceFormatError, parseHeader, parseJsonLines, parseOp, readTraceText } from '../trace/percpu-trace.ts';
import type { CaseFailure, ReplayOptions } from './replay.ts';
import { replayCase } from './replay.ts';

export interface CaseOutcome {
  file: string;
  name: string;
  /** null when the case passed */
  failure: { line: number; reason: string } | null;
}

const isTraceFile = (f: string): boolean => f.endsWith('.jsonl') || f.endsWith('.jsonl.gz');

/**
 * Files named on the command line; a directory stands for the trace files under it, sorted.
 * A named directory without any stays in the list, so that it reads as one failed case.
 */
export function expandInputs(inputs: readonly string[]): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    const found = isDirectory(input) ? traceFilesUnder(input) : [input];
    out.push(...(found.length > 0 ? found : [input]));
  }
  return out;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // a missing file (or a dangling link) becomes a failed case when it is read
  }
}

/** trace files under `dir`, sorted, then those of its subdirectories; unreadable ones are skipped */
function traceFilesUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const paths = names.map((f) => join(dir, f));
  return [...paths.filter(isTraceFile), ...paths.filter((p) => !isTraceFile(p) && isDirectory(p)).flatMap(traceFilesUnder)];
}

const isLayoutFile = (file: string): boolean => basename(file).startsWith('layout-');

/** Every case in one file, each replayed; never throws. */
export function conformFile(file: string, opts: ReplayOptions): CaseOutcome[] {
  let entries: TraceLine<unknown>[];
  try {
    entries = parseJsonLines(file, readTraceText(file));
  } catch (e) {
    return [unreadable(file, e)];
  }
  if (isLayoutFile(file)) {
    return entries.map((entry) => {
      try {
        const header = parseHeader(file, entry);
        return { file, name: shortName(header.name), failure: short(replayCase(header, entry.line, [], opts)) };
      } catch (e) {
        return unreadable(file, e, `${basename(file)}:${entry.line}`);
      }
    });
  }
  try {
    const header = parseHeader(file, entries[0]!);
    const ops: TraceLine<TraceOp>[] = entries.slice(1).map((e) => ({ line: e.line, value: parseOp(file, e) }));
    return [{ file, name: shortName(header.name), failure: short(replayCase(header, entries[0]!.line, ops, opts)) }];
  } catch (e) {
    return [unreadable(file, e)];
  }
}

/** a FAIL line stays one short line whatever the trace holds (a reason may quote a key or a path from it) */
const MAX_REASON = 300;
const short = (f: CaseFailure | null): CaseFailure | null => (f && f.reason.length > MAX_REASON ? { ...f, reason: `${f.reason.slice(0, MAX_REASON - 3)}...` } : f);
const shortName = (name: string): string => (name.length > 80 ? `${name.slice(0, 77)}...` : name);

function unreadable(file: string, e: unknown, name = basename(file)): CaseOutcome {
  const line = e instanceof TraceFormatError ? e.line : 0;
  const reason = e instanceof TraceFormatError ? e.message.slice(e.file.length + 1).replace(/^\d+: /, '') : String(e);
  return { file, name, failure: short({ line, reason }) };
}
