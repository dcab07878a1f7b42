// The scalar algebra every mode plugs into the one IR interpreter (evaluate.ts).
//
// Plain numbers, dual numbers (forward mode), tape nodes (reverse mode), complex numbers (complex
// step) and symbolic expressions all implement this interface; the interpreter only ever asks an
// algebra to combine values and, for control flow, for a value's primal number. What each
// operation computes is declared once, in the table of operations (ops.ts).

import { OPS, RuleAlgebra, ScalarOp } from './ops';

export type { Comparison, ScalarOp } from './ops';

/** An algebra: what the derivative rules use (ops.ts `RuleAlgebra`), and values made outside it. */
export interface Algebra<T> extends RuleAlgebra<T> {
  /**
   * A value computed outside the algebra (a `@derivative` helper, a `@nondifferentiable` one):
   * its primal `value` and its partial derivatives with respect to `inputs`.
   */
  lift(value: number, inputs: T[], partials: number[]): T;
}

/** Evaluates one operation on plain numbers, with the same semantics as JavaScript (ops.ts `number`). */
export function applyNumber(op: ScalarOp, a: number[]): number {
  return OPS[op].number(a[0], a[1]);
}

export const numberAlgebra: Algebra<number> = {
  constant: (c) => c,
  primal: (x) => x,
  apply: applyNumber,
  lift: (value) => value,
};
