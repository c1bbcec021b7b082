/** `sim merge DIR... [--json FILE] [--no-wall-clock]`: joins the result directories of a sweep's shards */
import { renderTable } from '../report/text-table.ts';
import { checkOutputFile, writeOutputFile } from './output-file.ts';
import { mergeDirs } from '../sweep/merge.ts';
import { sweepMetricsText, sweepTable } from '../sweep/sweep-report.ts';
import { sweepTitle } from './sweep-command.ts';

export interface MergeCommandOptions {
  json: string | null;
  wallClock: boolean;
}

export function mergeCommand(dirs: readonly string[], opts: MergeCommandOptions, out: (text: string) => void): number {
  if (opts.json) checkOutputFile(opts.json, '--json');
  const { manifest, runs } = mergeDirs(dirs);
  out(`${manifest.scenario}: ${runs.length} points merged from ${dirs.join(', ')}\n\n`);
  out(renderTable(sweepTable(sweepTitle(manifest.scenario), manifest.labelNames, runs)) + '\n');
  if (opts.json) {
    writeOutputFile(opts.json, '--json', sweepMetricsText(manifest.scenario, runs, { wallClock: opts.wallClock }));
    out(`metrics written to ${opts.json}\n`);
  }
  return 0;
}
