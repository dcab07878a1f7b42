import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { gradientAt } from '../../engine/index';
import { parseProgram } from '../../engine/program';
import { closedFormGradient, symbolicDerivativeValue } from '../../engine/symbolic';
import { close, loadFunction, typeCheck } from './helpers';

// Random straight-line programs over x, y, z (locals reused, so the graph shares and the
// simplifier gets like terms and powers to combine): the symbolic gradient must equal reverse
// mode, and the generated closed form must compile and compute the same numbers.

type E = string;

const leaf = fc.oneof(
  fc.constantFrom('x', 'y', 'z', 'x', 'y'),
  fc.integer({ min: -3, max: 4 }).map((n) => (n < 0 ? `(${n})` : String(n))),
  fc.constantFrom('0.5', '1.5', 'Math.PI'),
);

const expr: fc.Arbitrary<E> = fc.letrec<{ e: E }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*'), tie('e')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `(${a} / (1.5 + ${b} * ${b}))`),
    fc.tuple(tie('e'), fc.integer({ min: 2, max: 3 })).map(([a, n]) => `(${a}) ** ${n}`),
    fc.tuple(fc.constantFrom('sin', 'cos', 'tanh', 'atan', 'sinh', 'asinh', 'exp'), tie('e')).map(([f, a]) => (f === 'exp' || f === 'sinh' ? `Math.${f}(Math.sin(${a}))` : `Math.${f}(${a})`)),
    tie('e').map((a) => `Math.sqrt(1 + ${a} * ${a})`),
    tie('e').map((a) => `Math.log(2 + Math.cos(${a}))`),
    tie('e').map((a) => `-(${a})`),
  ),
})).e;

const program = fc.tuple(fc.array(expr, { minLength: 1, maxLength: 4 }), expr).map(([locals, ret]) => {
  // Each local may use the earlier ones.
  const lines = locals.map((e, i) => `  const a${i} = ${i > 0 ? e.replace(/\bz\b/g, `a${i - 1}`) : e};`);
  const last = locals.length - 1;
  return `/** @differentiable */\nexport function f(x: number, y: number, z: number): number {\n${lines.join('\n')}\n  return ${ret.replace(/\bz\b/g, `a${last}`)} + a${last};\n}\n`;
});

const point = { x: 0.37, y: -0.61, z: 0.83 };

describe('symbolic: random straight-line programs', () => {
  it('symbolic gradient = reverse mode to 1e-10 relative', () => {
    fc.assert(fc.property(program, (text) => {
      const rev = gradientAt(text, 'f', point);
      fc.pre(rev.gradient !== null && Object.values(rev.gradient).every((v) => Number.isFinite(v as number)));
      const sym = symbolicDerivativeValue(parseProgram(text), 'f', point);
      assert.ok(sym.ok, sym.ok ? '' : sym.reason);
      assert.ok(close(sym.value, rev.value as number, 1e-10, 1e-12), `value ${sym.value} vs ${rev.value}`);
      for (const k of ['x', 'y', 'z']) {
        const a = sym.gradient[k] as number;
        const b = rev.gradient![k] as number;
        const scale = Math.max(...Object.values(rev.gradient!).map((v) => Math.abs(v as number)));
        assert.ok(close(a, b, 1e-10, 1e-12 * (1 + scale)), `∂f/∂${k}: symbolic ${a} vs reverse ${b}\n${text}`);
      }
    }), { numRuns: 200, seed: 20261122 });
  });

  it('generated closed forms compile under --strict and agree with the symbolic gradient', () => {
    const samples = fc.sample(program, { numRuns: 40, seed: 7 });
    const codes: { text: string; code: string }[] = [];
    for (const text of samples) {
      const r = closedFormGradient(parseProgram(text), 'f', 'fGrad');
      if ('code' in r) codes.push({ text, code: r.code });
    }
    assert.ok(codes.length >= 20, `closed forms offered for ${codes.length} of 40 programs`);
    const diagnostics = typeCheck(codes.map((c) => c.code));
    codes.forEach((c, i) => assert.deepEqual(diagnostics[i], [], c.code));
    for (const { text, code } of codes) {
      const sym = symbolicDerivativeValue(parseProgram(text), 'f', point);
      assert.ok(sym.ok);
      const got = loadFunction(code, 'fGrad')(point.x, point.y, point.z) as number[];
      ['x', 'y', 'z'].forEach((k, i) => {
        const want = sym.gradient[k] as number;
        if (!Number.isFinite(want)) return;
        assert.ok(close(got[i], want, 1e-9, 1e-12), `∂f/∂${k}: code ${got[i]} vs symbolic ${want}\n${text}\n${code}`);
      });
    }
  });
});
