// The scalar algebra every mode plugs into the one IR interpreter (evaluate.ts).
//
// Plain numbers, dual numbers (forward mode), tape nodes (reverse mode), complex numbers (complex
// step) and symbolic expressions all implement this interface; the interpreter only ever asks an
// algebra to combine values and, for control flow, for a value's primal number.

import { ArithOp, MathFn } from './ir';

export type ScalarOp = ArithOp | 'neg' | MathFn;

export interface Algebra<T> {
  constant(c: number): T;
  /** The real number a value stands for (branch conditions, indices, loop bounds). */
  primal(x: T): number;
  /** Unary minus, the arithmetic operators and every Math function. */
  apply(op: ScalarOp, args: T[]): T;
  /**
   * A value computed outside the algebra (a `@derivative` helper, a `@nondifferentiable` one):
   * its primal `value` and its partial derivatives with respect to `inputs`.
   */
  lift(value: number, inputs: T[], partials: number[]): T;
}

/** Evaluates one operation on plain numbers, with the same semantics as JavaScript. */
export function applyNumber(op: ScalarOp, a: number[]): number {
  const x = a[0];
  switch (op) {
    case '+': return x + a[1];
    case '-': return x - a[1];
    case '*': return x * a[1];
    case '/': return x / a[1];
    case '%': return x % a[1];
    case '**': return x ** a[1];
    case 'neg': return -x;
    case 'pow': return Math.pow(x, a[1]);
    case 'atan2': return Math.atan2(x, a[1]);
    case 'min': return Math.min(x, a[1]);
    case 'max': return Math.max(x, a[1]);
    case 'hypot': return Math.hypot(x, a[1]);
    default: return (Math[op] as (v: number) => number)(x);
  }
}

export const numberAlgebra: Algebra<number> = {
  constant: (c) => c,
  primal: (x) => x,
  apply: applyNumber,
  lift: (value) => value,
};
