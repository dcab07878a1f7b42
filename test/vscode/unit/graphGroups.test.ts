// The webview's view of helper calls, statement groups, search, sweep visibility and keyboard moves,
// on graphs the engine computes from source (engine/queries.ts), as the panel receives them.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computationGraph } from '../../../engine/index';
import { buildViewGraph, searchNodes, sweepKnows, sweepOrder } from '../../../client/webview/graphModel';
import { layoutGraph } from '../../../client/webview/layout';
import { neighbour, startNode } from '../../../client/webview/navigation';

const SRC = `
function sq(x: number): number { const y = x * x; return y + 1; }
/**
 * @differentiable
 * @wrt c, a, b
 * @at a = 0.3, b = 2, c = 1
 */
function f(a: number, b: number, c: number): number {
  const d = a * b - c;
  const p = sq(d) * sq(b);
  return p + d;
}
`;
const graph = computationGraph(SRC, 'f').graph!;
const RECURRENT = readFileSync(join(__dirname, '..', '..', '..', '..', 'test', 'e2e', 'fixtures', 'recurrentCell.ts'), 'utf8');

describe('webview graph model: calls and groups', () => {
  it('collapses each helper call to one box showing what it returns', () => {
    const v = buildViewGraph(graph, new Set());
    const calls = v.nodes.filter((n) => n.kind === 'call');
    assert.deepEqual(calls.map((c) => c.label), ['sq(d)', 'sq(b)']);
    const d = graph.nodes.find((n) => n.label === 'd')!.value;
    assert.equal(calls[0]!.value, d * d + 1, 'the value of y + 1, the helper\'s result');
    assert.equal(calls[0]!.members.length, 2);
    // The call's box is fed by its argument and feeds the product.
    assert.ok(v.edges.some((e) => e.to === calls[0]!.id && e.from === `n${graph.nodes.find((n) => n.label === 'd')!.id}`));
    assert.ok(v.edges.some((e) => e.from === calls[0]!.id));
    assert.ok(v.edges.every((e) => e.from !== e.to));
  });

  it('expands a call into a group of its nodes, and groups the rest by statement', () => {
    const first = graph.calls[0]!.id;
    const v = buildViewGraph(graph, new Set(), new Set([first]));
    assert.equal(v.nodes.filter((n) => n.kind === 'call').length, 1);
    const callGroup = v.groups.find((g) => g.kind === 'call')!;
    assert.equal(callGroup.label, 'sq(d)');
    assert.equal(callGroup.callId, first);
    assert.deepEqual(callGroup.members.map((id) => v.nodes.find((n) => n.id === id)!.op), ['*', '+']);
    const statements = v.groups.filter((g) => g.kind === 'statement').map((g) => g.label);
    assert.ok(statements.includes('d = a * b - c'), statements.join(' | '));
    for (const g of v.groups) for (const id of g.members) assert.equal(v.nodes.find((n) => n.id === id)!.group, g.id);
    assert.ok(v.nodes.filter((n) => n.isInput).every((n) => n.group === null), 'inputs stand alone');
  });

  it('draws an expanded loop as a box around its iterations, its calls and statements inside', () => {
    const loop = computationGraph(RECURRENT, 'rnnLoop').graph!;
    const v = buildViewGraph(loop, new Set([0]));
    const calls = v.nodes.filter((n) => n.kind === 'call');
    assert.equal(calls.length, 8, 'two calls in each of the 4 iterations drawn');
    assert.equal(new Set(calls.map((c) => c.callId)).size, 8);
    const box = v.groups.find((g) => g.kind === 'loop')!;
    assert.deepEqual([box.id, box.label, box.loopId, box.parent], ['gloop0', 'loop ×12', 0, null]);
    assert.ok(calls.every((c) => c.group === box.id), 'each call (alone in its statement) sits in the loop box');
    assert.equal(v.nodes.find((n) => n.kind === 'iterations')!.group, box.id);
    assert.ok(v.nodes.filter((n) => n.kind === 'op' && n.loopId === null).every((n) => n.group !== box.id), 'what is outside the loop stays out');
    const expandedCall = buildViewGraph(loop, new Set([0]), new Set([calls[0]!.callId!]));
    const callBox = expandedCall.groups.find((g) => g.kind === 'call')!;
    assert.equal(callBox.parent, 'gloop0', 'an expanded call inside the loop nests in its box');
    assert.ok(expandedCall.groups.indexOf(callBox) > expandedCall.groups.findIndex((g) => g.id === 'gloop0'), 'parents come first');
    assert.equal(buildViewGraph(loop, new Set()).groups.filter((g) => g.kind === 'loop').length, 0, 'a collapsed loop is a node, not a box');
  });

  it('finds nodes by their source text, the node itself before the rest of its statement', () => {
    const v = buildViewGraph(graph, new Set());
    const order = sweepOrder(v);
    const hits = searchNodes(v, order, 'A * B');
    assert.equal(v.nodes.find((n) => n.id === hits[0])!.label, 'a * b');
    assert.ok(hits.length >= 2, 'the rest of d = a * b - c too');
    const labels = searchNodes(v, order, 'sq(b)').map((id) => v.nodes.find((n) => n.id === id)!.label);
    assert.deepEqual(labels, ['sq(b)', 'sq(d)', 'p'], 'the call, then the other nodes of p = sq(d) * sq(b)');
    assert.deepEqual(searchNodes(v, order, '  '), []);
    assert.deepEqual(searchNodes(v, order, 'nothing like this'), []);
  });

  it('shows no adjoint during the forward sweep, and every value during the reverse one', () => {
    assert.deepEqual(sweepKnows('forward', true), { value: true, adjoint: false });
    assert.deepEqual(sweepKnows('forward', false), { value: false, adjoint: false });
    assert.deepEqual(sweepKnows('reverse', false), { value: true, adjoint: false });
    assert.deepEqual(sweepKnows('reverse', true), { value: true, adjoint: true });
    assert.deepEqual(sweepKnows('none', false), { value: true, adjoint: true });
  });
});

describe('graph layout: groups, input order, keyboard moves', () => {
  it('draws each group around its nodes, groups apart, inputs first in parameter order', async () => {
    const v = buildViewGraph(graph, new Set(), new Set([graph.calls[0]!.id]));
    const l = await layoutGraph(v);
    const at = new Map(l.nodes.map((p) => [p.node.id, p]));
    for (const g of l.groups) {
      for (const id of g.group.members) {
        const p = at.get(id)!;
        assert.ok(p.x >= g.x && p.y >= g.y + 20 && p.x + p.width <= g.x + g.width && p.y + p.height <= g.y + g.height, `${id} sticks out of ${g.group.id}`);
      }
      for (const h of l.groups) {
        if (h === g) continue;
        const apart = g.x + g.width <= h.x || h.x + h.width <= g.x || g.y + g.height <= h.y || h.y + h.height <= g.y;
        assert.ok(apart, `${g.group.id} overlaps ${h.group.id}`);
      }
    }
    const inputs = l.nodes.filter((p) => p.node.isInput).sort((a, b) => a.x - b.x).map((p) => p.node.label);
    assert.deepEqual(inputs, ['a', 'b', 'c'], 'parameter order, not @wrt order');
  });

  it('nests the boxes of an expanded loop: each group inside its parent', async () => {
    const loop = computationGraph(RECURRENT, 'rnnLoop').graph!;
    const first = loop.calls[0]!.id;
    const v = buildViewGraph(loop, new Set([0]), new Set([first]));
    const l = await layoutGraph(v);
    const at = new Map(l.groups.map((g) => [g.group.id, g]));
    const inside = (a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }) =>
      a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.x + a.width <= b.x + b.width + 0.5 && a.y + a.height <= b.y + b.height + 0.5;
    let nested = 0;
    for (const g of l.groups) {
      if (!g.group.parent) continue;
      nested++;
      assert.ok(inside(g, at.get(g.group.parent)!), `${g.group.id} sticks out of ${g.group.parent}`);
    }
    assert.ok(nested >= 1);
    for (const p of l.nodes) if (p.node.group) assert.ok(inside(p, at.get(p.node.group)!), `${p.node.id} sticks out of ${p.node.group}`);
  });

  it('reuses the last layout when a refresh changes no text, and lays out again when one does', async () => {
    const src = readFileSync(join(__dirname, '..', '..', '..', '..', 'test', 'e2e', 'fixtures', 'recurrentCell.ts'), 'utf8');
    const first = await layoutGraph(buildViewGraph(computationGraph(src, 'rnnUnrolled').graph!, new Set()));
    const again = buildViewGraph(computationGraph(src, 'rnnUnrolled').graph!, new Set());
    const t = Date.now();
    const second = await layoutGraph(again);
    assert.ok(Date.now() - t < 100, `took ${Date.now() - t} ms`);
    assert.deepEqual(second.nodes.map((p) => [p.x, p.y]), first.nodes.map((p) => [p.x, p.y]));
    assert.ok(second.nodes.every((p, i) => p.node === again.nodes[i]), 'the nodes are the new view\'s');
    const moved = computationGraph(src, 'rnnUnrolled', { w11: 0.25 }).graph!;
    const third = await layoutGraph(buildViewGraph(moved, new Set()));
    assert.notEqual(third.nodes[0]!.lines[1], first.nodes[0]!.lines[1], 'new values, new texts, a new layout');
  });

  it('moves along edges with up and down, along the row with left and right', async () => {
    const v = buildViewGraph(graph, new Set());
    const l = await layoutGraph(v);
    const start = startNode(l)!;
    assert.ok(v.nodes.find((n) => n.id === start)!.isOutput);
    assert.equal(neighbour(l, start, 'down'), null, 'nothing below the output');
    const up = neighbour(l, start, 'up')!;
    assert.ok(v.edges.some((e) => e.from === up && e.to === start));
    assert.equal(neighbour(l, up, 'down'), start);
    const a = l.nodes.find((p) => p.node.label === 'a')!.node.id;
    const b = l.nodes.find((p) => p.node.label === 'b')!.node.id;
    assert.equal(neighbour(l, a, 'right'), b);
    assert.equal(neighbour(l, b, 'left'), a);
    assert.equal(neighbour(l, a, 'left'), null);
    assert.equal(neighbour(l, 'no such node', 'up'), null);
  });
});
