// The declaration forms of real code (issue 13; engine/declarationForms.ts), each analysed and
// checked: a fixture per form, written in the styles numeric packages use, with a right
// hand-written derivative (no GL001, check ok) and wrong ones (a sign, a factor, an index), each
// caught by one GL001 on the wrong component's expression. Plus the implicit inputs (captured
// values, `this` fields) held constant or differentiated, and the CLI over fixtures.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeFile } from '../../engine/analyzeFile';
import { locateFunction, parseProgram } from '../../engine/program';
import { describeFormFixtures, fill, itInsertsByForm, type FormFixture, type InsertCase } from './formFixtures';

const FIXTURES: FormFixture[] = [
  {
    name: 'an activation table: methods, the derivative beside `fn` calling `this.fn`',
    src: `export const activations = {
  logistic: {
    /**
     * @differentiable
     * @at x = 0.5
     * @at x = -1.25
     */
    fn(x: number): number { return 1 / (1 + Math.exp(-x)); },
    derivative(x: number): number {
      const s = this.fn(x);
      return $0;
    },
  },
};`,
    fn: 'activations.logistic.fn', hand: 'activations.logistic.derivative',
    right: ['s * (1 - s)'],
    wrong: [{ kind: 'sign', at: 0, text: '-s * (1 - s)' }, { kind: 'factor', at: 0, text: '2 * s * (1 - s)' }],
  },
  {
    name: 'an activation table: arrow-valued properties',
    src: `export const activations = {
  softsign: {
    /** @differentiable */
    fn: (x: number): number => x / (1 + Math.abs(x)),
    derivative: (x: number): number => $0,
  },
};`,
    fn: 'activations.softsign.fn', hand: 'activations.softsign.derivative',
    right: ['1 / (1 + Math.abs(x)) ** 2'],
    wrong: [{ kind: 'sign', at: 0, text: '-1 / (1 + Math.abs(x)) ** 2' }, { kind: 'factor', at: 0, text: '2 / (1 + Math.abs(x)) ** 2' }],
  },
  {
    name: 'a tag on the table applies to its functions; `fprime` beside `f`',
    src: `/**
 * @differentiable
 * @at x = 0.75
 */
export const curves = {
  cubic: {
    f(x: number): number { return x * x * x - 2 * x; },
    fprime(x: number): number { return $0; },
  },
};`,
    fn: 'curves.cubic.f', hand: 'curves.cubic.fprime',
    right: ['3 * x * x - 2'],
    wrong: [{ kind: 'sign', at: 0, text: '3 * x * x + 2' }, { kind: 'factor', at: 0, text: '6 * x * x - 2' }],
  },
  {
    name: 'module.exports = { f: function, fprime: function } (a gradient of an array)',
    src: `module.exports = {
  /**
   * @differentiable
   * @at w = [0.5, -1.5]
   */
  f: function (w: number[]): number {
    return w[0] * w[0] + 3 * w[0] * w[1];
  },
  fprime: function (w: number[]): number[] {
    return [$0, $1];
  },
};`,
    fn: 'exports.f', hand: 'exports.fprime',
    right: ['2 * w[0] + 3 * w[1]', '3 * w[0]'],
    wrong: [{ kind: 'index', at: 0, text: '2 * w[0] + 3 * w[0]' }, { kind: 'index', at: 1, text: '3 * w[1]' }, { kind: 'sign', at: 1, text: '-3 * w[0]' }],
  },
  {
    name: 'exports.f = function …; exports.df = …, calling exports.f',
    src: `/**
 * @differentiable
 * @at x = 0.3
 */
exports.f = function (x: number): number { return Math.sin(x) * Math.sin(x); };
exports.df = function (x: number): number { return $0; };
exports.g = function (x: number): number { return exports.f(x) * 2; };`,
    fn: 'exports.f', hand: 'exports.df',
    right: ['2 * Math.sin(x) * Math.cos(x)'],
    wrong: [{ kind: 'sign', at: 0, text: '-2 * Math.sin(x) * Math.cos(x)' }, { kind: 'factor', at: 0, text: 'Math.sin(x) * Math.cos(x)' }],
  },
  {
    name: 'Foo.prototype.f = function …, paired by name',
    src: `declare const Spring: any;
/**
 * @differentiable
 * @at x = 0.4, v = -0.2
 */
Spring.prototype.energy = function (x: number, v: number): number { return 0.5 * 3 * x * x + 0.5 * v * v; };
Spring.prototype.energyGrad = function (x: number, v: number): [number, number] { return [$0, $1]; };`,
    fn: 'Spring.energy', hand: 'Spring.energyGrad',
    right: ['3 * x', 'v'],
    wrong: [{ kind: 'factor', at: 0, text: '1.5 * x' }, { kind: 'sign', at: 1, text: '-v' }],
  },
  {
    name: 'class: instance methods reading `this.k` (a field initialiser), a getter, `this.m(x)`',
    src: `export class Spring {
  k = 3;
  rest = 0.5;
  get stiffness(): number { return 2 * this.k; }
  /**
   * @differentiable
   * @at x = 1.25
   */
  energy(x: number): number { return 0.5 * this.stiffness * this.stretch(x) ** 2; }
  stretch(x: number): number { return x - this.rest; }
  energyGrad(x: number): number { return $0; }
}`,
    fn: 'Spring.energy', hand: 'Spring.energyGrad',
    right: ['this.stiffness * (x - this.rest)'],
    wrong: [{ kind: 'sign', at: 0, text: 'this.stiffness * (this.rest - x)' }, { kind: 'factor', at: 0, text: 'this.k * (x - this.rest)' }],
  },
  {
    name: 'class: `this.w` set from a constructor parameter, given in @at; @gradient names a sibling',
    src: `export class Linear {
  w: number[];
  constructor(w: number[]) { this.w = w; }
  /**
   * @differentiable
   * @at x = [1, 2], this.w = [0.5, -0.25]
   * @gradient predictGrad
   */
  predict(x: number[]): number { return Math.tanh(this.w[0] * x[0] + this.w[1] * x[1]); }
  predictGrad(x: number[]): number[] {
    const t = Math.tanh(this.w[0] * x[0] + this.w[1] * x[1]);
    return [$0, $1];
  }
}`,
    fn: 'Linear.predict', hand: 'Linear.predictGrad',
    right: ['(1 - t * t) * this.w[0]', '(1 - t * t) * this.w[1]'],
    wrong: [{ kind: 'index', at: 1, text: '(1 - t * t) * this.w[0]' }, { kind: 'sign', at: 1, text: '(t * t - 1) * this.w[1]' }],
  },
  {
    name: 'class: static methods',
    src: `export class Easing {
  /**
   * @differentiable
   * @at t = 0.3
   */
  static inOutCubic(t: number): number { return t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2; }
  static inOutCubicGrad(t: number): number {
    if (t < 0.5) return $0;
    return 3 * (-2 * t + 2) ** 2;
  }
}`,
    fn: 'Easing.inOutCubic', hand: 'Easing.inOutCubicGrad',
    right: ['12 * t * t'],
    wrong: [{ kind: 'factor', at: 0, text: '4 * t * t' }, { kind: 'sign', at: 0, text: '-12 * t * t' }],
  },
  {
    name: 'a factory: the closure reads the captured data (given in @at) and a captured constant',
    src: `export function makeLoss(data: number[]) {
  const scale = 0.5;
  /**
   * @differentiable
   * @at w = 0.3, data = [1, 2, 3]
   */
  function loss(w: number): number {
    let s = 0;
    for (const d of data) s += scale * (w * d - 1) ** 2;
    return s;
  }
  function lossGrad(w: number): number {
    let s = 0;
    for (let i = 0; i < data.length; i++) s += $0;
    return s;
  }
  return { loss, lossGrad };
}`,
    fn: 'makeLoss.loss', hand: 'makeLoss.lossGrad',
    right: ['(w * data[i] - 1) * data[i]'],
    wrong: [{ kind: 'factor', at: 0, text: '2 * (w * data[i] - 1) * data[i]' }, { kind: 'index', at: 0, text: '(w * data[i] - 1) * data[0]' }],
    lands: 'return s;\n  }\n  return { loss',
  },
  {
    name: 'a factory returning an arrow; its derivative is a sibling `const`',
    src: `export function makeScaled(k: number) {
  /**
   * @differentiable
   * @at x = 0.7, k = 3
   * @gradient dScaled
   */
  const scaled = (x: number): number => k * Math.sin(x) * x;
  const dScaled = (x: number): number => $0;
  return scaled;
}`,
    fn: 'makeScaled.scaled', hand: 'makeScaled.dScaled',
    right: ['k * (Math.cos(x) * x + Math.sin(x))'],
    wrong: [{ kind: 'sign', at: 0, text: 'k * (Math.cos(x) * x - Math.sin(x))' }, { kind: 'factor', at: 0, text: 'Math.cos(x) * x + Math.sin(x)' }],
  },
  {
    name: '@gradient with a qualified name across tables',
    src: `export const derivatives = {
  tanh: (x: number): number => $0,
};
export const activations = {
  /**
   * @differentiable
   * @at x = 0.2
   * @gradient derivatives.tanh
   */
  tanh: (x: number): number => Math.tanh(x),
};`,
    fn: 'activations.tanh', hand: 'derivatives.tanh',
    right: ['1 - Math.tanh(x) ** 2'],
    wrong: [{ kind: 'sign', at: 0, text: 'Math.tanh(x) ** 2 - 1' }, { kind: 'factor', at: 0, text: '2 * (1 - Math.tanh(x) ** 2)' }],
  },
  {
    name: 'a curried arrow factory: the inner arrow tagged, `data` captured; its derivative another curried factory',
    src: `export const makeLoss = (data: number[]) =>
  /**
   * @differentiable
   * @at w = 0.3, data = [1, 2, 3]
   * @gradient makeLossGrad.returned
   */
  (w: number): number => (w * data[0] - 1) ** 2 + (w * data[1] - 1) ** 2 + (w * data[2] - 1) ** 2;

export const makeLossGrad = (data: number[]) => (w: number): number => {
  return 2 * ((w * data[0] - 1) * data[0] + (w * data[1] - 1) * data[1] + $0);
};`,
    fn: 'makeLoss.returned', hand: 'makeLossGrad.returned',
    right: ['(w * data[2] - 1) * data[2]'],
    wrong: [{ kind: 'index', at: 0, text: '(w * data[2] - 1) * data[1]' }, { kind: 'sign', at: 0, text: '(1 - w * data[2]) * data[2]' }],
    lands: 'return 2 * ((w',
  },
  {
    name: 'a curried factory returning a named function expression, reading a captured constant',
    src: `export const makeSpring = (k: number) => {
  const rest = 1;
  return (m: number) =>
    /**
     * @differentiable
     * @at x = 1.5, k = 2, m = 3
     * @gradient dEnergy
     */
    function energy(x: number): number { return 0.5 * k * (x - rest) ** 2 / m; };
};
export function dEnergy(x: number, m: number, k: number): number { return $0; }`,
    fn: 'makeSpring.returned.energy', hand: 'dEnergy',
    right: ['k * (x - 1) / m'],
    wrong: [{ kind: 'factor', at: 0, text: '0.5 * k * (x - 1) / m' }, { kind: 'sign', at: 0, text: 'k * (1 - x) / m' }],
  },
];

describe('engine: declaration forms, checked', () => {
  describeFormFixtures(FIXTURES);
});

describe('engine: implicit inputs (captured values, `this` fields)', () => {
  const spring = `export class Spring {
  k = 3;
  /**
   * @differentiable
   * @at x = 2
   */
  energy(x: number): number { return 0.5 * this.k * x * x; }
  /**
   * @differentiable
   * @wrt this.k
   * @at x = 2
   */
  energyByK(x: number): number { return 0.5 * this.k * x * x; }
}`;

  it('a field held at its initialiser is a constant; named by @wrt, it is differentiated and defaults to it', () => {
    const a = analyzeFile(spring);
    assert.deepEqual(a.diagnostics.map((d) => d.message), []);
    const [energy, byK] = a.functions;
    assert.deepEqual(energy.params, ['x', 'this.k']);
    assert.deepEqual(energy.wrt, ['x']);
    assert.equal(energy.value, 6);
    assert.deepEqual(energy.gradient, { x: 6 });
    assert.deepEqual(byK.wrt, ['this.k']);
    assert.deepEqual(byK.gradient, { 'this.k': 2 });
    assert.equal(byK.points[0]['this.k'], 3, 'the initialiser is the default');
  });

  it('@at gives a field another value', () => {
    const a = analyzeFile(spring.replace('@at x = 2\n   */\n  energy(', '@at x = 2, this.k = 10\n   */\n  energy('));
    assert.equal(a.functions[0].value, 20);
  });

  it('a field the class does not declare is a GL002 naming it', () => {
    const a = analyzeFile(`class M {\n  /**\n   * @differentiable\n   * @at x = 1\n   */\n  f(x: number): number { return this.missing * x; }\n}`);
    const d = a.diagnostics.find((x) => x.code === 'GL002');
    assert.ok(d);
    assert.match(d!.message, /The field 'this\.missing' \(it is not a field declared in the class or object\)/);
  });

  it('`this` in an arrow of a table is a GL002 (the arrow has no object of its own)', () => {
    const a = analyzeFile(`export const t = {\n  k: 2,\n  /** @differentiable */\n  f: (x: number): number => this.k * x,\n};`);
    assert.match(a.diagnostics.find((x) => x.code === 'GL002')!.message, /`this` in a function without an object of its own/);
  });

  it('a table method reads a numeric property through `this` (held at its value)', () => {
    const a = analyzeFile(`export const leaky = {\n  alpha: 0.1,\n  /**\n   * @differentiable\n   * @at x = -2\n   */\n  fn(x: number): number { return x > 0 ? x : this.alpha * x; },\n};`);
    assert.deepEqual(a.diagnostics.map((d) => d.message), []);
    assert.deepEqual(a.functions[0].gradient, { x: 0.1 });
  });

  it('a captured variable without @at is drawn like a parameter; the closure is checked', () => {
    const a = analyzeFile(`function make(c: number) {\n  /** @differentiable */\n  const f = (x: number): number => c * x * x;\n  const fGrad = (x: number): number => 2 * c * x;\n  return f;\n}`);
    assert.deepEqual(a.diagnostics.map((d) => d.message), []);
    assert.deepEqual(a.functions[0].params, ['x', 'c']);
    assert.deepEqual(a.functions[0].wrt, ['x']);
    assert.equal(a.functions[0].check?.status, 'ok');
  });

  it('a function calling local helpers it declares, which read its variables as they are at the call', () => {
    const src = `/**\n * @differentiable\n * @wrt x\n * @at x = [1, 2, 3], k = 2\n */\nexport function energy(x: number[], k: number): number {\n  const sq = (v: number): number => k * v * v;\n  function cube(v: number): number { return v * v * v; }\n  let s = 0;\n  for (let i = 0; i < x.length; i++) s += sq(x[i]) + cube(x[i]);\n  k = 100;\n  return s + sq(1);\n}\nexport function energyGrad(x: number[], k: number): number[] {\n  return x.map((v) => 2 * k * v + 3 * v * v);\n}`;
    const a = analyzeFile(src);
    assert.deepEqual(a.diagnostics.map((d) => d.message), []);
    assert.equal(a.functions[0].value, 2 * 14 + 36 + 100, 'sq(1) after k = 100 reads the new k, as JavaScript does');
    assert.equal(a.functions[0].check?.status, 'ok');
  });

  it('a call to a static method of another class that reads its fields is a GL002', () => {
    const a = analyzeFile(`class A {\n  static k = 2;\n  static s(x: number): number { return this.k * x; }\n}\nclass B {\n  /**\n   * @differentiable\n   * @at x = 1\n   */\n  static h(x: number): number { return A.s(x); }\n}`);
    const d = a.diagnostics.find((x) => x.code === 'GL002');
    assert.ok(d, JSON.stringify(a.diagnostics));
    assert.match(d!.message, /A call to 'A\.s', which reads 'this\.k' from its class/);
  });

  it('a static method calls a static method of another class by its name', () => {
    const a = analyzeFile(`class A {\n  k = 2;\n  static g(x: number): number { return x; }\n  f(x: number): number { return this.k * x; }\n}\nclass B {\n  /**\n   * @differentiable\n   * @at x = 1\n   */\n  static h(x: number): number { return A.g(x) * 2; }\n}`);
    assert.deepEqual(a.diagnostics.map((d) => d.message), []);
    assert.equal(a.functions[0].value, 2);
  });

  it('the cache misses when a field initialiser changes (it is outside the method text)', () => {
    const { AnalysisCache } = require('../../engine/analyzeFile') as typeof import('../../engine/analyzeFile');
    const cache = new AnalysisCache();
    assert.equal(analyzeFile(spring, {}, cache).functions[0].value, 6);
    assert.equal(analyzeFile(spring.replace('k = 3', 'k = 4'), {}, cache).functions[0].value, 8);
  });
});

describe('engine: qualified names and resolution', () => {
  it('names every form one way', () => {
    const program = parseProgram([
      'export const t = { a: { fn(x: number) { return x; } }, b: (x: number) => x };',
      'module.exports = { c: function (x: number) { return x; } };',
      'exports.d = (x: number) => x;',
      'module.exports.e = (x: number) => x;',
      'declare const Foo: any;',
      'Foo.prototype.f = function (x: number) { return x; };',
      'class M { g(x: number) { return x; } static h(x: number) { return x; } get k() { return 1; } l = (x: number) => x; }',
      'function outer(y: number) { function inner(x: number) { return x; } const arrow = (x: number) => x; return function made(x: number) { return x + y; }; }',
      'export default function (x: number) { return x; }',
      'const curried = (a: number) => (b: number) => (x: number) => a * b * x;',
      'const wrapped = (a: number) => ((x: number) => a * x);',
      'const named = (a: number) => function scaled(x: number) { return a * x; };',
    ].join('\n'));
    assert.deepEqual([...program.functions.keys()].sort(), [
      'Foo.f', 'M.g', 'M.h', 'M.k', 'M.l', 'curried', 'curried.returned', 'curried.returned.returned', 'default', 'exports.c', 'exports.d', 'exports.e',
      'named', 'named.scaled', 'outer', 'outer.arrow', 'outer.inner', 'outer.made', 't.a.fn', 't.b', 'wrapped', 'wrapped.returned',
    ]);
  });

  it('a curried factory\'s inner arrow captures the outer parameters, its JSDoc read inside parentheses too', () => {
    const text = 'export const makeLoss = (data: number[], c: number) => (\n  /**\n   * @differentiable\n   * @at w = 2, data = [1, 2], c = 0.5\n   */\n  (w: number): number => c * (w * data[0] + w * data[1])\n);\n';
    const a = analyzeFile(text);
    const f = a.functions.find((x) => x.name === 'makeLoss.returned');
    assert.ok(f, JSON.stringify(a.diagnostics.map((d) => d.message)));
    assert.equal(f.value, 3);
    assert.equal((f.gradient as Record<string, number>).w, 1.5);
    const program = parseProgram(text);
    assert.deepEqual(program.contextInputs(program.functions.get('makeLoss.returned')!).inputs.map((i) => i.name).sort(), ['c', 'data']);
    // Located as curried (no statement to place code beside), unlike a factory's `return function …`.
    assert.equal(locateFunction(text, 'makeLoss.returned')?.curried, true);
    assert.equal(locateFunction(FIXTURES[9].src, 'makeLoss.loss')?.curried, false);
  });

  it('a call of an instance method through its class (a TypeError in JavaScript) is not resolved', () => {
    const a = analyzeFile(`class M {\n  g(x: number): number { return x; }\n  /**\n   * @differentiable\n   * @at x = 1\n   */\n  static h(x: number): number { return M.g(x); }\n}`);
    assert.ok(a.diagnostics.some((d) => d.code === 'GL002'), JSON.stringify(a.diagnostics));
  });
});

describe('cli: check over a fixture of each kind', function () {
  this.timeout(120_000);
  const root = path.resolve(__dirname, '../../..');
  const cli = path.join(root, 'dist', 'cli.js');
  let tmp = '';
  before(function () {
    if (!fs.existsSync(cli)) {
      const built = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
      assert.equal(built.status, 0, built.stderr);
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-forms-'));
  });
  after(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

  for (const f of [FIXTURES[0], FIXTURES[3], FIXTURES[6], FIXTURES[9]]) {
    it(`${f.name}: exit 0 when right, 1 when wrong`, () => {
      const right = path.join(tmp, 'right.ts');
      const wrong = path.join(tmp, 'wrong.ts');
      fs.writeFileSync(right, fill(f.src, f.right));
      const parts = [...f.right];
      parts[f.wrong[0].at] = f.wrong[0].text;
      fs.writeFileSync(wrong, fill(f.src, parts));
      const ok = spawnSync(process.execPath, [cli, 'check', right], { encoding: 'utf8' });
      assert.equal(ok.status, 0, ok.stdout + ok.stderr);
      assert.ok(ok.stdout.includes(f.fn), ok.stdout);
      const bad = spawnSync(process.execPath, [cli, 'check', wrong], { encoding: 'utf8' });
      assert.equal(bad.status, 1, bad.stdout + bad.stderr);
      assert.match(bad.stdout, /GL001/);
    });
  }
});

describe('server: the insert action places generated code by form', () => {
  // Applies the edits, then analyses the result: the generated derivative must parse, be found
  // beside the function (paired by its name), and check ok against AD.
  const cases: InsertCase[] = [
    {
      name: 'a `derivative` property beside `fn` in a table',
      src: `export const activations = {\n  logistic: {\n    /**\n     * @differentiable\n     * @at x = 0.5\n     */\n    fn(x: number): number { return 1 / (1 + Math.exp(-x)); }\n  },\n};\n`,
      fn: 'activations.logistic.fn', hand: 'activations.logistic.derivative', placed: /\n    derivative\(x: number\): number \{/,
    },
    {
      name: 'a `derivative` property beside an arrow `fn` whose tag is the table\'s',
      src: `/**\n * @differentiable\n * @at x = 0.3\n */\nexport const curves = {\n  bump: { fn: (x: number): number => Math.exp(-x * x) },\n};\n`,
      fn: 'curves.bump.fn', hand: 'curves.bump.derivative', placed: /fn: \(x: number\): number => Math\.exp\(-x \* x\),\n  \/\*\*[\s\S]*\n  derivative\(x: number\): number \{/,
    },
    {
      name: 'a method beside the method, reading `this` fields',
      src: `export class Spring {\n  k = 3;\n  rest: number;\n  constructor(rest: number) { this.rest = rest; }\n  /**\n   * @differentiable\n   * @at x = 1.25, this.rest = 0.5\n   */\n  energy(x: number): number { return 0.5 * this.k * (x - this.rest) ** 2; }\n}\n`,
      fn: 'Spring.energy', hand: 'Spring.energyGrad', placed: /\n  energyGrad\(x: number\): number \{\n    const thisRest = this\.rest;/,
    },
    {
      name: 'a static method beside the static method',
      src: `export class Easing {\n  /**\n   * @differentiable\n   * @at t = 0.3\n   */\n  static inQuad(t: number): number { return t * t; }\n}\n`,
      fn: 'Easing.inQuad', hand: 'Easing.inQuadGrad', placed: /\n  static inQuadGrad\(t: number\): number \{/,
    },
    {
      name: 'a closure\'s gradient inside its factory, before the `return`',
      src: `export function makeLoss(data: number[]) {\n  /**\n   * @differentiable\n   * @at w = 0.3, data = [1, 2, 3]\n   */\n  return function loss(w: number): number {\n    let s = 0;\n    for (const d of data) s += (w * d - 1) ** 2;\n    return s;\n  };\n}\n`,
      fn: 'makeLoss.loss', hand: 'makeLoss.lossGrad', placed: /\n  function lossGrad\(w: number\): number \{[\s\S]*\n  \/\*\*\n   \* @differentiable/,
    },
    {
      name: 'a prototype assignment beside the assignment',
      src: `declare const Spring: any;\n/**\n * @differentiable\n * @at x = 0.4\n */\nSpring.prototype.energy = function (x: number): number { return 1.5 * x * x; };\n`,
      fn: 'Spring.energy', hand: 'Spring.energyGrad', placed: /\nSpring\.prototype\.energyGrad = function \(x: number\): number \{/,
    },
    {
      name: 'a CommonJS export beside the export',
      src: `/**\n * @differentiable\n * @at x = 0.4\n */\nexports.f = function (x: number): number { return Math.sin(x) * x; };\n`,
      fn: 'exports.f', hand: 'exports.fGrad', placed: /\nexports\.fGrad = function \(x: number\): number \{/,
    },
  ];
  itInsertsByForm(cases);
});

describe('server: fix and test actions on members', () => {
  const apply = (src: string, edits: { start: number; end: number; newText: string }[]): string => {
    let out = src;
    for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
    return out;
  };
  const wrongMethod = `export class Spring {\n  k = 3;\n  rest: number;\n  constructor(rest: number) { this.rest = rest; }\n  /**\n   * @differentiable\n   * @at x = 1.25, this.rest = 0.5\n   */\n  energy(x: number): number { return 0.5 * this.k * (x - this.rest) ** 2; }\n  energyGrad(x: number): number {\n    let g = 0;\n    for (let i = 0; i < 2; i++) g += this.k * (x + this.rest);\n    return g / 2;\n  }\n}\n`;

  it('a wrong derivative method is fixed in place and then agrees', () => {
    const { fixEdits } = require('../../server/codeEdits') as typeof import('../../server/codeEdits');
    const before = analyzeFile(wrongMethod);
    const fa = before.functions[0];
    assert.equal(fa.check?.status, 'wrong');
    const logs: string[] = [];
    const edits = fixEdits(wrongMethod, 'Spring.energy', fa, (m) => logs.push(m));
    assert.ok(edits, logs.join('\n'));
    const out = apply(wrongMethod, edits!);
    assert.match(out, /\n  energyGrad\(x: number\): number \{/);
    const after = analyzeFile(out);
    assert.equal(after.functions[0].check?.status, 'ok', out);
  });

  it('a gradient-check test is offered for a table function (called by its qualified name), not for a method', () => {
    const { testEdits } = require('../../server/codeEdits') as typeof import('../../server/codeEdits');
    const table = `export const activations = {\n  logistic: {\n    /**\n     * @differentiable\n     * @at x = 0.5\n     */\n    fn(x: number): number { return 1 / (1 + Math.exp(-x)); },\n    derivative(x: number): number { const s = this.fn(x); return s * (1 - s); },\n  },\n};\n`;
    const edits = testEdits(table, 'activations.logistic.fn', analyzeFile(table).functions[0], () => undefined);
    assert.ok(edits);
    const out = apply(table, edits!);
    assert.match(out, /activations\.logistic\.fn\(/);
    assert.match(out, /activations\.logistic\.derivative\(/);
    assert.match(out, /export function activationsLogisticFnGradientCheck\(\)/);
    const logs: string[] = [];
    assert.equal(testEdits(wrongMethod, 'Spring.energy', analyzeFile(wrongMethod).functions[0], (m) => logs.push(m)), null);
    assert.match(logs[0], /cannot call on its own/);
  });
});
