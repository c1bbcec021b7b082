/**
 * Where `sim run --ftrace / --stats / --html` put their files, and the writers that fill
 * them: the event log streamed to disk and given its `cat trace` header at the end,
 * percpu_stats (and the meminfo line) per phase, one HTML page per run. Every file appears
 * whole or not at all.
 */
import { formatMemcgPercpu } from './memcg-stat.ts';
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelVersion } from '../kernel/allocator.ts';
import { formatTraceFileHeader } from './ftrace.ts';
import type { PhaseCapture } from './run-capture.ts';
import { writeFileAtomic } from './write-file.ts';

/** a run's name for humans: the allocator and its matrix point */
export function runName(allocator: string, labels: Readonly<Record<string, unknown>>): string {
  const point = Object.entries(labels).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [allocator, ...point].join(' ');
}

/** a file-name stem for each run, unique among `names` (a repeated name gets -2, -3, ...) */
export function fileStems(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const stem = n.replace(/ /g, '_').replace(/[^A-Za-z0-9._=,+-]/g, '-') || 'run';
    const k = (seen.get(stem) ?? 0) + 1;
    seen.set(stem, k);
    return k === 1 ? stem : `${stem}-${k}`;
  });
}

/**
 * The file for one run's output: `path` itself when there is one run and `path` is not a
 * directory (existing, or written with a trailing slash); otherwise `path/<stem><ext>`.
 */
export function outputFile(path: string, runs: number, stem: string, ext: string): string {
  const isDir = path.endsWith('/') || (existsSync(path) && statSync(path).isDirectory());
  if (runs === 1 && !isDir) return path;
  mkdirSync(path, { recursive: true });
  return join(path, `${stem}${ext}`);
}

/** writes percpu_stats (and /proc/meminfo's Percpu line, where the kernel has one) of a phase */
export function writePhaseStats(dir: string, stem: string, phase: PhaseCapture): void {
  if (phase.statsText === null) return;
  const runDir = join(dir, stem);
  mkdirSync(runDir, { recursive: true });
  const base = `${String(phase.index + 1).padStart(2, '0')}-${phase.name.replace(/[^A-Za-z0-9._-]/g, '-')}`;
  writeFileAtomic(join(runDir, `${base}.percpu_stats`), phase.statsText);
  if (phase.meminfo !== null) writeFileAtomic(join(runDir, `${base}.meminfo`), phase.meminfo);
  if (phase.memcgPercpu !== null) writeFileAtomic(join(runDir, `${base}.memory.stat`), formatMemcgPercpu(phase.memcgPercpu));
}

/**
 * An event log on disk: lines are streamed to a temporary body file as they come; `close`
 * writes the `cat trace` header (which needs the event count) and the body into place.
 */
export class TraceFileWriter {
  private readonly bodyFile: string;
  private readonly fd: number;
  private buffer: string[] = [];
  private count = 0;

  constructor(
    private readonly file: string,
    private readonly kernel: KernelVersion,
    private readonly onlineCpus: number,
  ) {
    this.bodyFile = `${file}.body-${process.pid}`;
    this.fd = openSync(this.bodyFile, 'w');
  }

  readonly line = (line: string): void => {
    this.buffer.push(line);
    this.count++;
    if (this.buffer.length >= 4096) this.flush();
  };

  private flush(): void {
    if (this.buffer.length === 0) return;
    writeSync(this.fd, this.buffer.join('\n') + '\n');
    this.buffer = [];
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
    const tmp = `${this.file}.tmp-${process.pid}`;
    try {
      const out = openSync(tmp, 'w');
      try {
        writeSync(out, formatTraceFileHeader(this.kernel, this.count, this.count, this.onlineCpus).join('\n') + '\n');
        const inp = openSync(this.bodyFile, 'r');
        try {
          const chunk = Buffer.alloc(1 << 20);
          for (let n; (n = readSync(inp, chunk, 0, chunk.length, null)) > 0; ) writeSync(out, chunk, 0, n);
        } finally {
          closeSync(inp);
        }
      } finally {
        closeSync(out);
      }
      renameSync(tmp, this.file);
    } finally {
      rmSync(tmp, { force: true });
      rmSync(this.bodyFile, { force: true });
    }
  }

  /** drop everything (the run failed) */
  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.bodyFile, { force: true });
  }
}

