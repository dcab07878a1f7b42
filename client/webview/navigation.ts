// Keyboard moves between nodes of the laid-out graph. Up and Down follow edges (inputs are above
// what they feed): to the input, or the node fed, nearest in x. Left and Right move along the row
// (nodes overlapping vertically), to the nearest one on that side. Pure, unit-tested in node.

import type { Layout, PlacedNode } from './layout';

export type Direction = 'up' | 'down' | 'left' | 'right';

const centerX = (p: PlacedNode) => p.x + p.width / 2;
const centerY = (p: PlacedNode) => p.y + p.height / 2;

export function neighbour(layout: Layout, from: string, direction: Direction): string | null {
  const byId = new Map(layout.nodes.map((p) => [p.node.id, p]));
  const here = byId.get(from);
  if (!here) return null;
  let candidates: PlacedNode[];
  if (direction === 'up' || direction === 'down') {
    const ids = layout.edges
      .filter((e) => (direction === 'up' ? e.to === from : e.from === from))
      .map((e) => (direction === 'up' ? e.from : e.to));
    candidates = ids.map((id) => byId.get(id)).filter((p): p is PlacedNode => p !== undefined);
  } else {
    const sign = direction === 'left' ? -1 : 1;
    const row = layout.nodes.filter((p) => p !== here && p.y < here.y + here.height && here.y < p.y + p.height);
    candidates = row.filter((p) => sign * (centerX(p) - centerX(here)) > 0);
  }
  if (candidates.length === 0) return null;
  const cost = (p: PlacedNode) => Math.abs(centerX(p) - centerX(here)) + 0.25 * Math.abs(centerY(p) - centerY(here));
  return candidates.reduce((best, p) => (cost(p) < cost(best) ? p : best)).node.id;
}

/** Where keyboard navigation starts: the output (the first one), else the first node. */
export function startNode(layout: Layout): string | null {
  return (layout.nodes.find((p) => p.node.isOutput) ?? layout.nodes[0])?.node.id ?? null;
}
