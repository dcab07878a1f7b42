import * as assert from 'node:assert/strict';
import { analyzeFile, AnalysisCache } from '../../engine/analyzeFile';
import { placementChecks } from '../../engine/statementSplice';
import { editsAgreeWithFresh } from './editSequences';
import { memoryHost } from './imports.test';

const SOURCE = `/**
 * @differentiable
 * @at o = { inner: { a: 0.5, b: 2 }, w: 1.5 }, x = 0.25
 */
function first(o: Outer, x: number): number {
  const s = new Scale(2);
  const v = new Vec(x, 2 * x);
  const h = helperLen(x);
  return o.inner.a * o.inner.b * o.w + x * s.k + v.dot(v) + h + (Mode.Twice === Mode.Twice ? x : 0) + (Kind.Put === Kind.Put ? x : 0);
}

/**
 * @differentiable
 * @at p = { x: 1, y: 2, z: 3 }
 */
function second(p: Point3): number {
  return p.x * p.y * p.z;
}

/**
 * @differentiable
 * @at q = { u: 1, v: 2 }
 */
function third(q: UV): number {
  return q.u * q.v;
}

/**
 * @differentiable
 * @at x = 0.5
 */
function makeVec(x: number): Vec {
  return new Vec(x, x * x);
}

/**
 * @differentiable
 * @at x = 0.5
 */
function makePoint(x: number): Point2 {
  return { x, y: x * x };
}

/** @differentiable */
function viaAlias(a: Alias): number {
  return a.a / (1 + a.b * a.b);
}

/**
 * @differentiable
 * @at a = 1.5
 */
function logged(a: number): number {
  const l = new Logger(a);
  return l.x * new Scaled(a).k;
}

function Osc(k: number) { this.k = k; }
Osc.prototype.damp = 0.1;
Osc.prototype.c = new Float64Array(2);
/**
 * @differentiable
 * @at x = 0.5, this.k = 2, this.c = [1, 2]
 */
Osc.prototype.energy = function (x) { return this.k * x * x + this.damp * x + this.c[1] * x; };

class Model {
  w = 0.5;
  /** @differentiable */
  loss(x: number): number { return this.w * x * x; }
}

interface Outer { inner: Inner; w: number }
interface Inner { a: number; b: number }
interface Point2 { x: number; y: number }
interface Point3 extends Point2 { z: number }
type Alias = Inner;
class Scale { constructor(public k: number) {} }
class Scaled { k: number; constructor(k: number) { this.k = 2 * k; } }
class Logger { x: number; constructor(x: number) { this.x = x; console.log(x); } }
class Vec { constructor(public x: number, public y: number) {} dot(o: Vec): number { return this.x * o.x + this.y * o.y; } }
enum Mode { Once, Twice }
enum Kind { Put = 'put', Call = 'call' }
function helperLen(x: number): number { return Math.sqrt(x * x + 1); }
/** @typedef {{ u: number, v: number }} UV */
`;

// After an edit that changed the length, the statements after it are moved at once but the nodes
// inside them only when read (engine/statementSplice.ts): each reader places what it reads. With
// placementChecks.poison an unplaced node is far from any text, so a reader that forgets fails here.
describe('engine: placement of what an edit moved (engine/statementSplice.ts)', () => {
  before(() => { placementChecks.poison = true; });
  after(() => { placementChecks.poison = false; });

  it('the fixture is analysed without a warning', () => {
    const analysis = analyzeFile(SOURCE);
    // Warnings on purpose: one on a statement of a class after every function (read by its range).
    assert.deepEqual(analysis.diagnostics.map((d) => `${d.code} ${d.functionName} ${SOURCE.slice(d.range.start, d.range.end)}`), ['GL002 logged console.log(x);', 'GL002 logged l.x']);
    assert.deepEqual(analysis.functions.map((f) => f.name), ['first', 'second', 'third', 'makeVec', 'makePoint', 'viaAlias', 'logged', 'Osc.energy', 'Model.loss']);
  });
  it('typing in the first function: every declaration read by name is read where it now is', () => {
    const at = SOURCE.indexOf('x * s.k') + 1;
    editsAgreeWithFresh(SOURCE, [
      { at, del: 0, ins: ' ' }, { at, del: 0, ins: '  ' }, { at, del: 3, ins: '' },
      (t) => t.replace('x = 0.25', 'x = 0.5'), (t) => t.replace('x = 0.5', 'x = 0.125'),
    ], 'declarations after the edit');
  });
  it('typing in each function in turn: what is after it is read where it now is, what is before it as it was', () => {
    const marks = ['p.x * p.y', 'q.u * q.v', 'x * x)', '{ x, y', 'a.a / ', 'l.x * ', 'this.k * x', 'this.w * x'];
    const edits = marks.flatMap((m) => {
      const at = SOURCE.indexOf(m) + 1;
      assert.ok(at > 0, m);
      return [{ at, del: 0, ins: ' ' }, { at, del: 0, ins: '   ' }, { at, del: 2, ins: '' }, { at, del: 2, ins: '' }];
    });
    editsAgreeWithFresh(SOURCE, edits, 'typing in each function');
  });
  it('imports after the edited function: a problem with one is shown on its name where it now is', () => {
    const MAIN = '/ws/src/main.ts';
    const main = `/**
 * @differentiable
 * @at x = 0.5
 */
export function f(x: number): number { return helper(x) * 2 + other(x); }
import { helper } from './lib';
import { other } from './missing';
`;
    const files = { '/ws/src/lib.ts': 'export function helper(x: number): number { const o = { a: x }; delete o.a; return x; }\n' };
    const analyze = (text: string, cache?: AnalysisCache) => analyzeFile(text, {}, cache, { file: MAIN, host: memoryHost({ ...files, [MAIN]: text }) });
    const cache = new AnalysisCache();
    const first = analyze(main, cache);
    assert.deepEqual(first.diagnostics.map((d) => main.slice(d.range.start, d.range.end)), ['other', 'helper']);
    let text = main;
    for (const ins of [' ', '   ', '']) {
      const at = main.indexOf(' * 2') + 1;
      text = main.slice(0, at) + ins + main.slice(at);
      assert.deepEqual(analyze(text, cache), analyze(text), `after inserting ${JSON.stringify(ins)}`);
    }
  });
});
