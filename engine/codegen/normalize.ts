// Preparation pass 1 (prepare.ts): control flow normalised so that `break` and `return` only end
// blocks (the statements after an `if` that may leave the block move into its branches that fall
// through; `continue` runs the loop's update), a `return` inside a loop sets a result and a flag
// and breaks out; `map` callbacks that read arrays become loops; costly conditional expressions
// become `if`s; hidden aliases (`for (const v of w)`) read their array directly.

import { Expr, Stmt } from '../ir';
import { cnst, isExpensive, ref, substitute } from './expr';
import { countStmts, forEachStmt, mapBlocks, mapStmts, someStmt } from './stmtWalk';
import { CodegenError, newVar, Work } from './work';

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
  return someStmt(stmts, (s) => s.k === 'return');
}

interface NormCtx {
  inLoop: boolean;
  /** Statements a `continue` (and the end of a loop body) runs, when the update is folded in. */
  cont: Stmt[] | null;
  /** The end of the current sequence is the end of the loop body. */
  endIsBodyEnd: boolean;
  result: () => { result: number; returned: number };
}

/** Control flow with `break` and `return` at the ends of blocks only (see the top of this file). */
export function normalize(w: Work): void {
  let flags: { result: number; returned: number } | null = null;
  const flagVars = () => {
    if (!flags) {
      if (w.fn.returnType !== 'num') throw new CodegenError('a `return` of an array inside a loop');
      flags = { result: newVar(w, '$value', 'num', 0, true), returned: newVar(w, '$returned', 'bool', 0, true) };
    }
    return flags;
  };
  const before = countStmts(w.body);
  let body = seq(w.body, 0, { inLoop: false, cont: null, endIsBodyEnd: false, result: flagVars });
  if (flags) {
    const f = flags as { result: number; returned: number };
    body = [
      { k: 'let', v: f.result, init: cnst(0), range: w.fn.range },
      { k: 'let', v: f.returned, init: { k: 'bool', value: false, range: w.fn.range }, range: w.fn.range },
      ...body,
    ];
  }
  if (countStmts(body) > 4 * before + 200) throw new CodegenError('control flow too tangled for readable adjoint code (break/continue/return nested in conditionals)');
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

/** Pass 1 as the reverse-mode generator runs it. */
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
    if (s.k === 'if' || s.k === 'loop') { out.push(mapBlocks(s, loopifyArrayReads)); continue; }
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

/** Calls `f` on `e` and its subexpressions, call arguments included, array lengths and constructions not. */
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
    } else {
      out.push(mapBlocks(s, (b) => splitCostlyConditionals(w, b)));
    }
  }
  return out;
}

/** `for (const v of w)` introduces `$arr = w`: read w directly. */
export function substituteHiddenAliases(w: Work): void {
  const map = new Map<number, Expr>();
  forEachStmt(w.body, (s) => {
    if (s.k === 'let' && w.vars[s.v].name.startsWith('$') && !w.vars[s.v].reassigned && s.init.k === 'var' && !w.vars[s.init.id].reassigned) {
      map.set(s.v, map.get(s.init.id) ?? s.init);
    }
  });
  if (map.size === 0) return;
  w.body = mapStmts(w.body, (e) => substitute(e, map), (s) => !(s.k === 'let' && map.has(s.v)));
}
