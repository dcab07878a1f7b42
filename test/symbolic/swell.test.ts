import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { BudgetExceeded, Meter, withMeter } from '../../engine/budget';
import { closedFormFor } from '../../engine/closedFormBridge';
import { generateDerivative } from '../../engine/codegen/generate';
import { analyzeFile, gradientAt } from '../../engine/index';
import { parseProgram, Program } from '../../engine/program';
import { componentFixes } from '../../engine/fixGradient';
import { closedFormGradient, closedFormInfo, symbolicDerivativeValue, symbolicGradient, SymbolicGradient, toCodeInline, toUnicode } from '../../engine/symbolic';
import { charged } from '../../engine/symbolic/charge';
import { UNICODE_MAX_LENGTH } from '../../engine/symbolic/closedForm';
import { PrintedSizes } from '../../engine/symbolic/print';
import { fnProgram } from './helpers';

// Derivatives must not swell: with sharing (hash-consing, reverse accumulation) and bounded
// flattening, the graph and the gradient's operation count grow linearly with the function.

const tupleOf = (n: number) => `w: [${new Array(n).fill('number').join(', ')}]`;

function product(n: number) {
  return parseProgram(`/** @differentiable */\nfunction f(${tupleOf(n)}): number {\n  return ${Array.from({ length: n }, (_, i) => `w[${i}]`).join(' * ')};\n}\n`);
}

function chain(n: number) {
  return parseProgram(`/** @differentiable */\nfunction f(x: number): number {\n  let v = x;\n  for (let i = 0; i < ${n}; i++) {\n    v = Math.sin(v) * 0.9 + 0.1 * v * x;\n  }\n  return v;\n}\n`);
}

function composed(n: number) {
  // A chain of distinct functions, each step's value used twice (bounded, so values stay finite).
  const fns = ['Math.sin', 'Math.tanh', 'Math.cos', 'Math.atan'];
  const lines = Array.from({ length: n }, (_, i) => `  const v${i + 1} = ${fns[i % fns.length]}(v${i}) + 0.2 * v${i} * v${i};`);
  return parseProgram(`/** @differentiable */\nfunction f(x: number): number {\n  const v0 = x;\n${lines.join('\n')}\n  return v${n};\n}\n`);
}

function gradient(p: ReturnType<typeof parseProgram>): SymbolicGradient {
  const r = symbolicGradient(p, 'f');
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.gradient;
}

describe('symbolic: no expression swell', () => {
  for (const [what, make, perStep] of [
    ['a product of n factors', product, 10],
    ['an n-step loop unrolled', chain, 15],
    ['an n-step composed chain', composed, 15],
  ] as const) {
    it(`${what}: graph size and gradient operations grow linearly`, () => {
      const sizes = [10, 20, 40].map((n) => {
        const g = gradient(make(n));
        assert.ok(g.gradientOps <= perStep * n, `${what}, n = ${n}: ${g.gradientOps} operations`);
        return { nodes: g.graph.nodes.length, ops: g.gradientOps };
      });
      for (let i = 1; i < sizes.length; i++) {
        assert.ok(sizes[i].nodes <= 2.5 * sizes[i - 1].nodes, `nodes ${sizes[i - 1].nodes} → ${sizes[i].nodes}`);
        assert.ok(sizes[i].ops <= 2.5 * sizes[i - 1].ops, `operations ${sizes[i - 1].ops} → ${sizes[i].ops}`);
      }
    });
  }

  it('the derivative of a product of 20 factors is right (each partial is the product of the others)', () => {
    const w = Array.from({ length: 20 }, (_, i) => 0.8 + 0.02 * i);
    const r = symbolicDerivativeValue(product(20), 'f', { w });
    assert.ok(r.ok);
    const g = r.gradient.w as number[];
    w.forEach((_, i) => {
      const expected = w.reduce((acc, v, j) => (j === i ? acc : acc * v), 1);
      assert.ok(Math.abs(g[i] - expected) <= 1e-14 * Math.abs(expected), `∂/∂w[${i}]`);
    });
  });

  it('a 30-step composed chain has readable generated code of linear length', () => {
    const lengths = [15, 30].map((n) => {
      const r = closedFormGradient(composed(n), 'f', 'fGrad');
      assert.ok('code' in r, 'reason' in r ? r.reason : '');
      return r.code.length;
    });
    assert.ok(lengths[1] <= 2.3 * lengths[0], `code ${lengths[0]} → ${lengths[1]} characters`);
  });

  it('the 30-step chain matches a numerical derivative', () => {
    const p = composed(30);
    const r = symbolicDerivativeValue(p, 'f', { x: 0.3 });
    assert.ok(r.ok);
    const f = (x: number) => {
      const v = symbolicDerivativeValue(p, 'f', { x });
      assert.ok(v.ok);
      return v.value;
    };
    const h = 1e-5;
    const fd = (f(0.3 + h) - f(0.3 - h)) / (2 * h);
    const g = r.gradient.x as number;
    assert.ok(Math.abs(g - fd) <= 1e-6 * Math.max(1, Math.abs(fd)), `${g} vs ${fd}`);
    const reverse = gradientAt(p.text, 'f', { x: 0.3 }).gradient!.x as number;
    assert.ok(Math.abs(g - reverse) <= 1e-10 * Math.abs(reverse), `${g} vs reverse mode ${reverse}`);
  });
});

// Closed forms printed as trees: a loop body applied to its own result a dozen times is a graph of
// a few hundred nodes whose tree has billions. Printing must refuse it from memoised sizes, before
// printing anything, and every phase must charge its meter (nodes, characters, time) as it goes.

const sinLoop = (n: number) => `let v = x;\n  for (let i = 0; i < ${n}; i++) v = v + 0.1 * Math.sin(v * y);\n  return v;`;
const descent = (n: number) => `let t = x;\n${Array.from({ length: n }, () => '  t -= 0.1 * (2 * (t - a) + 4 * b * t * t * t);').join('\n')}\n  return t;`;
const squares = (n: number) => `let f = x;\n${Array.from({ length: n }, () => '  f = f * f + Math.sin(f);').join('\n')}\n  return f;`;

const SWELLING: { what: string; params: string; body: (n: number) => string; steps: number }[] = [
  { what: 'v = v + 0.1·sin(v·y), 12 loop steps', params: 'x: number, y: number', body: sinLoop, steps: 12 },
  { what: 'v = v + 0.1·sin(v·y), 20 loop steps', params: 'x: number, y: number', body: sinLoop, steps: 20 },
  { what: 'gradient descent unrolled 10 times', params: 'x: number, a: number, b: number', body: descent, steps: 10 },
  { what: 'gradient descent unrolled 20 times', params: 'x: number, a: number, b: number', body: descent, steps: 20 },
  { what: 'f = f·f + sin(f), 12 lines', params: 'x: number', body: squares, steps: 12 },
  { what: 'f = f·f + sin(f), 20 lines', params: 'x: number', body: squares, steps: 20 },
];

const source = (c: (typeof SWELLING)[number]) => `/** @differentiable */\nexport function f(${c.params}): number {\n  ${c.body(c.steps)}\n}\n`;

/** Runs `f` under a fresh meter (default budgets unless given), with the wall time it took. */
function metered<T>(f: () => T, limits: ConstructorParameters<typeof Meter>[0] = {}): { value: T; ms: number; counts: ReturnType<typeof charged> } {
  const t0 = performance.now();
  return withMeter(new Meter(limits), () => {
    const value = f();
    return { value, ms: performance.now() - t0, counts: { ...charged() } };
  });
}

function irOf(program: Program) {
  return program.lower('f')!.fn;
}

describe('symbolic: closed forms of swelling expressions stay bounded', () => {
  for (const c of SWELLING) {
    it(`${c.what}: no hover formula, refused before printing, in linear work`, () => {
      const program = parseProgram(source(c));
      const { value: info, ms, counts } = metered(() => closedFormInfo(program, 'f'));
      assert.equal(info.unicode, null);
      assert.equal(info.exhausted, null, 'a readability refusal, not an exhausted budget');
      // Refused from the memoised sizes: not one character printed.
      assert.equal(counts.printedChars, 0);
      // The graph is linear in the steps (a few dozen nodes each) ...
      assert.ok(counts.symbolicNodes <= 40 * c.steps + 100, `${counts.symbolicNodes} nodes`);
      // ... while the printed tree would be astronomically long.
      const g = symbolicGradient(program, 'f');
      assert.ok(g.ok);
      const sizes = new PrintedSizes(g.gradient.graph);
      for (const p of g.gradient.partials) assert.ok(sizes.of(p.value as number) > 1e6, `∂f/∂${p.param}: ${sizes.of(p.value as number)}`);
      assert.ok(ms < 2000, `${ms.toFixed(0)} ms`);
    });

    it(`${c.what}: the analysis gives no formula (the hover's adjoint description), quickly, without GL007`, () => {
      const t0 = performance.now();
      const fa = analyzeFile(source(c)).functions[0];
      const ms = performance.now() - t0;
      assert.equal(fa.closedForm, null);
      assert.deepEqual(fa.diagnostics.filter((d) => d.code === 'GL007' || d.code === 'GL009').map((d) => d.message), []);
      assert.ok(fa.gradient !== null, 'value and gradient are kept');
      assert.ok(ms < 2000, `${ms.toFixed(0)} ms`);
    });

    it(`${c.what}: closed-form, reverse, JVP and Hessian code generation stay linear`, () => {
      for (const mode of ['closed', 'reverse', 'jvp', 'hessian'] as const) {
        const { value: r, ms, counts } = metered(() => generateDerivative(source(c), 'f', mode));
        if (r.generated) {
          assert.ok(r.generated.code.length <= 1500 * c.steps + 3000, `${mode}: ${r.generated.code.length} characters`);
        } else {
          // Only the closed form may be refused, for readability (the operation count), never a budget.
          assert.equal(mode, 'closed');
          assert.deepEqual(r.diagnostics.map((d) => d.code), ['GL002']);
          assert.match(r.diagnostics[0].message, /not readable/);
        }
        assert.equal(r.exhausted, undefined);
        assert.ok(counts.generatedChars <= 4000 * c.steps + 10_000, `${mode}: ${counts.generatedChars} characters charged`);
        assert.ok(ms < 2000, `${mode}: ${ms.toFixed(0)} ms`);
      }
    });
  }

  it('a small function keeps its formula, unchanged, and charges what it printed', () => {
    const program = fnProgram('(1 - x) ** 2 + 100 * (y - x * x) ** 2');
    const { value: r, counts } = metered(() => closedFormFor(program, irOf(program)));
    assert.deepEqual(r, {
      unicode: [{ param: 'x', unicode: '−2(1 − x) − 400x(y − x²)' }, { param: 'y', unicode: '200(y − x²)' }],
      available: true,
      exhausted: null,
    });
    assert.equal(counts.printedChars, '−2(1 − x) − 400x(y − x²)'.length + '200(y − x²)'.length);
    assert.ok(counts.symbolicNodes > 0);
  });

  it('the inline formula too long, the locals formula short: still found (the sizes count names as leaves)', () => {
    const program = fnProgram(`const ex = l1 * Math.cos(theta1) + l2 * Math.cos(theta1 + theta2) - tx;
  const ey = l1 * Math.sin(theta1) + l2 * Math.sin(theta1 + theta2) - ty;
  return 0.5 * (ex * ex + ey * ey);`, 'theta1: number, theta2: number, l1: number, l2: number, tx: number, ty: number', '@wrt theta1, theta2');
    const { value: info, counts } = metered(() => closedFormInfo(program, 'f'));
    assert.deepEqual(info.unicode?.map((p) => p.param), ['theta1', 'theta2']);
    // The inline attempt was refused before printing: only the locals formulas were printed.
    assert.equal(counts.printedChars, info.unicode!.reduce((n, p) => n + p.unicode.length, 0));
  });

  it('inline code of a swollen partial (the quick fix of a hand-written gradient) is refused before it is printed', () => {
    const program = parseProgram(source(SWELLING[1]));
    const g = symbolicGradient(program, 'f');
    assert.ok(g.ok);
    const id = g.gradient.partials[0].value as number;
    const t0 = performance.now();
    // Under an analysis's budgets, and even under no meter at all (no string that long can exist).
    assert.throws(() => withMeter(new Meter(), () => toCodeInline(g.gradient.graph, id)), (e) => e instanceof BudgetExceeded && e.phase === 'symbolic printing');
    assert.throws(() => toCodeInline(g.gradient.graph, id), BudgetExceeded);
    assert.ok(performance.now() - t0 < 2000);
    // "Fix hand-written gradient" within a code action's budgets: no component fix, quickly.
    const text = `${source(SWELLING[4])}\nexport function fGrad(x: number): number {\n  return 2 * x;\n}\n`;
    const { value: fixes, ms } = metered(() => componentFixes(text, 'f'));
    assert.equal(fixes, null);
    assert.ok(ms < 2000, `${ms.toFixed(0)} ms`);
  });

  it('runs out of symbolic nodes: exhausted (not a readability refusal), no formula, no closed form', () => {
    const program = parseProgram(source(SWELLING[1]));
    const { value: r } = metered(() => closedFormFor(program, irOf(program)), { symbolicNodes: 50 });
    assert.equal(r.unicode, null);
    assert.equal(r.available, false);
    assert.ok(r.exhausted instanceof BudgetExceeded);
    assert.equal(r.exhausted.phase, 'symbolic simplification');
    assert.match(r.exhausted.message, /the symbolic simplification ran out of its budget \(50 symbolic expression nodes\)/);
  });

  it('runs out of printed characters: exhausted in the printing phase', () => {
    const program = fnProgram('(1 - x) ** 2 + 100 * (y - x * x) ** 2');
    const { value: r } = metered(() => closedFormFor(program, irOf(program)), { printedChars: 10 });
    assert.equal(r.unicode, null);
    assert.equal(r.exhausted?.phase, 'symbolic printing');
    assert.match(r.exhausted!.message, /10 printed characters/);
  });

  it('time spent: exhausted with the time budget, and the meter stays spent', () => {
    const program = fnProgram('(1 - x) ** 2 + 100 * (y - x * x) ** 2');
    let now = 0;
    const m = new Meter({ timeMs: 100 }, () => now);
    now = 1000;
    const r = withMeter(m, () => closedFormFor(program, irOf(program)));
    assert.equal(r.unicode, null);
    assert.match(r.exhausted?.resource ?? '', /time/);
    assert.ok(m.spent);
    assert.equal(r.exhausted, m.failure);
  });

  it('the closed-form code generator lets an exhausted budget through (GL007 naming it, not an internal error)', () => {
    const { value: r } = metered(() => generateDerivative(source(SWELLING[0]), 'f', 'closed'), { symbolicNodes: 50 });
    assert.equal(r.generated, null);
    assert.deepEqual(r.diagnostics.map((d) => d.code), ['GL007']);
    assert.match(r.diagnostics[0].message, /^Cannot generate a closed-form gradient of 'f': the symbolic simplification ran out of its budget \(50 symbolic expression nodes\)\.$/);
    assert.ok(r.exhausted instanceof BudgetExceeded);
  });

  for (const mode of ['reverse', 'jvp', 'hessian', 'closed'] as const) {
    it(`${mode} code generation over a small generated-code budget: GL007 naming the budget`, () => {
      const { value: r, counts } = metered(() => generateDerivative(source(SWELLING[2]), 'f', mode), { generatedChars: 500 });
      assert.equal(r.generated, null);
      assert.deepEqual(r.diagnostics.map((d) => d.code), ['GL007']);
      assert.match(r.diagnostics[0].message, /the code generation ran out of its budget \(500 characters of generated code\)/);
      assert.equal(r.exhausted?.phase, 'code generation');
      // Refused as soon as the count runs over: a tree too large for the budget is refused before
      // its string is built (every node prints at least one character); past that, by one
      // expression's worth at most (the closed form's whole listing, bounded by its readability).
      assert.ok(counts.generatedChars <= (mode === 'closed' ? 10_000 : 1000), `${counts.generatedChars} characters charged`);
    });
  }

  it('code generation over a spent time budget: GL007 naming the time', () => {
    let now = 0;
    const m = new Meter({ timeMs: 100 }, () => now);
    now = 1000;
    const r = withMeter(m, () => generateDerivative(source(SWELLING[2]), 'f', 'hessian'));
    assert.equal(r.generated, null);
    assert.deepEqual(r.diagnostics.map((d) => d.code), ['GL007']);
    assert.match(r.diagnostics[0].message, /time/);
  });
});

// The refusal must never change a formula that fits: PrintedSizes must be a lower bound of the
// printed length of every node (inline, and with the locals named).

const leaf = fc.oneof(
  fc.constantFrom('x', 'y', 'w[0]', 'w[11]', 'x', 'y'),
  fc.integer({ min: -3, max: 4 }).map((n) => (n < 0 ? `(${n})` : String(n))),
  fc.constantFrom('0.5', '0.25', '1.5', 'Math.PI', 'Math.E', '(1 / 3)'),
);
const UNARY = ['sin', 'cos', 'tanh', 'atan', 'asinh', 'exp', 'abs', 'floor', 'ceil', 'round', 'trunc', 'sign', 'cbrt', 'log1p', 'log2', 'log10', 'expm1', 'sqrt', 'log'];
const BINARY = ['atan2', 'pow', 'min', 'max', 'hypot'];
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '%'), tie('e')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(tie('e'), fc.constantFrom('2', '3', '-1', '-2', '0.5', '1.5', 'y')).map(([a, n]) => `(${a}) ** ${n}`),
    fc.tuple(fc.constantFrom(...UNARY), tie('e')).map(([f, a]) => `Math.${f}(${a})`),
    fc.tuple(fc.constantFrom(...BINARY), tie('e'), tie('e')).map(([f, a, b]) => `Math.${f}(${a}, ${b})`),
    tie('e').map((a) => `-(${a})`),
  ),
})).e;
const straightLine = fc.tuple(fc.array(expr, { minLength: 1, maxLength: 4 }), expr).map(([locals, ret]) => {
  const lines = locals.map((e, i) => `const a${i} = ${i > 0 ? e.replace(/\by\b/g, `a${i - 1}`) : e};`);
  return `${lines.join('\n  ')}\n  return ${ret.replace(/\bx\b/g, `a${locals.length - 1}`)} + a0;`;
});

describe('symbolic: printed sizes are lower bounds of the printed length', () => {
  it('for every node of random programs and their gradients, inline and with the locals named', () => {
    fc.assert(fc.property(straightLine, (body) => {
      const r = symbolicGradient(fnProgram(body, 'x: number, y: number, w: [number, number, number, number, number, number, number, number, number, number, number, number]'), 'f');
      fc.pre(r.ok);
      const g = (r as { gradient: SymbolicGradient }).gradient;
      const roots = [g.output, ...g.partials.flatMap((p) => (Array.isArray(p.value) ? p.value : [p.value]))];
      for (const names of [undefined, g.locals]) {
        const sizes = new PrintedSizes(g.graph, names);
        for (const id of g.graph.reachable(roots)) {
          const bound = sizes.of(id);
          if (bound > 2000) continue; // not worth printing in a test
          const printed = toUnicode(g.graph, id, names);
          assert.ok(bound <= printed.length, `node ${id}: bound ${bound} > ${printed.length} for ${printed}\n${body}`);
          if (names) continue;
          const code = toCodeInline(g.graph, id);
          assert.ok(bound <= code.length, `node ${id}: bound ${bound} > ${code.length} for ${code}\n${body}`);
        }
      }
    }), { numRuns: 300, seed: 20260507 });
  });

  it(`so a formula of at most ${UNICODE_MAX_LENGTH} characters is never refused`, () => {
    const program = fnProgram('Math.sin(x * y) * Math.exp(-x) + Math.log1p(x * x) - Math.hypot(x, y) / Math.cbrt(y)');
    const g = symbolicGradient(program, 'f');
    assert.ok(g.ok);
    const sizes = new PrintedSizes(g.gradient.graph);
    for (const p of g.gradient.partials) {
      const printed = toUnicode(g.gradient.graph, p.value as number);
      assert.ok(printed.length <= UNICODE_MAX_LENGTH);
      assert.ok(sizes.of(p.value as number) <= printed.length);
    }
    assert.ok(closedFormInfo(program, 'f').unicode !== null);
  });
});
