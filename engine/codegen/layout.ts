// Preparation pass 5 (prepare.ts): statements are numbered so the generator can ask "is this
// variable still the same when the reverse sweep gets here?" (availability), which decides between
// reading a value, recomputing it, and saving it (a plain constant outside loops, a stack inside
// them); loops counted by an induction variable are found.

import { Expr, Stmt } from '../ir';
import { forEachSubexpr } from '../irWalk';
import { varsOf } from './expr';
import { forEachStmt, forEachStmtExpr } from './stmtWalk';
import { LoopStmt, Work } from './work';

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
      this.findInduction(s, inductionLet(stmts, i, s));
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
    forEachStmt(this.w.body, (s) => {
      const p = this.pos.get(s)!;
      if (p.pre >= from && p.pre <= to) return false;
      forEachStmtExpr(s, (e) => { if (varsOf(e).has(v)) found = true; });
      return undefined;
    });
    return found;
  }

  private byPre: Stmt[] | null = null;

  /** The statement numbered `pre`. */
  stmtAt(pre: number): Stmt | undefined {
    if (!this.byPre) {
      const m: Stmt[] = [];
      for (const [s, p] of this.pos) m[p.pre] = s;
      this.byPre = m;
    }
    return this.byPre[pre];
  }

  inside(p: number, b: { pre: number; post: number }): boolean {
    return p >= b.pre && p <= b.post;
  }

  /**
   * Whether, in the reverse sweep at statement `s`, variable `v` holds the value it had when `s`
   * ran in the forward sweep (or right after it, with `after`). Variables declared inside a loop or a
   * branch count as available when they are written once: the generator re-establishes them at the
   * start of their block's reverse (values.ts `reestablish`).
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

/**
 * The `let` of a loop's counter before it: the statement right before the loop, or before the
 * declarations in between that do not read the counter (a callback's result array, `let $map =
 * []`, is declared between its index and its loop: lower/calls.ts `callbackLoop`).
 */
function inductionLet(stmts: Stmt[], at: number, loop: LoopStmt): Stmt | undefined {
  const u = loop.update.length === 1 ? loop.update[0] : undefined;
  let j = at - 1;
  if (u?.k === 'assign') {
    while (j >= 0) {
      const s = stmts[j];
      if (s.k !== 'let' || s.v === u.v || varsOf(s.init).has(u.v)) break;
      j--;
    }
    if (j >= 0 && stmts[j].k === 'let' && (stmts[j] as Stmt & { k: 'let' }).v === u.v) return stmts[j];
  }
  return stmts[at - 1];
}
