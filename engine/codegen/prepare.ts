// Prepares an IR function for reverse-mode code generation:
//
// 1. control flow is normalised so that `break` and `return` only end blocks (the statements after
//    an `if` that may leave the block move into its branches that fall through; `continue` runs the
//    loop's update), and a `return` inside a loop sets a result and a flag and breaks out;
// 2. array-valued subexpressions get hidden variables of their own (a call returning an array, an
//    array literal passed as an argument), so adjoint arrays always belong to a variable;
// 3. activity analysis: which variables depend on the differentiated parameters;
// 4. values the derivative rules need (the exp in a sigmoid, a tanh) become named temporaries;
// 5. statements are numbered so the generator can ask "is this variable still the same when the
//    reverse sweep gets here?" (availability), which decides between reading a value, recomputing
//    it, and saving it (a plain constant outside loops, a stack inside them).

import { forEachSubexpr } from '../irWalk';
import { Expr, IrFunction, IrVar, Stmt, ValueType } from '../ir';
import { cnst, forEachVar, isExpensive, isLeaf, partialExprs, ref, substitute, varsOf } from './expr';
import type { ScalarOp } from '../algebra';

export class CodegenError extends Error {
  constructor(message: string, readonly range?: { start: number; end: number }) {
    super(message);
  }
}

export type LoopStmt = Stmt & { k: 'loop' };
export type IfStmt = Stmt & { k: 'if' };

/** A mutable copy of a function's IR that passes can add hidden variables to. */
export interface Work {
  fn: IrFunction;
  vars: IrVar[];
  body: Stmt[];
}

export function newVar(w: Work, name: string, type: ValueType, depth: number, reassigned = false): number {
  const id = w.vars.length;
  w.vars.push({ id, name, type, depth, kind: 'local', range: { start: 0, end: 0 }, reassigned });
  return id;
}

export function copyWork(fn: IrFunction): Work {
  return { fn, vars: fn.vars.map((v) => ({ ...v })), body: fn.body };
}

// ---- 1. normalisation ----------------------------------------------------------------------------

function hasEscape(stmts: Stmt[], inNestedLoop = false): boolean {
  for (const s of stmts) {
    switch (s.k) {
      case 'break': case 'continue': if (!inNestedLoop) return true; break;
      case 'return': return true;
      case 'if': if (hasEscape(s.then, inNestedLoop) || hasEscape(s.else, inNestedLoop)) return true; break;
      case 'loop': if (hasEscape(s.body, true) || hasEscape(s.update, true)) return true; break;
      default: break;
    }
  }
  return false;
}

function hasReturn(stmts: Stmt[]): boolean {
  return stmts.some((s) => s.k === 'return' || (s.k === 'if' && (hasReturn(s.then) || hasReturn(s.else))) || (s.k === 'loop' && (hasReturn(s.body) || hasReturn(s.update))));
}

function size(stmts: Stmt[]): number {
  let n = 0;
  for (const s of stmts) {
    n++;
    if (s.k === 'if') n += size(s.then) + size(s.else);
    if (s.k === 'loop') n += size(s.body) + size(s.update);
  }
  return n;
}

interface NormCtx {
  inLoop: boolean;
  /** Statements a `continue` (and the end of a loop body) runs, when the update is folded in. */
  cont: Stmt[] | null;
  /** The end of the current sequence is the end of the loop body. */
  endIsBodyEnd: boolean;
  result: () => { result: number; returned: number };
}

export function normalize(w: Work): void {
  let flags: { result: number; returned: number } | null = null;
  const flagVars = () => {
    if (!flags) {
      if (w.fn.returnType !== 'num') throw new CodegenError('a `return` of an array inside a loop');
      flags = { result: newVar(w, '$value', 'num', 0, true), returned: newVar(w, '$returned', 'bool', 0, true) };
    }
    return flags;
  };
  const before = size(w.body);
  let body = seq(w.body, 0, { inLoop: false, cont: null, endIsBodyEnd: false, result: flagVars });
  if (flags) {
    const f = flags as { result: number; returned: number };
    body = [
      { k: 'let', v: f.result, init: cnst(0), range: w.fn.range },
      { k: 'let', v: f.returned, init: { k: 'bool', value: false, range: w.fn.range }, range: w.fn.range },
      ...body,
    ];
  }
  if (size(body) > 4 * before + 200) throw new CodegenError('control flow too tangled for readable adjoint code (break/continue/return nested in conditionals)');
  w.body = body;
}

function seq(stmts: Stmt[], i: number, ctx: NormCtx): Stmt[] {
  if (i >= stmts.length) return ctx.endIsBodyEnd && ctx.cont ? seq(ctx.cont, 0, { ...ctx, cont: null, endIsBodyEnd: false }) : [];
  const s = stmts[i];
  const rest = stmts.slice(i + 1);
  switch (s.k) {
    case 'break': return [s];
    case 'continue':
      return ctx.cont ? seq(ctx.cont, 0, { ...ctx, cont: null, endIsBodyEnd: false }) : [];
    case 'return': {
      if (!ctx.inLoop) return [s];
      const { result, returned } = ctx.result();
      return [
        { k: 'assign', v: result, value: s.value, range: s.range },
        { k: 'assign', v: returned, value: { k: 'bool', value: true, range: s.range }, range: s.range },
        { k: 'break', range: s.range },
      ];
    }
    case 'if': {
      if (hasEscape(s.then) || hasEscape(s.else)) {
        return [{ ...s, then: seq([...s.then, ...rest], 0, ctx), else: seq([...s.else, ...rest], 0, ctx) }];
      }
      const inner = { ...ctx, endIsBodyEnd: false };
      return [{ ...s, then: seq(s.then, 0, inner), else: seq(s.else, 0, inner) }, ...seq(stmts, i + 1, ctx)];
    }
    case 'loop': {
      // An update with an escape (do…while's exit test) or of its own interest is folded into the body.
      const fold = hasEscape(s.update);
      const bodyCtx: NormCtx = { inLoop: true, cont: fold ? s.update : null, endIsBodyEnd: true, result: ctx.result };
      const body = seq(s.body, 0, bodyCtx);
      const update = fold ? [] : seq(s.update, 0, { ...bodyCtx, cont: null, endIsBodyEnd: false });
      const loop: Stmt = { ...s, body, update };
      if (hasReturn(s.body) || hasReturn(s.update)) {
        const { result, returned } = ctx.result();
        const none = { start: 0, end: 0 };
        const escape: Stmt[] = ctx.inLoop ? [{ k: 'break', range: none }] : [{ k: 'return', value: ref(result), range: none }];
        return [loop, { k: 'if', test: ref(returned), then: escape, else: seq(stmts, i + 1, ctx), range: none }];
      }
      return [loop, ...seq(stmts, i + 1, ctx)];
    }
    default:
      return [s, ...seq(stmts, i + 1, ctx)];
  }
}

export function normalizeWork(w: Work): void {
  w.body = loopifyArrayReads(w.body);
  substituteHiddenAliases(w);
  w.body = splitCostlyConditionals(w, w.body);
  normalize(w);
}

/**
 * `const b = a.map((v, i) => …a[i]…)` (an `arrayFrom` whose body reads an array) becomes an
 * explicit loop writing `b[i]`, so the reads inside it are saved and reversed like any loop's
 * (a value read inside the callback cannot be saved outside it, where `i` does not exist).
 */
function loopifyArrayReads(stmts: Stmt[]): Stmt[] {
  const out: Stmt[] = [];
  for (const s of stmts) {
    if (s.k === 'if') { out.push({ ...s, then: loopifyArrayReads(s.then), else: loopifyArrayReads(s.else) }); continue; }
    if (s.k === 'loop') { out.push({ ...s, body: loopifyArrayReads(s.body), update: loopifyArrayReads(s.update) }); continue; }
    if (s.k !== 'let' || s.init.k !== 'arrayFrom') { out.push(s); continue; }
    const from = s.init;
    let readsArray = false;
    forEachNode(from.body, (x) => { if (x.k === 'index') readsArray = true; });
    if (!readsArray) { out.push(s); continue; }
    const r = from.range;
    const i: Expr = { k: 'var', id: from.indexVar, range: r };
    const target: Expr = { k: 'var', id: s.v, range: r };
    out.push({ k: 'let', v: s.v, init: { k: 'arrayFill', length: from.length, fill: cnst(0), range: r }, range: s.range });
    out.push({ k: 'let', v: from.indexVar, init: cnst(0), range: r });
    out.push({
      k: 'loop',
      test: { k: 'compare', op: '<', a: i, b: { k: 'length', array: target, range: r }, range: r },
      body: [{ k: 'store', array: s.v, index: i, value: from.body, range: s.range }],
      update: [{ k: 'assign', v: from.indexVar, value: { k: 'binary', op: '+', a: i, b: cnst(1), range: r }, range: r }],
      range: s.range,
    });
  }
  return out;
}

function hasCostly(e: Expr): boolean {
  let found = false;
  forEachNode(e, (x) => { if (isExpensive(x)) found = true; });
  return found;
}

function forEachNode(e: Expr, f: (x: Expr) => void): void {
  f(e);
  switch (e.k) {
    case 'neg': case 'not': forEachNode(e.x, f); break;
    case 'binary': case 'compare': case 'logical': forEachNode(e.a, f); forEachNode(e.b, f); break;
    case 'math': case 'call': e.args.forEach((a) => forEachNode(a, f)); break;
    case 'cond': forEachNode(e.test, f); forEachNode(e.then, f); forEachNode(e.else, f); break;
    case 'index': forEachNode(e.array, f); forEachNode(e.index, f); break;
    default: break;
  }
}

/**
 * `v = c ? A : B` with costly A or B becomes `if (c) v = A; else v = B;`, so the values A and B's
 * derivatives need are named (and saved) like any other instead of recomputed in the reverse sweep.
 */
function splitCostlyConditionals(w: Work, stmts: Stmt[]): Stmt[] {
  const out: Stmt[] = [];
  const split = (v: number, e: Expr & { k: 'cond' }, range: Stmt['range']): Stmt => {
    const branch = (x: Expr): Stmt[] => (x.k === 'cond' && hasCostly(x) ? [split(v, x, range)] : [{ k: 'assign', v, value: x, range }]);
    return { k: 'if', test: e.test, then: branch(e.then), else: branch(e.else), range };
  };
  for (const s of stmts) {
    if (s.k === 'let' && s.init.k === 'cond' && w.vars[s.v].type === 'num' && hasCostly(s.init)) {
      w.vars[s.v].reassigned = true;
      out.push({ k: 'let', v: s.v, init: cnst(0), range: s.range }, split(s.v, s.init, s.range));
    } else if (s.k === 'assign' && s.value.k === 'cond' && w.vars[s.v].type === 'num' && hasCostly(s.value)) {
      out.push(split(s.v, s.value, s.range));
    } else if (s.k === 'if') {
      out.push({ ...s, then: splitCostlyConditionals(w, s.then), else: splitCostlyConditionals(w, s.else) });
    } else if (s.k === 'loop') {
      out.push({ ...s, body: splitCostlyConditionals(w, s.body), update: splitCostlyConditionals(w, s.update) });
    } else {
      out.push(s);
    }
  }
  return out;
}

// ---- aliases: `for (const v of w)` introduces `$arr = w`; read w directly -------------------------

export function substituteHiddenAliases(w: Work): void {
  const map = new Map<number, Expr>();
  const visit = (stmts: Stmt[]) => {
    for (const s of stmts) {
      if (s.k === 'let' && w.vars[s.v].name.startsWith('$') && !w.vars[s.v].reassigned && s.init.k === 'var' && !w.vars[s.init.id].reassigned) {
        map.set(s.v, map.get(s.init.id) ?? s.init);
      }
      if (s.k === 'if') { visit(s.then); visit(s.else); }
      if (s.k === 'loop') { visit(s.body); visit(s.update); }
    }
  };
  visit(w.body);
  if (map.size === 0) return;
  w.body = mapStmts(w.body, (e) => substitute(e, map), (s) => !(s.k === 'let' && map.has(s.v)));
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

// ---- 2. array-valued subexpressions get variables -------------------------------------------------

function isArrayRef(e: Expr): boolean {
  return e.k === 'var' || (e.k === 'index' && isArrayRef(e.array));
}

export function extractArrays(w: Work, typeOf: (e: Expr) => { t: ValueType; d: number }): void {
  const rewrite = (stmts: Stmt[]): Stmt[] => {
    const out: Stmt[] = [];
    for (const s of stmts) {
      const pre: Stmt[] = [];
      const fix = (e: Expr, top: boolean): Expr => {
        const go = (x: Expr, atTop: boolean, conditional: boolean): Expr => {
          const ty = x.k === 'var' || x.k === 'const' || x.k === 'bool' ? null : typeOf(x);
          if (!atTop && ty && ty.t === 'arr' && !isArrayRef(x)) {
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

// ---- 3. activity ----------------------------------------------------------------------------------

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
  const aliasVisit = (stmts: Stmt[]) => {
    for (const s of stmts) {
      if ((s.k === 'let' || s.k === 'assign') && w.vars[s.v].type === 'arr') {
        const r = root(s.k === 'let' ? s.init : s.value);
        if (r !== null) parent[find(s.v)] = find(r);
      }
      if (s.k === 'if') { aliasVisit(s.then); aliasVisit(s.else); }
      if (s.k === 'loop') { aliasVisit(s.body); aliasVisit(s.update); }
    }
  };
  aliasVisit(w.body);
  for (const v of wrt) active[find(v)] = true;
  let changed = true;
  const mark = (v: number) => {
    const r = find(v);
    if (!active[r] || !active[v]) { active[r] = true; active[v] = true; changed = true; }
  };
  const visit = (stmts: Stmt[]) => {
    for (const s of stmts) {
      switch (s.k) {
        case 'let': if (exprActive(s.init)) mark(s.v); break;
        case 'assign': if (exprActive(s.value)) mark(s.v); break;
        case 'store': case 'push': if (exprActive(s.value)) mark(s.array); break;
        case 'if': visit(s.then); visit(s.else); break;
        case 'loop': visit(s.body); visit(s.update); break;
        default: break;
      }
    }
  };
  while (changed) { changed = false; visit(w.body); }
  for (let i = 0; i < n; i++) if (active[find(i)]) active[i] = true;
  return { active, expr: exprActive };
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

// ---- 5. positions and availability ----------------------------------------------------------------

export interface Pos {
  pre: number;
  post: number;
  /** Enclosing loops, outermost first. */
  loops: LoopStmt[];
  block: Stmt[];
}

export interface Induction {
  v: number;
  letStmt: Stmt & { k: 'let' };
  step: number;
}

export class Layout {
  readonly pos = new Map<Stmt, Pos>();
  readonly blockOf = new Map<Stmt[], { pre: number; post: number; loops: LoopStmt[]; inLoop: boolean; top: boolean }>();
  readonly declBlock = new Map<number, Stmt[]>();
  readonly declStmt = new Map<number, Stmt & { k: 'let' }>();
  /** Positions (pre) of the statements writing each variable (arrays: through any alias). */
  readonly writes = new Map<number, number[]>();
  readonly induction = new Map<LoopStmt, Induction>();
  readonly inductionVars = new Map<number, LoopStmt>();
  readonly arrayFromVars = new Set<number>();
  private counter = 0;

  constructor(readonly w: Work, readonly aliasRoot: (v: number) => number) {
    for (const p of w.fn.params) this.declBlock.set(p.v, w.body);
    this.number(w.body, [], true);
    this.findInductions(w.body);
  }

  private number(stmts: Stmt[], loops: LoopStmt[], top: boolean): void {
    const start = this.counter;
    for (const s of stmts) {
      const pre = this.counter++;
      const p: Pos = { pre, post: pre, loops, block: stmts };
      this.pos.set(s, p);
      const write = (v: number) => {
        const r = this.aliasRoot(v);
        for (const x of new Set([v, r])) {
          const l = this.writes.get(x) ?? [];
          l.push(pre);
          this.writes.set(x, l);
        }
      };
      switch (s.k) {
        case 'let': this.declBlock.set(s.v, stmts); this.declStmt.set(s.v, s); this.addWrite(s.v, pre); forEachArrayFrom(s.init, (id) => this.arrayFromVars.add(id)); break;
        case 'assign': write(s.v); forEachArrayFrom(s.value, (id) => this.arrayFromVars.add(id)); break;
        case 'store': case 'push': write(s.array); break;
        case 'if': this.number(s.then, loops, false); this.number(s.else, loops, false); break;
        case 'loop': this.number(s.body, [...loops, s], false); this.number(s.update, [...loops, s], false); break;
        case 'return': forEachArrayFrom(s.value, (id) => this.arrayFromVars.add(id)); break;
        default: break;
      }
      p.post = this.counter - 1;
    }
    this.blockOf.set(stmts, { pre: start, post: this.counter - 1, loops, inLoop: loops.length > 0, top });
  }

  private findInductions(stmts: Stmt[]): void {
    stmts.forEach((s, i) => {
      if (s.k === 'if') { this.findInductions(s.then); this.findInductions(s.else); }
      if (s.k !== 'loop') return;
      this.findInduction(s, stmts[i - 1]);
      this.findInductions(s.body);
    });
  }

  private findInduction(s: LoopStmt, prev: Stmt | undefined): void {
    {
      if (!prev || prev.k !== 'let' || s.update.length !== 1) return;
      const u = s.update[0];
      const v = prev.v;
      if (u.k !== 'assign' || u.v !== v || u.value.k !== 'binary' || u.value.a.k !== 'var' || u.value.a.id !== v || u.value.b.k !== 'const') return;
      if (u.value.op !== '+' && u.value.op !== '-') return;
      const c = u.value.b.value;
      const step = u.value.op === '+' ? c : -c;
      if (!Number.isFinite(step) || step === 0) return;
      const lp = this.pos.get(s)!;
      const writes = (this.writes.get(v) ?? []).filter((p) => p !== this.pos.get(prev)!.pre && p !== this.pos.get(u)!.pre);
      if (writes.length > 0) return;
      if (this.readOutside(v, this.pos.get(prev)!.pre, lp.post)) return;
      // its start must be readable again in the reverse sweep
      if (![...varsOf(prev.init)].every((x) => this.available(x, prev))) return;
      const ind: Induction = { v, letStmt: prev, step };
      this.induction.set(s, ind);
      this.inductionVars.set(v, s);
    }
  }

  private addWrite(v: number, pre: number): void {
    const l = this.writes.get(v) ?? [];
    l.push(pre);
    this.writes.set(v, l);
  }

  private readOutside(v: number, from: number, to: number): boolean {
    let found = false;
    const visit = (stmts: Stmt[]) => {
      for (const s of stmts) {
        const p = this.pos.get(s)!;
        if (p.pre >= from && p.pre <= to) continue;
        forEachStmtExpr(s, (e) => { if (varsOf(e).has(v)) found = true; });
        if (s.k === 'if') { visit(s.then); visit(s.else); }
        if (s.k === 'loop') { visit(s.body); visit(s.update); }
      }
    };
    visit(this.w.body);
    return found;
  }

  inside(p: number, b: { pre: number; post: number }): boolean {
    return p >= b.pre && p <= b.post;
  }

  /**
   * Whether, in the reverse sweep at statement `s`, variable `v` holds the value it had when `s`
   * ran in the forward sweep (or right after it, with `after`). Variables declared inside a loop or a
   * branch count as available when they are written once: the generator re-establishes them at the
   * start of their block's reverse (see Reverse.reestablish).
   */
  available(v: number, s: Stmt, after = false): boolean {
    const sp = this.pos.get(s);
    if (!sp) return false;
    const loop = this.inductionVars.get(v);
    if (loop) {
      const lp = this.pos.get(loop)!;
      return sp.pre > lp.pre && sp.pre <= lp.post;
    }
    if (this.arrayFromVars.has(v)) return true;
    const block = this.declBlock.get(v);
    if (!block) return false;
    const bp = this.blockOf.get(block)!;
    const decl = this.declStmt.get(v);
    const declPre = decl ? this.pos.get(decl)!.pre : -1;
    const r = this.aliasRoot(v);
    const writes = r !== v ? [...(this.writes.get(r) ?? []), ...(this.writes.get(v) ?? [])] : this.writes.get(v) ?? [];
    const innerLoops = sp.loops.filter((l) => this.inside(this.pos.get(l)!.pre, bp));
    for (const wp of writes) {
      if (wp === declPre) continue;
      if (innerLoops.some((l) => this.inside(wp, this.pos.get(l)!))) return false;
      if (after ? wp > sp.pre : wp >= sp.pre) return false;
    }
    if (!bp.top && this.w.vars[v].reassigned) return false;
    if (r !== v && this.w.vars[v].type === 'arr' && !this.available(r, s, after)) return false;
    return true;
  }
}

function forEachArrayFrom(e: Expr, f: (id: number) => void): void {
  forEachSubexpr(e, (x) => { if (x.k === 'arrayFrom') f(x.indexVar); });
}

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
