// Generic walks over IR expressions and statements, so each pass does not spell out every node kind.

import { Expr, Stmt } from './ir';

/** The direct subexpressions of `e`, in evaluation order. */
export function children(e: Expr): Expr[] {
  switch (e.k) {
    case 'const': case 'bool': case 'var': return [];
    case 'neg': case 'not': return [e.x];
    case 'binary': case 'compare': case 'logical': return [e.a, e.b];
    case 'math': case 'call': return e.args;
    case 'cond': return [e.test, e.then, e.else];
    case 'index': return [e.array, e.index];
    case 'length': return [e.array];
    case 'arrayLit': return e.elements;
    case 'arrayFill': return [e.length, e.fill];
    case 'arrayFrom': return [e.length, e.body];
  }
}

/** Calls `visit` on `e` and every subexpression of it, array constructions and call arguments included. */
export function forEachSubexpr(e: Expr, visit: (x: Expr) => void): void {
  visit(e);
  for (const c of children(e)) forEachSubexpr(c, visit);
}

/**
 * Whether `pred` holds for `e` or a scalar subexpression of it. The walk does not descend into
 * helper calls or array constructions (`call`, `arrayLit`, `arrayFill`, `arrayFrom`), whose
 * insides are not part of the scalar expression.
 */
export function someScalarNode(e: Expr, pred: (x: Expr) => boolean): boolean {
  if (pred(e)) return true;
  switch (e.k) {
    case 'call': case 'arrayLit': case 'arrayFill': case 'arrayFrom': return false;
    default: return children(e).some((c) => someScalarNode(c, pred));
  }
}

/** `x` with each direct subexpression rewritten by `go` (the same node when it has none). */
export function mapChildren(x: Expr, go: (e: Expr) => Expr): Expr {
  switch (x.k) {
    case 'var': case 'const': case 'bool': return x;
    case 'neg': case 'not': return { ...x, x: go(x.x) };
    case 'binary': return { ...x, a: go(x.a), b: go(x.b) };
    case 'compare': return { ...x, a: go(x.a), b: go(x.b) };
    case 'logical': return { ...x, a: go(x.a), b: go(x.b) };
    case 'math': case 'call': return { ...x, args: x.args.map(go) };
    case 'cond': return { ...x, test: go(x.test), then: go(x.then), else: go(x.else) };
    case 'index': return { ...x, array: go(x.array), index: go(x.index) };
    case 'length': return { ...x, array: go(x.array) };
    case 'arrayLit': return { ...x, elements: x.elements.map(go) };
    case 'arrayFill': return { ...x, length: go(x.length), fill: go(x.fill) };
    case 'arrayFrom': return { ...x, length: go(x.length), body: go(x.body) };
  }
}

/** `e` with every variable in `map` replaced by its expression. */
export function substitute(e: Expr, map: Map<number, Expr>): Expr {
  if (map.size === 0) return e;
  const go = (x: Expr): Expr => (x.k === 'var' ? map.get(x.id) ?? x : mapChildren(x, go));
  return go(e);
}

/** Calls `visit` on every expression of `stmts` (nested statements and subexpressions included). */
export function forEachExpr(stmts: Stmt[], visit: (e: Expr) => void): void {
  const expr = (e: Expr): void => forEachSubexpr(e, visit);
  const stmt = (s: Stmt): void => {
    switch (s.k) {
      case 'let': expr(s.init); return;
      case 'assign': expr(s.value); return;
      case 'store': expr(s.index); expr(s.value); return;
      case 'push': expr(s.value); return;
      case 'if': expr(s.test); s.then.forEach(stmt); s.else.forEach(stmt); return;
      case 'loop': if (s.test) expr(s.test); s.body.forEach(stmt); s.update.forEach(stmt); return;
      case 'return': expr(s.value); return;
      case 'break': case 'continue': return;
    }
  };
  stmts.forEach(stmt);
}
