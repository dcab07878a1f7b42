// Preparation pass 3 (prepare.ts): activity analysis, which variables depend on the
// differentiated parameters.

import { Expr, Stmt } from '../ir';
import { forEachStmt } from './stmtWalk';
import { Work } from './work';

export interface Activity {
  /** Per variable id. */
  active: boolean[];
  expr(e: Expr): boolean;
}

/**
 * Flow-insensitive forward activity: a variable is active when any value written to it depends on
 * an active one. Arrays that alias each other (`const row = W[j]`) share their activity.
 */
export function analyzeActivity(w: Work, wrt: Set<number>, callActive: (fn: string, argActive: boolean[]) => boolean): Activity {
  const n = w.vars.length;
  const active = new Array<boolean>(n).fill(false);
  for (const v of wrt) active[v] = true;
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x])));
  const root = (e: Expr): number | null => (e.k === 'var' ? e.id : e.k === 'index' ? root(e.array) : null);
  const exprActive = (e: Expr): boolean => {
    switch (e.k) {
      case 'var': return active[find(e.id)] || active[e.id];
      case 'const': case 'bool': case 'compare': case 'logical': case 'not': case 'length': return false;
      case 'neg': return exprActive(e.x);
      case 'binary': return exprActive(e.a) || exprActive(e.b);
      case 'math': return e.args.some(exprActive);
      case 'cond': return exprActive(e.then) || exprActive(e.else);
      case 'index': return exprActive(e.array);
      case 'arrayLit': return e.elements.some(exprActive);
      case 'arrayFill': return exprActive(e.fill);
      case 'arrayFrom': return exprActive(e.body);
      case 'call': { const a = e.args.map(exprActive); return a.some((x) => x) && callActive(e.fn, a); }
    }
  };
  // union aliases
  forEachStmt(w.body, (s) => {
    if ((s.k === 'let' || s.k === 'assign') && w.vars[s.v].type === 'arr') {
      const r = root(s.k === 'let' ? s.init : s.value);
      if (r !== null) parent[find(s.v)] = find(r);
    }
  });
  for (const v of wrt) active[find(v)] = true;
  let changed = true;
  const mark = (v: number) => {
    const r = find(v);
    if (!active[r] || !active[v]) { active[r] = true; active[v] = true; changed = true; }
  };
  const visit = (s: Stmt) => {
    switch (s.k) {
      case 'let': if (exprActive(s.init)) mark(s.v); break;
      case 'assign': if (exprActive(s.value)) mark(s.v); break;
      case 'store': case 'push': if (exprActive(s.value)) mark(s.array); break;
      default: break;
    }
  };
  while (changed) { changed = false; forEachStmt(w.body, visit); }
  for (let i = 0; i < n; i++) if (active[find(i)]) active[i] = true;
  return { active, expr: exprActive };
}
