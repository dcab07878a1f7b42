// User rules (`@derivative`, engine/userRules.ts): one meaning in the analysis and in every code
// generator. A rule helper with an array parameter, one with `@wrt` holding a parameter constant,
// one over numbers, a rule of a reassigned variable: the analysis's gradient, the reverse-mode
// code, the JVP and the Hessian agree (the Hessian differentiates the rule itself, as the exact
// second derivative where the rule is the exact first one).

import * as assert from 'assert';
import { generateDerivative } from '../../engine/codegen/generate';
import { gradientAt } from '../../engine/queries';
import { parseProgram } from '../../engine/program';
import { helperDependsOn, ruleEntries, rulePartials } from '../../engine/userRules';
import { checkAllModes } from './roundTrip';

const HELPERS = `/**
 * Σ w[i]², through its rule.
 * @derivative sumSqD
 */
export function sumSq(w: number[]): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    s += w[i] * w[i];
  }
  return s;
}

export function sumSqD(w: number[]): number[] {
  return w.map((v) => 2 * v);
}

/**
 * Σ c·exp(w[i]), a rule over w only: c is held constant.
 * @wrt w
 * @derivative scaledExpD
 */
export function scaledExp(w: number[], c: number): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    s += c * Math.exp(w[i]);
  }
  return s;
}

export function scaledExpD(w: number[], c: number): number[] {
  return w.map((v) => c * Math.exp(v));
}

/**
 * a·sin(b), a rule over two numbers.
 * @derivative waveD
 */
export function wave(a: number, b: number): number {
  return a * Math.sin(b);
}

export function waveD(a: number, b: number): number[] {
  return [Math.sin(b), a * Math.cos(b)];
}
`;

describe('codegen: one meaning of @derivative rules (engine/userRules.ts)', function () {
  this.timeout(120_000);

  it('a rule helper with an array parameter: analysis, reverse, JVP and Hessian agree', () => {
    const src = `${HELPERS}
/** @differentiable */
export function f(x: number[], y: number): number {
  const a = sumSq(x);
  return a * y + Math.sin(a);
}
`;
    checkAllModes({ src, fn: 'f', point: { x: [0.3, -0.2, 0.5], y: 0.7 } });
    // the JVP differentiates through the rule, not through the helper's body
    const jvp = generateDerivative(src, 'f', 'jvp').generated!.code;
    assert.match(jvp, /const gSumSq = sumSqD\(x\);/, jvp);
    assert.doesNotMatch(jvp, /sumSqJvp/, jvp);
  });

  it('a rule over an array with @wrt (a parameter held constant), an array literal argument, a rule over numbers', () => {
    const src = `${HELPERS}
/** @differentiable */
export function f(x: number[], y: number): number {
  const a = sumSq(x);
  let b = scaledExp(x, 2) * y;
  b = b + sumSq([y, a]) + wave(a, y * x[1]);
  return a * y + Math.sin(a) + b;
}
`;
    checkAllModes({ src, fn: 'f', point: { x: [0.3, -0.2, 0.5], y: 0.7 } });
  });

  it('a rule helper called in a loop, its result reassigned', () => {
    const src = `${HELPERS}
/** @differentiable */
export function f(x: number[], y: number): number {
  let z = y;
  for (let i = 0; i < 3; i++) {
    z = wave(z, x[i]) + sumSq(x) * 0.1;
  }
  return z * z;
}
`;
    checkAllModes({ src, fn: 'f', point: { x: [0.3, -0.2, 0.5], y: 0.7 } });
  });

  it('an assignment through a rule reads the old value of its argument (JVP)', () => {
    const src = `${HELPERS}
/** @differentiable */
export function f(x: number, y: number): number {
  let z = x * y;
  z = wave(z, y);
  return z;
}
`;
    checkAllModes({ src, fn: 'f', point: { x: 0.9, y: -1.4 } });
  });

  it('the module: covered parameters, where each partial is, which calls depend on their arguments, flattening', () => {
    const program = parseProgram(HELPERS);
    const fn = (n: string) => program.lower(n)!.fn;
    assert.deepStrictEqual(ruleEntries(fn('sumSq')), [{ param: 0, entry: null, array: true, depth: 1 }]);
    assert.deepStrictEqual(ruleEntries(fn('scaledExp')), [{ param: 0, entry: null, array: true, depth: 1 }]);
    assert.deepStrictEqual(ruleEntries(fn('wave')).map((e) => e.entry), [0, 1]);
    assert.strictEqual(helperDependsOn(fn('scaledExp'), [false, true]), false);
    assert.strictEqual(helperDependsOn(fn('scaledExp'), [true, false]), true);
    assert.deepStrictEqual(rulePartials(fn('scaledExp'), [[1, 2], 3], [4, 5]), { inputs: [1, 2], partials: [4, 5] });
    assert.deepStrictEqual(rulePartials(fn('wave'), [1, 2], [3, 4]), { inputs: [1, 2], partials: [3, 4] });
    assert.deepStrictEqual(rulePartials(fn('wave'), [1, 2], [3]), { kind: 'entries', params: ['a', 'b'] });
    assert.deepStrictEqual(rulePartials(fn('sumSq'), [[1, 2]], [3]), { kind: 'size', param: 'w' });
  });

  it('a wrongly sized rule is a GL003 of the analysis', () => {
    const src = `/**
 * @derivative badD
 */
export function h(w: number[]): number {
  return w[0] * w[1];
}

export function badD(w: number[]): number[] {
  return [w[1]];
}

/** @differentiable */
export function f(x: number[]): number {
  return h(x);
}
`;
    const r = gradientAt(src, 'f', { x: [1, 2] });
    assert.strictEqual(r.diagnostics[0]?.code, 'GL003');
    assert.match(r.diagnostics[0].message, /returns a wrongly sized entry for 'w'/);
  });
});
