// The compiled live path (engine/compiled/live.ts, engine/compileIr.ts) and the directional check
// (engine/check/directional.ts): on random programs of the subset the compiled function, gradient
// and JVP agree with the interpreter; a hostile loop stays within its budgets when compiled; a
// wrong gradient of 1,000 components is localised to the right components; the directional and
// per-component witnesses give the same verdicts.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyzeFile } from '../../engine/analyzeFile';
import { BudgetExceeded, Meter, withMeter } from '../../engine/budget';
import { LiveCode } from '../../engine/compiled/live';
import { compileDerivativeModule, compilePrimalModule } from '../../engine/compileIr';
import { Differentiator } from '../../engine/differentiate';
import { flatten, Value } from '../../engine/evaluate';
import { checkGradient } from '../../engine/gradientCheck';
import { Point } from '../../engine/ir';
import { parseProgram } from '../../engine/program';
import { randomProgram } from './randomPrograms';

const SEED = 20261201;
const BUDGET = 1_000_000;

function close(a: number, b: number, rtol = 1e-9, atol = 1e-12): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Object.is(a, b);
  return Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b)) + atol;
}

function flat(v: unknown): number[] {
  return flatten(v as Value<number>) as number[];
}

describe('compiled live path: compiled code means what the interpreter means', function () {
  this.timeout(120_000);

  it('on random programs: the compiled value, gradient, JVP and complex step agree with the interpreter (or defer to it)', () => {
    let compiled = 0;
    let complexSteps = 0;
    let runs = 0;
    fc.assert(fc.property(randomProgram(), (rp) => {
      runs++;
      const program = parseProgram(rp.text);
      const fn = program.lower(rp.fnName)!.fn;
      const live = new LiveCode(program, fn, rp.wrt, BUDGET);
      const reference = new Differentiator(program, fn, rp.wrt, rp.point, BUDGET);
      const d = new Differentiator(program, fn, rp.wrt, rp.point, BUDGET);
      d.compiled = live;
      // the value: exactly the interpreter's (the same operations in the same order)
      const want = flat(reference.value());
      assert.deepEqual(flat(d.value()), want, `value\n${rp.text}`);
      // value and gradient: compiled where trusted, else the tape
      const rev = d.liveReverse();
      const tape = reference.reverse();
      if (rev.compiled) compiled++;
      assert.equal(rev.kinks.length === 0 || !rev.compiled, true);
      assert.deepEqual(flat(rev.value), flat(tape.value), `value of the reverse pass\n${rp.text}`);
      rev.jacobian.forEach((row, r) => row.forEach((g, k) => {
        assert.ok(close(g, tape.jacobian[r][k]), `∂[${r}][${k}]: compiled ${g}, tape ${tape.jacobian[r][k]}\n${rp.text}`);
      }));
      // the JVP along a fixed tangent, against forward mode in the interpreter
      if (live.generatedWrt?.join() === rp.wrt.join()) {
        const tangentFlat = reference.components.map((_, k) => 0.5 + ((k * 7) % 5) / 4);
        // (the generated JVP takes the tangents in the parameters' order, the components are in @wrt order)
        const tangents = fn.params.filter((p) => rp.wrt.includes(p.name)).map((p) => {
          let k = reference.components.findIndex((c) => c.param === p.name);
          const shaped = (x: Value<number>): Value<number> => (Array.isArray(x) ? x.map(shaped) : tangentFlat[k++]);
          return shaped(rp.point[p.name] as Value<number>);
        });
        const args = fn.params.map((p) => rp.point[p.name] as Value<number>);
        const out = live.jvp(args, tangents);
        if (out !== null) {
          const fwd = reference.jvp(tangentFlat);
          const derivative = flat((out as Value<number>[])[1]);
          const expected = flat(fwd.derivative);
          assert.equal(derivative.length, expected.length);
          derivative.forEach((x, i) => assert.ok(close(x, expected[i]), `JVP[${i}]: compiled ${x}, forward mode ${expected[i]}\n${rp.text}`));
        }
      }
      // the complex step along the same direction, where the function is analytic: J·v
      if (!rp.vectorValued) {
        const v = reference.components.map((_, k) => 0.5 + ((k * 7) % 5) / 4);
        const first = new Map<string, number>();
        reference.components.forEach((c, k) => { if (!first.has(c.param)) first.set(c.param, k); });
        const h = 1e-200;
        const args = fn.params.map((p) => {
          let k = first.get(p.name);
          const seed = (x: Value<number>): unknown => (Array.isArray(x) ? x.map(seed) : k === undefined ? x : { re: x as number, im: h * v[k++] });
          return seed(rp.point[p.name] as Value<number>) as Value<number>;
        });
        const out = live.complexStep(args);
        if (out !== null) {
          complexSteps++;
          const cs = typeof out === 'number' ? 0 : (out as { im: number }).im / h;
          const jv = reference.jvp(v).derivative as number;
          assert.ok(close(cs, jv, 1e-9, 1e-12), `complex step ${cs}, J·v ${jv}\n${rp.text}`);
        }
      }
    }), { seed: SEED, numRuns: 80 });
    // Most programs run compiled: the interpreter is the fallback, not the path.
    assert.ok(compiled >= runs * 0.6, `compiled ${compiled} of ${runs}`);
    // (random programs use inverse trigonometric functions freely, which have no exact complex extension)
    assert.ok(complexSteps > 0, `complex steps ${complexSteps} of ${runs}`);
  });

  it('the complex step along a direction where the function is analytic, finite differences elsewhere', () => {
    const text = `export function f(w: number[]): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += Math.exp(Math.sin(w[i])) * w[(i + 1) % w.length] ** 2 / (1 + w[i] * w[i]);
  return Math.log(1 + s);
}
export function g(w: number[]): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += Math.log1p(Math.abs(w[i]));
  return s;
}
`;
    const program = parseProgram(text);
    const w = Array.from({ length: 40 }, (_, i) => Math.cos(i));
    const v = w.map((_, i) => (i % 3 === 0 ? 0 : Math.sin(3 * i)));
    for (const [name, analytic] of [['f', true], ['g', false]] as const) {
      const fn = program.lower(name)!.fn;
      const live = new LiveCode(program, fn, ['w'], BUDGET);
      const d = new Differentiator(program, fn, ['w'], { w }, BUDGET);
      d.compiled = live;
      const jv = d.jvp(v).derivative as number;
      const along = d.directionalDerivative(v);
      assert.equal(live.complexStep([w]) !== null, analytic, name);
      // exact to rounding with the complex step; to the finite differences' accuracy without
      assert.ok(close(along, jv, analytic ? 1e-13 : 1e-6, analytic ? 0 : 1e-8), `${name}: ${along} vs J·v ${jv}`);
    }
  });

  it('a kink probe defers to the tape: a tie on an input-dependent comparison, abs at 0', () => {
    const text = `/** @differentiable */
export function f(x: number, y: number): number {
  const m = x > y ? x : y;
  return m + Math.abs(x - 1);
}
`;
    const program = parseProgram(text);
    const fn = program.lower('f')!.fn;
    const live = new LiveCode(program, fn, ['x', 'y'], BUDGET);
    const at = (point: Point) => { const d = new Differentiator(program, fn, ['x', 'y'], point, BUDGET); d.compiled = live; return d.liveReverse(); };
    assert.equal(at({ x: 2, y: 3 }).compiled, true);
    const tie = at({ x: 2, y: 2 });
    assert.equal(tie.compiled, false);
    assert.ok(tie.kinks.some((k) => /tied/.test(k.description)));
    const abs = at({ x: 1, y: 3 });
    assert.equal(abs.compiled, false);
    assert.ok(abs.kinks.some((k) => /abs at 0/.test(k.description)));
    // the loop counter's comparison ties at every loop's end, but depends on no input: no probe
    const loop = parseProgram(`/** @differentiable */\nexport function g(x: number): number { let s = 0; for (let i = 0; i < 3; i++) s += x * i; return s; }\n`);
    const g = loop.lower('g')!.fn;
    const d = new Differentiator(loop, g, ['x'], { x: 0.5 }, BUDGET);
    d.compiled = new LiveCode(loop, g, ['x'], BUDGET);
    assert.equal(d.liveReverse().compiled, true);
  });

  it('the compiled code is cached by what it is compiled from: a constant of the file counts, a move does not', () => {
    const value = (text: string) => {
      const program = parseProgram(text);
      const fn = program.lower('f')!.fn;
      return new LiveCode(program, fn, ['x'], BUDGET).value([2])!.value;
    };
    const f = 'export function f(x: number): number { return K * x; }\n';
    assert.equal(value(`const K = 3;\n${f}`), 6);
    assert.equal(value(`const K = 4;\n${f}`), 8, 'a stale module for an edited constant');
    assert.equal(value(`const K = 4;\n\n\n${f}`), 8);
  });

  it('stops where the interpreter reports: an index out of bounds, a missing return, the step budget', () => {
    const program = parseProgram(`export function f(x: number[]): number { let s = 0; for (let i = 0; i <= x.length; i++) s += x[i]; return s; }
export function g(x: number): number { while (x > 0) { return x; } }
export function h(x: number): number { let s = 0; for (let i = 0; i < 100000; i++) s += x; return s; }
`);
    assert.equal(compilePrimalModule(program, 'f', null)!.run([[1, 2]], BUDGET), null);
    assert.equal(compilePrimalModule(program, 'f', null)!.run([[1, 2]], BUDGET), null);
    const g = compilePrimalModule(program, 'g', null);
    if (g) {
      // (where the lowering accepts a function that may end without a value)
      assert.equal(g.run([-1], BUDGET), null);
      assert.equal(g.run([2], BUDGET)!.value, 2);
    }
    const h = compilePrimalModule(program, 'h', null)!;
    assert.equal(h.run([1], 10_000), null, 'over its step budget');
    const r = h.run([1], BUDGET)!;
    assert.equal(r.value, 100000);
    assert.ok(r.steps >= 100000 && r.steps < 1_000_000, `steps ${r.steps}`);
  });
});

describe('compiled live path: budgets inside compiled code', function () {
  this.timeout(60_000);

  it('a hostile while (true) stops within the time budget, with BudgetExceeded from the meter', () => {
    const program = parseProgram('export function f(x: number): number { let s = 0; while (true) { s += Math.sin(s + x); } return s; }\n');
    for (const mode of ['primal', 'reverse'] as const) {
      const m = mode === 'primal' ? compilePrimalModule(program, 'f', ['x']) : compileDerivativeModule(program, 'f', 'reverse');
      if (!m) { assert.equal(mode, 'reverse', 'the primal compiles'); continue; }
      const t0 = performance.now();
      assert.throws(() => withMeter(new Meter({ timeMs: 100 }), () => m.run([0.5], Number.MAX_SAFE_INTEGER)), (e) => e instanceof BudgetExceeded && /time/.test(e.resource));
      // a major GC pause or a loaded machine: a margin, as the other budget tests
      assert.ok(performance.now() - t0 < 1_000, `stopped after ${performance.now() - t0} ms`);
      assert.throws(() => withMeter(new Meter({ operations: 50_000 }), () => m.run([0.5], Number.MAX_SAFE_INTEGER)), (e) => e instanceof BudgetExceeded && /operations/.test(e.resource));
    }
  });

  it('an analysis of a function that never ends keeps within its budget (GL007), compiled first', () => {
    const text = `/**
 * @differentiable
 * @at x = 0.5
 */
export function f(x: number): number { let s = 0; while (true) { s += x; } return s; }
`;
    const t0 = performance.now();
    const fa = analyzeFile(text, { timeBudgetMs: 300, stepBudget: 50_000_000 });
    assert.ok(fa.diagnostics.some((d) => d.code === 'GL007'), JSON.stringify(fa.diagnostics));
    assert.ok(performance.now() - t0 < 2_000);
  });
});

/** A chain function of n components and its hand-written gradient missing a term on every second component. */
function chain(n: number): string {
  const w = Array.from({ length: n }, (_, i) => Number((Math.sin(i * 1.7) * 0.8).toFixed(3)));
  return `/**
 * @differentiable
 * @gradient chainGrad
 * @at w = [${w.join(', ')}]
 */
export function chain(w: number[]): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    s += (w[i] - 0.5) * (w[i] - 0.5);
    if (i + 1 < w.length) s += Math.sin(w[i] * w[i + 1]);
  }
  return s;
}

export function chainGrad(w: number[]): number[] {
  const n = w.length;
  const g = new Array(n).fill(0);
  for (let i = 0; i < n; i++) {
    g[i] += 2 * (w[i] - 0.5);
    if (i + 1 < n) {
      const c = Math.cos(w[i] * w[i + 1]);
      g[i] += c * w[i + 1];
      if (i % 2 === 0) g[i + 1] += c * w[i];
    }
  }
  return g;
}
`;
}

describe('directional check: few evaluations, the same verdicts', function () {
  this.timeout(120_000);

  it('a wrong gradient of 1,000 components is localised to exactly the wrong components', () => {
    const n = 1000;
    const fa = analyzeFile(chain(n));
    const check = fa.functions[0].check!;
    assert.equal(check.status, 'wrong');
    const comps = check.points[0].components;
    const w = Array.from({ length: n }, (_, i) => Number((Math.sin(i * 1.7) * 0.8).toFixed(3)));
    for (let j = 0; j < n; j++) {
      // the term ∂/∂w[j] of sin(w[j-1]·w[j]) is missing for even j ≥ 2
      const missing = j >= 2 && j % 2 === 0 ? Math.cos(w[j - 1] * w[j]) * w[j - 1] : 0;
      const want = Math.abs(missing) > 1e-3 ? 'wrong' : missing === 0 ? 'ok' : comps[j].verdict;
      assert.equal(comps[j].verdict, want, `w[${j}]: ${JSON.stringify(comps[j])}`);
    }
    const gl001 = fa.diagnostics.filter((d) => d.code === 'GL001');
    assert.equal(gl001.length, 1);
    assert.match(gl001[0].message, /∂chain\/∂w\[2\] is wrong .* finite differences -?\d/);
    // the first wrong component has its own finite difference (the message quotes it)
    assert.ok(Number.isFinite(comps[2].fd));
  });

  it('the directional and per-component witnesses give the same verdicts (random wrong components)', () => {
    const text = `export function f(w: number[], a: number[]): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += a[i] * Math.sin(w[i]) + 0.5 * w[i] * w[i] * a[i];
  return s;
}
export function fGrad(w: number[], a: number[]): number[] {
  const g = new Array(w.length).fill(0);
  for (let i = 0; i < w.length; i++) g[i] = a[i] * Math.cos(w[i]) + w[i] * a[i] * (1 + a[i + w.length]);
  return g;
}
`;
    const program = parseProgram(text);
    const fn = program.lower('f')!.fn;
    const hand = program.lower('fGrad')!.fn;
    fc.assert(fc.property(
      fc.integer({ min: 17, max: 80 }),
      fc.array(fc.constantFrom(0, 0, 0, 1, -2, 1e-7, 0.5), { minLength: 80, maxLength: 80 }),
      fc.integer({ min: 1, max: 1000 }),
      (n, errors, seed) => {
        const w = Array.from({ length: n }, (_, i) => Math.sin(seed + i));
        // a: the coefficients, then the relative error of each component of the hand-written gradient
        const a = [...Array.from({ length: n }, (_, i) => 1 + 0.5 * Math.cos(seed * i)), ...errors.slice(0, n)];
        const point: Point = { w, a };
        const verdicts = (directional: boolean) => {
          const { check } = checkGradient({
            program, fn, wrt: ['w'], hand, pairedBy: 'name', points: [point], live: new LiveCode(program, fn, ['w'], BUDGET),
            options: { rtol: 1e-6, atol: null, budget: BUDGET, directional },
          });
          return check.points[0].components.map((c) => c.verdict);
        };
        const fast = verdicts(true);
        const slow = verdicts(false);
        assert.deepEqual(fast, slow);
        // and they are right where the error is plain: none, or large beside the component
        errors.slice(0, n).forEach((e, i) => {
          const g = a[i] * Math.cos(w[i]) + w[i] * a[i];
          if (e === 0) assert.equal(slow[i], 'ok', `w[${i}]`);
          else if (Math.abs(w[i] * a[i] * e) > 1e-3 * (1 + Math.abs(g))) assert.equal(slow[i], 'wrong', `w[${i}]`);
        });
      },
    ), { seed: SEED, numRuns: 40 });
  });
});
