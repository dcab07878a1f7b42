// Real code as it is written. The declaration forms of real code are analysed under qualified
// names (engine/declarationForms.ts; forms.test.ts checks each). Never silent: a `@differentiable`
// on any declaration form the engine still does not analyse gets a GL005 on its tag naming the form and what to do, and counts as a function
// not analysed (FileAnalysis.skipped: the CLI lists and counts it, the status bar counts it).
// Module constants computed at load, `Number.*` constants and the `isFinite`/`isNaN` predicates
// evaluate exactly as JavaScript does.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import ts from 'typescript';
import { numberAlgebra } from '../../engine/algebra';
import { analyzeFile } from '../../engine/analyzeFile';
import { Differentiator } from '../../engine/differentiate';
import { Interpreter, Value } from '../../engine/evaluate';
import { parseProgram } from '../../engine/program';
import { runCheck, renderCheck } from '../../cli/check';
import { palette } from '../../cli/format';
import { fileStatus } from '../../server/server';

const TAG = '/** @differentiable */';

interface FormCase {
  name: string;
  src: string;
  /** The form, as the message names it. */
  form: RegExp;
  /** The suggested top-level name, or advice, as the message gives it. */
  advice: RegExp;
  /** The skipped entry's name. */
  skipped: string;
}

/** Forms analysed since issue 13 (engine/declarationForms.ts), under their qualified names. */
const ANALYSED: { name: string; src: string; analysed: string }[] = [
  {
    name: 'a method of an object literal (the activation table of the issue)',
    src: [
      'export const activations = {',
      '  logistic: {',
      `    ${TAG}`,
      '    fn(x: number): number { return 1 / (1 + Math.exp(-x)); },',
      '    derivative(x: number): number { const s = 1 / (1 + Math.exp(-x)); return s * (1 - s); },',
      '  },',
      '};',
    ].join('\n'),
    analysed: 'activations.logistic.fn',
  },
  { name: 'a function-valued property of an object literal', src: `export const activations = {\n  ${TAG}\n  relu: (x: number): number => Math.max(0, x),\n};`, analysed: 'activations.relu' },
  { name: 'a class method', src: `class Model {\n  ${TAG}\n  loss(w: number): number { return w * w; }\n}`, analysed: 'Model.loss' },
  { name: 'a function nested in another function', src: `function outer(a: number): number {\n  ${TAG}\n  function inner(x: number): number { return x * x; }\n  return inner(a);\n}`, analysed: 'outer.inner' },
  { name: 'an arrow function nested in another function', src: `const outer = (a: number): number => {\n  ${TAG}\n  const inner = (x: number) => x * x;\n  return inner(a);\n};`, analysed: 'outer.inner' },
  { name: 'module.exports = { … }', src: `module.exports = {\n  ${TAG}\n  square: (x: number) => x * x,\n};`, analysed: 'exports.square' },
  { name: 'exports.f = function …', src: `${TAG}\nexports.square = function (x: number) { return x * x; };`, analysed: 'exports.square' },
  { name: 'Foo.prototype.f = function …', src: `declare const Foo: any;\n${TAG}\nFoo.prototype.energy = function (x: number) { return x * x; };`, analysed: 'Foo.energy' },
  { name: 'module.exports = function …', src: `${TAG}\nmodule.exports = function (x: number) { return x * x; };`, analysed: 'module.exports' },
  { name: 'a method of an object literal a function returns', src: `function factory(k: number) {\n  return {\n    ${TAG}\n    f(x: number): number { return k * x; },\n  };\n}`, analysed: 'factory.f' },
  { name: 'a callback at the top level, named by its string key', src: `declare function register(name: string, f: (t: number) => number): void;\nregister('ease-in', ${TAG} (t: number) => t * t);`, analysed: 'easeIn' },
];

describe('engine: declaration forms that are analysed', () => {
  for (const c of ANALYSED) {
    it(c.name, () => {
      const a = analyzeFile(c.src);
      assert.deepEqual(a.diagnostics.filter((d) => d.code === 'GL005'), []);
      assert.deepEqual(a.skipped, []);
      assert.deepEqual(a.functions.map((f) => f.name), [c.analysed]);
      assert.ok(a.functions[0].gradient !== null, 'a gradient');
      assert.equal(fileStatus('file:///x.ts', a).skipped, 0);
    });
  }
});

const FORMS: FormCase[] = [
  {
    name: 'a shorthand property of an object literal',
    src: `function relu(x: number): number { return Math.max(0, x); }\nexport const table = {\n  ${TAG}\n  relu,\n};`,
    form: /a shorthand property \('relu'\) of an object literal/, advice: /declaration of 'relu'/, skipped: 'table.relu',
  },
  {
    name: 'an accessor of an object literal',
    src: `export const table = {\n  ${TAG}\n  get half(): number { return 0.5; },\n};`,
    form: /an accessor of an object literal/, advice: /`function half\(…\)/, skipped: 'table.half',
  },
  {
    name: 'a class constructor',
    src: `class Model {\n  ${TAG}\n  constructor(w: number) {}\n}`,
    form: /a class constructor \(of class 'Model'\)/, advice: /`this`/, skipped: 'Model.constructor',
  },
  {
    name: 'a callback passed to a call',
    src: `function outer(xs: number[]): number[] {\n  return xs.map(\n    ${TAG}\n    (x) => x * x);\n}`,
    form: /a callback \(a function passed to a call\) in 'outer'/, advice: /`const f = \(…\) => …`/, skipped: 'outer.(callback)',
  },
  {
    name: 'a callback with its tag on the same line',
    src: `function outer(xs: number[]): number[] {\n  return xs.map(${TAG} (x) => x * x);\n}`,
    form: /a callback \(a function passed to a call\) in 'outer'/, advice: /pass `f` to the call/, skipped: 'outer.(callback)',
  },
  {
    name: 'a method of an object literal held in a local of a function',
    src: `function factory() {\n  const api = {\n    ${TAG}\n    f(x: number): number { return x; },\n  };\n  return api;\n}`,
    form: /a method of an object literal/, advice: /top-level function/, skipped: 'api.f',
  },
  {
    name: 'a callback at the top level with neither a name nor a string key',
    src: `declare function register(f: (t: number) => number): void;\nregister(${TAG} (t: number) => t * t);`,
    form: /a callback passed to `register\(…\)` with neither a name nor a string key/, advice: /Name the function/, skipped: 'register(…)',
  },
  {
    name: 'a variable whose value is not a function literal',
    src: `declare function compose(a: number, b: number): (x: number) => number;\n${TAG}\nconst h = compose(1, 2);`,
    form: /a variable whose value is not a function literal \('h'\)/, advice: /`const h = \(…\) => …`/, skipped: 'h',
  },
  {
    name: 'an overload signature',
    src: `${TAG}\nfunction sq(x: number): number;\nfunction sq(x: number): number { return x * x; }`,
    form: /an overload signature of 'sq'/, advice: /the implementation/, skipped: 'sq',
  },
  {
    name: 'a JSDoc block before no declaration',
    src: `function f(x: number): number { return x; }\n${TAG}\n`,
    form: /a JSDoc block that precedes no declaration/, advice: /right before the function/, skipped: '(no declaration)',
  },
];

describe('engine: a @differentiable is never silent', () => {
  for (const c of FORMS) {
    it(c.name, () => {
      const a = analyzeFile(c.src);
      const gl005 = a.diagnostics.filter((d) => d.code === 'GL005');
      assert.equal(gl005.length, 1, JSON.stringify(a.diagnostics));
      const d = gl005[0];
      // On the tag itself.
      assert.equal(c.src.slice(d.range.start, d.range.end), '@differentiable');
      assert.match(d.message, c.form);
      assert.match(d.message, c.advice);
      assert.equal(d.severity, 'error');
      assert.deepEqual(a.skipped.map((s) => s.name), [c.skipped]);
      assert.match(a.skipped[0].reason, c.form);
      assert.doesNotMatch(a.skipped[0].reason, /syntax error/, 'not carried over as a mid-edit function');
      // The status bar counts it.
      assert.equal(fileStatus('file:///x.ts', a).skipped, 1);
      assert.equal(fileStatus('file:///x.ts', a).text, '∇ 0 functions · 1 not analysed');
    });
  }

  it('the analysed functions get no such diagnostic, beside an unanalysed one', () => {
    const src = `${TAG}\nfunction f(x: number): number { return x * x; }\n/** @differentiable @at x = 1 */\nconst g = (x: number): number => x;\nclass C {\n  ${TAG}\n  constructor(x: number) {}\n  ${TAG}\n  m(x: number): number { return f(x); }\n}`;
    const a = analyzeFile(src);
    assert.deepEqual(a.functions.map((f) => f.name), ['f', 'g', 'C.m']);
    assert.deepEqual(a.diagnostics.filter((d) => d.code === 'GL005').map((d) => src.slice(0, d.range.start).split('\n').length), [6]);
    assert.deepEqual(a.skipped.map((s) => s.name), ['C.constructor']);
  });

  it('says nothing new while the text does not parse (the parser reports it)', () => {
    const src = `function outer(a: number): number {\n  ${TAG}\n  function inner(x: number): number { return x * (x + ; }\n`;
    assert.deepEqual(analyzeFile(src).diagnostics.filter((d) => d.code === 'GL005'), []);
  });

  it('finds the tags in one linear walk (a 20,000-member object literal)', () => {
    const members = Array.from({ length: 20_000 }, (_, i) => `  ${i % 100 === 0 ? TAG : '/** doc */'}\n  get m${i}(): number { return ${i}; },`);
    const src = `export const table = {\n${members.join('\n')}\n};\n`;
    const t0 = performance.now();
    const a = analyzeFile(src);
    assert.equal(a.skipped.length, 200);
    assert.ok(performance.now() - t0 < 5_000);
  });

  it('the CLI lists each one as not analysed and counts them in its summary', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-never-silent-'));
    try {
      fs.writeFileSync(path.join(tmp, 'activations.ts'), FORMS[1].src + '\n' + FORMS[2].src + '\n');
      const result = runCheck(['activations.ts'], { cwd: tmp, options: {} });
      assert.equal(result.summary.notAnalysed, 2);
      assert.equal(result.failed, false);
      const text = renderCheck(result, palette(false));
      assert.match(text, /table\.half \(2:7\)\s+not analysed: @differentiable on an accessor of an object literal/);
      assert.match(text, /Model\.constructor \(6:7\)\s+not analysed: @differentiable on a class constructor/);
      assert.match(text, /0 @differentiable functions \(2 more not analysed\)/);
      assert.match(text, /GL005 ×2/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

/** What JavaScript computes for `expr` at load, with `earlier` constants declared before it. */
function jsValue(earlier: string, expr: string): number {
  const js = ts.transpileModule(`${earlier}\nconst K = ${expr};\nresult = K;`, { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
  const ctx: { result?: number } = { result: undefined };
  vm.runInNewContext(js, ctx);
  return ctx.result!;
}

describe('engine: module constants computed at load', () => {
  const earlier = 'const A = 2.5;\nconst B = -A * 3;';
  const exprs = [
    'Math.sqrt(2 * Math.PI)', '1 / Math.sqrt(2 * Math.PI)', 'Math.log(2) / Math.LN10', 'Math.exp(-A) ** 2 % 0.3',
    'Math.max(1, A, B, 2)', 'Math.min(B, -0, 0)', 'Math.max(0, -0)', 'Math.hypot(3, 4)', 'Math.hypot(B)', 'Math.atan2(A, B)',
    'Math.pow(A, 0.5) - Math.cbrt(B)', 'Math.floor(B) + Math.round(-2.5) + Math.trunc(-A) + Math.sign(B)', 'Math.log1p(Number.EPSILON)',
    'Number.EPSILON', 'Number.MAX_VALUE', 'Number.MIN_VALUE', 'Number.MAX_SAFE_INTEGER', 'Number.MIN_SAFE_INTEGER',
    'Number.POSITIVE_INFINITY', 'Number.NEGATIVE_INFINITY', 'Number.NaN', 'Number.MAX_VALUE * 2', '-Infinity / 0',
    'Math.sqrt(-1)', 'NaN + 1', '(A + B) as number', 'Math.tanh(A) * Math.acosh(A) + Math.asinh(B) + Math.expm1(1e-10)',
    'Math.log2(8) + Math.log10(1e-3) + Math.sinh(1) - Math.cosh(1)', 'Math.fround(0.1)', 'Math.fround(A / 3)',
  ];
  for (const expr of exprs) {
    it(`const K = ${expr}`, () => {
      const program = parseProgram(`${earlier}\nconst K = ${expr};\n`);
      const got = program.constants.get('K');
      const want = jsValue(earlier, expr);
      assert.ok(got !== undefined, 'evaluated');
      assert.ok(Object.is(got, want), `${got} vs JavaScript's ${want}`);
    });
  }

  it('leaves alone what is not a pure numeric expression', () => {
    const program = parseProgram('declare function g(): number;\nconst P = g();\nconst Q = Math.random();\nconst R = Math.sin(1, 2);\nconst S = Math.hypot(1, 2, 3);\nconst T = Number.parseFloat("1");\nconst U = "1" + 2;\nlet V = 3;\nV = 4;\n');
    for (const k of ['P', 'Q', 'R', 'S', 'T', 'U', 'V']) assert.equal(program.constants.get(k), undefined, k);
  });

  it('a constant computed at load is used inside a differentiable function', () => {
    const src = `const SQRT2PI = Math.sqrt(2 * Math.PI);\n/**\n * @differentiable\n * @at x = 0.3\n */\nfunction pdf(x: number): number { return Math.exp(-0.5 * x * x) / SQRT2PI; }`;
    const a = analyzeFile(src);
    assert.deepEqual(a.diagnostics, []);
    const x = 0.3;
    const want = -x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    const got = a.functions[0].gradient!.x as number;
    assert.ok(Math.abs(got - want) <= 1e-15 * Math.abs(want), `${got} vs ${want}`);
  });
});

describe('engine: isFinite, isNaN and Number.* on special values', () => {
  const src = [
    'function f(x: number): number {',
    '  let code = 0;',
    '  if (isNaN(x)) code += 1;',
    '  if (isFinite(x)) code += 2;',
    '  if (Number.isNaN(x)) code += 4;',
    '  if (Number.isFinite(x)) code += 8;',
    '  if (Number.isFinite(x * 1e308)) code += 16;',
    '  if (isNaN(x - x)) code += 32;',
    '  if (x < Number.POSITIVE_INFINITY && x > Number.NEGATIVE_INFINITY) code += 64;',
    '  if (Math.abs(x) >= Number.MIN_VALUE && Math.abs(x) <= Number.MAX_VALUE) code += 128;',
    '  if (Math.abs(x) < Number.EPSILON) code += 256;',
    '  return code + x * 0.5;',
    '}',
  ].join('\n');
  const program = parseProgram(src);
  const lowered = program.lower('f')!;
  const js = ts.transpileModule(src + '\nresult = f;', { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
  const ctx: { result?: (x: number) => number } = {};
  vm.runInNewContext(js, ctx);
  for (const x of [0, -0, 1.5, -2, 1e-300, 5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity, NaN, 1e-17]) {
    it(`at x = ${Object.is(x, -0) ? '-0' : x}: as JavaScript`, () => {
      assert.deepEqual(lowered.diagnostics, []);
      const got = new Interpreter(numberAlgebra, program, 1e6).run(lowered.fn, [x as Value<number>]) as number;
      assert.ok(Object.is(got, ctx.result!(x)), `${got} vs JavaScript's ${ctx.result!(x)}`);
    });
  }

  it('the predicates differentiate as constants (derivative 0), in every mode, with no tied branch', () => {
    for (const x of [0.75, -3]) {
      const d = new Differentiator(program, lowered.fn, ['x'], { x }, 1e6);
      assert.deepEqual(d.reverse().jacobian, [[0.5]]);
      assert.deepEqual(d.forward().jacobian, [[0.5]]);
      assert.deepEqual(d.complexStep(), [[0.5]]);
    }
    const a = analyzeFile(`/**\n * @differentiable\n * @at x = 0.75\n */\n${src}`);
    assert.deepEqual(a.diagnostics.map((d) => d.message), []);
  });
});
