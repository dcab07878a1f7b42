// Lays the view graph out with ELK's layered algorithm (elkjs, the bundled build: it runs in the
// webview without a worker, so the CSP needs no worker-src or blob:). Node sizes come from their text.
// Groups (a statement's nodes, an expanded call's or loop's) are ELK compound nodes, so their boxes
// never overlap and nest; inputs sit in the first layer in the parameters' order.

import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import { formatNumber, sweepOrder, type ViewGraph, type ViewGroup, type ViewNode } from './graphModel';

export interface PlacedNode {
  node: ViewNode;
  x: number;
  y: number;
  width: number;
  height: number;
  lines: string[];
}

export interface PlacedEdge {
  id: string;
  from: string;
  to: string;
  partial: number | null;
  /** Polyline points, start to end. */
  points: { x: number; y: number }[];
}

export interface PlacedGroup {
  group: ViewGroup;
  x: number;
  y: number;
  width: number;
  height: number;
  /** The header: the statement's or call's text, shortened to the box. */
  title: string;
}

export interface Layout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  groups: PlacedGroup[];
  width: number;
  height: number;
}

const CHAR_WIDTH = 7.2;
const LINE_HEIGHT = 15;
const PAD = 8;
/** Height of a group's header line. */
export const GROUP_HEADER = 20;
const MAX_LINE = 48;
const MAX_GROUP_TITLE = 64;

function shorten(s: string, max: number): string {
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** The text lines a node box shows: operation and label, forward value, adjoint. */
export function nodeLines(n: ViewNode): string[] {
  if (n.kind === 'loop') return [n.label, `${n.members.length} nodes`, 'click to expand'];
  if (n.kind === 'iterations') return [n.label, `${n.members.length} nodes`, 'not drawn'];
  if (n.kind === 'call') return [shorten(`call  ${n.label}`, MAX_LINE), `v = ${formatNumber(n.value)}`, `v̄ = ${formatNumber(n.adjoint)}`, `${n.members.length} nodes: click to expand`];
  const head = n.label && n.label !== n.op ? `${n.op}  ${n.label}` : n.op;
  return [shorten(head, MAX_LINE), `v = ${formatNumber(n.value)}`, `v̄ = ${formatNumber(n.adjoint)}`];
}

function groupTitle(g: ViewGroup): string {
  if (g.kind === 'loop') return `${g.label}  (click to collapse)`;
  return shorten(g.kind === 'call' ? `call ${g.label}  (click to collapse)` : g.label, MAX_GROUP_TITLE);
}

let elk: InstanceType<typeof ELK> | null = null;

/** Above this many boxes ELK's layered layout takes seconds in the webview; a simpler one is used. */
export const ELK_NODE_LIMIT = 300;
const BIG_GRAPH = 80;

function nodeSize(lines: string[]): { width: number; height: number } {
  return {
    width: Math.ceil(Math.max(...lines.map((s) => s.length)) * CHAR_WIDTH + 2 * PAD),
    height: lines.length * LINE_HEIGHT + 2 * PAD - 4,
  };
}

/**
 * Longest-path layering, nodes of a layer side by side in evaluation order, straight edges: linear
 * time, for graphs too big for ELK (a fully expanded unrolled loop).
 */
export function simpleLayout(view: ViewGraph): Layout {
  const order = sweepOrder(view);
  const incoming = new Map<string, string[]>();
  for (const e of view.edges) (incoming.get(e.to) ?? incoming.set(e.to, []).get(e.to)!).push(e.from);
  const layer = new Map<string, number>();
  for (const id of order) layer.set(id, Math.max(-1, ...(incoming.get(id) ?? []).map((f) => layer.get(f) ?? 0)) + 1);
  const byId = new Map(view.nodes.map((n) => [n.id, n]));
  const rows: string[][] = [];
  for (const id of order) (rows[layer.get(id)!] ??= []).push(id);
  const placed = new Map<string, PlacedNode>();
  let y = 12, width = 0;
  for (const row of rows) {
    let x = 12, h = 0;
    for (const id of row ?? []) {
      const node = byId.get(id)!;
      const lines = nodeLines(node);
      const size = nodeSize(lines);
      placed.set(id, { node, x, y, ...size, lines });
      x += size.width + 20;
      h = Math.max(h, size.height);
    }
    width = Math.max(width, x);
    y += h + 36;
  }
  const edges: PlacedEdge[] = view.edges.map((e) => {
    const a = placed.get(e.from)!, b = placed.get(e.to)!;
    return { id: e.id, from: e.from, to: e.to, partial: e.partial, points: [{ x: a.x + a.width / 2, y: a.y + a.height }, { x: b.x + b.width / 2, y: b.y }] };
  });
  return { nodes: view.nodes.map((n) => placed.get(n.id)!), edges, groups: [], width, height: y };
}

/** The last ELK layout and what it was of: a refresh that changes no text (an edit elsewhere in the file) reuses it. */
let last: { key: string; layout: Layout } | null = null;

function layoutKey(view: ViewGraph, lines: Map<string, string[]>): string {
  return JSON.stringify([
    view.nodes.map((n) => [n.id, n.kind, n.group, n.isInput, lines.get(n.id)]),
    view.edges.map((e) => e.id),
    view.groups.map((g) => [g.id, g.parent, g.label]),
  ]);
}

/** `layout` with its nodes and groups pointing at `view`'s (same ids, same texts). */
function rebind(layout: Layout, view: ViewGraph): Layout {
  const nodes = new Map(view.nodes.map((n) => [n.id, n]));
  const groups = new Map(view.groups.map((g) => [g.id, g]));
  const partials = new Map(view.edges.map((e) => [e.id, e.partial]));
  return {
    ...layout,
    nodes: layout.nodes.map((p) => ({ ...p, node: nodes.get(p.node.id)! })),
    groups: layout.groups.map((p) => ({ ...p, group: groups.get(p.group.id)! })),
    edges: layout.edges.map((e) => ({ ...e, partial: partials.get(e.id) ?? null })),
  };
}

export async function layoutGraph(view: ViewGraph): Promise<Layout> {
  if (view.nodes.length > ELK_NODE_LIMIT) return simpleLayout(view);
  const lines = new Map(view.nodes.map((n) => [n.id, nodeLines(n)]));
  const key = layoutKey(view, lines);
  if (last && last.key === key) return rebind(last.layout, view);
  const layout = await elkLayout(view, lines);
  last = { key, layout };
  return layout;
}

async function elkLayout(view: ViewGraph, lines: Map<string, string[]>): Promise<Layout> {
  elk ??= new ELK();
  const child = (n: ViewNode): ElkNode => {
    const c: ElkNode = { id: n.id, ...nodeSize(lines.get(n.id)!) };
    if (n.isInput) c.layoutOptions = { 'elk.layered.layering.layerConstraint': 'FIRST' };
    return c;
  };
  // Inputs keep the parameters' order (the engine lists them so): semi-interactive crossing
  // minimisation keeps the order of nodes given a position, and still untangles the rest.
  const inputs = view.nodes.filter((n) => n.isInput && !n.group);
  const children: ElkNode[] = [];
  const groupBoxes = new Map<string, ElkNode>();
  const titles = new Map(view.groups.map((g) => [g.id, groupTitle(g)]));
  for (const g of view.groups) {
    const minWidth = Math.ceil(titles.get(g.id)!.length * CHAR_WIDTH * 0.92 + 2 * PAD);
    const box: ElkNode = {
      id: g.id,
      layoutOptions: {
        'elk.padding': `[top=${GROUP_HEADER + 6},left=8,bottom=8,right=8]`,
        'elk.nodeSize.constraints': 'MINIMUM_SIZE',
        'elk.nodeSize.minimum': `(${minWidth}, 20)`,
      },
      children: [],
    };
    groupBoxes.set(g.id, box);
  }
  // Groups nest (a statement's inside its loop's): parents come first in `view.groups`.
  for (const g of view.groups) (g.parent ? groupBoxes.get(g.parent)!.children! : children).push(groupBoxes.get(g.id)!);
  for (const n of view.nodes) {
    const c = child(n);
    const k = inputs.indexOf(n);
    if (k >= 0) c.layoutOptions = { ...c.layoutOptions, 'elk.position': `(${k * 100}, 0)` };
    (n.group ? groupBoxes.get(n.group)!.children! : children).push(c);
  }
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.edgeRouting': 'POLYLINE',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      // Every coordinate relative to the root, so nodes and edges of groups need no offsets.
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.nodeNode': '20',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.layered.crossingMinimization.semiInteractive': 'true',
      // Fewer sweeps on big graphs: a 200-node graph lays out in about a second instead of three.
      ...(view.nodes.length > BIG_GRAPH ? { 'elk.layered.thoroughness': '3' } : {}),
    },
    children,
    edges: view.edges.map((e): ElkExtendedEdge => ({ id: e.id, sources: [e.from], targets: [e.to] })),
  };
  const out = await elk.layout(root);
  const byId = new Map(view.nodes.map((n) => [n.id, n]));
  const groupById = new Map(view.groups.map((g) => [g.id, g]));
  const nodes: PlacedNode[] = [];
  const groups: PlacedGroup[] = [];
  const place = (c: ElkNode) => {
    const n = byId.get(c.id);
    if (n) nodes.push({ node: n, x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0, lines: lines.get(c.id)! });
    const g = groupById.get(c.id);
    if (g) {
      groups.push({ group: g, x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0, title: titles.get(g.id)! });
      for (const cc of c.children ?? []) place(cc);
    }
  };
  for (const c of out.children ?? []) place(c);
  // Keep the view's node order (tests and the sweep read it).
  const rank = new Map(view.nodes.map((n, i) => [n.id, i]));
  nodes.sort((a, b) => rank.get(a.node.id)! - rank.get(b.node.id)!);
  const edgeById = new Map(view.edges.map((e) => [e.id, e]));
  const edges: PlacedEdge[] = (out.edges ?? []).map((e) => {
    const s = (e as ElkExtendedEdge).sections?.[0];
    const src = edgeById.get(e.id)!;
    const points = s ? [s.startPoint, ...(s.bendPoints ?? []), s.endPoint] : [];
    return { id: e.id, from: src.from, to: src.to, partial: src.partial, points };
  });
  return { nodes, edges, groups, width: out.width ?? 0, height: out.height ?? 0 };
}
