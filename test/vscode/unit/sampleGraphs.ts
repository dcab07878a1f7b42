// Computation graphs for the client tests, written by hand in the engine's ComputationGraph shape.
import type { ComputationGraph, GraphNode } from '../../../engine/api';

/** f(x, y) = x·y + sin(x) at (2, 3): value 6 + sin 2; adjoints x̄ = y + cos x, ȳ = x. */
export function smallGraph(): ComputationGraph {
  const x = 2, y = 3;
  const nodes: GraphNode[] = [
    { id: 0, op: 'input', label: 'x', range: { start: 10, end: 11 }, value: x, adjoint: y + Math.cos(x), inputs: [] },
    { id: 1, op: 'input', label: 'y', range: { start: 13, end: 14 }, value: y, adjoint: x, inputs: [] },
    { id: 2, op: '*', label: 'x * y', range: { start: 30, end: 35 }, value: x * y, adjoint: 1, inputs: [0, 1] },
    { id: 3, op: 'sin', label: 'Math.sin(x)', range: { start: 38, end: 49 }, value: Math.sin(x), adjoint: 1, inputs: [0] },
    { id: 4, op: '+', label: 'x * y + Math.sin(x)', range: { start: 30, end: 49 }, value: x * y + Math.sin(x), adjoint: 1, inputs: [2, 3] },
  ];
  return {
    functionName: 'f',
    point: { x, y },
    nodes,
    edges: [
      { from: 0, to: 2, partial: y },
      { from: 1, to: 2, partial: x },
      { from: 0, to: 3, partial: Math.cos(x) },
      { from: 2, to: 4, partial: 1 },
      { from: 3, to: 4, partial: 1 },
    ],
    outputs: [4],
    loops: [],
    statements: [],
    calls: [],
    truncated: false,
  };
}

/**
 * s = 0; for i < n: s += w[i] * x  (loop 1, with an inner loop 2 of `inner` steps per iteration
 * when `inner` > 0), then out = s * 2. Every iteration adds nodes, as an unrolled tape does.
 */
export function loopGraph(n: number, inner = 0): ComputationGraph {
  const nodes: GraphNode[] = [
    { id: 0, op: 'input', label: 'x', range: { start: 0, end: 1 }, value: 1, adjoint: 2 * n, inputs: [] },
    { id: 1, op: 'const', label: '0', range: { start: 5, end: 6 }, value: 0, adjoint: 0, inputs: [] },
  ];
  const edges: ComputationGraph['edges'] = [];
  let s = 1;
  let id = 2;
  for (let i = 0; i < n; i++) {
    let prev = s;
    for (let j = 0; j < inner; j++) {
      nodes.push({ id, op: '+', label: 't', range: { start: 40, end: 45 }, value: j, adjoint: 1, inputs: [prev], loop: { id: 2, iteration: j } });
      edges.push({ from: prev, to: id, partial: 1 });
      prev = id++;
    }
    nodes.push({ id, op: '*', label: 'w[i] * x', range: { start: 20, end: 28 }, value: i, adjoint: 2, inputs: [0], loop: { id: 1, iteration: i } });
    edges.push({ from: 0, to: id, partial: 1 });
    const mul = id++;
    nodes.push({ id, op: '+', label: 's', range: { start: 15, end: 28 }, value: i, adjoint: 2, inputs: [prev, mul], loop: { id: 1, iteration: i } });
    edges.push({ from: prev, to: id, partial: 1 }, { from: mul, to: id, partial: 1 });
    s = id++;
  }
  nodes.push({ id, op: '*', label: 's * 2', range: { start: 60, end: 65 }, value: 2 * n, adjoint: 1, inputs: [s] });
  edges.push({ from: s, to: id, partial: 2 });
  const loops = [{ id: 1, range: { start: 10, end: 50 }, tripCount: n }];
  if (inner > 0) loops.push({ id: 2, range: { start: 35, end: 48 }, tripCount: inner });
  return { functionName: 'g', point: { x: 1 }, nodes, edges, outputs: [id], loops, statements: [], calls: [], truncated: false };
}
