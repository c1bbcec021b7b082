/**
 * Hand-written SVG: escaping, element strings, fixed-precision numbers (the same input gives
 * the same bytes on every machine), "nice" axis ticks and the palette the charts share.
 */

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** a coordinate or size with at most two decimals, no trailing zeros */
export function num(v: number): string {
  if (!Number.isFinite(v)) return '0';
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

export type Attrs = Record<string, string | number | undefined>;

function attrText(attrs: Attrs): string {
  let s = '';
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    s += ` ${k}="${typeof v === 'number' ? num(v) : escapeXml(v)}"`;
  }
  return s;
}

/** `<tag attrs>children</tag>`, or self-closing without children */
export function el(tag: string, attrs: Attrs, ...children: string[]): string {
  const body = children.join('');
  return body === '' ? `<${tag}${attrText(attrs)}/>` : `<${tag}${attrText(attrs)}>${body}</${tag}>`;
}

export function text(x: number, y: number, content: string, attrs: Attrs = {}): string {
  return el('text', { x, y, ...attrs }, escapeXml(content));
}

/** a complete standalone SVG document (also valid inline in HTML) */
export function svgDocument(width: number, height: number, title: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}"` +
    ` font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="11" role="img">` +
    `<title>${escapeXml(title)}</title>` +
    el('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }) +
    body +
    '</svg>'
  );
}

/** series colours: distinguishable, colour-blind friendly (Okabe–Ito) */
export const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#f0e442', '#000000'];

export const INK = '#222222';
export const GRID = '#e3e3e3';
export const MUTED = '#666666';

/** 1, 2 or 5 times a power of ten: ticks covering [lo, hi] */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toFixed(decimals)) + 0);
  return out;
}

/** a short label for a tick value: 1.5k, 2M, 0.25 */
export function shortNumber(v: number): string {
  const a = Math.abs(v);
  const fmt = (x: number): string => String(Math.round(x * 100) / 100);
  if (a >= 1e9) return `${fmt(v / 1e9)}G`;
  if (a >= 1e6) return `${fmt(v / 1e6)}M`;
  if (a >= 1e4) return `${fmt(v / 1e3)}k`;
  return fmt(v);
}

/** a duration in ns as ns, µs, ms or s */
export function formatNs(ns: number): string {
  const fmt = (x: number): string => String(Math.round(x * 100) / 100);
  if (ns >= 1e9) return `${fmt(ns / 1e9)} s`;
  if (ns >= 1e6) return `${fmt(ns / 1e6)} ms`;
  if (ns >= 1e3) return `${fmt(ns / 1e3)} µs`;
  return `${fmt(ns)} ns`;
}

/** bytes as B, KiB, MiB, GiB */
export function formatBytes(b: number): string {
  const fmt = (x: number): string => String(Math.round(x * 10) / 10);
  if (b >= 2 ** 30) return `${fmt(b / 2 ** 30)} GiB`;
  if (b >= 2 ** 20) return `${fmt(b / 2 ** 20)} MiB`;
  if (b >= 2 ** 10) return `${fmt(b / 2 ** 10)} KiB`;
  return `${b} B`;
}
