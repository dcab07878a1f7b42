// Turns the engine's ComputationGraph into what the webview draws: loops collapsed to one node
// with their trip count (so a 10,000-node unrolled loop stays one box until expanded), helper calls
// collapsed to one node each until expanded, the rest grouped by source statement, edges rewired
// and deduplicated, and the order the forward and reverse sweeps visit the nodes in.
// Pure functions, no DOM: unit-tested in node.

import type { ComputationGraph, GraphNode, Range } from '../../engine/api';

export interface ViewNode {
  id: string;
  /** `loop`: a collapsed loop; `iterations`: the hidden middle iterations of an expanded one; `call`: a collapsed helper call. */
  kind: 'op' | 'loop' | 'iterations' | 'call';
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
  /** The helper call this box is (a collapsed `call`) or is inside (an expanded one's node). */
  callId: number | null;
  /** The group box drawn around this node, if any (an id of `ViewGraph.groups`). */
  group: string | null;
  isInput: boolean;
  isOutput: boolean;
}

/**
 * A box drawn around nodes: those of one source statement, of one expanded helper call, or of one
 * expanded loop (the last two collapse again on a click on their header).
 */
export interface ViewGroup {
  id: string;
  kind: 'statement' | 'call' | 'loop';
  /** The statement's or the call's source text; a loop's trip count. */
  label: string;
  range: Range;
  callId: number | null;
  loopId: number | null;
  /** The group this one is drawn inside (an expanded loop's), if any. */
  parent: string | null;
  /** The nodes directly inside (not those of groups inside it). */
  members: string[];
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
  groups: ViewGroup[];
}

/** What the user expanded: loops and helper calls, by the engine's ids. */
export interface Expansion {
  loops: ReadonlySet<number>;
  calls: ReadonlySet<number>;
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

export function buildViewGraph(graph: ComputationGraph, expanded: ReadonlySet<number>, expandedCalls: ReadonlySet<number> = new Set()): ViewGraph {
  const loops = new Map(graph.loops.map((l) => [l.id, l]));
  const calls = new Map((graph.calls ?? []).map((c) => [c.id, c]));
  // A call of one node (a helper with a @derivative rule) is drawn as that node, labelled with the call.
  const callSize = new Map<number, number>();
  for (const n of graph.nodes) if (n.call !== undefined) callSize.set(n.call, (callSize.get(n.call) ?? 0) + 1);
  /** View node id -> statement group key, for the nodes drawn as themselves or as a call box. */
  const statementOf = new Map<string, string>();
  /** View node id -> the expanded loop it is drawn inside (its innermost), if any. */
  const loopOf = new Map<string, number>();
  /** The innermost expanded loop holding `range` (strictly: not the loop of that very range). */
  const expandedAround = (range: Range, strict: boolean): number | null => {
    let best: Loop | null = null;
    for (const l of loops.values()) {
      if (!expanded.has(l.id) || !contains(l.range, range) || (strict && l.range.start === range.start && l.range.end === range.end)) continue;
      if (!best || contains(best.range, l.range)) best = l;
    }
    return best ? best.id : null;
  };
  const outputs = new Set(graph.outputs);
  const boxOf = new Map<number, string>();
  const nodes: ViewNode[] = [];
  const boxes = new Map<string, ViewNode>();

  // Expanded loops too long to draw whole: which iteration each of their nodes is in.
  const partial = [...loops.values()]
    .filter((l) => expanded.has(l.id) && l.tripCount > ITERATIONS_SHOWN_AT_START + 1)
    .map((l) => ({ loop: l, iterations: iterationsOf(graph, l, loops) }));

  /** The box `id` (made on first use, with what a box never has: a value, an adjoint, a group), with `n` put in it. */
  const boxInto = (n: GraphNode, id: string, make: () => Pick<ViewNode, 'kind' | 'op' | 'label' | 'range' | 'loopId' | 'tripCount' | 'callId'>): ViewNode => {
    let b = boxes.get(id);
    if (!b) {
      b = { id, value: null, adjoint: null, members: [], group: null, isInput: false, isOutput: false, ...make() };
      boxes.set(id, b);
      nodes.push(b);
    }
    b.members.push(n.id);
    if (outputs.has(n.id)) b.isOutput = true;
    boxOf.set(n.id, b.id);
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
      const b = boxInto(n, `loop${useLoop.id}`, () => ({
        kind: 'loop',
        op: 'loop',
        label: `loop ×${useLoop.tripCount}`,
        range: useLoop.range,
        loopId: useLoop.id,
        tripCount: useLoop.tripCount,
        callId: null,
      }));
      const around = expandedAround(useLoop.range, true);
      if (around !== null) loopOf.set(b.id, around);
    } else if (hidden) {
      const h = hidden;
      const b = boxInto(n, `iters${h.id}`, () => ({
        kind: 'iterations',
        op: 'loop',
        label: `iterations ${ITERATIONS_SHOWN_AT_START + 1}–${h.tripCount - 1} of ${h.tripCount}`,
        range: h.range,
        loopId: h.id,
        tripCount: h.tripCount - ITERATIONS_SHOWN_AT_START - 1,
        callId: null,
      }));
      loopOf.set(b.id, h.id);
    } else if (n.call !== undefined && calls.has(n.call) && (callSize.get(n.call) ?? 0) > 1 && !expandedCalls.has(n.call)) {
      const c = calls.get(n.call)!;
      const b = boxInto(n, `call${c.id}`, () => ({
        kind: 'call',
        op: 'call',
        label: c.text,
        range: c.range,
        loopId: n.loop ? n.loop.id : null,
        tripCount: null,
        callId: c.id,
      }));
      if (n.statement !== undefined) statementOf.set(b.id, statementKey(n));
      if (n.loop) loopOf.set(b.id, n.loop.id);
    } else {
      const id = `n${n.id}`;
      boxOf.set(n.id, id);
      const inCall = n.call !== undefined && (callSize.get(n.call) ?? 0) > 1 ? n.call : null;
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
        callId: inCall,
        group: null,
        isInput: n.op === 'input',
        isOutput: outputs.has(n.id),
      });
      if (inCall !== null) statementOf.set(id, `call:${inCall}`);
      else if (n.statement !== undefined) statementOf.set(id, statementKey(n));
      if (n.loop) loopOf.set(id, n.loop.id);
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
  const edgeList = [...edges.values()];
  callResults(nodes, graph);
  const loopParent = (l: Loop) => expandedAround(l.range, true);
  return { nodes, edges: edgeList, groups: groupsOf(nodes, statementOf, loopOf, loopParent, graph) };
}

/** Statement groups are per loop iteration: the same statement in two iterations is two boxes. */
function statementKey(n: GraphNode): string {
  return n.loop ? `s${n.statement}@${n.loop.id}.${n.loop.iteration}` : `s${n.statement}`;
}

/**
 * A collapsed call shows the value and adjoint of what it returns: its last node read from outside
 * the call (or its last node).
 */
function callResults(nodes: ViewNode[], graph: ComputationGraph): void {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  for (const b of nodes) {
    if (b.kind !== 'call') continue;
    const members = new Set(b.members);
    const readOutside = new Set<number>();
    for (const e of graph.edges) if (members.has(e.from) && !members.has(e.to)) readOutside.add(e.from);
    if (graph.outputs.some((o) => members.has(o))) for (const o of graph.outputs) if (members.has(o)) readOutside.add(o);
    const result = [...b.members].reverse().find((m) => readOutside.has(m)) ?? b.members[b.members.length - 1]!;
    const r = byId.get(result)!;
    b.value = r.value;
    b.adjoint = r.adjoint;
  }
}

/**
 * The group boxes: one per statement (and loop iteration) of two or more nodes, one per expanded
 * call, one per expanded loop with something drawn in it; each node in its innermost one.
 */
function groupsOf(
  nodes: ViewNode[], keyOf: Map<string, string>, loopOf: Map<string, number>, loopParent: (l: Loop) => number | null, graph: ComputationGraph,
): ViewGroup[] {
  const statements = new Map((graph.statements ?? []).map((s) => [s.id, s]));
  const calls = new Map((graph.calls ?? []).map((c) => [c.id, c]));
  const loops = new Map(graph.loops.map((l) => [l.id, l]));
  const groups: ViewGroup[] = [];
  const loopGroups = new Map<number, ViewGroup>();
  const loopGroup = (id: number): ViewGroup | null => {
    const l = loops.get(id);
    if (!l) return null;
    let g = loopGroups.get(id);
    if (!g) {
      const parentId = loopParent(l);
      const parent = parentId === null ? null : loopGroup(parentId);
      g = { id: `gloop${id}`, kind: 'loop', label: `loop ×${l.tripCount}`, range: l.range, callId: null, loopId: id, parent: parent?.id ?? null, members: [] };
      loopGroups.set(id, g);
      groups.push(g);
    }
    return g;
  };
  const members = new Map<string, string[]>();
  for (const n of nodes) {
    const k = keyOf.get(n.id);
    if (k !== undefined) (members.get(k) ?? members.set(k, []).get(k)!).push(n.id);
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const [key, ids] of members) {
    const isCall = key.startsWith('call:');
    if (ids.length < 2 && !isCall) continue;
    const around = loopOf.get(ids[0]!);
    const parent = around === undefined ? null : loopGroup(around)?.id ?? null;
    let group: ViewGroup | null = null;
    if (isCall) {
      const c = calls.get(Number(key.slice(5)));
      if (c) group = { id: `g${key.replace(':', '')}`, kind: 'call', label: c.text, range: c.range, callId: c.id, loopId: null, parent, members: ids };
    } else {
      const s = statements.get(Number(/^s(\d+)/.exec(key)![1]));
      if (s) group = { id: `g${key.replace(/[@.]/g, '_')}`, kind: 'statement', label: s.text, range: s.range, callId: null, loopId: null, parent, members: ids };
    }
    if (!group) continue;
    for (const id of ids) byId.get(id)!.group = group.id;
    groups.push(group);
  }
  // What is in no statement or call group sits directly in its loop's.
  for (const n of nodes) {
    const around = loopOf.get(n.id);
    if (n.group !== null || around === undefined) continue;
    const g = loopGroup(around);
    if (!g) continue;
    n.group = g.id;
    g.members.push(n.id);
  }
  return groups;
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

/**
 * The view nodes whose source matches `query` (case-insensitive): their label (a variable, an
 * expression, a call), then those whose statement's text matches, in sweep order within each.
 */
export function searchNodes(view: ViewGraph, order: string[], query: string): string[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const rank = new Map(order.map((id, i) => [id, i]));
  const groups = new Map(view.groups.map((g) => [g.id, g]));
  const direct: ViewNode[] = [];
  const inStatement: ViewNode[] = [];
  for (const n of view.nodes) {
    if (n.label.toLowerCase().includes(q) || n.op.toLowerCase() === q) direct.push(n);
    else if (n.group && groups.get(n.group)!.label.toLowerCase().includes(q)) inStatement.push(n);
  }
  const byOrder = (a: ViewNode, b: ViewNode) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0);
  return [...direct.sort(byOrder), ...inStatement.sort(byOrder)].map((n) => n.id);
}

/**
 * What a node can show during a sweep. Forward: the values of the nodes computed so far, and no
 * adjoint at all (adjoints come from the reverse sweep, which starts after the forward one ends).
 * Reverse: every value (the forward sweep is done), and the adjoints propagated so far.
 */
export function sweepKnows(mode: SweepMode, visited: boolean): { value: boolean; adjoint: boolean } {
  if (mode === 'forward') return { value: visited, adjoint: false };
  if (mode === 'reverse') return { value: true, adjoint: visited };
  return { value: true, adjoint: true };
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
