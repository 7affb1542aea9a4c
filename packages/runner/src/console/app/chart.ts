import type { ExportStats } from './types.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/**
 * Exports per time bucket as an SVG bar chart: one bar per bucket (all tenants together), a `<title>` per
 * bar for the exact count and per-tenant split. Hand-drawn: a chart library would outweigh the console.
 */
export function renderChart(container: Element, stats: ExportStats): void {
  const width = 640;
  const height = 140;
  const pad = { left: 32, right: 8, top: 10, bottom: 22 };
  const totals = stats.buckets.map((bucket) => Object.values(bucket.counts).reduce((sum, n) => sum + n, 0));
  const max = Math.max(1, ...totals);
  const plotWidth = width - pad.left - pad.right;
  const plotHeight = height - pad.top - pad.bottom;
  const step = plotWidth / Math.max(1, stats.buckets.length);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Exports over time', 'data-testid': 'export-chart', 'data-total': totals.reduce((a, b) => a + b, 0) });
  root.appendChild(svg('line', { x1: pad.left, y1: pad.top + plotHeight, x2: width - pad.right, y2: pad.top + plotHeight, class: 'axis' }));
  root.appendChild(svg('text', { x: pad.left - 4, y: pad.top + 8, 'text-anchor': 'end', class: 'tick' }, String(max)));
  root.appendChild(svg('text', { x: pad.left - 4, y: pad.top + plotHeight, 'text-anchor': 'end', class: 'tick' }, '0'));
  stats.buckets.forEach((bucket, index) => {
    const total = totals[index] ?? 0;
    const barHeight = (total / max) * plotHeight;
    const x = pad.left + index * step;
    const bar = svg('rect', { x: x + 1, y: pad.top + plotHeight - barHeight, width: Math.max(1, step - 2), height: barHeight, class: 'bar', 'data-count': total });
    const at = new Date(bucket.at);
    const split = Object.entries(bucket.counts).map(([tenant, n]) => `${tenant}: ${n}`).join(', ');
    bar.appendChild(svg('title', {}, `${at.toLocaleString()}: ${total} exported${split === '' ? '' : ` (${split})`}`));
    root.appendChild(bar);
    const every = Math.max(1, Math.ceil(stats.buckets.length / 8));
    if (index % every === 0) {
      const label = `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
      root.appendChild(svg('text', { x: x + step / 2, y: height - 6, 'text-anchor': 'middle', class: 'tick' }, label));
    }
  });
  container.replaceChildren(root);
}
