// Generated code for functions that fill local arrays of records (issue 13): `g.push({ x, y })`,
// stores into fields of their elements (`g[i].x -= …`), and `.map` callbacks returning records
// (with a block or an expression body, an object literal or `new Vec(…)`). The generators split
// each such array into arrays of its fields (engine/codegen/rowArrays.ts); every generated
// function is type-checked under `tsc --strict` beside the source, run, and compared with the
// engine's AD (the Differentiator) at the `@at` point: gradient, JVP along a direction, Hessian; and a
// hand-written gradient built by such a `.map` is checked right and wrong.

import * as assert from 'node:assert/strict';
import type { CodegenMode } from '../../engine/api';
import { budgeted } from '../../engine/budget';
import { analyzeFile } from '../../engine/analyzeFile';
import { validatePoint } from '../../engine/checkPoints';
import { compileGradient } from '../../engine/compileIr';
import { generateDerivative } from '../../engine/codegen/generate';
import { Differentiator } from '../../engine/differentiate';
import type { Point } from '../../engine/ir';
import { readPoint } from '../../engine/pointGrammar';
import { parseProgram } from '../../engine/program';
import { wrtOf } from '../../engine/wrt';
import { load, relError, typeErrors } from './harness';

const VEC = 'interface Vec2 { x: number; y: number }\n';

interface Case { name: string; src: string; fn: string; at: string; code?: RegExp[] }

const CASES: Case[] = [
  {
    name: 'stores into fields of elements (g[i].x = …, g[i].y += …, g[(i + 1) % n].x -= …)',
    src: `${VEC}export function f(ps: Vec2[], c: number): number {
  const g: Vec2[] = [];
  for (const p of ps) g.push({ x: 0, y: p.y });
  for (let i = 0; i < ps.length; i++) {
    g[i].x = ps[i].x * c;
    g[i].y += g[i].x * ps[i].y;
    g[(i + 1) % ps.length].x -= c;
  }
  return g[0].x * g[1].y + g[1].x;
}`,
    fn: 'f', at: 'ps = [{ x: 1, y: 2 }, { x: -0.5, y: 0.7 }, { x: 0.3, y: -1.1 }], c = 1.3',
    code: [/const gX: number\[\] = \[\];/, /gY\.push\(p\[1\]\);/, /gX\[k\d*\] -= c;/],
  },
  {
    name: 'a layout energy accumulating forces into an array of records, then reading them',
    src: `${VEC}export function stress(ps: Vec2[], k: number): number {
  const force: Vec2[] = [];
  for (let i = 0; i < ps.length; i++) force.push({ x: 0, y: 0 });
  for (let i = 0; i + 1 < ps.length; i++) {
    const dx = ps[i + 1].x - ps[i].x, dy = ps[i + 1].y - ps[i].y;
    const len = Math.sqrt(dx * dx + dy * dy);
    const s = k * (len - 1) / len;
    force[i].x += s * dx;
    force[i].y += s * dy;
    force[i + 1].x -= s * dx;
    force[i + 1].y -= s * dy;
  }
  let e = 0;
  for (let i = 0; i < force.length; i++) e += force[i].x * force[i].x + force[i].y * force[i].y;
  return e;
}`,
    fn: 'stress', at: 'ps = [{ x: 0, y: 0 }, { x: 1.2, y: 0.1 }, { x: 2.1, y: -0.4 }], k = 6',
    code: [/forceX\[\w+\] \+= s \* dx;/],
  },
  {
    name: 'a map callback with statements returning a record',
    src: `${VEC}export function m(ps: Vec2[], c: number): number {
  const q = ps.map(function (p, i) {
    const u = p.x * c;
    return { x: u * u, y: p.y + i };
  });
  return q[0].x * q[1].y + q[2].x;
}`,
    fn: 'm', at: 'ps = [{ x: 1, y: 2 }, { x: 3, y: -1 }, { x: 0.5, y: 0.25 }], c = 0.7',
  },
  {
    name: 'a map with an expression body returning an object literal, read by for…of',
    src: `${VEC}export function m(ps: Vec2[], c: number): number {
  const q = ps.map((p) => ({ x: p.x * c, y: Math.sin(p.y) + c }));
  let s = 0;
  for (const r of q) s += r.x * r.y;
  return s;
}`,
    fn: 'm', at: 'ps = [{ x: 1, y: 2 }, { x: 3, y: -1 }], c = 0.7',
    code: [/qX\[\w+\] \* qY\[\w+\]|qX\[\w+\]/],
  },
  {
    name: 'a map returning class instances whose methods are then called',
    src: `export class Vec {
  constructor(public x: number, public y: number) {}
  scale(s: number): Vec { return new Vec(this.x * s, this.y * s); }
  dot(o: Vec): number { return this.x * o.x + this.y * o.y; }
}
export function m(ps: Vec[], c: number): number {
  const q = ps.map((p) => new Vec(p.x + c, p.y * c));
  let s = 0;
  for (let i = 0; i + 1 < q.length; i++) s += q[i].dot(q[i + 1]);
  return s;
}`,
    fn: 'm', at: 'ps = [{ x: 1, y: 2 }, { x: 3, y: -1 }, { x: 0.5, y: 0.25 }], c = 0.7',
  },
  {
    name: 'an element bound to a local whose index changes before the local is read (read as a copy)',
    src: `${VEC}export function f(ps: Vec2[], c: number): number {
  const q = ps.map((p) => ({ x: p.x * c, y: p.y - c }));
  let k = 0;
  const r = q[k];
  k = 1;
  return r.x * q[k].y + r.y * Math.exp(q[k].x);
}`,
    fn: 'f', at: 'ps = [{ x: 1, y: 2 }, { x: 3, y: -1 }], c = 0.7',
    code: [/const r = \[qX\[k\], qY\[k\]\];/],
  },
  {
    name: 'a helper that fills an array of records, called by the function',
    src: `${VEC}function spread(p: Vec2, n: number): number {
  const out: Vec2[] = [];
  for (let i = 0; i < n; i++) out.push({ x: p.x * i, y: p.y + i });
  let s = 0;
  for (let i = 0; i < out.length; i++) { out[i].y *= out[i].x; s += out[i].y; }
  return s;
}
export function f(p: Vec2, c: number): number { return c * spread(p, 3) + p.x; }`,
    fn: 'f', at: 'p = { x: 0.4, y: 1.5 }, c = 2',
  },
];

function engineAt(src: string, name: string, at: string) {
  const program = parseProgram(src);
  const lowered = program.lower(name)!;
  assert.deepEqual(lowered.diagnostics.map((d) => d.message), [], 'lowers without diagnostics');
  const fn = lowered.fn;
  const parsed = readPoint(at);
  assert.ok(parsed.ok, at);
  const written = parsed.point as Record<string, unknown>;
  const point = { ...written } as Point;
  assert.equal(validatePoint(fn, point), null);
  const wrt = wrtOf(fn);
  const d = new Differentiator(program, fn, wrt, point, 1e7);
  const rev = budgeted(60_000, () => d.reverse());
  return { program, fn, args: fn.params.map((p) => written[p.name]), irArgs: fn.params.map((p) => point[p.name]), wrt, jacobian: rev.jacobian, value: rev.value as number, hessian: () => budgeted(60_000, () => d.hessian()) };
}

function generated(src: string, name: string, mode: CodegenMode) {
  const r = generateDerivative(src, name, mode);
  assert.ok(r.generated, `no ${mode} code: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  const module = `${src}\n${r.generated.code}`;
  assert.deepEqual(typeErrors(module), [], module);
  return { fn: load(module)[r.generated.name], code: r.generated.code };
}

/** Leaves of records (fields sorted by path: the IR's order), arrays and tuples. */
function leaves(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v.flatMap(leaves);
  if (v && typeof v === 'object') return Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).flatMap(([, x]) => leaves(x));
  throw new Error(`not numeric: ${String(v)}`);
}

/** A fixed direction with the shape of each value. */
function direction(values: unknown[]): unknown[] {
  let k = 3;
  const shape = (v: unknown): unknown => {
    if (typeof v === 'number') return Math.sin(++k * 1.7) + 0.3;
    if (Array.isArray(v)) return v.map(shape);
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([key, x]) => [key, shape(x)]));
  };
  return values.map(shape);
}

function close(got: number[], want: number[], what: string, tol = 1e-10): void {
  assert.equal(got.length, want.length, `${what}: ${got.length} components, want ${want.length}`);
  assert.ok(relError(got, want) < tol, `${what}: got ${got} want ${want}`);
}

describe('codegen: local arrays of records filled by the function (split into arrays of fields)', function () {
  this.timeout(60_000);

  for (const c of CASES) {
    it(`${c.name}: gradient, JVP and Hessian type-check and equal AD`, () => {
      const e = engineAt(c.src, c.fn, c.at);
      const rev = generated(c.src, c.fn, 'reverse');
      for (const re of c.code ?? []) assert.match(rev.code, re);
      close(leaves(rev.fn(...structuredClone(e.args))), e.jacobian[0], 'gradient');

      const jvp = generated(c.src, c.fn, 'jvp');
      const active = e.fn.params.map((p, i) => (e.wrt.includes(p.name) ? i : -1)).filter((i) => i >= 0);
      const dirs = direction(active.map((i) => e.args[i]));
      const [value, tangent] = jvp.fn(...structuredClone(e.args), ...dirs) as [number, number];
      close([value], [e.value], 'value');
      const v = leaves(dirs);
      close([tangent], [e.jacobian[0].reduce((s, x, i) => s + x * v[i], 0)], 'J·v');

      const hess = generated(c.src, c.fn, 'hessian');
      close((hess.fn(...structuredClone(e.args)) as number[][]).flat(), e.hessian().flat(), 'Hessian', 1e-8);
    });
  }

  it('the compile path (over the IR\'s arrays) gives the same gradients', () => {
    for (const c of CASES) {
      const e = engineAt(c.src, c.fn, c.at);
      const grad = budgeted(60_000, () => compileGradient(e.program, c.fn));
      assert.ok(grad, `${c.name}: compiled`);
      close(leaves(grad(...structuredClone(e.irArgs))), e.jacobian[0], `${c.name}: compiled gradient`);
    }
  });

  it('an array of records used whole (passed to a helper) keeps a GL002 naming it', () => {
    const src = `${VEC}function sumX(qs: Vec2[]): number { let s = 0; for (const q of qs) s += q.x; return s; }
export function f(ps: Vec2[], c: number): number {
  const g: Vec2[] = [];
  for (const p of ps) g.push({ x: p.x * c, y: p.y });
  return sumX(g);
}`;
    const r = generateDerivative(src, 'f', 'reverse');
    assert.equal(r.generated, null);
    assert.equal(r.diagnostics[0].code, 'GL002');
    assert.match(r.diagnostics[0].message, /the array of records 'g' used whole/);
  });
});

describe('engine: a hand-written gradient built by `.map` returning records', () => {
  const src = (y: string) => `${VEC}/**
 * @differentiable
 * @at ps = [{ x: 1, y: 2 }, { x: 3, y: -1 }], k = 2
 * @gradient energyGrad
 */
export function energy(ps: Vec2[], k: number): number {
  let e = 0;
  for (const p of ps) e += k * (p.x * p.x + p.y * p.y);
  return e;
}
export function energyGrad(ps: Vec2[], k: number): { ps: Vec2[]; k: number } {
  return { ps: ps.map((p) => ({ x: 2 * k * p.x, y: ${y} })), k: ps.reduce((s, p) => s + p.x * p.x + p.y * p.y, 0) };
}`;
  it('the right one agrees; a wrong field is a GL001 on exactly that field of each element', () => {
    const right = analyzeFile(src('2 * k * p.y')).functions.find((f) => f.name === 'energy')!;
    assert.equal(right.check?.status, 'ok', right.diagnostics.map((d) => d.message).join('\n'));
    const wrong = analyzeFile(src('k * p.y')).functions.find((f) => f.name === 'energy')!;
    assert.equal(wrong.check?.status, 'wrong');
    const gl001 = wrong.diagnostics.filter((d) => d.code === 'GL001').map((d) => d.message);
    assert.ok(gl001.length > 0 && gl001.every((m) => /∂energy\/∂ps\[\d\]\.y/.test(m)), gl001.join('\n'));
  });
});
