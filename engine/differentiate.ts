// The four ways to differentiate one function at one point, all on the same IR and interpreter:
// reverse mode (tape), forward mode (dual numbers), the complex step, and central differences;
// plus Jacobians and Hessians. Inputs and outputs are flattened to the `@wrt` components.

import { Algebra, numberAlgebra } from './algebra';
import { KinkEvent } from './api';
import { Complex, complexAlgebra, COMPLEX_STEP } from './complexStep';
import { EvalHooks, Interpreter, Value, flatten, fromNumbers } from './evaluate';
import { Dual, dualAlgebra } from './forwardMode';
import { IrFunction, IrParam, Point } from './ir';
import { numericalGradient, richardsonDerivative } from './numerical';
import type { Program } from './program';
import { Tape, TapeValue } from './reverseMode';

/** One scalar input of the flattened `@wrt` parameters. */
export interface Component {
  param: string;
  /** Path of indices into an array parameter (empty for a number). */
  path: number[];
  label: string;
}

export class Differentiator {
  readonly wrtParams: IrParam[];
  readonly components: Component[];

  constructor(
    readonly program: Program,
    readonly fn: IrFunction,
    wrt: string[],
    readonly point: Point,
    readonly budget: number,
  ) {
    this.wrtParams = wrt.map((n) => fn.params.find((p) => p.name === n)!).filter((p) => p !== undefined);
    this.components = [];
    for (const p of this.wrtParams) {
      const v = point[p.name] as Value<number>;
      const walk = (x: Value<number>, path: number[]) => {
        if (Array.isArray(x)) x.forEach((y, i) => walk(y, [...path, i]));
        else this.components.push({ param: p.name, path, label: p.name + path.map((i) => `[${i}]`).join('') });
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
    return this.interpreter(numberAlgebra).run(this.fn, this.args(numberAlgebra, (_k, v) => v, x));
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

  /** Regroups a flat gradient row into `{ param: number | number[] }`. */
  toGradient(flat: number[]): Record<string, number | number[]> {
    const out: Record<string, number | number[]> = {};
    for (const p of this.wrtParams) {
      const shape = this.point[p.name] as Value<number>;
      let k = this.components.findIndex((c) => c.param === p.name);
      const build = (v: Value<number>): Value<number> => (Array.isArray(v) ? v.map(build) : flat[k++]);
      out[p.name] = build(shape) as number | number[];
    }
    return out;
  }
}

export function getAt(v: Value<number>, path: number[]): number {
  let x: Value<number> = v;
  for (const i of path) x = (x as Value<number>[])[i];
  return x as number;
}
