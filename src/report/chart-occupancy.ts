/**
 * The chunk occupancy map: a row of cells per chunk, one cell per page (a page is also a hint
 * block in the bitmap allocators), in the order percpu_stats lists the chunks. Each cell fills
 * from the bottom with the share of the page held by allocations; grey from the top is the
 * part outside the chunk's region (static area, hidden head and tail); the background says
 * whether the page is populated (green) or not (white, dashed).
 */
import type { PercpuChunkView, PercpuStatsView } from '../kernel/percpu-stats.ts';
import { INK, MUTED, el, escapeXml, formatBytes, svgDocument, text } from './svg.ts';

export interface OccupancyChartOptions {
  title?: string;
  /** chunks drawn at most (the rest are counted in a note) */
  maxChunks?: number;
  /** cells per line before a chunk's row wraps */
  maxColumns?: number;
  width?: number;
}

const COLOR = {
  allocated: '#1f4e79',
  populated: '#cfe8cf',
  unpopulated: '#ffffff',
  hidden: '#b8b8b8',
  outline: '#7a9a7a',
};

const LABEL_W = 150;
const SUMMARY_W = 170;
const ROW_GAP = 6;

function chunkName(c: PercpuChunkView): string {
  switch (c.role) {
    case 'reserved':
      return 'reserved chunk';
    case 'first':
      return `first chunk (list ${c.list})`;
    case 'sidelined':
      return `chunk ${c.id} (sidelined)`;
    case 'to_depopulate':
      return `chunk ${c.id} (to_depopulate)`;
    default:
      return `chunk ${c.id} (list ${c.list})`;
  }
}

export function occupancyMapSvg(view: PercpuStatsView, o: OccupancyChartOptions = {}): string {
  const maxChunks = o.maxChunks ?? 64;
  const maxColumns = o.maxColumns ?? 128;
  const chunks = view.chunks.slice(0, maxChunks);
  const widest = Math.max(1, ...chunks.map((c) => c.occupancy.allocated.length));
  const columns = Math.min(widest, maxColumns);
  const plotW = (o.width ?? 860) - LABEL_W - SUMMARY_W;
  const cw = Math.max(3, Math.min(14, Math.floor(plotW / columns)));
  const ch = 14;
  const width = LABEL_W + columns * cw + SUMMARY_W;
  const title = o.title ?? `Chunk occupancy (${view.kernel})`;

  let y = 56;
  let rows = '';
  for (const c of chunks) {
    const occ = c.occupancy;
    const pages = occ.allocated.length;
    const lines = Math.max(1, Math.ceil(pages / columns));
    const used = occ.allocated.reduce((a, b) => a + b, 0);
    rows += text(8, y + 11, chunkName(c), { fill: INK });
    rows += text(LABEL_W + columns * cw + 10, y + 11, `${formatBytes(used)} used, ${formatBytes(c.free_bytes)} free`, { fill: MUTED });
    for (let p = 0; p < pages; p++) {
      const x = LABEL_W + (p % columns) * cw;
      const top = y + Math.floor(p / columns) * (ch + 2);
      const pop = occ.populated[p] === 1;
      const alloc = occ.allocated[p]! / occ.pageSize;
      const hidden = occ.hidden[p]! / occ.pageSize;
      const tip = `page ${p}: ${occ.allocated[p]} B allocated${occ.hidden[p] ? `, ${occ.hidden[p]} B outside the region` : ''}, ${pop ? 'populated' : 'not populated'}`;
      let cell = el('rect', {
        x: x + 0.5,
        y: top + 0.5,
        width: cw - 1,
        height: ch - 1,
        fill: pop ? COLOR.populated : COLOR.unpopulated,
        stroke: pop ? 'none' : COLOR.outline,
        'stroke-width': pop ? undefined : 0.6,
        'stroke-dasharray': pop ? undefined : '1.5 1',
      });
      if (hidden > 0) cell += el('rect', { x: x + 0.5, y: top + 0.5, width: cw - 1, height: (ch - 1) * hidden, fill: COLOR.hidden });
      if (alloc > 0) cell += el('rect', { x: x + 0.5, y: top + 0.5 + (ch - 1) * (1 - alloc), width: cw - 1, height: (ch - 1) * alloc, fill: COLOR.allocated });
      rows += el('g', {}, el('title', {}, escapeXml(tip)), cell);
    }
    y += lines * (ch + 2) + ROW_GAP;
  }
  if (view.chunks.length > chunks.length) {
    rows += text(8, y + 11, `… ${view.chunks.length - chunks.length} more chunks not drawn`, { fill: MUTED });
    y += ch + ROW_GAP;
  }
  const height = y + 8;

  let body = text(8, 18, title, { 'font-size': 13, 'font-weight': 600, fill: INK });
  const legend: [string, string, boolean][] = [
    ['allocated', COLOR.allocated, false],
    ['free, populated', COLOR.populated, false],
    ['free, not populated', COLOR.unpopulated, true],
    ['outside the region', COLOR.hidden, false],
  ];
  let lx = 8;
  for (const [name, fill, dashed] of legend) {
    body += el('rect', { x: lx, y: 28, width: 12, height: 12, fill, stroke: dashed ? COLOR.outline : 'none', 'stroke-dasharray': dashed ? '1.5 1' : undefined });
    body += text(lx + 16, 38, name, { fill: INK });
    lx += 30 + name.length * 6;
  }
  body += text(width - 8, 38, `one cell per ${formatBytes(view.page_size)} page`, { 'text-anchor': 'end', fill: MUTED });
  return svgDocument(width, height, title, body + rows);
}
