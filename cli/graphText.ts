// The computation graph as Graphviz DOT, and as JSON with line/column added to every source range.

import type { ComputationGraph, GraphNode } from '../engine/index';
import { formatNumber } from './format';
import type { LineIndex } from './lineIndex';

/** Short node text: the label (or op), its forward value and its adjoint. */
export function nodeLines(node: GraphNode, digits = 6): string[] {
  const head = node.label && node.label !== node.op ? `${node.label}  (${node.op})` : node.op;
  const lines = [head, `value ${formatNumber(node.value, digits)}`, `adjoint ${formatNumber(node.adjoint, digits)}`];
  if (node.loop) lines.push(`loop ${node.loop.id} · iteration ${node.loop.iteration}`);
  return lines;
}

export type NodeRole = 'input' | 'const' | 'output' | 'op';

export function nodeRole(graph: ComputationGraph, node: GraphNode): NodeRole {
  if (graph.outputs.includes(node.id)) return 'output';
  if (node.op === 'input') return 'input';
  if (node.op === 'const') return 'const';
  return 'op';
}

function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

export function graphToDot(graph: ComputationGraph): string {
  const lines: string[] = [];
  lines.push(`digraph ${dotString(graph.functionName)} {`);
  lines.push('  rankdir=TB;');
  lines.push('  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=10];');
  lines.push('  edge [fontname="Helvetica", fontsize=9, color="#555555"];');
  const fill: Record<NodeRole, string> = { input: '#dbeafe', const: '#f3f4f6', output: '#dcfce7', op: '#ffffff' };
  for (const node of graph.nodes) {
    const role = nodeRole(graph, node);
    const shape = role === 'input' || role === 'output' ? ', shape=ellipse' : '';
    lines.push(`  n${node.id} [label=${dotString(nodeLines(node).join('\n'))}, fillcolor="${fill[role]}"${shape}];`);
  }
  for (const edge of graph.edges) {
    lines.push(`  n${edge.from} -> n${edge.to} [label=${dotString(formatNumber(edge.partial, 4))}];`);
  }
  if (graph.truncated) {
    lines.push(`  truncated [shape=plaintext, label="graph truncated at ${graph.nodes.length} nodes"];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** The engine's graph as is, plus `file` and line/column for every node's range. */
export function graphToJson(graph: ComputationGraph, file: string, index: LineIndex): unknown {
  return {
    file,
    ...graph,
    nodes: graph.nodes.map((node) => ({
      ...node,
      location: node.range ? { start: index.position(node.range.start), end: index.position(node.range.end) } : null,
    })),
  };
}
