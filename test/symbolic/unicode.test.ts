import * as assert from 'node:assert/strict';
import { parseProgram } from '../../engine/program';
import { closedFormInfo, closedFormUnicode } from '../../engine/symbolic';
import { fnProgram, partialsUnicode } from './helpers';

// The hover's closed forms: per parameter, the partial derivative as a textbook would write it.
const CASES: [string, string, string, string[]][] = [
  ['Rosenbrock', 'x: number, y: number', '(1 - x) ** 2 + 100 * (y - x * x) ** 2', ['−2(1 − x) − 400x(y − x²)', '200(y − x²)']],
  ['a cube', 'x: number', 'x * x * x', ['3x²']],
  ['a product', 'x: number, y: number', 'Math.pow(x, 3) * y', ['3x²y', 'x³']],
  ['a quotient', 'x: number, y: number', 'x / y', ['1/y', '−x/y²']],
  ['a reciprocal square', 'x: number', '1 / (x * x)', ['−2/x³']],
  ['a third', 'x: number', 'x / 3 + 1', ['1/3']],
  ['sin · cos', 'x: number', 'Math.sin(x) * Math.cos(x)', ['cos(x)² − sin(x)²']],
  ['a Gaussian', 'x: number', 'Math.exp(-x * x)', ['−2x·exp(−x²)']],
  ['ln', 'x: number', 'Math.log(x)', ['1/x']],
  ['√', 'x: number', 'Math.sqrt(x)', ['1/(2√x)']],
  ['∛', 'x: number', 'Math.cbrt(x)', ['1/(3(∛x)²)']],
  ['log₂ and log₁₀', 'x: number, y: number', 'Math.log2(x) + Math.log10(y)', ['1/(x ln 2)', '1/(y ln 10)']],
  ['atan2', 'x: number, y: number', 'Math.atan2(y, x)', ['−y/(x² + y²)', 'x/(x² + y²)']],
  ['arcsin and arccos', 'x: number, y: number', 'Math.asin(x) + Math.acos(y)', ['1/√(1 − x²)', '−1/√(1 − y²)']],
  ['arctan of a product', 'x: number, y: number', 'Math.atan(x * y)', ['y/(x²y² + 1)', 'x/(x²y² + 1)']],
  ['tanh', 'x: number, y: number', 'Math.tanh(x * y)', ['y(1 − tanh(xy)²)', 'x(1 − tanh(xy)²)']],
  ['|x − y|', 'x: number, y: number', 'Math.abs(x - y)', ['sgn(x − y)', '−sgn(x − y)']],
  ['max', 'x: number, y: number', 'Math.max(x, y)', ['(sgn(x − y) + 1)/2', '(1 − sgn(x − y))/2']],
  ['x^y', 'x: number, y: number', 'x ** y', ['y·x^(y − 1)', 'x^y·ln(x)']],
  ['sin(πx)', 'x: number', 'Math.sin(Math.PI * x)', ['π·cos(πx)']],
  ['a tuple', 'w: [number, number, number]', 'w[0] * w[1] + w[2] * w[2]', ['w₁', 'w₀', '2w₂']],
  ['long names', 'rate: number, time: number', 'Math.exp(-rate * time)', ['−time·exp(−rate·time)', '−rate·exp(−rate·time)']],
];

describe('symbolic: Unicode closed forms for the hover', () => {
  for (const [what, params, body, expected] of CASES) {
    it(`${what}: ${expected.join(' ; ')}`, () => {
      assert.deepEqual(partialsUnicode(fnProgram(body, params)), expected);
    });
  }

  it('closedFormUnicode labels each partial by parameter (array elements as w[i]) in @wrt order', () => {
    const program = parseProgram(`/**
 * @differentiable
 * @wrt y, w
 */
function f(x: number, y: number, w: [number, number]): number {
  return x * y + w[0] * w[1] * y;
}
`);
    assert.deepEqual(closedFormUnicode(program, 'f'), [
      { param: 'y', unicode: 'w₀w₁ + x' },
      { param: 'w[0]', unicode: 'w₁y' },
      { param: 'w[1]', unicode: 'w₀y' },
    ]);
  });

  it('uses U+2212 for minus, never a hyphen', () => {
    for (const [, params, body] of CASES) {
      for (const s of partialsUnicode(fnProgram(body, params))) assert.doesNotMatch(s, /-/);
    }
  });

  it('gives null beyond the length limit, where the formula would not be readable', () => {
    const body = Array.from({ length: 12 }, (_, i) => `Math.sin(${i + 1} * x + Math.cos(y * ${i + 2}))`).join(' * ');
    const program = fnProgram(body);
    assert.equal(closedFormUnicode(program, 'f'), null);
    const info = closedFormInfo(program, 'f');
    assert.equal(info.unicode, null);
  });

  it('when inline is too long, names the function\'s own locals (all partials alike)', () => {
    const program = fnProgram(`const ex = l1 * Math.cos(theta1) + l2 * Math.cos(theta1 + theta2) - tx;
  const ey = l1 * Math.sin(theta1) + l2 * Math.sin(theta1 + theta2) - ty;
  return 0.5 * (ex * ex + ey * ey);`, 'theta1: number, theta2: number, l1: number, l2: number, tx: number, ty: number', '@wrt theta1, theta2');
    assert.deepEqual(closedFormUnicode(program, 'f'), [
      { param: 'theta1', unicode: 'l2·ey·cos(theta1 + theta2) + l1·ey·cos(theta1) − l2·ex·sin(theta1 + theta2) − l1·ex·sin(theta1)' },
      { param: 'theta2', unicode: 'l2·ey·cos(theta1 + theta2) − l2·ex·sin(theta1 + theta2)' },
    ]);
  });

  it('closedFormInfo gives the formulas and availability from one differentiation', () => {
    const info = closedFormInfo(fnProgram('(1 - x) ** 2 + 100 * (y - x * x) ** 2'), 'f');
    assert.equal(info.available, true);
    assert.equal(info.reason, null);
    assert.deepEqual(info.unicode, [{ param: 'x', unicode: '−2(1 − x) − 400x(y − x²)' }, { param: 'y', unicode: '200(y − x²)' }]);
  });
});
