// Propagation through expressions: given the adjoint `d` of an expression's value, the adjoint
// statements adding `d · ∂e/∂(each active leaf)` into the leaves' adjoints, with the partials from
// the one rule table (expr.ts `partialExprs`), a helper's pullback (generated on first use), or its
// `@derivative` rule (userRules.ts). Contributions to the same adjoint are summed in a `Sink`
// before they are written.

import { Expr, Stmt } from '../ir';
import { partialOf, ruleApplies, ruleEntries } from '../userRules';
import { Adj } from './adjoint';
import { add, cnst, idx, mul, partialExprs, ref } from './expr';
import { argsOf, neededByRule, opOf } from './extract';
import { adjointBase, cap } from './names';
import { ReverseState } from './reverseState';
import { isArrayRefExpr, Values } from './values';
import { CodegenError } from './work';

/** Adjoint contributions summed per target, written as `target += sum` when flushed. */
export class Sink {
  /** Statements made so far (earlier flushes, bound values, calls). */
  readonly out: Adj[] = [];
  private readonly terms = new Map<string, { target: Expr; sum: Expr }>();
  constructor(private readonly st: ReverseState) {}

  add(target: Expr, d: Expr): void {
    const key = this.st.p(target);
    const t = this.terms.get(key);
    if (t) t.sum = add(t.sum, d);
    else this.terms.set(key, { target, sum: d });
  }

  /** The accumulated `target += …` statements (and clears them). */
  flush(): Adj[] {
    const out: Adj[] = [];
    for (const { target, sum } of this.terms.values()) {
      out.push(this.st.emit(sum.k === 'neg' ? { k: 'accum', target, op: '-=', value: sum.x } : { k: 'accum', target, op: '+=', value: sum }));
    }
    this.terms.clear();
    return out;
  }

  /** Flushes the pending contributions into `out` (before a statement that must follow them). */
  settle(): void {
    this.out.push(...this.flush());
  }
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

export class Propagation {
  constructor(private readonly st: ReverseState, private readonly values: Values) {}

  /** The adjoint of an array reference expression (`w`, `W[j]`): `dw`, `dW[j]`. Views share their source's adjoint only through their own `dRow = dW[j]` declaration. */
  adjArray(e: Expr, s: Stmt): Expr {
    if (e.k === 'var') return ref(this.st.adj(e.id));
    if (e.k === 'index') return idx(this.adjArray(e.array, s), this.values.rv(e.index, s));
    throw new CodegenError('an adjoint of an array expression that is not a variable', e.range);
  }

  /**
   * Adds `d · ∂e/∂(each active leaf)` into the leaves' adjoints. `out` is the value of `e` itself
   * when the rule of its root needs it (the statement's target).
   */
  propagate(d: Expr, e: Expr, s: Stmt, sink: Sink, out?: () => Expr | undefined): void {
    const { st, values } = this;
    if (!st.act.expr(e)) return;
    if (d.k === 'const' && d.value === 0) return;
    switch (e.k) {
      case 'var': {
        if (st.w.vars[e.id].type !== 'num') throw new CodegenError('an array used as a number', e.range);
        sink.add(ref(st.adj(e.id)), d);
        return;
      }
      case 'index': {
        if (!isArrayRefExpr(e.array)) throw new CodegenError('indexing an array expression', e.range);
        sink.add(idx(this.adjArray(e.array, s), values.rv(e.index, s)), d);
        return;
      }
      case 'cond': {
        const test = values.rv(e.test, s);
        const a = new Sink(st);
        const b = new Sink(st);
        const dd = this.bind(d, sink, 'dCond', 2);
        this.propagate(dd, e.then, s, a);
        this.propagate(dd, e.else, s, b);
        const then = [...a.out, ...a.flush()];
        const els = [...b.out, ...b.flush()];
        if (then.length === 0 && els.length === 0) return;
        sink.out.push(st.emit(then.length > 0 ? { k: 'if', test, not: null, then, else: els } : { k: 'if', test, not: 'paren', then: els, else: [] }));
        return;
      }
      case 'call': { this.propagateCall(d, e, s, sink); return; }
      default: break;
    }
    const op = opOf(e);
    if (!op) throw new CodegenError(`the derivative of this expression (${e.k})`, e.range);
    const args = argsOf(e);
    const active = args.map((a) => st.act.expr(a));
    const need = neededByRule(op, args.length, active);
    const argVals = args.map((a, i) => (need.args[i] ? values.rv(a, s) : a));
    const outVal = need.out ? (out && out()) ?? values.rv(e, s) : e;
    const ps = partialExprs(op, argVals, outVal, active);
    const nActive = active.filter((x) => x).length;
    const dd = nActive > 1 ? this.bind(d, sink, opAdjointName(op), 2) : d;
    args.forEach((a, i) => { if (active[i]) this.propagate(mul(dd, ps[i]), a, s, sink); });
  }

  /** Binds a non-trivial adjoint expression to a constant when it is used more than once. */
  bind(d: Expr, sink: Sink, base: string, uses: number): Expr {
    if (uses < 2 || d.k === 'var' || d.k === 'const' || (d.k === 'neg' && d.x.k === 'var')) return d;
    const id = this.st.synthetic(base);
    sink.settle();
    sink.out.push(this.st.emit({ k: 'decl', kind: 'const', name: id, value: d }));
    return ref(id);
  }

  /** An adjoint element read more than once, bound to a constant. */
  bindSlot(slot: Expr, sink: Sink): Expr {
    if (slot.k !== 'index') return slot;
    return this.bind(slot, sink, 'dElem', 2);
  }

  /**
   * A helper's call: through its `@derivative` rule (each partial times the call's adjoint into its
   * argument's), or its pullback (`adjointArray`: the adjoint of the array it returns).
   */
  propagateCall(d: Expr, e: Expr & { k: 'call' }, s: Stmt, sink: Sink, adjointArray?: Expr): void {
    const { st } = this;
    const helper = st.ctx.resolve(e.fn);
    if (helper.annotations.nondifferentiable) return;
    const argActive = e.args.map((a) => st.act.expr(a));
    const args = e.args.map((a) => this.values.rv(a, s));
    for (const a of args) st.touch(a);
    if (helper.annotations.derivative) {
      if (!ruleApplies(helper)) throw new CodegenError(`@derivative on '${helper.name}', which returns an array`);
      const entries = ruleEntries(helper).filter((en) => argActive[en.param]);
      for (const en of entries) if (en.depth > 1) throw new CodegenError(`a @derivative rule over the array of arrays '${helper.params[en.param].name}'`);
      const g = st.synthetic(`g${cap(helper.name)}`);
      sink.settle();
      sink.out.push(st.emit({ k: 'decl', kind: 'const', name: g, value: { k: 'call', fn: helper.annotations.derivative, args, range: e.range } }));
      const dd = this.bind(d, sink, 'dCall', entries.length);
      for (const en of entries) {
        const part = partialOf(ref(g), en, (r, k) => idx(r, cnst(k)));
        if (!en.array) {
          this.propagate(mul(dd, part), e.args[en.param], s, sink);
          continue;
        }
        const k = st.synthetic('k');
        const target = this.adjArray(e.args[en.param], s);
        sink.settle();
        sink.out.push(st.emit({
          k: 'for', index: k, from: cnst(0), cmp: '<', to: { k: 'length', array: part, range: e.range }, step: '++',
          body: [st.emit({ k: 'accum', target: idx(target, ref(k)), op: '+=', value: mul(dd, idx(part, ref(k))) })],
        }));
      }
      return;
    }
    const pb = st.pullbackFor(helper, helper.params.map((_, i) => argActive[i]));
    const call: Expr & { k: 'call' } = { k: 'call', fn: pb.name, args: [...args, adjointArray ?? d, ...pb.arrays.map((i) => this.adjArray(e.args[i], s))], range: e.range };
    st.touch(call);
    sink.settle();
    const ids = pb.scalars.map((i) => st.synthetic(adjointBase(helper.params[i].name)));
    sink.out.push(st.emit({ k: 'call', call, results: ids }));
    pb.scalars.forEach((pi, k) => this.propagate(ref(ids[k]), e.args[pi], s, sink));
  }
}
