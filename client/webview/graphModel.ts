// Turns the engine's ComputationGraph into what the webview draws: loops collapsed to one node
// with their trip count (so a 10,000-node unrolled loop stays one box until expanded), edges
// rewired and deduplicated, and the order the forward and reverse sweeps visit the nodes in.
// Pure functions, no DOM: unit-tested in node.

import type { ComputationGraph, GraphNode, Range } from '../../engine/api';

export interface ViewNode {
  id: string;
  /** `loop`: a collapsed loop; `iterations`: the hidden middle iterations of an expanded one. */
  kind: 'op' | 'loop' | 'iterations';
  op: string;
  label: string;
  /** Forward value; null for a collapsed loop. */
  value: number | null;
  adjoint: number | null;
  range: Range | null;
  /** Engine node ids this box stands for. */
  members: number[];
  loopId: number | null;
  tripCount: number | null;
  isInput: boolean;
  isOutput: boolean;
}

export interface ViewEdge {
  id: string;
  from: string;
  to: string;
  /** ∂to/∂from; null when the edge stands for several engine edges (into or out of a loop). */
  partial: number | null;
}

export interface ViewGraph {
  nodes: ViewNode[];
  edges: ViewEdge[];
}

type Loop = ComputationGraph['loops'][number];

function contains(outer: Range, inner: Range): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}

/**
 * The collapsed loop a node belongs to: the outermost loop that encloses the node's loop and is not
 * expanded. Loops nest by source range, since a node only records its innermost loop.
 */
function collapsedLoopOf(node: GraphNode, loops: Map<number, Loop>, expanded: ReadonlySet<number>): Loop | null {
  if (!node.loop) return null;
  const own = loops.get(node.loop.id);
  if (!own) return null;
  let best: Loop | null = null;
  for (const l of loops.values()) {
    if (expanded.has(l.id) || !contains(l.range, own.range)) continue;
    if (!best || contains(l.range, best.range)) best = l;
  }
  return best;
}

/** An expanded loop shows its first iterations and its last one; the rest stay one box. */
export const ITERATIONS_SHOWN_AT_START = 3;

/**
 * Iteration of `loop` each node inside it belongs to. A node records only its innermost loop, so a
 * node of a nested loop takes the iteration of the last node of `loop` itself seen before it (nodes
 * come in evaluation order). Each iteration is then a contiguous run of that order, so merging the
 * hidden ones into one box cannot make a cycle.
 */
function iterationsOf(graph: ComputationGraph, loop: Loop, loops: Map<number, Loop>): Map<number, number> {
  const out = new Map<number, number>();
  let current = 0;
  for (const n of graph.nodes) {
    if (!n.loop) continue;
    const own = loops.get(n.loop.id);
    if (!own || !contains(loop.range, own.range)) continue;
    if (n.loop.id === loop.id) current = n.loop.iteration;
    out.set(n.id, current);
  }
  return out;
}

export function buildViewGraph(graph: ComputationGraph, expanded: ReadonlySet<number>): ViewGraph {
  const loops = new Map(graph.loops.map((l) => [l.id, l]));
  const outputs = new Set(graph.outputs);
  const boxOf = new Map<number, string>();
  const nodes: ViewNode[] = [];
  const boxes = new Map<string, ViewNode>();

  // Expanded loops too long to draw whole: which iteration each of their nodes is in.
  const partial = [...loops.values()]
    .filter((l) => expanded.has(l.id) && l.tripCount > ITERATIONS_SHOWN_AT_START + 1)
    .map((l) => ({ loop: l, iterations: iterationsOf(graph, l, loops) }));

  const box = (id: string, make: () => ViewNode): ViewNode => {
    let b = boxes.get(id);
    if (!b) {
      b = make();
      boxes.set(id, b);
      nodes.push(b);
    }
    return b;
  };

  for (const n of graph.nodes) {
    const loop = collapsedLoopOf(n, loops, expanded);
    // The outermost rule wins: a collapsed loop, else the hidden middle of a partly shown loop.
    let hidden: Loop | null = null;
    for (const p of partial) {
      const it = p.iterations.get(n.id);
      if (it === undefined || (it < ITERATIONS_SHOWN_AT_START || it >= p.loop.tripCount - 1)) continue;
      if (!hidden || contains(p.loop.range, hidden.range)) hidden = p.loop;
    }
    const useLoop = loop && (!hidden || contains(loop.range, hidden.range)) ? loop : null;
    if (useLoop) {
      const b = box(`loop${useLoop.id}`, () => ({
        id: `loop${useLoop.id}`,
        kind: 'loop',
        op: 'loop',
        label: `loop ×${useLoop.tripCount}`,
        value: null,
        adjoint: null,
        range: useLoop.range,
        members: [],
        loopId: useLoop.id,
        tripCount: useLoop.tripCount,
        isInput: false,
        isOutput: false,
      }));
      b.members.push(n.id);
      if (outputs.has(n.id)) b.isOutput = true;
      boxOf.set(n.id, b.id);
    } else if (hidden) {
      const h = hidden;
      const b = box(`iters${h.id}`, () => ({
        id: `iters${h.id}`,
        kind: 'iterations',
        op: 'loop',
        label: `iterations ${ITERATIONS_SHOWN_AT_START + 1}–${h.tripCount - 1} of ${h.tripCount}`,
        value: null,
        adjoint: null,
        range: h.range,
        members: [],
        loopId: h.id,
        tripCount: h.tripCount - ITERATIONS_SHOWN_AT_START - 1,
        isInput: false,
        isOutput: false,
      }));
      b.members.push(n.id);
      if (outputs.has(n.id)) b.isOutput = true;
      boxOf.set(n.id, b.id);
    } else {
      const id = `n${n.id}`;
      boxOf.set(n.id, id);
      nodes.push({
        id,
        kind: 'op',
        op: n.op,
        label: n.label,
        value: n.value,
        adjoint: n.adjoint,
        range: n.range,
        members: [n.id],
        loopId: n.loop ? n.loop.id : null,
        tripCount: null,
        isInput: n.op === 'input',
        isOutput: outputs.has(n.id),
      });
    }
  }

  // Edges: from the explicit edge list, falling back on node inputs when the engine gave none.
  const raw: { from: number; to: number; partial: number | null }[] =
    graph.edges.length > 0
      ? graph.edges.map((e) => ({ from: e.from, to: e.to, partial: e.partial }))
      : graph.nodes.flatMap((n) => n.inputs.map((i) => ({ from: i, to: n.id, partial: null })));

  const edges = new Map<string, ViewEdge>();
  for (const e of raw) {
    const from = boxOf.get(e.from);
    const to = boxOf.get(e.to);
    if (from === undefined || to === undefined || from === to) continue;
    const id = `${from}->${to}`;
    const seen = edges.get(id);
    if (seen) {
      seen.partial = null;
      continue;
    }
    const merged = !from.startsWith('n') || !to.startsWith('n');
    edges.set(id, { id, from, to, partial: merged ? null : e.partial });
  }
  return { nodes, edges: [...edges.values()] };
}

/**
 * Topological order of the view graph (inputs first), stable on the engine's node order, which is
 * the evaluation order. The forward sweep visits it front to back, the reverse sweep back to front.
 */
export function sweepOrder(view: ViewGraph): string[] {
  const index = new Map(view.nodes.map((n, i) => [n.id, i]));
  const indegree = new Map(view.nodes.map((n) => [n.id, 0]));
  const out = new Map<string, string[]>();
  for (const e of view.edges) {
    indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
    (out.get(e.from) ?? out.set(e.from, []).get(e.from)!).push(e.to);
  }
  const ready = view.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => index.get(a)! - index.get(b)!);
    const id = ready.shift()!;
    order.push(id);
    for (const t of out.get(id) ?? []) {
      const d = indegree.get(t)! - 1;
      indegree.set(t, d);
      if (d === 0) ready.push(t);
    }
  }
  // A cycle cannot come from the engine; if one did, append the rest so every node is still visited.
  if (order.length < view.nodes.length) {
    const seen = new Set(order);
    for (const n of view.nodes) if (!seen.has(n.id)) order.push(n.id);
  }
  return order;
}

export type SweepMode = 'none' | 'forward' | 'reverse';

export interface SweepHighlight {
  /** The node being computed. */
  current: string | null;
  /** Edges lit: the inputs it reads (forward) or the edges its adjoint flows back along (reverse). */
  edges: Set<string>;
  /** Nodes whose value (forward) or adjoint (reverse) is known at this step. */
  done: Set<string>;
}

export function sweepHighlight(view: ViewGraph, order: string[], mode: SweepMode, step: number): SweepHighlight {
  if (mode === 'none' || order.length === 0) return { current: null, edges: new Set(), done: new Set(order) };
  const clamped = Math.max(0, Math.min(step, order.length - 1));
  const sequence = mode === 'forward' ? order : [...order].reverse();
  const current = sequence[clamped]!;
  const done = new Set(sequence.slice(0, clamped + 1));
  // In both sweeps the lit edges are the ones entering the current node: forward they carry the
  // inputs' values in, reverse they carry the current node's adjoint back out to its inputs.
  const edges = new Set(view.edges.filter((e) => e.to === current).map((e) => e.id));
  return { current, edges, done };
}

/** A number to 6 significant digits, as the hover prints it. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  const text = a >= 1e6 || a < 1e-4 ? v.toExponential(5).replace(/\.?0+e/, 'e') : String(Number(v.toPrecision(6)));
  return text.replace(/^-/, '−');
}
