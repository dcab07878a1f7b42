// One home for the check-point grammar (engine/pointGrammar.ts): the `@at` tag, the CLI's `--at`
// flag, the graph view's point picker and the engine's API read the same table of inputs to the
// same points, or refuse them with the same message.

import * as assert from 'node:assert/strict';
import { parsePoint as cliParsePoint, UsageError } from '../../cli/args';
import { analyzeFile } from '../../engine';
import { parseAnnotations } from '../../engine/annotations';
import type { Point } from '../../engine/api';
import { parsePoint, readPoint, readPointValue } from '../../engine/pointGrammar';

/** Points, written with their entries in order (an object literal would take `__proto__` as the prototype). */
const VALID: [string, [string, number | number[]][]][] = [
  ['x = 1.5, y = -0.25', [['x', 1.5], ['y', -0.25]]],
  ['x=1,y=-2.5e-3, w = [1, -2,3e2]', [['x', 1], ['y', -0.0025], ['w', [1, -2, 300]]]],
  ['x = Math.PI / 2', [['x', Math.PI / 2]]],
  ['x = -Math.PI/4; y = 2 * π', [['x', -Math.PI / 4], ['y', 2 * Math.PI]]],
  ['a = Math.E, b = Infinity, c = -Infinity, d = +.5, e = 1e-3 * 2, f = - -3, g = 5.', [['a', Math.E], ['b', Infinity], ['c', -Infinity], ['d', 0.5], ['e', 0.002], ['f', 3], ['g', 5]]],
  ['w = []', [['w', []]]],
  ['w = [Math.PI / 2, -1, 3 * 2, π]', [['w', [Math.PI / 2, -1, 6, Math.PI]]]],
  ['x: 1, y: [2]', [['x', 1], ['y', [2]]]],
  ['  x  =  1  ,  y=2  ', [['x', 1], ['y', 2]]],
  ['constructor = 1, __proto__ = [2], toString = 3, hasOwnProperty = 4', [['constructor', 1], ['__proto__', [2]], ['toString', 3], ['hasOwnProperty', 4]]],
  ['$a = 1, _b = 2', [['$a', 1], ['_b', 2]]],
];

/** Inputs refused, with the grammar's message. */
const INVALID: [string, string][] = [
  ['', 'empty point: no values given'],
  ['   ', 'empty point: no values given'],
  ['x=abc', "the value of 'x' is not a number: 'abc'"],
  ['x=1,x=2', "'x' is given twice"],
  ['constructor = 1, constructor = 2', "'constructor' is given twice"],
  ['w=[1,2', "unbalanced brackets: the '[' of 'w' is not closed"],
  ['x = 1]', "unbalanced brackets: a ']' without its '['"],
  ['w=[1,a]', "'a' in the value of 'w' is not a number"],
  ['w=[1,]', "'' in the value of 'w' is not a number"],
  ['w = [1 2]', "expected ',' or ']' in the value of 'w' at '2]'"],
  ['w = [[1]', "unbalanced brackets: the '[' of 'w' is not closed"],
  ['1=2', "expected name=value at '1=2'"],
  ['x = 1,', "expected name=value at end"],
  ['x', "expected '=' after 'x'"],
  ['x = 1 2', "expected ',' at '2'"],
  ['x = 1 * 2 * 3', "expected ',' at '* 3'"],
  ['x = 2 ** 3', "the value of 'x' is not a number: '2 ** 3'"],
  ['x = Math.EPSILON', "the value of 'x' is not a number: 'Math.EPSILON'"],
  ['x = NaN', "the value of 'x' is not a number: 'NaN'"],
  ['x = 1x', "the value of 'x' is not a number: '1x'"],
  ['x = 1.2.3', "the value of 'x' is not a number: '1.2.3'"],
  ['x = ', "the value of 'x' is not a number: ''"],
  ['x = averyveryverylongwordindeed', "the value of 'x' is not a number: 'averyveryverylon…'"],
];

/** Through the `@at` tag of a JSDoc block: the point, or the grammar's message out of the GL005. */
function viaAt(input: string): Point | string {
  const doc = `/**\n * @differentiable\n * @at ${input}\n */`;
  const { annotations, diagnostics } = parseAnnotations(doc, 0, doc.length, 'f');
  if (diagnostics.length === 0) return annotations.at[0];
  assert.equal(diagnostics.length, 1);
  const m = /^Malformed @at: (.*)\. Write `@at x = 1\.5, w = \[0\.1, -2, 3\]`\.$/s.exec(diagnostics[0].message);
  assert.ok(m, diagnostics[0].message);
  return m[1];
}

/** Through the CLI's `--at`: the point, or the grammar's message out of the UsageError. */
function viaCli(input: string): Point | string {
  try {
    return cliParsePoint(input);
  } catch (e) {
    assert.ok(e instanceof UsageError, String(e));
    const m = /^--at: (.*) \(write the point as x=1,y=2,w=\[1,2\]\)$/s.exec(e.message);
    assert.ok(m, e.message);
    return m[1];
  }
}

function entries(p: Point | string): unknown {
  if (typeof p === 'string') return p;
  assert.equal(Object.getPrototypeOf(p), Object.prototype, 'a name never sets the prototype');
  return Object.entries(p);
}

describe('conventions: one check-point grammar', () => {
  for (const [input, expected] of VALID) {
    it(`reads ${JSON.stringify(input)} alike through the API, @at and --at`, () => {
      const api = readPoint(input);
      assert.ok(api.ok, JSON.stringify(api));
      assert.deepEqual(entries(api.point), expected);
      for (const p of [parsePoint(input), viaAt(input), viaCli(input)]) assert.deepEqual(entries(p), expected);
      // The point picker reads each value on its own, with the same grammar.
      for (const [name, v] of expected) {
        const field = readPointValue(Array.isArray(v) ? `[${v.map(String).join(', ')}]` : String(v), name);
        assert.deepEqual(field, { ok: true, value: v });
      }
    });
  }

  for (const [input, message] of INVALID) {
    it(`refuses ${JSON.stringify(input)} alike: ${message}`, () => {
      const api = readPoint(input);
      assert.ok(!api.ok);
      assert.equal(api.message, message);
      assert.ok(api.offset >= 0 && api.offset <= input.length);
      for (const m of [parsePoint(input), viaAt(input), viaCli(input)]) assert.equal(m, message);
    });
  }

  it('the point picker: a field holds one value, an array field its elements without brackets', () => {
    assert.deepEqual(readPointValue('Math.PI / 2', 'x'), { ok: true, value: Math.PI / 2 });
    assert.deepEqual(readPointValue('1, -2, 3 * π', 'w', true), { ok: true, value: [1, -2, 3 * Math.PI] });
    assert.deepEqual(readPointValue('[1, 2]', 'w', true), { ok: true, value: [1, 2] });
    assert.deepEqual(readPointValue('', 'w', true), { ok: true, value: [] });
    assert.deepEqual(readPointValue('abc', 'y'), { ok: false, message: "the value of 'y' is not a number: 'abc'", offset: 0 });
    assert.deepEqual(readPointValue('1, a', 'w', true), { ok: false, message: "'a' in the value of 'w' is not a number", offset: 3 });
    assert.equal((readPointValue('1 2', 'x') as { message: string }).message, "the value of 'x' is not a number: '1 2'");
  });

  it('an @at point is the check point of the analysis', () => {
    const text = '/**\n * @differentiable\n * @at x = Math.PI / 2, constructor = [1, 2]\n */\nfunction f(x: number, constructor: number[]): number {\n  return Math.sin(x) * constructor[0];\n}\n';
    const fa = analyzeFile(text).functions[0];
    assert.equal(fa.points.length, 1);
    assert.deepEqual(Object.entries(fa.points[0]), [['x', Math.PI / 2], ['constructor', [1, 2]]]);
    assert.ok(Math.abs(fa.value as number - 1) < 1e-12);
  });

  it('is linear in the text: long inputs through every path', () => {
    const n = 200_000;
    const inputs = [
      `w = [${'1, '.repeat(n)}2]`,
      `w = [${'1,'.repeat(n)}`,
      `x = ${' '.repeat(n)}1`,
      `x = ${'1'.repeat(n)}x`,
      `x = ${'-'.repeat(n)}1`,
      `x = 1${' '.repeat(n)}2`,
      `${'a'.repeat(n)} 1`,
      Array.from({ length: n / 10 }, (_, i) => `p${i} = ${i}`).join(', '),
    ];
    for (const input of inputs) {
      const t = process.hrtime.bigint();
      const r = readPoint(input);
      if (!r.ok) assert.ok(r.message.length < 200, `a message quotes a bounded part of the text: ${r.message.slice(0, 300)}`);
      viaAt(input);
      viaCli(input);
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      assert.ok(ms < 1500, `${ms.toFixed(0)} ms for ${JSON.stringify(input.slice(0, 40))}…`);
    }
  });
});
