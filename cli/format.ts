// Text formatting shared by the commands: colours (only where wanted), numbers, points, gradients.

import type { Gradient, Point } from '../engine/index';

export interface Palette {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const plain: Palette = { red: id, yellow: id, green: id, cyan: id, dim: id, bold: id };

function id(s: string): string {
  return s;
}

function sgr(open: number, close: number): (s: string) => string {
  return (s) => `\x1b[${open}m${s}\x1b[${close}m`;
}

const ansi: Palette = {
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  green: sgr(32, 39),
  cyan: sgr(36, 39),
  dim: sgr(2, 22),
  bold: sgr(1, 22),
};

/**
 * Colour on a terminal only: `--color`/`--no-color` decide when given, then NO_COLOR
 * (https://no-color.org: any non-empty value disables), then FORCE_COLOR, then whether the stream is a TTY.
 */
export function wantsColor(
  stream: { isTTY?: boolean },
  env: NodeJS.ProcessEnv,
  override: boolean | undefined,
): boolean {
  if (override !== undefined) return override;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

export function palette(enabled: boolean): Palette {
  return enabled ? ansi : plain;
}

/** A number to `digits` significant digits, without trailing zeros (`0.25`, `1.5e-7`, `NaN`). */
export function formatNumber(n: number, digits: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n === 0) return '0';
  return String(Number(n.toPrecision(digits)));
}

export function formatValue(v: unknown, digits: number): string {
  if (Array.isArray(v)) return `[${v.map((x) => formatValue(x, digits)).join(', ')}]`;
  // A record's gradient has the record's shape (engine/differentiate.ts `shaped`).
  if (typeof v === 'object' && v !== null) return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${formatValue(x, digits)}`).join(', ')} }`;
  return typeof v === 'number' ? formatNumber(v, digits) : String(v);
}

/** `x = 1.5, w = [1, 2]`, the way `@at` is written. */
export function formatPoint(point: Point, digits = 17): string {
  return Object.entries(point)
    .map(([name, v]) => `${name} = ${formatValue(v, digits)}`)
    .join(', ');
}

/** Aligned `name  value` rows. */
export function table(rows: [string, string][], indent = ''): string[] {
  const width = Math.max(0, ...rows.map(([k]) => [...k].length));
  return rows.map(([k, v]) => `${indent}${k}${' '.repeat(width - [...k].length)}  ${v}`);
}

export function gradientRows(gradient: Gradient, digits: number): [string, string][] {
  return Object.entries(gradient).map(([param, v]) => [`∂/∂${param}`, formatValue(v, digits)]);
}

export { plural } from '../engine/format';
