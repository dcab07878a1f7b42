// The complex-step derivative: f'(x) ≈ Im f(x + ih) / h with h = 1e-200, exact to rounding for
// analytic code because no subtraction cancels. Each operation's exact complex extension is in the
// table of operations (ops.ts); where it has none, or its formula would lose the tiny imaginary
// part to rounding (inverse trigonometric and hyperbolic functions, and non-analytic ones like abs
// or min), the first-order expansion f(a) + i·b·f'(a) is used, as complexify does.

import { Algebra, applyNumber, numberAlgebra, ScalarOp } from './algebra';
import { localPartials } from './derivativeRules';
import { Complex, complex as c, OPS } from './ops';

export type { Complex } from './ops';

export const COMPLEX_STEP = 1e-200;

/** f(a) + i·b·f'(a), with f' from the shared rule table. */
function firstOrder(op: ScalarOp, args: Complex[]): Complex {
  const re = args.map((x) => x.re);
  const v = applyNumber(op, re);
  const active = args.map((x) => x.im !== 0);
  if (!active.includes(true)) return c(v);
  const p = localPartials(numberAlgebra, op, re, v, active);
  let im = 0;
  for (let k = 0; k < args.length; k++) if (active[k]) im += p[k] * args[k].im;
  return c(v, im);
}

export function applyComplex(op: ScalarOp, args: Complex[]): Complex {
  if (args.every((x) => x.im === 0)) return c(applyNumber(op, args.map((x) => x.re)));
  return OPS[op].complex?.(args[0], args[1]) ?? firstOrder(op, args);
}

export const complexAlgebra: Algebra<Complex> = {
  constant: (v) => c(v),
  primal: (x) => x.re,
  apply: applyComplex,
  lift(value, inputs, partials) {
    let im = 0;
    for (let k = 0; k < inputs.length; k++) im += partials[k] * inputs[k].im;
    return c(value, im);
  },
};
