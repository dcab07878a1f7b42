// One derivative rule per operation, written once over any algebra: forward mode, reverse mode,
// the symbolic differentiator and the code generators all take their local partials from here, so
// a rule fixed here is fixed everywhere.
//
// Non-differentiable points follow PyTorch: abs'(0) = 0, a tie of min/max splits 1/2–1/2, and the
// step functions (floor, ceil, round, trunc, sign) have derivative 0.

import { Algebra, ScalarOp } from './algebra';

/**
 * Local partial derivatives ∂out/∂args[i] of `out = op(...args)`. Only the entries with
 * `active[i]` are computed (the others are 0), which avoids NaN·0 for, e.g., the exponent of
 * `x ** 2` where log(x) may not exist.
 */
export function localPartials<S>(A: Algebra<S>, op: ScalarOp, args: S[], out: S, active: boolean[]): S[] {
  const c = (v: number) => A.constant(v);
  const f = (o: ScalarOp, ...xs: S[]) => A.apply(o, xs);
  const [a, b] = args;
  const sq = (x: S) => f('*', x, x);
  const one = c(1);
  const zero = c(0);
  const [a0, a1] = active;
  switch (op) {
    case '+': return [a0 ? one : zero, a1 ? one : zero];
    case '-': return [a0 ? one : zero, a1 ? c(-1) : zero];
    case '*': return [a0 ? b : zero, a1 ? a : zero];
    case '/': return [a0 ? f('/', one, b) : zero, a1 ? f('neg', f('/', out, b)) : zero];
    case 'neg': return [a0 ? c(-1) : zero];
    case '%': return [a0 ? one : zero, a1 ? f('neg', f('trunc', f('/', a, b))) : zero];
    case '**':
    case 'pow':
      return [
        a0 ? f('*', b, f(op, a, f('-', b, one))) : zero,
        // d/db a^b = a^b ln a; at a = 0 with b > 0 the limit is 0 (as PyTorch masks it).
        a1 ? (A.primal(a) === 0 && A.primal(b) > 0 ? zero : f('*', out, f('log', a))) : zero,
      ];
    case 'sin': return [a0 ? f('cos', a) : zero];
    case 'cos': return [a0 ? f('neg', f('sin', a)) : zero];
    case 'tan': return [a0 ? f('+', one, sq(out)) : zero];
    case 'asin': return [a0 ? f('/', one, f('sqrt', f('-', one, sq(a)))) : zero];
    case 'acos': return [a0 ? f('neg', f('/', one, f('sqrt', f('-', one, sq(a))))) : zero];
    case 'atan': return [a0 ? f('/', one, f('+', one, sq(a))) : zero];
    case 'atan2': {
      // atan2(y, x): ∂/∂y = x / (x² + y²), ∂/∂x = −y / (x² + y²)
      const r2 = () => f('+', sq(a), sq(b));
      return [a0 ? f('/', b, r2()) : zero, a1 ? f('neg', f('/', a, r2())) : zero];
    }
    case 'sinh': return [a0 ? f('cosh', a) : zero];
    case 'cosh': return [a0 ? f('sinh', a) : zero];
    case 'tanh': return [a0 ? f('-', one, sq(out)) : zero];
    case 'asinh': return [a0 ? f('/', one, f('sqrt', f('+', sq(a), one))) : zero];
    case 'acosh': return [a0 ? f('/', one, f('sqrt', f('-', sq(a), one))) : zero];
    case 'atanh': return [a0 ? f('/', one, f('-', one, sq(a))) : zero];
    case 'exp': return [a0 ? out : zero];
    case 'expm1': return [a0 ? f('+', out, one) : zero];
    case 'log': return [a0 ? f('/', one, a) : zero];
    case 'log1p': return [a0 ? f('/', one, f('+', one, a)) : zero];
    case 'log2': return [a0 ? f('/', one, f('*', a, c(Math.LN2))) : zero];
    case 'log10': return [a0 ? f('/', one, f('*', a, c(Math.LN10))) : zero];
    case 'sqrt': return [a0 ? f('/', one, f('*', c(2), out)) : zero];
    case 'cbrt': return [a0 ? f('/', one, f('*', c(3), sq(out))) : zero];
    case 'abs': return [a0 ? f('sign', a) : zero];
    case 'max': {
      // (1 ± sign(a − b)) / 2: 1 or 0 off the tie, 1/2 each on it.
      const s = () => f('sign', f('-', a, b));
      return [a0 ? f('/', f('+', one, s()), c(2)) : zero, a1 ? f('/', f('-', one, s()), c(2)) : zero];
    }
    case 'min': {
      const s = () => f('sign', f('-', a, b));
      return [a0 ? f('/', f('-', one, s()), c(2)) : zero, a1 ? f('/', f('+', one, s()), c(2)) : zero];
    }
    case 'hypot':
      // At the origin the minimum-norm subgradient is 0.
      if (A.primal(out) === 0) return [zero, zero];
      return [a0 ? f('/', a, out) : zero, a1 ? f('/', b, out) : zero];
    case 'floor': case 'ceil': case 'round': case 'trunc': case 'sign':
      return [zero];
  }
}

/**
 * When the arguments of `op` sit on a point where it is not differentiable (a kink or a jump),
 * a short description of it; else null. Only called with the primal values of active arguments.
 */
export function kinkAt(op: ScalarOp, args: number[]): string | null {
  const [a, b] = args;
  const fmt = (v: number) => String(Number(v.toPrecision(6)));
  switch (op) {
    case 'abs': return a === 0 ? 'abs at 0' : null;
    case 'sign': return a === 0 ? 'sign at 0' : null;
    case 'max': case 'min': return a === b ? `tie in Math.${op}(${fmt(a)}, ${fmt(b)})` : null;
    case 'floor': case 'ceil': case 'trunc': return Number.isInteger(a) ? `Math.${op} at the integer ${fmt(a)}` : null;
    case 'round': return Number.isInteger(a - 0.5) ? `Math.round at ${fmt(a)}` : null;
    case '%': return b !== 0 && Number.isInteger(a / b) ? `% at a multiple (${fmt(a)} % ${fmt(b)})` : null;
    case 'hypot': return a === 0 && b === 0 ? 'Math.hypot at the origin' : null;
    default: return null;
  }
}
