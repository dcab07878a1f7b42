// The methods view's log-log plot of finite-difference error against the step h, as SVG markup.
// One-sided differences fall as h (truncation) until round-off (ε/h) takes over: the V. Central
// differences fall as h²; the complex step has no subtraction, so it stays at round-off for tiny h.
// Pure string building (tested in node); every text it embeds goes through escapeXml.

import type { MethodsComparison } from '../../engine/api';

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Errors of exactly 0 (the complex step often hits the reverse-mode value bit for bit) are drawn at this floor. */
export const ERROR_FLOOR = 1e-17;

export interface Series {
  key: 'forward' | 'central' | 'complexStep';
  label: string;
  points: { h: number; error: number; exact: boolean }[];
}

export function errorSeries(curve: MethodsComparison['errorCurve']): Series[] {
  const mk = (key: Series['key'], label: string, pick: (p: MethodsComparison['errorCurve'][number]) => number | null): Series => ({
    key,
    label,
    points: curve
      .filter((p) => p.h > 0 && Number.isFinite(p.h))
      .flatMap((p) => {
        const e = pick(p);
        if (e === null || !Number.isFinite(e)) return [];
        const a = Math.abs(e);
        return [{ h: p.h, error: Math.max(a, ERROR_FLOOR), exact: a < ERROR_FLOOR }];
      }),
  });
  return [
    mk('forward', 'one-sided difference', (p) => p.forward),
    mk('central', 'central difference', (p) => p.central),
    mk('complexStep', 'complex step', (p) => p.complexStep),
  ].filter((s) => s.points.length > 0);
}

export function logLogPlotSvg(curve: MethodsComparison['errorCurve'], width = 520, height = 320): string {
  const series = errorSeries(curve);
  if (series.length === 0) return `<svg class="plot" role="img" aria-label="no error data" width="${width}" height="40"><text x="8" y="24">No error curve for this function.</text></svg>`;
  const all = series.flatMap((s) => s.points);
  const lx = all.map((p) => Math.log10(p.h));
  const ly = all.map((p) => Math.log10(p.error));
  // Whole decades; a range within one decade still spans one (Math.ceil(-0.8) is -0, so no `||`).
  const x0 = Math.floor(Math.min(...lx)), x1 = Math.max(Math.ceil(Math.max(...lx)), x0 + 1);
  const y0 = Math.floor(Math.min(...ly)), y1 = Math.max(Math.ceil(Math.max(...ly)), y0 + 1);
  const m = { l: 56, r: 150, t: 14, b: 40 };
  const pw = width - m.l - m.r, ph = height - m.t - m.b;
  const sx = (h: number) => m.l + ((Math.log10(h) - x0) / Math.max(x1 - x0, 1)) * pw;
  const sy = (e: number) => m.t + (1 - (Math.log10(e) - y0) / Math.max(y1 - y0, 1)) * ph;
  const parts: string[] = [];
  parts.push(`<svg class="plot" role="img" aria-label="finite-difference error against step h, log-log" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`);
  parts.push(`<rect class="plot-frame" x="${m.l}" y="${m.t}" width="${pw}" height="${ph}"/>`);
  const xStep = Math.max(1, Math.ceil((x1 - x0) / 8));
  for (let d = x0; d <= x1; d += xStep) {
    const x = sx(10 ** d);
    parts.push(`<line class="plot-grid" x1="${x}" y1="${m.t}" x2="${x}" y2="${m.t + ph}"/>`);
    parts.push(`<text class="plot-tick" x="${x}" y="${m.t + ph + 16}" text-anchor="middle">1e${d}</text>`);
  }
  const yStep = Math.max(1, Math.ceil((y1 - y0) / 8));
  for (let d = y0; d <= y1; d += yStep) {
    const y = sy(10 ** d);
    parts.push(`<line class="plot-grid" x1="${m.l}" y1="${y}" x2="${m.l + pw}" y2="${y}"/>`);
    parts.push(`<text class="plot-tick" x="${m.l - 6}" y="${y + 4}" text-anchor="end">1e${d}</text>`);
  }
  parts.push(`<text class="plot-axis" x="${m.l + pw / 2}" y="${height - 6}" text-anchor="middle">step h</text>`);
  parts.push(`<text class="plot-axis" transform="translate(14 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">|error| vs reverse mode</text>`);
  series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a.h - b.h);
    const d = pts.map((p, j) => `${j === 0 ? 'M' : 'L'}${sx(p.h).toFixed(1)},${sy(p.error).toFixed(1)}`).join(' ');
    parts.push(`<path class="plot-line series-${s.key}" d="${d}"/>`);
    for (const p of pts) {
      parts.push(`<circle class="plot-dot series-${s.key}${p.exact ? ' exact' : ''}" cx="${sx(p.h).toFixed(1)}" cy="${sy(p.error).toFixed(1)}" r="2.5"><title>${escapeXml(`${s.label}: h = ${p.h.toExponential(1)}, error = ${p.exact ? '0 (exact)' : p.error.toExponential(2)}`)}</title></circle>`);
    }
    const ly2 = m.t + 10 + i * 18;
    parts.push(`<line class="plot-line series-${s.key}" x1="${m.l + pw + 10}" y1="${ly2}" x2="${m.l + pw + 30}" y2="${ly2}"/>`);
    parts.push(`<text class="plot-legend" x="${m.l + pw + 34}" y="${ly2 + 4}">${escapeXml(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
