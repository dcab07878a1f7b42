// Number and point formatting shared by diagnostics, hovers and the CLI.

/**
 * A number to `digits` significant digits, trailing zeros dropped; exponent form outside
 * [1e-4, 1e6) (`1.5e7`, `2e-9`). Shared by diagnostics, hovers, code lenses and status texts.
 */
export function formatNumber(x: number, digits = 6): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e6) return String(Number(x.toPrecision(digits)));
  const [mantissa, exponent] = x.toExponential(digits - 1).split('e');
  const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  return `${m}e${exponent.replace('+', '')}`;
}

export function formatValue(v: number | number[] | unknown): string {
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  return typeof v === 'number' ? formatNumber(v) : String(v);
}

/** `x = 1.5, w = [1, 2]` */
export function formatPoint(p: Record<string, unknown>): string {
  return Object.entries(p).map(([k, v]) => `${k} = ${formatValue(v)}`).join(', ');
}
