// A hash-consed expression DAG with simplification on construction.
//
// Nodes are interned by structure, so equal subexpressions are one node and the derivative's
// sharing is explicit. Sums are `c + Σ coefᵢ·termᵢ` and products `Π baseᵢ^expᵢ` (numeric
// exponents), which makes constant folding, neutral and absorbing elements, like terms and powers
// fall out of one normal form. Children always have smaller ids than their parents, so ascending
// id order is a topological order.
//
// Flattening a sum into a sum (or a product into a product) is what collects like terms, but done
// unconditionally it makes the partial sums of a long chain quadratic in size. So a nested sum is
// merged only when it is small or shares a term with the other operand; otherwise it stays one
// opaque term. The printers flatten again, so the nesting is invisible in the output.

import { applyNumber, ScalarOp } from '../algebra';
import { MathFn } from '../ir';
import { OPS } from '../ops';
import { chargeSymbolicNodes } from './charge';

export type NodeId = number;

/**
 * Operations kept as function nodes: every Math function, and `%` (the others are sums and
 * products; `**` is `pow`, its `sameAs` in the table of operations).
 */
export type FnName = MathFn | '%';

export interface Term {
  id: NodeId;
  coef: number;
}

export interface Factor {
  id: NodeId;
  exp: number;
}

export type Node =
  | { k: 'num'; value: number }
  /** A scalar parameter (`index` null) or one element of an array parameter. */
  | { k: 'var'; name: string; param: string; index: number | null }
  /** `c + Σ coef·term`; terms sorted by id, no numeric terms, no zero coefficients. */
  | { k: 'add'; c: number; terms: Term[] }
  /** `Π base^exp` with numeric exponents; factors sorted by id, no numeric bases, no zero exponents. */
  | { k: 'mul'; factors: Factor[] }
  | { k: 'fn'; fn: FnName; args: NodeId[] };

/** Nested sums/products with more parts than this are kept as one opaque part unless they share one. */
const FLATTEN_LIMIT = 8;

/** New nodes are charged to the meter (engine/budget.ts) in batches of this many. */
const CHARGE_EVERY = 64;

export class ExprGraph {
  readonly nodes: Node[] = [];
  private readonly interned = new Map<string, NodeId>();
  readonly zero: NodeId;
  readonly one: NodeId;
  /** Nodes built and not yet charged to the meter. */
  private uncharged = 0;

  constructor() {
    this.zero = this.num(0);
    this.one = this.num(1);
  }

  node(id: NodeId): Node {
    return this.nodes[id];
  }

  private intern(key: string, make: () => Node): NodeId {
    const found = this.interned.get(key);
    if (found !== undefined) return found;
    const id = this.nodes.length;
    this.nodes.push(make());
    this.interned.set(key, id);
    if (++this.uncharged >= CHARGE_EVERY) this.charge();
    return id;
  }

  /**
   * Charges the nodes built since the last charge to the current meter (symbolicNodes), reading its
   * clock now and then: throws BudgetExceeded when either runs out. Called as nodes are built, and
   * once more when a derivative is complete.
   */
  charge(): void {
    const n = this.uncharged;
    this.uncharged = 0;
    if (n > 0) chargeSymbolicNodes(n);
  }

  num(value: number): NodeId {
    const v = value === 0 ? 0 : value; // -0 and 0 are one constant
    return this.intern(`n${v}`, () => ({ k: 'num', value: v }));
  }

  variable(param: string, index: number | null = null): NodeId {
    const name = index === null ? param : `${param}[${index}]`;
    return this.intern(`v${name}`, () => ({ k: 'var', name, param, index }));
  }

  isNum(id: NodeId): boolean {
    return this.nodes[id].k === 'num';
  }

  numValue(id: NodeId): number | undefined {
    const n = this.nodes[id];
    return n.k === 'num' ? n.value : undefined;
  }

  // ---- sums ----

  /** The constant and the terms of `id` seen as a sum. */
  private sumParts(id: NodeId): { c: number; terms: Term[] } {
    const n = this.nodes[id];
    if (n.k === 'num') return { c: n.value, terms: [] };
    if (n.k === 'add') return { c: n.c, terms: n.terms };
    return { c: 0, terms: [{ id, coef: 1 }] };
  }

  /** Builds the sum `c + Σ terms` (terms may repeat and may be sums themselves). */
  private sum(c: number, terms: Term[]): NodeId {
    const coefs = new Map<NodeId, number>();
    for (const t of terms) {
      const n = this.nodes[t.id];
      if (n.k === 'num') { c += t.coef * n.value; continue; }
      if (n.k === 'add' && n.c === 0 && n.terms.length === 1) {
        // A scaled term: merge the coefficients.
        const inner = n.terms[0];
        coefs.set(inner.id, (coefs.get(inner.id) ?? 0) + t.coef * inner.coef);
        continue;
      }
      coefs.set(t.id, (coefs.get(t.id) ?? 0) + t.coef);
    }
    const out: Term[] = [];
    for (const [id, coef] of coefs) if (coef !== 0) out.push({ id, coef });
    if (out.length === 0 || !Number.isFinite(c)) return this.num(c);
    if (c === 0 && out.length === 1) return this.scale(out[0].coef, out[0].id);
    out.sort((a, b) => a.id - b.id);
    const key = `a${c}|${out.map((t) => `${t.id}:${t.coef}`).join(',')}`;
    return this.intern(key, () => ({ k: 'add', c, terms: out }));
  }

  add(a: NodeId, b: NodeId): NodeId {
    const na = this.nodes[a];
    const nb = this.nodes[b];
    if (na.k === 'num' && nb.k === 'num') return this.num(na.value + nb.value);
    if (na.k === 'num' && na.value === 0) return b;
    if (nb.k === 'num' && nb.value === 0) return a;
    let pa = this.sumParts(a);
    let pb = this.sumParts(b);
    if (pa.terms.length + pb.terms.length > FLATTEN_LIMIT && !shares(pa.terms, pb.terms)) {
      // Keep the larger side closed (one opaque term) so a chain of additions stays linear in size.
      if (pa.terms.length >= pb.terms.length && pa.terms.length > 1) pa = { c: 0, terms: [{ id: a, coef: 1 }] };
      else if (pb.terms.length > 1) pb = { c: 0, terms: [{ id: b, coef: 1 }] };
    }
    return this.sum(pa.c + pb.c, [...pa.terms, ...pb.terms]);
  }

  /** `k · x` */
  scale(k: number, x: NodeId): NodeId {
    const n = this.nodes[x];
    if (n.k === 'num') return this.num(k * n.value);
    if (k === 0) return this.zero;
    if (k === 1) return x;
    if (n.k === 'add') {
      if (n.c === 0 && n.terms.length === 1) return this.scale(k * n.terms[0].coef, n.terms[0].id);
      // Negation distributes (−(1 − x) reads better as x − 1); other factors stay outside: 2(1 − x).
      if (k === -1) return this.sum(-n.c, n.terms.map((t) => ({ id: t.id, coef: -t.coef })));
    }
    return this.intern(`a0|${x}:${k}`, () => ({ k: 'add', c: 0, terms: [{ id: x, coef: k }] }));
  }

  neg(x: NodeId): NodeId {
    return this.scale(-1, x);
  }

  sub(a: NodeId, b: NodeId): NodeId {
    return this.add(a, this.neg(b));
  }

  // ---- products ----

  /** `x` as coefficient × monomial (monomial null for a number). */
  private coefficientOf(x: NodeId): { k: number; m: NodeId | null } {
    const n = this.nodes[x];
    if (n.k === 'num') return { k: n.value, m: null };
    if (n.k === 'add' && n.c === 0 && n.terms.length === 1) return { k: n.terms[0].coef, m: n.terms[0].id };
    return { k: 1, m: x };
  }

  private factorsOf(m: NodeId): Factor[] {
    const n = this.nodes[m];
    return n.k === 'mul' ? n.factors : [{ id: m, exp: 1 }];
  }

  /** Builds `Π factors` (bases may repeat). */
  private product(factors: Factor[]): NodeId {
    const exps = new Map<NodeId, number>();
    for (const f of factors) exps.set(f.id, (exps.get(f.id) ?? 0) + f.exp);
    const out: Factor[] = [];
    for (const [id, exp] of exps) {
      const n = this.nodes[id];
      // (√u)^(2m) = u^m wherever √u exists.
      if (n.k === 'fn' && n.fn === 'sqrt' && Number.isInteger(exp) && exp % 2 === 0) {
        return this.product([...[...exps].filter(([i]) => i !== id).map(([i, e]) => ({ id: i, exp: e })), ...this.factorsOf(n.args[0]).map((f) => ({ id: f.id, exp: f.exp * exp / 2 }))]);
      }
      if (exp !== 0) out.push({ id, exp });
    }
    if (out.length === 0) return this.one;
    if (out.length === 1 && out[0].exp === 1) return out[0].id;
    out.sort((a, b) => a.id - b.id);
    const key = `m${out.map((f) => `${f.id}^${f.exp}`).join(',')}`;
    return this.intern(key, () => ({ k: 'mul', factors: out }));
  }

  mul(a: NodeId, b: NodeId): NodeId {
    const ca = this.coefficientOf(a);
    const cb = this.coefficientOf(b);
    const k = ca.k * cb.k;
    if (ca.m === null && cb.m === null) return this.num(k);
    if (ca.m === null) return this.scale(k, cb.m!);
    if (cb.m === null) return this.scale(k, ca.m);
    let fa = this.factorsOf(ca.m);
    let fb = this.factorsOf(cb.m);
    if (fa.length + fb.length > FLATTEN_LIMIT && !sharesFactor(fa, fb)) {
      if (fa.length >= fb.length && fa.length > 1) fa = [{ id: ca.m, exp: 1 }];
      else if (fb.length > 1) fb = [{ id: cb.m, exp: 1 }];
    }
    return this.scale(k, this.product([...fa, ...fb]));
  }

  div(a: NodeId, b: NodeId): NodeId {
    const vb = this.numValue(b);
    if (vb !== undefined) {
      const va = this.numValue(a);
      if (va !== undefined) return this.num(va / vb);
      if (vb === 0) return this.mul(a, this.num(1 / vb));
      return this.scale(1 / vb, a);
    }
    return this.mul(a, this.powNum(b, -1));
  }

  /** `x ** e` for a numeric exponent. */
  powNum(x: NodeId, e: number): NodeId {
    if (e === 0) return this.one; // JavaScript: anything ** 0 is 1
    if (e === 1) return x;
    const n = this.nodes[x];
    if (n.k === 'num') return this.num(n.value ** e);
    if (!Number.isFinite(e)) return this.intern(`m${x}^${e}`, () => ({ k: 'mul', factors: [{ id: x, exp: e }] }));
    const { k, m } = this.coefficientOf(x);
    if (k !== 1 && (Number.isInteger(e) || k > 0)) return this.scale(k ** e, this.powNum(m!, e));
    const nm = this.nodes[x];
    // (√u)^(2m) = u^m wherever √u exists.
    if (nm.k === 'fn' && nm.fn === 'sqrt' && Number.isInteger(e) && e % 2 === 0) return this.powNum(nm.args[0], e / 2);
    // (a^p b^q)^e = a^(pe) b^(qe) holds for integer e; (x²)^0.5 is |x|, not x, so stop there.
    if (nm.k === 'mul' && Number.isInteger(e)) return this.product(nm.factors.map((f) => ({ id: f.id, exp: f.exp * e })));
    return this.product([{ id: x, exp: e }]);
  }

  pow(a: NodeId, b: NodeId): NodeId {
    return this.fn('pow', [a, b]);
  }

  fn(name: FnName | 'neg', args: NodeId[]): NodeId {
    if (name === 'neg') return this.neg(args[0]);
    if (args.every((a) => this.isNum(a))) return this.num(applyNumber(name, args.map((a) => this.numValue(a)!)));
    const a = args[0];
    if (name === 'pow') {
      const e = this.numValue(args[1]);
      if (e !== undefined) return this.powNum(a, e);
      if (this.numValue(a) === 1) return this.one; // 1 ** y is 1 for every y but NaN, as in JavaScript
    }
    // The identities are here; the facts they rest on (parity, idempotence, integer or
    // nonnegative values) are the table's (ops.ts), each checked numerically by its tests.
    const facts = OPS[name].facts ?? {};
    const unary = OPS[name].arity === 1;
    const na = this.nodes[a];
    if (na.k === 'fn') {
      const inner = OPS[na.fn].facts ?? {};
      if (name === 'log' && na.fn === 'exp') return na.args[0];
      // f(f(u)) = f(u): ||u|| = |u|, sgn(sgn(u)) = sgn(u).
      if (unary && facts.idempotent && na.fn === name) return a;
      // A rounding function leaves an integer as it is: ⌊⌈x⌉⌋ = ⌈x⌉.
      if (facts.fixesIntegers && inner.integerValued) return a;
      // |u| = u where u is never negative: |exp(x)| = exp(x).
      if (name === 'abs' && inner.nonnegative) return a;
    }
    // An even function of −k·u is the function of k·u: |−2x| = |2x|.
    if (unary && facts.parity === 'even' && na.k === 'add' && na.c === 0 && na.terms.length === 1 && na.terms[0].coef < 0) {
      return this.fn(name, [this.scale(-1, a)]);
    }
    // √(x²) = |x|, exactly.
    if (name === 'sqrt' && na.k === 'mul' && na.factors.length === 1 && na.factors[0].exp === 2) return this.fn('abs', [na.factors[0].id]);
    const ordered = facts.commutative ? [...args].sort((x, y) => x - y) : args;
    // min(u, u) = u.
    if (!unary && facts.idempotent && ordered[0] === ordered[1]) return ordered[0];
    return this.intern(`f${name}(${ordered.join(',')})`, () => ({ k: 'fn', fn: name, args: ordered }));
  }

  /** Applies one operation of the algebra. */
  apply(op: ScalarOp, args: NodeId[]): NodeId {
    const [a, b] = args;
    switch (op) {
      case '+': return this.add(a, b);
      case '-': return this.sub(a, b);
      case '*': return this.mul(a, b);
      case '/': return this.div(a, b);
      case 'neg': return this.neg(a);
      // `**` is the graph's pow (its `sameAs`): one node whichever way the source wrote it.
      default: return this.fn((OPS[op].sameAs ?? op) as FnName, args);
    }
  }

  /** Children of a node. */
  children(id: NodeId): NodeId[] {
    const n = this.nodes[id];
    switch (n.k) {
      case 'num': case 'var': return [];
      case 'add': return n.terms.map((t) => t.id);
      case 'mul': return n.factors.map((f) => f.id);
      case 'fn': return n.args;
    }
  }

  /** Every node reachable from `roots`, in ascending id (topological) order. */
  reachable(roots: NodeId[]): NodeId[] {
    const seen = new Set<NodeId>();
    const stack = [...roots];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const c of this.children(id)) if (!seen.has(c)) stack.push(c);
    }
    return [...seen].sort((a, b) => a - b);
  }

  /**
   * Arithmetic operations needed to evaluate `roots` once every shared node is computed once
   * (the size measure that decides whether a closed form is readable).
   */
  operationCount(roots: NodeId[]): number {
    let ops = 0;
    for (const id of this.reachable(roots)) {
      const n = this.nodes[id];
      if (n.k === 'add') {
        ops += n.terms.length - (n.c === 0 ? 1 : 0);
        ops += n.terms.filter((t) => t.coef !== 1 && t.coef !== -1).length;
      } else if (n.k === 'mul') {
        ops += n.factors.length - 1 + n.factors.filter((f) => f.exp !== 1 && f.exp !== -1).length;
        if (n.factors.every((f) => f.exp < 0)) ops += 1; // 1 / …
      } else if (n.k === 'fn') {
        ops += 1;
      }
    }
    return ops;
  }

  /** Numeric value of `id` where every variable takes its value from `env` (by variable name). */
  evaluate(roots: NodeId[], env: (v: Node & { k: 'var' }) => number): number[] {
    const values = new Map<NodeId, number>();
    for (const id of this.reachable(roots)) {
      const n = this.nodes[id];
      let v: number;
      switch (n.k) {
        case 'num': v = n.value; break;
        case 'var': v = env(n); break;
        case 'add': v = n.c; for (const t of n.terms) v += t.coef * values.get(t.id)!; break;
        case 'mul': {
          v = 1;
          for (const f of n.factors) {
            const b = values.get(f.id)!;
            v *= f.exp === 1 ? b : f.exp === -1 ? 1 / b : f.exp === 2 ? b * b : f.exp === 0.5 ? Math.sqrt(b) : b ** f.exp;
          }
          break;
        }
        case 'fn': v = applyNumber(n.fn, n.args.map((a) => values.get(a)!)); break;
      }
      values.set(id, v);
    }
    return roots.map((r) => values.get(r)!);
  }
}

function shares(a: Term[], b: Term[]): boolean {
  const small = a.length <= b.length ? a : b;
  const large = a.length <= b.length ? b : a;
  const ids = new Set(large.map((t) => t.id));
  return small.some((t) => ids.has(t.id));
}

function sharesFactor(a: Factor[], b: Factor[]): boolean {
  const small = a.length <= b.length ? a : b;
  const large = a.length <= b.length ? b : a;
  const ids = new Set(large.map((f) => f.id));
  return small.some((f) => ids.has(f.id));
}
