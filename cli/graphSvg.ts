// Draws a computation graph as a standalone SVG: ELK (the layout library the webview uses) places
// nodes and routes edges; the SVG is written here, with inline styles so it renders anywhere.

import type { ELK as ElkLayouter, ElkExtendedEdge, ElkNode, ElkPoint } from 'elkjs/lib/elk-api';
import type { ComputationGraph } from '../engine/index';
import { formatNumber } from './format';
import { nodeLines, nodeRole, type NodeRole } from './graphText';

type ElkConstructor = new () => ElkLayouter;

const FONT_SIZE = 12;
const CHAR_WIDTH = 7.3; // advance of a 12px monospace glyph, close enough for box sizes
const LINE_HEIGHT = 15;
const PAD_X = 10;
const PAD_Y = 7;
const EDGE_FONT_SIZE = 10;
const EDGE_CHAR_WIDTH = 6.1;
const MARGIN = 20;

const FILL: Record<NodeRole, string> = { input: '#dbeafe', const: '#f3f4f6', output: '#dcfce7', op: '#ffffff' };
const STROKE: Record<NodeRole, string> = { input: '#2563eb', const: '#9ca3af', output: '#16a34a', op: '#374151' };

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

function textWidth(s: string, charWidth: number): number {
  return [...s].length * charWidth;
}

export async function graphToSvg(graph: ComputationGraph): Promise<string> {
  const lines = new Map(graph.nodes.map((n) => [n.id, nodeLines(n)]));
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.nodeNode': '24',
      'elk.spacing.edgeLabel': '2',
      'elk.edgeLabels.inline': 'true',
    },
    children: graph.nodes.map((n) => {
      const text = lines.get(n.id) ?? [];
      return {
        id: `n${n.id}`,
        width: Math.ceil(Math.max(...text.map((t) => textWidth(t, CHAR_WIDTH)), 24) + 2 * PAD_X),
        height: text.length * LINE_HEIGHT + 2 * PAD_Y,
      };
    }),
    edges: graph.edges.map((e, i) => {
      const label = formatNumber(e.partial, 4);
      return {
        id: `e${i}`,
        sources: [`n${e.from}`],
        targets: [`n${e.to}`],
        labels: [{ text: label, width: textWidth(label, EDGE_CHAR_WIDTH) + 4, height: EDGE_FONT_SIZE + 4 }],
      };
    }),
  };

  // Loaded on demand: ELK is most of the CLI's size and only `graph --format svg` needs it.
  // Its CommonJS export reaches us as `default` or `default.default` depending on the loader.
  const loaded = (await import('elkjs/lib/elk.bundled.js')) as unknown as { default: ElkConstructor | { default: ElkConstructor } };
  const ELK = typeof loaded.default === 'function' ? loaded.default : loaded.default.default;
  const elk = new ELK();
  const laid = await elk.layout(root);

  const width = Math.ceil((laid.width ?? 0) + 2 * MARGIN);
  const titleHeight = 28;
  const height = Math.ceil((laid.height ?? 0) + 2 * MARGIN + titleHeight);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace">`);
  out.push(`<title>${escapeXml(`Computation graph of ${graph.functionName}`)}</title>`);
  out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#6b7280"/></marker></defs>');
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  const pointText = Object.entries(graph.point)
    .map(([k, v]) => `${k} = ${Array.isArray(v) ? `[${v.map((x) => formatNumber(x, 6)).join(', ')}]` : formatNumber(v, 6)}`)
    .join(', ');
  const title = `${graph.functionName}${pointText ? ` at ${pointText}` : ''}${graph.truncated ? ` (truncated at ${graph.nodes.length} nodes)` : ''}`;
  out.push(`<text x="${MARGIN}" y="${MARGIN + 4}" font-size="13" font-weight="bold" fill="#111827">${escapeXml(title)}</text>`);
  out.push(`<g transform="translate(${MARGIN},${MARGIN + titleHeight})">`);

  out.push('<g class="edges" fill="none" stroke="#6b7280" stroke-width="1.2">');
  for (const edge of (laid.edges ?? []) as ElkExtendedEdge[]) {
    for (const section of edge.sections ?? []) {
      const pts: ElkPoint[] = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
      out.push(`<path d="${pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${round(p.x)},${round(p.y)}`).join(' ')}" marker-end="url(#arrow)"/>`);
    }
  }
  out.push('</g>');

  out.push(`<g class="edge-labels" font-size="${EDGE_FONT_SIZE}" fill="#6b7280">`);
  for (const edge of (laid.edges ?? []) as ElkExtendedEdge[]) {
    for (const label of edge.labels ?? []) {
      if (label.x === undefined || label.y === undefined || !label.text) continue;
      out.push(`<text x="${round(label.x + 2)}" y="${round(label.y + EDGE_FONT_SIZE)}">${escapeXml(label.text)}</text>`);
    }
  }
  out.push('</g>');

  out.push(`<g class="nodes" font-size="${FONT_SIZE}">`);
  const byId = new Map(graph.nodes.map((n) => [`n${n.id}`, n]));
  for (const child of laid.children ?? []) {
    const node = byId.get(child.id);
    if (!node) continue;
    const role = nodeRole(graph, node);
    const x = child.x ?? 0;
    const y = child.y ?? 0;
    out.push(`<g class="node ${role}" data-id="${node.id}">`);
    out.push(`<rect x="${round(x)}" y="${round(y)}" width="${child.width}" height="${child.height}" rx="6" fill="${FILL[role]}" stroke="${STROKE[role]}"/>`);
    (lines.get(node.id) ?? []).forEach((line, i) => {
      const style = i === 0 ? ' font-weight="bold" fill="#111827"' : ' fill="#374151"';
      out.push(`<text x="${round(x + PAD_X)}" y="${round(y + PAD_Y + (i + 1) * LINE_HEIGHT - 3)}"${style}>${escapeXml(line)}</text>`);
    });
    out.push('</g>');
  }
  out.push('</g>');
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
