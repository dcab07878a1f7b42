// The four ways to differentiate one function at one point, all on the same IR and interpreter:
// reverse mode (tape), forward mode (dual numbers), the complex step, and central differences;
// plus Jacobians and Hessians. Inputs and outputs are flattened to the `@wrt` components.

import { Algebra, numberAlgebra } from './algebra';
import { KinkEvent } from './api';
import { Complex, complexAlgebra, COMPLEX_STEP } from './complexStep';
import { EvalHooks, Interpreter, Value, flatten, fromNumbers } from './evaluate';
import { Dual, dualAlgebra } from './forwardMode';
import { IrFunction, IrParam, Point } from './ir';
import { numericalGradient, richardsonAlong, richardsonDerivative } from './numerical';
import type { Program } from './program';
import { Tape, TapeValue } from './reverseMode';

/** One scalar input of the flattened `@wrt` parameters. */
export interface Component {
  param: string;
  /** Path of indices into an array parameter (empty for a number). */
  path: number[];
  label: string;
}

/**
 * Compiled code for the function (engine/compiled/live.ts), structurally: each method gives null
 * where the compiled code cannot be trusted, and the interpreter runs instead.
 */
export interface CompiledEvaluator {
  value(args: Value<number>[]): { value: unknown; kinkSuspect: boolean } | null;
  gradient(args: Value<number>[]): Value<number> | null;
  /** The parameters the generated gradient differentiates, in the order of its result. */
  readonly generatedWrt: string[] | null;
  /** The function over complex numbers (the complex step), where it is analytic. */
  complexStep?(args: Value<number>[]): unknown | null;
}

export class Differentiator {
  readonly wrtParams: IrParam[];
  readonly components: Component[];
  /** Compiled code used where it is trusted (values, finite differences, the gradient); null: the interpreter only. */
  compiled: CompiledEvaluator | null = null;

  constructor(
    readonly program: Program,
    readonly fn: IrFunction,
    wrt: string[],
    readonly point: Point,
    readonly budget: number,
  ) {
    // A parameter held constant (a boolean, a string, an options object) has no derivative.
    this.wrtParams = wrt.map((n) => fn.params.find((p) => p.name === n)!).filter((p) => p !== undefined && !p.constant);
    this.components = [];
    for (const p of this.wrtParams) {
      const v = point[p.name] as Value<number>;
      const walk = (x: Value<number>, path: number[]) => {
        if (Array.isArray(x)) x.forEach((y, i) => walk(y, [...path, i]));
        else this.components.push({ param: p.name, path, label: componentLabel(p, path) });
      };
      walk(v, []);
    }
  }

  /** The point's components as one flat vector. */
  flatPoint(): number[] {
    return this.components.map((c) => getAt(this.point[c.param] as Value<number>, c.path));
  }

  /** Arguments for the algebra: `seed(k, x)` makes the k-th wrt component's value. */
  private args<T>(A: Algebra<T>, seed: (k: number, x: number) => T, x?: number[]): Value<T>[] {
    // Components are numbered in `@wrt` order, which need not be the parameters' order.
    const first = new Map<string, number>();
    this.components.forEach((c, i) => { if (!first.has(c.param)) first.set(c.param, i); });
    return this.fn.params.map((p) => {
      const raw = this.point[p.name] as Value<number>;
      let k = first.get(p.name);
      if (k === undefined) return fromNumbers(A, raw);
      const build = (v: Value<number>): Value<T> => {
        if (Array.isArray(v)) return v.map(build);
        const idx = k!++;
        return seed(idx, x ? x[idx] : (v as number));
      };
      return build(raw);
    });
  }

  private interpreter<T>(A: Algebra<T>, hooks?: EvalHooks<T>): Interpreter<T> {
    return new Interpreter(A, this.program, this.budget, hooks);
  }

  /** The function's value (numbers only). */
  value(x?: number[]): Value<number> {
    const args = this.args(numberAlgebra, (_k, v) => v, x);
    const r = this.compiled?.value(args);
    if (r) return r.value as Value<number>;
    return this.interpreter(numberAlgebra).run(this.fn, args);
  }

  /**
   * Value, Jacobian and kinks as `reverse()` gives them, from the compiled function and its
   * generated gradient where they are trusted: no comparison tied and no operation on its
   * non-differentiable point on values that depend on the inputs (a kink would need the tape's
   * subgradient), every number finite (the interpreter's messages for the others). Else the tape.
   */
  liveReverse(): { value: Value<number>; jacobian: number[][]; kinks: KinkEvent[]; compiled: boolean } {
    const c = this.compiled;
    if (c && c.generatedWrt && c.generatedWrt.join('\u0000') === this.wrtParams.map((p) => p.name).join('\u0000')) {
      const args = this.args(numberAlgebra, (_k, v) => v);
      const r = c.value(args);
      const g = r && !r.kinkSuspect ? c.gradient(args) : null;
      const jacobian = g === null ? null : this.jacobianOf(g, Array.isArray(r!.value));
      if (jacobian) {
        const value = Array.isArray(r!.value) ? flatten(r!.value as Value<number>) as number[] : r!.value as number;
        const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
        if ((Array.isArray(value) ? value.every(finite) : finite(value)) && jacobian.every((row) => row.every(finite))) {
          return { value, jacobian, kinks: [], compiled: true };
        }
      }
    }
    const rev = this.reverse();
    return { value: rev.value, jacobian: rev.jacobian, kinks: rev.kinks, compiled: false };
  }

  /** The generated gradient (a number, an array, a tuple in `@wrt` order; rows of a Jacobian) as rows of flat components, or null if it does not fit. */
  private jacobianOf(g: Value<number>, vector: boolean): number[][] | null {
    const n = this.components.length;
    const rows = vector ? (Array.isArray(g) ? g : null) : [this.wrtParams.length === 1 ? [g] : g];
    if (!rows) return null;
    const out: number[][] = [];
    for (const row of rows) {
      if (!Array.isArray(row)) return null;
      const flat = flatten(row as Value<number>);
      if (flat.length !== n || flat.some((x) => typeof x !== 'number')) return null;
      out.push(flat as number[]);
    }
    return out;
  }

  /**
   * The directional derivative along `v` (flat): the complex step Im f(x + i·h·v) / h where
   * compiled code has it (the function analytic on what depends on the inputs: exact, no
   * subtraction to cancel), else central differences.
   */
  directionalDerivative(v: number[], output = -1): number {
    const c = this.compiled;
    if (c?.complexStep) {
      const h = COMPLEX_STEP;
      const args = this.args(numberAlgebra, (k, x) => (v[k] ? { re: x, im: h * v[k] } as unknown as number : x));
      const out = c.complexStep(args);
      const o = output < 0 ? out : Array.isArray(out) ? flatten(out as Value<number>)[output] : undefined;
      const im = typeof o === 'number' ? 0 : typeof o === 'object' && o !== null && 'im' in o ? (o as Complex).im : NaN;
      if (Number.isFinite(im)) return im / h;
    }
    return this.directionalDifference(v, output);
  }

  /**
   * The directional derivative along `v` (flat) by central differences with Richardson
   * extrapolation, the step scaled to the point's size along v; `output` picks a row (-1: a scalar function).
   */
  directionalDifference(v: number[], output = -1): number {
    const x0 = this.flatPoint();
    let scale = 1;
    let vmax = 0;
    v.forEach((vi, i) => { if (vi !== 0) { scale = Math.max(scale, Math.abs(x0[i])); vmax = Math.max(vmax, Math.abs(vi)); } });
    if (vmax === 0) return 0;
    const f = this.scalar(output);
    return richardsonAlong((h) => f(x0.map((xi, i) => xi + h * v[i])), 1e-3 * scale / vmax);
  }

  /** Scalar view for finite differences; vector outputs pick `output`. */
  scalar(output = -1): (x: number[]) => number {
    return (x) => {
      const v = this.value(x);
      return output < 0 ? (v as number) : (flatten(v)[output] as number);
    };
  }

  /** Reverse mode: value, gradient (flat) and the non-differentiable points met, in one sweep per output. */
  reverse(hooks: Partial<EvalHooks<TapeValue<number>>> = {}, onTape?: (tape: Tape<number>) => void): { value: Value<number>; jacobian: number[][]; kinks: KinkEvent[]; tape: Tape<number>; inputs: number[]; outputs: number[] } {
    const tape = new Tape(numberAlgebra);
    onTape?.(tape);
    const kinks: KinkEvent[] = [];
    const inputs: number[] = [];
    const args = this.args<TapeValue<number>>(tape, (k, v) => { const t = tape.input(v); inputs[k] = t.i; return t; });
    const it = this.interpreter(tape, { ...hooks, kinks, active: (x) => x.i >= 0 });
    const out = it.run(this.fn, args);
    const outs = flatten(out) as TapeValue<number>[];
    const jacobian = outs.map((o) => {
      const adj = tape.backward(o.i);
      return inputs.map((i) => adj[i]);
    });
    const value = Array.isArray(out) ? (outs.map((o) => o.v)) : (out as TapeValue<number>).v;
    return { value, jacobian, kinks, tape, inputs, outputs: outs.map((o) => o.i) };
  }

  /** Forward mode: one sweep per input component; `onAssign` sees every variable's dual value. */
  forward(onSweep?: (k: number) => EvalHooks<Dual>): { value: Value<number>; jacobian: number[][] } {
    const n = this.components.length;
    let value: Value<number> = NaN;
    const columns: number[][] = [];
    for (let k = 0; k < n; k++) {
      const args = this.args<Dual>(dualAlgebra, (idx, v) => ({ v, d: idx === k ? 1 : 0 }));
      const out = this.interpreter(dualAlgebra, onSweep?.(k)).run(this.fn, args);
      const outs = flatten(out) as Dual[];
      value = Array.isArray(out) ? outs.map((o) => o.v) : (out as Dual).v;
      columns.push(outs.map((o) => o.d));
    }
    if (n === 0) value = this.value();
    const m = columns[0]?.length ?? 1;
    const jacobian = Array.from({ length: m }, (_, r) => columns.map((col) => col[r]));
    return { value, jacobian };
  }

  /** Jacobian-vector product along `tangent` (flat). */
  jvp(tangent: number[]): { value: Value<number>; derivative: Value<number> } {
    const args = this.args<Dual>(dualAlgebra, (idx, v) => ({ v, d: tangent[idx] ?? 0 }));
    const out = this.interpreter(dualAlgebra).run(this.fn, args);
    const map = (x: Value<Dual>, f: (d: Dual) => number): Value<number> => (Array.isArray(x) ? x.map((y) => map(y, f)) : f(x as Dual));
    return { value: map(out, (d) => d.v), derivative: map(out, (d) => d.d) };
  }

  /** Complex step, one evaluation per input component. */
  complexStep(): number[][] {
    const n = this.components.length;
    const columns: number[][] = [];
    for (let k = 0; k < n; k++) {
      const args = this.args<Complex>(complexAlgebra, (idx, v) => ({ re: v, im: idx === k ? COMPLEX_STEP : 0 }));
      const out = this.interpreter(complexAlgebra).run(this.fn, args);
      columns.push((flatten(out) as Complex[]).map((o) => o.im / COMPLEX_STEP));
    }
    const m = columns[0]?.length ?? 1;
    return Array.from({ length: m }, (_, r) => columns.map((col) => col[r]));
  }

  /** Complex step along component `k` with step `h` (the methods view plots it against h). */
  complexStepAt(k: number, h: number, output = 0): number {
    const args = this.args<Complex>(complexAlgebra, (idx, v) => ({ re: v, im: idx === k ? h : 0 }));
    const out = this.interpreter(complexAlgebra).run(this.fn, args);
    return (flatten(out) as Complex[])[output].im / h;
  }

  /** Central differences with Richardson extrapolation (scalar functions; `output` picks a row). */
  numerical(output = -1): number[] {
    return numericalGradient(this.scalar(output), this.flatPoint());
  }

  /** One component of `numerical()`. */
  numericalComponent(k: number, output = -1): number {
    return richardsonDerivative(this.scalar(output), this.flatPoint(), k);
  }

  /** Hessian-vector product, forward over reverse: a tape over dual numbers. */
  hvp(v: number[]): { gradient: number[]; hv: number[] } {
    const tape = new Tape<Dual>(dualAlgebra);
    const inputs: number[] = [];
    const args = this.args<TapeValue<Dual>>(tape, (k, x) => { const t = tape.input({ v: x, d: v[k] ?? 0 }); inputs[k] = t.i; return t; });
    const out = this.interpreter(tape).run(this.fn, args) as TapeValue<Dual>;
    const adj = tape.backward(out.i);
    return { gradient: inputs.map((i) => adj[i].v), hv: inputs.map((i) => adj[i].d) };
  }

  /** Full Hessian, one Hessian-vector product per component. */
  hessian(): number[][] {
    const n = this.components.length;
    const rows: number[][] = [];
    for (let k = 0; k < n; k++) {
      const e = new Array(n).fill(0);
      e[k] = 1;
      rows.push(this.hvp(e).hv);
    }
    return rows;
  }

  /** Regroups a flat gradient row into the parameters' own shapes: `{ w: number[], p: { x, y } }`. */
  toGradient(flat: number[]): Record<string, number | number[]> {
    const out: Record<string, number | number[]> = {};
    for (const p of this.wrtParams) {
      const shape = this.point[p.name] as Value<number>;
      let k = this.components.findIndex((c) => c.param === p.name);
      const build = (v: Value<number>): Value<number> => (Array.isArray(v) ? v.map(build) : flat[k++]);
      out[p.name] = shaped(p, build(shape)) as number | number[];
    }
    return out;
  }

  /** The name of output `r` of a vector-valued function: its field, for one returning a record. */
  outputLabel(r: number): string {
    const f = this.fn.returnRecord?.fields[r];
    return f ? f.path : `output ${r}`;
  }
}

/** `p.x` (a record), `ps[2].x` (an array of records), `w[1]`, `M[0][1]`: component `path` of parameter `p`. */
export function componentLabel(p: IrParam, path: number[]): string {
  if (p.record && path.length === p.depth) {
    const f = p.record.fields[path[path.length - 1]];
    return p.name + path.slice(0, -1).map((i) => `[${i}]`).join('') + (f ? `.${f.path}` : `[${path[path.length - 1]}]`);
  }
  return p.name + path.map((i) => `[${i}]`).join('');
}

/** A value of `p` in the IR's form (records as arrays of fields) in the parameter's own shape: `{ x: 1, y: 2 }`. */
export function shaped(p: IrParam, v: Value<number>): unknown {
  const rec = p.record;
  if (!rec) return v;
  const toRecord = (xs: Value<number>[]): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    rec.fields.forEach((f, i) => {
      const parts = f.path.split('.');
      let t = o;
      for (const part of parts.slice(0, -1)) t = (t[part] ??= {}) as Record<string, unknown>;
      t[parts[parts.length - 1]] = xs[i];
    });
    return o;
  };
  const walk = (x: Value<number>, depth: number): unknown => (depth === 1 ? toRecord(x as Value<number>[]) : (x as Value<number>[]).map((y) => walk(y, depth - 1)));
  return Array.isArray(v) ? walk(v, p.depth) : v;
}

export function getAt(v: Value<number>, path: number[]): number {
  let x: Value<number> = v;
  for (const i of path) x = (x as Value<number>[])[i];
  return x as number;
}
