/** `sim merge DIR... [--json FILE] [--no-wall-clock]`: joins the result directories of a sweep's shards */
import type { TableFormat } from '../report/text-table.ts';
import { renderTables } from '../report/text-table.ts';
import { writeSweepHtml } from '../report/sweep-html.ts';
import { checkOutputFile, writeOutputFile } from './output-file.ts';
import { mergeDirs } from '../sweep/merge.ts';
import { sweepMetricsText, sweepTables } from '../sweep/sweep-report.ts';
import { sweepTitle } from './sweep-command.ts';

export interface MergeCommandOptions {
  json: string | null;
  /** the sweep report with charts */
  html?: string | null;
  format?: TableFormat;
  wallClock: boolean;
}

export async function mergeCommand(dirs: readonly string[], opts: MergeCommandOptions, out: (text: string) => void): Promise<number> {
  if (opts.json) checkOutputFile(opts.json, '--json');
  if (opts.html) checkOutputFile(opts.html, '--html');
  const { manifest, runs } = mergeDirs(dirs);
  const format = opts.format ?? 'text';
  const tables = sweepTables(sweepTitle(manifest.scenario), manifest.labelNames, runs);
  if (format === 'csv' || format === 'json') out(renderTables(tables, format));
  else {
    out(`${manifest.scenario}: ${runs.length} points merged from ${dirs.join(', ')}\n\n`);
    out(renderTables(tables, format) + '\n');
  }
  const say = format === 'csv' || format === 'json' ? (s: string): void => void process.stderr.write(s) : out;
  if (opts.html) {
    await writeSweepHtml(opts.html, manifest.scenario, '', manifest.labelNames, runs);
    say(`report written to ${opts.html}\n`);
  }
  if (opts.json) {
    writeOutputFile(opts.json, '--json', sweepMetricsText(manifest.scenario, runs, { wallClock: opts.wallClock }));
    say(`metrics written to ${opts.json}\n`);
  }
  return 0;
}
