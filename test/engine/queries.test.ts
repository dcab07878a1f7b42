// The one-function queries behind the graph view and the methods table (engine/queries.ts): what a
// node is labelled with and mapped to, the order of the inputs, the statement and helper-call groups
// a node belongs to, and the hand-written column of the methods comparison.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareMethods, computationGraph } from '../../engine/index';

const REPO = join(__dirname, '..', '..', '..');

const CALLS = `
/** @derivative normPdf */
function normCdf(x: number): number { return 0.5 * (1 + Math.tanh(0.8 * x)); }
function normPdf(x: number): number { const t = Math.tanh(0.8 * x); return 0.4 * (1 - t * t); }
function sq(x: number): number { const y = x * x; return y + 1; }
/**
 * @differentiable
 * @at a = 0.3, b = 2
 */
function price(a: number, b: number): number {
  const d1 = a * b - 0.25;
  const p = b * normCdf(d1);
  return p + sq(a + 1);
}
`;

describe('engine: computation graph query', () => {
  const { graph, diagnostics } = computationGraph(CALLS, 'price');
  const text = (r: { start: number; end: number } | null) => (r ? CALLS.slice(r.start, r.end) : null);

  it('labels a call with a @derivative rule by the call and maps it to the call, not to its argument', () => {
    assert.deepEqual(diagnostics, []);
    const call = graph!.nodes.find((n) => n.op === 'call');
    assert.ok(call, 'no call node');
    assert.equal(text(call.range), 'normCdf(d1)');
    assert.equal(call.label, 'normCdf(d1)');
    assert.equal(call.inputs.length, 1);
    assert.equal(graph!.nodes.find((n) => n.id === call.inputs[0])!.label, 'd1', 'its input is the argument');
  });

  it('groups the nodes of an inlined helper under its call, and every node under its statement', () => {
    const calls = graph!.calls.map((c) => [c.helper, c.text]);
    assert.deepEqual(calls, [['normCdf', 'normCdf(d1)'], ['sq', 'sq(a + 1)']]);
    const sqCall = graph!.calls.find((c) => c.helper === 'sq')!;
    const inSq = graph!.nodes.filter((n) => n.call === sqCall.id);
    assert.deepEqual(inSq.map((n) => n.op), ['*', '+'], 'x * x and y + 1 run inside sq');
    assert.ok(!graph!.nodes.some((n) => n.call === sqCall.id && text(n.range) === 'a + 1'), 'the argument is computed by the caller');
    const statementText = (id: number | undefined) => graph!.statements.find((s) => s.id === id)?.text;
    for (const n of inSq) assert.equal(statementText(n.statement), 'return p + sq(a + 1);');
    assert.equal(statementText(graph!.nodes.find((n) => n.label === 'd1')!.statement), 'd1 = a * b - 0.25');
    assert.ok(graph!.nodes.filter((n) => n.op === 'input').every((n) => n.statement === undefined));
  });

  it('lists the inputs in the parameters\' order, whatever the @wrt order', () => {
    const src = `
/**
 * @differentiable
 * @wrt z, x, y
 * @at x = 1, y = 2, z = 3
 */
function f(x: number, y: number, z: number): number { return x * y + z; }
`;
    const g = computationGraph(src, 'f').graph!;
    assert.deepEqual(g.nodes.filter((n) => n.op === 'input').map((n) => n.label), ['x', 'y', 'z']);
    const z = g.nodes.find((n) => n.label === 'z')!;
    assert.equal(z.adjoint, 1, 'the nodes keep their own values and adjoints');
    assert.equal(g.nodes.find((n) => n.label === 'x')!.adjoint, 2);
  });

  it('draws the 12-step recurrent cell of the e2e fixture as about 200 nodes in 26 statements', () => {
    const src = readFileSync(join(REPO, 'test', 'e2e', 'fixtures', 'recurrentCell.ts'), 'utf8');
    const g = computationGraph(src, 'rnnUnrolled').graph!;
    assert.ok(g.nodes.length > 150 && g.nodes.length < 260, `${g.nodes.length} nodes`);
    assert.equal(g.statements.length, 12 * 2 + 2);
    const loop = computationGraph(src, 'rnnLoop').graph!;
    assert.equal(loop.calls.length, 24, 'two calls of unit per step');
    assert.ok(loop.calls.every((c) => c.text.startsWith('unit(h1, h2, xs[t]')));
  });
});

describe('engine: methods comparison, hand-written column', () => {
  it('shows the hand-written gradient beside AD, wrong component included', () => {
    const src = readFileSync(join(REPO, 'test', 'e2e', 'fixtures', 'calculus.ts'), 'utf8');
    const { comparison } = compareMethods(src, 'rosenbrock');
    assert.equal(comparison!.handWrittenName, 'rosenbrockGrad');
    const byLabel = Object.fromEntries(comparison!.components.map((c) => [c.label, c]));
    assert.equal(byLabel['x']!.handWritten, 1501);
    assert.equal(byLabel['x']!.reverse, 1501);
    assert.equal(byLabel['y']!.handWritten, -250, 'the slip in the y component shows');
    assert.equal(byLabel['y']!.reverse, -500);
    assert.deepEqual([byLabel['x']!.handWrong, byLabel['y']!.handWrong], [false, true], 'the check\'s own verdict marks y alone');
  });

  it('reads @partial functions, divided by their scale', () => {
    const src = `
/**
 * @differentiable
 * @at x = 2, y = 3
 * @partial y dfdy scale 0.01
 */
function f(x: number, y: number): number { return x * y * y; }
function dfdy(x: number, y: number): number { return 0.01 * 2 * x * y; }
`;
    const c = compareMethods(src, 'f').comparison!;
    assert.equal(c.handWrittenName, 'dfdy');
    assert.equal(c.components.find((k) => k.label === 'x')!.handWritten, null);
    assert.ok(Math.abs(c.components.find((k) => k.label === 'y')!.handWritten! - 12) < 1e-12);
  });

  it('has no hand-written column for a function without one', () => {
    const src = readFileSync(join(REPO, 'test', 'e2e', 'fixtures', 'calculus.ts'), 'utf8');
    const c = compareMethods(src, 'wave').comparison!;
    assert.equal(c.handWrittenName, null);
    assert.ok(c.components.every((k) => k.handWritten === null));
  });
});
