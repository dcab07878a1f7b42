// The naming service (engine/codegen/names.ts): whatever the file's functions and parameters are
// called, no name the generators pick shadows a function the generated code calls, a parameter, or
// a global it relies on. Each case is generated in every mode, compiled under --strict and run.

import * as assert from 'assert';
import { generateDerivative } from '../../engine/codegen/generate';
import { NameScope } from '../../engine/codegen/names';
import { checkAllModes } from './roundTrip';

/** Names the generators use for their own locals and functions, and a few globals. */
const NAMES = ['value', 'jacobian', 'r', 'seed', 'n', 'hessian', 'j', 'd', 'x', 'y', 'w', 'Math', 'dx', 'dy', 'dw', 'dOut', 'k', 'sum', 'i', 'jvp', 'hX', 'dProd', 'dSum', 'g', 't', 'trips', 'fGrad', 'fPullback', 'hPullback', 'hJvp', 'gTangent'];

/** Parameter names that are not `name`. */
function params(name: string): [string, string, string] {
  return ['x', 'y', 'w'].includes(name) ? ['u', 'v', 'z'] : ['x', 'y', 'w'];
}

/**
 * A helper called `name`, used by a scalar function `f` (a loop over an array) and a vector-valued
 * `vec`. (A file whose own function is called `Math` or `Array` hides the global from its code; the
 * helper's body uses neither.)
 */
function helperNamed(name: string): string {
  const [a, b, c] = params(name);
  return `export function ${name}(p: number): number {
  return p * p * p + 2 * p;
}

/** @differentiable */
export function f(${a}: number, ${b}: number, ${c}: number[]): number {
  let s = 0;
  for (let m = 0; m < ${c}.length; m++) {
    s += ${name}(${c}[m] * ${a}) * ${b};
  }
  return s + ${name}(${b}) * ${a};
}

/** @differentiable */
export function vec(${a}: number, ${b}: number): number[] {
  return [${name}(${a}) * ${b}, ${a} - ${name}(${b}), ${b}];
}
`;
}

/** Functions called `name`: a scalar one in `scalar`, a vector-valued one in `vector`, with a helper `h` and parameters of the generators' names. */
function functionNamed(name: string, vector: boolean): string {
  const [a, b, c] = params(name);
  const body = vector
    ? `  const q = h(${a}) * ${b};
  return [q * ${c}[0], ${a} * ${b}, q + ${c}[1] * ${c}[0]];`
    : `  let s = h(${a} * ${b});
  for (let i = 0; i < ${c}.length; i++) {
    s += ${c}[i] * ${c}[i] * ${a};
  }
  return s * ${b};`;
  return `export function h(p: number): number {
  return p * p + p;
}

/** @differentiable */
export function ${name}(${a}: number, ${b}: number, ${c}: number[]): ${vector ? 'number[]' : 'number'} {
${body}
}
`;
}

/** A function whose parameter carries the name (its body does not use a global it hides). */
function parameterNamed(name: string): string {
  return `/** @differentiable */
export function f(${name}: number, other: number, w2: number[]): number {
  let q = ${name} * other + ${name} * ${name};
  for (let m = 0; m < w2.length; m++) {
    q += w2[m] * ${name};
  }
  return q * q;
}
`;
}

function point(name: string, withArray: boolean): Record<string, number | number[]> {
  const [a, b, c] = params(name);
  return withArray ? { [a]: 0.7, [b]: -0.4, [c]: [0.3, 1.1, -0.6] } : { [a]: 0.7, [b]: -0.4 };
}

describe('codegen: one naming service', function () {
  this.timeout(120_000);

  it('a scope: base, base2, …; reserved words and the enclosing scopes\' names are taken; the file scope avoids every scope\'s names', () => {
    const file = NameScope.file(['value', 'f']);
    const fn = file.child();
    assert.strictEqual(fn.fresh('value'), 'value2');
    assert.strictEqual(fn.fresh('Math'), 'Math2');
    assert.strictEqual(fn.fresh('k'), 'k');
    assert.strictEqual(fn.fresh('k'), 'k2');
    // another function may reuse its sibling's locals
    assert.strictEqual(file.child().fresh('k'), 'k');
    // a generated function never takes a name a local has
    assert.strictEqual(file.fresh('k'), 'k3');
    assert.strictEqual(fn.fresh('k'), 'k4');
  });

  for (const name of NAMES) {
    it(`a helper named ${name}`, () => {
      const src = helperNamed(name);
      checkAllModes({ src, fn: 'f', point: point(name, true) });
      const [a, b] = params(name);
      checkAllModes({ src, fn: 'vec', point: point(name, false), wrt: [a, b] });
    });

    it(`a function named ${name}, scalar and vector-valued`, () => {
      const [a, b, c] = params(name);
      checkAllModes({ src: functionNamed(name, false), fn: name, point: point(name, true) });
      checkAllModes({ src: functionNamed(name, true), fn: name, point: point(name, true), wrt: [a, b, c] });
    });

    it(`a parameter named ${name}`, () => {
      checkAllModes({ src: parameterNamed(name), fn: 'f', point: { [name]: 0.7, other: -1.3, w2: [0.2, -0.5] } });
    });
  }

  for (const name of ['Array', 'Float64Array', 'Uint8Array', 'Number', 'NaN', 'Infinity', 'undefined']) {
    it(`a parameter named ${name}`, () => {
      checkAllModes({ src: parameterNamed(name), fn: 'f', point: { [name]: 0.7, other: -1.3, w2: [0.2, -0.5] } });
    });
  }

  it('a local named as a generated function it calls (a pullback, a JVP) is renamed', () => {
    const src = `export function h(p: number): number {
  return p * p * p;
}

/** @differentiable */
export function f(hPullback: number, hJvp: number): number {
  const hJvpPullbackP = h(hPullback) * hJvp;
  const hTangent = h(hJvp) + hJvpPullbackP;
  return hTangent * hPullback;
}
`;
    checkAllModes({ src, fn: 'f', point: { hPullback: 0.6, hJvp: -0.9 } });
  });

  it('the defect: a vector-valued function named value no longer calls its own local', () => {
    const src = `/** @differentiable */
export function value(x: number, y: number): number[] {
  return [x * y, x + y];
}
`;
    const r = generateDerivative(src, 'value', 'reverse');
    assert.ok(r.generated);
    assert.match(r.generated.code, /const value2 = value\(x, y\);/);
  });
});
