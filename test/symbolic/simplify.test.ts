import * as assert from 'node:assert/strict';
import { ExprGraph } from '../../engine/symbolic';
import { simplified } from './helpers';

// What the simplifier makes of a function body, printed in Unicode: source → normal form.
const CASES: [string, string][] = [
  // constant folding
  ['2 + 3 * 4', '14'],
  ['Math.sin(0) + Math.exp(0) * x', 'x'],
  ['(1 + 2) * x', '3x'],
  // neutral and absorbing elements
  ['x + 0', 'x'],
  ['0 + x', 'x'],
  ['x * 1', 'x'],
  ['1 * x', 'x'],
  ['x * 0 + y', 'y'],
  ['x ** 1', 'x'],
  ['x ** 0 + y', 'y + 1'],
  ['x / 1', 'x'],
  ['x - 0', 'x'],
  ['0 - x', '−x'],
  ['Math.pow(x, 1)', 'x'],
  ['1 ** x', '1'],
  // like terms
  ['x + x', '2x'],
  ['3 * x - x', '2x'],
  ['x - x', '0'],
  ['x * y + y * x', '2xy'],
  ['2 * (x + 1) + 3 * (x + 1)', '5(x + 1)'],
  ['(x + 1) - (x + 1)', '0'],
  ['x + y - x', 'y'],
  ['x / 2 + x / 2', 'x'],
  // products of powers
  ['x * x', 'x²'],
  ['x * x * x', 'x³'],
  ['x ** 2 * x', 'x³'],
  ['x ** 2 * x ** 3', 'x⁵'],
  ['x * x * x / x', 'x²'],
  ['x / x', '1'],
  ['(x * y) ** 2', 'x²y²'],
  ['(2 * x) ** 2', '4x²'],
  ['(x ** 2) ** 3', 'x⁶'],
  ['Math.sqrt(x) * Math.sqrt(x)', 'x'],
  ['1 / (x * x)', '1/x²'],
  ['y / x ** 3', 'y/x³'],
  // negation
  ['-(-x)', 'x'],
  ['-(x - y)', 'y − x'],
  ['-(1 - x)', 'x − 1'],
  ['-x * -y', 'xy'],
  // canonical order of commutative operations
  ['y + x', 'x + y'],
  ['y * x - x * y', '0'],
  ['Math.max(y, x) - Math.max(x, y)', '0'],
  ['Math.hypot(x, y) - Math.hypot(y, x)', '0'],
  // functions
  ['Math.log(Math.exp(x))', 'x'],
  ['Math.abs(Math.abs(x))', '|x|'],
  ['Math.sqrt(x * x)', '|x|'],
  ['Math.min(x, x)', 'x'],
  ['Math.floor(Math.floor(x))', '⌊x⌋'],
];

describe('symbolic: simplification on construction', () => {
  for (const [source, expected] of CASES) {
    it(`${source}  →  ${expected}`, () => {
      assert.equal(simplified(source), expected);
    });
  }
});

describe('symbolic: hash-consing', () => {
  it('builds equal subexpressions once, whatever the order of commutative operands', () => {
    const g = new ExprGraph();
    const x = g.variable('x');
    const y = g.variable('y');
    const a = g.add(g.mul(x, y), g.num(1));
    const b = g.add(g.num(1), g.mul(y, x));
    assert.equal(a, b);
    assert.equal(g.fn('sin', [a]), g.fn('sin', [b]));
    assert.equal(g.mul(g.fn('sin', [a]), x), g.mul(x, g.fn('sin', [b])));
    const before = g.nodes.length;
    g.add(g.mul(y, x), g.num(1));
    assert.equal(g.nodes.length, before, 'no new node for an existing expression');
  });

  it('distinguishes different constants and variables', () => {
    const g = new ExprGraph();
    assert.notEqual(g.num(1), g.num(2));
    assert.notEqual(g.variable('x'), g.variable('y'));
    assert.notEqual(g.variable('w', 0), g.variable('w', 1));
    assert.equal(g.num(-0), g.num(0));
  });

  it('evaluates a node with JavaScript semantics', () => {
    const g = new ExprGraph();
    const x = g.variable('x');
    const e = g.add(g.fn('sin', [g.mul(x, x)]), g.div(g.num(1), x));
    const [v] = g.evaluate([e], () => 0.7);
    assert.ok(Math.abs(v - (Math.sin(0.49) + 1 / 0.7)) < 1e-15);
  });
});
