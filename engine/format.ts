// Number and point formatting shared by diagnostics, hovers and the CLI.

/** A number to `digits` significant digits, without trailing zeros; −0 prints as 0. */
export function formatNumber(x: number, digits = 6): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  const s = abs >= 1e-4 && abs < 1e6 ? String(Number(x.toPrecision(digits))) : x.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return s;
}

export function formatValue(v: number | number[] | unknown): string {
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  return typeof v === 'number' ? formatNumber(v) : String(v);
}

/** `x = 1.5, w = [1, 2]` */
export function formatPoint(p: Record<string, unknown>): string {
  return Object.entries(p).map(([k, v]) => `${k} = ${formatValue(v)}`).join(', ');
}
