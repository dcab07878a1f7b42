// Generic walks over IR statements, beside the expression walks of engine/irWalk.ts: each pass of
// the code generators visits nested blocks (an `if`'s branches, a loop's body and update) through
// these instead of spelling out the recursion.

import { Expr, Stmt } from '../ir';
import { mentions, ref } from './expr';

/**
 * Calls `visit` on every statement of `stmts` and of the blocks nested in them, in order (a
 * statement before its blocks; an `if`'s then before its else, a loop's body before its update).
 * `visit` returning false skips the blocks nested in that statement.
 */
export function forEachStmt(stmts: Stmt[], visit: (s: Stmt, block: Stmt[]) => void | false): void {
  for (const s of stmts) {
    if (visit(s, stmts) === false) continue;
    if (s.k === 'if') { forEachStmt(s.then, visit); forEachStmt(s.else, visit); }
    if (s.k === 'loop') { forEachStmt(s.body, visit); forEachStmt(s.update, visit); }
  }
}

/** Whether `pred` holds for a statement of `stmts` or of a block nested in them. */
export function someStmt(stmts: Stmt[], pred: (s: Stmt) => boolean): boolean {
  return stmts.some((s) => pred(s) || (s.k === 'if' && (someStmt(s.then, pred) || someStmt(s.else, pred))) || (s.k === 'loop' && (someStmt(s.body, pred) || someStmt(s.update, pred))));
}

/** The nested blocks of a statement (an `if`'s branches, a loop's body and update). */
export function blocksOf(s: Stmt): Stmt[][] {
  return s.k === 'if' ? [s.then, s.else] : s.k === 'loop' ? [s.body, s.update] : [];
}

/** Statements of `stmts` and of the blocks nested in them. */
export function countStmts(stmts: Stmt[]): number {
  let n = 0;
  forEachStmt(stmts, () => { n++; });
  return n;
}

/**
 * Calls `f` on each expression of `s` itself (not of its nested blocks), the variable it writes
 * (as a reference) included.
 */
export function forEachStmtExpr(s: Stmt, f: (e: Expr) => void): void {
  switch (s.k) {
    case 'let': f(s.init); break;
    case 'assign': f(s.value); f(ref(s.v)); break;
    case 'store': f(s.index); f(s.value); f(ref(s.array)); break;
    case 'push': f(s.value); f(ref(s.array)); break;
    case 'return': f(s.value); break;
    case 'if': f(s.test); break;
    case 'loop': if (s.test) f(s.test); break;
    default: break;
  }
}

/** Whether a statement of `stmts` (nested ones included) reads or writes variable `v`. */
export function stmtsMention(stmts: Stmt[], v: number): boolean {
  return someStmt(stmts, (s) => {
    let used = false;
    forEachStmtExpr(s, (e) => { if (!used && mentions(e, v)) used = true; });
    return used;
  });
}

/** Rewrites every expression of a statement list (and drops statements `keep` rejects). */
export function mapStmts(stmts: Stmt[], f: (e: Expr) => Expr, keep: (s: Stmt) => boolean = () => true): Stmt[] {
  const out: Stmt[] = [];
  for (const s of stmts) {
    if (!keep(s)) continue;
    switch (s.k) {
      case 'let': out.push({ ...s, init: f(s.init) }); break;
      case 'assign': out.push({ ...s, value: f(s.value) }); break;
      case 'store': out.push({ ...s, index: f(s.index), value: f(s.value) }); break;
      case 'push': out.push({ ...s, value: f(s.value) }); break;
      case 'return': out.push({ ...s, value: f(s.value) }); break;
      case 'if': out.push({ ...s, test: f(s.test), then: mapStmts(s.then, f, keep), else: mapStmts(s.else, f, keep) }); break;
      case 'loop': out.push({ ...s, test: s.test ? f(s.test) : null, body: mapStmts(s.body, f, keep), update: mapStmts(s.update, f, keep) }); break;
      default: out.push(s);
    }
  }
  return out;
}

/** Rewrites the blocks of each statement (an `if`'s branches, a loop's body and update) with `f`. */
export function mapBlocks(s: Stmt, f: (block: Stmt[]) => Stmt[]): Stmt {
  if (s.k === 'if') return { ...s, then: f(s.then), else: f(s.else) };
  if (s.k === 'loop') return { ...s, body: f(s.body), update: f(s.update) };
  return s;
}
