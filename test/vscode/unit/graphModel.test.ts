import * as assert from 'node:assert/strict';
import { buildViewGraph, formatNumber, sweepHighlight, sweepOrder } from '../../../client/webview/graphModel';
import { loopGraph, smallGraph } from './sampleGraphs';

describe('webview graph model', () => {
  it('keeps every node and edge of a loop-free graph', () => {
    const v = buildViewGraph(smallGraph(), new Set());
    assert.equal(v.nodes.length, 5);
    assert.equal(v.edges.length, 5);
    assert.deepEqual(v.nodes.filter((n) => n.isInput).map((n) => n.label), ['x', 'y']);
    assert.deepEqual(v.nodes.filter((n) => n.isOutput).map((n) => n.id), ['n4']);
    assert.equal(v.edges.find((e) => e.id === 'n0->n2')?.partial, 3);
  });

  it('collapses a 1,000-iteration loop to one node with its trip count', () => {
    const g = loopGraph(1000);
    assert.equal(g.nodes.length, 2003);
    const v = buildViewGraph(g, new Set());
    assert.equal(v.nodes.length, 4, 'x, 0, the loop, s * 2');
    const loop = v.nodes.find((n) => n.kind === 'loop')!;
    assert.equal(loop.tripCount, 1000);
    assert.equal(loop.label, 'loop ×1000');
    assert.equal(loop.members.length, 2000);
    // Edges into and out of the loop are kept once each, internal ones dropped, none a self-loop.
    assert.deepEqual(v.edges.map((e) => e.id).sort(), ['loop1->n2002', 'n0->loop1', 'n1->loop1'].sort());
    assert.ok(v.edges.every((e) => e.from !== e.to));
    assert.equal(v.edges.find((e) => e.id === 'n0->loop1')?.partial, null, 'a merged edge has no single partial');
  });

  it('expands a loop on request, and collapses an inner loop into its outer one', () => {
    const g = loopGraph(3, 2);
    const collapsed = buildViewGraph(g, new Set());
    assert.equal(collapsed.nodes.filter((n) => n.kind === 'loop').length, 1, 'the inner loop is inside the collapsed outer loop');
    const outerOpen = buildViewGraph(g, new Set([1]));
    const boxes = outerOpen.nodes.filter((n) => n.kind === 'loop');
    assert.deepEqual(boxes.map((b) => b.loopId), [2]);
    assert.equal(boxes[0]!.tripCount, 2);
    const all = buildViewGraph(g, new Set([1, 2]));
    assert.equal(all.nodes.length, g.nodes.length);
  });

  it('expands a long loop to its first three iterations, its last, and one box for the rest', () => {
    const g = loopGraph(1000);
    const v = buildViewGraph(g, new Set([1]));
    const shown = v.nodes.filter((n) => n.kind === 'op' && n.loopId === 1);
    assert.equal(shown.length, 4 * 2, 'iterations 0, 1, 2 and 999, two nodes each');
    const rest = v.nodes.filter((n) => n.kind === 'iterations');
    assert.equal(rest.length, 1);
    assert.equal(rest[0]!.label, 'iterations 4–999 of 1000');
    assert.equal(rest[0]!.members.length, 996 * 2);
    assert.equal(v.nodes.length, 2 + 8 + 1 + 1);
    const order = sweepOrder(v);
    const pos = new Map(order.map((id, i) => [id, i]));
    for (const e of v.edges) assert.ok(pos.get(e.from)! < pos.get(e.to)!, `${e.id}: merging the hidden iterations made a cycle`);
    // Nested: the outer loop partly shown, each shown iteration's inner loop still collapsed.
    const nested = buildViewGraph(loopGraph(10, 50), new Set([1]));
    assert.equal(nested.nodes.filter((n) => n.kind === 'loop').length, 1, 'inner loop nodes share one box per loop id');
    assert.equal(nested.nodes.filter((n) => n.kind === 'iterations').length, 1);
  });

  it('orders the sweep inputs first and each node after its inputs', () => {
    const g = loopGraph(5, 1);
    for (const expanded of [new Set<number>(), new Set([1, 2])]) {
      const v = buildViewGraph(g, expanded);
      const order = sweepOrder(v);
      assert.equal(order.length, v.nodes.length);
      const pos = new Map(order.map((id, i) => [id, i]));
      for (const e of v.edges) assert.ok(pos.get(e.from)! < pos.get(e.to)!, `${e.id} goes backwards`);
    }
  });

  it('lights the node being computed and the edges into it, forward and reverse', () => {
    const v = buildViewGraph(smallGraph(), new Set());
    const order = sweepOrder(v);
    assert.deepEqual(order, ['n0', 'n1', 'n2', 'n3', 'n4']);
    const f = sweepHighlight(v, order, 'forward', 2);
    assert.equal(f.current, 'n2');
    assert.deepEqual([...f.edges].sort(), ['n0->n2', 'n1->n2']);
    assert.deepEqual([...f.done].sort(), ['n0', 'n1', 'n2']);
    const r0 = sweepHighlight(v, order, 'reverse', 0);
    assert.equal(r0.current, 'n4', 'the reverse sweep starts at the output');
    assert.deepEqual([...r0.edges].sort(), ['n2->n4', 'n3->n4']);
    const r1 = sweepHighlight(v, order, 'reverse', 1);
    assert.equal(r1.current, 'n3');
    assert.deepEqual([...r1.edges], ['n0->n3']);
    const none = sweepHighlight(v, order, 'none', 0);
    assert.equal(none.current, null);
    assert.equal(none.done.size, 5);
    assert.equal(sweepHighlight(v, order, 'forward', 99).current, 'n4', 'a step past the end stays on the last node');
  });

  it('formats numbers to 6 significant digits with a real minus sign', () => {
    assert.equal(formatNumber(625.25), '625.25');
    assert.equal(formatNumber(-500), '−500');
    assert.equal(formatNumber(Math.PI), '3.14159');
    assert.equal(formatNumber(1 / 3), '0.333333');
    assert.equal(formatNumber(1.23456789e-7), '1.23457e-7');
    assert.equal(formatNumber(-2.5e9), '−2.5e+9');
    assert.equal(formatNumber(0), '0');
    assert.equal(formatNumber(NaN), 'NaN');
    assert.equal(formatNumber(-Infinity), '−∞');
    assert.equal(formatNumber(null), '—');
  });
});
