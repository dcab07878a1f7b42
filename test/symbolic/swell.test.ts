import * as assert from 'node:assert/strict';
import { gradientAt } from '../../engine/index';
import { parseProgram } from '../../engine/program';
import { closedFormGradient, symbolicDerivativeValue, symbolicGradient, SymbolicGradient } from '../../engine/symbolic';

// Derivatives must not swell: with sharing (hash-consing, reverse accumulation) and bounded
// flattening, the graph and the gradient's operation count grow linearly with the function.

const tupleOf = (n: number) => `w: [${new Array(n).fill('number').join(', ')}]`;

function product(n: number) {
  return parseProgram(`/** @differentiable */\nfunction f(${tupleOf(n)}): number {\n  return ${Array.from({ length: n }, (_, i) => `w[${i}]`).join(' * ')};\n}\n`);
}

function chain(n: number) {
  return parseProgram(`/** @differentiable */\nfunction f(x: number): number {\n  let v = x;\n  for (let i = 0; i < ${n}; i++) {\n    v = Math.sin(v) * 0.9 + 0.1 * v * x;\n  }\n  return v;\n}\n`);
}

function composed(n: number) {
  // A chain of distinct functions, each step's value used twice (bounded, so values stay finite).
  const fns = ['Math.sin', 'Math.tanh', 'Math.cos', 'Math.atan'];
  const lines = Array.from({ length: n }, (_, i) => `  const v${i + 1} = ${fns[i % fns.length]}(v${i}) + 0.2 * v${i} * v${i};`);
  return parseProgram(`/** @differentiable */\nfunction f(x: number): number {\n  const v0 = x;\n${lines.join('\n')}\n  return v${n};\n}\n`);
}

function gradient(p: ReturnType<typeof parseProgram>): SymbolicGradient {
  const r = symbolicGradient(p, 'f');
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.gradient;
}

describe('symbolic: no expression swell', () => {
  for (const [what, make, perStep] of [
    ['a product of n factors', product, 10],
    ['an n-step loop unrolled', chain, 15],
    ['an n-step composed chain', composed, 15],
  ] as const) {
    it(`${what}: graph size and gradient operations grow linearly`, () => {
      const sizes = [10, 20, 40].map((n) => {
        const g = gradient(make(n));
        assert.ok(g.gradientOps <= perStep * n, `${what}, n = ${n}: ${g.gradientOps} operations`);
        return { nodes: g.graph.nodes.length, ops: g.gradientOps };
      });
      for (let i = 1; i < sizes.length; i++) {
        assert.ok(sizes[i].nodes <= 2.5 * sizes[i - 1].nodes, `nodes ${sizes[i - 1].nodes} → ${sizes[i].nodes}`);
        assert.ok(sizes[i].ops <= 2.5 * sizes[i - 1].ops, `operations ${sizes[i - 1].ops} → ${sizes[i].ops}`);
      }
    });
  }

  it('the derivative of a product of 20 factors is right (each partial is the product of the others)', () => {
    const w = Array.from({ length: 20 }, (_, i) => 0.8 + 0.02 * i);
    const r = symbolicDerivativeValue(product(20), 'f', { w });
    assert.ok(r.ok);
    const g = r.gradient.w as number[];
    w.forEach((_, i) => {
      const expected = w.reduce((acc, v, j) => (j === i ? acc : acc * v), 1);
      assert.ok(Math.abs(g[i] - expected) <= 1e-14 * Math.abs(expected), `∂/∂w[${i}]`);
    });
  });

  it('a 30-step composed chain has readable generated code of linear length', () => {
    const lengths = [15, 30].map((n) => {
      const r = closedFormGradient(composed(n), 'f', 'fGrad');
      assert.ok('code' in r, 'reason' in r ? r.reason : '');
      return r.code.length;
    });
    assert.ok(lengths[1] <= 2.3 * lengths[0], `code ${lengths[0]} → ${lengths[1]} characters`);
  });

  it('the 30-step chain matches a numerical derivative', () => {
    const p = composed(30);
    const r = symbolicDerivativeValue(p, 'f', { x: 0.3 });
    assert.ok(r.ok);
    const f = (x: number) => {
      const v = symbolicDerivativeValue(p, 'f', { x });
      assert.ok(v.ok);
      return v.value;
    };
    const h = 1e-5;
    const fd = (f(0.3 + h) - f(0.3 - h)) / (2 * h);
    const g = r.gradient.x as number;
    assert.ok(Math.abs(g - fd) <= 1e-6 * Math.max(1, Math.abs(fd)), `${g} vs ${fd}`);
    const reverse = gradientAt(p.text, 'f', { x: 0.3 }).gradient!.x as number;
    assert.ok(Math.abs(g - reverse) <= 1e-10 * Math.abs(reverse), `${g} vs reverse mode ${reverse}`);
  });
});
