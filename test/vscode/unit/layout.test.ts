import * as assert from 'node:assert/strict';
import { buildViewGraph } from '../../../client/webview/graphModel';
import { ELK_NODE_LIMIT, layoutGraph, nodeLines, simpleLayout } from '../../../client/webview/layout';
import { loopGraph, smallGraph } from './sampleGraphs';

describe('graph layout (elkjs)', () => {
  it('places every node without overlap, inputs above what they feed', async () => {
    const view = buildViewGraph(smallGraph(), new Set());
    const l = await layoutGraph(view);
    assert.equal(l.nodes.length, 5);
    assert.equal(l.edges.length, 5);
    for (const a of l.nodes) for (const b of l.nodes) {
      if (a === b) continue;
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      assert.ok(apart, `${a.node.id} overlaps ${b.node.id}`);
    }
    const y = new Map(l.nodes.map((n) => [n.node.id, n.y]));
    for (const e of view.edges) assert.ok(y.get(e.from)! < y.get(e.to)!, `${e.id} does not point down`);
    assert.ok(l.edges.every((e) => e.points.length >= 2), 'an edge has no route');
  });

  it('shows op, value and adjoint on each node', () => {
    const view = buildViewGraph(smallGraph(), new Set());
    assert.deepEqual(nodeLines(view.nodes[2]!), ['*  x * y', 'v = 6', 'v̄ = 1']);
    assert.deepEqual(nodeLines(view.nodes[0]!), ['input  x', 'v = 2', 'v̄ = 2.58385']);
  });

  it('lays out a collapsed 1,000-iteration loop quickly', async () => {
    const t = Date.now();
    const l = await layoutGraph(buildViewGraph(loopGraph(1000), new Set()));
    assert.equal(l.nodes.length, 4);
    assert.ok(Date.now() - t < 2000, `took ${Date.now() - t} ms`);
  });

  it('falls back to a linear-time layered layout for a fully expanded 1,000-iteration loop', async () => {
    const view = buildViewGraph(loopGraph(1000), new Set([1]));
    // Fully expanded means every iteration drawn: build it without the iteration cap.
    const full = { nodes: loopGraph(1000).nodes.map((n) => ({ ...view.nodes[0]!, id: `n${n.id}`, members: [n.id], label: n.label, op: n.op })), edges: loopGraph(1000).edges.map((e) => ({ id: `n${e.from}->n${e.to}`, from: `n${e.from}`, to: `n${e.to}`, partial: e.partial })), groups: [] };
    assert.ok(full.nodes.length > ELK_NODE_LIMIT);
    const t = Date.now();
    const l = await layoutGraph(full);
    assert.ok(Date.now() - t < 1000, `took ${Date.now() - t} ms`);
    assert.equal(l.nodes.length, 2003);
    const y = new Map(l.nodes.map((n) => [n.node.id, n.y]));
    for (const e of full.edges) assert.ok(y.get(e.from)! < y.get(e.to)!, `${e.id} does not point down`);
    assert.deepEqual(simpleLayout(full).nodes.map((n) => n.node.id), l.nodes.map((n) => n.node.id));
  });
});
