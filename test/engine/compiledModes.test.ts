// The checks of hand-written JVPs and vector-Jacobian products on compiled code (issue 15): the
// @jvp check takes J·v from the generated JVP, compiled (counted on the LiveCode), finds a wrong
// JVP as the interpreter does, and falls back to forward mode interpreted where the compiled value
// met a kink; the vjp witness of a vector-valued function agrees with the per-output one.

import assert from 'node:assert/strict';
import { analyzeFile } from '../../engine/analyzeFile';
import { Meter, withMeter } from '../../engine/budget';
import { compilePrimalModule } from '../../engine/compileIr';
import { LiveCode } from '../../engine/compiled/live';
import { Differentiator } from '../../engine/differentiate';
import { checkGradient } from '../../engine/gradientCheck';
import type { HandSpec } from '../../engine/check/conventions';
import { Point } from '../../engine/ir';
import { parseProgram } from '../../engine/program';

const BUDGET = 5_000_000;

/** f(w) = Σ sin(w[i])·w[i+1] + ½w[i]², and its JVP, right or missing a term. */
function source(n: number, wrong: boolean, kinked = false): string {
  const w = Array.from({ length: n }, (_, i) => Number((Math.cos(i * 0.7) * 0.9).toFixed(3)));
  if (kinked) w[3] = 0;
  return `/**
 * @differentiable
 * @jvp fJvp
 * @at w = [${w.join(', ')}]
 */
export function f(w: number[]): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    s += 0.5 * w[i] * w[i]${kinked ? ' + Math.abs(w[i])' : ''};
    if (i + 1 < w.length) s += Math.sin(w[i]) * w[i + 1];
  }
  return s;
}

export function fJvp(w: number[], v: number[]): number {
  let d = 0;
  for (let i = 0; i < w.length; i++) {
    d += w[i] * v[i]${kinked ? ' + Math.sign(w[i]) * v[i]' : ''};
    if (i + 1 < w.length) d += Math.cos(w[i]) * v[i] * w[i + 1]${wrong ? '' : ' + Math.sin(w[i]) * v[i + 1]'};
  }
  return d;
}
`;
}

const JVP_SPEC: HandSpec = { kind: 'jvp', convention: 'plain', declared: true, name: 'fJvp', pairedBy: 'tag', nameRange: null, tagRange: null, self: false };

function check(text: string) {
  const program = parseProgram(text);
  const fn = program.lower('f')!.fn;
  const hand = program.lower('fJvp')!.fn;
  const point = program.functions.get('f')!.tags.at[0] as Point;
  const live = new LiveCode(program, fn, ['w'], BUDGET);
  const d = new Differentiator(program, fn, ['w'], point, BUDGET);
  d.compiled = live;
  const rev = d.liveReverse();
  const { check: c, diagnostics } = checkGradient({
    program, fn, wrt: ['w'], hand, pairedBy: 'tag', spec: JVP_SPEC, points: [point], reverse: [rev], live,
    options: { rtol: 1e-6, atol: null, budget: BUDGET },
  });
  return { c, diagnostics, live, rev };
}

describe('compiled checks: @jvp and vector-Jacobian products', () => {
  it('the @jvp check takes J·v from the compiled JVP (counted), and the right JVP passes', () => {
    const { c, live, rev } = check(source(40, false));
    assert.equal(rev.compiled, true);
    assert.equal(live.runs.jvp, 1, JSON.stringify(live.runs));
    assert.equal(live.runs.hand, 1);
    assert.equal(c.status, 'ok', JSON.stringify(c.points[0].components));
  });

  it('a wrong JVP is still found on the compiled path, with the finite-difference witness siding with AD', () => {
    const { c, diagnostics, live } = check(source(40, true));
    assert.equal(live.runs.jvp, 1);
    assert.equal(c.status, 'wrong');
    const gl001 = diagnostics.filter((x) => x.code === 'GL001');
    assert.equal(gl001.length, 1);
    assert.match(gl001[0].message, /should be J·v = /);
    const comp = c.points[0].components[0];
    assert.ok(Math.abs(comp.fd - comp.ad) < 1e-6 * (1 + Math.abs(comp.ad)), JSON.stringify(comp));
  });

  it('the compiled J·v equals forward mode interpreted', () => {
    const text = source(40, false);
    const program = parseProgram(text);
    const fn = program.lower('f')!.fn;
    const point = program.functions.get('f')!.tags.at[0] as Point;
    const live = new LiveCode(program, fn, ['w'], BUDGET);
    const d = new Differentiator(program, fn, ['w'], point, BUDGET);
    const v = d.components.map((_, k) => 0.25 + (k % 3) * 0.5);
    const compiled = live.jvpAlong(point, d.components, v, 1);
    assert.ok(compiled !== null);
    const interpreted = d.jvp(v).derivative as number;
    assert.ok(Math.abs(compiled[0] - interpreted) <= 1e-12 * (1 + Math.abs(interpreted)), `${compiled[0]} vs ${interpreted}`);
    // another @wrt than the generated code's: it does not apply
    assert.equal(live.jvpAlong(point, d.components, v, 2), null);
  });

  it('at a kink (abs at 0) the JVP comes from forward mode interpreted, not compiled code', () => {
    const { live, rev } = check(source(40, false, true));
    assert.equal(rev.compiled, false);
    assert.equal(live.runs.jvp, 0);
  });

  it('through analyzeFile: a wrong @jvp of an expensive function is reported, a right one is not', () => {
    const wrong = analyzeFile(source(3000, true), { stepBudget: BUDGET });
    assert.deepEqual(wrong.diagnostics.filter((x) => x.code === 'GL001').length, 1, JSON.stringify(wrong.diagnostics));
    const right = analyzeFile(source(3000, false), { stepBudget: BUDGET });
    assert.deepEqual(right.diagnostics.filter((x) => x.severity !== 'hint'), []);
    assert.equal(right.functions[0].check?.status, 'ok');
  });

  it('a wrong @hessian of an expensive function (compiled: its witness differentiates the compiled gradient) is found', () => {
    const data = Array.from({ length: 2500 }, (_, i) => Number((0.5 + 0.4 * Math.sin(i)).toFixed(3)));
    const text = (wrong: boolean) => `/**
 * @differentiable
 * @wrt x
 * @hessian fH
 * @at x = [0.4, -0.3], data = [${data.join(', ')}]
 */
export function f(x: number[], data: number[]): number {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i] * Math.sin(x[0] * x[1] + data[i]);
  return s / data.length;
}

export function fH(x: number[], data: number[]): number[][] {
  let a = 0;
  let b = 0;
  for (let i = 0; i < data.length; i++) {
    const t = x[0] * x[1] + data[i];
    a += data[i] * -Math.sin(t);
    b += data[i] * Math.cos(t);
  }
  a /= data.length;
  b /= data.length;
  return [[a * x[1] * x[1], a * x[0] * x[1] + ${wrong ? '0' : 'b'}], [a * x[0] * x[1] + b, a * x[0] * x[0]]];
}
`;
    const right = analyzeFile(text(false), { stepBudget: BUDGET });
    assert.equal(right.functions[0].check?.status, 'ok', JSON.stringify(right.diagnostics));
    const wrong = analyzeFile(text(true), { stepBudget: BUDGET });
    const check = wrong.functions[0].check!;
    assert.equal(check.status, 'wrong');
    assert.deepEqual(check.points[0].components.map((c) => c.verdict), ['ok', 'wrong', 'ok', 'ok']);
    const c01 = check.points[0].components[1];
    assert.ok(Math.abs(c01.fd - c01.ad) < 1e-5 * (1 + Math.abs(c01.ad)), JSON.stringify(c01));
  });

  it('a vector-Jacobian product of a vector-valued function: the witness of uᵀf finds the wrong component', () => {
    const text = `/**
 * @differentiable
 * @gradient gB vjp
 * @at x = [0.3, -0.7, 1.1]
 */
export function g(x: number[]): number[] {
  return [x[0] * x[1], Math.sin(x[2]) + x[0], x[1] * x[2] * x[2]];
}

export function gB(x: number[], u: number[]): number[] {
  return [u[0] * x[1] + u[1], u[0] * x[0] + u[2] * x[2] * x[2], u[1] * Math.cos(x[2]) + u[2] * x[1] * x[2]];
}
`;
    const fa = analyzeFile(text);
    const check = fa.functions[0].check!;
    assert.equal(check.status, 'wrong');
    const comps = check.points[0].components;
    assert.deepEqual(comps.map((x) => x.verdict), ['ok', 'ok', 'wrong']);
    // ∂/∂x[2] of uᵀg = u[1]·cos(x[2]) + 2·u[2]·x[1]·x[2]: the witness agrees with AD
    assert.ok(Math.abs(comps[2].fd - comps[2].ad) < 1e-6, JSON.stringify(comps[2]));
  });
});

describe('compiled code: an inner counted loop charged before it runs', () => {
  const text = `export function f(w: number[], n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += w[j % 3] * w[(j + 1) % 3];
  return s;
}

export function g(w: number[], n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) {
    s += w[j % 3];
    if (s > 100) j = j + 2;
  }
  return s;
}
`;
  const program = parseProgram(text);
  const run = (name: string, n: number, limit = 50_000_000) => withMeter(new Meter({}), () => compilePrimalModule(program, name, null)!.run([[0.5, -1.5, 2], n], limit));

  it('charges the same steps per iteration charged at once (few) as ticked each time (many), and gives the same value', () => {
    const src = withMeter(new Meter({}), () => compilePrimalModule(program, 'f', null)!.source);
    assert.match(src, /\$n \+= \d+ \* Math\.max\(0, Math\.ceil\(v\d+ - 0\)\)/);
    const [a, b, c] = [100, 200, 100_000].map((n) => run('f', n)!);
    const perIteration = (b.steps - a.steps) / 100;
    assert.ok(perIteration >= 1);
    // (100,000 iterations are over the steps charged at once: the loop ticks each one)
    assert.equal((c.steps - a.steps) / (100_000 - 100), perIteration);
    // a bound that is not an integer: as many iterations as JavaScript runs (j = 0, 1, 2 for 2.5)
    assert.equal(run('f', 2.5)!.steps, run('f', 3)!.steps);
    let s = 0;
    const w = [0.5, -1.5, 2];
    for (let j = 0; j < 200; j++) s += w[j % 3] * w[(j + 1) % 3];
    assert.equal(b.value, s);
  });

  it('a loop over an array its body appends to ticks each iteration (the length is read anew): it stops within the budget', () => {
    const grow = parseProgram(`export function grow(w: number[]): number {
  const a = [1, 2, 3];
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    s += a[i];
    a[i + 3] = w[0];
  }
  return s;
}
`);
    const src = withMeter(new Meter({}), () => compilePrimalModule(grow, 'grow', null)!.source);
    assert.doesNotMatch(src, /Math\.max\(0,/);
    const t0 = performance.now();
    const r = withMeter(new Meter({}), () => compilePrimalModule(grow, 'grow', null)!.run([[0.5]], 200_000));
    assert.equal(r, null);
    assert.ok(performance.now() - t0 < 2_000);
  });

  it('a loop that writes its counter ticks each iteration; a bound too large stops the run before the loop', () => {
    const src = withMeter(new Meter({}), () => compilePrimalModule(program, 'g', null)!.source);
    assert.doesNotMatch(src, /Math\.max\(0,/);
    const t0 = performance.now();
    assert.equal(run('f', 1e12, 1_000_000), null);
    assert.ok(performance.now() - t0 < 500);
    // NaN as a bound: no iteration (as in JavaScript), nothing charged for it
    const nan = run('f', NaN)!;
    assert.equal(nan.value, 0);
    assert.ok(nan.steps < 50);
  });
});
