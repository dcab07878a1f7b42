// The gradient check: a hand-written gradient against reverse-mode AD, with central differences
// (Richardson-extrapolated) as the independent witness. A component is reported wrong only when
// it disagrees with AD beyond the tolerance AND the witness sides with AD; when the witness sides
// with neither, nothing is claimed.

import { numberAlgebra } from './algebra';
import { CheckComponent, EngineDiagnostic, GradientCheck, KinkEvent, PointCheck, Verdict } from './api';
import { Differentiator } from './differentiate';
import { EvalError, Interpreter, Value } from './evaluate';
import { Expr, IrFunction, Point, Range } from './ir';
import type { Program } from './program';
import { formatNumber, formatPoint } from './format';

export interface CheckOptions {
  rtol: number;
  atol: number | null;
  budget: number;
}

export interface CheckInput {
  program: Program;
  fn: IrFunction;
  wrt: string[];
  hand: IrFunction;
  pairedBy: 'tag' | 'name';
  points: Point[];
  /** Reverse-mode results already computed at each point (the check reuses them). */
  reverse?: ({ jacobian: number[][]; kinks: KinkEvent[]; value: unknown } | undefined)[];
  options: CheckOptions;
}

/** Shape of what a gradient function returned, mapped to the flat components. */
interface HandValues {
  values: number[];
  ranges: (Range | null)[];
  shape: string;
}

class ShapeError extends Error {}

export function checkGradient(input: CheckInput): { check: GradientCheck; diagnostics: EngineDiagnostic[] } {
  const { program, fn, wrt, hand, points, options } = input;
  const diagnostics: EngineDiagnostic[] = [];
  const check: GradientCheck = {
    name: hand.name, pairedBy: input.pairedBy, nameRange: hand.nameRange, range: hand.range,
    status: 'ok', shape: '', points: [],
  };
  const relatedFn = [{ range: fn.nameRange, message: `'${fn.name}', differentiated by Gradlens` }];
  const reported = new Set<string>();

  for (let pi = 0; pi < points.length; pi++) {
    const point = points[pi];
    const d = new Differentiator(program, fn, wrt, point, options.budget);
    let ad: number[];
    let kinks: KinkEvent[];
    let handValues: HandValues;
    let vector: boolean;
    try {
      const rev = input.reverse?.[pi] ?? d.reverse();
      vector = rev.jacobian.length !== 1 || Array.isArray(rev.value);
      // Vector-valued: compare the Jacobian row by row, flattened.
      ad = vector ? rev.jacobian.flat() : rev.jacobian[0];
      kinks = rev.kinks;
    } catch (e) {
      if (e instanceof EvalError) { check.status = 'error'; return { check, diagnostics }; }
      throw e;
    }
    // The finite-difference witness costs 4 evaluations a component: computed where it decides
    // a verdict, and everywhere at the first point (the hover shows it) when that is cheap.
    const m = d.components.length;
    const fdCache = new Map<number, number>();
    const fdAt = (k: number): number => {
      let v = fdCache.get(k);
      if (v === undefined) {
        const row = vector ? Math.floor(k / m) : -1;
        v = d.numericalComponent(k % m, row);
        fdCache.set(k, v);
      }
      return v;
    };
    try {
      handValues = evalHand(program, fn, hand, wrt, point, d, options.budget, ad.length);
    } catch (e) {
      if (e instanceof ShapeError) {
        check.status = 'shape';
        diagnostics.push({
          code: 'GL006', severity: 'warning', range: hand.nameRange, functionName: fn.name,
          message: `'${hand.name}' has the wrong shape for the gradient of '${fn.name}': ${e.message}`,
          related: relatedFn,
        });
        return { check, diagnostics };
      }
      if (e instanceof EvalError) {
        check.status = 'error';
        diagnostics.push({ code: e.code, severity: 'warning', range: e.range, functionName: fn.name, message: `While checking '${hand.name}': ${e.message}` });
        return { check, diagnostics };
      }
      throw e;
    }
    check.shape = handValues.shape;

    const maxAd = Math.max(0, ...ad.filter(Number.isFinite).map(Math.abs));
    const atol = options.atol ?? 1e-8 * (1 + maxAd);
    const labels = componentLabels(d, ad.length);
    const components: CheckComponent[] = ad.map((a, k) => {
      const h = handValues.values[k];
      const eager = pi === 0 && ad.length <= 16;
      let f = eager ? fdAt(k) : NaN;
      const relError = Math.abs(h - a) / Math.max(Math.abs(h), Math.abs(a), 1e-300);
      let verdict: Verdict = 'ok';
      if (!Number.isFinite(h) || !Number.isFinite(a)) {
        verdict = Object.is(h, a) ? 'ok' : 'nonfinite';
      } else if (Math.abs(h - a) > atol + options.rtol * Math.max(Math.abs(h), Math.abs(a))) {
        const fdTol = 1e-5 * (1 + Math.max(Math.abs(a), Math.abs(h)));
        f = fdAt(k);
        if (kinks.length > 0) verdict = 'kink';
        else if (Number.isFinite(f) && Math.abs(f - a) <= fdTol && Math.abs(f - h) > fdTol) verdict = 'wrong';
        else verdict = 'unverified';
      }
      const c = labels[k];
      return { label: c.label, param: c.param, index: c.index, hand: h, ad: a, fd: f, relError, verdict, range: handValues.ranges[k] };
    });
    const pc: PointCheck = { point, components, kinks };
    check.points.push(pc);

    // One diagnostic per source range (an array built in a loop shares one), first point only.
    const byRange = new Map<string, CheckComponent[]>();
    for (const c of components) {
      if (c.verdict === 'ok') continue;
      const key = `${c.verdict}:${c.range ? `${c.range.start}-${c.range.end}` : 'name'}`;
      if (reported.has(key)) continue;
      const list = byRange.get(key) ?? [];
      list.push(c);
      byRange.set(key, list);
    }
    for (const [key, list] of byRange) {
      reported.add(key);
      const range = list[0].range ?? hand.nameRange;
      const first = list[0];
      const more = list.length > 1 ? ` (and ${list.length - 1} more component${list.length > 2 ? 's' : ''}: ${list.slice(1, 4).map((c) => c.label).join(', ')}${list.length > 4 ? ', …' : ''})` : '';
      const what = `∂${fn.name}/∂${first.label}`;
      const at = formatPoint(point);
      switch (first.verdict) {
        case 'wrong':
          diagnostics.push({
            code: 'GL001', severity: 'warning', range, functionName: fn.name, related: relatedFn,
            message: `${what} is wrong at ${at}: hand-written ${formatNumber(first.hand)}, AD ${formatNumber(first.ad)}, finite differences ${formatNumber(first.fd)} (relative error ${formatNumber(first.relError, 3)})${more}.`,
          });
          break;
        case 'nonfinite':
          diagnostics.push({
            code: 'GL003', severity: 'warning', range, functionName: fn.name,
            message: `${what} is not finite at ${at}: hand-written ${formatNumber(first.hand)}, AD ${formatNumber(first.ad)}${more}.`,
          });
          break;
        case 'kink':
          diagnostics.push({
            code: 'GL004', severity: 'hint', range, functionName: fn.name,
            message: `${what} differs at ${at} (hand-written ${formatNumber(first.hand)}, AD ${formatNumber(first.ad)}), but the point sits on a non-differentiable point (${kinks[0].description}), where any subgradient is defensible; not reported as an error.`,
          });
          break;
        case 'unverified':
          diagnostics.push({
            code: 'GL008', severity: 'information', range, functionName: fn.name,
            message: `${what} could not be verified at ${at}: hand-written ${formatNumber(first.hand)}, AD ${formatNumber(first.ad)}, finite differences ${formatNumber(first.fd)} side with neither (an ill-conditioned point).`,
          });
          break;
        default:
          break;
      }
    }
  }
  const all = check.points.flatMap((p) => p.components.map((c) => c.verdict));
  check.status = all.includes('wrong') ? 'wrong' : all.includes('nonfinite') ? 'nonfinite' : all.includes('unverified') ? 'unverified' : all.includes('kink') ? 'kink' : 'ok';
  return { check, diagnostics };
}

function componentLabels(d: Differentiator, n: number): { label: string; param: string; index: number | null }[] {
  const comps = d.components;
  if (n === comps.length) return comps.map((c) => ({ label: c.label, param: c.param, index: c.path.length ? c.path[0] : null }));
  // Jacobian: output row r, component c.
  const out: { label: string; param: string; index: number | null }[] = [];
  for (let r = 0; r * comps.length < n; r++) {
    for (const c of comps) out.push({ label: `${c.label} (output ${r})`, param: c.param, index: c.path.length ? c.path[0] : null });
  }
  return out;
}

/** Runs the hand-written gradient and maps its result onto the flat components. */
function evalHand(program: Program, fn: IrFunction, hand: IrFunction, wrt: string[], point: Point, d: Differentiator, budget: number, n: number): HandValues {
  if (hand.params.length !== fn.params.length) {
    throw new ShapeError(`it takes ${hand.params.length} parameter(s); a gradient takes the same parameters as the function (${fn.params.map((p) => p.name).join(', ')})`);
  }
  const it = new Interpreter(numberAlgebra, program, budget);
  const args = fn.params.map((p) => point[p.name] as Value<number>);
  const out = it.run(hand, args);
  const ret = it.lastReturn;
  const values: number[] = [];
  const ranges: (Range | null)[] = [];
  const retExpr = ret?.value ?? null;
  const whole = retExpr?.range ?? hand.nameRange;

  if (fn.returnType === 'arr') {
    // Jacobian: rows = outputs, each row the flat components.
    if (!Array.isArray(out)) throw new ShapeError('a vector-valued function needs a Jacobian (number[][], one row per output)');
    const rows = out as Value<number>[];
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      const flat = Array.isArray(row) ? (row as Value<number>[]).flat(4) as number[] : [row as number];
      flat.forEach((v) => { values.push(v); ranges.push(elementRange(retExpr, r) ?? whole); });
    }
    if (values.length !== n) throw new ShapeError(`its Jacobian has ${values.length} entries, but ${n} are expected (${rows.length} rows)`);
    return { values, ranges, shape: 'Jacobian' };
  }

  const wrtParams = wrt.map((w) => fn.params.find((p) => p.name === w)!);
  let parts: { value: Value<number>; range: Range | null; expr: Expr | null }[];
  let shape: string;
  if (wrtParams.length === 1) {
    parts = [{ value: out, range: whole, expr: retExpr }];
    shape = wrtParams[0].type === 'num' ? 'number' : 'array';
  } else if (ret?.keys) {
    shape = 'object';
    const arr = out as Value<number>[];
    parts = wrtParams.map((p) => {
      const k = ret.keys!.indexOf(p.name);
      if (k < 0) throw new ShapeError(`the returned object has no key '${p.name}' (keys: ${ret.keys!.join(', ')})`);
      return { value: arr[k], range: elementRange(retExpr, k) ?? whole, expr: elementExpr(retExpr, k) };
    });
    const extra = ret.keys.filter((k) => !wrt.includes(k));
    if (extra.length) throw new ShapeError(`the returned object has key(s) ${extra.join(', ')} that are not differentiated parameters (@wrt ${wrt.join(', ')})`);
  } else {
    shape = 'tuple';
    if (!Array.isArray(out)) throw new ShapeError(`it returns a number, but ${wrt.length} parameters are differentiated (${wrt.join(', ')}): return a tuple [${wrt.map((w) => `d${w}`).join(', ')}] or an object`);
    const arr = out as Value<number>[];
    if (arr.length !== wrtParams.length) {
      throw new ShapeError(`it returns ${arr.length} entries, but ${wrtParams.length} parameters are differentiated (${wrt.join(', ')})`);
    }
    parts = wrtParams.map((_, k) => ({ value: arr[k], range: elementRange(retExpr, k) ?? whole, expr: elementExpr(retExpr, k) }));
  }

  wrtParams.forEach((p, k) => {
    const part = parts[k];
    const expected = point[p.name];
    if (p.type === 'num') {
      if (typeof part.value !== 'number') throw new ShapeError(`the entry for '${p.name}' should be a number (∂/∂${p.name}), but it is an array`);
      values.push(part.value);
      ranges.push(part.range);
      return;
    }
    if (!Array.isArray(part.value)) throw new ShapeError(`the entry for '${p.name}' should be an array of ${(expected as number[]).length} numbers, but it is a number`);
    const flat = (part.value as Value<number>[]).flat(4) as number[];
    const want = (expected as Value<number>[]).flat(4).length;
    if (flat.length !== want) throw new ShapeError(`the entry for '${p.name}' has ${flat.length} numbers, but '${p.name}' has ${want} at ${formatPoint(point)}`);
    flat.forEach((v, i) => { values.push(v); ranges.push(elementRange(part.expr, i) ?? part.range); });
  });
  void d;
  return { values, ranges, shape };
}

function elementExpr(e: Expr | null, k: number): Expr | null {
  return e && e.k === 'arrayLit' ? e.elements[k] ?? null : null;
}

function elementRange(e: Expr | null, k: number): Range | null {
  return elementExpr(e, k)?.range ?? null;
}
