// Each diagnostic of SPEC §4, as fixtures whose expected diagnostics are carets under the range
// (see fixture.ts). Unsupported constructs get GL002 on the exact construct and the rest of the
// file is still analysed.

import * as assert from 'node:assert/strict';
import { analyzeFile } from '../../engine/index';
import { checkDiagnostics } from './fixture';

describe('engine: GL002, constructs outside the subset', () => {
  it('names the construct, on its exact range, and keeps going', () => {
    checkDiagnostics(`
/** @differentiable */
function f(x: number): number {
  const o = { a: [x] };
  //          ^^^^^^ GL002 A record field holding an array
  const r = Math.random();
  //        ^^^^^^^^^^^^^ GL002 Math.random()
  const s = \`t\${x}\`;
  //        ^^^^^^^ GL002 A string template
  return x * x;
}
/** @differentiable */
function g(x: number): number {
  return x * x;
}
`);
  });

  it('closures, classes, switch, try and unknown calls', () => {
    checkDiagnostics(`
let counter = 0;
/** @differentiable */
function f(x: number): number {
  // (A local \`const inc = (y) => …\` is a nested function, analysed since issue 13; called in place it is not.)
  const inc = ((y: number) => y + 1)(x);
  //          ^^^^^^^^^^^^^^^^^^^^^^^^^ GL002 This call
  switch (x) { case 1: x = 2; case 2: break; }
//             ^^^^^^^^^^^^^^ GL002 falls through
  const c = counter;
  //        ^^^^^^^ GL002 'counter'
  const z = parseFloat(x);
  //        ^^^^^^^^^^ GL002 not a function of this file
  return x;
}
`);
  });

  it('writes into parameter arrays and ++ after a read of its variable', () => {
    checkDiagnostics(`
/** @differentiable */
function f(w: number[]): number {
  w[0] = 1;
//^ GL002 parameter array
  let i = 0;
  const a = w[i] + w[i++];
  //                 ^^^ GL002 reads 'i' before it
  return w[0];
}
`);
  });

  it('parameters of unsupported types', () => {
    checkDiagnostics(`
/** @differentiable */
function f(x: number, name: object): number {
  //                        ^^^^^^ GL002 parameter of type 'object'
  return x;
}
`);
  });

  it('a helper outside the subset is reported in the helper and at the call', () => {
    const r = checkDiagnostics(`
function helper(x: number): number {
  return Math.random() * x;
  //     ^^^^^^^^^^^^^ GL002
}
/** @differentiable */
function f(x: number): number {
  return helper(x) * 2;
  //     ^^^^^^^^^ GL002 outside the differentiable subset
}
`);
    assert.equal(r.functions[0].name, 'f');
  });
});

describe('engine: GL005, annotation errors', () => {
  it('unknown @wrt parameter, malformed @at, missing @gradient target', () => {
    checkDiagnostics(`
/**
 * @differentiable
 * @wrt x, q
 *         ^ GL005 'q'
 * @at x = 1, y = oops
 * ^^^^^^^^^^^^^^^^^^^ GL005 Malformed @at
 * @gradient nowhere
 *           ^^^^^^^ GL005 'nowhere' is not a function
 */
function f(x: number, y: number): number {
  return x * y;
}
`);
  });

  it('an @at point that misses a parameter, or gives an array for a number', () => {
    checkDiagnostics(`
/**
 * @differentiable
 * @at x = 1
 * ^^^^^^^^^ GL005 no value for 'w'
 * @at x = [1, 2], w = [1]
 * ^^^^^^^^^^^^^^^^^^^^^^^ GL005 'x' is a number
 */
function f(x: number, w: number[]): number {
  return x * w[0];
}
`);
  });
});

describe('engine: GL007, the step budget', () => {
  it('an infinite loop ends with GL007 on the loop, not a hang', () => {
    const t0 = Date.now();
    checkDiagnostics(`
/**
 * @differentiable
 * @at x = 1
 */
function f(x: number): number {
  let s = x;
  while (s > 0) {
//^^^^^^^^^^^^^^^ GL007 step budget
    s = s + 1;
  }
  return s;
}
`, { options: { stepBudget: 100_000 } });
    assert.ok(Date.now() - t0 < 5000);
  });

  it('unbounded recursion ends with GL007', () => {
    checkDiagnostics(`
function r(x: number): number {
  return r(x) + 1;
  //     ^^^^ GL007 deeper than
}
/**
 * @differentiable
 * @at x = 1
 */
function f(x: number): number {
  return r(x);
}
`);
  });
});

describe('engine: GL003 and GL004', () => {
  it('a non-finite value at an @at point is GL003 on that tag', () => {
    checkDiagnostics(`
/**
 * @differentiable
 * @at x = -1
 * ^^^^^^^^^^ GL003 not finite
 */
function f(x: number): number {
  return Math.log(x);
}
`);
  });

  it('random points are redrawn where the function is not finite: no false alarm', () => {
    const r = analyzeFile(`
/** @differentiable */
function f(x: number, y: number): number {
  return Math.log(x) + Math.sqrt(y) / x;
}
`);
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.functions[0].points.length, 3);
    for (const p of r.functions[0].points) assert.ok((p.x as number) > 0 && (p.y as number) >= 0);
  });

  it('a check point on a kink is a GL004 hint on the operation', () => {
    checkDiagnostics(`
/**
 * @differentiable
 * @at x = 0, y = 2
 */
function f(x: number, y: number): number {
  return Math.abs(x) + Math.max(y, 2) + (x > 0 ? x : 0);
  //     ^^^^^^^^^^^ GL004 abs at 0
  //                   ^^^^^^^^^^^^^^ GL004 tie
  //                                     ^^^^^ GL004 tied
}
`);
  });

  it('a hand-written gradient that differs only at a kink is GL004, not GL001', () => {
    checkDiagnostics(`
/**
 * @differentiable
 * @at x = 0
 */
function f(x: number): number {
  return Math.abs(x);
  //     ^^^^^^^^^^^ GL004
}
function fGrad(x: number): number {
  return x >= 0 ? 1 : -1;
  //     ^^^^^^^^^^^^^^^ GL004 non-differentiable
}
`);
  });
});

describe('engine: mid-edit files', () => {
  it('a syntax error inside one function leaves the others analysed', () => {
    const r = analyzeFile(`
/** @differentiable */
function broken(x: number): number {
  return x * (x + ;
}
/** @differentiable
 * @at x = 2 */
function fine(x: number): number {
  return x * x;
}
`);
    assert.deepEqual(r.functions.map((f) => f.name), ['fine']);
    assert.deepEqual(r.functions[0].gradient, { x: 4 });
  });

  it('never throws on garbage', () => {
    for (const src of ['', '/** @differentiable */', '/** @differentiable */ function', 'function f(', '/** @differentiable */ const f = (x: number) =>', '\u0000\uffff', '/** @differentiable @at x = [ */ function f(x: number) { return x }']) {
      const r = analyzeFile(src);
      assert.ok(Array.isArray(r.diagnostics));
    }
  });
});
