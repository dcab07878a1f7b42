// Code generation for records and parameters held constant (issue 13): functions returning a
// record (a Jacobian keyed by field, a JVP of records), options objects and strings held constant
// (compared as JavaScript compares strings), Hessians of record parameters. Each generated
// function is type-checked under `tsc --strict` beside the source, run, and compared with the
// engine's own AD (the Differentiator) at the `@at` point.

import * as assert from 'node:assert/strict';
import { generateDerivative, generateFromProgram, wrtIndices } from '../../engine/codegen/generate';
import { budgeted } from '../../engine/budget';
import { compileGradient, compileJvp } from '../../engine/compileIr';
import { Differentiator } from '../../engine/differentiate';
import { stringId } from '../../engine/lower/types';
import { parseProgram } from '../../engine/program';
import { flat } from './harness';
import { close, direction, engineAt, generated, leaves } from './atPoint';

interface Vec2 { x: number; y: number }

const TYPES = `interface Vec2 { x: number; y: number }
interface OptionSpec { kind: 'call' | 'put'; strike: number; american: boolean }
`;

const ROTATE = `${TYPES}
/**
 * @differentiable
 * @at p = { x: 1, y: 2 }, a = 0.3
 */
export function rotate(p: Vec2, a: number): Vec2 {
  const c = Math.cos(a), s = Math.sin(a);
  return { y: s * p.x + c * p.y, x: c * p.x - s * p.y };
}
`;

const POLAR = `
/**
 * @differentiable
 * @at r = 2, t = 0.4
 */
export function polar(r: number, t: number): { pos: { x: number; y: number }; area: number } {
  return { pos: { y: r * Math.sin(t), x: r * Math.cos(t) }, area: 0.5 * r * r * t };
}
`;

const PRICE = `${TYPES}
function cnd(x: number): number { return 0.5 * (1 + Math.tanh(0.7978845608 * (x + 0.044715 * x * x * x))); }

/**
 * @differentiable
 * @at S = 100, sigma = 0.2, opts = { kind: "call", strike: 95, american: false }
 */
export function price(S: number, sigma: number, opts: OptionSpec): number {
  const d1 = (Math.log(S / opts.strike) + 0.5 * sigma * sigma) / sigma;
  const d2 = d1 - sigma;
  const early = opts.american ? 0.01 * S : 0;
  if (opts.kind === 'call') return S * cnd(d1) - opts.strike * cnd(d2) + early;
  return opts.strike * cnd(-d2) - S * cnd(-d1) + early;
}
`;

const PAYOFF = `
function sign(mode: string): number { return mode === "it's \u2713" ? -1 : 1; }

/**
 * @differentiable
 * @at x = 0.7, k = 1.5, mode = "call"
 */
export function payoff(x: number, k: number, mode: 'call' | "it's \u2713"): number {
  const s = sign(mode);
  return mode !== "it's \u2713" ? Math.exp(s * x) * k * k : Math.sin(s * x * k);
}
`;

const ENERGY = `${TYPES}
/**
 * @differentiable
 * @at p = { x: 0.5, y: -1.2 }, k = 1.5
 */
export function energy(p: Vec2, k: number): number {
  return 0.5 * k * (p.x * p.x + 3 * p.y * p.y) + Math.sin(p.x * p.y) * k * k;
}
`;

describe('codegen of records: a function returning a record', function () {
  this.timeout(60_000);

  it('its Jacobian is keyed by the result\'s fields, each entry the gradient of that field in the parameters\' shapes', () => {
    const e = engineAt(ROTATE, 'rotate', 'p = { x: 1, y: 2 }, a = 0.3');
    const g = generated(ROTATE, 'rotate', 'reverse');
    assert.match(g.code, /export function rotateGrad\(p: Vec2, a: number\): \{ x: \[Vec2, number\]; y: \[Vec2, number\] \}/);
    const J = g.fn(...e.args) as { x: [{ x: number; y: number }, number]; y: [{ x: number; y: number }, number] };
    assert.deepEqual(Object.keys(J.x[0]).sort(), ['x', 'y']);
    // rows in field order (x, y), columns p.x, p.y, a: the analysis's Jacobian
    close(leaves(J.x), e.jacobian[0], 'row x');
    close(leaves(J.y), e.jacobian[1], 'row y');
  });

  it('its JVP returns the value and the tangent as records', () => {
    const e = engineAt(ROTATE, 'rotate', 'p = { x: 1, y: 2 }, a = 0.3');
    const g = generated(ROTATE, 'rotate', 'jvp');
    assert.match(g.code, /export function rotateJvp\(p: Vec2, a: number, dP: Vec2, dA: number\): \[Vec2, Vec2\]/);
    const dirs = direction(e.args);
    const [value, tangent] = g.fn(...e.args, ...dirs) as [Record<string, number>, Record<string, number>];
    close(leaves(value), leaves(e.value), 'value');
    const v = leaves(dirs);
    close(leaves(tangent), e.jacobian.map((row) => row.reduce((s, x, i) => s + x * v[i], 0)), 'J·v');
  });

  it('nested result fields nest in the Jacobian and the JVP, a parameter of numbers keeps its place', () => {
    const e = engineAt(POLAR, 'polar', 'r = 2, t = 0.4');
    const rev = generated(POLAR, 'polar', 'reverse');
    const J = rev.fn(...e.args) as { area: [number, number]; pos: { x: [number, number]; y: [number, number] } };
    // the IR's fields sorted by path: area, pos.x, pos.y
    close(J.area, e.jacobian[0], 'row area');
    close(J.pos.x, e.jacobian[1], 'row pos.x');
    close(J.pos.y, e.jacobian[2], 'row pos.y');
    const jvp = generated(POLAR, 'polar', 'jvp');
    const [value, tangent] = jvp.fn(2, 0.4, 1, 0) as [{ pos: { x: number } }, { pos: { x: number; y: number }; area: number }];
    assert.ok(Math.abs(value.pos.x - 2 * Math.cos(0.4)) < 1e-14);
    close([tangent.area, tangent.pos.x, tangent.pos.y], e.jacobian.map((row) => row[0]), 'J·e_r');
  });
});

const MID = `${TYPES}
/**
 * @differentiable
 * @at ps = [{ x: 1, y: 2 }, { x: 3, y: -1 }], k = 2
 */
export function mid(ps: Vec2[], k: number): Vec2 {
  return { x: k * (ps[0].x + ps[1].x), y: ps[0].y * ps[1].y * k };
}
`;

describe('codegen of records: a function of an array of records returning a record', function () {
  this.timeout(60_000);

  it('its Jacobian entries are shaped as the parameters (Vec2[], number), and its JVP takes record tangents', () => {
    const e = engineAt(MID, 'mid', 'ps = [{ x: 1, y: 2 }, { x: 3, y: -1 }], k = 2');
    const g = generated(MID, 'mid', 'reverse');
    const J = g.fn(...e.args) as { x: [Vec2[], number]; y: [Vec2[], number] };
    assert.equal(J.y[0].length, 2);
    close(J.x[0].flatMap((q) => [q.x, q.y]).concat(J.x[1]), e.jacobian[0], 'row x');
    close(J.y[0].flatMap((q) => [q.x, q.y]).concat(J.y[1]), e.jacobian[1], 'row y');
    const jvp = generated(MID, 'mid', 'jvp');
    const dirs = direction(e.args);
    const [, tangent] = jvp.fn(...e.args, ...dirs) as [Vec2, Vec2];
    const v = leaves(dirs[0]).length === 4 ? (dirs[0] as Vec2[]).flatMap((q) => [q.x, q.y]).concat(dirs[1] as number) : [];
    close([tangent.x, tangent.y], e.jacobian.map((row) => row.reduce((s, x, i) => s + x * v[i], 0)), 'J·v');
  });
});

describe('codegen of records: parameters held constant (options objects, strings)', function () {
  this.timeout(60_000);

  for (const kind of ['call', 'put']) {
    it(`an options object (kind = "${kind}"): gradient, JVP and Hessian read its fields by name and compare the real strings`, () => {
      const at = `S = 100, sigma = 0.2, opts = { kind: "${kind}", strike: 95, american: ${kind === 'put'} }`;
      const e = engineAt(PRICE, 'price', at);
      const grad = generated(PRICE, 'price', 'reverse');
      assert.match(grad.code, /export function priceGrad\(S: number, sigma: number, opts: OptionSpec\): \[number, number\]/);
      assert.match(grad.code, /if \(opts\.kind === 'call'\)/);
      assert.doesNotMatch(grad.code, new RegExp(String(stringId('call')).replace('.', '\\.')), 'no hash in readable code');
      close(leaves(grad.fn(...e.args)), e.jacobian[0], 'gradient');

      const jvp = generated(PRICE, 'price', 'jvp');
      const [value, tangent] = jvp.fn(...e.args, 0.3, -0.7) as [number, number];
      close([value], [e.value as number], 'value');
      close([tangent], [0.3 * e.jacobian[0][0] - 0.7 * e.jacobian[0][1]], 'J·v');

      const hess = generated(PRICE, 'price', 'hessian');
      close((hess.fn(...e.args) as number[][]).flat(), e.hessian().flat(), 'Hessian', 1e-8);
    });
  }

  it('a string parameter (a union with a quote and a non-ASCII letter) passed to a helper: literals escaped, compared as strings', () => {
    for (const mode of ['call', "it's \u2713"]) {
      const e = engineAt(PAYOFF, 'payoff', `x = 0.7, k = 1.5, mode = ${JSON.stringify(mode)}`);
      const grad = generated(PAYOFF, 'payoff', 'reverse');
      assert.match(grad.code, /'it\\'s \\u2713'/);
      close(leaves(grad.fn(...e.args)), e.jacobian[0], `gradient (${mode})`);
      const jvp = generated(PAYOFF, 'payoff', 'jvp');
      const [, tangent] = jvp.fn(...e.args, 1, 2) as [number, number];
      close([tangent], [e.jacobian[0][0] + 2 * e.jacobian[0][1]], `J·v (${mode})`);
      const hess = generated(PAYOFF, 'payoff', 'hessian');
      close((hess.fn(...e.args) as number[][]).flat(), e.hessian().flat(), `Hessian (${mode})`, 1e-8);
    }
  });

  it('an options object built in the function and passed to a helper is a GL002 naming it (the readable code passes options as they are)', () => {
    const src = `interface Opt { kind: 'call' | 'put'; strike: number }
function pay(S: number, o: Opt): number { return o.kind === 'call' ? S * S - o.strike : S * o.strike; }
/**
 * @differentiable
 * @at S = 100, K = 90
 */
export function f(S: number, K: number): number { return pay(S, { kind: 'call', strike: K }); }
`;
    for (const mode of ['reverse', 'jvp', 'hessian'] as const) {
      const r = generateDerivative(src, 'f', mode);
      assert.equal(r.generated, null);
      assert.equal(r.diagnostics[0].code, 'GL002');
      assert.match(r.diagnostics[0].message, /an options object built in the function and passed to 'pay'/);
    }
  });

  it('the compile path prints the hashes and no user string', () => {
    const program = parseProgram(PRICE);
    const r = budgeted(60_000, () => generateFromProgram(program, 'price', 'reverse', undefined, { ts: false, sanitize: true }));
    assert.ok(r.generated, r.diagnostics.map((d) => d.message).join('; '));
    assert.doesNotMatch(r.generated.code, /call|put|strike|opts/);
    assert.ok(r.generated.code.includes(String(stringId('call'))), r.generated.code);
  });

  it('@wrt naming a parameter held constant leaves it constant, as the analysis does', () => {
    const fn = parseProgram(PRICE.replace(' * @differentiable\n', ' * @differentiable\n * @wrt S, opts\n')).lower('price')!.fn;
    assert.deepEqual(wrtIndices(fn), [0]);
  });
});

describe('codegen of records: Hessians of record parameters', function () {
  this.timeout(60_000);

  it('a record parameter and a number: rows and columns p.x, p.y, k, equal to the engine\'s Hessian', () => {
    const e = engineAt(ENERGY, 'energy', 'p = { x: 0.5, y: -1.2 }, k = 1.5');
    const hess = generated(ENERGY, 'energy', 'hessian');
    assert.match(hess.code, /export function energyHessian\(p: Vec2, k: number\): number\[\]\[\]/);
    const H = hess.fn(...e.args) as number[][];
    assert.equal(H.length, 3);
    close(H.flat(), e.hessian().flat(), 'Hessian', 1e-8);
    const jvp = generated(ENERGY, 'energy', 'jvp');
    const [, tangent] = jvp.fn(...e.args, { x: 1, y: 0 }, 0) as [number, number];
    close([tangent], [e.jacobian[0][0]], 'J·e_px');
  });
});

const PATH = `${TYPES}
/**
 * @differentiable
 * @at ps = [{ x: 1, y: 2 }, { x: 3, y: -1 }, { x: 0.5, y: 0.25 }], k = 0.7
 */
export function pathEnergy(ps: Vec2[], k: number): number {
  let s = 0;
  for (let i = 1; i < ps.length; i++) s += k * Math.hypot(ps[i].x - ps[i - 1].x, ps[i].y - ps[i - 1].y);
  for (const p of ps) s += p.x * p.y * k;
  return s;
}
`;

describe('codegen of records: Hessians of arrays of records', function () {
  this.timeout(60_000);

  it('an array of records and a number: rows and columns ps[0].x … ps[2].y, k, equal to the engine\'s Hessian', () => {
    const e = engineAt(PATH, 'pathEnergy', 'ps = [{ x: 1, y: 2 }, { x: 3, y: -1 }, { x: 0.5, y: 0.25 }], k = 0.7');
    const hess = generated(PATH, 'pathEnergy', 'hessian');
    const H = hess.fn(...e.args) as number[][];
    assert.equal(H.length, 7);
    close(H.flat(), e.hessian().flat(), 'Hessian', 1e-8);
  });
});

describe('codegen of records: the compile path runs over the IR\'s arrays', function () {
  this.timeout(60_000);

  it('compiled gradients, Jacobians and JVPs of records, record results and options objects equal the engine\'s AD', () => {
    const cases = [
      { src: ENERGY, name: 'energy', at: 'p = { x: 0.5, y: -1.2 }, k = 1.5' },
      { src: ROTATE, name: 'rotate', at: 'p = { x: 1, y: 2 }, a = 0.3' },
      { src: POLAR, name: 'polar', at: 'r = 2, t = 0.4' },
      { src: PRICE, name: 'price', at: 'S = 100, sigma = 0.2, opts = { kind: "put", strike: 95, american: true }' },
      { src: PAYOFF, name: 'payoff', at: `x = 0.7, k = 1.5, mode = "it's \u2713"` },
    ];
    for (const c of cases) {
      const e = engineAt(c.src, c.name, c.at);
      const program = parseProgram(c.src);
      const grad = budgeted(60_000, () => compileGradient(program, c.name));
      assert.ok(grad, `${c.name}: compiled`);
      const g = grad(...e.irArgs);
      const rows = Array.isArray(e.value) ? (g as unknown[]) : [g];
      close(leaves(rows), e.jacobian.flat(), `${c.name}: compiled gradient`);
      const jvp = budgeted(60_000, () => compileJvp(program, c.name));
      assert.ok(jvp, `${c.name}: compiled JVP`);
      const dirs = direction(e.irArgs.filter((_, i) => program.lower(c.name)!.fn.params[i].constant === undefined));
      const [, tangent] = jvp(...e.irArgs, ...dirs) as [unknown, unknown];
      const v = leaves(dirs);
      close(leaves(tangent), e.jacobian.map((row) => row.reduce((s, x, i) => s + x * v[i], 0)), `${c.name}: compiled J·v`);
    }
  });
});
