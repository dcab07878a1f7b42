// Lays the view graph out with ELK's layered algorithm (elkjs, the bundled build: it runs in the
// webview without a worker, so the CSP needs no worker-src or blob:). Node sizes come from their text.

import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import { formatNumber, sweepOrder, type ViewGraph, type ViewNode } from './graphModel';

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

export interface Layout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

const CHAR_WIDTH = 7.2;
const LINE_HEIGHT = 15;
const PAD = 8;

/** The text lines a node box shows: operation and label, forward value, adjoint. */
export function nodeLines(n: ViewNode): string[] {
  if (n.kind === 'loop') return [n.label, `${n.members.length} nodes`, 'click to expand'];
  if (n.kind === 'iterations') return [n.label, `${n.members.length} nodes`, 'not drawn'];
  const head = n.label && n.label !== n.op ? `${n.op}  ${n.label}` : n.op;
  return [head, `v = ${formatNumber(n.value)}`, `v̄ = ${formatNumber(n.adjoint)}`];
}

let elk: InstanceType<typeof ELK> | null = null;

/** Above this many boxes ELK's layered layout takes seconds in the webview; a simpler one is used. */
export const ELK_NODE_LIMIT = 300;

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
  return { nodes: view.nodes.map((n) => placed.get(n.id)!), edges, width, height: y };
}

export async function layoutGraph(view: ViewGraph): Promise<Layout> {
  if (view.nodes.length > ELK_NODE_LIMIT) return simpleLayout(view);
  elk ??= new ELK();
  const lines = new Map(view.nodes.map((n) => [n.id, nodeLines(n)]));
  const size = (n: ViewNode) => nodeSize(lines.get(n.id)!);
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.edgeRouting': 'POLYLINE',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.nodeNode': '20',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    },
    children: view.nodes.map((n) => ({ id: n.id, ...size(n) })),
    edges: view.edges.map((e): ElkExtendedEdge => ({ id: e.id, sources: [e.from], targets: [e.to] })),
  };
  const out = await elk.layout(root);
  const byId = new Map(view.nodes.map((n) => [n.id, n]));
  const nodes: PlacedNode[] = (out.children ?? []).map((c) => ({
    node: byId.get(c.id)!,
    x: c.x ?? 0,
    y: c.y ?? 0,
    width: c.width ?? 0,
    height: c.height ?? 0,
    lines: lines.get(c.id)!,
  }));
  const edgeById = new Map(view.edges.map((e) => [e.id, e]));
  const edges: PlacedEdge[] = (out.edges ?? []).map((e) => {
    const s = (e as ElkExtendedEdge).sections?.[0];
    const src = edgeById.get(e.id)!;
    const points = s ? [s.startPoint, ...(s.bendPoints ?? []), s.endPoint] : [];
    return { id: e.id, from: src.from, to: src.to, partial: src.partial, points };
  });
  return { nodes, edges, width: out.width ?? 0, height: out.height ?? 0 };
}
