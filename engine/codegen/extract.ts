// Preparation passes 2 and 4 (prepare.ts): array-valued subexpressions get hidden variables of
// their own (a call returning an array, an array literal passed as an argument), so that adjoint
// arrays always belong to a variable; and values the derivative rules need (the exp in a sigmoid,
// a tanh) become named temporaries.

import type { ScalarOp } from '../algebra';
import { Expr, IrVar, Stmt, ValueType } from '../ir';
import { Activity } from './activity';
import { forEachVar, isArrayRefExpr, isExpensive, isLeaf, partialExprs, ref } from './expr';
import { CodegenError, newVar, Work } from './work';

// ---- 2. array-valued subexpressions get variables -------------------------------------------------


export function extractArrays(w: Work, typeOf: (e: Expr) => { t: ValueType; d: number }): void {
  const rewrite = (stmts: Stmt[]): Stmt[] => {
    const out: Stmt[] = [];
    for (const s of stmts) {
      const pre: Stmt[] = [];
      const fix = (e: Expr, top: boolean): Expr => {
        const go = (x: Expr, atTop: boolean, conditional: boolean): Expr => {
          const ty = x.k === 'var' || x.k === 'const' || x.k === 'bool' ? null : typeOf(x);
          if (!atTop && ty && ty.t === 'arr' && !isArrayRefExpr(x)) {
            if (conditional) throw new CodegenError('an array built inside a conditional expression', x.range);
            const inner = goChildren(x, conditional);
            const v = newVar(w, '$a', 'arr', ty.d);
            pre.push({ k: 'let', v, init: inner, range: s.range });
            return ref(v);
          }
          return goChildren(x, conditional);
        };
        const goChildren = (x: Expr, conditional: boolean): Expr => {
          switch (x.k) {
            case 'neg': return { ...x, x: go(x.x, false, conditional) };
            case 'not': return { ...x, x: go(x.x, false, conditional) };
            case 'binary': case 'compare': return { ...x, a: go(x.a, false, conditional), b: go(x.b, false, conditional) };
            case 'logical': return { ...x, a: go(x.a, false, conditional), b: go(x.b, false, true) };
            case 'math': return { ...x, args: x.args.map((a) => go(a, false, conditional)) };
            case 'call': return { ...x, args: x.args.map((a) => go(a, false, conditional)) };
            case 'cond': return { ...x, test: go(x.test, false, conditional), then: go(x.then, false, true), else: go(x.else, false, true) };
            case 'index': return { ...x, array: go(x.array, false, conditional), index: go(x.index, false, conditional) };
            case 'length': return { ...x, array: go(x.array, false, conditional) };
            case 'arrayLit': return { ...x, elements: x.elements.map((a) => go(a, false, conditional)) };
            case 'arrayFill': return { ...x, length: go(x.length, false, conditional), fill: go(x.fill, false, conditional) };
            case 'arrayFrom': return { ...x, length: go(x.length, false, conditional), body: go(x.body, false, true) };
            default: return x;
          }
        };
        return go(e, top, false);
      };
      let ns: Stmt;
      switch (s.k) {
        case 'let': ns = { ...s, init: fix(s.init, true) }; break;
        case 'assign': ns = { ...s, value: fix(s.value, true) }; break;
        case 'store': ns = { ...s, index: fix(s.index, false), value: fix(s.value, false) }; break;
        case 'push': ns = { ...s, value: fix(s.value, false) }; break;
        case 'return': {
          // A returned array is built into a variable first, so its adjoint has a name.
          const ty = typeOf(s.value);
          if (ty.t === 'arr' && s.value.k !== 'var' && s.value.k !== 'arrayLit') {
            const v = newVar(w, '$result', 'arr', ty.d);
            pre.push({ k: 'let', v, init: fix(s.value, true), range: s.range });
            ns = { ...s, value: ref(v) };
          } else {
            ns = { ...s, value: fix(s.value, s.value.k === 'arrayLit') };
          }
          break;
        }
        case 'if': ns = { ...s, test: fix(s.test, false), then: rewrite(s.then), else: rewrite(s.else) }; break;
        case 'loop': {
          const test = s.test ? fix(s.test, false) : null;
          if (pre.length > 0) throw new CodegenError('an array built inside a loop condition', s.range);
          ns = { ...s, test, body: rewrite(s.body), update: rewrite(s.update) };
          break;
        }
        default: ns = s;
      }
      out.push(...pre, ns);
    }
    return out;
  };
  w.body = rewrite(w.body);
}

/** The type of an expression (for the extraction pass), from the variable table and the helpers. */
export function exprType(e: Expr, vars: IrVar[], callType: (fn: string) => { t: 'num' | 'arr'; d: number }): { t: ValueType; d: number } {
  switch (e.k) {
    case 'const': return { t: 'num', d: 0 };
    case 'bool': case 'compare': case 'logical': case 'not': return { t: 'bool', d: 0 };
    case 'var': return { t: vars[e.id].type, d: vars[e.id].depth };
    case 'neg': case 'binary': case 'math': case 'length': return { t: 'num', d: 0 };
    case 'cond': return exprType(e.then, vars, callType);
    case 'index': {
      const a = exprType(e.array, vars, callType);
      return a.d > 1 ? { t: 'arr', d: a.d - 1 } : { t: 'num', d: 0 };
    }
    case 'arrayLit': {
      const inner = e.elements.length ? exprType(e.elements[0], vars, callType) : { t: 'num' as ValueType, d: 0 };
      return { t: 'arr', d: inner.d + 1 };
    }
    case 'arrayFill': case 'arrayFrom': return { t: 'arr', d: 1 };
    case 'call': return callType(e.fn);
  }
}

// ---- 4. named temporaries for values the derivative rules need ------------------------------------

const partialCache = new Map<string, { args: boolean[]; out: boolean }>();

/** Which of an operation's arguments (and whether its result) its active partials read. */
export function neededByRule(op: ScalarOp, nargs: number, active: boolean[]): { args: boolean[]; out: boolean } {
  const key = `${op}/${active.map((a) => (a ? 1 : 0)).join('')}`;
  const hit = partialCache.get(key);
  if (hit) return hit;
  const args = Array.from({ length: nargs }, (_, i) => ref(-1 - i));
  const out = ref(-100);
  const ps = partialExprs(op, args, out, active);
  const used = new Set<number>();
  for (const p of ps) forEachVar(p, (id) => used.add(id));
  const r = { args: args.map((_, i) => used.has(-1 - i)), out: used.has(-100) };
  partialCache.set(key, r);
  return r;
}

export function opOf(e: Expr): ScalarOp | null {
  if (e.k === 'neg') return 'neg';
  if (e.k === 'binary') return e.op;
  if (e.k === 'math') return e.fn;
  return null;
}

export function argsOf(e: Expr): Expr[] {
  if (e.k === 'neg') return [e.x];
  if (e.k === 'binary') return [e.a, e.b];
  if (e.k === 'math') return e.args;
  return [];
}

export function withArgs(e: Expr, args: Expr[]): Expr {
  if (e.k === 'neg') return { ...e, x: args[0] };
  if (e.k === 'binary') return { ...e, a: args[0], b: args[1] };
  if (e.k === 'math') return { ...e, args };
  return e;
}

/**
 * Gives a name to each subexpression whose value an active derivative rule reads and that is costly
 * to recompute (a Math call, a power, a helper call); at the top level of the function (outside
 * loops) every such non-trivial subexpression is named, for readability.
 */
export function extractTemps(w: Work, act: Activity, allCalls = false): void {
  let counter = 0;
  const rewrite = (stmts: Stmt[], inLoop: boolean): Stmt[] => {
    const out: Stmt[] = [];
    for (const s of stmts) {
      const pre: Stmt[] = [];
      const temp = (e: Expr): Expr => {
        const v = newVar(w, `$t${++counter}`, 'num', 0);
        act.active[v] = act.expr(e);
        pre.push({ k: 'let', v, init: e, range: s.range });
        return ref(v);
      };
      // needed: the parent's rule reads this node's value
      const go = (e: Expr, needed: boolean, isRoot: boolean, rootIsTarget: boolean): Expr => {
        if (!act.expr(e)) return e;
        const op = opOf(e);
        if (op) {
          const args = argsOf(e);
          const activeArgs = args.map((a) => act.expr(a));
          const need = neededByRule(op, args.length, activeArgs);
          const nargs = args.map((a, i) => go(a, need.args[i], false, false));
          let ne = withArgs(e, nargs);
          const valueNeeded = needed || need.out;
          if (valueNeeded && !(isRoot && rootIsTarget) && !isLeaf(ne) && (isExpensive(ne) || !inLoop)) ne = temp(ne);
          return ne;
        }
        if (e.k === 'call') {
          // a pullback reads every argument
          const ne: Expr = { ...e, args: e.args.map((a) => go(a, true, false, false)) };
          return (needed || (allCalls && !isRoot)) && !(isRoot && rootIsTarget) ? temp(ne) : ne;
        }
        // index reads are leaves; cond and array builders are evaluated conditionally or per
        // element, so nothing inside them is hoisted.
        return e;
      };
      let ns: Stmt = s;
      switch (s.k) {
        case 'let': {
          const target = !w.vars[s.v].reassigned && w.vars[s.v].type === 'num';
          if (w.vars[s.v].type === 'num') ns = { ...s, init: go(s.init, false, true, target) };
          break;
        }
        case 'assign': if (w.vars[s.v].type === 'num') ns = { ...s, value: go(s.value, false, true, false) }; break;
        case 'store': ns = { ...s, value: go(s.value, false, true, false) }; break;
        case 'push': ns = { ...s, value: go(s.value, false, true, false) }; break;
        case 'return': if (s.value.k !== 'arrayLit' && s.value.k !== 'var') ns = { ...s, value: go(s.value, false, true, false) }; break;
        case 'if': ns = { ...s, then: rewrite(s.then, inLoop), else: rewrite(s.else, inLoop) }; break;
        case 'loop': ns = { ...s, body: rewrite(s.body, true), update: rewrite(s.update, true) }; break;
        default: break;
      }
      out.push(...pre, ns);
    }
    return out;
  };
  w.body = rewrite(w.body, false);
}
