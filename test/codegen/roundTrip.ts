// One check of every code generator on one function: the reverse-mode gradient (or Jacobian), the
// JVP and the Hessian are generated, type-checked under --strict together with the source, run,
// and compared with the engine's analysis and with finite differences.

import * as assert from 'assert';
import { CodegenMode } from '../../engine/api';
import { generateDerivative } from '../../engine/codegen/generate';
import { gradientAt } from '../../engine/queries';
import { Arg, finiteDifferences, flat, load, relError, typeErrors } from './harness';

export interface RoundTrip {
  src: string;
  fn: string;
  /** Argument values, keyed by parameter name, in parameter order. */
  point: Record<string, Arg>;
  /** The differentiated parameters (default: those of the analysis). */
  wrt?: string[];
}

function generated(src: string, fn: string, mode: CodegenMode): { name: string; code: string } {
  const r = generateDerivative(src, fn, mode);
  assert.ok(r.generated, `${fn} ${mode}: no code: ${JSON.stringify(r.diagnostics)}`);
  return r.generated;
}

function compiled(src: string, parts: string[], what: string): Record<string, (...args: unknown[]) => unknown> {
  const full = [src, ...parts].join('\n');
  assert.deepStrictEqual(typeErrors(full), [], `${what}:\n${full}`);
  return load(full);
}

/** The reverse-mode gradient (flat) or Jacobian (rows), checked against the analysis and finite differences. */
export function checkReverse(t: RoundTrip): number[][] {
  const rev = generated(t.src, t.fn, 'reverse');
  const mod = compiled(t.src, [rev.code], `${t.fn} reverse`);
  const args = Object.values(t.point);
  const out = mod[rev.name](...args);
  const vector = Array.isArray(mod[t.fn](...args));
  const rows = vector ? (out as number[][]).map(flat) : [flat(out)];
  const ad = gradientAt(t.src, t.fn, t.point);
  assert.deepStrictEqual(ad.diagnostics, [], `${t.fn}: the analysis`);
  const want = ad.jacobian ?? [flat(Object.values(ad.gradient!))];
  assert.ok(relError(rows.flat(), want.flat()) < 1e-10, `${t.fn} reverse vs analysis: got ${rows}\nwant ${want}\n${rev.code}`);
  const names = Object.keys(t.point);
  const wrt = t.wrt ?? (ad.gradient ? Object.keys(ad.gradient) : names.filter((n) => typeof t.point[n] === 'number' || Array.isArray(t.point[n])));
  const fd = finiteDifferences(mod[t.fn] as (...a: Arg[]) => number | number[], args, wrt.map((n) => names.indexOf(n)));
  assert.ok(relError(rows.flat(), fd.flat()) < 1e-7, `${t.fn} reverse vs finite differences: got ${rows}\nwant ${fd}`);
  return rows;
}

/** A fixed direction with the shape of the `wrt` arguments. */
export function direction(args: Arg[]): Arg[] {
  let k = 3;
  const next = () => Math.sin(++k * 1.7) + 0.3;
  return args.map((a) => (typeof a === 'number' ? next() : a.map(() => next())));
}

/** The JVP along a fixed direction, against J·v of the verified reverse mode. */
export function checkJvp(t: RoundTrip, rows: number[][], wrt: string[]): void {
  const jvp = generated(t.src, t.fn, 'jvp');
  const mod = compiled(t.src, [jvp.code], `${t.fn} jvp`);
  const args = Object.values(t.point);
  const names = Object.keys(t.point);
  const dirs = direction(wrt.map((n) => args[names.indexOf(n)]));
  const [value, derivative] = mod[jvp.name](...args, ...dirs) as [unknown, unknown];
  assert.ok(relError(flat(value), flat(mod[t.fn](...args))) < 1e-14, `${t.fn} jvp: value`);
  const v = flat(dirs);
  const jv = rows.map((row) => row.reduce((s, g, i) => s + g * v[i], 0));
  assert.ok(relError(flat(derivative), jv) < 1e-10, `${t.fn} jvp: got ${flat(derivative)} want ${jv}\n${jvp.code}`);
}

/** The Hessian, against central differences (with one Richardson step) of the generated gradient. */
export function checkHessian(t: RoundTrip, wrt: string[]): number[][] {
  const rev = generated(t.src, t.fn, 'reverse');
  const hes = generated(t.src, t.fn, 'hessian');
  // the two outputs may both define helper functions: each is loaded beside the source on its own
  const revMod = compiled(t.src, [rev.code], `${t.fn} reverse`);
  const mod = compiled(t.src, [hes.code], `${t.fn} hessian`);
  const args = Object.values(t.point);
  const names = Object.keys(t.point);
  const H = mod[hes.name](...args) as number[][];
  let col = 0;
  for (const n of wrt) {
    const pi = names.indexOf(n);
    const count = typeof args[pi] === 'number' ? 1 : (args[pi] as number[]).length;
    for (let k = 0; k < count; k++, col++) {
      const at = (delta: number) => {
        const a = args.map((x) => (Array.isArray(x) ? x.slice() : x));
        if (typeof a[pi] === 'number') a[pi] = (a[pi] as number) + delta; else (a[pi] as number[])[k] += delta;
        return flat(revMod[rev.name](...a));
      };
      const x0 = typeof args[pi] === 'number' ? (args[pi] as number) : (args[pi] as number[])[k];
      const h = 1e-3 * Math.max(1, Math.abs(x0));
      const d = (s: number) => { const p = at(s); const m = at(-s); return p.map((x, i) => (x - m[i]) / (2 * s)); };
      const d1 = d(h);
      const d2 = d(h / 2);
      const fd = d1.map((x, i) => (4 * d2[i] - x) / 3);
      const got = H.map((row) => row[col]);
      assert.ok(relError(got, fd) < 1e-6, `${t.fn} hessian column ${col}: got ${got} want ${fd}\n${hes.code}`);
    }
  }
  assert.strictEqual(H.length, col);
  return H;
}

/** Every mode that applies: reverse, JVP, and (scalar functions) the Hessian. */
export function checkAllModes(t: RoundTrip): void {
  const rows = checkReverse(t);
  const ad = gradientAt(t.src, t.fn, t.point);
  const wrt = t.wrt ?? (ad.gradient ? Object.keys(ad.gradient) : Object.keys(t.point));
  checkJvp(t, rows, wrt);
  if (!ad.jacobian) checkHessian(t, wrt);
}
