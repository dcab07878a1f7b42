// The table of operations (engine/ops.ts), row by row. Every op needs a case here (CASES is keyed by
// the table's op names, so a new op without one does not compile, and the first test says which is
// missing): its derivative rule against the complex step and Richardson differences, and the same
// rule run in the other algebras (symbolic nodes, generated code); its complex extension against
// its real value on the real axis; its printers (the hover's Unicode; TypeScript from the symbolic
// printer and from the code generators, in every precedence context) round-tripped through
// TypeScript's parser and the engine's own evaluation; its non-differentiable points; and each
// algebraic fact it declares for the simplifier. test/engine/mathDerivatives.test.ts checks the
// same ops through whole programs and every mode against hand-written derivatives.

import assert from 'node:assert/strict';
import ts from 'typescript';
import { numberAlgebra } from '../../engine/algebra';
import { cnst, NO_RANGE, partialExprs, printExpr, ref } from '../../engine/codegen/expr';
import { applyComplex, COMPLEX_STEP } from '../../engine/complexStep';
import { kinkAt, localPartials } from '../../engine/derivativeRules';
import { Interpreter, Value } from '../../engine/evaluate';
import { ArithOp, Expr } from '../../engine/ir';
import { centralDifference } from '../../engine/numerical';
import { ARITH_OPS, complex, OPS, ScalarOp, SCALAR_OPS } from '../../engine/ops';
import { parseProgram } from '../../engine/program';
import { ExprGraph, NodeId, toCodeInline, toUnicode } from '../../engine/symbolic';
import { derivativeAlgebra } from '../../engine/symbolic/symbolicAlgebra';

interface OpCase {
  /** Points inside the domain and off every kink, where every check applies. */
  at: number[][];
  /** Non-differentiable points: a kink is reported there, and the rule keeps PyTorch's convention. */
  kinks?: number[][];
  /** Points where a rule selects a special value (not kinks): generated code must agree there too. */
  special?: number[][];
  /** The hover's Unicode for op(x) or op(x, y). */
  unicode: string;
}

const CASES: { [K in ScalarOp]: OpCase } = {
  '+': { at: [[1.5, -0.25], [-3, 2]], unicode: 'x + y' },
  '-': { at: [[1.5, -0.25], [-3, 2]], unicode: 'x − y' },
  '*': { at: [[1.5, -0.25], [-3, 2]], unicode: 'xy' },
  '/': { at: [[1.5, -0.25], [-3, 2]], unicode: 'x/y' },
  '%': { at: [[5.5, 2], [-5.5, 2], [5.5, -2]], kinks: [[6, 2], [-4, 2]], unicode: 'x mod y' },
  '**': { at: [[1.7, 2.2], [0.3, -0.5], [2, 3]], special: [[0, 2]], unicode: 'x^y' },
  'neg': { at: [[0.7], [-2]], unicode: '−x' },
  sin: { at: [[0.7], [-2.3]], unicode: 'sin(x)' },
  cos: { at: [[0.7], [-2.3]], unicode: 'cos(x)' },
  tan: { at: [[0.3], [-1.2]], unicode: 'tan(x)' },
  asin: { at: [[0.3], [-0.6]], unicode: 'arcsin(x)' },
  acos: { at: [[0.3], [-0.6]], unicode: 'arccos(x)' },
  atan: { at: [[0.5], [-3]], unicode: 'arctan(x)' },
  atan2: { at: [[1, 2], [-0.5, 0.3], [0.3, -2]], unicode: 'atan2(x, y)' },
  sinh: { at: [[0.5], [-2]], unicode: 'sinh(x)' },
  cosh: { at: [[0.5], [-2]], unicode: 'cosh(x)' },
  tanh: { at: [[0.5], [-2]], unicode: 'tanh(x)' },
  asinh: { at: [[0.5], [-3]], unicode: 'arsinh(x)' },
  acosh: { at: [[1.5], [5]], unicode: 'arcosh(x)' },
  atanh: { at: [[0.3], [-0.6]], unicode: 'artanh(x)' },
  exp: { at: [[0.5], [-3]], unicode: 'e^x' },
  expm1: { at: [[0.5], [-3]], unicode: 'expm1(x)' },
  log: { at: [[0.5], [3]], unicode: 'ln(x)' },
  log1p: { at: [[0.5], [-0.5]], unicode: 'ln(1 + x)' },
  log2: { at: [[0.5], [3]], unicode: 'log₂(x)' },
  log10: { at: [[0.5], [3]], unicode: 'log₁₀(x)' },
  sqrt: { at: [[0.5], [4]], unicode: '√x' },
  cbrt: { at: [[0.5], [-8]], unicode: '∛x' },
  pow: { at: [[2, 0.5], [0.5, -1.5], [3, 2.5]], special: [[0, 2], [0, 3]], unicode: 'x^y' },
  abs: { at: [[0.5], [-2]], kinks: [[0]], unicode: '|x|' },
  min: { at: [[1, 2], [3, -1]], kinks: [[1.5, 1.5]], unicode: 'min(x, y)' },
  max: { at: [[1, 2], [3, -1]], kinks: [[1.5, 1.5]], unicode: 'max(x, y)' },
  hypot: { at: [[3, 4], [-5, 0.5]], kinks: [[0, 0]], unicode: 'hypot(x, y)' },
  floor: { at: [[2.5], [-1.5]], kinks: [[2], [0], [-3]], unicode: '⌊x⌋' },
  ceil: { at: [[2.5], [-1.5]], kinks: [[2], [-3]], unicode: '⌈x⌉' },
  // round jumps at half-integers, not at integers.
  round: { at: [[2.3], [-1.7], [2]], kinks: [[2.5], [-0.5]], unicode: 'round(x)' },
  trunc: { at: [[2.5], [-1.5]], kinks: [[2], [-3]], unicode: 'trunc(x)' },
  sign: { at: [[0.5], [-2]], kinks: [[0]], unicode: 'sgn(x)' },
  // A staircase of float32 ulps: differences at the step 1e-3 see its rounding (ulp/h) only where x is small.
  fround: { at: [[1e-4], [-2.5e-4]], unicode: 'fround(x)' },
};

const NAMES = ['x', 'y'];

/** |a − b| ≤ rtol·max(|a|, |b|) + atol (NaN only equals NaN). */
function close(a: number, b: number, rtol: number, atol = 0): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return a === b || Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b)) + atol;
}

function assertClose(actual: number, expected: number, rtol: number, atol: number, what: string): void {
  assert.ok(close(actual, expected, rtol, atol), `${what}: ${actual}, expected ${expected}`);
}

const valueOf = (op: ScalarOp, p: number[]) => OPS[op].number(p[0], p[1]);
const allActive = (op: ScalarOp) => Array.from({ length: OPS[op].arity }, () => true);
const numberPartials = (op: ScalarOp, p: number[]) => localPartials(numberAlgebra, op, p, valueOf(op, p), allActive(op));

/**
 * Runs `function f(x: number, …): number[] { return [body₁, …]; }` through TypeScript's parser (no
 * syntax error) and the engine's lowering (no construct outside the subset), then evaluates it at
 * each point with the plain-number interpreter.
 */
function runTs(bodies: string[], params: string[], points: number[][]): number[][] {
  const text = `function f(${params.map((n) => `${n}: number`).join(', ')}): number[] {\n  return [\n    ${bodies.join(',\n    ')},\n  ];\n}\n`;
  const syntax = ts.transpileModule(text, { reportDiagnostics: true }).diagnostics ?? [];
  assert.deepEqual(syntax.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), [], text);
  const program = parseProgram(text);
  const lowered = program.lower('f')!;
  assert.deepEqual(lowered.diagnostics.map((d) => d.message), [], text);
  return points.map((p) => new Interpreter(numberAlgebra, program, 1_000_000).run(lowered.fn, p as Value<number>[]) as number[]);
}

// ---- generated code: operand shapes and contexts, built raw so that no builder simplifies them ----

const bin = (op: ArithOp, a: Expr, b: Expr): Expr => ({ k: 'binary', op, a, b, range: NO_RANGE });
const negRaw = (x: Expr): Expr => ({ k: 'neg', x, range: NO_RANGE });

/** An operand whose value is the variable's, at each precedence level: a misplaced parenthesis changes it. */
const OPERANDS: ((v: Expr) => Expr)[] = [
  (v) => v,
  (v) => bin('-', v, cnst(0)),
  (v) => bin('*', v, cnst(1)),
  (v) => bin('%', v, cnst(1e300)),
  (v) => bin('**', v, cnst(1)),
  (v) => negRaw(negRaw(v)),
];

/** The op's expression inside another operation, on either side, with the value it must take. */
const CONTEXTS: [(e: Expr) => Expr, (v: number) => number][] = [
  [(e) => e, (v) => v],
  [(e) => negRaw(e), (v) => -v],
  [(e) => bin('-', cnst(2), e), (v) => 2 - v],
  [(e) => bin('/', cnst(2), e), (v) => 2 / v],
  [(e) => bin('*', e, cnst(3)), (v) => v * 3],
  [(e) => bin('%', e, cnst(0.75)), (v) => v % 0.75],
  [(e) => bin('**', e, cnst(2)), (v) => v ** 2],
  [(e) => bin('**', cnst(2), e), (v) => 2 ** v],
];

/** The op as an IR expression, as the code generators hold it. */
function opExpr(op: ScalarOp, args: Expr[]): Expr {
  if (op === 'neg') return negRaw(args[0]);
  if ((ARITH_OPS as readonly string[]).includes(op)) return bin(op as ArithOp, args[0], args[1]);
  return { k: 'math', fn: op as Exclude<ScalarOp, ArithOp | 'neg'>, args, range: NO_RANGE };
}

const codeNames = (names: string[]) => ({ name: (id: number) => names[id], ts: true });

// ---- the symbolic printer: operands as graph nodes whose value is the variable's ------------------

function symbolicOperands(g: ExprGraph): ((v: NodeId) => NodeId)[] {
  const z = g.variable('z'); // evaluated at 0
  const w = g.variable('w'); // evaluated at 1
  return [
    (v) => v,
    (v) => g.sub(v, z),
    (v) => g.mul(v, w),
    (v) => g.div(v, w),
    (v) => g.apply('**', [v, w]),
    (v) => g.fn('%', [v, g.num(1e300)]),
  ];
}

function symbolicContexts(g: ExprGraph): ((n: NodeId) => NodeId)[] {
  return [
    (n) => n,
    (n) => g.neg(n),
    (n) => g.sub(g.num(2), n),
    (n) => g.div(g.num(2), n),
    (n) => g.mul(g.num(3), n),
    (n) => g.fn('%', [n, g.num(0.75)]),
    (n) => g.apply('**', [n, g.num(2)]),
    (n) => g.apply('**', [g.num(2), n]),
  ];
}

describe('the table of operations: each row checked on its own', () => {
  it('every op of the table has a case here', () => {
    assert.deepEqual(SCALAR_OPS.filter((op) => !(op in CASES)), []);
    assert.deepEqual(Object.keys(CASES).filter((op) => !(SCALAR_OPS as readonly string[]).includes(op)), []);
    for (const op of SCALAR_OPS) for (const p of [...CASES[op].at, ...(CASES[op].kinks ?? [])]) assert.equal(p.length, OPS[op].arity, `${op} at ${p}`);
  });

  for (const op of SCALAR_OPS) {
    const c = CASES[op];
    const row = OPS[op];
    const arity = row.arity;
    const names = NAMES.slice(0, arity);

    describe(op, () => {
      it('derivative: the rule against the complex step and Richardson differences', () => {
        for (const p of c.at) {
          const value = valueOf(op, p);
          const rule = numberPartials(op, p);
          const f = (x: number[]) => valueOf(op, x);
          for (let i = 0; i < arity; i++) {
            const step = applyComplex(op, p.map((x, k) => complex(x, k === i ? COMPLEX_STEP : 0))).im / COMPLEX_STEP;
            assertClose(step, rule[i], 1e-12, 0, `∂${op}/∂${names[i]} at ${p}: complex step`);
            const h = 1e-3 * Math.max(1, Math.abs(p[i]));
            const fd = (4 * centralDifference(f, p, i, h / 2) - centralDifference(f, p, i, h)) / 3;
            assertClose(fd, rule[i], 1e-6, 1e-13 * Math.max(1, Math.abs(value)) / h, `∂${op}/∂${names[i]} at ${p}: Richardson`);
          }
        }
      });

      it('derivative: the same rule over symbolic nodes and as generated code', () => {
        const g = new ExprGraph();
        const vars = names.map((n) => g.variable(n));
        const out = g.apply(op, vars);
        const symbolic = localPartials(derivativeAlgebra(g), op, vars, out, allActive(op));
        for (const p of c.at) {
          const env = (v: { param: string }) => p[names.indexOf(v.param)];
          const values = g.evaluate(symbolic, env);
          numberPartials(op, p).forEach((d, i) => assertClose(values[i], d, 1e-12, 1e-300, `symbolic ∂${op}/∂${names[i]} at ${p}`));
        }
        // Generated code takes guards from the rule's select: it agrees on kinks and special points too.
        const code = partialExprs(op, names.map((_, i) => ref(i)), ref(names.length), allActive(op)).map((e) => printExpr(e, codeNames([...names, 'out'])));
        const points = [...c.at, ...(c.kinks ?? []), ...(c.special ?? [])];
        const ran = runTs(code, [...names, 'out'], points.map((p) => [...p, valueOf(op, p)]));
        points.forEach((p, k) => numberPartials(op, p).forEach((d, i) => assertClose(ran[k][i], d, 1e-15, 0, `generated ∂${op}/∂${names[i]} (${code[i]}) at ${p}`)));
      });

      it('complex extension: its real value on the real axis', () => {
        if (!row.complex) return; // the first-order form f(a) + i·b·f'(a): real by construction
        for (const p of [...c.at, ...(c.kinks ?? [])]) {
          const z = row.complex(complex(p[0]), complex(p[1] ?? 0));
          if (z === null) continue;
          assertClose(z.re, valueOf(op, p), 1e-14, 0, `Re ${op}(${p})`);
          assert.ok(z.im === 0, `Im ${op}(${p}) is ${z.im}`);
        }
      });

      it('printers: the hover\'s Unicode', () => {
        const g = new ExprGraph();
        assert.equal(toUnicode(g, g.apply(op, names.map((n) => g.variable(n)))), c.unicode);
      });

      it('printers: generated code round-trips through TypeScript in every precedence context', () => {
        const bodies: string[] = [];
        const expected: ((v: number) => number)[] = [];
        for (const operand of OPERANDS) {
          const e = opExpr(op, names.map((_, i) => operand(ref(i))));
          for (const [context, value] of CONTEXTS) {
            bodies.push(printExpr(context(e), codeNames(names)));
            expected.push(value);
          }
        }
        const ran = runTs(bodies, names, c.at);
        c.at.forEach((p, k) => bodies.forEach((b, j) => assertClose(ran[k][j], expected[j](valueOf(op, p)), 0, 0, `${b} at ${p}`)));
      });

      it('printers: closed forms round-trip through TypeScript in every precedence context', () => {
        const g = new ExprGraph();
        const vars = names.map((n) => g.variable(n));
        const roots: NodeId[] = [];
        for (const operand of symbolicOperands(g)) {
          const n = g.apply(op, vars.map(operand));
          for (const context of symbolicContexts(g)) roots.push(context(n));
        }
        const bodies = roots.map((r) => toCodeInline(g, r));
        const params = [...names, 'z', 'w'];
        const ran = runTs(bodies, params, c.at.map((p) => [...p, 0, 1]));
        c.at.forEach((p, k) => {
          const env = (v: { param: string }) => [...p, 0, 1][params.indexOf(v.param)];
          const values = g.evaluate(roots, env);
          bodies.forEach((b, j) => assertClose(ran[k][j], values[j], 1e-14, 0, `${b} at ${p}`));
          assertClose(values[0], valueOf(op, p), 2 * Number.EPSILON, 0, `the graph's ${op} at ${p}`);
        });
      });

      it('non-differentiable points: reported there, and only there', () => {
        for (const p of c.at) assert.equal(kinkAt(op, p), null, `${op} at ${p}`);
        for (const p of c.kinks ?? []) assert.ok(kinkAt(op, p), `${op} at ${p}`);
      });

      it('facts the simplifier relies on hold', () => {
        const facts = row.facts ?? {};
        const f = row.number;
        const xs = [...new Set([...c.at, ...(c.kinks ?? [])].flat()), -0, 0.25, -3.5, 7];
        if (facts.commutative) for (const x of xs) for (const y of xs) assert.ok(close(f(x, y), f(y, x), 0), `${op}(${x}, ${y})`);
        if (facts.parity) for (const x of xs) assert.equal(f(-x, 0), (facts.parity === 'odd' ? -1 : 1) * f(x, 0), `${op}(−${x})`);
        if (facts.idempotent) {
          for (const x of xs) {
            if (arity === 1) assert.equal(f(f(x, 0), 0), f(x, 0), `${op}(${op}(${x}))`);
            else assert.equal(f(x, x), x, `${op}(${x}, ${x})`);
          }
        }
        if (facts.integerValued) for (const x of xs) assert.ok(Number.isInteger(f(x, 0)), `${op}(${x})`);
        if (facts.fixesIntegers) for (const n of [-3, -1, 0, 2, 2 ** 52, -(2 ** 53)]) assert.equal(f(n, 0), n, `${op}(${n})`);
        if (facts.nonnegative) {
          for (const x of xs) for (const y of xs) {
            const v = f(x, y);
            assert.ok(Number.isNaN(v) || (v >= 0 && !Object.is(v, -0)), `${op}(${x}, ${y}) = ${v}`);
          }
        }
        if (row.sameAs) for (const p of c.at) assert.equal(valueOf(row.sameAs, p), valueOf(op, p), `${op} is ${row.sameAs} at ${p}`);
      });
    });
  }
});
