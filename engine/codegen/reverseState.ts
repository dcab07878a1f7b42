// What one reverse-mode generation shares between its parts (values.ts, propagate.ts,
// stmtAdjoints.ts, stacks.ts, reverse.ts): the prepared function and its layout, the names, the
// adjoints made so far, what the forward sweep gets besides the function's own statements, and
// printing (which records the forward variables the reverse sweep reads).

import { Expr, IrFunction, Stmt } from '../ir';
import { forEachSubexpr } from '../irWalk';
import { Activity } from './activity';
import { Adj, AdjPrinter, forEachAdjExpr, StackSlot } from './adjoint';
import { Line } from './code';
import { GenContext, lineOf, PullbackInfo, sourceSnippet } from './context';
import { arrayRoot, printExpr, PrintOptions } from './expr';
import { Layout } from './layout';
import { adjointBase, NameScope, scopedNames } from './names';
import { prepareReverse } from './prepare';
import { forEachStmt } from './stmtWalk';
import { Work } from './work';

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

/** The statement whose adjoint is being built: values it pops or recomputes first, and those already saved. */
export interface StmtState {
  pops: Adj[];
  saved: Map<string, Expr>;
  stmt: Stmt;
}

/**
 * A line the forward sweep gets besides the function's statements: code, or a stack's push or
 * declaration, printed once the stack is sized (stacks.ts). A declaration is placed both at the top
 * of the function (where an unsized stack is declared) and before its outermost loop (a sized one).
 */
export type Fwd = Line | { k: 'push'; slot: StackSlot; value: string } | { k: 'stackDecl'; slot: StackSlot; where: 'hoisted' | 'outer' };

/** Where a loop's trip count is kept: a variable, or per trip of the enclosing loops, on a stack. */
export type TripSlot = { kind: 'const' | 'hoisted'; name: string } | { kind: 'stack'; local: string; stack: StackSlot };


export class ReverseState implements AdjPrinter {
  readonly w: Work;
  readonly act: Activity;
  readonly layout: Layout;
  /** Printed names by id: the function's variables, then the names the generator made. */
  readonly names: string[] = [];
  /** The function's naming scope (names.ts). */
  readonly scope: NameScope;
  readonly ts: boolean;
  private readonly po: PrintOptions;
  private useSink: Set<number> | null = null;
  private sinkIsReverse = false;
  /** Forward variables the reverse sweep (or a value saved for it) reads. */
  readonly reverseUses = new Set<number>();
  /** Declarations at the top of the function. */
  readonly hoisted: Fwd[] = [];
  readonly fwdBefore = new Map<Stmt, Fwd[]>();
  readonly fwdAfter = new Map<Stmt, Fwd[]>();
  readonly fwdBodyStart = new Map<Stmt, Line[]>();
  /** A recorded branch: the forward `if` tests this name instead. */
  readonly fwdTest = new Map<Stmt, string>();
  readonly tripSlots = new Map<Stmt, TripSlot>();
  /** Every stack, in the order they were made (the sizing pass names their counts in that order). */
  readonly stacks: StackSlot[] = [];
  readonly adjIds = new Map<number, number>();
  readonly adjUsed = new Set<number>();
  /** Per array pushed to, the name counting its elements down in the reverse sweep. */
  readonly cursors = new Map<number, number>();
  /** Variables declared in a block that its reverse re-establishes, and how. */
  readonly reest = new Map<Stmt[], Set<number>>();
  readonly reestLines = new Map<number, Adj[]>();
  cur: StmtState | null = null;
  readonly text: string;
  private readonly aliasParent: number[];
  private lastComment = '';
  readonly dOutId: number;

  constructor(readonly ctx: GenContext, readonly spec: ReverseSpec, readonly pullbackFor: (helper: IrFunction, active: boolean[]) => PullbackInfo) {
    const fn = spec.fn;
    this.text = ctx.program.text;
    this.ts = ctx.opts.ts;
    const { w, act } = prepareReverse(ctx, fn, new Set(spec.wrt.map((i) => fn.params[i].v)));
    this.w = w;
    this.act = act;
    // alias roots for arrays (views share their source's contents)
    this.aliasParent = w.vars.map((v) => v.id);
    forEachStmt(w.body, (s) => {
      if (s.k === 'let' && w.vars[s.v].type === 'arr') {
        const r = arrayRoot(s.init);
        if (r !== null) this.aliasParent[s.v] = this.aliasRoot(r);
      }
    });
    this.layout = new Layout(w, (v) => this.aliasRoot(v));
    this.po = { name: (id) => this.nameOf(id), fnName: (n) => ctx.fnName(n), ts: ctx.opts.ts, special: ctx.heldPrinting(w.fn, w.body) };
    this.scope = ctx.names.child();
    scopedNames(this.w, this.layout, this.scope, ctx.opts.sanitize).forEach((n, i) => { this.names[i] = n; });
    this.dOutId = this.synthetic(spec.mode === 'pullback' ? 'dOut' : 'seed');
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

  fresh(base: string): string {
    return this.scope.fresh(base);
  }

  /** A new identifier (not an IR variable) usable in expressions. */
  synthetic(base: string): number {
    const id = this.names.length;
    this.names.push(this.fresh(base));
    return id;
  }

  /** An id for a name already taken (a slot's), usable in expressions. */
  syntheticNamed(name: string): number {
    const id = this.names.length;
    this.names.push(name);
    return id;
  }

  /** The adjoint of variable `v` (made on first use). */
  adj(v: number): number {
    let id = this.adjIds.get(v);
    if (id === undefined) {
      id = this.synthetic(adjointBase(this.names[v]));
      this.adjIds.set(v, id);
    }
    this.adjUsed.add(v);
    return id;
  }

  // ---- printing -----------------------------------------------------------------------------------

  p(e: Expr): string {
    return printExpr(e, this.po);
  }

  /** Prints in the reverse sweep (records which forward variables it reads). */
  rp(e: Expr): string {
    return this.printRecording(e, true);
  }

  /** Prints in the forward sweep (a saved value): what it reads must be computed. */
  fp(e: Expr): string {
    return this.printRecording(e, false);
  }

  private printRecording(e: Expr, reverse: boolean): string {
    const prev = this.useSink;
    const prevR = this.sinkIsReverse;
    this.useSink = this.reverseUses;
    this.sinkIsReverse = reverse;
    try { return printExpr(e, this.po); } finally { this.useSink = prev; this.sinkIsReverse = prevR; }
  }

  /**
   * Names the functions `e` calls in the order printing it would: the compile path numbers
   * functions in the order they are first printed, and the reverse sweep is printed only at the end.
   */
  touch(e: Expr): void {
    if (!this.ctx.opts.sanitize) return;
    forEachSubexpr(e, (x) => { if (x.k === 'call' && x.fn !== '$slice') this.ctx.fnName(x.fn); });
  }

  /** An adjoint statement, made where the statement used to be printed (see `touch`). */
  emit<T extends Adj>(s: T): T {
    if (this.ctx.opts.sanitize) forEachAdjExpr(s, (e) => this.touch(e));
    return s;
  }

  ty(t: string): string {
    return this.ts ? t : '';
  }

  /** Runs `f` outside any statement's adjoint (what it reads must be available, nothing is saved). */
  outsideStatement<T>(f: () => T): T {
    const saved = this.cur;
    this.cur = null;
    try { return f(); } finally { this.cur = saved; }
  }

  /** The statement's `// adjoint of line N: …` comment, once per line (none when sanitized). */
  commentOf(s: Stmt): Adj[] {
    if (s.range.start === 0 && s.range.end === 0) return [];
    const text = `adjoint of line ${lineOf(this.text, s.range.start)}: ${sourceSnippet(this.text, s.range.start, s.range.end)}`;
    if (text === this.lastComment) return [];
    this.lastComment = text;
    return this.ctx.opts.sanitize ? [] : [{ k: 'comment', text }];
  }

  /** `adj` under the statement's comment (nothing for nothing). */
  withComment(s: Stmt, adj: Adj[]): Adj[] {
    return adj.length === 0 ? adj : [...this.commentOf(s), ...adj];
  }

  /** The TypeScript type of a forward variable's value. */
  tsTypeOfVar(v: number): string {
    const x = this.w.vars[v];
    if (x.type === 'bool') return 'boolean';
    if (x.type === 'num') return 'number';
    const param = this.w.fn.params.find((p) => p.v === v);
    if (param) return param.typeText;
    return x.depth > 1 ? 'number[][]' : 'number[]';
  }
}
