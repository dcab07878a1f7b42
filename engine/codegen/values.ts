// Recompute or save: how the reverse sweep reads the forward values it needs. A value still intact
// where the reverse sweep reads it is read as it is (a variable of a nested block is re-established
// at the start of that block's reverse); an element just stored, or filled by an earlier loop, is
// recomputed where what it was computed from is intact; anything else is saved by the forward
// sweep (a constant outside loops, a variable declared at the top in a branch, a stack inside
// loops, sized later by stacks.ts). Branches are re-tested when their condition can be, else the
// branch taken is recorded; a loop's trips are counted when its reverse cannot re-read its bounds.
//
// The decisions are taken as the statement adjoints ask for values (a walk in reverse order), not
// by a later pass: each decision names what it saves, and the names must come in that order.

import { Expr, Stmt } from '../ir';
import { Adj, AdjValue, Slot, StackSlot } from './adjoint';
import { mentions, ref, sameExpr, substitute, varsOf } from './expr';
import { hasCall, hasExpensive, hasJumpIn, isInt, isNonNegative, upperBound } from './loopBounds';
import { Fwd, ReverseState, StmtState } from './reverseState';
import { CodegenError, IfStmt, LoopStmt } from './work';

export function isArrayRefExpr(e: Expr): boolean {
  return e.k === 'var' || (e.k === 'index' && isArrayRefExpr(e.array));
}

function arrayRoot(e: Expr): number | null {
  return e.k === 'var' ? e.id : e.k === 'index' ? arrayRoot(e.array) : null;
}

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

export class Values {
  constructor(private readonly st: ReverseState) {}

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
    return this.saveBefore(s, ref(v), st.names[v], st.tsTypeOfVar(v), state);
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
          if (!ok && st.cur) {
            const forwarded = this.forwardedStore(e, s, st.cur) ?? this.forwardedLoopStore(e, s, st.cur);
            if (forwarded) return forwarded;
            const depth = r === null ? 1 : st.w.vars[r].depth - indexDepth(e);
            return this.saveBefore(s, e, `${st.names[r ?? 0]}Elem`, depth > 0 ? 'number[]' : 'number', st.cur);
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
    const slot = this.slotFor(s, 'branch', 'boolean', 'false');
    const t = st.fp(test);
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
