// The derivative rules, read from the table of operations (ops.ts), where each rule is written once
// over any algebra: forward mode, reverse mode, the complex step's first-order form, the symbolic
// differentiator and the code generators all take their local partials from here, so a rule fixed
// there is fixed everywhere.
//
// Non-differentiable points follow PyTorch: abs'(0) = 0, a tie of min/max splits 1/2–1/2, and the
// step functions (floor, ceil, round, trunc, sign) have derivative 0.

import { OPS, RuleAlgebra, ruleContext, ScalarOp } from './ops';

/**
 * Local partial derivatives ∂out/∂args[i] of `out = op(...args)`. Only the entries with
 * `active[i]` are computed (the others are 0), which avoids NaN·0 for, e.g., the exponent of
 * `x ** 2` where log(x) may not exist.
 */
export function localPartials<S>(A: RuleAlgebra<S>, op: ScalarOp, args: S[], out: S, active: boolean[]): S[] {
  const rules = OPS[op].partials;
  const r = ruleContext(A, args, out);
  const ps: S[] = new Array(rules.length);
  for (let i = 0; i < rules.length; i++) ps[i] = active[i] ? rules[i](r) : r.zero;
  return ps;
}

/**
 * When the arguments of `op` sit on a point where it is not differentiable (a kink or a jump),
 * a short description of it; else null. Only called with the primal values of active arguments.
 */
export function kinkAt(op: ScalarOp, args: number[]): string | null {
  return OPS[op].kink?.(args[0], args[1]) ?? null;
}
