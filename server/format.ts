// Number and point formatting shared by hover, code lens and status texts.

import type { Gradient, Point } from '../engine/api';
// One number formatter for engine messages and server texts alike.
import { formatNumber } from '../engine/format';

export { formatNumber };

const MAX_ELEMENTS = 8;

export function formatValue(v: number | number[] | readonly number[] | unknown): string {
  if (typeof v === 'number') return formatNumber(v);
  if (Array.isArray(v)) {
    const shown = v.slice(0, MAX_ELEMENTS).map((x) => formatValue(x)).join(', ');
    return v.length > MAX_ELEMENTS ? `[${shown}, … (${v.length} elements)]` : `[${shown}]`;
  }
  // A record's gradient has the record's shape (engine/differentiate.ts `shaped`).
  if (typeof v === 'object' && v !== null) return `{ ${Object.entries(v).slice(0, MAX_ELEMENTS).map(([k, x]) => `${k}: ${formatValue(x)}`).join(', ')} }`;
  return String(v);
}

/** `x = 1.5, y = -0.25`, in the given parameter order first. */
export function formatPoint(point: Point, order: readonly string[] = []): string {
  const keys = [...order.filter((k) => k in point), ...Object.keys(point).filter((k) => !order.includes(k))];
  return keys.map((k) => `${k} = ${formatValue(point[k])}`).join(', ');
}

export function formatGradient(g: Gradient, order: readonly string[]): string[] {
  const keys = [...order.filter((k) => k in g), ...Object.keys(g).filter((k) => !order.includes(k))];
  return keys.map((k) => `∂f/∂${k} = ${formatValue(g[k])}`);
}

/** Escapes Markdown's special characters in text that is not inside a code span. */
export function escapeMarkdown(s: string): string {
  return s.replace(/([\\`*_{}[\]()#+!|<>~])/g, '\\$1');
}

/** `command:` link target for a hover: the arguments are a JSON array, URI-encoded. */
export function commandLink(title: string, command: string, args: unknown[]): string {
  return `[${title}](command:${command}?${encodeURIComponent(JSON.stringify(args))})`;
}
