// What the reverse-mode generator knows about loop bounds and indices, from the forward IR alone:
// which values are integers or non-negative, the last index of a counted loop (where its reverse
// starts), and a bound of the iterations of a loop nest readable before it (a stack's size).

import { CompareOp, Expr, Stmt } from '../ir';
import { someScalarNode } from '../irWalk';
import { add, cnst, isExpensive, math, mentions, mul, sub, varsOf } from './expr';
import { Layout } from './layout';
import { LoopStmt } from './work';

export function hasCall(e: Expr): boolean {
  return someScalarNode(e, (x) => x.k === 'call');
}

export function hasExpensive(e: Expr): boolean {
  return someScalarNode(e, isExpensive);
}

/** A `break` or `continue` of this loop body (not of loops inside it). */
export function hasJumpIn(stmts: Stmt[]): boolean {
  return stmts.some((s) => s.k === 'break' || s.k === 'continue' || (s.k === 'if' && (hasJumpIn(s.then) || hasJumpIn(s.else))));
}

/** A `break` of this loop body (not of loops inside it). */
export function hasBreakIn(stmts: Stmt[]): boolean {
  return stmts.some((s) => s.k === 'break' || (s.k === 'if' && (hasBreakIn(s.then) || hasBreakIn(s.else))));
}

/** Whether `e` is an integer for sure: integer constants, lengths, rounding, and what they make. */
export function isInt(layout: Layout, e: Expr, depth = 0): boolean {
  if (depth > 8) return false;
  switch (e.k) {
    case 'const': return Number.isInteger(e.value);
    case 'length': return true;
    case 'neg': return isInt(layout, e.x, depth + 1);
    case 'binary': return (e.op === '+' || e.op === '-' || e.op === '*') && isInt(layout, e.a, depth + 1) && isInt(layout, e.b, depth + 1);
    case 'math': return ['floor', 'ceil', 'round', 'trunc', 'sign'].includes(e.fn);
    case 'var': {
      const loop = layout.inductionVars.get(e.id);
      if (loop) { const ind = layout.induction.get(loop)!; return Number.isInteger(ind.step) && isInt(layout, ind.letStmt.init, depth + 1); }
      const x = layout.w.vars[e.id];
      const decl = layout.declStmt.get(e.id);
      return !x.reassigned && x.kind === 'local' && !!decl && isInt(layout, decl.init, depth + 1);
    }
    default: return false;
  }
}

/** Whether `e` is ≥ 0 (or NaN) for sure: lengths, non-negative constants, and what they make. */
export function isNonNegative(layout: Layout, e: Expr, depth = 0): boolean {
  if (depth > 8) return false;
  switch (e.k) {
    case 'const': return e.value >= 0;
    case 'length': return true;
    case 'binary': return (e.op === '+' || e.op === '*' || e.op === '/') && isNonNegative(layout, e.a, depth + 1) && isNonNegative(layout, e.b, depth + 1);
    case 'math': return ['ceil', 'floor', 'round', 'trunc', 'sqrt', 'exp', 'abs'].includes(e.fn) && e.args.every((a) => isNonNegative(layout, a, depth + 1));
    case 'var': {
      const loop = layout.inductionVars.get(e.id);
      if (loop) { const ind = layout.induction.get(loop)!; return ind.step > 0 && isNonNegative(layout, ind.letStmt.init, depth + 1); }
      const x = layout.w.vars[e.id];
      const decl = layout.declStmt.get(e.id);
      return !x.reassigned && x.kind === 'local' && !!decl && isNonNegative(layout, decl.init, depth + 1);
    }
    default: return false;
  }
}

/** The bound B of a loop `v < B` over its index v, when B does not mention v. */
export function upperBound(loop: LoopStmt, v: number): Expr | null {
  const t = loop.test;
  if (!t || t.k !== 'compare' || t.op !== '<' || t.a.k !== 'var' || t.a.id !== v || mentions(t.b, v) || hasCall(t.b)) return null;
  return t.b;
}

const FLIP = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '===': '===', '!==': '!==' } as const;

/** The bound a loop's test compares its index `v` with (as `v op bound`), when it can be re-read at the loop. */
export function indexBound(layout: Layout, s: LoopStmt, v: number): { bound: Expr; op: CompareOp } | null {
  const t = s.test!;
  if (t.k !== 'compare') return null;
  let op: CompareOp = t.op;
  let bound: Expr;
  if (t.a.k === 'var' && t.a.id === v && !mentions(t.b, v)) bound = t.b;
  else if (t.b.k === 'var' && t.b.id === v && !mentions(t.a, v)) {
    bound = t.a;
    op = FLIP[op];
  } else return null;
  if (hasCall(bound) || ![...varsOf(bound)].every((x) => layout.available(x, s))) return null;
  return { bound, op };
}

/** The last value of the index of a counted loop of step ±1 (`i < n` → n − 1), from its bound `b` as read in the reverse sweep. */
export function lastIndex(b: Expr, int: boolean, step: number, op: CompareOp): Expr | null {
  if (step === 1 && op === '<') return int ? sub(b, cnst(1)) : sub(math('ceil', [b]), cnst(1));
  if (step === 1 && op === '<=') return int ? b : math('floor', [b]);
  if (step === -1 && op === '>') return int ? add(b, cnst(1)) : add(math('floor', [b]), cnst(1));
  if (step === -1 && op === '>=') return int ? b : math('ceil', [b]);
  return null;
}

/**
 * An upper bound of the iterations of the loop nest `loops` (outermost first), as a forward
 * expression readable before the outermost, with whether it is ≥ 0 for sure; null if unknown.
 * `integerBounds`: every bound must be an integer (a plain array's size).
 */
export function tripBound(layout: Layout, loops: LoopStmt[], integerBounds: boolean): { product: Expr; nonNegative: boolean } | null {
  const outer = loops[0];
  const pos = layout.pos.get(outer)!;
  // the stack is declared before the outermost loop: it must be in the function's own block
  if (!layout.blockOf.get(pos.block)!.top) return null;
  let product: Expr | null = null;
  let nonNegative = true;
  for (const loop of loops) {
    // a loop that may stop early (a search, an iteration to convergence) can have a bound far above
    // its trips: its values are pushed as they come
    if (hasBreakIn(loop.body)) return null;
    const ind = layout.induction.get(loop);
    const t = loop.test;
    if (!ind || ind.step !== 1 || !t || t.k !== 'compare' || t.a.k !== 'var' || t.a.id !== ind.v || (t.op !== '<' && t.op !== '<=')) return null;
    const bound = t.b;
    if (mentions(bound, ind.v) || hasCall(bound) || ![...varsOf(bound)].every((x) => layout.available(x, outer))) return null;
    const start = ind.letStmt.init;
    const startKnown = !hasCall(start) && [...varsOf(start)].every((x) => layout.available(x, outer));
    if (!startKnown && !isNonNegative(layout, start)) return null;
    const intBound = isInt(layout, bound);
    if (integerBounds && !intBound) return null;
    let trips: Expr = t.op === '<' ? (intBound ? bound : math('ceil', [bound])) : add(intBound ? bound : math('floor', [bound]), cnst(1));
    // a start not known before the loops (`c + 1` in a triangular nest) is bounded below by its
    // constant part, when the rest is ≥ 0
    const least = startKnown ? start : start.k === 'binary' && start.op === '+' && start.b.k === 'const' && start.b.value > 0 && isNonNegative(layout, start.a) ? start.b : cnst(0);
    const fromZero = least.k === 'const' && least.value === 0;
    if (!fromZero && integerBounds && !isInt(layout, least)) return null;
    if (!fromZero) trips = sub(trips, least);
    if (!fromZero || !isNonNegative(layout, bound)) nonNegative = false;
    product = product ? mul(product, trips) : trips;
  }
  return product ? { product, nonNegative } : null;
}
