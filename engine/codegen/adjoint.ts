// The reverse sweep as a structure: a small typed IR of adjoint statements, built by the
// statement adjoints (stmtAdjoints.ts), rewritten by passes (firstWrites.ts: the first write of a
// parameter's adjoint element becomes a plain store; stacks.ts: saved values' stacks are sized),
// and printed once at the end (`printAdj`).
//
// Expressions are IR expressions whose variable ids index the generator's names: the function's
// variables, then the names the generator made (adjoints, saved and recomputed values, indices).
// Values saved by the forward sweep live in slots: a constant, a variable declared at the top of
// the function, or a stack.

import { Expr } from '../ir';
import { forEachSubexpr } from '../irWalk';
import { block, Line } from './code';
import { forEachVar, formatNumber } from './expr';
import type { LoopStmt } from './work';

/** A stack of values saved inside loops: pushed in the forward sweep, popped in the reverse. */
export interface StackSlot {
  kind: 'stack';
  name: string;
  /** What its count is named after (`${base}Count`). */
  base: string;
  /** The values' type: `number`, `boolean`, or an array type. */
  type: string;
  /** The loops the values are saved in, outermost first. */
  loops: LoopStmt[];
  /** A pullback's: sized, it is a plain preallocated array (its bound must be an integer). */
  plain: boolean;
  /**
   * Set by the sizing pass (stacks.ts) when the loops' trips are bounded by values known before
   * the outermost: an array of that capacity (printed) allocated there, with a count of the values
   * on it (a Float64Array for numbers, a Uint8Array for branches taken; no growing, no boxing).
   * Null: an array pushed and popped.
   */
  sized: { capacity: string; count: string } | null;
}

/** Where the forward sweep saves a value for the reverse sweep. */
export type Slot =
  /** A constant declared where the value is saved (the function's own block). */
  | { kind: 'const'; name: string }
  /** A variable declared at the top of the function, assigned where the value is saved (a branch). */
  | { kind: 'hoisted'; name: string }
  | StackSlot;

/** A zero adjoint array the size of `like`. */
export interface Zeros {
  k: 'zeros';
  like: Expr;
  /** `new Float64Array(n)`, `new Array<number>(n)` (filled with 0 or not), or one such row per row of `like`. */
  array: 'float64' | 'array' | 'rows';
  fill: boolean;
}

/** A value the reverse sweep reads: an expression, the top of a stack, zeros. */
export type AdjValue = Expr | { k: 'pop'; slot: StackSlot } | Zeros;

export type Adj =
  /** `// text` */
  | { k: 'comment'; text: string }
  /** `const name = value;` */
  | { k: 'decl'; kind: 'const' | 'let'; name: number; value: AdjValue }
  /** An adjoint accumulation: `target += value;` */
  | { k: 'accum'; target: Expr; op: '+=' | '-='; value: Expr }
  /** `target = value;` */
  | { k: 'set'; target: Expr; value: Expr }
  /** The first write of an adjoint element (firstWrites.ts): `target = t0 ± t1 ± …;` */
  | { k: 'firstWrite'; target: Expr; terms: { op: '+' | '-'; value: Expr }[] }
  /** `name--;` */
  | { k: 'decrement'; name: number }
  /** A pullback's call: `call;`, `const r = call;`, `const [r0, r1] = call;` */
  | { k: 'call'; call: Expr & { k: 'call' }; results: number[] }
  /**
   * `if (test) then else`; `not`: the test negated, as `!(test)` (paren) or as `!test` where that
   * reads unambiguously (minimal); `oneLine`: printed on one line (a single statement, no else).
   */
  | { k: 'if'; test: AdjValue; not: 'paren' | 'minimal' | null; then: Adj[]; else: Adj[]; oneLine?: boolean }
  /** `for (let index = from; index cmp to; index step) body` */
  | { k: 'for'; index: number; from: Expr; cmp: '<' | '<=' | '>' | '>='; to: Expr; step: '++' | '--'; body: Adj[] }
  /**
   * Statements the recompute-or-save pass (values.ts) writes: the values a statement's adjoint pops
   * or recomputes first, a loop's trip count, a block's re-established values. Empty while the walk
   * runs; flattened into their place after the pass (`flattenGroups`).
   */
  | { k: 'group'; body: Adj[] };

export type AdjOf<K extends Adj['k']> = Adj & { k: K };

/** Whether the statements do nothing (comments, and groups the statements beside them fill). */
export function isEmptyAdj(stmts: Adj[]): boolean {
  // a group holds only what the statements beside it need (values.ts): nothing on its own
  return stmts.every((s) => s.k === 'comment' || s.k === 'group');
}

function isExpr(v: AdjValue): v is Expr {
  return v.k !== 'pop' && v.k !== 'zeros';
}

/** Calls `f` on each expression of `s` itself (not of its nested statements), in printing order. */
export function forEachAdjExpr(s: Adj, f: (e: Expr) => void): void {
  const value = (v: AdjValue) => { if (isExpr(v)) f(v); else if (v.k === 'zeros') f(v.like); };
  switch (s.k) {
    case 'comment': case 'decrement': return;
    case 'decl': value(s.value); return;
    case 'accum': case 'set': f(s.target); f(s.value); return;
    case 'firstWrite': f(s.target); for (const t of s.terms) f(t.value); return;
    case 'call': f(s.call); return;
    case 'if': value(s.test); return;
    case 'for': f(s.from); f(s.to); return;
    case 'group': return;
  }
}

/** The statements nested in `s`. */
export function adjChildren(s: Adj): Adj[][] {
  return s.k === 'if' ? [s.then, s.else] : s.k === 'for' || s.k === 'group' ? [s.body] : [];
}

/** The statements with every group replaced by its statements (after the recompute-or-save pass). */
export function flattenGroups(stmts: Adj[]): Adj[] {
  const out: Adj[] = [];
  for (const s of stmts) {
    if (s.k === 'group') out.push(...flattenGroups(s.body));
    else if (s.k === 'if') out.push({ ...s, then: flattenGroups(s.then), else: flattenGroups(s.else) });
    else if (s.k === 'for') out.push({ ...s, body: flattenGroups(s.body) });
    else out.push(s);
  }
  return out;
}

/** Calls `visit` on every statement of `stmts` and the statements nested in them, in order. */
export function forEachAdj(stmts: Adj[], visit: (s: Adj) => void): void {
  for (const s of stmts) {
    visit(s);
    for (const c of adjChildren(s)) forEachAdj(c, visit);
  }
}

/**
 * The names a statement (nested statements included) mentions, as printed: its variables, the
 * names it declares, the functions it calls, the stacks it pops (comments mention nothing).
 */
export function adjNames(s: Adj, names: string[], fnName: (n: string) => string): Set<string> {
  const out = new Set<string>();
  const expr = (e: Expr) => {
    forEachVar(e, (id) => out.add(names[id]));
    forEachSubexpr(e, (x) => { if (x.k === 'call' && x.fn !== '$slice') out.add(fnName(x.fn)); });
  };
  forEachAdj([s], (x) => {
    forEachAdjExpr(x, expr);
    if (x.k === 'decl' || x.k === 'decrement') out.add(names[x.name]);
    if (x.k === 'call') for (const r of x.results) out.add(names[r]);
    if (x.k === 'for') out.add(names[x.index]);
    const pop = x.k === 'decl' ? x.value : x.k === 'if' ? x.test : null;
    if (pop && pop.k === 'pop') {
      out.add(pop.slot.name);
      if (pop.slot.sized) out.add(pop.slot.sized.count);
    }
  });
  return out;
}

// ---- printing ------------------------------------------------------------------------------------

export interface AdjPrinter {
  names: string[];
  /** Prints an expression of the reverse sweep. */
  rp(e: Expr): string;
  ts: boolean;
}

/** Whether a sized stack holds branches taken as 0/1 (a Uint8Array). */
function bits(slot: StackSlot): boolean {
  return !!slot.sized && !slot.plain && slot.type === 'boolean';
}

/** The forward sweep's statement saving `value` (printed) on a stack. */
export function pushText(slot: StackSlot, value: string): string {
  if (!slot.sized) return `${slot.name}.push(${value});`;
  return `${slot.name}[${slot.sized.count}++] = ${bits(slot) ? `${value} ? 1 : 0` : value};`;
}

/** How the reverse sweep takes the last value saved on a stack. */
export function popText(slot: StackSlot, ts: boolean): string {
  if (!slot.sized) return `${slot.name}.pop()${ts ? '!' : ''}`;
  return bits(slot) ? `${slot.name}[--${slot.sized.count}] === 1` : `${slot.name}[--${slot.sized.count}]`;
}

function valueText(g: AdjPrinter, v: AdjValue): string {
  if (v.k === 'pop') return popText(v.slot, g.ts);
  if (v.k === 'zeros') {
    const like = g.rp(v.like);
    const arr = (n: string) => `new Array${g.ts ? '<number>' : ''}(${n})${v.fill ? '.fill(0)' : ''}`;
    if (v.array === 'float64') return `new Float64Array(${like}.length)`;
    if (v.array === 'rows') return `${like}.map((row) => ${arr('row.length')})`;
    return arr(`${like}.length`);
  }
  return g.rp(v);
}

/** `!t`, parenthesised unless `t` is a plain name or call. */
function negateText(t: string): string {
  return /^[\w$.]+(\(\))?!?$/.test(t) ? `!${t}` : `!(${t})`;
}

/**
 * Whether an expression prints with nothing but names, `.`, indices, `*` and `/` (no sign, no
 * parentheses): a term of a first write then needs no parentheses.
 */
function isPlainProduct(e: Expr, min = 0): boolean {
  switch (e.k) {
    case 'var': return true;
    case 'const': return /^[\w$.]+$/.test(formatNumber(e.value));
    case 'length': return isPlainProduct(e.array, 17);
    case 'index': return isPlainProduct(e.array, 17) && isPlainProduct(e.index, 0);
    case 'binary': {
      if (e.op !== '*' && e.op !== '/' && e.op !== '**') return false;
      const p = e.op === '**' ? 14 : 13;
      if (p < min) return false;
      return e.op === '**' ? isPlainProduct(e.a, 16) && isPlainProduct(e.b, 14) : isPlainProduct(e.a, 13) && isPlainProduct(e.b, 14);
    }
    default: return false;
  }
}

function firstWriteText(g: AdjPrinter, terms: { op: '+' | '-'; value: Expr }[]): string {
  let sum = '';
  for (const t of terms) {
    const text = g.rp(t.value);
    const r = isPlainProduct(t.value) ? text : `(${text})`;
    if (sum === '') sum = t.op === '-' ? `-${r}` : text;
    else sum += ` ${t.op} ${r}`;
  }
  return sum;
}

function printOne(g: AdjPrinter, s: Adj): Line[] {
  switch (s.k) {
    case 'comment': return [`// ${s.text}`];
    case 'decl': return [`${s.kind} ${g.names[s.name]} = ${valueText(g, s.value)};`];
    case 'accum': return [`${g.rp(s.target)} ${s.op} ${g.rp(s.value)};`];
    case 'set': return [`${g.rp(s.target)} = ${g.rp(s.value)};`];
    case 'firstWrite': return [`${g.rp(s.target)} = ${firstWriteText(g, s.terms)};`];
    case 'decrement': return [`${g.names[s.name]}--;`];
    case 'call': {
      const call = g.rp(s.call);
      if (s.results.length === 0) return [`${call};`];
      if (s.results.length === 1) return [`const ${g.names[s.results[0]]} = ${call};`];
      return [`const [${s.results.map((r) => g.names[r]).join(', ')}] = ${call};`];
    }
    case 'if': {
      const t = valueText(g, s.test);
      const test = s.not === 'paren' ? `!(${t})` : s.not === 'minimal' ? negateText(t) : t;
      if (s.oneLine) return [`if (${test}) ${printAdj(g, s.then).join(' ')}`];
      return [block(`if (${test})`, printAdj(g, s.then), printAdj(g, s.else))];
    }
    case 'group': return printAdj(g, s.body);
    case 'for': {
      const i = g.names[s.index];
      return [block(`for (let ${i} = ${g.rp(s.from)}; ${i} ${s.cmp} ${g.rp(s.to)}; ${i}${s.step})`, printAdj(g, s.body))];
    }
  }
}

/** The statements as lines of code. */
export function printAdj(g: AdjPrinter, stmts: Adj[]): Line[] {
  const out: Line[] = [];
  for (const s of stmts) out.push(...printOne(g, s));
  return out;
}
