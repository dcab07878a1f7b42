// Reverse-mode (adjoint) code generation, in the style of Tangent and Clad: the forward sweep (the
// function's own statements, plus what the reverse sweep needs saved), then the adjoint of each
// statement in reverse order. Values are read where they are still intact, recomputed where that
// is cheap, and saved otherwise: in a constant outside loops, on a stack inside them. Branches are
// re-tested when their condition can be, else the branch taken is recorded; loops run backwards
// over their index, or count their trips when they must.

import { someScalarNode } from '../irWalk';
import { checkTime } from '../symbolic/charge';
import { BINARY_MATH_FNS, Expr, IrFunction, Stmt } from '../ir';
import { block, isEmpty, Line, printLines } from './code';
import { GenContext, lineOf, PullbackInfo, ruleWrtIndices, sourceSnippet } from './context';
import {
  add, cmp, cnst, forEachVar, isExpensive, math, mentions, mul, neg, partialExprs, printExpr, PrintOptions, ref, sameExpr, sub, substitute, varsOf, idx,
} from './expr';
import {
  Activity, analyzeActivity, argsOf, CodegenError, copyWork, exprType, extractArrays, extractTemps, IfStmt, Layout, LoopStmt,
  forEachStmtExpr, neededByRule, normalizeWork, opOf, Work,
} from './prepare';
import { freshStores } from './freshStores';
import { printStmts } from './printIr';

export interface ReverseSpec {
  fn: IrFunction;
  /** Parameter indices to differentiate. */
  wrt: number[];
  /** gradient: returns a hand-written gradient's shape (a number, or a tuple in `@wrt` order), seeded with 1; pullback: takes dOut and adjoint arrays. */
  mode: 'gradient' | 'pullback';
  name: string;
  exported: boolean;
  doc: string[];
}

const JS_RESERVED = new Set(['Math', 'Array', 'Float64Array', 'Number', 'undefined', 'NaN', 'Infinity', 'arguments', 'eval', 'new', 'for', 'let', 'const', 'var', 'if', 'else', 'return', 'function', 'do', 'in', 'of', 'while', 'break', 'continue', 'true', 'false', 'null', 'this', 'class', 'switch', 'case', 'default', 'delete', 'typeof', 'void', 'with', 'yield', 'await', 'try', 'catch', 'finally', 'throw', 'enum', 'export', 'import', 'super', 'extends', 'instanceof', 'static', 'interface', 'package', 'private', 'protected', 'public', 'implements', 'type']);

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function adjointBase(name: string): string {
  return name.length === 1 || /^[a-z]\d+$/.test(name) ? `d${name}` : `d${cap(name)}`;
}

interface StmtState {
  pops: Line[];
  saved: Map<string, Expr>;
  stmt: Stmt;
}

/**
 * `sized`: an array allocated before its outermost loop at the size the loops bound, with a count of
 * the values on it; `bits` when it is a Uint8Array holding branches taken as 0/1.
 */
type Slot = { kind: 'const' | 'hoisted' | 'stack'; name: string } | { kind: 'sized'; name: string; count: string; bits: boolean };

export class ReverseGen {
  readonly w: Work;
  readonly act: Activity;
  readonly layout: Layout;
  readonly names: string[] = [];
  private readonly used = new Set<string>();
  private readonly po: PrintOptions;
  private useSink: Set<number> | null = null;
  private readonly reverseUses = new Set<number>();
  private readonly hoisted: Line[] = [];
  private readonly fwdBefore = new Map<Stmt, Line[]>();
  private readonly fwdAfter = new Map<Stmt, Line[]>();
  private readonly fwdBodyStart = new Map<Stmt, Line[]>();
  private readonly fwdTest = new Map<Stmt, string>();
  private readonly tripSlots = new Map<Stmt, Slot>();
  private readonly adjIds = new Map<number, number>();
  private readonly adjUsed = new Set<number>();
  private readonly cursors = new Map<number, number>();
  private readonly reest = new Map<Stmt[], Set<number>>();
  private readonly reestLines = new Map<number, Line[]>();
  private cur: StmtState | null = null;
  private readonly text: string;
  private readonly aliasParent: number[];
  private lastComment = '';
  readonly dOutId: number;
  readonly arrayAdjParams = new Map<number, number>();

  constructor(readonly ctx: GenContext, readonly spec: ReverseSpec) {
    const fn = spec.fn;
    this.text = ctx.program.text;
    const w = copyWork(fn);
    const callType = (name: string) => {
      const f = ctx.resolve(name);
      return { t: f.returnType, d: f.returnType === 'arr' ? Math.max(1, returnDepth(f)) : 0 };
    };
    normalizeWork(w);
    extractArrays(w, (e) => exprType(e, w.vars, callType));
    const wrtVars = new Set(spec.wrt.map((i) => fn.params[i].v));
    this.act = analyzeActivity(w, wrtVars, (name, argActive) => this.callActive(name, argActive));
    extractTemps(w, this.act);
    this.w = w;
    // alias roots for arrays (views share their source's contents)
    this.aliasParent = w.vars.map((v) => v.id);
    const visit = (stmts: Stmt[]) => {
      for (const s of stmts) {
        if (s.k === 'let' && w.vars[s.v].type === 'arr') {
          const r = arrayRoot(s.init);
          if (r !== null) this.aliasParent[s.v] = this.aliasRoot(r);
        }
        if (s.k === 'if') { visit(s.then); visit(s.else); }
        if (s.k === 'loop') { visit(s.body); visit(s.update); }
      }
    };
    visit(w.body);
    this.layout = new Layout(w, (v) => this.aliasRoot(v));
    this.po = { name: (id) => this.nameOf(id), fnName: (n) => ctx.fnName(n), ts: ctx.opts.ts };
    this.assignNames();
    this.dOutId = this.synthetic(spec.mode === 'pullback' ? 'dOut' : 'seed');
  }

  private callActive(name: string, argActive: boolean[]): boolean {
    const f = this.ctx.resolve(name);
    if (f.annotations.nondifferentiable) return false;
    if (f.annotations.derivative) {
      const wrt = ruleWrtIndices(f);
      return argActive.some((a, i) => a && wrt.includes(i));
    }
    return argActive.some((a) => a);
  }

  aliasRoot(v: number): number {
    let r = v;
    while (this.aliasParent[r] !== r) r = this.aliasParent[r];
    return r;
  }

  // ---- names --------------------------------------------------------------------------------------

  private nameOf(id: number): string {
    if (this.useSink && id < this.w.vars.length) {
      // in the reverse sweep, re-established and loop-index variables are its own copies
      const block = this.layout.declBlock.get(id);
      const own = this.sinkIsReverse && (this.layout.inductionVars.has(id) || this.layout.arrayFromVars.has(id) || (block !== undefined && !this.layout.blockOf.get(block)!.top));
      if (!own) this.useSink.add(id);
    }
    return this.names[id];
  }

  private sinkIsReverse = false;

  private assignNames(): void {
    const names = scopedNames(this.w, this.layout, new Set([...this.ctx.taken, ...JS_RESERVED]), this.ctx.opts.sanitize);
    names.forEach((n, i) => { this.names[i] = n; });
    for (const n of this.names) this.used.add(n);
    for (const n of this.ctx.taken) this.used.add(n);
    for (const n of JS_RESERVED) this.used.add(n);
  }

  fresh(base: string): string {
    // Names are never released, so the search for a base resumes where its last one ended.
    let i = this.freshFrom.get(base) ?? 1;
    let name = i === 1 ? base : `${base}${i}`;
    while (this.used.has(name)) name = `${base}${++i}`;
    this.freshFrom.set(base, i);
    this.used.add(name);
    return name;
  }

  private readonly freshFrom = new Map<string, number>();

  /** A new identifier (not an IR variable) usable in expressions. */
  synthetic(base: string): number {
    const id = this.names.length;
    this.names.push(this.fresh(base));
    return id;
  }

  adj(v: number): number {
    let id = this.adjIds.get(v);
    if (id === undefined) {
      id = this.synthetic(adjointBase(this.names[v]));
      this.adjIds.set(v, id);
    }
    this.adjUsed.add(v);
    return id;
  }

  p(e: Expr): string {
    return printExpr(e, this.po);
  }

  /** Prints in the reverse sweep (records which forward variables it reads). */
  rp(e: Expr): string {
    const prev = this.useSink;
    const prevR = this.sinkIsReverse;
    this.useSink = this.reverseUses;
    this.sinkIsReverse = true;
    try { return printExpr(e, this.po); } finally { this.useSink = prev; this.sinkIsReverse = prevR; }
  }

  /** Prints in the forward sweep (a saved value): what it reads must be computed. */
  private fp(e: Expr): string {
    const prev = this.useSink;
    const prevR = this.sinkIsReverse;
    this.useSink = this.reverseUses;
    this.sinkIsReverse = false;
    try { return printExpr(e, this.po); } finally { this.useSink = prev; this.sinkIsReverse = prevR; }
  }

  private ty(t: string): string {
    return this.ctx.opts.ts ? t : '';
  }

  private bang(): string {
    return this.ctx.opts.ts ? '!' : '';
  }

  // ---- values in the reverse sweep ------------------------------------------------------------------

  private tsTypeOfVar(v: number): string {
    const x = this.w.vars[v];
    if (x.type === 'bool') return 'boolean';
    if (x.type === 'num') return 'number';
    const param = this.w.fn.params.find((p) => p.v === v);
    if (param) return param.typeText;
    return x.depth > 1 ? 'number[][]' : 'number[]';
  }

  /** A slot to save a value in, chosen by where `s` sits: constant, hoisted variable, or stack. */
  private slotFor(s: Stmt, base: string, type: string, init: string): Slot {
    const pos = this.layout.pos.get(s)!;
    if (pos.loops.length > 0) return this.stackSlot(pos.loops, base, type);
    if (this.layout.blockOf.get(pos.block)!.top) return { kind: 'const', name: this.fresh(base) };
    const name = this.fresh(base);
    this.hoisted.push(`let ${name}${type === 'number' || type === 'boolean' ? '' : this.ty(`: ${type}`)} = ${init};`);
    return { kind: 'hoisted', name };
  }

  /**
   * A stack for values saved inside `loops` (outermost first): when the loops' trip counts are bounded
   * by values known before the outermost, an array of that size allocated there, with a count (a
   * Float64Array for numbers, a Uint8Array for branches taken; no growing, no boxing); else an array
   * pushed and popped.
   */
  private stackSlot(loops: LoopStmt[], base: string, type: string): Slot {
    // `new Array(n)` throws unless n is an integer: a pullback's bound must be one (a length, not `Math.ceil(n / 2)`)
    const plain = this.spec.mode === 'pullback';
    const cap = type === 'number' || type === 'boolean' ? this.stackCapacity(loops, plain) : null;
    const name = this.fresh(`${base}Stack`);
    if (cap === null) {
      this.hoisted.push(`const ${name}${this.ty(`: ${type}[]`)} = [];`);
      return { kind: 'stack', name };
    }
    const count = this.fresh(`${base}Count`);
    const outer = loops[0];
    const lines = this.fwdBefore.get(outer) ?? [];
    // a pullback runs once per call of its helper, often on small arrays inside a loop, where a
    // preallocated array is cheaper to create than a typed array
    const array = plain ? `new Array${this.ty(`<${type}>`)}(${this.fp(cap)})` : `new ${type === 'number' ? 'Float64Array' : 'Uint8Array'}(${this.fp(cap)})`;
    lines.push(`const ${name}${plain ? this.ty(`: ${type}[]`) : ''} = ${array};`, `let ${count} = 0;`);
    this.fwdBefore.set(outer, lines);
    return { kind: 'sized', name, count, bits: !plain && type === 'boolean' };
  }

  /** An upper bound of the iterations of the loop nest `loops`, readable before the outermost; null if unknown. */
  private stackCapacity(loops: LoopStmt[], integerBounds: boolean): Expr | null {
    const outer = loops[0];
    const pos = this.layout.pos.get(outer)!;
    // the stack is declared before the outermost loop: it must be in the function's own block
    if (!this.layout.blockOf.get(pos.block)!.top) return null;
    let product: Expr | null = null;
    let nonNegative = true;
    for (const loop of loops) {
      // a loop that may stop early (a search, an iteration to convergence) can have a bound far above
      // its trips: its values are pushed as they come
      if (hasBreakIn(loop.body)) return null;
      const ind = this.layout.induction.get(loop);
      const t = loop.test;
      if (!ind || ind.step !== 1 || !t || t.k !== 'compare' || t.a.k !== 'var' || t.a.id !== ind.v || (t.op !== '<' && t.op !== '<=')) return null;
      const bound = t.b;
      if (mentions(bound, ind.v) || hasCall(bound) || ![...varsOf(bound)].every((x) => this.layout.available(x, outer))) return null;
      const start = ind.letStmt.init;
      const startKnown = !hasCall(start) && [...varsOf(start)].every((x) => this.layout.available(x, outer));
      if (!startKnown && !this.isNonNegative(start, 0)) return null;
      const intBound = this.isInt(bound, 0);
      if (integerBounds && !intBound) return null;
      let trips: Expr = t.op === '<' ? (intBound ? bound : math('ceil', [bound])) : add(intBound ? bound : math('floor', [bound]), cnst(1));
      // a start not known before the loops (`c + 1` in a triangular nest) is bounded below by its
      // constant part, when the rest is ≥ 0
      const least = startKnown ? start : start.k === 'binary' && start.op === '+' && start.b.k === 'const' && start.b.value > 0 && this.isNonNegative(start.a, 0) ? start.b : cnst(0);
      const fromZero = least.k === 'const' && least.value === 0;
      if (!fromZero && integerBounds && !this.isInt(least, 0)) return null;
      if (!fromZero) trips = sub(trips, least);
      if (!fromZero || !this.isNonNegative(bound, 0)) nonNegative = false;
      product = product ? mul(product, trips) : trips;
    }
    if (!product) return null;
    const saved = this.cur;
    this.cur = null;
    try {
      const e = this.rv(product, outer);
      return nonNegative ? e : math('max', [cnst(0), e]);
    } finally {
      this.cur = saved;
    }
  }

  /** Whether `e` is ≥ 0 (or NaN) for sure: lengths, non-negative constants, and what they make. */
  private isNonNegative(e: Expr, depth: number): boolean {
    if (depth > 8) return false;
    switch (e.k) {
      case 'const': return e.value >= 0;
      case 'length': return true;
      case 'binary': return (e.op === '+' || e.op === '*' || e.op === '/') && this.isNonNegative(e.a, depth + 1) && this.isNonNegative(e.b, depth + 1);
      case 'math': return ['ceil', 'floor', 'round', 'trunc', 'sqrt', 'exp', 'abs'].includes(e.fn) && e.args.every((a) => this.isNonNegative(a, depth + 1));
      case 'var': {
        const loop = this.layout.inductionVars.get(e.id);
        if (loop) { const ind = this.layout.induction.get(loop)!; return ind.step > 0 && this.isNonNegative(ind.letStmt.init, depth + 1); }
        const x = this.w.vars[e.id];
        const decl = this.layout.declStmt.get(e.id);
        return !x.reassigned && x.kind === 'local' && !!decl && this.isNonNegative(decl.init, depth + 1);
      }
      default: return false;
    }
  }

  private pushLine(slot: Slot, value: string): string {
    if (slot.kind !== 'sized') return `${slot.name}.push(${value});`;
    return `${slot.name}[${slot.count}++] = ${slot.bits ? `${value} ? 1 : 0` : value};`;
  }

  private popText(slot: Slot): string {
    if (slot.kind !== 'sized') return `${slot.name}.pop()${this.bang()}`;
    return slot.bits ? `${slot.name}[--${slot.count}] === 1` : `${slot.name}[--${slot.count}]`;
  }

  /** Saves the value of forward expression `e` just before statement `s`; returns how the reverse reads it. */
  private saveBefore(s: Stmt, e: Expr, base: string, type: string, state: StmtState): Expr {
    const key = `${type}|${this.p(e)}`;
    const hit = state.saved.get(key);
    if (hit) return hit;
    const init = type === 'boolean' ? 'false' : type === 'number' ? '0' : '[]';
    const slot = this.slotFor(s, base, type, init);
    const value = this.fp(type.endsWith('[]') || type === 'Float64Array' ? copyOf(e) : e);
    const lines = this.fwdBefore.get(s) ?? [];
    let out: Expr;
    if (slot.kind === 'stack' || slot.kind === 'sized') {
      lines.push(this.pushLine(slot, value));
      const id = this.synthetic(base);
      state.pops.push(`const ${this.names[id]} = ${this.popText(slot)};`);
      out = ref(id);
    } else {
      lines.push(slot.kind === 'const' ? `const ${slot.name} = ${value};` : `${slot.name} = ${value};`);
      out = ref(this.syntheticNamed(slot.name));
    }
    this.fwdBefore.set(s, lines);
    state.saved.set(key, out);
    return out;
  }

  private syntheticNamed(name: string): number {
    const id = this.names.length;
    this.names.push(name);
    return id;
  }

  /** The value variable `v` had at statement `s`, as the reverse sweep reads it. */
  val(v: number, s: Stmt, after = false): Expr {
    if (v >= this.w.vars.length) return ref(v);
    if (this.layout.available(v, s, after)) {
      this.reestablish(v);
      return ref(v);
    }
    const state = this.cur;
    if (!state) throw new CodegenError(`a value of '${this.w.vars[v].name}' the reverse sweep needs`);
    return this.saveBefore(s, ref(v), this.names[v], this.tsTypeOfVar(v), state);
  }

  /** A forward expression at `s`, rewritten to read its values in the reverse sweep. */
  rv(e: Expr, s: Stmt): Expr {
    switch (e.k) {
      case 'const': case 'bool': return e;
      case 'var': return this.val(e.id, s);
      case 'index': {
        const leaf = isArrayRefExpr(e.array);
        if (leaf) {
          // an element of an array overwritten later is saved; an index alone is saved by itself
          const r = arrayRootOf(e);
          const ok = r !== null && this.layout.available(r, s) && [...varsOf(e.array)].every((x) => this.layout.available(x, s));
          if (!ok && this.cur) {
            const forwarded = this.forwardedStore(e, s, this.cur) ?? this.forwardedLoopStore(e, s, this.cur);
            if (forwarded) return forwarded;
            const depth = r === null ? 1 : this.w.vars[r].depth - indexDepth(e);
            return this.saveBefore(s, e, `${this.names[r ?? 0]}Elem`, depth > 0 ? 'number[]' : 'number', this.cur);
          }
        }
        return { ...e, array: this.rv(e.array, s), index: this.rv(e.index, s) };
      }
      case 'length': return { ...e, array: this.rv(e.array, s) };
      case 'neg': return { ...e, x: this.rv(e.x, s) };
      case 'not': return { ...e, x: this.rv(e.x, s) };
      case 'binary': return { ...e, a: this.rv(e.a, s), b: this.rv(e.b, s) };
      case 'compare': return { ...e, a: this.rv(e.a, s), b: this.rv(e.b, s) };
      case 'logical': return { ...e, a: this.rv(e.a, s), b: this.rv(e.b, s) };
      case 'math': return { ...e, args: e.args.map((a) => this.rv(a, s)) };
      case 'call': return { ...e, args: e.args.map((a) => this.rv(a, s)) };
      case 'cond': return { ...e, test: this.rv(e.test, s), then: this.rv(e.then, s), else: this.rv(e.else, s) };
      default: throw new CodegenError('an array expression needed by the reverse sweep', e.range);
    }
  }

  /**
   * `a[i]` read by `s` right after the statement before it stored `a[i] = e`: `e` itself, when it is
   * cheap and reads only values still intact in the reverse sweep (recomputed into a constant, not saved).
   */
  private forwardedStore(e: Expr & { k: 'index' }, s: Stmt, state: StmtState): Expr | null {
    if (e.array.k !== 'var' || this.w.vars[e.array.id].depth !== 1) return null;
    const block = this.layout.pos.get(s)?.block;
    const at = block ? block.indexOf(s) : -1;
    const prev = at > 0 ? block![at - 1] : null;
    if (!prev || prev.k !== 'store' || prev.array !== e.array.id || !sameExpr(prev.index, e.index)) return null;
    const value = prev.value;
    if (hasExpensive(value) || hasCall(value) || mentions(value, prev.array) || mentions(e.index, prev.array)) return null;
    if (![...varsOf(value)].every((v) => this.layout.available(v, prev))) return null;
    return this.recomputed(e, value, prev, state);
  }

  /**
   * `a[c]` read inside a loop over c (from ≥ 0 while `c < B`) after an earlier loop of an enclosing
   * block, `for (let r = 0; r < B; r++) { …; a[r] = e; … }`, wrote every element in that range, with
   * no write to `a` since: `e` with c for r, when it is cheap and its inputs are intact.
   */
  private forwardedLoopStore(e: Expr & { k: 'index' }, s: Stmt, state: StmtState): Expr | null {
    if (e.array.k !== 'var' || e.index.k !== 'var') return null;
    const a = e.array.id;
    const c = e.index.id;
    if (this.w.vars[a].depth !== 1 || this.aliasRoot(a) !== a) return null;
    const readLoop = this.layout.inductionVars.get(c);
    const sp = this.layout.pos.get(s);
    if (!readLoop || !sp) return null;
    const readInd = this.layout.induction.get(readLoop)!;
    const bound = this.upperBound(readLoop, c);
    if (!bound || readInd.step !== 1 || !this.isNonNegative(readInd.letStmt.init, 0) || !this.isInt(readInd.letStmt.init, 0)) return null;
    const writes = (this.layout.writes.get(a) ?? []).filter((p) => p < sp.pre);
    if (writes.length === 0) return null;
    const store = this.stmtAt(Math.max(...writes));
    if (!store || store.k !== 'store' || store.array !== a) return null;
    const storePos = this.layout.pos.get(store)!;
    const writer = storePos.loops[storePos.loops.length - 1];
    if (!writer || storePos.block !== writer.body || hasJumpIn(writer.body)) return null;
    const wInd = this.layout.induction.get(writer);
    const wp = this.layout.pos.get(writer)!;
    if (!wInd || wInd.step !== 1 || store.index.k !== 'var' || store.index.id !== wInd.v) return null;
    if (!(wInd.letStmt.init.k === 'const' && wInd.letStmt.init.value === 0)) return null;
    const wBound = this.upperBound(writer, wInd.v);
    if (!wBound || !sameExpr(wBound, bound) || ![...varsOf(bound)].every((x) => this.layout.available(x, s))) return null;
    // the writer runs before s each time s's enclosing statement in the writer's block does
    const blk = this.layout.blockOf.get(wp.block)!;
    if (!(sp.pre > wp.post && sp.pre <= blk.post)) return null;
    // and no write to `a` in between, nor in the loops around s that do not hold the writer
    const inner = sp.loops.filter((l) => !wp.loops.includes(l));
    const end = inner.length > 0 ? this.layout.pos.get(inner[0])!.post : sp.pre;
    if ((this.layout.writes.get(a) ?? []).some((p) => p > wp.post && p <= end)) return null;
    const value = store.value;
    if (hasExpensive(value) || hasCall(value) || mentions(value, a)) return null;
    // its inputs hold at s what they held at the store: declared around s, and not written since
    const intact = (v: number) => {
      const declared = this.layout.declBlock.get(v);
      const around = declared && this.layout.blockOf.get(declared);
      return !!around && sp.pre >= around.pre && sp.pre <= around.post && this.layout.available(v, s) && this.layout.available(v, writer);
    };
    if (![...varsOf(value)].every((v) => v === wInd.v || intact(v))) return null;
    return this.recomputed(e, substitute(value, new Map([[wInd.v, ref(c)]])), s, state);
  }

  /** The bound B of a loop `v < B` over its index v, when B does not mention v. */
  private upperBound(loop: LoopStmt, v: number): Expr | null {
    const t = loop.test;
    if (!t || t.k !== 'compare' || t.op !== '<' || t.a.k !== 'var' || t.a.id !== v || mentions(t.b, v) || hasCall(t.b)) return null;
    return t.b;
  }

  private stmtsByPre: Map<number, Stmt> | null = null;

  private stmtAt(pre: number): Stmt | undefined {
    if (!this.stmtsByPre) {
      const m = new Map<number, Stmt>();
      const visit = (ss: Stmt[]) => {
        for (const x of ss) {
          m.set(this.layout.pos.get(x)!.pre, x);
          if (x.k === 'if') { visit(x.then); visit(x.else); }
          if (x.k === 'loop') { visit(x.body); visit(x.update); }
        }
      };
      visit(this.w.body);
      this.stmtsByPre = m;
    }
    return this.stmtsByPre.get(pre);
  }

  /** A forward element's value recomputed from `value` (read at `at`) into a constant of the statement's reverse. */
  private recomputed(e: Expr & { k: 'index' }, value: Expr, at: Stmt, state: StmtState): Expr {
    const key = `recomputed|${this.p(e)}`;
    const hit = state.saved.get(key);
    if (hit) return hit;
    const saved = this.cur;
    this.cur = null;
    let recomputed: Expr;
    try { recomputed = this.rv(value, at); } finally { this.cur = saved; }
    const id = this.synthetic(`${e.array.k === 'var' ? this.names[e.array.id] : 'value'}Elem`);
    state.pops.push(`const ${this.names[id]} = ${this.rp(recomputed)};`);
    state.saved.set(key, ref(id));
    return ref(id);
  }

  /** Requests that a variable declared in a nested block is made available again in that block's reverse. */
  private reestablish(v: number): void {
    const block = this.layout.declBlock.get(v);
    if (!block || this.layout.blockOf.get(block)!.top) return;
    if (this.layout.inductionVars.has(v) || this.layout.arrayFromVars.has(v)) return;
    const set = this.reest.get(block) ?? new Set<number>();
    if (set.has(v)) return;
    set.add(v);
    this.reest.set(block, set);
    const decl = this.layout.declStmt.get(v)!;
    const saved = this.cur;
    this.cur = null;
    try {
      const x = this.w.vars[v];
      const init = decl.init;
      const view = x.type === 'arr' && isArrayRefExpr(init);
      const cheap = !hasExpensive(init) && init.k !== 'arrayLit' && init.k !== 'arrayFill' && init.k !== 'arrayFrom';
      const recompute = (view || (x.type !== 'arr' && cheap)) && [...varsOf(init)].every((u) => this.layout.available(u, decl));
      if (recompute) {
        const e = this.rv(init, decl);
        this.reestLines.set(v, [`const ${this.names[v]} = ${this.rp(e)};`]);
      } else {
        const type = this.tsTypeOfVar(v);
        const slot = this.slotFor(decl, this.names[v], type, type === 'boolean' ? 'false' : type === 'number' ? '0' : '[]');
        const after = this.fwdAfter.get(decl) ?? [];
        const nm = this.fp(ref(v));
        if (slot.kind === 'stack' || slot.kind === 'sized') {
          after.push(this.pushLine(slot, nm));
          this.reestLines.set(v, [`const ${this.names[v]} = ${this.popText(slot)};`]);
        } else {
          after.push(`${slot.name} = ${nm};`);
          this.reestLines.set(v, [`const ${this.names[v]} = ${slot.name};`]);
        }
        this.fwdAfter.set(decl, after);
      }
    } finally {
      this.cur = saved;
    }
  }

  // ---- adjoint lvalues ------------------------------------------------------------------------------

  /** The adjoint of an array reference expression (`w`, `W[j]`): `dw`, `dW[j]`. */
  private adjArray(e: Expr, s: Stmt): Expr {
    if (e.k === 'var') return ref(this.adj(this.aliasRootForAdj(e.id)));
    if (e.k === 'index') return idx(this.adjArray(e.array, s), this.rv(e.index, s));
    throw new CodegenError('an adjoint of an array expression that is not a variable', e.range);
  }

  /** Views share their source's adjoint only through their own `dRow = dW[j]` declaration. */
  private aliasRootForAdj(v: number): number {
    return v;
  }

  // ---- propagation ----------------------------------------------------------------------------------

  /**
   * Emits code adding `d · ∂e/∂(each active leaf)` into the leaves' adjoints. `out` is the value of
   * `e` itself when the rule of its root needs it (the statement's target).
   */
  propagate(d: Expr, e: Expr, s: Stmt, sink: Sink, out?: () => Expr | undefined): void {
    if (!this.act.expr(e)) return;
    if (d.k === 'const' && d.value === 0) return;
    switch (e.k) {
      case 'var': {
        if (this.w.vars[e.id].type !== 'num') throw new CodegenError('an array used as a number', e.range);
        sink.add(ref(this.adj(e.id)), d);
        return;
      }
      case 'index': {
        if (!isArrayRefExpr(e.array)) throw new CodegenError('indexing an array expression', e.range);
        sink.add(idx(this.adjArray(e.array, s), this.rv(e.index, s)), d);
        return;
      }
      case 'cond': {
        const test = this.rv(e.test, s);
        const a = new Sink(this);
        const b = new Sink(this);
        const dd = this.bind(d, sink, 'dCond', 2);
        this.propagate(dd, e.then, s, a);
        this.propagate(dd, e.else, s, b);
        const then = [...a.lines, ...a.flush()];
        const els = [...b.lines, ...b.flush()];
        if (then.length === 0 && els.length === 0) return;
        sink.lines.push(then.length > 0 ? block(`if (${this.rp(test)})`, then, els) : block(`if (!(${this.rp(test)}))`, els));
        return;
      }
      case 'call': { this.propagateCall(d, e, s, sink); return; }
      default: break;
    }
    const op = opOf(e);
    if (!op) throw new CodegenError(`the derivative of this expression (${e.k})`, e.range);
    const args = argsOf(e);
    const active = args.map((a) => this.act.expr(a));
    const need = neededByRule(op, args.length, active);
    const argVals = args.map((a, i) => (need.args[i] ? this.rv(a, s) : a));
    const outVal = need.out ? (out && out()) ?? this.rv(e, s) : e;
    const ps = partialExprs(op, argVals, outVal, active);
    const nActive = active.filter((x) => x).length;
    const dd = nActive > 1 ? this.bind(d, sink, opAdjointName(op), 2) : d;
    args.forEach((a, i) => { if (active[i]) this.propagate(mul(dd, ps[i]), a, s, sink); });
  }

  /** Binds a non-trivial adjoint expression to a constant when it is used more than once. */
  bind(d: Expr, sink: Sink, base: string, uses: number): Expr {
    if (uses < 2 || d.k === 'var' || d.k === 'const' || (d.k === 'neg' && d.x.k === 'var')) return d;
    const id = this.synthetic(base);
    sink.lines.push(...sink.flush());
    sink.lines.push(`const ${this.names[id]} = ${this.rp(d)};`);
    return ref(id);
  }

  private propagateCall(d: Expr, e: Expr & { k: 'call' }, s: Stmt, sink: Sink, adjointArray?: Expr): void {
    const helper = this.ctx.resolve(e.fn);
    if (helper.annotations.nondifferentiable) return;
    const argActive = e.args.map((a) => this.act.expr(a));
    const args = e.args.map((a) => this.rv(a, s));
    const argText = args.map((a) => this.rp(a));
    if (helper.annotations.derivative) {
      if (helper.returnType !== 'num') throw new CodegenError(`@derivative on '${helper.name}', which returns an array`);
      const wrt = ruleWrtIndices(helper);
      const g = this.synthetic(`g${cap(helper.name)}`);
      sink.lines.push(...sink.flush());
      sink.lines.push(`const ${this.names[g]} = ${this.ctx.fnName(helper.annotations.derivative)}(${argText.join(', ')});`);
      const dd = this.bind(d, sink, 'dCall', wrt.filter((i) => argActive[i]).length);
      wrt.forEach((pi, k) => {
        if (!argActive[pi]) return;
        const part = wrt.length === 1 ? ref(g) : idx(ref(g), cnst(k));
        if (helper.params[pi].type === 'num') {
          this.propagate(mul(dd, part), e.args[pi], s, sink);
        } else {
          const k2 = this.synthetic('k');
          const target = this.adjArray(e.args[pi], s);
          sink.lines.push(...sink.flush());
          sink.lines.push(block(`for (let ${this.names[k2]} = 0; ${this.names[k2]} < ${this.rp(part)}.length; ${this.names[k2]}++)`, [
            `${this.rp(idx(target, ref(k2)))} += ${this.rp(mul(dd, idx(part, ref(k2))))};`,
          ]));
        }
      });
      return;
    }
    const active = helper.params.map((_, i) => argActive[i]);
    const pb = pullbackFor(this.ctx, helper, active);
    const callArgs = [...argText, this.rp(adjointArray ?? d), ...pb.arrays.map((i) => this.rp(this.adjArray(e.args[i], s)))];
    const call = `${this.ctx.fnName(pb.name)}(${callArgs.join(', ')})`;
    sink.lines.push(...sink.flush());
    if (pb.scalars.length === 0) {
      sink.lines.push(`${call};`);
      return;
    }
    const ids = pb.scalars.map((i) => this.synthetic(adjointBase(helper.params[i].name)));
    if (ids.length === 1) sink.lines.push(`const ${this.names[ids[0]]} = ${call};`);
    else sink.lines.push(`const [${ids.map((id) => this.names[id]).join(', ')}] = ${call};`);
    pb.scalars.forEach((pi, k) => this.propagate(ref(ids[k]), e.args[pi], s, sink));
  }

  // ---- statements -----------------------------------------------------------------------------------

  private comment(s: Stmt, lines: Line[]): Line[] {
    if (lines.length === 0 || (s.range.start === 0 && s.range.end === 0)) return lines;
    const text = sourceSnippet(this.text, s.range.start, s.range.end);
    const c = `// adjoint of line ${lineOf(this.text, s.range.start)}: ${text}`;
    if (c === this.lastComment) return lines;
    this.lastComment = c;
    return this.ctx.opts.sanitize ? lines : [c, ...lines];
  }

  reverseStmt(s: Stmt): Line[] {
    checkTime('code generation');
    const state: StmtState = { pops: [], saved: new Map(), stmt: s };
    const prev = this.cur;
    this.cur = state;
    try {
      const sink = new Sink(this);
      this.reverseInto(s, sink);
      const body = sink.flush();
      const all = [...state.pops, ...sink.lines, ...body];
      if (s.k === 'if' || s.k === 'loop') return all;
      return this.comment(s, all);
    } finally {
      this.cur = prev;
    }
  }

  private reverseInto(s: Stmt, sink: Sink): void {
    const { w } = this;
    switch (s.k) {
      case 'let': {
        const x = w.vars[s.v];
        if (!this.act.active[s.v] || !this.act.expr(s.init)) return;
        if (x.type === 'num') {
          const outV = () => (!x.reassigned && this.layout.available(s.v, s, true) ? (this.reestablish(s.v), ref(s.v)) : undefined);
          this.propagate(ref(this.adj(s.v)), s.init, s, sink, outV);
          return;
        }
        if (x.type === 'bool') return;
        this.reverseArrayInit(s.v, s.init, s, sink);
        return;
      }
      case 'assign': {
        const x = w.vars[s.v];
        if (!this.act.active[s.v]) return;
        if (x.type === 'arr') throw new CodegenError(`reassigning the array '${x.name}', which depends on the differentiated parameters`, s.range);
        if (x.type === 'bool') return;
        const dv = ref(this.adj(s.v));
        const e = s.value;
        if (e.k === 'binary' && (e.op === '+' || e.op === '-') && e.a.k === 'var' && e.a.id === s.v && !mentions(e.b, s.v)) {
          this.propagate(e.op === '+' ? dv : neg(dv), e.b, s, sink);
          return;
        }
        if (e.k === 'binary' && e.op === '+' && e.b.k === 'var' && e.b.id === s.v && !mentions(e.a, s.v)) {
          this.propagate(dv, e.a, s, sink);
          return;
        }
        const old = this.synthetic(`${this.names[dv.k === 'var' ? dv.id : 0]}Next`);
        sink.lines.push(`const ${this.names[old]} = ${this.rp(dv)};`);
        sink.lines.push(`${this.rp(dv)} = 0;`);
        this.propagate(ref(old), e, s, sink, () => (this.layout.available(s.v, s, true) ? ref(s.v) : undefined));
        return;
      }
      case 'store': {
        if (!this.act.active[s.array] && !this.act.active[this.aliasRoot(s.array)]) return;
        const i = this.rv(s.index, s);
        const slot = idx(this.adjArray(ref(s.array), s), i);
        const e = s.value;
        if (e.k === 'binary' && (e.op === '+' || e.op === '-') && e.a.k === 'index' && e.a.array.k === 'var' && e.a.array.id === s.array && sameExpr(e.a.index, s.index) && !mentionsArray(e.b, s.array)) {
          const dd = this.bindSlot(slot, sink);
          this.propagate(e.op === '+' ? dd : neg(dd), e.b, s, sink);
          return;
        }
        if (!this.act.expr(e)) { sink.lines.push(`${this.rp(slot)} = 0;`); return; }
        const t = this.synthetic(`${this.names[this.adj(s.array)]}i`);
        sink.lines.push(`const ${this.names[t]} = ${this.rp(slot)};`);
        sink.lines.push(`${this.rp(slot)} = 0;`);
        this.propagate(ref(t), e, s, sink);
        return;
      }
      case 'push': {
        if (!this.act.active[s.array]) return;
        const cursor = this.cursor(s.array);
        sink.lines.push(`${this.names[cursor]}--;`);
        if (this.act.expr(s.value)) {
          const slot = idx(ref(this.adj(s.array)), ref(cursor));
          this.propagate(this.bindSlot(slot, sink), s.value, s, sink);
        }
        return;
      }
      case 'return': {
        const e = s.value;
        const seed = this.spec.mode === 'gradient' ? cnst(1) : ref(this.dOutId);
        if (this.w.fn.returnType === 'num' || exprTypeNum(e, w)) { this.propagate(seed, e, s, sink); return; }
        if (e.k === 'arrayLit') {
          e.elements.forEach((el, k) => this.propagate(idx(ref(this.dOutId), cnst(k)), el, s, sink));
          return;
        }
        if (e.k === 'var') {
          if (!this.act.active[e.id]) return;
          const k = this.synthetic('k');
          const da = this.adj(e.id);
          sink.lines.push(block(`for (let ${this.names[k]} = 0; ${this.names[k]} < ${this.names[da]}.length; ${this.names[k]}++)`, [
            `${this.names[da]}[${this.names[k]}] += ${this.names[this.dOutId]}[${this.names[k]}];`,
          ]));
          return;
        }
        throw new CodegenError('this returned array expression', e.range);
      }
      case 'if': { sink.lines.push(...this.reverseIf(s)); return; }
      case 'loop': { sink.lines.push(...this.reverseLoop(s)); return; }
      default: return;
    }
  }

  private bindSlot(slot: Expr, sink: Sink): Expr {
    if (slot.k !== 'index') return slot;
    return this.bind(slot, sink, 'dElem', 2);
  }

  private cursor(array: number): number {
    let c = this.cursors.get(array);
    if (c === undefined) {
      c = this.synthetic(`${this.names[array]}Length`);
      this.cursors.set(array, c);
    }
    return c;
  }

  private reverseArrayInit(v: number, init: Expr, s: Stmt, sink: Sink): void {
    const da = () => ref(this.adj(v));
    if (isArrayRefExpr(init)) return; // a view: it shares its source's adjoint
    switch (init.k) {
      case 'arrayLit':
        init.elements.forEach((el, k) => {
          if (this.w.vars[v].depth > 1) { if (this.act.expr(el)) throw new CodegenError('an active array of arrays', init.range); return; }
          this.propagate(idx(da(), cnst(k)), el, s, sink);
        });
        return;
      case 'arrayFill': {
        if (!this.act.expr(init.fill)) return;
        const total = this.synthetic('sum');
        const k = this.synthetic('k');
        sink.lines.push(`let ${this.names[total]} = 0;`);
        sink.lines.push(block(`for (let ${this.names[k]} = 0; ${this.names[k]} < ${this.rp(da())}.length; ${this.names[k]}++)`, [`${this.names[total]} += ${this.rp(idx(da(), ref(k)))};`]));
        this.propagate(ref(total), init.fill, s, sink);
        return;
      }
      case 'arrayFrom': {
        if (!this.act.expr(init.body)) return;
        const inner = new Sink(this);
        const i = init.indexVar;
        this.propagate(idx(da(), ref(i)), init.body, s, inner);
        const lines = inner.flush();
        sink.lines.push(...sink.flush());
        sink.lines.push(block(`for (let ${this.names[i]} = 0; ${this.names[i]} < ${this.rp(da())}.length; ${this.names[i]}++)`, [...inner.lines, ...lines]));
        return;
      }
      case 'call':
        this.propagateCall(cnst(0), init, s, sink, da());
        return;
      default:
        throw new CodegenError('this array expression', init.range);
    }
  }

  private recordBranch(s: IfStmt): Expr {
    const pos = this.layout.pos.get(s)!;
    const test = s.test;
    if ([...varsOf(test)].every((v) => this.layout.available(v, s)) && !hasCall(test)) {
      const saved = this.cur;
      this.cur = null;
      try { return this.rv(test, s); } finally { this.cur = saved; }
    }
    const slot = this.slotFor(s, 'branch', 'boolean', 'false');
    const lines = this.fwdBefore.get(s) ?? [];
    const t = this.fp(test);
    if (slot.kind === 'stack' || slot.kind === 'sized') {
      const local = this.fresh('took');
      lines.push(`const ${local} = ${t};`, this.pushLine(slot, local));
      this.fwdTest.set(s, local);
      this.fwdBefore.set(s, lines);
      return ref(this.syntheticNamed(this.popText(slot)));
    }
    lines.push(slot.kind === 'const' ? `const ${slot.name} = ${t};` : `${slot.name} = ${t};`);
    this.fwdBefore.set(s, lines);
    this.fwdTest.set(s, slot.name);
    void pos;
    return ref(this.syntheticNamed(slot.name));
  }

  private reverseIf(s: IfStmt): Line[] {
    const then = this.reverseBlock(s.then);
    const els = this.reverseBlock(s.else);
    if (isEmpty(then) && isEmpty(els)) return [];
    const test = this.recordBranch(s);
    const t = this.rp(test);
    const early = s.test.k === 'var' && this.w.vars[s.test.id]?.name === '$returned';
    const c = early ? (this.ctx.opts.sanitize ? [] : ['// adjoint of the return inside the loop, if that is the one that ran']) : this.comment(s, ['']).filter((l) => l !== '');
    if (isEmpty(then)) return [...c, block(`if (${negateText(t)})`, els)];
    return [...c, block(`if (${t})`, then, isEmpty(els) ? undefined : els)];
  }

  private reverseLoop(s: LoopStmt): Line[] {
    const updateRev: Line[] = [];
    for (let i = s.update.length - 1; i >= 0; i--) updateRev.push(...this.reverseStmt(s.update[i]));
    const hasBreak = hasBreakIn(s.body);
    if (!isEmpty(updateRev) && hasBreak) throw new CodegenError('a loop with a `break` whose update depends on the differentiated parameters', s.range);
    const body = this.reverseBlock(s.body);
    const iteration = [...updateRev, ...body];
    if (isEmpty(iteration)) return [];
    const c = this.comment(s, ['']).filter((l) => l !== '');
    const ind = this.layout.induction.get(s);
    const pre: Line[] = [];
    if (ind) {
      const i = this.names[ind.v];
      const e0 = this.rv(ind.letStmt.init, ind.letStmt);
      const e0Int = this.isInt(ind.letStmt.init, 0);
      const bound = !hasBreak && s.test ? this.boundStart(s, ind.v, ind.step) : null;
      if (bound && e0Int) {
        const header = ind.step > 0 ? `for (let ${i} = ${this.rp(bound)}; ${i} >= ${this.rp(e0)}; ${i}--)` : `for (let ${i} = ${this.rp(bound)}; ${i} <= ${this.rp(e0)}; ${i}++)`;
        return [...c, block(header, iteration)];
      }
      const trips = this.tripCount(s, pre);
      if (e0Int && (ind.step === 1 || ind.step === -1)) {
        const start = ind.step === 1 ? sub(add(e0, trips), cnst(1)) : add(sub(e0, trips), cnst(1));
        const header = ind.step === 1 ? `for (let ${i} = ${this.rp(start)}; ${i} >= ${this.rp(e0)}; ${i}--)` : `for (let ${i} = ${this.rp(start)}; ${i} <= ${this.rp(e0)}; ${i}++)`;
        return [...c, ...pre, block(header, iteration)];
      }
      const k = this.fresh('iteration');
      const value = add(e0, mul(ref(this.syntheticNamed(k)), cnst(ind.step)));
      return [...c, ...pre, block(`for (let ${k} = ${this.rp(trips)} - 1; ${k} >= 0; ${k}--)`, [`const ${i} = ${this.rp(value)};`, ...iteration])];
    }
    const trips = this.tripCount(s, pre);
    const k = this.fresh('iteration');
    return [...c, ...pre, block(`for (let ${k} = ${this.rp(trips)}; ${k} > 0; ${k}--)`, iteration)];
  }

  /** The last value of the index of a counted loop (`i < n` → n − 1), when its bound can be re-read. */
  private boundStart(s: LoopStmt, v: number, step: number): Expr | null {
    const t = s.test!;
    if (t.k !== 'compare') return null;
    let op = t.op;
    let bound: Expr;
    if (t.a.k === 'var' && t.a.id === v && !mentions(t.b, v)) bound = t.b;
    else if (t.b.k === 'var' && t.b.id === v && !mentions(t.a, v)) {
      bound = t.a;
      op = ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=', '===': '===', '!==': '!==' } as const)[op];
    } else return null;
    if (hasCall(bound) || ![...varsOf(bound)].every((x) => this.layout.available(x, s))) return null;
    const saved = this.cur;
    this.cur = null;
    let b: Expr;
    try { b = this.rv(bound, s); } finally { this.cur = saved; }
    const int = this.isInt(bound, 0);
    if (step === 1 && op === '<') return int ? sub(b, cnst(1)) : sub(math('ceil', [b]), cnst(1));
    if (step === 1 && op === '<=') return int ? b : math('floor', [b]);
    if (step === -1 && op === '>') return int ? add(b, cnst(1)) : add(math('floor', [b]), cnst(1));
    if (step === -1 && op === '>=') return int ? b : math('ceil', [b]);
    return null;
  }

  private isInt(e: Expr, depth: number): boolean {
    if (depth > 8) return false;
    switch (e.k) {
      case 'const': return Number.isInteger(e.value);
      case 'length': return true;
      case 'neg': return this.isInt(e.x, depth + 1);
      case 'binary': return (e.op === '+' || e.op === '-' || e.op === '*') && this.isInt(e.a, depth + 1) && this.isInt(e.b, depth + 1);
      case 'math': return ['floor', 'ceil', 'round', 'trunc', 'sign'].includes(e.fn);
      case 'var': {
        const loop = this.layout.inductionVars.get(e.id);
        if (loop) { const ind = this.layout.induction.get(loop)!; return Number.isInteger(ind.step) && this.isInt(ind.letStmt.init, depth + 1); }
        const x = this.w.vars[e.id];
        const decl = this.layout.declStmt.get(e.id);
        return !x.reassigned && x.kind === 'local' && !!decl && this.isInt(decl.init, depth + 1);
      }
      default: return false;
    }
  }

  /** Counts a loop's iterations in the forward sweep; returns how the reverse reads the count. */
  private tripCount(s: LoopStmt, pre: Line[]): Expr {
    const existing = this.tripSlots.get(s);
    const pos = this.layout.pos.get(s)!;
    const blockInfo = this.layout.blockOf.get(pos.block)!;
    let slot = existing;
    if (!slot) {
      if (pos.loops.length > 0) {
        const local = this.fresh('trips');
        const stack = this.stackSlot(pos.loops, 'trips', 'number');
        slot = { kind: 'stack', name: local };
        (this.fwdBefore.get(s) ?? this.fwdBefore.set(s, []).get(s)!).push(`let ${local} = 0;`);
        (this.fwdAfter.get(s) ?? this.fwdAfter.set(s, []).get(s)!).push(this.pushLine(stack, local));
        this.stackOfTrips.set(s, stack);
      } else if (blockInfo.top) {
        slot = { kind: 'const', name: this.fresh('trips') };
        (this.fwdBefore.get(s) ?? this.fwdBefore.set(s, []).get(s)!).push(`let ${slot.name} = 0;`);
      } else {
        slot = { kind: 'hoisted', name: this.fresh('trips') };
        this.hoisted.push(`let ${slot.name} = 0;`);
      }
      this.fwdBodyStart.set(s, [`${slot.name}++;`]);
      this.tripSlots.set(s, slot);
    }
    if (slot.kind === 'stack') {
      const id = this.synthetic('trips');
      pre.push(`const ${this.names[id]} = ${this.popText(this.stackOfTrips.get(s)!)};`);
      return ref(id);
    }
    return ref(this.syntheticNamed(slot.name));
  }

  private readonly stackOfTrips = new Map<Stmt, Slot>();

  reverseBlock(stmts: Stmt[]): Line[] {
    const lines: Line[] = [];
    for (let i = stmts.length - 1; i >= 0; i--) lines.push(...this.reverseStmt(stmts[i]));
    const info = this.layout.blockOf.get(stmts);
    if (!info || info.top) return lines;
    return [...this.blockPrologue(stmts), ...lines];
  }

  /** Re-established values and adjoint declarations of the variables declared in a block. */
  blockPrologue(stmts: Stmt[]): Line[] {
    const declared = stmts.filter((s): s is Stmt & { k: 'let' } => s.k === 'let').map((s) => s.v);
    const top = this.layout.blockOf.get(stmts)!.top;
    const out: Line[] = [];
    if (!top) {
      // adjoint arrays of local arrays need the array (its length) re-established
      for (const v of declared) if (this.adjUsed.has(v) && this.w.vars[v].type === 'arr') this.reestablish(v);
      const req = this.reest.get(stmts);
      if (req) {
        // requests may add requests (a recomputed value reads another); they only add earlier declarations
        let n = -1;
        while (n !== req.size) { n = req.size; for (const v of [...req]) this.reestablish(v); }
        for (const v of declared) if (req.has(v)) out.push(...(this.reestLines.get(v) ?? []));
      }
    }
    for (const v of declared) out.push(...this.adjointDecl(v));
    return out;
  }

  adjointDecl(v: number): Line[] {
    if (!this.adjUsed.has(v)) return [];
    const x = this.w.vars[v];
    const d = this.names[this.adjIds.get(v)!];
    if (x.type === 'num') return [`let ${d} = 0;`];
    const decl = this.layout.declStmt.get(v);
    const lines: Line[] = [];
    if (decl && isArrayRefExpr(decl.init)) {
      const saved = this.cur;
      this.cur = null;
      try { lines.push(`const ${d} = ${this.rp(this.adjArray(decl.init, decl))};`); } finally { this.cur = saved; }
    } else if (x.depth > 1) {
      throw new CodegenError(`an array of arrays ('${x.name}') that depends on the differentiated parameters`);
    } else {
      lines.push(`const ${d} = new Float64Array(${this.rp(ref(v))}.length);`);
    }
    const c = this.cursors.get(v);
    if (c !== undefined) lines.push(`let ${this.names[c]} = ${this.rp(ref(v))}.length;`);
    return lines;
  }

  // ---- the whole function ---------------------------------------------------------------------------

  generate(): Line[] {
    const { w, spec, ctx } = this;
    const fn = w.fn;
    const ts = ctx.opts.ts;
    // param adjoints are declared first so they get the plain names (dx, dw)
    const wrtVars = spec.wrt.map((i) => fn.params[i].v);
    for (const v of wrtVars) this.adj(v);
    const reverse = this.reverseBlock(w.body);
    const topLocals: Line[] = [];
    for (const s of w.body) if (s.k === 'let') topLocals.push(...this.adjointDecl(s.v));
    const paramAdj: Line[] = [];
    for (const p of fn.params) {
      if (!this.adjUsed.has(p.v)) continue;
      const d = this.names[this.adjIds.get(p.v)!];
      const isWrt = wrtVars.includes(p.v);
      if (p.type === 'num') paramAdj.push(`let ${d} = 0;`);
      else if (spec.mode === 'gradient' || !isWrt) {
        if (p.depth > 1) paramAdj.push(`const ${d} = ${this.names[p.v]}.map((row) => new Array${ts ? '<number>' : ''}(row.length).fill(0));`);
        else paramAdj.push(`const ${d} = new Array${ts ? '<number>' : ''}(${this.names[p.v]}.length).fill(0);`);
      }
    }
    let reverseLines = reverse;
    if (spec.mode === 'gradient') {
      for (const v of wrtVars) {
        const p = fn.params.find((q) => q.v === v)!;
        if (p.type !== 'arr' || p.depth !== 1 || !this.adjUsed.has(v)) continue;
        const d = this.names[this.adjIds.get(v)!];
        const at = paramAdj.findIndex((l) => typeof l === 'string' && l.startsWith(`const ${d} = `));
        const others = [...paramAdj.filter((_, k) => k !== at), ...topLocals];
        const f = freshStores(reverseLines, others, d, this.names[v], fn.params.map((q) => this.names[q.v]), ts);
        if (!f || at < 0) continue;
        reverseLines = f.lines;
        paramAdj.splice(at, 1, f.decl, ...f.init);
      }
    }
    const forward = printStmts(this, w.body, {
      before: this.fwdBefore, after: this.fwdAfter, bodyStart: this.fwdBodyStart, test: this.fwdTest,
      needed: this.liveForward(),
    });
    const params = fn.params.map((p) => `${this.names[p.v]}${this.ty(`: ${p.typeText}`)}`);
    let ret: string;
    let retType: string;
    if (spec.mode === 'gradient') {
      const parts = spec.wrt.map((i) => this.names[this.adjIds.get(fn.params[i].v)!]);
      const types = spec.wrt.map((i) => adjointType(fn.params[i].type, fn.params[i].depth));
      ret = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
      retType = types.length === 1 ? types[0] : `[${types.join(', ')}]`;
    } else {
      params.push(`${this.names[this.dOutId]}${this.ty(fn.returnType === 'num' ? ': number' : ': ArrayLike<number>')}`);
      for (const i of spec.wrt) {
        const p = fn.params[i];
        if (p.type === 'arr') params.push(`${this.names[this.adjIds.get(p.v)!]}${this.ty(p.depth > 1 ? ': number[][]' : ': number[] | Float64Array')}`);
      }
      const scalars = spec.wrt.filter((i) => fn.params[i].type === 'num').map((i) => this.names[this.adjIds.get(fn.params[i].v)!]);
      ret = scalars.length === 0 ? '' : scalars.length === 1 ? scalars[0] : `[${scalars.join(', ')}]`;
      retType = scalars.length === 0 ? 'void' : scalars.length === 1 ? 'number' : `[${scalars.map(() => 'number').join(', ')}]`;
    }
    const lines: Line[] = [];
    if (this.hoisted.length > 0) lines.push(...this.hoisted);
    if (!isEmpty(forward)) lines.push(...(ctx.opts.sanitize ? [] : ['// forward sweep']), ...forward);
    const rev = [...paramAdj, ...topLocals, ...reverseLines];
    if (rev.length > 0) lines.push(...(ctx.opts.sanitize ? [] : ['// reverse sweep']), ...rev);
    if (ret) lines.push(`return ${ret};`);
    const doc = ctx.opts.sanitize ? [] : ['/**', ...spec.doc.map((l) => ` * ${l}`.trimEnd()), ' */'];
    const head = `${spec.exported ? 'export ' : ''}function ${ctx.fnName(spec.name)}(${params.join(', ')})${this.ty(`: ${retType}`)}`;
    return [...doc, { head, body: lines }];
  }

  /** Forward variables the reverse sweep or a kept statement reads (dead-code elimination of the forward sweep). */
  private liveForward(): Set<number> {
    const needed = new Set<number>(this.reverseUses);
    for (const v of [...needed]) needed.add(this.aliasRoot(v));
    const kept = (s: Stmt): boolean => {
      switch (s.k) {
        case 'let': case 'assign': return needed.has(s.v) || needed.has(this.aliasRoot(s.v));
        case 'store': case 'push': return needed.has(s.array) || needed.has(this.aliasRoot(s.array));
        case 'if': return this.fwdTest.has(s) || this.fwdBefore.has(s) || s.then.some(kept) || s.else.some(kept);
        case 'loop': return this.tripSlots.has(s) || this.fwdBefore.has(s) || this.fwdAfter.has(s) || s.body.some(kept) || s.update.some(kept);
        case 'break': return true;
        default: return false;
      }
    };
    let changed = true;
    const addVars = (e: Expr) => forEachVar(e, (v) => { if (!needed.has(v)) { needed.add(v); needed.add(this.aliasRoot(v)); changed = true; } });
    const visit = (stmts: Stmt[]) => {
      for (const s of stmts) {
        // a statement kept only for the values saved around it (a push before it) does not need its own inputs
        if (kept(s)) {
          switch (s.k) {
            case 'let': addVars(s.init); break;
            case 'assign': addVars(s.value); break;
            case 'store': addVars(s.index); addVars(s.value); break;
            case 'push': addVars(s.value); break;
            case 'if': addVars(s.test); break;
            case 'loop': if (s.test) addVars(s.test); break;
            default: break;
          }
        }
        if (s.k === 'if') { visit(s.then); visit(s.else); }
        if (s.k === 'loop') { visit(s.body); visit(s.update); }
      }
    };
    while (changed) { changed = false; checkTime('code generation'); visit(this.w.body); }
    return needed;
  }
}

export class Sink {
  readonly lines: Line[] = [];
  private readonly terms = new Map<string, { target: Expr; sum: Expr }>();
  constructor(private readonly g: ReverseGen) {}

  add(target: Expr, d: Expr): void {
    const key = this.g.p(target);
    const t = this.terms.get(key);
    if (t) t.sum = add(t.sum, d);
    else this.terms.set(key, { target, sum: d });
  }

  /** The accumulated `target += …` statements (and clears them). */
  flush(): Line[] {
    const out: Line[] = [];
    for (const { target, sum } of this.terms.values()) {
      if (sum.k === 'neg') out.push(`${this.g.rp(target)} -= ${this.g.rp(sum.x)};`);
      else out.push(`${this.g.rp(target)} += ${this.g.rp(sum)};`);
    }
    this.terms.clear();
    return out;
  }
}

// ---- helpers ----------------------------------------------------------------------------------------

function returnDepth(f: IrFunction): number {
  const t = f.returnTypeText ?? '';
  const m = t.match(/\[\]/g);
  return m ? m.length : 1;
}

function adjointType(t: 'num' | 'arr', depth: number): string {
  return t === 'num' ? 'number' : depth > 1 ? 'number[][]' : 'number[]';
}

export function isArrayRefExpr(e: Expr): boolean {
  return e.k === 'var' || (e.k === 'index' && isArrayRefExpr(e.array));
}

function arrayRoot(e: Expr): number | null {
  return e.k === 'var' ? e.id : e.k === 'index' ? arrayRoot(e.array) : null;
}

function indexDepth(e: Expr): number {
  return e.k === 'index' ? 1 + indexDepth(e.array) : 0;
}

function arrayRootOf(e: Expr): number | null {
  return arrayRoot(e);
}

function copyOf(e: Expr): Expr {
  return { k: 'call', fn: '$slice', args: [e], range: e.range };
}

function hasExpensive(e: Expr): boolean {
  return someScalarNode(e, isExpensive);
}

function hasCall(e: Expr): boolean {
  return someScalarNode(e, (x) => x.k === 'call');
}

function mentionsArray(e: Expr, v: number): boolean {
  return mentions(e, v);
}

function exprTypeNum(e: Expr, w: Work): boolean {
  if (e.k === 'var') return w.vars[e.id].type === 'num';
  return e.k !== 'arrayLit';
}

/** A `break` or `continue` of this loop body (not of loops inside it). */
function hasJumpIn(stmts: Stmt[]): boolean {
  return stmts.some((s) => s.k === 'break' || s.k === 'continue' || (s.k === 'if' && (hasJumpIn(s.then) || hasJumpIn(s.else))));
}

function hasBreakIn(stmts: Stmt[]): boolean {
  return stmts.some((s) => s.k === 'break' || (s.k === 'if' && (hasBreakIn(s.then) || hasBreakIn(s.else))));
}

function negateText(t: string): string {
  return /^[\w$.]+(\(\))?!?$/.test(t) ? `!${t}` : `!(${t})`;
}


function opAdjointName(op: string): string {
  switch (op) {
    case '+': return 'dSum';
    case '-': return 'dDiff';
    case '*': return 'dProd';
    case '/': return 'dQuot';
    case '**': case 'pow': return 'dPow';
    case 'neg': return 'dNeg';
    default: return `d${cap(op)}`;
  }
}

void BINARY_MATH_FNS; void cmp;

/** The pullback of `helper` for the given active parameters, generated on first use. */
export function pullbackFor(ctx: GenContext, helper: IrFunction, active: boolean[]): PullbackInfo {
  const wrt = helper.params.map((_, i) => i).filter((i) => active[i]);
  const key = `${helper.name}|${wrt.join(',')}`;
  const hit = ctx.pullbacks.get(key);
  if (hit) return hit;
  const all = wrt.length === helper.params.length;
  const name = ctx.freshFunctionName(`${helper.name}Pullback${all ? '' : wrt.map((i) => cap(helper.params[i].name)).join('')}`);
  const info: PullbackInfo = {
    name,
    scalars: wrt.filter((i) => helper.params[i].type === 'num'),
    arrays: wrt.filter((i) => helper.params[i].type === 'arr'),
  };
  ctx.pullbacks.set(key, info);
  const scalars = info.scalars.map((i) => helper.params[i].name);
  const arrays = info.arrays.map((i) => helper.params[i].name);
  const doc = [
    `Pullback of \`${helper.name}\`: given the adjoint \`dOut\` of its result, ${scalars.length ? `returns the adjoint${scalars.length > 1 ? 's' : ''} of ${scalars.join(', ')}` : ''}${scalars.length && arrays.length ? ' and ' : ''}${arrays.length ? `adds the adjoints of ${arrays.join(', ')} into the arrays passed` : ''}.`,
    'Generated by Gradlens (reverse mode).',
  ];
  const gen = new ReverseGen(ctx, { fn: helper, wrt, mode: 'pullback', name, exported: false, doc });
  ctx.extra.push(renderFunction(gen.generate()));
  return info;
}

export function renderFunction(lines: Line[]): string {
  return printLines(lines);
}

/**
 * Printed names of a function's variables: the source names, numbered only where two variables of
 * overlapping scopes share one (a `for (let i …)` header scopes its variable to its loop).
 */
export function scopedNames(w: Work, layout: Layout, reserved: Set<string>, sanitize: boolean): string[] {
  const names: string[] = [];
  // The scopes each name is taken in, by name, and per base the first candidate (1: the base, i:
  // base + i) not known to be taken, where a top-level variable's search starts (every taken name
  // clashes with it): a function with thousands of temporaries is named in linear time, not cubic.
  const taken = new Map<string, { pre: number; post: number }[]>();
  const firstFree = new Map<string, number>();
  const candidate = (base: string, i: number) => (i === 1 ? base : `${base}${i}`);
  for (const v of w.vars) {
    if (sanitize) { names[v.id] = `v${v.id}`; continue; }
    if ((v.id & 255) === 255) checkTime('code generation');
    const base = v.name.startsWith('$') ? v.name.slice(1).replace(/\d+$/, '').replace(/^alias$/, 'v') || 'tmp' : v.name;
    const block = layout.declBlock.get(v.id);
    const header = forHeaderScope(layout, v.id);
    const b = header ?? (block ? layout.blockOf.get(block)! : { pre: 0, post: Number.MAX_SAFE_INTEGER });
    const scope = layout.arrayFromVars.has(v.id) ? { pre: 0, post: Number.MAX_SAFE_INTEGER } : b;
    const top = !header && (!block || layout.blockOf.get(block)!.top || layout.arrayFromVars.has(v.id));
    let i = top ? firstFree.get(base) ?? 1 : 1;
    let name = candidate(base, i);
    for (;;) {
      const clash = reserved.has(name) || (taken.get(name)?.some((t) => top || (t.pre <= scope.pre && t.post >= scope.post) || (scope.pre <= t.pre && scope.post >= t.post)) ?? false);
      if (!clash) break;
      name = candidate(base, ++i);
    }
    const scopes = taken.get(name) ?? [];
    scopes.push({ pre: top ? 0 : scope.pre, post: top ? Number.MAX_SAFE_INTEGER : scope.post });
    taken.set(name, scopes);
    let free = firstFree.get(base) ?? 1;
    while (taken.has(candidate(base, free)) || reserved.has(candidate(base, free))) free++;
    firstFree.set(base, free);
    names[v.id] = name;
  }
  return names;
}

function forHeaderScope(layout: Layout, v: number): { pre: number; post: number } | null {
  const decl = layout.declStmt.get(v);
  const block = layout.declBlock.get(v);
  if (!decl || !block) return null;
  const at = block.indexOf(decl);
  const loop = block[at + 1];
  if (!loop || loop.k !== 'loop' || loop.update.length !== 1 || loop.update[0].k !== 'assign' || loop.update[0].v !== v) return null;
  let used = false;
  const visit = (ss: Stmt[]) => {
    for (const x of ss) {
      forEachStmtExpr(x, (e) => { if (mentions(e, v)) used = true; });
      if (x.k === 'if') { visit(x.then); visit(x.else); }
      if (x.k === 'loop') { visit(x.body); visit(x.update); }
    }
  };
  visit(block.slice(at + 2));
  if (used) return null;
  return { pre: layout.pos.get(decl)!.pre, post: layout.pos.get(loop)!.post };
}

export { JS_RESERVED };
