/**
 * One run as a single self-contained HTML page: the run's tables, the charts inline as SVG,
 * and percpu_stats (plus the meminfo line) at the end of every phase. No scripts, no external
 * resources, no wall-clock numbers: the same run gives the same bytes.
 */
import { resolveAllocator } from '../kernel/versions.ts';
import type { RunMetrics } from '../engine/metrics.ts';
import { latencyHistogramSvg } from './chart-histogram.ts';
import { footprintSvg } from './chart-footprint.ts';
import { occupancyMapSvg } from './chart-occupancy.ts';
import type { RunCaptureData } from './run-capture.ts';
import { escapeXml, formatBytes, formatNs } from './svg.ts';
import { formatNumber } from './text-table.ts';
import { formatMemcgPercpu } from './memcg-stat.ts';

export interface RunReportInput {
  scenario: string;
  description?: string;
  /** the run's name among the scenario's runs (allocator and matrix point) */
  runName: string;
  metrics: RunMetrics;
  capture: RunCaptureData;
}

const STYLE = `
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 24px auto; max-width: 1100px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 14px; margin-bottom: 6px; }
.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f6f6f6; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
.chart { overflow-x: auto; max-width: 100%; }
pre { background: #f8f8f8; border: 1px solid #e4e4e4; padding: 8px; font-size: 12px; overflow-x: auto; }
details { margin: 8px 0; } summary { cursor: pointer; color: #1f4e79; }
`;

function table(header: string[], rows: (string | number)[][]): string {
  const cell = (v: string | number): string => escapeXml(typeof v === 'number' ? formatNumber(v) : v);
  return (
    `<table><thead><tr>${header.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`).join('') +
    '</tbody></table>'
  );
}

function chart(svg: string): string {
  return `<div class="chart">${svg}</div>`;
}

/** `bitmap (Linux v6.12)`, or for a kernel version the scenario named, `Linux v6.6 (the v6.12 port, bitmap)` */
function runsOn(allocator: string, kernel: string): string {
  const port = resolveAllocator(allocator);
  return port === null || port === allocator ? `${allocator} (Linux ${kernel})` : `Linux ${allocator} (the ${kernel} port, ${port})`;
}

export function runReportHtml(input: RunReportInput): string {
  const m = input.metrics;
  const cap = input.capture;
  const labels = Object.entries(m.labels).map(([k, v]) => `${k}=${v}`).join(', ');
  const title = `${input.scenario}: ${input.runName}`;
  const parts: string[] = [];
  parts.push(`<h1>${escapeXml(title)}</h1>`);
  parts.push(
    `<p class="sub">${escapeXml(`${runsOn(m.allocator, m.kernel)} on ${m.machine}, ${formatBytes(m.page_size)} pages${labels ? `; ${labels}` : ''}`)}</p>`,
  );
  if (input.description) parts.push(`<p>${escapeXml(input.description)}</p>`);

  parts.push('<h2>Phases</h2>');
  // the charts' time axis is the modeled clock of the calling CPUs and the kworker together: a
  // phase ends at the sum of every caller and kworker ms so far (set-up included), as "ends at" says
  const endMs = new Map(cap.phases.map((p) => [p.name, p.endNs / 1e6]));
  parts.push(
    table(
      ['phase', 'calls', 'failed', 'caller ms', 'kworker ms', 'total ms', 'ends at (ms)', 'p50', 'p99', 'max'],
      Object.entries(m.phases).map(([name, p]) => [
        name,
        p.ops,
        p.failed,
        p.modeled_ms,
        p.balance_ms,
        p.modeled_ms + p.balance_ms,
        endMs.get(name) ?? '-',
        formatNs(p.latency_ns.p50),
        formatNs(p.latency_ns.p99),
        formatNs(p.latency_ns.max),
      ]),
    ),
  );
  parts.push('<p class="sub">caller: the calls on the calling CPU; kworker: the balance work they triggered; total: both; ends at: where the phase ends on the charts\' time axis</p>');
  parts.push(
    table(
      ['balance work', 'runs', 'modeled ms'],
      [['kworker', m.balance.runs, m.balance.modeled_ms]],
    ),
  );
  parts.push('<h2>Footprint</h2>');
  parts.push(
    table(
      ['peak', 'value'],
      [
        ['metadata', formatBytes(m.footprint.metadata_bytes)],
        ['populated pages (all units)', `${formatNumber(m.footprint.populated_pages)} (${formatBytes(m.footprint.populated_pages * m.page_size)})`],
        ['vmalloc space', formatBytes(m.footprint.vmalloc_bytes)],
        ['chunks', m.footprint.chunks],
      ],
    ),
  );
  if (cap.samples.length > 0) {
    const marks = cap.phases.map((p) => ({ ns: p.endNs, label: p.name }));
    parts.push(chart(footprintSvg(cap.samples, { pageSize: cap.pageSize, marks })));
  }

  if (m.memcg) {
    parts.push('<h2>Memory cgroups</h2>');
    if (!m.memcg.charged) {
      parts.push(`<p class="sub">${escapeXml(m.kernel)} has no per-CPU memcg accounting (it came in v5.9): nothing is charged and no call is refused.</p>`);
    } else {
      const top = [...m.memcg.cgroups].sort((x, y) => y.percpu_peak_bytes - x.percpu_peak_bytes || y.refused - x.refused);
      parts.push(
        table(
          ['cgroup', 'memory.max', 'percpu peak', 'percpu end', 'refused'],
          top.map((c) => [c.removed ? `${c.name} (removed)` : c.name, c.max_bytes === null ? 'max' : formatBytes(c.max_bytes), formatBytes(c.percpu_peak_bytes), formatBytes(c.percpu_bytes), c.refused]),
        ),
      );
      parts.push(`<p class="sub">percpu: memory.stat's percpu line (the cgroup and its descendants); refused: accounted calls the cgroup's memory.max refused.</p>`);
    }
  }

  parts.push('<h2>Latency per phase</h2>');
  parts.push(`<div class="charts">${cap.phases.filter((p) => p.histogram.total > 0).map((p) => chart(latencyHistogramSvg(p.histogram))).join('')}</div>`);

  parts.push('<h2>Allocator state after each phase</h2>');
  for (const p of cap.phases) {
    parts.push(`<h3>after ${escapeXml(p.name)}</h3>`);
    if (p.stats) parts.push(chart(occupancyMapSvg(p.stats, { title: `Chunk occupancy after ${p.name}` })));
    if (p.meminfo) parts.push(`<pre>${escapeXml(`# grep Percpu /proc/meminfo\n${p.meminfo}`)}</pre>`);
    if (p.memcgPercpu && Object.keys(p.memcgPercpu).length > 0) parts.push(`<pre>${escapeXml(formatMemcgPercpu(p.memcgPercpu))}</pre>`);
    if (p.statsText) {
      parts.push(`<details><summary>/sys/kernel/debug/percpu_stats</summary><pre>${escapeXml(p.statsText)}</pre></details>`);
    }
  }

  parts.push('<h2>Work counters</h2>');
  parts.push(table(['counter', 'value'], Object.entries(m.counters).map(([k, v]) => [k, v])));
  if (cap.traceLines > 0) parts.push(`<p class="sub">${formatNumber(cap.traceLines)} tracepoint events written to the event log.</p>`);

  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeXml(title)}</title><style>${STYLE}</style></head><body>\n` +
    parts.join('\n') +
    '\n</body></html>\n'
  );
}
