// The eight Math constants come from one table (engine/mathConstants.ts), so each works in every
// place: inside a function, as a module constant of the file (`const K = Math.LOG2E`), in the
// Unicode closed form of the hover, and in generated TypeScript.

import * as assert from 'node:assert/strict';
import { analyzeFile } from '../../engine/index';
import { MATH_CONSTANTS, mathConstant } from '../../engine/mathConstants';
import { parseProgram } from '../../engine/program';
import { closedFormGradient, closedFormUnicode } from '../../engine/symbolic';

const NAMES = ['E', 'LN10', 'LN2', 'LOG10E', 'LOG2E', 'PI', 'SQRT1_2', 'SQRT2'];

describe('engine: the Math constants, one table', () => {
  it('holds exactly the eight constants of Math, with their values', () => {
    const ownConstants = Object.getOwnPropertyNames(Math).filter((n) => typeof (Math as unknown as Record<string, unknown>)[n] === 'number').sort();
    assert.deepEqual(ownConstants, NAMES);
    assert.deepEqual(MATH_CONSTANTS.map((c) => c.name).sort(), NAMES);
    for (const c of MATH_CONSTANTS) {
      assert.equal(c.value, (Math as unknown as Record<string, number>)[c.name]);
      assert.equal(c.ts, `Math.${c.name}`);
      if (c.reciprocalOf) assert.ok(Math.abs(c.value * mathConstant(c.reciprocalOf)!.value - 1) < 1e-15, `${c.name} = 1/${c.reciprocalOf}`);
    }
  });

  for (const name of NAMES) {
    it(`Math.${name}: a top-level const is inlined, and a function using it is analysed`, () => {
      const value = (Math as unknown as Record<string, number>)[name];
      const text = `const K = Math.${name};\nconst K2 = 2 * K;\n/**\n * @differentiable\n * @at x = 2\n */\nfunction f(x: number): number {\n  return K * x * x + K2 + Math.${name} * x;\n}\n`;
      const program = parseProgram(text);
      assert.equal(program.constants.get('K'), value);
      assert.equal(program.constants.get('K2'), 2 * value);
      const analysis = analyzeFile(text);
      assert.deepEqual(analysis.diagnostics.map((d) => d.message), []);
      const f = analysis.functions.find((a) => a.name === 'f')!;
      assert.equal(f.value, value * 4 + 2 * value + value * 2);
      assert.ok(Math.abs((f.gradient!.x as number) - (4 * value + value)) <= 1e-12 * 5 * value);
    });

    it(`Math.${name}: printed by name in the hover's closed form and in generated code`, () => {
      const c = mathConstant(name)!;
      const program = parseProgram(`function g(x: number): number { return Math.${name} * x; }`);
      assert.deepEqual(closedFormUnicode(program, 'g')!.map((p) => p.unicode), [c.unicode]);
      const generated = closedFormGradient(program, 'g', 'gGrad');
      assert.ok('code' in generated, 'a closed form is generated');
      assert.match(generated.code, new RegExp(`return Math\\.${name};`));
    });
  }
});
