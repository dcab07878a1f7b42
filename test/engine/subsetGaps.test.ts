// Constructs of real code that the real-style corpus showed outside the subset (issue 13):
// assignments inside expressions (Penner's `c * (t /= d) * t + b`), a default given by the body
// (`if (s === undefined) s = 1.70158;`), callbacks with statements (`.map(function (p, i) { … })`,
// `.forEach`, `.reduce`), `type || 'call'` on a string, stores into fields of record-array
// elements (`g[i].x -= …`). Each: the value JavaScript computes, reverse = forward = complex step
// = central differences, the generated reverse-mode and JVP code run against AD where the
// generators take the function, a right and a wrong hand-written derivative; and a GL002 on the
// exact range where JavaScript's meaning could not be kept.

import * as assert from 'node:assert/strict';
import * as vm from 'node:vm';
import ts from 'typescript';
import { numberAlgebra } from '../../engine/algebra';
import { analyzeFile } from '../../engine/analyzeFile';
import { generateDerivative } from '../../engine/codegen/generate';
import { Differentiator } from '../../engine/differentiate';
import { Interpreter, Value } from '../../engine/evaluate';
import type { Point } from '../../engine/ir';
import { parseProgram } from '../../engine/program';
import { checkDiagnostics } from './fixture';
import { flat, load } from '../codegen/harness';

interface Case {
  name: string;
  src: string;
  fn?: string;
  point: Point;
  /** The arguments JavaScript gets, where they differ from the IR's (records are objects there). */
  js?: Record<string, unknown>;
  /** The generators take it: its reverse-mode and JVP code are run against AD. */
  codegen?: boolean;
}

const PENNER_BACK = `function easeOutBack(t: number, b: number, c: number, d: number, s?: number): number {
  if (s === undefined) s = 1.70158;
  return c * ((t = t / d - 1) * t * ((s + 1) * t + s) + 1) + b;
}`;

const CASES: Case[] = [
  { name: 'compound assignment inside a product (Penner easeInQuad)', src: 'function f(t: number, b: number, c: number, d: number): number { return c * (t /= d) * t + b; }', point: { t: 0.3, b: 1, c: 10, d: 2 }, codegen: true },
  { name: 'assignment in an if test and in the return after it (easeInOutCubic)', src: `function f(t: number, b: number, c: number, d: number): number {
  if ((t /= d / 2) < 1) return c / 2 * t * t * t + b;
  return c / 2 * ((t -= 2) * t * t + 2) + b;
}`, point: { t: 1.6, b: 5, c: 10, d: 2 }, codegen: true },
  { name: 'plain assignment inside an expression, a default given by the body (easeOutBack)', src: PENNER_BACK, fn: 'easeOutBack', point: { t: 0.4, b: 0, c: 1, d: 1, s: 1.2 }, codegen: true },
  { name: 'nested assignments, each hoisted in evaluation order', src: 'function f(x: number): number { let a = 0; let b = 0; const y = (a = (b = x * 2) + 1) * b; return y + a; }', point: { x: 0.7 }, codegen: true },
  { name: '++ and -- inside expressions (old and new values)', src: 'function f(w: number[]): number { let i = 0; let s = 0; s += w[i++] * 2; s += w[i++] * w[i]; s += w[--i]; let k = 3; return s * k-- + k; }', point: { w: [0.5, -1.5, 2.5] }, codegen: true },
  { name: 'an assignment in a while test runs every iteration', src: 'function f(x: number): number { let n = 4; let s = 0; while ((n -= 1) > 0) { if (n === 2) continue; s += x ** n; } return s; }', point: { x: 1.3 }, codegen: true },
  { name: 'an assignment in a for test and a do…while test', src: 'function f(x: number): number { let s = 0; let k = 0; for (let i = 0; (k += 1) < 4; i++) s += x * k + i; let m = 0; do { s *= 1.1; } while ((m += 1) < 3); return s + k + m; }', point: { x: 0.6 }, codegen: true },
  { name: '`s = s ?? K` and `||` defaults given by the body', src: 'function f(x: number, s?: number, r?: number): number { s = s ?? 2; r = r || 0.5; return x * s + r; }', point: { x: 0.9, s: 3, r: 0.2 }, codegen: true },
  { name: 'assignments on one side of ?:, && and || run only there', src: 'function f(t: number, d: number): number { let a = t > 0 ? (d *= 2) : d - 1; const b = t > 1 && (d /= 2) > 0; const c = (t -= 0.5) || (d += 3); const e = t < 0 ? t : (t = t * d) > 1 ? (d -= 1) : d; return a + (b ? 1 : 0) + c * d + e * t; }', point: { t: 2.8, d: 1.5 }, codegen: true },
  { name: 'the same, taking the other sides', src: 'function f(t: number, d: number): number { let a = t > 0 ? (d *= 2) : d - 1; const b = t > 1 && (d /= 2) > 0; const c = (t -= 2.5) || (d += 3); const e = t < 0 ? t : (t = t * d) > 1 ? (d -= 1) : d; return a + (b ? 1 : 0) + c * d + e * t; }', point: { t: -0.6, d: 1.5 }, codegen: true },
  { name: 'an expression-bodied map callback that assigns runs as a loop', src: 'function f(w: number[], d: number): number { const m = w.map((v, i) => (d += v * i)); return m[1] * m[2] + d; }', point: { w: [0.5, -1, 2], d: 0.3 }, codegen: true },
  { name: 'logical assignments whose value assigns: it runs only when they assign', src: 'function f(x: number): number { let k = 1; let a = 0; a ||= (k += x); let b = 2; b ||= (k *= 3); let c = x; c &&= (k -= 0.5); return a * k + b + c; }', point: { x: 0.8 }, codegen: true },
  { name: 'assignments to array elements inside expressions (chained, compound, ++)', src: 'function f(x: number): number { const a = [x, 2 * x, 3]; const b = [0, 0, 0]; let i = 0; b[0] = a[2] = x * x; const c = (b[1] += x) * 2; const d = b[i++]++ + b[0]; return a[2] * b[0] + c * b[1] + d * i + b[2]; }', point: { x: 0.8 }, codegen: true },
  { name: 'a map callback written as a function with a single return', src: 'function f(p: number[], y: number[]): number { const n = p.length; const g = p.map(function (pi, i) { return (pi - y[i]) / n; }); return g[0] * g[1] + g[2]; }', point: { p: [0.8, 0.3, 0.6], y: [1, 0, 1] }, codegen: true },
  { name: 'a map callback with statements', src: 'function f(w: number[], c: number): number { const m = w.map((v, i) => { const u = v * c; let r = u * u; if (i > 0) r += w[i - 1]; return r; }); return m[0] + m[1] * m[2]; }', point: { w: [0.5, -1, 2], c: 1.5 }, codegen: true },
  { name: 'forEach writing into its own locals only, map inside a larger expression', src: 'function f(w: number[], c: number): number { let t = c; const s = t * w.map(function (v) { const q = v + 1; return q * q; })[1]; return s + (t /= 2); }', point: { w: [0.5, -1, 2], c: 1.5 }, codegen: true },
  { name: 'forEach as a statement writing into arrays and variables around it', src: 'function f(w: number[], c: number): number { const g = new Array(w.length).fill(0); let s = 0; w.forEach(function (v, i) { g[i] = v * c; s += g[i] * v; }); w.forEach((v) => { s = s * 0.5 + v; }); return s + g[1]; }', point: { w: [0.5, -1, 2], c: 1.5 }, codegen: true },
  { name: 'stores into fields of record-array elements (its generated code: test/codegen/rowArrays.test.ts)', src: 'interface Vec2 { x: number; y: number }\nfunction f(ps: Vec2[], c: number): number { const g: Vec2[] = []; for (const p of ps) g.push({ x: 0, y: p.y }); for (let i = 0; i < ps.length; i++) { g[i].x = ps[i].x * c; g[i].y += g[i].x * ps[i].y; g[(i + 1) % ps.length].x -= c; } return g[0].x * g[1].y + g[1].x; }', point: { ps: [[1, 2], [-0.5, 0.7]] as unknown as number[], c: 1.3 }, js: { ps: [{ x: 1, y: 2 }, { x: -0.5, y: 0.7 }], c: 1.3 } },
  { name: 'local helpers nested in the function, reading its parameters and locals (generated code copies them)', src: `function f(x: number[], c: number): number {
  const s = c * 2;
  function term(v: number): number { return s * v * v + Math.sin(c * v); }
  const twice = (v: number) => 2 * term(v);
  let e = 0;
  for (let i = 0; i < x.length; i++) e += term(x[i]) * twice(x[(i + 1) % x.length]);
  return e;
}`, point: { x: [0.5, -1, 2], c: 0.7 }, codegen: true },
  { name: 'reduce with an initial value, expression and block bodies', src: 'function f(w: number[]): number { const a = w.reduce((s, v) => s + v * v, 0); const b = w.reduce(function (acc, v, i) { const t = Math.sin(v) * i; return acc + t; }, 1); return a * b; }', point: { w: [0.5, -1, 2] }, codegen: true },
];

function check(c: Case) {
  const name = c.fn ?? 'f';
  const program = parseProgram(c.src);
  const lowered = program.lower(name)!;
  assert.ok(lowered, `${name} is found`);
  assert.deepEqual(lowered.diagnostics.map((d) => d.message), [], 'lowers without diagnostics');
  const point: Point = { ...c.point };
  // The value equals what JavaScript computes from the same source.
  const js = ts.transpileModule(`${c.src}\nresult = ${name};`, { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
  const ctx: { result?: (...a: unknown[]) => unknown } = {};
  vm.runInNewContext(js, ctx);
  const expected = ctx.result!(...lowered.fn.params.map((p) => structuredClone((c.js ?? c.point)[p.name])));
  const actual = new Interpreter(numberAlgebra, program, 1e6).run(lowered.fn, lowered.fn.params.map((p) => structuredClone(point[p.name]) as Value<number>));
  assert.equal(JSON.stringify(actual), JSON.stringify(expected), 'value');
  const wrt = lowered.fn.params.filter((p) => !p.constant && p.depth <= 1).map((p) => p.name);
  const d = new Differentiator(program, lowered.fn, wrt, point, 1e6);
  const rev = d.reverse().jacobian;
  const fwd = d.forward().jacobian;
  const cs = d.complexStep();
  rev.forEach((row, r) => row.forEach((g, k) => {
    const tol = 1e-10 * Math.max(1, Math.abs(g));
    assert.ok(Math.abs(g - fwd[r][k]) <= tol, `forward ${fwd[r][k]} vs reverse ${g} (${d.components[k].label})`);
    assert.ok(Math.abs(g - cs[r][k]) <= tol, `complex step ${cs[r][k]} vs reverse ${g} (${d.components[k].label})`);
    const fd = d.numerical(-1)[k];
    assert.ok(Math.abs(g - fd) <= 1e-6 * Math.max(1, Math.abs(g)), `finite differences ${fd} vs reverse ${g} (${d.components[k].label})`);
  }));
  if (!c.codegen) return;
  const args = lowered.fn.params.map((p) => structuredClone(point[p.name]));
  const wrtIdx = lowered.fn.params.map((p, i) => (wrt.includes(p.name) ? i : -1)).filter((i) => i >= 0);
  for (const mode of ['reverse', 'closed', 'jvp', 'hessian'] as const) {
    const gen = generateDerivative(c.src, name, mode);
    // A closed form exists for straight-line code only: where it is generated, it is checked.
    if (mode === 'closed' && !gen.generated) continue;
    assert.ok(gen.generated, `no ${mode} code: ${gen.diagnostics.map((x) => x.message).join('; ')}`);
    const loaded = load(`${c.src}\n${gen.generated.code}\nmodule.exports.${gen.generated.name} = ${gen.generated.name};`);
    const g = loaded[gen.generated.name];
    if (mode === 'reverse' || mode === 'closed') {
      const out = flat(g(...structuredClone(args)));
      // The generated gradient returns the value first or the gradient alone; compare its tail.
      const grad = out.slice(out.length - rev[0].length);
      grad.forEach((x, k) => assert.ok(Math.abs(x - rev[0][k]) <= 1e-9 * Math.max(1, Math.abs(x)), `generated reverse ${x} vs AD ${rev[0][k]} (${d.components[k].label})\n${gen.generated!.code}`));
    } else if (mode === 'hessian') {
      const h = g(...structuredClone(args)) as number[][];
      const want = d.hessian();
      want.forEach((row, a) => row.forEach((x, b) => assert.ok(Math.abs(h[a][b] - x) <= 1e-8 * Math.max(1, Math.abs(x)), `generated Hessian[${a}][${b}] ${h[a][b]} vs AD ${x}\n${gen.generated!.code}`)));
    } else {
      // Along each input component in turn: the JVP is that column.
      let col = 0;
      for (const i of wrtIdx) {
        const n = Array.isArray(args[i]) ? (args[i] as number[]).length : 1;
        for (let k = 0; k < n; k++, col++) {
          const dirs = wrtIdx.map((j) => (Array.isArray(args[j]) ? (args[j] as number[]).map((_, kk) => (j === i && kk === k ? 1 : 0)) : j === i ? 1 : 0));
          const out = flat(g(...structuredClone(args), ...dirs));
          const tangent = out[out.length - 1];
          assert.ok(Math.abs(tangent - rev[0][col]) <= 1e-9 * Math.max(1, Math.abs(tangent)), `generated JVP ${tangent} vs AD ${rev[0][col]} (${d.components[col].label})\n${gen.generated!.code}`);
        }
      }
    }
  }
}

describe('engine: subset gaps of real code (issue 13)', () => {
  for (const c of CASES) it(c.name, () => check(c));
});

/** The verdict on the first function's hand-written derivative: 'ok', 'wrong' (GL001) or why none. */
function verdict(src: string): string {
  const r = analyzeFile(src);
  const f = r.functions.find((x) => x.check);
  if (!f) return `unchecked: ${r.diagnostics.map((x) => `${x.code} ${x.message}`).join('; ')}`;
  return f.diagnostics.some((x) => x.code === 'GL001') ? 'wrong' : `${f.check!.status}${f.check!.status === 'ok' ? '' : `: ${f.diagnostics.map((x) => `${x.code} ${x.message}`).join('; ')}`}`;
}

describe('codegen: helpers generated code cannot call where they are declared', () => {
  it('an instance method calling another: the callee is copied with its fields as parameters, and the gradient is right', () => {
    const src = `export class Model {
  k = 2;
  predict(x: number): number { return this.k * Math.tanh(x); }
  /**
   * @differentiable
   * @at x = 0.3, y = 1
   */
  loss(x: number, y: number): number { const r = this.predict(x) - y; return r * r; }
}`;
    const gen = generateDerivative(src, 'Model.loss', 'reverse');
    assert.ok(gen.generated, gen.diagnostics.map((x) => x.message).join('; '));
    assert.match(gen.generated.code, /A copy of `Model.predict`/);
    const g = load(`${src}\n${gen.generated.code}\nmodule.exports.g = ${gen.generated.name};`).g;
    const [dx, dy] = g(0.3, 1, 2) as number[];
    const r = 2 * Math.tanh(0.3) - 1;
    assert.ok(Math.abs(dx - 2 * r * 2 * (1 - Math.tanh(0.3) ** 2)) < 1e-12, String(dx));
    assert.ok(Math.abs(dy + 2 * r) < 1e-12, String(dy));
  });
});

describe('engine: hand-written derivatives of the gap constructs, right and wrong', () => {
  const pennerQuad = (velocity: string) => `/**
 * @differentiable
 * @wrt t
 * @at t = 0.3, b = 0, c = 10, d = 2
 * @gradient easeOutQuadVelocity
 */
function easeOutQuad(t: number, b: number, c: number, d: number): number {
  return -c * (t /= d) * (t - 2) + b;
}
function easeOutQuadVelocity(t: number, b: number, c: number, d: number): number {
  return ${velocity};
}`;
  it('Penner easeOutQuad: the right velocity agrees, a flipped sign is a GL001', () => {
    assert.equal(verdict(pennerQuad('-c * (2 * t / d - 2) / d')), 'ok');
    assert.equal(verdict(pennerQuad('c * (2 * t / d - 2) / d')), 'wrong');
  });

  const back = (factor: string) => `/**
 * @differentiable
 * @wrt t
 * @at t = 0.4, b = 0, c = 1, d = 1
 * @gradient velocity
 */
function easeOutBack(t, b, c, d, s) {
  if (s == undefined) s = 1.70158;
  return c * ((t = t / d - 1) * t * ((s + 1) * t + s) + 1) + b;
}
function velocity(t, b, c, d, s) {
  if (s === undefined) s = 1.70158;
  var u = t / d - 1;
  return c / d * (${factor} * (s + 1) * u * u + 2 * s * u);
}`;
  it('easeOutBack with the default given by the body: right agrees, a wrong factor is a GL001', () => {
    assert.equal(verdict(back('3')), 'ok');
    assert.equal(verdict(back('2')), 'wrong');
  });

  const bce = (body: string) => `/**
 * @differentiable
 * @wrt p
 * @at p = [0.8, 0.3, 0.6], y = [1, 0, 1]
 * @gradient bceGrad
 */
function bce(p: number[], y: number[]): number {
  let l = 0;
  for (let i = 0; i < p.length; i++) l -= y[i] * Math.log(p[i]) + (1 - y[i]) * Math.log(1 - p[i]);
  return l / p.length;
}
function bceGrad(p: number[], y: number[]): number[] {
  const n = p.length;
  return p.map(function (pi, i) {
    ${body}
  });
}`;
  it('a gradient built by a map callback with statements: right agrees, a wrong index is a GL001', () => {
    assert.equal(verdict(bce('const a = -y[i] / pi;\n    const b = (1 - y[i]) / (1 - pi);\n    return (a + b) / n;')), 'ok');
    assert.equal(verdict(bce('const a = -y[i] / pi;\n    const b = (1 - y[(i + 1) % n]) / (1 - pi);\n    return (a + b) / n;')), 'wrong');
  });

  const greek = (delta: string) => `function cdf(x: number): number { return 0.5 * (1 + Math.tanh(0.7978845608 * (x + 0.044715 * x * x * x))); }
/**
 * @differentiable
 * @wrt s
 * @at s = 42, k = 40, v = 0.2, type = "put"
 * @gradient delta
 */
function price(s: number, k: number, v: number, type: string): number {
  type = type || 'call';
  const d1 = (Math.log(s / k) + v * v / 2) / v;
  if (type === 'call') return s * cdf(d1) - k * cdf(d1 - v);
  return k * cdf(v - d1) - s * cdf(-d1);
}
function delta(s: number, k: number, v: number, type: string): number {
  type = type || 'call';
  const d1 = (Math.log(s / k) + v * v / 2) / v;
  const h = 1e-6;
  const num = (price(s + h, k, v, type) - price(s - h, k, v, type)) / (2 * h);
  return ${delta};
}`;
  it("`type || 'call'` on a string: a right delta agrees, the call's delta for a put is a GL001", () => {
    assert.equal(verdict(greek('num')), 'ok');
    assert.equal(verdict(greek('cdf(d1)')), 'wrong');
  });
});

describe('engine: stores into fields of record-array elements', () => {
  const springs = (update: string) => `interface Vec2 { x: number; y: number }
/**
 * @differentiable
 * @at ps = [{ x: 0, y: 0 }, { x: 1.2, y: 0.1 }, { x: 2.1, y: -0.4 }]
 * @gradient energyGrad
 */
function energy(ps: Vec2[]): number {
  let e = 0;
  for (let i = 0; i + 1 < ps.length; i++) {
    const dx = ps[i + 1].x - ps[i].x, dy = ps[i + 1].y - ps[i].y;
    const s = Math.sqrt(dx * dx + dy * dy) - 1;
    e += 6 * s * s;
  }
  return e;
}
function energyGrad(ps: Vec2[]): Vec2[] {
  const g: Vec2[] = [];
  for (let i = 0; i < ps.length; i++) g.push({ x: 0, y: 0 });
  for (let i = 0; i + 1 < ps.length; i++) {
    const dx = ps[i + 1].x - ps[i].x, dy = ps[i + 1].y - ps[i].y;
    const len = Math.sqrt(dx * dx + dy * dy);
    const s = (12 * (len - 1)) / len;
    ${update}
  }
  return g;
}`;
  it('a gradient accumulated into g[i].x: right agrees, a wrong index is a GL001 on exactly those components', () => {
    assert.equal(verdict(springs('g[i].x -= s * dx; g[i].y -= s * dy; g[i + 1].x += s * dx; g[i + 1].y += s * dy;')), 'ok');
    const r = analyzeFile(springs('g[i].x -= s * dx; g[i].y -= s * dy; g[i + 1].x += s * dx; g[i].y += s * dy;'));
    const f = r.functions.find((x) => x.name === 'energy')!;
    assert.equal(f.check?.status, 'wrong');
    assert.ok(f.diagnostics.some((d) => d.code === 'GL001' && /ps\[\d\]\.y/.test(d.message) && !/ps\[\d\]\.x/.test(d.message)), f.diagnostics.map((d) => d.message).join('\n'));
  });
  it('an element shared with a local, a fill with one record, or a parameter element: a GL002', () => {
    checkDiagnostics(`interface Vec2 { x: number; y: number }
/** @differentiable */
function f(ps: Vec2[], c: number): number {
  const g: Vec2[] = [];
  g.push({ x: c, y: 1 });
  const p = g[0];
  //        ^^^^ GL002 shared with another value
  g[0].x = 2 * c;
  return p.x;
}
/** @differentiable */
function h(ps: Vec2[], c: number): number {
  const g: Vec2[] = [];
  const q = { x: 0, y: 0 };
  g.push(q);
  //     ^ GL002 shared
  g.push(q);
  g[0].x = c;
  return g[1].x;
}
/** @differentiable */
function k(ps: Vec2[], c: number): number {
  ps[0].x = c;
//^^^^^^^ GL002 the parameter 'ps'
  return ps[0].x;
}`);
  });
});

describe('engine: a gradient returned as a tuple of its parameters\' gradients', () => {
  const dense = (ret: string, type = ': [number[], number]') => `/**
 * @differentiable
 * @wrt w, b
 * @at w = [0.5, -0.25, 1], b = 0.1, x = [1, 2, -1]
 * @gradient backward
 */
function forward(w: number[], b: number, x: number[]): number {
  let z = b;
  for (let i = 0; i < w.length; i++) z += w[i] * x[i];
  return Math.log(1 + Math.exp(z));
}
function backward(w: number[], b: number, x: number[])${type} {
  let z = b;
  for (let i = 0; i < w.length; i++) z += w[i] * x[i];
  const dz = 1 / (1 + Math.exp(-z));
  const dw: number[] = [];
  for (let i = 0; i < w.length; i++) dw.push(dz * x[i]);
  return ${ret};
}`;
  it('[dw, db] under a declared [number[], number]: right agrees, a wrong entry is a GL001 on its components', () => {
    assert.equal(verdict(dense('[dw, dz]')), 'ok');
    const r = analyzeFile(dense('[dw, 2 * dz]'));
    const f = r.functions.find((x) => x.name === 'forward')!;
    assert.equal(f.check?.status, 'wrong');
    assert.ok(f.diagnostics.some((d) => d.code === 'GL001' && /∂forward\/∂b/.test(d.message)), f.diagnostics.map((d) => d.message).join('\n'));
  });
  it('without the declared tuple type, or with entries of other shapes, a GL002', () => {
    assert.match(verdict(dense('[dw, dz]', '')), /GL002 An array literal mixing numbers and arrays/);
    assert.match(verdict(dense('[dz, dw]')), /GL002 A number as entry 1 of a tuple declared as an array/);
  });
});

describe('engine: where the gap constructs keep a GL002', () => {
  it('an assignment after a read of its target, in a mapping function\'s expression body, or in a case label', () => {
    checkDiagnostics(`
/** @differentiable */
function f(t: number, d: number, w: number[]): number {
  let a = 0;
  a = t * (t /= d);
  //       ^^^^^^ GL002 reads 't' before it
  const m = w.map((v) => w.map((u) => (d += u))[0]);
  //                                   ^^^^^^ GL002 inside a mapping function with an expression body
  switch (a) {
    case (d = 2): return d;
    //    ^^^^^ GL002 a \`case\` label
    default: return a;
  }
}`);
  });
  it('a test for undefined without the default pattern, and an assignment in an expression body', () => {
    checkDiagnostics(`
/** @differentiable */
function f(t: number, s: number): number {
  const u = t * s;
  if (s === undefined) s = 1.5;
  //  ^^^^^^^^^^^^^^^ GL002 A test for \`undefined\`
  return u * s;
}
/** @differentiable */
const g = (t: number) => (t /= 2) * t;
//                        ^^^^^^ GL002 an arrow`);
  });
  it('callbacks: a return before the end, a write to a variable the statement read before', () => {
    checkDiagnostics(`
/** @differentiable */
function f(w: number[]): number {
  let total = 0;
  const m = w.map((v) => {
    if (v > 0) return v;
    //         ^^^^^^^^^ GL002 A \`return\` before the end of a callback
    return -v;
  });
  total = total + w.reduce((s, v) => { total += v; return s + v; }, 0);
  //                                   ^^^^^ GL002 A write to 'total'
  return m[0] + total;
}`);
  });
});
