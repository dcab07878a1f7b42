import * as assert from 'assert';
import { compileDerivativeModule, compileFunction, compileGradient, compileJvp, compilePrimalModule, returnsInOrder } from '../../engine/compileIr';
import { generateDerivative } from '../../engine/codegen/generate';
import { parseProgram } from '../../engine/program';
import { FIXTURES } from './fixtures';
import { Arg, flat, load, relError } from './harness';

describe('compileIr: IR compiled to JavaScript', function () {
  this.timeout(60_000);
  for (const fx of FIXTURES) {
    it(`function, gradient and JVP: ${fx.name}`, () => {
      const program = parseProgram(fx.src);
      const args = Object.values(fx.point) as Arg[];
      const f = compileFunction(program, fx.fn);
      assert.ok(f, 'compileFunction');
      const rev = generateDerivative(fx.src, fx.fn, 'reverse').generated!;
      const mod = load(`${fx.src}\n${rev.code}`);
      assert.ok(relError(flat(f(...args)), flat(mod[fx.fn](...args))) === 0, 'value');
      const g = compileGradient(program, fx.fn);
      assert.ok(g, 'compileGradient');
      assert.ok(relError(flat(g(...args)), flat(mod[rev.name](...args))) === 0, 'gradient');
      const jvp = compileJvp(program, fx.fn);
      assert.ok(jvp, 'compileJvp');
    });
  }

  it('never evaluates user text: identifiers are sanitized, and a hostile name is harmless', () => {
    const src = `/** @differentiable */
export function f(constructor: number, __proto__: number): number {
  const toString = constructor * __proto__;
  return Math.sin(toString) + helper(constructor);
}
function helper(eval2: number): number { return eval2 * eval2; }
`;
    const program = parseProgram(src);
    const f = compileFunction(program, 'f')!;
    assert.strictEqual(f(2, 3), Math.sin(6) + 4);
    const g = compileGradient(program, 'f')!;
    const [a, b] = g(2, 3) as number[];
    assert.ok(Math.abs(a - (3 * Math.cos(6) + 4)) < 1e-12 && Math.abs(b - 2 * Math.cos(6)) < 1e-12);
    assert.ok(!String(f).includes('constructor') && !String(f).includes('helper'));
  });

  it('budget ticks and checks are printed only into compiled modules: the code users insert has none', () => {
    for (const fx of FIXTURES) {
      const program = parseProgram(fx.src);
      const readable = generateDerivative(fx.src, fx.fn, 'reverse').generated?.code ?? '';
      assert.ok(!/\$(n|over|badIndex|depth)\b/.test(readable), `${fx.name}: readable code is instrumented`);
      const m = compileDerivativeModule(program, fx.fn, 'reverse');
      if (m && /for \(|while \(/.test(m.source)) assert.match(m.source, /\$over\(\)/, `${fx.name}: a loop without a tick`);
      const args = Object.values(fx.point) as Arg[];
      const primal = compilePrimalModule(program, fx.fn, null);
      // (a @derivative rule's shape is checked on every call by the interpreter: that stays its work)
      if (/@derivative/.test(fx.src)) { assert.equal(primal, null, `${fx.name}: left to the interpreter`); continue; }
      assert.ok(primal, `${fx.name}: compiles`);
      const r = primal.run(args.map((a) => (Array.isArray(a) ? a.slice() : a)), 1_000_000);
      const f = compileFunction(program, fx.fn)!;
      if (r) assert.deepEqual(flat(r.value as number[]), flat(f(...args)), `${fx.name}: instrumented value`);
    }
  });

  it('an instrumented function records the return it left through', () => {
    const src = `export function g(x: number): number[] {
  if (x > 0) {
    return [2 * x, 1];
  }
  for (let i = 0; i < 3; i++) {
    if (x < -i) return [x, 0];
  }
  return [0, 0];
}
`;
    const program = parseProgram(src);
    const fn = program.lower('g')!.fn;
    const m = compilePrimalModule(program, 'g', null)!;
    const returns = returnsInOrder(fn);
    assert.equal(returns.length, 3);
    for (const [x, k] of [[1, 0], [-5, 1], [-0.5, 1], [0, 2]] as const) {
      const r = m.run([x], 1_000);
      assert.ok(r);
      assert.equal(r.returnIndex, k, `x = ${x}`);
    }
  });

  it('returns null (no throw) for a function outside the subset', () => {
    const program = parseProgram('/** @differentiable */\nexport function f(x: number): number { return x.toString().length; }\n');
    assert.strictEqual(compileFunction(program, 'f'), null);
    assert.strictEqual(compileGradient(program, 'f'), null);
  });
});
