// The type-aware front end (issue 13's design): types syntax cannot decide come from TypeScript's
// checker (engine/typeOracle.ts), built lazily and only then; record classes, gradients typed by
// their parameters, JSDoc-typed JavaScript in the out-array and fused conventions, class fields'
// literal arrays as check-point values, destructured parameters (engine/lower/typed.ts).
//
// Each case is one fixture with a right hand-written derivative and the same with a planted bug:
// the right one must be checked `ok` with no GL001/GL002, the wrong one `wrong` on exactly the
// components the bug touches. Each also says whether the checker is needed for it: a file typed by
// its syntax must never build one (its cost is the issue's budget: 2,000 lines in 300 ms).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { analyzeFile, FileAnalysis, FunctionAnalysis } from '../../engine/index';
import type { ModuleHost } from '../../engine/modules';
import { oraclesBuilt } from '../../engine/typeOracle';

interface Case {
  name: string;
  /** The file with the right derivative; `bug` plants the wrong one. */
  src: string;
  fn: string;
  bug: { from: string; to: string };
  /** Components the bug makes wrong (labels as Gradlens writes them). */
  wrong: string[];
  /** The checker is needed (syntax cannot type the file alone). */
  checker: boolean;
}

const CASES: Case[] = [
  {
    name: 'a JavaScript helper whose array result only the checker infers (`const u = normalise(w)`)',
    checker: true,
    fn: 'first',
    src: `
/** @param {number[]} z */
function normalise(z) {
  var s = 0;
  for (var i = 0; i < z.length; i++) s += z[i] * z[i];
  var n = Math.sqrt(s);
  return z.map((v) => v / n);
}

/**
 * @differentiable
 * @param {number[]} w
 * @at w = [1, 2, 2]
 * @gradient firstGrad
 */
function first(w) {
  var u = normalise(w);
  return 3 * u[0];
}

/** @param {number[]} w */
function firstGrad(w) {
  var n = Math.sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
  var g = [];
  for (var j = 0; j < w.length; j++) g.push(3 * ((j === 0 ? 1 : 0) / n - (w[0] * w[j]) / (n * n * n)));
  return g;
}
module.exports = { normalise, first, firstGrad };
`,
    bug: { from: '/ n - (w[0]', to: '/ n + (w[0]' },
    wrong: ['w[0]', 'w[1]', 'w[2]'],
  },
  {
    name: 'a TypeScript helper without a return type whose result only the checker infers (`v.map(…)`)',
    checker: true,
    fn: 'spread',
    src: `
function centred(v: number[]) {
  let m = 0;
  for (const x of v) m += x / v.length;
  return v.map((x) => x - m);
}

/**
 * @differentiable
 * @at v = [1, 2, 4]
 * @gradient spreadGrad
 */
export function spread(v: number[]): number {
  const c = centred(v);
  let s = 0;
  for (let i = 0; i < c.length; i++) s += c[i] * c[i];
  return s;
}

export function spreadGrad(v: number[]): number[] {
  const c = centred(v);
  return c.map((x) => 2 * x);
}
`,
    bug: { from: 'c.map((x) => 2 * x)', to: 'c.map((x) => x)' },
    wrong: ['v[0]', 'v[1]', 'v[2]'],
  },
  {
    name: 'a JavaScript helper typed by its JSDoc `@returns {number[]}` (no checker)',
    checker: false,
    fn: 'sumSq',
    src: `
/**
 * @param {number[]} v
 * @returns {number[]}
 */
function squares(v) {
  var r = v.slice();
  for (var i = 0; i < r.length; i++) r[i] = r[i] * r[i];
  return r;
}

/**
 * @differentiable
 * @param {number[]} v
 * @at v = [1, -2, 0.5]
 * @gradient sumSqGrad
 */
function sumSq(v) {
  var s = squares(v);
  var t = 0;
  for (var i = 0; i < s.length; i++) t += s[i];
  return t;
}

/** @param {number[]} v */
function sumSqGrad(v) {
  return v.map((x) => 2 * x);
}
`,
    bug: { from: '(x) => 2 * x', to: '(x) => x' },
    wrong: ['v[0]', 'v[1]', 'v[2]'],
  },
  {
    name: 'an fmin-style JavaScript objective filling its JSDoc-typed gradient argument (fused)',
    checker: false,
    fn: 'bowl',
    src: `
/**
 * @differentiable
 * @param {number[]} p
 * @param {number[]} grad
 * @gradient bowl fused
 * @at p = [1, -2]
 */
function bowl(p, grad) {
  grad = grad || [0, 0];
  grad[0] = 2 * p[0];
  grad[1] = 8 * p[1];
  return p[0] * p[0] + 4 * p[1] * p[1];
}
`,
    bug: { from: 'grad[1] = 8 * p[1]', to: 'grad[1] = 4 * p[1]' },
    wrong: ['p[1]'],
  },
  {
    name: 'a JavaScript out-array derivative whose output is typed by JSDoc',
    checker: false,
    fn: 'cubeSum',
    src: `
/**
 * @differentiable
 * @param {number[]} x
 * @gradient cubeSumPrime out
 * @at x = [1, 2]
 */
function cubeSum(x) {
  var s = 0;
  for (var i = 0; i < x.length; i++) s += x[i] * x[i] * x[i];
  return s;
}

/**
 * @param {number[]} x
 * @param {number[]} out
 */
function cubeSumPrime(x, out) {
  for (var i = 0; i < x.length; i++) out[i] = 3 * x[i] * x[i];
  return out;
}
`,
    bug: { from: 'out[i] = 3 *', to: 'out[i] = 2 *' },
    wrong: ['x[0]', 'x[1]'],
  },
  {
    name: 'a vector class: parameter properties, chained methods, `new`, `this` as a value',
    checker: false,
    fn: 'spring',
    src: `
export class V2 {
  constructor(public x: number, public y: number) {}
  minus(o: V2): V2 { return new V2(this.x - o.x, this.y - o.y); }
  times(k: number): V2 { return new V2(this.x * k, this.y * k); }
  dot(o: V2): number { return this.x * o.x + this.y * o.y; }
  norm(): number { return Math.sqrt(this.dot(this)); }
}

/**
 * @differentiable
 * @wrt a
 * @at a = { x: 2, y: 1 }, b = { x: -1, y: 3 }
 * @gradient springGrad
 */
export function spring(a: V2, b: V2): number {
  const d = a.minus(b);
  return 0.5 * d.dot(d) + d.norm();
}

export function springGrad(a: V2, b: V2): { a: V2 } {
  const d = a.minus(b);
  return { a: d.times(1 + 1 / d.norm()) };
}
`,
    bug: { from: 'd.times(1 + 1', to: 'd.times(1 - 1' },
    wrong: ['a.x', 'a.y'],
  },
  {
    name: 'a JavaScript class (fields assigned in the constructor, JSDoc types): its methods\' record results typed by the checker',
    checker: true,
    fn: 'distSq',
    src: `
class Vec {
  /**
   * @param {number} x
   * @param {number} y
   */
  constructor(x, y) {
    this.x = x;
    this.y = y;
  }
  /** @param {Vec} o */
  sub(o) {
    return new Vec(this.x - o.x, this.y - o.y);
  }
  /** @param {Vec} o */
  dot(o) {
    return this.x * o.x + this.y * o.y;
  }
}

/**
 * @differentiable
 * @param {Vec} a
 * @param {Vec} b
 * @wrt a
 * @at a = { x: 1, y: 2 }, b = { x: 0.5, y: -1 }
 * @gradient distSqGrad
 */
function distSq(a, b) {
  var d = a.sub(b);
  return d.dot(d);
}

/**
 * @param {Vec} a
 * @param {Vec} b
 */
function distSqGrad(a, b) {
  var d = a.sub(b);
  return { a: { x: 2 * d.x, y: 2 * d.y } };
}
module.exports = { Vec, distSq, distSqGrad };
`,
    bug: { from: 'y: 2 * d.y', to: 'y: d.y' },
    wrong: ['a.y'],
  },
  {
    name: 'a class whose constructor assigns its declared fields (`this.x = x`), as a record-shaped gradient',
    checker: false,
    fn: 'area',
    src: `
class Pt {
  x: number;
  y: number;
  constructor(x: number, y: number) {
    this.x = x;
    this.y = y;
  }
  scaled(k: number): Pt { return new Pt(k * this.x, k * this.y); }
}

/**
 * @differentiable
 * @at p = { x: 1, y: 2 }
 * @gradient areaGrad
 */
function area(p: Pt): number {
  const q = p.scaled(2);
  return q.x * q.y;
}

function areaGrad(p: Pt): Pt {
  return new Pt(4 * p.y, 4 * p.x);
}
`,
    bug: { from: 'new Pt(4 * p.y, 4 * p.x)', to: 'new Pt(4 * p.x, 4 * p.y)' },
    wrong: ['p.x', 'p.y'],
  },
  {
    name: 'a gradient whose annotated return type is keyed by the parameters (`{ w: number[]; b: number }`)',
    checker: false,
    fn: 'fit',
    src: `
/**
 * @differentiable
 * @at w = [0.5, -1], b = 0.25
 * @gradient fitGrad
 */
export function fit(w: number[], b: number): number {
  return (w[0] + 2 * w[1] + b - 1) ** 2;
}

export function fitGrad(w: number[], b: number): { w: number[]; b: number } {
  const r = w[0] + 2 * w[1] + b - 1;
  return { w: [2 * r, 4 * r], b: 2 * r };
}
`,
    bug: { from: 'b: 2 * r', to: 'b: r' },
    wrong: ['b'],
  },
  {
    name: 'class fields initialised with literal arrays give the check points their values (`this.xs`, `this.ys`)',
    checker: false,
    fn: 'Fit.loss',
    src: `
export class Fit {
  xs: number[] = [1, 2, 3];
  ys: number[] = [2, 3, 5];
  table: number[][] = [[1, 0], [0, 1]];

  /**
   * @differentiable
   * @at a = 0.5
   * @gradient lossGrad
   */
  loss(a: number): number {
    let s = 0;
    for (let i = 0; i < this.xs.length; i++) {
      const r = a * this.xs[i] - this.ys[i];
      s += r * r;
    }
    return s + this.table[0][0] * a;
  }

  lossGrad(a: number): number {
    let g = 0;
    for (let i = 0; i < this.xs.length; i++) g += 2 * (a * this.xs[i] - this.ys[i]) * this.xs[i];
    return g + this.table[0][0];
  }
}
`,
    bug: { from: 'this.ys[i]) * this.xs[i];', to: 'this.ys[i]);' },
    wrong: ['a'],
  },
  {
    name: 'optional fields and parameters (`z?: number | undefined`, `k: number | undefined = 2`), given in @at or defaulted',
    checker: false,
    fn: 'lenSq',
    src: `
interface Vec3 { x: number; y: number; z?: number | undefined }

/**
 * @differentiable
 * @wrt p
 * @at p = { x: 1, y: 2, z: 3 }
 * @gradient lenSqGrad
 */
export function lenSq(p: Vec3, k: number | undefined = 2): number {
  const z = p.z ?? 0;
  return k * (p.x * p.x + p.y * p.y + z * z);
}

export function lenSqGrad(p: Vec3, k: number | undefined = 2): { p: Vec3 } {
  const z = p.z ?? 0;
  return { p: { x: 2 * k * p.x, y: 2 * k * p.y, z: 2 * k * z } };
}
`,
    bug: { from: 'z: 2 * k * z', to: 'z: k * z' },
    wrong: ['p.z'],
  },
  {
    name: 'a destructured record parameter (`{ x, y }: Vec2`, named `vec2` in @at)',
    checker: false,
    fn: 'saddle',
    src: `
interface Vec2 { x: number; y: number }

/**
 * @differentiable
 * @at vec2 = { x: 1.5, y: -0.5 }
 * @gradient saddleGrad
 */
export function saddle({ x, y }: Vec2): number {
  return x * x - 3 * y * y + x * y;
}

export function saddleGrad({ x, y }: Vec2): Vec2 {
  return { x: 2 * x + y, y: -6 * y + x };
}
`,
    bug: { from: 'y: -6 * y + x', to: 'y: 6 * y + x' },
    wrong: ['vec2.y'],
  },
  {
    name: 'a destructured tuple parameter (`[a, b]: [number, number]`, named `arg0` in @at)',
    checker: false,
    fn: 'tup',
    src: `
/**
 * @differentiable
 * @at arg0 = [1, 2]
 * @gradient tupGrad
 */
export function tup([a, b]: [number, number]): number {
  return a * a * b;
}

export function tupGrad([a, b]: [number, number]): number[] {
  return [2 * a * b, a * a];
}
`,
    bug: { from: '[2 * a * b, a * a]', to: '[2 * a, a * a]' },
    wrong: ['arg0[0]'],
  },
];

function fnOf(fa: FileAnalysis, name: string): FunctionAnalysis {
  const f = fa.functions.find((x) => x.name === name);
  assert.ok(f, `no analysis of '${name}'; diagnostics: ${fa.diagnostics.map((d) => `${d.code} ${d.message}`).join(' | ')}`);
  return f;
}

function wrongComponents(f: FunctionAnalysis): string[] {
  const labels = new Set<string>();
  for (const c of f.checks ?? (f.check ? [f.check] : [])) for (const p of c.points) for (const x of p.components) if (x.verdict === 'wrong') labels.add(x.label);
  return [...labels].sort();
}

function problems(f: FunctionAnalysis): string {
  return f.diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n');
}

describe('engine: the type-aware front end (typeOracle.ts, lower/typed.ts)', () => {
  for (const c of CASES) {
    describe(c.name, () => {
      it('the right derivative is checked ok, nothing outside the subset', () => {
        const before = oraclesBuilt();
        const f = fnOf(analyzeFile(c.src), c.fn);
        assert.equal(f.check?.status, 'ok', problems(f));
        assert.ok(!f.diagnostics.some((d) => d.code === 'GL001' || d.code === 'GL002' || d.code === 'GL005'), problems(f));
        assert.equal(oraclesBuilt() > before, c.checker, c.checker ? 'the checker should type this file' : 'syntax types this file: no checker');
      });
      it('the planted bug is a GL001 on exactly its components', () => {
        assert.ok(c.src.includes(c.bug.from), 'the bug must change the fixture');
        const f = fnOf(analyzeFile(c.src.replace(c.bug.from, c.bug.to)), c.fn);
        assert.equal(f.check?.status, 'wrong', problems(f));
        assert.deepEqual(wrongComponents(f), [...c.wrong].sort());
        assert.ok(f.diagnostics.some((d) => d.code === 'GL001'), problems(f));
      });
    });
  }

  it('with a module host, the checker reads the imported files the host reads (a local helper returning an imported helper\'s result)', () => {
    const files: Record<string, string> = {
      '/ws/src/util.js': `
/** @param {number[]} v */
function doubled(v) {
  return v.map((x) => 2 * x);
}
module.exports = { doubled };
`,
      '/ws/src/main.js': `
const { doubled } = require('./util');

/** @param {number[]} w */
function twice(w) {
  return doubled(w);
}

/**
 * @differentiable
 * @param {number[]} w
 * @at w = [1, 3]
 * @gradient prodGrad
 */
function prod(w) {
  var d = twice(w);
  return d[0] * d[1];
}

/** @param {number[]} w */
function prodGrad(w) {
  return [4 * w[1], 4 * w[0]];
}
`,
    };
    const reads: string[] = [];
    const host: ModuleHost = {
      resolve(specifier, fromFile) {
        const r = ts.resolveModuleName(specifier, fromFile, { moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext, allowJs: true }, {
          fileExists: (f) => Object.hasOwn(files, f), readFile: (f) => files[f],
        }).resolvedModule;
        return r ? { file: r.resolvedFileName, kind: 'workspace' } : null;
      },
      read(file) { reads.push(file); return files[file] ?? null; },
    };
    const before = oraclesBuilt();
    const f = fnOf(analyzeFile(files['/ws/src/main.js'], {}, undefined, { file: '/ws/src/main.js', host }), 'prod');
    assert.equal(f.check?.status, 'ok', problems(f));
    assert.ok(oraclesBuilt() > before);
    // Once by the module graph (lowering `doubled` in its file), once by the checker (typing `twice`).
    assert.equal(reads.filter((r) => r === '/ws/src/util.js').length, 2, reads.join(', '));
  });

  it('a record class imported from another module: its methods called on records, `new` of it, checked right and wrong', () => {
    const files: Record<string, string> = {
      '/ws/src/vec.ts': `
export class Vec {
  constructor(public x: number, public y: number) {}
  minus(o: Vec): Vec { return new Vec(this.x - o.x, this.y - o.y); }
  dot(o: Vec): number { return this.x * o.x + this.y * o.y; }
}
`,
      '/ws/src/main.ts': `
import { Vec } from './vec';

/**
 * @differentiable
 * @wrt p
 * @at p = { x: 2, y: -1 }, q = { x: 0.5, y: 1 }
 * @gradient gapGrad
 */
export function gap(p: Vec, q: Vec): number {
  const d = p.minus(q);
  return d.dot(d);
}

export function gapGrad(p: Vec, q: Vec): { p: Vec } {
  const d = p.minus(q);
  return { p: new Vec(2 * d.x, 2 * d.y) };
}
`,
    };
    const host: ModuleHost = {
      resolve: (specifier, fromFile) => {
        const file = path.posix.join(path.posix.dirname(fromFile), `${specifier}.ts`);
        return Object.hasOwn(files, file) ? { file, kind: 'workspace' } : null;
      },
      read: (file) => files[file] ?? null,
    };
    const run = (text: string) => fnOf(analyzeFile(text, {}, undefined, { file: '/ws/src/main.ts', host }), 'gap');
    const right = run(files['/ws/src/main.ts']);
    assert.equal(right.check?.status, 'ok', problems(right));
    const wrong = run(files['/ws/src/main.ts'].replace('new Vec(2 * d.x, 2 * d.y)', 'new Vec(2 * d.x, d.y)'));
    assert.equal(wrong.check?.status, 'wrong', problems(wrong));
    assert.deepEqual(wrongComponents(wrong), ['p.y']);
  });

  it('a method called on a value that is not of its record class is a GL002 naming the class', () => {
    const src = `
class V2 {
  constructor(public x: number, public y: number) {}
  dot(o: V2): number { return this.x * o.x + this.y * o.y; }
}
/**
 * @differentiable
 * @at a = [1, 2]
 */
function f(a: number[]): number { return a.dot(a); }
`;
    const f = fnOf(analyzeFile(src), 'f');
    const d = f.diagnostics.find((x) => x.code === 'GL002');
    assert.ok(d, problems(f));
    assert.match(d.message, /'dot' is a method of V2/);
    assert.equal(src.slice(d.range.start, d.range.end), 'a.dot(a)');
  });

  it('a chain of methods on records: each receiver computed once, in a local before the statement; where none can go, a chain too long to repeat asks for one (GL002)', () => {
    const file = (fn: string) => `
class V2 {
  constructor(public x: number, public y: number) {}
  plus(o: V2): V2 { return new V2(this.x + o.x, this.y + o.y); }
}
/**
 * @differentiable
 * @at a = { x: 1, y: 2 }
 */
${fn}
`;
    const chain = (n: number) => `a${'.plus(a)'.repeat(n)}.x`;
    const statement = fnOf(analyzeFile(file(`function f(a: V2): number { return a.y > 0 ? ${chain(16)} : 0; }`)), 'f');
    assert.deepEqual(statement.gradient, { a: { x: 17, y: 0 } }, problems(statement));
    // An arrow's expression body has no statement before it.
    const arrow = fnOf(analyzeFile(file(`const f = (a: V2): number => ${chain(16)};`)), 'f');
    const d = arrow.diagnostics.find((x) => x.code === 'GL002');
    assert.ok(d, problems(arrow));
    assert.match(d.message, /Assign part of it to a local/);
    const short = fnOf(analyzeFile(file(`const f = (a: V2): number => ${chain(4)};`)), 'f');
    assert.deepEqual(short.gradient, { a: { x: 5, y: 0 } }, problems(short));
  });

  it('an objective filling an array argument it does not declare as its gradient: a GL002 saying what to declare', () => {
    const src = `
/**
 * @differentiable
 * @param {number[]} X
 * @param {number[]} fxprime
 * @at X = [-1.2, 1]
 */
function loss(X, fxprime) {
  fxprime = fxprime || [0, 0];
  fxprime[0] = 2 * X[0];
  fxprime[1] = 2 * X[1];
  return X[0] * X[0] + X[1] * X[1];
}
`;
    const f = fnOf(analyzeFile(src), 'loss');
    const d = f.diagnostics.find((x) => x.code === 'GL002');
    assert.ok(d, problems(f));
    assert.match(d.message, /declare it: `@gradient loss fused`/);
    assert.equal(src.slice(d.range.start, d.range.end), 'fxprime');
    const declared = fnOf(analyzeFile(src.replace(' * @at', ' * @gradient loss fused\n * @at')), 'loss');
    assert.equal(declared.check?.status, 'ok', problems(declared));
  });

  it('a record class\'s method named as a Math function leaves `Math.max` alone', () => {
    const src = `
class Interval {
  constructor(public lo: number, public hi: number) {}
  max(): number { return Math.max(this.lo, this.hi); }
}
/**
 * @differentiable
 * @at r = { lo: 1, hi: 3 }
 */
function width(r: Interval): number { return Math.max(r.hi - r.lo, 0) + r.max(); }
`;
    const f = fnOf(analyzeFile(src), 'width');
    assert.ok(!f.diagnostics.some((d) => d.code === 'GL002'), problems(f));
    assert.deepEqual(f.gradient, { r: { hi: 2, lo: -1 } });
  });

  it('a record class\'s constructor doing more than assigning fields is a GL002 on the statement', () => {
    const src = `
class P {
  x: number;
  constructor(x: number) { this.x = x; console.log(x); }
}
/**
 * @differentiable
 * @at a = 2
 */
function f(a: number): number { const p = new P(a); return p.x * p.x; }
`;
    const f = fnOf(analyzeFile(src), 'f');
    const d = f.diagnostics.find((x) => x.code === 'GL002');
    assert.ok(d, problems(f));
    assert.equal(src.slice(d.range.start, d.range.end), 'console.log(x);');
  });

  it('`new C(…)` whose constructor names its parameters as the caller\'s variables: each argument is the caller\'s, a default sees the parameters before it', () => {
    // The arguments were lowered one by one with the constructor's parameters declared: in
    // \`new Vec(x, 2 * x)\` the second argument's \`x\` was the first parameter's alias, never set (a GL009).
    const src = `
class Vec { constructor(public x: number, public y: number = x * 2) {} }
/**
 * @differentiable
 * @at x = 0.25
 */
function f(x: number): number {
  const y = 3;
  const v = new Vec(x);
  const w = new Vec(y * x, x);
  const u = new Vec(x, 2 * x);
  return v.x + v.y + w.x * w.y + u.y;
}
`;
    const f = fnOf(analyzeFile(src), 'f');
    assert.deepEqual(f.diagnostics, [], problems(f));
    // v = (x, 2x), w = (3x, x), u.y = 2x: 5x + 3x²
    assert.equal(f.value, 5 * 0.25 + 3 * 0.25 * 0.25);
    assert.deepEqual(f.gradient, { x: 5 + 6 * 0.25 });
  });

  it('`new C(…)`: the constructor\'s defaults and field values see the module\'s names, not the caller\'s locals of the same name', () => {
    const src = `
const S = 3;
class P { y: number; constructor(public x: number, public z: number = S * x) { this.y = S * x; } }
/**
 * @differentiable
 * @at x = 1
 */
function f(x: number): number { const S = 100; const p = new P(x); return p.y + p.z + S * 0; }
`;
    const f = fnOf(analyzeFile(src), 'f');
    assert.deepEqual(f.diagnostics, [], problems(f));
    assert.equal(f.value, 6);
    assert.deepEqual(f.gradient, { x: 6 });
  });

  it('a destructured parameter without a record type says what to declare', () => {
    const src = `
/**
 * @differentiable
 * @at arg0 = { x: 1 }
 */
function f({ x }): number { return x * x; }
`;
    const fa = analyzeFile(src);
    const d = fa.diagnostics.find((x) => x.code === 'GL002');
    assert.ok(d);
    assert.match(d.message, /Type it: `\{ x, y \}: Vec2`/);
  });

  it('the checker is not built for files their syntax types fully (the bench file\'s families, the real-style TypeScript)', () => {
    const lines: string[] = [];
    for (let i = 0; i < 40; i++) {
      lines.push(
        `/**\n * @differentiable\n * @wrt x, y\n * @gradient smoothGrad${i}\n */`,
        `export function smooth${i}(x: number, y: number): number {\n  const a = x * x + 0.${i % 9 + 1} * y;\n  return a * Math.sin(a) + Math.log1p(x * x);\n}`,
        `export function smoothGrad${i}(x: number, y: number): [number, number] {\n  const a = x * x + 0.${i % 9 + 1} * y;\n  const d = Math.sin(a) + a * Math.cos(a);\n  return [d * 2 * x + (2 * x) / (1 + x * x), d * 0.${i % 9 + 1}];\n}`,
        `function ramp${i}(u: number): number {\n  return u > 0 ? u * u : 0.5 * u;\n}`,
        `/**\n * @differentiable\n * @at x = 0.7, y = -0.3\n */\nexport function branchy${i}(x: number, y: number): number {\n  let r = ramp${i}(x) + ramp${i}(y);\n  if (x > y) r += Math.tanh(x - y);\n  return r;\n}`,
        `function helper${i}(w: number[]) {\n  let s = 0;\n  for (let k = 0; k < w.length; k++) s += w[k] * w[k];\n  return s;\n}`,
        `/**\n * @differentiable\n * @at w = [0.5, -1, 2]\n */\nexport function weighted${i}(w: number[]): number {\n  const s = helper${i}(w);\n  return s * s;\n}`,
      );
    }
    const before = oraclesBuilt();
    const fa = analyzeFile(lines.join('\n\n'));
    assert.equal(fa.functions.filter((f) => f.check?.status === 'ok').length, 40);
    assert.equal(oraclesBuilt(), before, 'no checker for a file syntax types');
    const dir = path.resolve(__dirname, '../../../test/fixtures/realStyle');
    for (const file of ['vectorClass.ts', 'ridgeRegression.ts', 'lbfgs.ts', 'fminObjectives.js']) {
      analyzeFile(fs.readFileSync(path.join(dir, file), 'utf8'));
      assert.equal(oraclesBuilt(), before, `no checker for ${file}`);
    }
  });
});

describe('engine: review fixes of the type-aware front end', () => {
  it('a JavaScript function whose @returns is not a shape (`{boolean}`) gets a GL002 on it, not an internal error', () => {
    const src = `
/**
 * @differentiable
 * @param {number} x
 * @returns {boolean}
 * @at x = 1
 */
function positive(x) {
  return x > 0;
}
`;
    const a = analyzeFile(src);
    assert.ok(!a.diagnostics.some((d) => d.code === 'GL009'), a.diagnostics.map((d) => d.message).join('\n'));
    const gl002 = a.diagnostics.find((d) => d.code === 'GL002' && /return type of 'boolean'/.test(d.message));
    assert.ok(gl002, a.diagnostics.map((d) => d.message).join('\n'));
    assert.equal(src.slice(gl002.range.start, gl002.range.end), 'boolean');
  });

  it('an untyped method of a record class returning an array is typed by its returns, as any helper is', () => {
    const src = `
class V {
  constructor(public x: number, public y: number) {}
  twice() { return [this.x * 2, this.y * 2]; }
}
/**
 * @differentiable
 * @at v = { x: 1.5, y: -2 }
 */
function f(v: V): number {
  return v.twice()[0] * v.twice()[1];
}
`;
    const a = analyzeFile(src);
    assert.deepEqual(a.diagnostics.filter((d) => d.severity !== 'information').map((d) => d.message), []);
    const f = a.functions.find((x) => x.name === 'f')!;
    assert.equal(f.value, 3 * -4);
  });

  it('a helper returning a local array (`const y = [x, 2 * x]; return y;`) is typed by syntax, without the checker', () => {
    // Syntax decided it (so the checker was not built), but the call was typed by the older guess
    // from returned literals only: a number, and a false GL002 on `p[0]`.
    const before = oraclesBuilt();
    const src = `
function pair(x: number) { const y = [x, 2 * x]; return y; }
/**
 * @differentiable
 * @at x = 3
 */
export function f(x: number): number {
  const p = pair(x);
  return p[0] * p[1];
}
`;
    const a = analyzeFile(src);
    assert.deepEqual(a.diagnostics.map((d) => d.message), []);
    const f = a.functions.find((x) => x.name === 'f')!;
    assert.equal(f.value, 18);
    assert.equal(oraclesBuilt(), before, 'no checker');
  });
});
