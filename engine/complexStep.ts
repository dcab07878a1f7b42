// The complex-step derivative: f'(x) ≈ Im f(x + ih) / h with h = 1e-200, exact to rounding for
// analytic code because no subtraction cancels. Functions whose complex extension loses the tiny
// imaginary part to rounding (inverse trigonometric and hyperbolic ones, and non-analytic ones
// like abs or min) use the first-order expansion f(a) + i·b·f'(a), as complexify does; exact
// complex formulas are used for the rest.

import { Algebra, applyNumber, numberAlgebra, ScalarOp } from './algebra';
import { localPartials } from './derivativeRules';

export interface Complex {
  re: number;
  im: number;
}

export const COMPLEX_STEP = 1e-200;

const c = (re: number, im = 0): Complex => ({ re, im });

function mul(a: Complex, b: Complex): Complex {
  return c(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
}

function div(a: Complex, b: Complex): Complex {
  if (b.im === 0) return c(a.re / b.re, a.im / b.re);
  const d = b.re * b.re + b.im * b.im;
  return c((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d);
}

function exp(a: Complex): Complex {
  const e = Math.exp(a.re);
  return c(e * Math.cos(a.im), e * Math.sin(a.im));
}

function log(a: Complex): Complex {
  return c(Math.log(Math.hypot(a.re, a.im)), Math.atan2(a.im, a.re));
}

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
  const [a, b] = args;
  if (args.every((x) => x.im === 0)) return c(applyNumber(op, args.map((x) => x.re)));
  switch (op) {
    case '+': return c(a.re + b.re, a.im + b.im);
    case '-': return c(a.re - b.re, a.im - b.im);
    case 'neg': return c(-a.re, -a.im);
    case '*': return mul(a, b);
    case '/': return div(a, b);
    case 'sin': return c(Math.sin(a.re) * Math.cosh(a.im), Math.cos(a.re) * Math.sinh(a.im));
    case 'cos': return c(Math.cos(a.re) * Math.cosh(a.im), -Math.sin(a.re) * Math.sinh(a.im));
    case 'sinh': return c(Math.sinh(a.re) * Math.cos(a.im), Math.cosh(a.re) * Math.sin(a.im));
    case 'cosh': return c(Math.cosh(a.re) * Math.cos(a.im), Math.sinh(a.re) * Math.sin(a.im));
    case 'tan': return div(applyComplex('sin', [a]), applyComplex('cos', [a]));
    case 'tanh':
      // Large |re| overflows sinh/cosh; the first-order form is exact enough there.
      return Math.abs(a.re) > 20 ? firstOrder(op, args) : div(applyComplex('sinh', [a]), applyComplex('cosh', [a]));
    case 'exp': return exp(a);
    case 'log': return a.re > 0 ? log(a) : firstOrder(op, args);
    case 'sqrt': {
      if (a.re <= 0) return firstOrder(op, args);
      const r = Math.hypot(a.re, a.im);
      const s = Math.sqrt((r + a.re) / 2);
      return c(s, a.im / (2 * s));
    }
    case '**':
    case 'pow':
      // Integer powers by repeated multiplication keep negative bases exact.
      if (b.im === 0 && Number.isInteger(b.re) && Math.abs(b.re) <= 64) {
        let r = c(1);
        for (let k = 0; k < Math.abs(b.re); k++) r = mul(r, a);
        return b.re < 0 ? div(c(1), r) : r;
      }
      if (a.re > 0) return exp(mul(b, log(a)));
      return firstOrder(op, args);
    case 'abs': return a.re < 0 ? c(-a.re, -a.im) : a.re > 0 ? a : firstOrder(op, args);
    default: return firstOrder(op, args);
  }
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
