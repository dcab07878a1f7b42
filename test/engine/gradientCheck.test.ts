// The gradient check (SPEC §4): correct hand-written gradients written differently from what AD
// computes raise nothing; wrong ones (a sign, a factor, an index) are caught on the component
// that is wrong, with both values and the finite-difference witness in the message.

import * as assert from 'node:assert/strict';
import { analyzeFile } from '../../engine/index';
import { checkDiagnostics } from './fixture';

describe('engine: gradient check, no false alarms', () => {
  const correct: { name: string; src: string }[] = [
    {
      name: 'Rosenbrock, expanded differently, tuple shape',
      src: `
/** @differentiable
 * @at x = 1.5, y = -0.25
 * @at x = -0.3, y = 0.8 */
function rosen(x: number, y: number): number { return (1 - x) ** 2 + 100 * (y - x * x) ** 2; }
function rosenGrad(x: number, y: number): [number, number] {
  const r = y - x * x;
  return [2 * x - 2 - 400 * x * r, 200 * r];
}`,
    },
    {
      name: 'object shape keyed by parameter, array parameter',
      src: `
/** @differentiable
 * @wrt w, b
 * @gradient lossGrad */
function loss(w: number[], b: number, x: number[]): number {
  let z = b;
  for (let i = 0; i < w.length; i++) z += w[i] * x[i];
  return Math.log(1 + Math.exp(-z));
}
function lossGrad(w: number[], b: number, x: number[]) {
  let z = b;
  for (let i = 0; i < w.length; i++) z += w[i] * x[i];
  const s = -1 / (1 + Math.exp(z));
  const gw = new Array(w.length).fill(0);
  for (let i = 0; i < w.length; i++) gw[i] = s * x[i];
  return { w: gw, b: s };
}`,
    },
    {
      name: 'one parameter: a number, via name pairing grad<Name>',
      src: `
/** @differentiable */
function softplus(x: number): number { return Math.log1p(Math.exp(x)); }
function gradSoftplus(x: number): number { return 1 / (1 + Math.exp(-x)); }`,
    },
    {
      name: 'trigonometric identity instead of the chain rule (<name>_grad)',
      src: `
/** @differentiable */
function s2(x: number): number { return Math.sin(x) ** 2; }
function s2_grad(x: number): number { return Math.sin(2 * x); }`,
    },
    {
      name: 'large values: relative tolerance',
      src: `
/** @differentiable
 * @at x = 30 */
function big(x: number): number { return Math.exp(x); }
function bigGrad(x: number): number { return Math.exp(x - 1) * Math.E; }`,
    },
  ];
  for (const c of correct) {
    it(c.name, () => {
      const r = analyzeFile(c.src);
      assert.deepEqual(r.diagnostics.map((d) => `${d.code} ${d.message}`), []);
      const f = r.functions[0];
      assert.equal(f.check?.status, 'ok');
      assert.ok(f.check!.points.length >= 1);
    });
  }

  it('says when the gradient was paired by name', () => {
    const r = analyzeFile(correct[2].src);
    assert.equal(r.functions[0].check?.pairedBy, 'name');
    assert.equal(r.functions[0].check?.name, 'gradSoftplus');
  });
});

describe('engine: gradient check, what GL008 says when finite differences cannot decide', () => {
  it('a difference below what finite differences resolve: they agree with both, and the message says so', () => {
    // (the Black-Scholes Greeks of the corpus: a price through an approximate CDF, exact densities in the derivative)
    const fa = analyzeFile(`/**
 * @differentiable
 * @at x = 0.7
 */
export function f(x: number): number { return Math.sin(x); }
export function fGrad(x: number): number { return Math.cos(x) * (1 + 5e-6); }
`);
    const gl008 = fa.diagnostics.filter((d) => d.code === 'GL008');
    assert.equal(gl008.length, 1, fa.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
    assert.match(gl008[0].message, /differ by 5e-6 relative, less than finite differences resolve here, and those agree with both/);
    assert.doesNotMatch(gl008[0].message, /ill-conditioned/);
  });

  it('finite differences near neither: an ill-conditioned point', () => {
    const fa = analyzeFile(`/**
 * @differentiable
 * @at x = 1e-300
 */
export function tiny(x: number): number { return Math.sqrt(x); }
export function tinyGrad(x: number): number { return 0.5 / Math.sqrt(x) * 1.0001; }
`);
    const gl008 = fa.diagnostics.filter((d) => d.code === 'GL008');
    assert.equal(gl008.length, 1, fa.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
    assert.match(gl008[0].message, /side with neither \(an ill-conditioned point\)/);
  });
});

describe('engine: gradient check, wrong gradients caught on the right component', () => {
  it('a wrong sign on ∂/∂y', () => {
    const r = checkDiagnostics(`
/** @differentiable
 * @at x = 1.5, y = -0.25 */
function rosen(x: number, y: number): number { return (1 - x) ** 2 + 100 * (y - x * x) ** 2; }
function rosenGrad(x: number, y: number): [number, number] {
  return [-2 * (1 - x) - 400 * x * (y - x * x), -200 * (y - x * x)];
  //                                            ^^^^^^^^^^^^^^^^^^ GL001 ∂rosen/∂y is wrong at x = 1.5, y = -0.25: hand-written 500, AD -500, finite differences -500
}`);
    assert.equal(r.functions[0].check?.status, 'wrong');
    const comps = r.functions[0].check!.points[0].components;
    assert.deepEqual(comps.map((c) => c.verdict), ['ok', 'wrong']);
  });

  it('a missing factor on one key of an object', () => {
    checkDiagnostics(`
/** @differentiable */
function e(m: number, v: number): number { return 0.5 * m * v * v; }
function eGrad(m: number, v: number) {
  return { m: 0.5 * v * v, v: m * v * 0.5 };
  //                          ^^^^^^^^^^^ GL001 ∂e/∂v
}`);
  });

  it('an index error in an array gradient built in a loop', () => {
    const r = checkDiagnostics(`
/** @differentiable
 * @at w = [1, 2, 3, 4] */
function sumsq(w: number[]): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += (i + 1) * w[i] * w[i];
  return s;
}
function sumsqGrad(w: number[]): number[] {
  const g = new Array(w.length).fill(0);
  for (let i = 0; i < w.length; i++) g[i] = 2 * i * w[i];
  return g;
  //     ^ GL001 ∂sumsq/∂w[0] is wrong
}`);
    const comps = r.functions[0].check!.points[0].components;
    // Every component is off by one index in the weight (2·i instead of 2·(i + 1)).
    assert.deepEqual(comps.map((c) => c.verdict), ['wrong', 'wrong', 'wrong', 'wrong']);
    assert.deepEqual(comps.map((c) => c.label), ['w[0]', 'w[1]', 'w[2]', 'w[3]']);
  });

  it('only one wrong element of an array literal', () => {
    checkDiagnostics(`
/** @differentiable
 * @at p = [0.5, 2] */
function f(p: [number, number]): number { return Math.sin(p[0]) * p[1]; }
function fGrad(p: [number, number]): number[] {
  return [Math.cos(p[0]) * p[1], Math.cos(p[0])];
  //                             ^^^^^^^^^^^^^^ GL001 ∂f/∂p[1]
}`);
  });

  it('GL006 on a gradient of the wrong shape', () => {
    checkDiagnostics(`
/** @differentiable */
function f(x: number, y: number): number { return x * y; }
function fGrad(x: number, y: number): number {
//       ^^^^^ GL006 it returns a number, but 2 parameters are differentiated
  return y;
}`);
    checkDiagnostics(`
/** @differentiable
 * @at w = [1, 2, 3] */
function f(w: number[]): number { return w[0] * w[1] * w[2]; }
function fGrad(w: number[]): number[] {
//       ^^^^^ GL006 has 2 numbers
  return [w[1] * w[2], w[0] * w[2]];
}`);
  });

  it('a @derivative rule of a helper is checked too, and used', () => {
    const r = checkDiagnostics(`
/** @derivative dsq */
function sq(x: number): number { return x * x; }
function dsq(x: number): number { return 3 * x; }
//                                       ^^^^^ GL001 ∂sq/∂x
/** @differentiable
 * @at x = 2 */
function f(x: number): number { return sq(x) + x; }
`);
    // The rule is used when differentiating f, even though it is wrong: 3·2 + 1.
    assert.deepEqual(r.functions[0].gradient, { x: 7 });
  });

  it('a @nondifferentiable helper contributes zero', () => {
    const r = analyzeFile(`
/** @nondifferentiable */
function bucket(x: number): number { return Math.floor(x * 10); }
/** @differentiable
 * @at x = 0.55 */
function f(x: number): number { return bucket(x) * x; }
`);
    assert.deepEqual(r.functions[0].gradient, { x: 5 });
  });
});
