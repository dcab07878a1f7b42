// The adjoint of each statement, in reverse order: declarations, assignments, element stores and
// pushes, returns, branches (re-tested or recorded) and loops (run backwards over their index, or
// counting their trips), as adjoint statements (adjoint.ts). A nested block's reverse starts with
// its prologue: the values it re-establishes and the adjoints of the variables it declares.

import { Expr, Stmt } from '../ir';
import { checkTime } from '../symbolic/charge';
import { Adj, isEmptyAdj } from './adjoint';
import { add, cnst, idx, mentions, mul, neg, ref, sameExpr, sub } from './expr';
import { hasBreakIn, indexBound, isInt, lastIndex } from './loopBounds';
import { Propagation, Sink } from './propagate';
import { ReverseState, StmtState } from './reverseState';
import { isArrayRefExpr, Values } from './values';
import { CodegenError, IfStmt, LoopStmt, Work } from './work';

function exprTypeNum(e: Expr, w: Work): boolean {
  if (e.k === 'var') return w.vars[e.id].type === 'num';
  return e.k !== 'arrayLit';
}

export class StmtAdjoints {
  constructor(private readonly st: ReverseState, private readonly values: Values, private readonly prop: Propagation) {}

  /** The reverse of a block: its statements' adjoints last to first, after its prologue (a nested block). */
  reverseBlock(stmts: Stmt[]): Adj[] {
    const out: Adj[] = [];
    for (let i = stmts.length - 1; i >= 0; i--) out.push(...this.reverseStmt(stmts[i]));
    const info = this.st.layout.blockOf.get(stmts);
    if (!info || info.top) return out;
    return [...this.blockPrologue(stmts), ...out];
  }

  /** Re-established values and adjoint declarations of the variables declared in a block. */
  blockPrologue(stmts: Stmt[]): Adj[] {
    const { st } = this;
    const declared = stmts.filter((s): s is Stmt & { k: 'let' } => s.k === 'let').map((s) => s.v);
    const top = st.layout.blockOf.get(stmts)!.top;
    const out: Adj[] = [];
    if (!top) {
      // adjoint arrays of local arrays need the array (its length) re-established
      for (const v of declared) if (st.adjUsed.has(v) && st.w.vars[v].type === 'arr') this.values.reestablish(v);
      out.push(this.values.prologue(stmts, declared));
    }
    for (const v of declared) out.push(...this.adjointDecl(v));
    return out;
  }

  /** The declaration of variable `v`'s adjoint (and of its push cursor), if it has one. */
  adjointDecl(v: number): Adj[] {
    const { st } = this;
    if (!st.adjUsed.has(v)) return [];
    const x = st.w.vars[v];
    const d = st.adjIds.get(v)!;
    if (x.type === 'num') return [st.emit({ k: 'decl', kind: 'let', name: d, value: cnst(0) })];
    const decl = st.layout.declStmt.get(v);
    const out: Adj[] = [];
    if (decl && isArrayRefExpr(decl.init)) {
      const view = st.outsideStatement(() => this.prop.adjArray(decl.init, decl));
      out.push(st.emit({ k: 'decl', kind: 'const', name: d, value: view }));
    } else if (x.depth > 1) {
      throw new CodegenError(`an array of arrays ('${x.name}') that depends on the differentiated parameters`);
    } else {
      out.push(st.emit({ k: 'decl', kind: 'const', name: d, value: { k: 'zeros', like: ref(v), array: 'float64', fill: false } }));
    }
    const c = st.cursors.get(v);
    if (c !== undefined) out.push(st.emit({ k: 'decl', kind: 'let', name: c, value: { k: 'length', array: ref(v), range: x.range } }));
    return out;
  }

  reverseStmt(s: Stmt): Adj[] {
    checkTime('code generation');
    const { st } = this;
    const state: StmtState = { pops: [], saved: new Map(), stmt: s };
    const prev = st.cur;
    st.cur = state;
    try {
      const sink = new Sink(st);
      this.reverseInto(s, sink);
      const body = sink.flush();
      const content = [...sink.out, ...body];
      // what the statement's adjoint pops or recomputes first, filled by the recompute-or-save pass
      const all = content.length === 0 && !this.values.madeRequests(state) ? [] : [{ k: 'group', body: state.pops } as Adj, ...content];
      if (s.k === 'if' || s.k === 'loop') return all;
      return st.withComment(s, all);
    } finally {
      st.cur = prev;
    }
  }

  private reverseInto(s: Stmt, sink: Sink): void {
    const { st, values, prop } = this;
    const { w } = st;
    switch (s.k) {
      case 'let': {
        const x = w.vars[s.v];
        if (!st.act.active[s.v] || !st.act.expr(s.init)) return;
        if (x.type === 'num') {
          const outV = () => (!x.reassigned && st.layout.available(s.v, s, true) ? (values.reestablish(s.v), ref(s.v)) : undefined);
          prop.propagate(ref(st.adj(s.v)), s.init, s, sink, outV);
          return;
        }
        if (x.type === 'bool') return;
        this.reverseArrayInit(s.v, s.init, s, sink);
        return;
      }
      case 'assign': {
        const x = w.vars[s.v];
        if (!st.act.active[s.v]) return;
        if (x.type === 'arr') throw new CodegenError(`reassigning the array '${x.name}', which depends on the differentiated parameters`, s.range);
        if (x.type === 'bool') return;
        const dvId = st.adj(s.v);
        const dv = ref(dvId);
        const e = s.value;
        if (e.k === 'binary' && (e.op === '+' || e.op === '-') && e.a.k === 'var' && e.a.id === s.v && !mentions(e.b, s.v)) {
          prop.propagate(e.op === '+' ? dv : neg(dv), e.b, s, sink);
          return;
        }
        if (e.k === 'binary' && e.op === '+' && e.b.k === 'var' && e.b.id === s.v && !mentions(e.a, s.v)) {
          prop.propagate(dv, e.a, s, sink);
          return;
        }
        // the target's adjoint so far goes to what its old value was computed from
        const old = st.synthetic(`${st.names[dvId]}Next`);
        sink.out.push(st.emit({ k: 'decl', kind: 'const', name: old, value: dv }), st.emit({ k: 'set', target: dv, value: cnst(0) }));
        prop.propagate(ref(old), e, s, sink, () => (st.layout.available(s.v, s, true) ? ref(s.v) : undefined));
        return;
      }
      case 'store': {
        if (!st.act.active[s.array] && !st.act.active[st.aliasRoot(s.array)]) return;
        const i = values.rv(s.index, s);
        const slot = idx(prop.adjArray(ref(s.array), s), i);
        const e = s.value;
        if (e.k === 'binary' && (e.op === '+' || e.op === '-') && e.a.k === 'index' && e.a.array.k === 'var' && e.a.array.id === s.array && sameExpr(e.a.index, s.index) && !mentions(e.b, s.array)) {
          const dd = prop.bindSlot(slot, sink);
          prop.propagate(e.op === '+' ? dd : neg(dd), e.b, s, sink);
          return;
        }
        if (!st.act.expr(e)) { sink.out.push(st.emit({ k: 'set', target: slot, value: cnst(0) })); return; }
        const t = st.synthetic(`${st.names[st.adj(s.array)]}i`);
        sink.out.push(st.emit({ k: 'decl', kind: 'const', name: t, value: slot }), st.emit({ k: 'set', target: slot, value: cnst(0) }));
        prop.propagate(ref(t), e, s, sink);
        return;
      }
      case 'push': {
        if (!st.act.active[s.array]) return;
        const cursor = this.cursor(s.array);
        sink.out.push(st.emit({ k: 'decrement', name: cursor }));
        if (st.act.expr(s.value)) {
          const slot = idx(ref(st.adj(s.array)), ref(cursor));
          prop.propagate(prop.bindSlot(slot, sink), s.value, s, sink);
        }
        return;
      }
      case 'return': {
        const e = s.value;
        const seed = st.spec.mode === 'gradient' ? cnst(1) : ref(st.dOutId);
        if (w.fn.returnType === 'num' || exprTypeNum(e, w)) { prop.propagate(seed, e, s, sink); return; }
        if (e.k === 'arrayLit') {
          e.elements.forEach((el, k) => prop.propagate(idx(ref(st.dOutId), cnst(k)), el, s, sink));
          return;
        }
        if (e.k === 'var') {
          if (!st.act.active[e.id]) return;
          const k = st.synthetic('k');
          const da = st.adj(e.id);
          sink.out.push(st.emit({
            k: 'for', index: k, from: cnst(0), cmp: '<', to: { k: 'length', array: ref(da), range: e.range }, step: '++',
            body: [st.emit({ k: 'accum', target: idx(ref(da), ref(k)), op: '+=', value: idx(ref(st.dOutId), ref(k)) })],
          }));
          return;
        }
        throw new CodegenError('this returned array expression', e.range);
      }
      case 'if': { sink.out.push(...this.reverseIf(s)); return; }
      case 'loop': { sink.out.push(...this.reverseLoop(s)); return; }
      default: return;
    }
  }

  private cursor(array: number): number {
    const { st } = this;
    let c = st.cursors.get(array);
    if (c === undefined) {
      c = st.synthetic(`${st.names[array]}Length`);
      st.cursors.set(array, c);
    }
    return c;
  }

  private reverseArrayInit(v: number, init: Expr, s: Stmt, sink: Sink): void {
    const { st, prop } = this;
    const da = () => ref(st.adj(v));
    if (isArrayRefExpr(init)) return; // a view: it shares its source's adjoint
    switch (init.k) {
      case 'arrayLit':
        init.elements.forEach((el, k) => {
          if (st.w.vars[v].depth > 1) { if (st.act.expr(el)) throw new CodegenError('an active array of arrays', init.range); return; }
          prop.propagate(idx(da(), cnst(k)), el, s, sink);
        });
        return;
      case 'arrayFill': {
        if (!st.act.expr(init.fill)) return;
        const total = st.synthetic('sum');
        const k = st.synthetic('k');
        sink.out.push(st.emit({ k: 'decl', kind: 'let', name: total, value: cnst(0) }));
        sink.out.push(st.emit({
          k: 'for', index: k, from: cnst(0), cmp: '<', to: { k: 'length', array: da(), range: init.range }, step: '++',
          body: [st.emit({ k: 'accum', target: ref(total), op: '+=', value: idx(da(), ref(k)) })],
        }));
        prop.propagate(ref(total), init.fill, s, sink);
        return;
      }
      case 'arrayFrom': {
        if (!st.act.expr(init.body)) return;
        const inner = new Sink(st);
        const i = init.indexVar;
        prop.propagate(idx(da(), ref(i)), init.body, s, inner);
        const body = inner.flush();
        sink.settle();
        sink.out.push(st.emit({ k: 'for', index: i, from: cnst(0), cmp: '<', to: { k: 'length', array: da(), range: init.range }, step: '++', body: [...inner.out, ...body] }));
        return;
      }
      case 'call':
        prop.propagateCall(cnst(0), init, s, sink, da());
        return;
      default:
        throw new CodegenError('this array expression', init.range);
    }
  }

  private reverseIf(s: IfStmt): Adj[] {
    const { st } = this;
    const then = this.reverseBlock(s.then);
    const els = this.reverseBlock(s.else);
    if (isEmptyAdj(then) && isEmptyAdj(els)) return [];
    const test = this.values.recordBranch(s);
    const early = s.test.k === 'var' && st.w.vars[s.test.id]?.name === '$returned';
    const c: Adj[] = early ? (st.ctx.opts.sanitize ? [] : [{ k: 'comment', text: 'adjoint of the return inside the loop, if that is the one that ran' }]) : st.commentOf(s);
    if (isEmptyAdj(then)) return [...c, st.emit({ k: 'if', test, not: 'minimal', then: els, else: [] })];
    return [...c, st.emit({ k: 'if', test, not: null, then, else: isEmptyAdj(els) ? [] : els })];
  }

  private reverseLoop(s: LoopStmt): Adj[] {
    const { st, values } = this;
    const updateRev: Adj[] = [];
    for (let i = s.update.length - 1; i >= 0; i--) updateRev.push(...this.reverseStmt(s.update[i]));
    const hasBreak = hasBreakIn(s.body);
    if (!isEmptyAdj(updateRev) && hasBreak) throw new CodegenError('a loop with a `break` whose update depends on the differentiated parameters', s.range);
    const body = this.reverseBlock(s.body);
    const iteration = [...updateRev, ...body];
    if (isEmptyAdj(iteration)) return [];
    const c = st.commentOf(s);
    const ind = st.layout.induction.get(s);
    const pre: Adj[] = [];
    if (ind) {
      const e0 = values.rv(ind.letStmt.init, ind.letStmt);
      const e0Int = isInt(st.layout, ind.letStmt.init);
      const bound = !hasBreak && s.test ? this.lastIndexOf(s, ind.v, ind.step) : null;
      const down = (from: Expr): Adj => st.emit(ind.step > 0
        ? { k: 'for', index: ind.v, from, cmp: '>=', to: e0, step: '--', body: iteration }
        : { k: 'for', index: ind.v, from, cmp: '<=', to: e0, step: '++', body: iteration });
      if (bound && e0Int) return [...c, down(bound)];
      const trips = values.tripCount(s, pre);
      if (e0Int && (ind.step === 1 || ind.step === -1)) {
        const start = ind.step === 1 ? sub(add(e0, trips), cnst(1)) : add(sub(e0, trips), cnst(1));
        return [...c, { k: 'group', body: pre }, down(start)];
      }
      const k = st.syntheticNamed(st.fresh('iteration'));
      const value = add(e0, mul(ref(k), cnst(ind.step)));
      const from: Expr = { k: 'binary', op: '-', a: trips, b: cnst(1), range: s.range };
      return [...c, { k: 'group', body: pre }, st.emit({ k: 'for', index: k, from, cmp: '>=', to: cnst(0), step: '--', body: [st.emit({ k: 'decl', kind: 'const', name: ind.v, value }), ...iteration] })];
    }
    const trips = values.tripCount(s, pre);
    const k = st.syntheticNamed(st.fresh('iteration'));
    return [...c, { k: 'group', body: pre }, st.emit({ k: 'for', index: k, from: trips, cmp: '>', to: cnst(0), step: '--', body: iteration })];
  }

  /** The last value of the index of a counted loop (`i < n` → n − 1), when its bound can be re-read. */
  private lastIndexOf(s: LoopStmt, v: number, step: number): Expr | null {
    const { st } = this;
    const b = indexBound(st.layout, s, v);
    if (!b) return null;
    const bound = st.outsideStatement(() => this.values.rv(b.bound, s));
    return lastIndex(bound, isInt(st.layout, b.bound), step, b.op);
  }
}
