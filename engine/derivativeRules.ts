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
  const only = (...ps: (() => S)[]) => ps.map((p, i) => (active[i] ? p() : zero));
  switch (op) {
    case '+': return only(() => one, () => one);
    case '-': return only(() => one, () => c(-1));
    case '*': return only(() => b, () => a);
    case '/': return only(() => f('/', one, b), () => f('neg', f('/', out, b)));
    case 'neg': return only(() => c(-1));
    case '%': return only(() => one, () => f('neg', f('trunc', f('/', a, b))));
    case '**':
    case 'pow':
      return only(
        () => f('*', b, f(op, a, f('-', b, one))),
        // d/db a^b = a^b ln a; at a = 0 with b > 0 the limit is 0 (as PyTorch masks it).
        () => (A.primal(a) === 0 && A.primal(b) > 0 ? zero : f('*', out, f('log', a))),
      );
    case 'sin': return only(() => f('cos', a));
    case 'cos': return only(() => f('neg', f('sin', a)));
    case 'tan': return only(() => f('+', one, sq(out)));
    case 'asin': return only(() => f('/', one, f('sqrt', f('-', one, sq(a)))));
    case 'acos': return only(() => f('neg', f('/', one, f('sqrt', f('-', one, sq(a))))));
    case 'atan': return only(() => f('/', one, f('+', one, sq(a))));
    case 'atan2': {
      // atan2(y, x): ∂/∂y = x / (x² + y²), ∂/∂x = −y / (x² + y²)
      const r2 = () => f('+', sq(a), sq(b));
      return only(() => f('/', b, r2()), () => f('neg', f('/', a, r2())));
    }
    case 'sinh': return only(() => f('cosh', a));
    case 'cosh': return only(() => f('sinh', a));
    case 'tanh': return only(() => f('-', one, sq(out)));
    case 'asinh': return only(() => f('/', one, f('sqrt', f('+', sq(a), one))));
    case 'acosh': return only(() => f('/', one, f('sqrt', f('-', sq(a), one))));
    case 'atanh': return only(() => f('/', one, f('-', one, sq(a))));
    case 'exp': return only(() => out);
    case 'expm1': return only(() => f('+', out, one));
    case 'log': return only(() => f('/', one, a));
    case 'log1p': return only(() => f('/', one, f('+', one, a)));
    case 'log2': return only(() => f('/', one, f('*', a, c(Math.LN2))));
    case 'log10': return only(() => f('/', one, f('*', a, c(Math.LN10))));
    case 'sqrt': return only(() => f('/', one, f('*', c(2), out)));
    case 'cbrt': return only(() => f('/', one, f('*', c(3), sq(out))));
    case 'abs': return only(() => f('sign', a));
    case 'max': {
      // (1 ± sign(a − b)) / 2: 1 or 0 off the tie, 1/2 each on it.
      const s = () => f('sign', f('-', a, b));
      return only(() => f('/', f('+', one, s()), c(2)), () => f('/', f('-', one, s()), c(2)));
    }
    case 'min': {
      const s = () => f('sign', f('-', a, b));
      return only(() => f('/', f('-', one, s()), c(2)), () => f('/', f('+', one, s()), c(2)));
    }
    case 'hypot':
      // At the origin the minimum-norm subgradient is 0.
      if (A.primal(out) === 0) return [zero, zero];
      return only(() => f('/', a, out), () => f('/', b, out));
    case 'floor': case 'ceil': case 'round': case 'trunc': case 'sign':
      return only(() => zero);
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
