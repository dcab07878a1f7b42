// First writes of a parameter's adjoint array made plain stores, a pass over the reverse sweep's
// adjoint statements (generated gradients within 1.3× of hand-written ones). A gradient's adjoint
// array accumulated only inside one loop running down its index i, at elements i + c for constant
// offsets c, is written at i + min(c) for the first time in iteration i: the iterations already run
// (j > i) wrote elements ≥ j + min(c) > i + min(c). That element's contributions become one
// `dx[i] = …` (a read-modify-write each is what makes the gradient slow), and when those stores
// cover the whole array, it is allocated without its zero fill. Anything else is left as it is.

import { Expr } from '../ir';
import { forEachSubexpr } from '../irWalk';
import { Adj, AdjOf, adjNames, forEachAdj } from './adjoint';
import { cnst, formatNumber, idx, ref } from './expr';

export interface FirstWrites {
  /** The reverse sweep with the first writes made stores. */
  stmts: Adj[];
  /** The declaration of the adjoint array. */
  decl: Adj;
  /** Zeroes the elements the loop does not store first, when the declaration leaves them unset. */
  init: Adj[];
}

/** The reverse sweep's printed names, and how functions are named in it. */
export interface Naming {
  names: string[];
  fnName(name: string): string;
}

/** A non-negative integer constant, printed as digits. */
function digits(e: Expr): number | null {
  return e.k === 'const' && /^\d+$/.test(formatNumber(e.value)) ? e.value : null;
}

/** Names an expression reads (its variables, the functions it calls), and those it indexes (`a[…]`). */
function exprNames(n: Naming, e: Expr): { read: Set<string>; indexed: Set<string> } {
  const read = new Set<string>();
  const indexed = new Set<string>();
  forEachSubexpr(e, (x) => {
    if (x.k === 'var') read.add(n.names[x.id]);
    if (x.k === 'call' && x.fn !== '$slice') read.add(n.fnName(x.fn));
    if (x.k === 'index' && x.array.k === 'var') indexed.add(n.names[x.array.id]);
  });
  return { read, indexed };
}

/** The root array a statement writes an element of, by name. */
function elementWritten(n: Naming, s: Adj): string | null {
  if (s.k !== 'accum' && s.k !== 'set' && s.k !== 'firstWrite') return null;
  let t = s.target;
  if (t.k !== 'index') return null;
  while (t.k === 'index') t = t.array;
  return t.k === 'var' ? n.names[t.id] : null;
}

/**
 * `reverse`: the top-level reverse sweep; `before`: the statements declared ahead of it (other
 * adjoints); `decl`: the adjoint array's declaration (zeros shaped like the parameter), `d` its id;
 * `x`: the parameter's name, `params` the parameters' names.
 */
export function firstWrites(n: Naming, reverse: Adj[], before: Adj[], decl: AdjOf<'decl'>, x: string, params: string[]): FirstWrites | null {
  const d = n.names[decl.name];
  const named = new Map<Adj, Set<string>>();
  const mentions = (s: Adj, name: string) => {
    let set = named.get(s);
    if (!set) named.set(s, (set = adjNames(s, n.names, n.fnName)));
    return set.has(name);
  };
  if (before.some((s) => mentions(s, d))) return null;
  const at = reverse.findIndex((s) => mentions(s, d));
  if (at < 0) return null;
  const loop = reverse[at];
  // a loop running down to a constant
  if (loop.k !== 'for' || loop.cmp !== '>=' || loop.step !== '--' || loop.to.k !== 'const' || !/^-?\d+$/.test(formatNumber(loop.to.value))) return null;
  const i = n.names[loop.index];
  if (i === d || exprNames(n, loop.from).read.has(d)) return null;
  // the index is the loop's own: not redeclared, not written
  let tampered = false;
  forEachAdj(loop.body, (s) => {
    const declared = s.k === 'decl' || s.k === 'decrement' ? [s.name] : s.k === 'for' ? [s.index] : s.k === 'call' ? s.results : [];
    if (declared.some((id) => n.names[id] === i)) tampered = true;
    if ((s.k === 'accum' || s.k === 'set' || s.k === 'firstWrite') && s.target.k === 'var' && n.names[s.target.id] === i) tampered = true;
  });
  if (tampered) return null;
  // every access to the adjoint: a whole top-level `d[i ± c] op= value` not reading it again
  const offset = (t: Expr): number | null => {
    if (t.k !== 'index' || t.array.k !== 'var' || n.names[t.array.id] !== d) return null;
    const ix = t.index;
    if (ix.k === 'var' && n.names[ix.id] === i) return 0;
    if (ix.k !== 'binary' || (ix.op !== '+' && ix.op !== '-') || ix.a.k !== 'var' || n.names[ix.a.id] !== i) return null;
    const c = digits(ix.b);
    return c === null ? null : ix.op === '-' ? -c : c;
  };
  const writes: { at: number; offset: number; op: '+' | '-'; value: Expr; target: Expr }[] = [];
  for (let k = 0; k < loop.body.length; k++) {
    const s = loop.body[k];
    if (!mentions(s, d)) continue;
    if (s.k !== 'accum') return null;
    const c = offset(s.target);
    if (c === null || exprNames(n, s.value).read.has(d)) return null;
    writes.push({ at: k, offset: c, op: s.op === '+=' ? '+' : '-', value: s.value, target: s.target });
  }
  if (writes.length === 0) return null;
  const low = Math.min(...writes.map((w) => w.offset));
  const fresh = writes.filter((w) => w.offset === low);
  const last = fresh[fresh.length - 1];
  // earlier contributions move down to the last one: what they read must not change in between,
  // and the forward arrays they index (parameters only) are never written by the reverse sweep
  for (const w of fresh.slice(0, -1)) {
    const { read, indexed } = exprNames(n, w.value);
    read.delete(i);
    for (const id of read) {
      if (loop.body.slice(w.at + 1, last.at).some((s) => mentions(s, id))) return null;
      if (indexed.has(id)) {
        if (!params.includes(id)) return null;
        let written = false;
        forEachAdj(reverse, (s) => { if (elementWritten(n, s) === id) written = true; });
        if (written) return null;
      }
    }
  }
  const dropped = new Set(fresh.slice(0, -1).map((w) => w.at));
  const isComment = (s: Adj | undefined) => s !== undefined && s.k === 'comment';
  // a statement's comment left with nothing under it goes too
  for (const k of [...dropped]) {
    const next = [...loop.body.keys()].find((j) => j > k && !dropped.has(j));
    if (isComment(loop.body[k - 1]) && (next === undefined || isComment(loop.body[next]))) dropped.add(k - 1);
  }
  const kept: Adj[] = [];
  loop.body.forEach((s, k) => {
    if (dropped.has(k)) return;
    kept.push(k === last.at ? { k: 'firstWrite', target: last.target, terms: fresh.map((w) => ({ op: w.op, value: w.value })) } : s);
  });
  const stmts = [...reverse];
  stmts[at] = { ...loop, body: kept };
  // coverage: i + low over [B, A] is [0, n − 1 − r] when B = −low and A = n − 1 − low − r
  const zeros = decl.value;
  if (zeros.k !== 'zeros') return null;
  const bare: Adj = { ...decl, value: { ...zeros, fill: false } };
  const isLength = (e: Expr) => e.k === 'length' && e.array.k === 'var' && n.names[e.array.id] === x;
  const from = loop.from;
  const c = isLength(from) ? 0 : from.k === 'binary' && from.op === '-' && isLength(from.a) ? digits(from.b) : null;
  if (c === null || loop.to.value !== -low) return { stmts, decl, init: [] };
  const r = c - 1 - low;
  if (r === 0) return { stmts, decl: bare, init: [] };
  // one element left over (the loop does not run for an empty array, which then has none)
  if (r === 1) {
    const length: Expr = { k: 'length', array: zeros.like, range: from.range };
    const lastElement = idx(ref(decl.name), { k: 'binary', op: '-', a: length, b: cnst(1), range: from.range });
    return {
      stmts,
      decl: bare,
      init: [{ k: 'if', test: { k: 'compare', op: '>', a: length, b: cnst(0), range: from.range }, not: null, then: [{ k: 'set', target: lastElement, value: cnst(0) }], else: [], oneLine: true }],
    };
  }
  return { stmts, decl, init: [] };
}
