// The derivative of every Math function of SPEC §2 (and of `**` and `%`), by forward and reverse
// mode, against a derivative written out by hand here (independent of the engine's rule table),
// the complex step, and Richardson-extrapolated central differences, at several points each,
// including near the edges of each domain; and PyTorch's conventions where a function is not
// differentiable, where the engine must also report the kink (and only there).

import assert from 'node:assert/strict';
import { Differentiator } from '../../engine/differentiate';
import { MATH_FNS } from '../../engine/ir';
import { centralDifference } from '../../engine/numerical';
import { parseProgram } from '../../engine/program';

interface At {
  x: number[];
  /**
   * Step for the finite differences, near a domain edge or a pole (the engine's default step,
   * 1e-3·max(1, |x|), would step across it). Default: the engine's own `numerical()`.
   */
  h?: number;
  /** A non-differentiable point: the expected value is PyTorch's convention, and a kink is reported. */
  kink?: boolean;
  /**
   * Relative tolerance against the hand-written derivative where the engine's rule is
   * ill-conditioned (`1 − x²` as x → 1 loses about log10(1/(1 − x²)) digits). Default 1e-12.
   */
  rtol?: number;
}

interface Case {
  /** The Math function (or operator) under test. */
  op: string;
  /** The function body's expression, in `x` (and `y`). */
  expr: string;
  /** The same function in JavaScript, to check the value. */
  f: (x: number, y: number) => number;
  /** Its gradient, written independently of the engine. */
  df: (x: number, y: number) => number[];
  at: At[];
  /** Number of parameters (1: x; 2: x, y). */
  arity?: 1 | 2;
}

const at = (...x: number[]): At => ({ x });
const edge = (h: number, ...x: number[]): At => ({ x, h });
const kink = (...x: number[]): At => ({ x, kink: true });
const illConditioned = (rtol: number, p: At): At => ({ ...p, rtol });

const HALF_PI = Math.PI / 2;

const CASES: Case[] = [
  // Trigonometric.
  { op: 'sin', expr: 'Math.sin(x)', f: Math.sin, df: (x) => [Math.cos(x)], at: [at(0.7), at(-2.3), at(10), at(0)] },
  { op: 'cos', expr: 'Math.cos(x)', f: Math.cos, df: (x) => [-Math.sin(x)], at: [at(0.7), at(-2.3), at(HALF_PI), at(0)] },
  { op: 'tan', expr: 'Math.tan(x)', f: Math.tan, df: (x) => [1 / Math.cos(x) ** 2], at: [at(0.3), at(-1.2), edge(1e-5, HALF_PI - 1e-3), edge(1e-5, -HALF_PI + 1e-3)] },
  { op: 'asin', expr: 'Math.asin(x)', f: Math.asin, df: (x) => [1 / Math.sqrt((1 - x) * (1 + x))], at: [at(0.3), at(-0.6), edge(1e-5, 0.999), edge(1e-5, -0.999), illConditioned(1e-10, edge(1e-8, 1 - 1e-6))] },
  { op: 'acos', expr: 'Math.acos(x)', f: Math.acos, df: (x) => [-1 / Math.sqrt((1 - x) * (1 + x))], at: [at(0.3), at(-0.6), edge(1e-5, 0.999), edge(1e-5, -0.999)] },
  { op: 'atan', expr: 'Math.atan(x)', f: Math.atan, df: (x) => [1 / (1 + x * x)], at: [at(0.5), at(-3), at(100), at(0)] },
  {
    op: 'atan2', arity: 2, expr: 'Math.atan2(x, y)', f: Math.atan2, df: (y, x) => [x / (x * x + y * y), -y / (x * x + y * y)],
    // Next to the branch cut (the negative x axis) the derivative is smooth; a step must not cross it.
    at: [at(1, 2), at(-0.5, 0.3), at(0.3, -2), edge(1e-6, 1e-4, -1), edge(1e-6, -1e-4, -1), at(2, 0)],
  },
  // Hyperbolic.
  { op: 'sinh', expr: 'Math.sinh(x)', f: Math.sinh, df: (x) => [Math.cosh(x)], at: [at(0.5), at(-2), at(20), at(0)] },
  { op: 'cosh', expr: 'Math.cosh(x)', f: Math.cosh, df: (x) => [Math.sinh(x)], at: [at(0.5), at(-2), at(20), at(0)] },
  { op: 'tanh', expr: 'Math.tanh(x)', f: Math.tanh, df: (x) => [1 / Math.cosh(x) ** 2], at: [at(0.5), at(-2), at(20), at(-25), at(0)] },
  { op: 'asinh', expr: 'Math.asinh(x)', f: Math.asinh, df: (x) => [1 / Math.sqrt(x * x + 1)], at: [at(0.5), at(-3), at(1e3), at(0)] },
  { op: 'acosh', expr: 'Math.acosh(x)', f: Math.acosh, df: (x) => [1 / Math.sqrt((x - 1) * (x + 1))], at: [at(1.5), at(5), edge(1e-5, 1.001), illConditioned(1e-10, edge(1e-8, 1 + 1e-6)), at(1e3)] },
  { op: 'atanh', expr: 'Math.atanh(x)', f: Math.atanh, df: (x) => [1 / ((1 - x) * (1 + x))], at: [at(0.3), at(-0.6), edge(1e-5, 0.999), edge(1e-5, -0.999), at(0)] },
  // Exponentials and logarithms.
  { op: 'exp', expr: 'Math.exp(x)', f: Math.exp, df: (x) => [Math.exp(x)], at: [at(0.5), at(-3), at(10), at(-200)] },
  { op: 'expm1', expr: 'Math.expm1(x)', f: Math.expm1, df: (x) => [Math.exp(x)], at: [at(0.5), at(-3), edge(1e-10, 1e-8), at(0)] },
  { op: 'log', expr: 'Math.log(x)', f: Math.log, df: (x) => [1 / x], at: [at(0.5), at(3), at(1e6), edge(1e-10, 1e-8)] },
  { op: 'log1p', expr: 'Math.log1p(x)', f: Math.log1p, df: (x) => [1 / (1 + x)], at: [at(0.5), at(3), edge(1e-5, -0.999), edge(1e-10, 1e-8)] },
  { op: 'log2', expr: 'Math.log2(x)', f: Math.log2, df: (x) => [1 / (x * Math.LN2)], at: [at(0.5), at(3), edge(1e-10, 1e-8)] },
  { op: 'log10', expr: 'Math.log10(x)', f: Math.log10, df: (x) => [1 / (x * Math.LN10)], at: [at(0.5), at(3), edge(1e-10, 1e-8)] },
  // Roots and powers.
  { op: 'sqrt', expr: 'Math.sqrt(x)', f: Math.sqrt, df: (x) => [0.5 / Math.sqrt(x)], at: [at(0.5), at(4), at(1e6), edge(1e-12, 1e-10)] },
  { op: 'cbrt', expr: 'Math.cbrt(x)', f: Math.cbrt, df: (x) => [1 / (3 * Math.cbrt(x) ** 2)], at: [at(0.5), at(-8), at(27), edge(1e-11, 1e-9), edge(1e-11, -1e-9)] },
  {
    op: 'pow', arity: 2, expr: 'Math.pow(x, y)', f: Math.pow, df: (x, y) => [y * Math.pow(x, y - 1), Math.pow(x, y) * Math.log(x)],
    at: [at(2, 0.5), at(0.5, -1.5), at(3, 2.5), at(1, 3), at(1.7, -3)],
  },
  // A negative base with an integer exponent: the exponent is a constant (its derivative, ln of a negative number, does not exist).
  { op: 'pow', expr: 'Math.pow(x, 3)', f: (x) => Math.pow(x, 3), df: (x) => [3 * x * x], at: [at(-1.5), at(2), at(0), at(-1e-3)] },
  { op: 'pow', expr: 'Math.pow(x, -2)', f: (x) => Math.pow(x, -2), df: (x) => [-2 / x ** 3], at: [at(-0.7), at(3), at(-40)] },
  { op: 'pow', expr: 'Math.pow(x, 0.5)', f: (x) => Math.pow(x, 0.5), df: (x) => [0.5 / Math.sqrt(x)], at: [at(2), edge(1e-12, 1e-10)] },
  // At a zero base the derivative with respect to the exponent is the limit 0 (PyTorch masks it the same way).
  { op: 'pow', arity: 2, expr: 'Math.pow(x, y)', f: Math.pow, df: (_x, y) => [y === 1 ? 1 : 0, 0], at: [at(0, 2), at(0, 3)] },
  {
    op: '**', arity: 2, expr: 'x ** y', f: (x, y) => x ** y, df: (x, y) => [y * x ** (y - 1), x ** y * Math.log(x)],
    at: [at(1.7, 2.2), at(0.3, -0.5), at(2, 10)],
  },
  { op: '**', expr: 'x ** 3', f: (x) => x ** 3, df: (x) => [3 * x * x], at: [at(-1.5), at(0.5), at(0)] },
  { op: '**', expr: 'x ** -3', f: (x) => x ** -3, df: (x) => [-3 / x ** 4], at: [at(-1.5), at(0.5)] },
  { op: '**', expr: '2 ** x', f: (x) => 2 ** x, df: (x) => [2 ** x * Math.LN2], at: [at(0.5), at(-3), at(10)] },
  // Non-smooth functions: the derivative off the kinks, and PyTorch's convention on them.
  { op: 'abs', expr: 'Math.abs(x)', f: Math.abs, df: (x) => [x > 0 ? 1 : x < 0 ? -1 : 0], at: [at(0.5), at(-2), edge(1e-302, 1e-300), kink(0)] },
  {
    op: 'min', arity: 2, expr: 'Math.min(x, y)', f: Math.min, df: (x, y) => (x < y ? [1, 0] : x > y ? [0, 1] : [0.5, 0.5]),
    at: [at(1, 2), at(3, -1), edge(1e-11, -1, -1 + 1e-9), kink(1.5, 1.5), kink(0, 0)],
  },
  {
    op: 'max', arity: 2, expr: 'Math.max(x, y)', f: Math.max, df: (x, y) => (x > y ? [1, 0] : x < y ? [0, 1] : [0.5, 0.5]),
    at: [at(1, 2), at(3, -1), edge(1e-11, -1, -1 + 1e-9), kink(1.5, 1.5), kink(-2, -2)],
  },
  {
    op: 'hypot', arity: 2, expr: 'Math.hypot(x, y)', f: Math.hypot, df: (x, y) => { const r = Math.hypot(x, y); return r === 0 ? [0, 0] : [x / r, y / r]; },
    at: [at(3, 4), edge(1e-6, -1e-3, 2e-3), at(-5, 0), kink(0, 0)],
  },
  { op: 'floor', expr: 'Math.floor(x)', f: Math.floor, df: () => [0], at: [at(2.5), at(-1.5), kink(2), kink(0), kink(-3)] },
  { op: 'ceil', expr: 'Math.ceil(x)', f: Math.ceil, df: () => [0], at: [at(2.5), at(-1.5), kink(2), kink(-3)] },
  // round jumps at half-integers, not at integers.
  { op: 'round', expr: 'Math.round(x)', f: Math.round, df: () => [0], at: [at(2.3), at(-1.7), at(2), kink(2.5), kink(-0.5)] },
  { op: 'trunc', expr: 'Math.trunc(x)', f: Math.trunc, df: () => [0], at: [at(2.5), at(-1.5), kink(2), kink(-3)] },
  { op: 'sign', expr: 'Math.sign(x)', f: Math.sign, df: () => [0], at: [at(0.5), at(-2), kink(0)] },
  // Rounding to float32, differentiated as the identity it approximates; finite differences see its
  // steps (a float32 ulp over h) unless x is small, or the step wide (an `edge` step of 0.5).
  { op: 'fround', expr: 'Math.fround(x)', f: Math.fround, df: () => [1], at: [at(1e-4), at(-2.5e-4), at(0), edge(0.5, 0.7)] },
  {
    // d(x % y) = (1, −trunc(x / y)); at a multiple of y the value jumps (PyTorch's fmod formula still applies).
    op: '%', arity: 2, expr: 'x % y', f: (x, y) => x % y, df: (x, y) => [1, -Math.trunc(x / y)],
    at: [at(5.5, 2), at(-5.5, 2), at(5.5, -2), at(0.3, 7), kink(6, 2), kink(-4, 2)],
  },
];

/** |a − b| ≤ rtol·max(|a|, |b|) + atol. */
function close(a: number, b: number, rtol: number, atol = 0): boolean {
  return a === b || Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b)) + atol;
}

function assertVector(actual: number[], expected: number[], rtol: number, atol: number, what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => {
    assert.ok(Number.isFinite(a), `${what}[${i}] is ${a}`);
    assert.ok(close(a, expected[i], rtol, atol), `${what}[${i}]: ${a}, expected ${expected[i]} (relative error ${Math.abs(a - expected[i]) / Math.abs(expected[i])})`);
  });
}

/** Richardson-extrapolated central differences with step `h` (numerical.ts with a chosen step). */
function richardson(f: (x: number[]) => number, x: number[], h: number): number[] {
  return x.map((_, i) => (4 * centralDifference(f, x, i, h / 2) - centralDifference(f, x, i, h)) / 3);
}

/** Differentiates `c.expr` at `p` every way and checks each against the hand-written derivative. */
function check(c: Case, p: At) {
  const names = c.arity === 2 ? ['x', 'y'] : ['x'];
  const text = `function f(${names.map((n) => `${n}: number`).join(', ')}): number {\n  return ${c.expr};\n}\n`;
  const program = parseProgram(text);
  const lowered = program.lower('f')!;
  assert.deepEqual(lowered.diagnostics, []);
  const point = Object.fromEntries(names.map((n, i) => [n, p.x[i]]));
  const d = new Differentiator(program, lowered.fn, names, point, 10_000);
  const [x, y] = p.x;
  const expected = c.df(x, y);
  const value = c.f(x, y);

  const rev = d.reverse();
  const fwd = d.forward();
  assert.equal(d.value(), value, 'value');
  assert.equal(rev.value, value, 'reverse-mode value');
  assert.equal(fwd.value, value, 'forward-mode value');

  // Forward and reverse mode apply the same rules: equal to rounding, and equal to the hand-written
  // derivative. Rules written in terms of the output (tanh' = 1 − tanh²) are accurate to about
  // ε·|f| in absolute terms, hence the absolute floor (tanh'(20) ≈ 1.7e-17 comes out as 0).
  const rtol = p.rtol ?? 1e-12;
  const atol = 4 * Number.EPSILON * Math.abs(value);
  assertVector(rev.jacobian[0], expected, rtol, atol, 'reverse');
  assertVector(fwd.jacobian[0], rev.jacobian[0], 1e-15, 0, 'forward vs reverse');
  const tangent = names.map((_, i) => i + 1);
  assertVector([d.jvp(tangent).derivative as number], [expected.reduce((acc, g, i) => acc + g * tangent[i], 0)], rtol, 3 * atol, 'jvp');
  // The complex step: exact to rounding off the kinks; on them it takes the same convention.
  assertVector(d.complexStep()[0], expected, rtol, atol, 'complex step');

  if (p.kink) {
    assert.ok(rev.kinks.length > 0, `a kink of ${c.op} at ${p.x} is reported`);
    return;
  }
  assert.deepEqual(rev.kinks, [], `no kink of ${c.op} at ${p.x}`);

  // Finite differences: the engine's own (Richardson, step 1e-3·max(1, |x|)), or a smaller step
  // near a domain edge or a pole. Their error is roughly ε·|f|/h, hence the absolute floor.
  const fd = p.h === undefined ? d.numerical() : richardson(d.scalar(), d.flatPoint(), p.h);
  const h = p.h ?? 1e-3 * Math.max(1, ...p.x.map(Math.abs));
  assertVector(fd, expected, 1e-6, 1e-13 * Math.max(1, Math.abs(value)) / h, 'finite differences');
}

describe('Math derivatives: every function of the subset, every mode, near domain edges, PyTorch conventions', () => {
  it('the table covers every Math function of SPEC §2, ** and %', () => {
    const covered = new Set(CASES.map((c) => c.op));
    assert.deepEqual([...MATH_FNS, '**', '%'].filter((f) => !covered.has(f)), []);
  });

  for (const c of CASES) {
    for (const p of c.at) {
      const label = `${c.expr} at ${c.arity === 2 ? `(${p.x.join(', ')})` : p.x[0]}${p.kink ? ' (non-differentiable: convention and kink)' : p.h !== undefined ? ' (near an edge)' : ''}`;
      it(label, () => check(c, p));
    }
  }

  it('composite: kinks are reported where an inner value hits them, and not elsewhere', () => {
    const text = 'function f(x: number, y: number): number {\n  return Math.abs(x - y) + Math.max(x * x, 4) + Math.floor(y);\n}\n';
    const program = parseProgram(text);
    const fn = program.lower('f')!.fn;
    const kinksAt = (x: number, y: number) => new Differentiator(program, fn, ['x', 'y'], { x, y }, 10_000).reverse().kinks.map((k) => text.slice(k.range.start, k.range.end));
    assert.deepEqual(kinksAt(0.5, 0.25), []);
    assert.deepEqual(kinksAt(0.75, 0.75), ['Math.abs(x - y)']);
    assert.deepEqual(kinksAt(2, 0.25), ['Math.max(x * x, 4)']);
    assert.deepEqual(kinksAt(0.5, 3), ['Math.floor(y)']);
    const g = new Differentiator(program, fn, ['x', 'y'], { x: 2, y: 2 }, 10_000).reverse();
    // abs'(0) = 0, the tie of max splits 2x = 4 in half, floor' = 0.
    assert.deepEqual(g.jacobian[0], [2, 0]);
    assert.equal(g.kinks.length, 3);
  });
});
