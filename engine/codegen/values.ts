// Recompute or save: how the reverse sweep reads the forward values it needs. A value still intact
// where the reverse sweep reads it is read as it is (a variable of a nested block is re-established
// at the start of that block's reverse); an element just stored, or filled by an earlier loop, is
// recomputed where what it was computed from is intact; anything else is saved by the forward
// sweep (a constant outside loops, a variable declared at the top in a branch, a stack inside
// loops, sized later by stacks.ts). Branches are re-tested when their condition can be, else the
// branch taken is recorded; a loop's trip count is kept when its reverse cannot re-read its bounds.
//
// A pass: while the statement adjoints walk the function, a read of a value still intact is
// answered at once (the layout says so), and every other read — a value to recompute or save, a
// variable to re-establish, a branch to record, trips to count — becomes a request answered by a
// stand-in name. `decide()` then takes the requests in the order they were made (so the names it
// gives come in the order a reader meets them), writes what each needs into the forward sweep and
// into the groups the walk left in the adjoint statements, and gives each stand-in its name.

import { Expr, Stmt } from '../ir';
import { Adj, AdjOf, AdjValue, forEachAdj, Slot, StackSlot } from './adjoint';
import { arrayRoot, isArrayRefExpr, mentions, ref, sameExpr, substitute, varsOf } from './expr';
import { hasCall, hasExpensive, hasJumpIn, isInt, isNonNegative, upperBound } from './loopBounds';
import { Fwd, ReverseState, StmtState } from './reverseState';
import { CodegenError, IfStmt, LoopStmt } from './work';

export { isArrayRefExpr } from './expr';

function indexDepth(e: Expr): number {
  return e.k === 'index' ? 1 + indexDepth(e.array) : 0;
}

function copyOf(e: Expr): Expr {
  return { k: 'call', fn: '$slice', args: [e], range: e.range };
}

function append<K>(map: Map<K, Fwd[]>, key: K, ...lines: Fwd[]): void {
  const list = map.get(key) ?? [];
  list.push(...lines);
  map.set(key, list);
}

/** A read the walk made that the pass decides: `resolve` runs in the statement's state, `id` is its stand-in. */
interface Request {
  id: number | null;
  state: StmtState | null;
  resolve: () => AdjValue | void;
}

/** A nested block's reverse starts with a group of the values it re-establishes, filled after the pass. */
interface Prologue {
  group: AdjOf<'group'>;
  block: Stmt[];
  declared: number[];
}

export class Values {
  /** While the walk runs, reads that are not plain reads are requests; after `decide()`, answered at once. */
  private deferring = true;
  private readonly requests: Request[] = [];
  /** Per statement state, the stand-in of each read already requested (the same read, the same name). */
  private readonly requested = new WeakMap<StmtState, Map<string, number>>();
  private readonly stmtIds = new Map<Stmt, number>();
  private readonly prologues: Prologue[] = [];
  /** Stand-ins answered by a value that is not an expression (a branch popped from a stack). */
  private readonly answeredValues = new Map<number, AdjValue>();

  constructor(private readonly st: ReverseState) {}

  /** Whether the walk asked anything of the pass while building `state`'s adjoint. */
  madeRequests(state: StmtState): boolean {
    return (this.requested.get(state)?.size ?? 0) > 0 || state.pops.length > 0;
  }

  private stmtId(s: Stmt): number {
    let id = this.stmtIds.get(s);
    if (id === undefined) { id = this.stmtIds.size; this.stmtIds.set(s, id); }
    return id;
  }

  /**
   * The value `resolve` gives (an expression naming a value the generator made), now or, during
   * the walk, as a stand-in the pass names. `key` identifies the read within its statement.
   */
  private request(key: string, resolve: () => AdjValue): AdjValue {
    const { st } = this;
    const state = st.cur;
    if (!this.deferring) return resolve();
    let seen = state ? this.requested.get(state) : undefined;
    if (state && !seen) { seen = new Map(); this.requested.set(state, seen); }
    const hit = seen?.get(key);
    if (hit !== undefined) return ref(hit);
    const id = st.syntheticNamed('');
    seen?.set(key, id);
    this.requests.push({ id, state, resolve });
    return ref(id);
  }

  private readRequest(key: string, resolve: () => Expr): Expr {
    return asExpr(this.request(key, resolve));
  }

  /** A group the pass fills with what a nested block's reverse re-establishes first. */
  prologue(block: Stmt[], declared: number[]): Adj {
    const group: AdjOf<'group'> = { k: 'group', body: [] };
    this.prologues.push({ group, block, declared });
    return group;
  }

  /**
   * The pass: answers the walk's requests in the order they were made, then fills the blocks'
   * prologues; `adjoints` are the walk's statements (branch tests answered by a pop are put in).
   */
  decide(adjoints: Adj[][]): void {
    const { st } = this;
    this.deferring = false;
    for (const r of this.requests) {
      const prev = st.cur;
      st.cur = r.state;
      try {
        const answer = r.resolve();
        if (r.id === null || !answer) continue;
        if (answer.k === 'var' && answer.id >= st.w.vars.length) st.names[r.id] = st.names[answer.id];
        else if (answer.k === 'pop') this.answeredValues.set(r.id, answer);
        else throw new Error(`internal: a read answered by ${answer.k}, not by a name the generator made`);
      } finally {
        st.cur = prev;
      }
    }
    for (const { group, block, declared } of this.prologues) {
      const req = st.reest.get(block);
      if (!req) continue;
      // re-establishing a value may re-establish another it is computed from: only earlier declarations
      let n = -1;
      while (n !== req.size) { n = req.size; for (const v of [...req]) this.reestablish(v); }
      for (const v of declared) if (req.has(v)) group.body.push(...(st.reestLines.get(v) ?? []));
    }
    for (const stmts of adjoints) {
      forEachAdj(stmts, (s) => {
        if (s.k === 'if' && s.test.k === 'var') {
          const popped = this.answeredValues.get(s.test.id);
          if (popped) s.test = popped;
        }
      });
    }
  }

  /** A slot to save a value in, chosen by where `s` sits: constant, hoisted variable, or stack. */
  private slotFor(s: Stmt, base: string, type: string, init: string): Slot {
    const { st } = this;
    const pos = st.layout.pos.get(s)!;
    if (pos.loops.length > 0) return this.stackSlot(pos.loops, base, type);
    if (st.layout.blockOf.get(pos.block)!.top) return { kind: 'const', name: st.fresh(base) };
    const name = st.fresh(base);
    st.hoisted.push(`let ${name}${type === 'number' || type === 'boolean' ? '' : st.ty(`: ${type}`)} = ${init};`);
    return { kind: 'hoisted', name };
  }

  /** A stack for values saved inside `loops` (outermost first); stacks.ts sizes it. */
  private stackSlot(loops: LoopStmt[], base: string, type: string): StackSlot {
    const { st } = this;
    const slot: StackSlot = { kind: 'stack', name: st.fresh(`${base}Stack`), base, type, loops, plain: st.spec.mode === 'pullback', sized: null };
    st.stacks.push(slot);
    st.hoisted.push({ k: 'stackDecl', slot, where: 'hoisted' });
    append(st.fwdBefore, loops[0], { k: 'stackDecl', slot, where: 'outer' });
    return slot;
  }

  /** Saves the value of forward expression `e` just before statement `s`; returns how the reverse reads it. */
  private saveBefore(s: Stmt, e: Expr, base: string, type: string, state: StmtState): Expr {
    const { st } = this;
    const key = `${type}|${st.p(e)}`;
    const hit = state.saved.get(key);
    if (hit) return hit;
    const init = type === 'boolean' ? 'false' : type === 'number' ? '0' : '[]';
    const slot = this.slotFor(s, base, type, init);
    const value = st.fp(type.endsWith('[]') || type === 'Float64Array' ? copyOf(e) : e);
    let out: Expr;
    if (slot.kind === 'stack') {
      append(st.fwdBefore, s, { k: 'push', slot, value });
      const id = st.synthetic(base);
      state.pops.push(st.emit({ k: 'decl', kind: 'const', name: id, value: { k: 'pop', slot } }));
      out = ref(id);
    } else {
      append(st.fwdBefore, s, slot.kind === 'const' ? `const ${slot.name} = ${value};` : `${slot.name} = ${value};`);
      out = ref(st.syntheticNamed(slot.name));
    }
    state.saved.set(key, out);
    return out;
  }

  /** The value variable `v` had at statement `s`, as the reverse sweep reads it. */
  val(v: number, s: Stmt, after = false): Expr {
    const { st } = this;
    if (v >= st.w.vars.length) return ref(v);
    if (st.layout.available(v, s, after)) {
      this.reestablish(v);
      return ref(v);
    }
    const state = st.cur;
    if (!state) throw new CodegenError(`a value of '${st.w.vars[v].name}' the reverse sweep needs`);
    return this.readRequest(`val|${this.stmtId(s)}|${after}|${v}`, () => this.saveBefore(s, ref(v), st.names[v], st.tsTypeOfVar(v), state));
  }

  /** A forward expression at `s`, rewritten to read its values in the reverse sweep. */
  rv(e: Expr, s: Stmt): Expr {
    const { st } = this;
    switch (e.k) {
      case 'const': case 'bool': return e;
      case 'var': return this.val(e.id, s);
      case 'index': {
        const leaf = isArrayRefExpr(e.array);
        if (leaf) {
          // an element of an array overwritten later is saved; an index alone is saved by itself
          const r = arrayRoot(e);
          const ok = r !== null && st.layout.available(r, s) && [...varsOf(e.array)].every((x) => st.layout.available(x, s));
          const state = st.cur;
          if (!ok && state) {
            return this.readRequest(`elem|${this.stmtId(s)}|${st.p(e)}`, () => {
              const forwarded = this.forwardedStore(e, s, state) ?? this.forwardedLoopStore(e, s, state);
              if (forwarded) return forwarded;
              const depth = r === null ? 1 : st.w.vars[r].depth - indexDepth(e);
              return this.saveBefore(s, e, `${st.names[r ?? 0]}Elem`, depth > 0 ? 'number[]' : 'number', state);
            });
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
    const { st } = this;
    if (e.array.k !== 'var' || st.w.vars[e.array.id].depth !== 1) return null;
    const block = st.layout.pos.get(s)?.block;
    const at = block ? block.indexOf(s) : -1;
    const prev = at > 0 ? block![at - 1] : null;
    if (!prev || prev.k !== 'store' || prev.array !== e.array.id || !sameExpr(prev.index, e.index)) return null;
    const value = prev.value;
    if (hasExpensive(value) || hasCall(value) || mentions(value, prev.array) || mentions(e.index, prev.array)) return null;
    if (![...varsOf(value)].every((v) => st.layout.available(v, prev))) return null;
    return this.recomputed(e, value, prev, state);
  }

  /**
   * `a[c]` read inside a loop over c (from ≥ 0 while `c < B`) after an earlier loop of an enclosing
   * block, `for (let r = 0; r < B; r++) { …; a[r] = e; … }`, wrote every element in that range, with
   * no write to `a` since: `e` with c for r, when it is cheap and its inputs are intact.
   */
  private forwardedLoopStore(e: Expr & { k: 'index' }, s: Stmt, state: StmtState): Expr | null {
    const { st } = this;
    const layout = st.layout;
    if (e.array.k !== 'var' || e.index.k !== 'var') return null;
    const a = e.array.id;
    const c = e.index.id;
    if (st.w.vars[a].depth !== 1 || st.aliasRoot(a) !== a) return null;
    const readLoop = layout.inductionVars.get(c);
    const sp = layout.pos.get(s);
    if (!readLoop || !sp) return null;
    const readInd = layout.induction.get(readLoop)!;
    const bound = upperBound(readLoop, c);
    if (!bound || readInd.step !== 1 || !isNonNegative(layout, readInd.letStmt.init) || !isInt(layout, readInd.letStmt.init)) return null;
    const writes = (layout.writes.get(a) ?? []).filter((p) => p < sp.pre);
    if (writes.length === 0) return null;
    const store = layout.stmtAt(Math.max(...writes));
    if (!store || store.k !== 'store' || store.array !== a) return null;
    const storePos = layout.pos.get(store)!;
    const writer = storePos.loops[storePos.loops.length - 1];
    if (!writer || storePos.block !== writer.body || hasJumpIn(writer.body)) return null;
    const wInd = layout.induction.get(writer);
    const wp = layout.pos.get(writer)!;
    if (!wInd || wInd.step !== 1 || store.index.k !== 'var' || store.index.id !== wInd.v) return null;
    if (!(wInd.letStmt.init.k === 'const' && wInd.letStmt.init.value === 0)) return null;
    const wBound = upperBound(writer, wInd.v);
    if (!wBound || !sameExpr(wBound, bound) || ![...varsOf(bound)].every((x) => layout.available(x, s))) return null;
    // the writer runs before s each time s's enclosing statement in the writer's block does
    const blk = layout.blockOf.get(wp.block)!;
    if (!(sp.pre > wp.post && sp.pre <= blk.post)) return null;
    // and no write to `a` in between, nor in the loops around s that do not hold the writer
    const inner = sp.loops.filter((l) => !wp.loops.includes(l));
    const end = inner.length > 0 ? layout.pos.get(inner[0])!.post : sp.pre;
    if ((layout.writes.get(a) ?? []).some((p) => p > wp.post && p <= end)) return null;
    const value = store.value;
    if (hasExpensive(value) || hasCall(value) || mentions(value, a)) return null;
    // its inputs hold at s what they held at the store: declared around s, and not written since
    const intact = (v: number) => {
      const declared = layout.declBlock.get(v);
      const around = declared && layout.blockOf.get(declared);
      return !!around && sp.pre >= around.pre && sp.pre <= around.post && layout.available(v, s) && layout.available(v, writer);
    };
    if (![...varsOf(value)].every((v) => v === wInd.v || intact(v))) return null;
    return this.recomputed(e, substitute(value, new Map([[wInd.v, ref(c)]])), s, state);
  }

  /** A forward element's value recomputed from `value` (read at `at`) into a constant of the statement's reverse. */
  private recomputed(e: Expr & { k: 'index' }, value: Expr, at: Stmt, state: StmtState): Expr {
    const { st } = this;
    const key = `recomputed|${st.p(e)}`;
    const hit = state.saved.get(key);
    if (hit) return hit;
    const recomputed = st.outsideStatement(() => this.rv(value, at));
    const id = st.synthetic(`${e.array.k === 'var' ? st.names[e.array.id] : 'value'}Elem`);
    state.pops.push(st.emit({ k: 'decl', kind: 'const', name: id, value: recomputed }));
    state.saved.set(key, ref(id));
    return ref(id);
  }

  /** Requests that a variable declared in a nested block is made available again in that block's reverse. */
  reestablish(v: number): void {
    const { st } = this;
    const block = st.layout.declBlock.get(v);
    if (!block || st.layout.blockOf.get(block)!.top) return;
    if (st.layout.inductionVars.has(v) || st.layout.arrayFromVars.has(v)) return;
    if (this.deferring) {
      this.requests.push({ id: null, state: null, resolve: () => this.reestablish(v) });
      return;
    }
    const set = st.reest.get(block) ?? new Set<number>();
    if (set.has(v)) return;
    set.add(v);
    st.reest.set(block, set);
    const decl = st.layout.declStmt.get(v)!;
    st.outsideStatement(() => {
      const x = st.w.vars[v];
      const init = decl.init;
      const view = x.type === 'arr' && isArrayRefExpr(init);
      const cheap = !hasExpensive(init) && init.k !== 'arrayLit' && init.k !== 'arrayFill' && init.k !== 'arrayFrom';
      const recompute = (view || (x.type !== 'arr' && cheap)) && [...varsOf(init)].every((u) => st.layout.available(u, decl));
      if (recompute) {
        const e = this.rv(init, decl);
        st.reestLines.set(v, [st.emit({ k: 'decl', kind: 'const', name: v, value: e })]);
        return;
      }
      const type = st.tsTypeOfVar(v);
      const slot = this.slotFor(decl, st.names[v], type, type === 'boolean' ? 'false' : type === 'number' ? '0' : '[]');
      const nm = st.fp(ref(v));
      if (slot.kind === 'stack') {
        append(st.fwdAfter, decl, { k: 'push', slot, value: nm });
        st.reestLines.set(v, [st.emit({ k: 'decl', kind: 'const', name: v, value: { k: 'pop', slot } })]);
      } else {
        append(st.fwdAfter, decl, `${slot.name} = ${nm};`);
        st.reestLines.set(v, [st.emit({ k: 'decl', kind: 'const', name: v, value: ref(st.syntheticNamed(slot.name)) })]);
      }
    });
  }

  /** How the reverse sweep knows which branch of `s` ran: its test re-read, or the branch recorded. */
  recordBranch(s: IfStmt): AdjValue {
    const { st } = this;
    const test = s.test;
    if ([...varsOf(test)].every((v) => st.layout.available(v, s)) && !hasCall(test)) {
      return st.outsideStatement(() => this.rv(test, s));
    }
    return this.request(`branch|${this.stmtId(s)}`, () => this.recordTaken(s));
  }

  private recordTaken(s: IfStmt): AdjValue {
    const { st } = this;
    const slot = this.slotFor(s, 'branch', 'boolean', 'false');
    const t = st.fp(s.test);
    if (slot.kind === 'stack') {
      const local = st.fresh('took');
      append(st.fwdBefore, s, `const ${local} = ${t};`, { k: 'push', slot, value: local });
      st.fwdTest.set(s, local);
      return { k: 'pop', slot };
    }
    append(st.fwdBefore, s, slot.kind === 'const' ? `const ${slot.name} = ${t};` : `${slot.name} = ${t};`);
    st.fwdTest.set(s, slot.name);
    return ref(st.syntheticNamed(slot.name));
  }

  /** Counts a loop's iterations in the forward sweep; returns how the reverse reads the count (`pre`: what it pops first). */
  tripCount(s: LoopStmt, pre: Adj[]): Expr {
    return this.readRequest(`trips|${this.stmtId(s)}`, () => this.countTrips(s, pre));
  }

  private countTrips(s: LoopStmt, pre: Adj[]): Expr {
    const { st } = this;
    const pos = st.layout.pos.get(s)!;
    let slot = st.tripSlots.get(s);
    if (!slot) {
      if (pos.loops.length > 0) {
        const local = st.fresh('trips');
        const stack = this.stackSlot(pos.loops, 'trips', 'number');
        slot = { kind: 'stack', local, stack };
        append(st.fwdBefore, s, `let ${local} = 0;`);
        append(st.fwdAfter, s, { k: 'push', slot: stack, value: local });
      } else if (st.layout.blockOf.get(pos.block)!.top) {
        slot = { kind: 'const', name: st.fresh('trips') };
        append(st.fwdBefore, s, `let ${slot.name} = 0;`);
      } else {
        slot = { kind: 'hoisted', name: st.fresh('trips') };
        st.hoisted.push(`let ${slot.name} = 0;`);
      }
      st.fwdBodyStart.set(s, [`${slot.kind === 'stack' ? slot.local : slot.name}++;`]);
      st.tripSlots.set(s, slot);
    }
    if (slot.kind === 'stack') {
      const id = st.synthetic('trips');
      pre.push(st.emit({ k: 'decl', kind: 'const', name: id, value: { k: 'pop', slot: slot.stack } }));
      return ref(id);
    }
    return ref(st.syntheticNamed(slot.name));
  }
}

function asExpr(v: AdjValue): Expr {
  if (v.k === 'pop' || v.k === 'zeros') throw new Error(`internal: a ${v.k} where an expression is read`);
  return v;
}
