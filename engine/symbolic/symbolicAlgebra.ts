// The symbolic algebra: the IR interpreter runs a function on expression nodes instead of numbers.
//
// Only straight-line code has one closed form, so asking for the number behind a non-constant
// expression (a branch on an input, an index or a loop bound computed from one) stops the run with
// NotStraightLine. Loops whose trip counts are constants simply unroll.

import { Algebra, ScalarOp } from '../algebra';
import { ExprGraph, NodeId } from './expr';

/** The function is not straight-line code over its inputs (or calls something opaque). */
export class NotStraightLine extends Error {}

/** One operation as the interpreter asked for it, with the node the simplifier returned. */
export interface SymbolicOp {
  op: ScalarOp;
  args: NodeId[];
  out: NodeId;
}

export class SymbolicAlgebra implements Algebra<NodeId> {
  /** Every operation the interpreter performed, in order (the tape the derivative reverses). */
  readonly ops: SymbolicOp[] = [];

  constructor(readonly graph: ExprGraph) {}

  constant(c: number): NodeId {
    return this.graph.num(c);
  }

  primal(x: NodeId): number {
    const v = this.graph.numValue(x);
    if (v === undefined) {
      throw new NotStraightLine('control flow, an index or an array length depends on the inputs, so there is no single closed form');
    }
    return v;
  }

  apply(op: ScalarOp, args: NodeId[]): NodeId {
    const out = this.graph.apply(op, args);
    this.ops.push({ op, args, out });
    return out;
  }

  lift(): NodeId {
    throw new NotStraightLine('it calls a helper with a @derivative rule, whose body has no closed form here');
  }
}

/**
 * The same graph seen by the derivative rules: no recording, and the number behind a symbolic value
 * is unknown (NaN), so the rules take their general branch (the true derivative off special points).
 */
export function derivativeAlgebra(graph: ExprGraph): Algebra<NodeId> {
  return {
    constant: (c) => graph.num(c),
    primal: (x) => graph.numValue(x) ?? NaN,
    apply: (op, args) => graph.apply(op, args),
    lift: () => { throw new NotStraightLine('a lifted value in a derivative rule'); },
  };
}
