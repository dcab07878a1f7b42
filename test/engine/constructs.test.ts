// Every construct of the differentiable subset (SPEC §2): it lowers without diagnostics, evaluates
// to the value JavaScript computes, and reverse mode agrees with forward mode and with central
// differences. One table, one `check` helper.

import * as assert from 'node:assert/strict';
import { numberAlgebra } from '../../engine/algebra';
import { Differentiator } from '../../engine/differentiate';
import { Interpreter, Value } from '../../engine/evaluate';
import { Point } from '../../engine/ir';
import { parseProgram } from '../../engine/program';
import * as vm from 'node:vm';
import ts from 'typescript';

interface Case {
  name: string;
  src: string;
  point: Point;
}

const cases: Case[] = [
  { name: 'arithmetic and unary minus', src: 'function f(x: number, y: number): number { return -x * y + x / y - (x % 0.7) + x ** 3; }', point: { x: 1.3, y: 0.4 } },
  { name: 'const/let, assignment, compound assignment', src: 'function f(x: number): number { let a = x; a += 2; a *= x; a -= 1; a /= 3; const b = a; return b * a; }', point: { x: 0.7 } },
  { name: 'block scoping and shadowing', src: 'function f(x: number): number { let a = x; { const a = 2 * x; x = a; } return a + x; }', point: { x: 0.3 } },
  { name: 'if/else', src: 'function f(x: number): number { let y = 0; if (x > 1) { y = x * x; } else if (x > 0) { y = Math.sin(x); } else y = -x; return y; }', point: { x: 0.5 } },
  { name: '?: and && || !', src: 'function f(x: number, y: number): number { return (x > 0 && !(y > 2)) || y < -5 ? x * y : x + y; }', point: { x: 0.5, y: 1.5 } },
  { name: 'early return', src: 'function f(x: number): number { if (x < 0) return 0; const y = x * x; if (y > 100) return 100; return y * x; }', point: { x: 1.2 } },
  { name: 'for loop with ++ counter', src: 'function f(x: number): number { let s = 0; for (let i = 0; i < 5; i++) { s += x ** i; } return s; }', point: { x: 1.1 } },
  { name: 'while, break, continue', src: 'function f(x: number): number { let s = 0; let i = 0; while (true) { i++; if (i > 10) break; if (i % 2 === 0) continue; s = s * x + i; } return s; }', point: { x: 0.9 } },
  { name: 'do…while', src: 'function f(x: number): number { let s = x; let n = 0; do { s = Math.sqrt(s + 1); n += 1; } while (n < 4); return s; }', point: { x: 2 } },
  { name: 'for…of over an array parameter', src: 'function f(w: number[]): number { let s = 0; for (const v of w) { s += v * v; } return Math.sqrt(s); }', point: { w: [1, -2, 3] } },
  { name: 'array element reads, .length', src: 'function f(w: number[], c: number): number { let s = 0; for (let i = 0; i < w.length; i++) s += c * w[i] * (i + 1); return s; }', point: { w: [0.5, -1.5, 2], c: 1.3 } },
  { name: 'array literal, tuple parameter', src: 'function f(p: [number, number], x: number): number { const a = [p[0] * x, p[1] + x, 3]; return a[0] * a[1] + a[2]; }', point: { p: [0.4, 1.2], x: 0.9 } },
  { name: 'new Array(n).fill(v), element writes', src: 'function f(x: number): number { const a = new Array(4).fill(0); for (let i = 0; i < 4; i++) { a[i] = x * i; } a[2] += x; return a[1] * a[2] + a[3]; }', point: { x: 0.8 } },
  { name: 'Float64Array', src: 'function f(w: Float64Array): number { const g = new Float64Array(w.length); for (let i = 0; i < w.length; i++) { g[i] = Math.exp(w[i]); } return g[0] + g[1] * g[2]; }', point: { w: [0.1, 0.2, 0.3] } },
  { name: 'push', src: 'function f(x: number): number { const a: number[] = []; for (let i = 0; i < 3; i++) a.push(x * i); return a[1] * a[2]; }', point: { x: 1.4 } },
  { name: 'Array.from with index', src: 'function f(x: number): number { const a = Array.from({ length: 4 }, (_, i) => x * i + 1); return a[1] * a[3]; }', point: { x: 0.6 } },
  { name: 'map and slice copy', src: 'function f(w: number[]): number { const c = w.slice(); c[0] = 2 * c[0]; const m = w.map((v, i) => v * (i + 1)); return c[0] * m[1] + m[2]; }', point: { w: [0.3, -0.7, 1.1] } },
  { name: 'helper calls, number and array arguments', src: 'function sq(x: number): number { return x * x; }\nfunction dot(a: number[], b: number[]): number { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; }\nfunction f(w: number[], x: number): number { return sq(x) * dot(w, w); }', point: { w: [1, 2], x: 0.5 } },
  { name: 'arrow function with expression body', src: 'const f = (x: number, y: number): number => Math.atan2(y, x) * Math.hypot(x, y);', point: { x: 0.6, y: 0.8 } },
  { name: 'destructuring a tuple returned by a helper', src: 'function polar(x: number, y: number): [number, number] { return [Math.hypot(x, y), Math.atan2(y, x)]; }\nfunction f(x: number, y: number): number { const [r, t] = polar(x, y); return r * Math.cos(2 * t); }', point: { x: 0.6, y: 0.8 } },
  { name: 'numeric constants of the file and Math constants', src: 'const K = 2.5;\nconst TWO_K = 2 * K;\nfunction f(x: number): number { return TWO_K * Math.sin(Math.PI * x) + Math.E; }', point: { x: 0.2 } },
  { name: 'module constants computed at load (Math functions, Number constants, earlier constants)', src: 'const SQRT2PI = Math.sqrt(2 * Math.PI);\nconst LOG_EPS = Math.log(Number.EPSILON);\nconst C = Math.max(1, SQRT2PI, 2) ** 2 % 3 + Math.atan2(1, 2) - Math.hypot(3, 4) * Math.cbrt(-8);\nconst BIG = Number.MAX_SAFE_INTEGER / Number.MAX_VALUE + Number.MIN_VALUE;\nfunction f(x: number): number { return Math.exp(-x * x / 2) / SQRT2PI + LOG_EPS * x + C * x + BIG; }', point: { x: 0.4 } },
  { name: 'Number constants inside a function', src: 'function f(x: number): number { return x * Number.EPSILON * 1e15 + x / Number.MAX_SAFE_INTEGER + (x < Number.POSITIVE_INFINITY ? x * x : 0) + (x > Number.NEGATIVE_INFINITY ? Number.MIN_VALUE : 1) + Number.MAX_VALUE / 1e308 + (Number.NaN === Number.NaN ? 1 : x); }', point: { x: 0.7 } },
  { name: 'isFinite, isNaN and their Number. forms as conditions (finite branch)', src: 'function f(x: number): number { const e = Math.exp(x * 800); let y = isFinite(e) ? Math.log(e) : x * 800; if (Number.isNaN(x / x)) y += 1; if (!Number.isFinite(1 / (x - x))) y += x; if (isNaN(Math.sqrt(-x))) y += 2 * x; return y; }', point: { x: 0.5 } },
  { name: 'isFinite, isNaN as conditions (overflow branch)', src: 'function f(x: number): number { const e = Math.exp(x * 800); let y = isFinite(e) ? Math.log(e) : x * 800; if (Number.isFinite(e * 0 + x)) y += x * x; if (!isNaN(x)) y -= x; return y; }', point: { x: 1.2 } },
  { name: 'every Math function', src: 'function f(x: number): number { return Math.sin(x) + Math.cos(x) + Math.tan(x) + Math.asin(x) + Math.acos(x) + Math.atan(x) + Math.sinh(x) + Math.cosh(x) + Math.tanh(x) + Math.asinh(x) + Math.acosh(1 + x) + Math.atanh(x) + Math.exp(x) + Math.expm1(x) + Math.log(x) + Math.log1p(x) + Math.log2(x) + Math.log10(x) + Math.sqrt(x) + Math.cbrt(x) + Math.pow(x, 2.5) + Math.abs(x - 1) + Math.min(x, 0.3) + Math.max(x, 0.3, 0.1) + Math.hypot(x, 1, 2) + Math.floor(x) + Math.ceil(x) + Math.round(x) + Math.trunc(x) + Math.sign(x) + Math.atan2(x, 2); }', point: { x: 0.45 } },
  { name: 'vector-valued function (a Jacobian)', src: 'function f(x: number, y: number): number[] { return [x * y, Math.sin(x) + y, x]; }', point: { x: 0.3, y: 1.7 } },
  { name: 'number[][] data held constant', src: 'function f(w: number[], X: number[][]): number { let s = 0; for (let i = 0; i < X.length; i++) { let z = 0; for (let j = 0; j < w.length; j++) z += X[i][j] * w[j]; s += Math.log1p(Math.exp(-z)); } return s; }', point: { w: [0.2, -0.4], X: [[1, 2], [3, -1], [0.5, 0.5]] as unknown as number[] } },
];

function check(c: Case) {
  const program = parseProgram(c.src);
  const lowered = program.lower('f')!;
  assert.ok(lowered, 'f is found');
  assert.deepEqual(lowered.diagnostics.map((d) => d.message), [], 'lowers without diagnostics');
  // The value equals what JavaScript computes from the same source.
  const js = ts.transpileModule(c.src + '\nresult = f;', { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
  const ctx: { result?: (...a: unknown[]) => unknown } = {};
  vm.runInNewContext(js, ctx);
  const args = lowered.fn.params.map((p) => structuredClone(c.point[p.name]));
  const expected = ctx.result!(...args);
  const actual = new Interpreter(numberAlgebra, program, 1e6).run(lowered.fn, lowered.fn.params.map((p) => structuredClone(c.point[p.name]) as Value<number>));
  assert.deepEqual(JSON.stringify(actual), JSON.stringify(expected), 'value');
  // Reverse = forward = complex step, and central differences agree loosely.
  const wrt = lowered.fn.params.filter((p) => p.depth <= 1).map((p) => p.name);
  const d = new Differentiator(program, lowered.fn, wrt, c.point, 1e6);
  const rev = d.reverse().jacobian;
  const fwd = d.forward().jacobian;
  const cs = d.complexStep();
  rev.forEach((row, r) => row.forEach((g, k) => {
    const tol = 1e-10 * Math.max(1, Math.abs(g));
    assert.ok(Math.abs(g - fwd[r][k]) <= tol, `forward ${fwd[r][k]} vs reverse ${g} (${d.components[k].label})`);
    assert.ok(Math.abs(g - cs[r][k]) <= tol, `complex step ${cs[r][k]} vs reverse ${g} (${d.components[k].label})`);
    const fd = d.numerical(rev.length > 1 ? r : -1)[k];
    assert.ok(Math.abs(g - fd) <= 1e-6 * Math.max(1, Math.abs(g)), `finite differences ${fd} vs reverse ${g} (${d.components[k].label})`);
  }));
}

describe('engine: constructs of the subset', () => {
  for (const c of cases) it(c.name, () => check(c));
});

describe('engine: @wrt order', () => {
  it('components follow @wrt order, not parameter order, in every mode', () => {
    const program = parseProgram('function f(x: number, w: number[], y: number): number { return x * w[0] + 3 * y * w[1] + y * y; }');
    const fn = program.lower('f')!.fn;
    const d = new Differentiator(program, fn, ['y', 'w', 'x'], { x: 2, w: [5, 7], y: 0.5 }, 1e6);
    const expected = [3 * 7 + 1, 2, 1.5, 5];
    assert.deepEqual(d.components.map((c) => c.label), ['y', 'w[0]', 'w[1]', 'x']);
    assert.deepEqual(d.reverse().jacobian[0], expected);
    assert.deepEqual(d.forward().jacobian[0], expected);
    assert.deepEqual(d.complexStep()[0], expected);
    assert.deepEqual(d.hvp([1, 0, 0, 0]).gradient, expected);
    assert.deepEqual(d.toGradient(expected), { y: 22, w: [2, 1.5], x: 5 });
  });
});
