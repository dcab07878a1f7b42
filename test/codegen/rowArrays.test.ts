// Generated code for functions that fill local arrays of records (issue 13): `g.push({ x, y })`,
// stores into fields of their elements (`g[i].x -= …`), and `.map` callbacks returning records
// (with a block or an expression body, an object literal or `new Vec(…)`). The generators split
// each such array into arrays of its fields (engine/codegen/rowArrays.ts); every generated
// function is type-checked under `tsc --strict` beside the source, run, and compared with the
// engine's AD (the Differentiator) at the `@at` point: gradient, JVP along a direction, Hessian; and a
// hand-written gradient built by such a `.map` is checked right and wrong.

import * as assert from 'node:assert/strict';
import { budgeted } from '../../engine/budget';
import { analyzeFile } from '../../engine/analyzeFile';
import { compileGradient } from '../../engine/compileIr';
import { generateDerivative } from '../../engine/codegen/generate';
import { Differentiator } from '../../engine/differentiate';
import { close, direction, engineAt, generated, leaves } from './atPoint';

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

describe('codegen: local arrays of records filled by the function (split into arrays of fields)', function () {
  this.timeout(60_000);

  for (const c of CASES) {
    it(`${c.name}: gradient, JVP and Hessian type-check and equal AD`, () => {
      const e = engineAt(c.src, c.fn, c.at, { clean: true });
      const rev = generated(c.src, c.fn, 'reverse');
      for (const re of c.code ?? []) assert.match(rev.code, re);
      close(leaves(rev.fn(...structuredClone(e.args))), e.jacobian[0], 'gradient');

      const jvp = generated(c.src, c.fn, 'jvp');
      const active = e.fn.params.map((p, i) => (e.wrt.includes(p.name) ? i : -1)).filter((i) => i >= 0);
      const dirs = direction(active.map((i) => e.args[i]));
      const [value, tangent] = jvp.fn(...structuredClone(e.args), ...dirs) as [number, number];
      close([value], [e.value as number], 'value');
      const v = leaves(dirs);
      close([tangent], [e.jacobian[0].reduce((s, x, i) => s + x * v[i], 0)], 'J·v');

      const hess = generated(c.src, c.fn, 'hessian');
      close((hess.fn(...structuredClone(e.args)) as number[][]).flat(), e.hessian().flat(), 'Hessian', 1e-8);
    });
  }

  it('the compile path (over the IR\'s arrays) gives the same gradients', () => {
    for (const c of CASES) {
      const e = engineAt(c.src, c.fn, c.at, { clean: true });
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
