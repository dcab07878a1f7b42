// Structured values and JavaScript as people write it (issue 13, items 4 and 5).
//
// Records (interfaces, type aliases, inline `{ x: number }`, nested, `Vec2[]`) and `number[][]`
// matrices as parameters, locals and results are lowered by flattening (lower/types.ts): every
// record fixture below has a twin written over numbers and arrays, and the two must agree to the
// last bit (values, gradients, Jacobians), with gradients in the parameter's own shape. Hand-written
// record gradients are checked per field; JavaScript idioms (`var`, defaults, `??`, booleans,
// strings and options objects given in `@at`, JSDoc types) have their JavaScript meaning or a GL002.

import * as assert from 'node:assert/strict';
import { analyzeFile, FileAnalysis, FunctionAnalysis } from '../../engine/index';
import { generateDerivative } from '../../engine/codegen/generate';
import { readPoint } from '../../engine/pointGrammar';
import { checkDiagnostics } from './fixture';
import { load, typeErrors } from '../codegen/harness';

const TYPES = `
interface Vec2 { x: number; y: number }
type Body = { pos: Vec2; vel: Vec2; mass: number };
interface Particle extends Vec2 { m: number }
`;

function analyse(src: string): FileAnalysis {
  return analyzeFile(src, { randomPoints: 2 });
}

function fnOf(fa: FileAnalysis, name: string): FunctionAnalysis {
  const f = fa.functions.find((x) => x.name === name);
  assert.ok(f, `no analysis of '${name}'; diagnostics: ${fa.diagnostics.map((d) => d.message).join(' | ')}`);
  return f;
}

/** The leaves of a value in a fixed order (records by sorted key, as the engine flattens them). */
function leaves(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v.flatMap(leaves);
  if (v && typeof v === 'object') return Object.keys(v).sort().flatMap((k) => leaves((v as Record<string, unknown>)[k]));
  throw new Error(`not a numeric value: ${String(v)}`);
}

function close(a: number[], b: number[], what: string) {
  assert.equal(a.length, b.length, `${what}: ${a.length} values, expected ${b.length}`);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= 1e-9 * (1 + Math.abs(b[i])), `${what}[${i}]: ${x}, expected ${b[i]}`));
}

interface TwinCase {
  name: string;
  /** The function over records, and its twin over numbers and arrays, each `@differentiable` with its `@at`. */
  record: string;
  twin: string;
  /** The gradient's shape, as the analysis gives it (a spot check of the parameter's own shape). */
  shape?: (g: Record<string, unknown>) => void;
}

const TWINS: TwinCase[] = [
  {
    name: 'an interface parameter',
    record: `/**\n * @differentiable\n * @at p = { x: 1, y: 2 }\n */\nfunction f(p: Vec2): number { return 0.5 * (p.x * p.x + 3 * p.y * p.y) + Math.sin(p.x * p.y); }`,
    twin: `/**\n * @differentiable\n * @at x = 1, y = 2\n */\nfunction g(x: number, y: number): number { return 0.5 * (x * x + 3 * y * y) + Math.sin(x * y); }`,
    shape: (g) => assert.deepEqual(Object.keys(g.p as object).sort(), ['x', 'y']),
  },
  {
    name: 'an inline record type, fields written in another order in @at',
    record: `/**\n * @differentiable\n * @at p = { y: 2, x: 1 }\n */\nfunction f(p: { x: number; y: number }): number { return Math.hypot(p.x, p.y) * p.y; }`,
    twin: `/**\n * @differentiable\n * @at x = 1, y = 2\n */\nfunction g(x: number, y: number): number { return Math.hypot(x, y) * y; }`,
  },
  {
    name: 'a nested record (a type alias of records)',
    record: `/**\n * @differentiable\n * @at b = { pos: { x: 1, y: 2 }, vel: { x: 0.5, y: -1 }, mass: 2 }\n */\nfunction f(b: Body): number {\n  const v = b.vel;\n  return 0.5 * b.mass * (v.x * v.x + v.y * v.y) + b.pos.y * 9.81 * b.mass;\n}`,
    // Flattened by sorted path: mass, pos.x, pos.y, vel.x, vel.y.
    twin: `/**\n * @differentiable\n * @at m = 2, px = 1, py = 2, vx = 0.5, vy = -1\n */\nfunction g(m: number, px: number, py: number, vx: number, vy: number): number {\n  return 0.5 * m * (vx * vx + vy * vy) + py * 9.81 * m + 0 * px;\n}`,
    shape: (g) => assert.deepEqual(JSON.stringify(g.b, (k, v) => (typeof v === 'number' ? 0 : v)), '{"mass":0,"pos":{"x":0,"y":0},"vel":{"x":0,"y":0}}'),
  },
  {
    name: 'an interface extending another',
    record: `/**\n * @differentiable\n * @at q = { x: 1, y: 2, m: 3 }\n */\nfunction f(q: Particle): number { return q.m * (q.x * q.x + q.y * q.y); }`,
    twin: `/**\n * @differentiable\n * @at m = 3, x = 1, y = 2\n */\nfunction g(m: number, x: number, y: number): number { return m * (x * x + y * y); }`,
  },
  {
    name: 'an array of records (Vec2[])',
    record: `/**\n * @differentiable\n * @at ps = [{ x: 1, y: 2 }, { x: 3, y: -1 }, { x: 0.5, y: 0.25 }]\n */\nfunction f(ps: Vec2[]): number {\n  let total = 0;\n  for (let i = 1; i < ps.length; i++) {\n    const dx = ps[i].x - ps[i - 1].x;\n    const dy = ps[i].y - ps[i - 1].y;\n    total += Math.sqrt(dx * dx + dy * dy);\n  }\n  for (const p of ps) total += 0.1 * p.x * p.y;\n  const xs = ps.map((p) => p.x * p.x);\n  return total + xs[0];\n}`,
    twin: `/**\n * @differentiable\n * @at ps = [[1, 2], [3, -1], [0.5, 0.25]]\n * @wrt ps\n */\nfunction g(ps: number[][]): number {\n  let total = 0;\n  for (let i = 1; i < ps.length; i++) {\n    const dx = ps[i][0] - ps[i - 1][0];\n    const dy = ps[i][1] - ps[i - 1][1];\n    total += Math.sqrt(dx * dx + dy * dy);\n  }\n  for (const p of ps) total += 0.1 * p[0] * p[1];\n  return total + ps[0][0] * ps[0][0];\n}`,
    shape: (g) => assert.ok(Array.isArray(g.ps) && (g.ps as object[]).every((r) => Object.keys(r).join() === 'x,y')),
  },
  {
    name: 'records as locals: literals, spread, destructuring, field writes, helpers taking and returning records',
    record: `function add(a: Vec2, b: Vec2): Vec2 { return { x: a.x + b.x, y: a.y + b.y }; }\nfunction scale(a: Vec2, k: number): Vec2 { return { y: a.y * k, x: a.x * k }; }\nfunction dot(a: Vec2, b: Vec2) { return a.x * b.x + a.y * b.y; }\n/**\n * @differentiable\n * @at p = { x: 1, y: 2 }, v = { x: -0.5, y: 0.25 }, dt = 0.1\n */\nfunction f(p: Vec2, v: Vec2, dt: number): number {\n  const next = add(p, scale(v, dt));\n  const { x, y: why } = next;\n  const q = { ...next, y: 3 };\n  q.x += x * why;\n  const r: Vec2 = { y: q.y, x: q.x };\n  return dot(next, next) + dot(r, p);\n}`,
    twin: `/**\n * @differentiable\n * @at px = 1, py = 2, vx = -0.5, vy = 0.25, dt = 0.1\n */\nfunction g(px: number, py: number, vx: number, vy: number, dt: number): number {\n  const nx = px + vx * dt, ny = py + vy * dt;\n  const qx = nx + nx * ny, qy = 3;\n  return nx * nx + ny * ny + qx * px + qy * py;\n}`,
  },
  {
    name: 'a number[][] matrix given in @at',
    record: `/**\n * @differentiable\n * @at M = [[1, 2], [3, 4]], v = [1, -1]\n * @wrt M, v\n */\nfunction f(M: number[][], v: number[]): number {\n  let s = 0;\n  for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) s += v[i] * M[i][j] * v[j];\n  return s;\n}`,
    twin: `/**\n * @differentiable\n * @at a = 1, b = 2, c = 3, d = 4, v0 = 1, v1 = -1\n */\nfunction g(a: number, b: number, c: number, d: number, v0: number, v1: number): number {\n  return v0 * a * v0 + v0 * b * v1 + v1 * c * v0 + v1 * d * v1;\n}`,
    shape: (g) => assert.deepEqual(g.M, [[1, -1], [-1, 1]]),
  },
];

describe('records: a function of records agrees with its twin over numbers and arrays', () => {
  for (const c of TWINS) {
    it(c.name, () => {
      const fa = analyse(`${TYPES}\n${c.record}\n\n${c.twin}\n`);
      const errors = fa.diagnostics.filter((d) => d.severity !== 'hint' && d.code !== 'GL004');
      assert.deepEqual(errors.map((d) => `${d.code} ${d.message}`), []);
      const f = fnOf(fa, 'f');
      const g = fnOf(fa, 'g');
      close(leaves(f.value), leaves(g.value), 'value');
      assert.ok(f.gradient && g.gradient);
      close(leaves(Object.values(f.gradient)), leaves(Object.values(g.gradient)), 'gradient');
      c.shape?.(f.gradient as Record<string, unknown>);
    });
  }

  it('generated reverse-mode code of each (helpers over records included) is type-correct and equals the analysis', () => {
    let generated = 0;
    for (const c of TWINS) {
      const src = `${TYPES}\n${c.record.replace('function f(', 'export function f(')}\n`;
      const fa = analyse(src);
      const r = generateDerivative(src, 'f', 'reverse', { name: 'fGrad' });
      if (!r.generated) { assert.match(r.diagnostics[0].message, /Cannot generate/); continue; }
      generated++;
      const module = `${src}\n${r.generated.code}`;
      assert.deepEqual(typeErrors(module), [], module);
      const f = fnOf(fa, 'f');
      const parsed = readPoint(/@at (.*)/.exec(c.record)![1]);
      assert.ok(parsed.ok);
      const point = parsed.point as Record<string, unknown>;
      const params = /function f\(([^)]*)\)/.exec(c.record)![1].split(',').map((x) => x.split(':')[0].trim());
      const got = load(module).fGrad(...params.map((n) => point[n]));
      const byParam = f.wrt.length === 1 ? [got] : (got as unknown[]);
      close(leaves(byParam), leaves(f.wrt.map((w) => f.gradient![w])), c.name);
    }
    assert.ok(generated >= 5, `${generated} generated`);
  });

  it('a function returning a record is vector-valued, its Jacobian rows the fields (sorted), equal to the tuple twin', () => {
    const fa = analyse(`${TYPES}
/**
 * @differentiable
 * @at p = { x: 1, y: 2 }, a = 0.3
 */
function f(p: Vec2, a: number): Vec2 {
  const c = Math.cos(a), s = Math.sin(a);
  return { y: s * p.x + c * p.y, x: c * p.x - s * p.y };
}

/**
 * @differentiable
 * @at x = 1, y = 2, a = 0.3
 */
function g(x: number, y: number, a: number): [number, number] {
  const c = Math.cos(a), s = Math.sin(a);
  return [c * x - s * y, s * x + c * y];
}
`);
    const f = fnOf(fa, 'f');
    const g = fnOf(fa, 'g');
    assert.equal(f.vectorValued, true);
    close(leaves(f.value), leaves(g.value), 'value');
    close(f.jacobian!.flat(), g.jacobian!.flat(), 'Jacobian');
  });
});

describe('records: hand-written record gradients are checked per field', () => {
  it('a right one (fields in any order, no return type) checks out', () => {
    const fa = analyse(`${TYPES}
/**
 * @differentiable
 * @at p = { x: 1, y: 2 }
 * @gradient energyGrad
 */
function energy(p: Vec2): number { return 0.5 * (p.x * p.x + 3 * p.y * p.y); }

function energyGrad(p: Vec2) { return { y: 3 * p.y, x: p.x }; }
`);
    const f = fnOf(fa, 'energy');
    assert.equal(f.check?.status, 'ok');
    assert.deepEqual(f.check!.points[0].components.map((c) => c.label), ['p.x', 'p.y']);
    assert.deepEqual(f.gradient, { p: { x: 1, y: 6 } });
  });

  it('a wrong one is a GL001 naming the component p.y, on its field', () => {
    const fa = checkDiagnostics(`${TYPES}
/**
 * @differentiable
 * @at p = { x: 1, y: 2 }
 * @gradient energyGrad
 */
function energy(p: Vec2): number { return 0.5 * (p.x * p.x + 3 * p.y * p.y); }

function energyGrad(p: Vec2): Vec2 { return { x: p.x, y: 2 * p.y }; }
//                                                       ^^^^^^^ GL001 ∂energy/∂p.y is wrong at p = { x: 1, y: 2 }
`);
    assert.equal(fnOf(fa, 'energy').check?.status, 'wrong');
  });

  it('an array of records: the wrong component is ps[1].x', () => {
    const fa = analyse(`${TYPES}
/**
 * @differentiable
 * @at ps = [{ x: 1, y: 2 }, { x: 3, y: -1 }]
 * @gradient sumSqGrad
 */
function sumSq(ps: Vec2[]): number { let s = 0; for (const p of ps) s += p.x * p.x + p.y; return s; }

function sumSqGrad(ps: Vec2[]): Vec2[] { return [{ x: 2 * ps[0].x, y: 1 }, { x: ps[1].x, y: 1 }]; }
`);
    const f = fnOf(fa, 'sumSq');
    assert.equal(f.check?.status, 'wrong');
    const wrong = f.check!.points[0].components.filter((c) => c.verdict === 'wrong').map((c) => c.label);
    assert.deepEqual(wrong, ['ps[1].x']);
  });

  it('an object keyed by parameter holding a record gradient', () => {
    const fa = analyse(`${TYPES}
/**
 * @differentiable
 * @at p = { x: 1, y: 2 }, k = 3
 * @gradient gGrad
 */
function g(p: Vec2, k: number): number { return k * p.x * p.y; }

function gGrad(p: Vec2, k: number) { return { p: { x: k * p.y, y: k * p.x }, k: p.x * p.y }; }
`);
    assert.equal(fnOf(fa, 'g').check?.status, 'ok');
  });
});

describe('records: what is outside the subset is a GL002 on the construct', () => {
  it('arithmetic on records, unknown fields, indexing a record, a record holding an array', () => {
    checkDiagnostics(`${TYPES}
/**
 * @differentiable
 * @at p = { x: 1, y: 2 }
 */
function f(p: Vec2): number {
  const a = p + 1;
//          ^ GL002 Arithmetic on a record (Vec2)
  const b = p.z;
//            ^ GL002 'z', which is not a field
  const c = p[0];
//          ^^^^ GL002 Indexing a record
  return p.x;
}

/** @differentiable */
function h(s: { w: number[]; b: number }): number { return s.b; }
//            ^^^^^^^^^^^^^^^^^^^^^^^^^^ GL002 A parameter of type
//                                                         ^^^ GL002 The property access
`);
  });

  it('an @at record without a field, or with one too many, is a GL005 naming it', () => {
    const fa = analyse(`${TYPES}
/**
 * @differentiable
 * @at p = { x: 1 }
 * @at p = { x: 1, y: 2, z: 3 }
 */
function f(p: Vec2): number { return p.x * p.y; }
`);
    const msgs = fa.diagnostics.filter((d) => d.code === 'GL005').map((d) => d.message);
    assert.ok(msgs.some((m) => m.includes("no value for the field 'y' of 'p'")), msgs.join(' | '));
    assert.ok(msgs.some((m) => m.includes("'z' is not a field of 'p'")), msgs.join(' | '));
  });
});

describe('records: the @at grammar reads records, arrays of arrays, booleans and strings', () => {
  it('reads them', () => {
    const r = readPoint(`p = { x: 1, y: -2 }, M = [[1, 0], [0, 1]], ps = [{ x: 1, y: 2 }], derivative = true, mode = "call", kind: 'put', b = { pos: { x: 0.5 * 2 } }`);
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(JSON.parse(JSON.stringify(r.point)), {
      p: { x: 1, y: -2 }, M: [[1, 0], [0, 1]], ps: [{ x: 1, y: 2 }], derivative: true, mode: 'call', kind: 'put', b: { pos: { x: 1 } },
    });
  });
  it('names what is wrong', () => {
    for (const [input, message] of [
      ['p = { x: 1', "unbalanced braces: the '{' of 'p' is not closed"],
      ['p = { x 1 }', "expected ':' after the field 'x' of 'p'"],
      ['p = { x: 1, x: 2 }', "the field 'x' of 'p' is given twice"],
      ['mode = "call', "unbalanced quotes: the string in the value of 'mode' is not closed on its line"],
      ['p = { x: abc }', "the value of 'p.x' is not a number: 'abc'"],
    ]) {
      const r = readPoint(input);
      assert.ok(!r.ok && r.message === message, `${input}: ${JSON.stringify(r)}`);
    }
  });
});

describe('records: generated reverse-mode code takes and returns records', () => {
  const src = `${TYPES}
/** @differentiable */
export function kinetic(b: Body, g: number): number {
  const v = b.vel;
  return 0.5 * b.mass * (v.x * v.x + v.y * v.y) + b.pos.y * g * b.mass;
}

/** @differentiable */
export function pathLength(ps: Vec2[]): number {
  let total = 0;
  for (let i = 1; i < ps.length; i++) total += Math.hypot(ps[i].x - ps[i - 1].x, ps[i].y - ps[i - 1].y);
  return total;
}
`;
  it('type-correct under --strict, and equal to the analysis', () => {
    const k = generateDerivative(src, 'kinetic', 'reverse');
    const p = generateDerivative(src, 'pathLength', 'reverse');
    assert.ok(k.generated && p.generated, JSON.stringify([k.diagnostics, p.diagnostics]));
    const module = `${src}\n${k.generated.code}\n${p.generated.code}`;
    assert.deepEqual(typeErrors(module), []);
    const m = load(module);
    const body = { pos: { x: 1, y: 2 }, vel: { x: 0.5, y: -1 }, mass: 2 };
    const [dB, dG] = m[k.generated.name](body, 9.81) as [unknown, number];
    assert.deepEqual(Object.keys(dB as object), ['mass', 'pos', 'vel']);
    close(leaves(dB), [0.5 * 1.25 + 2 * 9.81, 0, 9.81 * 2, 1, -2], 'dB');
    assert.equal(dG, 4);
    const dPs = m[p.generated.name]([{ x: 0, y: 0 }, { x: 3, y: 4 }]) as { x: number; y: number }[];
    close(leaves(dPs), [-0.6, -0.8, 0.6, 0.8], 'dPs');
  });
  it('JVP and Hessian code take records too: type-correct, J·v and H as AD gives them', () => {
    const j = generateDerivative(src, 'kinetic', 'jvp');
    const h = generateDerivative(src, 'kinetic', 'hessian');
    assert.ok(j.generated && h.generated, JSON.stringify([j.diagnostics, h.diagnostics]));
    const module = `${src}\n${j.generated.code}\n${h.generated.code}`;
    assert.deepEqual(typeErrors(module), []);
    const m = load(module);
    const body = { pos: { x: 1, y: 2 }, vel: { x: 0.5, y: -1 }, mass: 2 };
    // Along the mass only: the derivative is ∂E/∂mass.
    const [value, dir] = m[j.generated.name](body, 9.81, { pos: { x: 0, y: 0 }, vel: { x: 0, y: 0 }, mass: 1 }, 0) as [number, number];
    close([value, dir], [0.5 * 2 * 1.25 + 2 * 9.81 * 2, 0.5 * 1.25 + 2 * 9.81], 'jvp');
    // Components mass, pos.x, pos.y, vel.x, vel.y, g: ∂²E/∂mass∂vel.x = vel.x, ∂²E/∂vel.y² = mass.
    const H = m[h.generated.name](body, 9.81) as number[][];
    assert.equal(H.length, 6);
    close([H[0][3], H[3][0], H[4][4], H[2][5]], [0.5, 0.5, 2, 2], 'Hessian');
  });
});

describe('JavaScript as people write it', () => {
  it('`var` that means `let` is analysed; one used outside its block is a GL002 at the use', () => {
    const fa = checkDiagnostics(`
/**
 * @differentiable
 * @at w = [1, 2, 3], k = 2
 */
function norm(w, k) {
  var total = 0;
  for (var i = 0; i < w.length; i++) total += Math.pow(w[i], k);
  return total;
}

/**
 * @differentiable
 * @at x = 2
 */
function hoisted(x) {
  if (x > 0) {
    var y = x * 2;
//      ^ GL002 \`var\` 'y' used outside the block that declares it, or before its declaration
  }
  return y;
//       ^ GL002
}
`);
    const g = fnOf(fa, 'norm').gradient!;
    close([...(g.w as number[]), g.k as number], [2, 4, 6, Math.log(2) * 4 + Math.log(3) * 9], 'gradient');
  });

  it('a top-level `var` constant computed at load, Number.isFinite, Number.EPSILON, Math.fround', () => {
    const fa = analyse(`
var SQRT2PI = Math.sqrt(2 * Math.PI);
var counter = 0;
counter += 1;
/**
 * @differentiable
 * @at x = 0.3
 */
function pdf(x) {
  if (!Number.isFinite(x) || !isFinite(x)) return 0;
  return Math.exp(-0.5 * x * x) / SQRT2PI + Number.EPSILON * 0 + Math.fround(0.5) * x;
}
`);
    assert.deepEqual(fa.diagnostics.map((d) => d.message), []);
    // A top-level `var` assigned again is no constant.
    const counted = analyse(`var counter = 0;\ncounter += 1;\n/** @differentiable */\nfunction g(x) { return x * counter; }\n`);
    assert.ok(counted.diagnostics.some((d) => d.code === 'GL002' && d.message.includes("'counter'")));
    const g = fnOf(fa, 'pdf').gradient!.x as number;
    close([g], [-0.3 * Math.exp(-0.045) / Math.sqrt(2 * Math.PI) + 0.5], 'dpdf/dx');
  });

  it('defaults: default parameters (left out of @at), `x || 1`, `w = w || [0, 0]`, `??`', () => {
    const fa = analyse(`
/**
 * @differentiable
 * @at x = 2
 */
function f(x, scale = 3, w = [0, 0]) {
  scale = scale || 1;
  const s = x ?? 0;
  return s * scale;
}

/**
 * @differentiable
 * @at x = 2, w = [1, 2]
 * @wrt x, w
 */
function g(x: number, w: number[]) {
  w = w || [0, 0];
  const k = (x * 0) || 4;
  return x * k + w[0] * w[1];
}
`);
    assert.equal(fa.diagnostics.filter((d) => d.code === 'GL002' && d.functionName === 'g').length, 0, fa.diagnostics.map((d) => d.message).join(' | '));
    const f = fnOf(fa, 'f');
    assert.equal(f.value, 6);
    assert.deepEqual(f.gradient, { x: 3, scale: 2, w: [0, 0] });
    const g = fnOf(fa, 'g');
    assert.deepEqual(g.value, 8 + 2);
    assert.deepEqual(g.gradient, { x: 4, w: [2, 1] });
  });

  it('a default parameter left out of @at takes its default', () => {
    const fa = analyse(`
/**
 * @differentiable
 * @at x = 2
 */
function f(x: number, scale = 3) { return x * scale; }
`);
    const f = fnOf(fa, 'f');
    assert.equal(f.value, 6);
    assert.deepEqual(f.gradient, { x: 3, scale: 2 });
  });

  it('boolean and string parameters are held constant and given in @at', () => {
    const src = (at: string) => `
/**
 * @differentiable
 * @at ${at}
 */
function logistic(x: number, complement: boolean, mode: 'call' | 'put') {
  const s = 1 / (1 + Math.exp(-x));
  if (complement) return 1 - s;
  if (mode === 'put') return -s;
  return s;
}
`;
    const s = 1 / (1 + Math.exp(-0.5));
    const plain = fnOf(analyse(src('x = 0.5, complement = false, mode = "call"')), 'logistic');
    assert.deepEqual(plain.wrt, ['x']);
    close([plain.value as number, plain.gradient!.x as number], [s, s * (1 - s)], 'call');
    const put = fnOf(analyse(src('x = 0.5, complement = false, mode = "put"')), 'logistic');
    close([put.value as number, put.gradient!.x as number], [-s, -s * (1 - s)], 'put');
    const c = fnOf(analyse(src('x = 0.5, complement = true, mode = "call"')), 'logistic');
    close([c.value as number], [1 - s], 'complement');
    // Drawn at random: the constants take a value the function compares them with.
    assert.ok(fnOf(analyse(src('x = 0.5').replace(/ \* @at .*\n/, '')), 'logistic').points.length > 0);
    // A message shows a string as a string.
    const nonfinite = analyse(src('x = 0.5, complement = false, mode = "put"').replace('return -s;', 'return Math.log(-s);'));
    assert.ok(nonfinite.diagnostics.some((d) => d.code === 'GL003' && d.message.includes('mode = "put"')), nonfinite.diagnostics.map((d) => d.message).join(' | '));
    const bad = analyse(src('x = 0.5, complement = 1, mode = "call"'));
    assert.ok(bad.diagnostics.some((d) => d.code === 'GL005' && d.message.includes("'complement' is a boolean; write true or false")));
  });

  it('a derivative flag given in @at as a boolean: the function that is its own derivative is checked', () => {
    const fa = analyse(`
/**
 * @differentiable
 * @at x = 0.5, derivative = false
 */
function sigmoid(x: number, derivative: boolean) {
  const s = 1 / (1 + Math.exp(-x));
  return derivative ? s * (1 - s) : s;
}
`);
    assert.equal(fnOf(fa, 'sigmoid').check?.status, 'ok');
  });

  it('an options object (TypeScript and JavaScript) given in @at, its fields read and compared', () => {
    for (const sig of ['opts: { kind: "call" | "put"; strike: number }', 'opts']) {
      const fa = analyse(`
/**
 * @differentiable
 * @at x = 2, opts = { kind: "put", strike: 2.5 }
 */
function payoff(x: number, ${sig}) {
  var k = opts.strike ?? 1;
  if (opts.kind === "put") return Math.max(k - x, 0) + 0.1 * x * x;
  return Math.max(x - k, 0);
}
`);
      const f = fnOf(fa, 'payoff');
      assert.deepEqual(f.wrt, ['x']);
      close([f.value as number, f.gradient!.x as number], [0.5 + 0.4, -1 + 0.4], sig);
    }
  });

  it('a `switch` on a string (cases grouped, ending in return or break) is an if/else chain', () => {
    const src = (kind: string) => `
/**
 * @differentiable
 * @at x = 2, kind = "${kind}"
 */
function payoff(x, kind) {
  let v = 0;
  switch (kind) {
    case "call":
      v = Math.max(x - 1, 0);
      break;
    case "put":
    case "short": {
      return -x * x;
    }
    default:
      v = 3 * x;
  }
  return v;
}
`;
    const want: Record<string, [number, number]> = { call: [1, 1], put: [-4, -4], short: [-4, -4], other: [6, 3] };
    for (const [kind, [value, slope]] of Object.entries(want)) {
      const f = fnOf(analyse(src(kind)), 'payoff');
      assert.deepEqual([f.value, f.gradient!.x], [value, slope], kind);
    }
  });

  it('enums: a parameter of a numeric enum, its members in the body', () => {
    const fa = analyse(`
enum Kind { Call, Put = 5 }
/**
 * @differentiable
 * @at x = 2, kind = 5
 */
function payoff(x: number, kind: Kind) { return kind === Kind.Put ? -x * x : x; }
`);
    const f = fnOf(fa, 'payoff');
    assert.deepEqual(f.gradient, { x: -4 });
  });

  it('JSDoc types of JavaScript parameters: number, number[], a record', () => {
    const fa = analyse(`
/**
 * @differentiable
 * @param {number[]} w the weights
 * @param {{x: number, y: number}} p
 * @param {number} [k]
 * @at w = [1, 2], p = { x: 3, y: 4 }, k = 2
 */
function f(w, p, k) {
  return k * (w[0] * p.x + w[1] * p.y);
}
`);
    const f = fnOf(fa, 'f');
    assert.deepEqual(f.gradient, { w: [6, 8], p: { x: 2, y: 4 }, k: 11 });
  });

  it('JSDoc @typedef records of JavaScript: a type literal, or @property tags', () => {
    const fa = analyse(`
/** @typedef {{ x: number, y: number }} Vec2 */

/**
 * @typedef {Object} Body
 * @property {Vec2} pos
 * @property {number} mass
 */

/**
 * @differentiable
 * @param {Body} b
 * @param {Vec2[]} qs
 * @at b = { pos: { x: 1, y: 2 }, mass: 3 }, qs = [{ x: 0, y: 1 }]
 */
function f(b, qs) {
  var dx = b.pos.x - qs[0].x;
  return b.mass * dx * dx + b.pos.y * qs[0].y;
}
`);
    assert.deepEqual(fa.diagnostics.map((d) => d.message), []);
    assert.deepEqual(fnOf(fa, 'f').gradient, { b: { mass: 1, pos: { x: 6, y: 1 } }, qs: [{ x: -6, y: 2 }] });
  });

  it('untyped parameters typed by their @at values', () => {
    const fa = analyse(`
/**
 * @differentiable
 * @at w = [1, 2], p = { x: 3, y: 4 }
 */
function f(w, p) { return w[0] * p.x + w[1] * p.y; }
`);
    assert.deepEqual(fnOf(fa, 'f').gradient, { w: [3, 4], p: { x: 1, y: 2 } });
  });

  it('what stays outside the subset is a GL002 on the construct', () => {
    checkDiagnostics(`
/**
 * @differentiable
 * @at x = 1, mode = "a"
 */
function f(x: number, mode: string) {
  if (mode < "b") return x;
//    ^^^^^^^^^^ GL002 Ordering strings
  const t = \`\${mode}!\`;
//          ^^^^^^^^^^ GL002 A string template
  return x * mode;
//           ^^^^ GL002 Arithmetic on a string
}
`);
  });
});
