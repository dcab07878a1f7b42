// Printing expressions: a shared layout (signed sums, products as numerator/denominator, powers,
// calls) built from the graph's normal form, then two renderers over it: Unicode math for the
// hover (`−2(1 − x) − 400x(y − x²)`) and TypeScript source for generated code.
//
// Printing expands the graph's sharing into a tree, which can be exponentially larger than the
// graph (a loop body applied to its own result a dozen times). So nothing is printed before its
// tree-expanded size is known to be within the limit: PrintedSizes gives a lower bound of the
// printed length of every node, memoised per node and saturating, in time linear in the graph.
// The code printer names every shared subexpression, so it prints each node once.

import { checkTime, chargePrintedChars, reservePrintedChars } from './charge';
import { ExprGraph, FnName, NodeId } from './expr';
import { MATH_CONSTANTS, mathConstant } from '../mathConstants';
import { CodeForm, Level, OPS, SCALAR_OPS, UnicodeForm } from '../ops';

type Layout =
  | { k: 'num'; v: number }
  | { k: 'var'; name: string; param: string; index: number | null }
  /** A named temporary of generated code. */
  | { k: 'ref'; name: string }
  | { k: 'sum'; terms: SignedTerm[] }
  /** coef·Πnum / (denCoef·Πden); coef, denCoef > 0. */
  | { k: 'prod'; coef: number; num: Layout[]; denCoef: number; den: Layout[] }
  /** base^exp with exp > 0, exp ≠ 1. */
  | { k: 'pow'; base: Layout; exp: number }
  | { k: 'call'; fn: FnName; args: Layout[] };

interface SignedTerm {
  neg: boolean;
  t: Layout;
}

/** Builds layouts; `refs` names the nodes that are temporaries (printed by name). */
class LayoutBuilder {
  /** `keys` may be shared by builders of one graph: a node's sort key does not depend on `refs`. */
  constructor(readonly g: ExprGraph, readonly refs: Map<NodeId, string> = new Map(), private readonly keys: Map<NodeId, OrderKey> = new Map()) {}

  build(id: NodeId): Layout {
    const terms = this.signedTerms(id, false);
    if (terms.length === 0) return { k: 'num', v: 0 };
    if (terms.length === 1 && !terms[0].neg) return terms[0].t;
    return { k: 'sum', terms };
  }

  private readonly factorKeys = new Map<Layout, OrderKey>();
  /** Keys of layouts already built from a nested sum, by the layout object. */
  readonly layoutKeys = new Map<Layout, OrderKey>();

  private layoutKey(l: Layout, fallback: NodeId): OrderKey {
    return this.layoutKeys.get(l) ?? this.orderKey(fallback);
  }

  private signedTerms(id: NodeId, neg: boolean): SignedTerm[] {
    const ref = this.refs.get(id);
    if (ref !== undefined) return [{ neg, t: { k: 'ref', name: ref } }];
    const n = this.g.node(id);
    if (n.k === 'num') {
      if (n.value === 0) return [];
      return [{ neg: (n.value < 0) !== neg, t: numberLayout(Math.abs(n.value)) }];
    }
    if (n.k !== 'add') return [{ neg, t: this.term(1, id) }];
    const out: (SignedTerm & { key: OrderKey })[] = [];
    for (const t of n.terms) {
      const inner = this.g.node(t.id);
      if (inner.k === 'add' && !this.refs.has(t.id) && (t.coef === 1 || t.coef === -1)) {
        // A nested sum (kept apart to bound the graph's size) prints flat; its constant is a term here.
        for (const st of this.signedTerms(t.id, neg !== (t.coef < 0))) {
          out.push({ ...st, key: st.t.k === 'num' || (st.t.k === 'prod' && st.t.num.length === 0) ? { param: '\uffff', index: 0, id: -1 } : this.layoutKey(st.t, t.id) });
        }
      } else {
        out.push({ neg: neg !== (t.coef < 0), t: this.term(Math.abs(t.coef), t.id), key: this.orderKey(t.id) });
      }
    }
    // Textbook order: 1 − x, y − x², x + 1; a leading positive term rather than a leading minus.
    out.sort((a, b) => compareOrder(a.key, b.key));
    const ordered: SignedTerm[] = out.map((t) => ({ neg: t.neg, t: t.t }));
    if (n.c !== 0) {
      const c: SignedTerm = { neg: (n.c < 0) !== neg, t: numberLayout(Math.abs(n.c)) };
      if (!c.neg && ordered[0].neg) ordered.unshift(c);
      else ordered.push(c);
    }
    if (ordered[0].neg) {
      const firstPositive = ordered.findIndex((t) => !t.neg);
      if (firstPositive > 0) ordered.unshift(...ordered.splice(firstPositive, 1));
    }
    return ordered;
  }

  /** Sort key of a term: its alphabetically first variable (so x² + y², whatever the source order). */
  private orderKey(id: NodeId): OrderKey {
    const known = this.keys.get(id);
    if (known) return known;
    const n = this.g.node(id);
    let key: OrderKey;
    if (n.k === 'var') key = { param: n.param, index: n.index ?? -1, id };
    else if (n.k === 'num') key = { param: '\uffff', index: 0, id };
    else {
      let best: OrderKey | null = null;
      for (const c of this.g.children(id)) {
        const k = this.orderKey(c);
        if (k.param !== '\uffff' && (best === null || compareOrder(k, best) < 0)) best = k;
      }
      key = best ? { param: best.param, index: best.index, id } : { param: '\uffff', index: 0, id };
    }
    this.keys.set(id, key);
    return key;
  }

  /** The layout of `coef · node` as one product (coef > 0). */
  private term(coef: number, id: NodeId): Layout {
    const num: Layout[] = [];
    const den: Layout[] = [];
    this.collectFactors(id, 1, num, den);
    let c = coef;
    let dc = 1;
    const frac = niceFraction(coef);
    if (frac) { c = frac.p; dc = frac.q; }
    // 1/(x ln 2) rather than 1.4427/x: the rules for log2 and log10 divide by these constants.
    const reciprocal = RECIPROCAL_CONSTANTS.find(([inv]) => Math.abs(inv - coef) <= 4e-16 * inv);
    if (reciprocal) { c = 1; den.push({ k: 'num', v: reciprocal[1] }); }
    if (c === 1 && dc === 1 && den.length === 0 && num.length === 1) return num[0];
    if (den.length === 0 && num.length === 0 && dc === 1) return { k: 'num', v: c };
    const byRank = (a: Layout, b: Layout) => factorRank(a) - factorRank(b)
      || compareOrder(this.factorKeys.get(a) ?? LAST, this.factorKeys.get(b) ?? LAST);
    num.sort(byRank);
    den.sort(byRank);
    // A named constant reads last in a product: x ln 2.
    den.sort((a, b) => (a.k === 'num' ? 1 : 0) - (b.k === 'num' ? 1 : 0));
    return { k: 'prod', coef: c, num, denCoef: dc, den };
  }

  private collectFactors(id: NodeId, exp: number, num: Layout[], den: Layout[]): void {
    const n = this.g.node(id);
    if (n.k === 'mul' && !this.refs.has(id) && (exp === 1 || Number.isInteger(exp))) {
      for (const f of n.factors) this.collectFactors(f.id, f.exp * exp, num, den);
      return;
    }
    const base = this.atom(id);
    const e = Math.abs(exp);
    const layout: Layout = e === 1 ? base : { k: 'pow', base, exp: e };
    this.factorKeys.set(layout, this.orderKey(id));
    (exp > 0 ? num : den).push(layout);
  }

  /** `id` as something that can be a factor or a base (sums and products are kept whole). */
  private atom(id: NodeId): Layout {
    const ref = this.refs.get(id);
    if (ref !== undefined) return { k: 'ref', name: ref };
    const n = this.g.node(id);
    switch (n.k) {
      case 'var': return { k: 'var', name: n.name, param: n.param, index: n.index };
      case 'fn': return { k: 'call', fn: n.fn, args: n.args.map((a) => this.build(a)) };
      default: return this.build(id);
    }
  }
}

interface OrderKey {
  param: string;
  index: number;
  id: NodeId;
}

const LAST: OrderKey = { param: '\uffff', index: 0, id: Number.MAX_SAFE_INTEGER };

function compareOrder(a: OrderKey, b: OrderKey): number {
  if (a.param !== b.param) return a.param < b.param ? -1 : 1;
  if (a.index !== b.index) return a.index - b.index;
  return a.id - b.id;
}

function numberLayout(v: number): Layout {
  const f = niceFraction(v);
  return f ? { k: 'prod', coef: f.p, num: [], denCoef: f.q, den: [] } : { k: 'num', v };
}

const RECIPROCAL_CONSTANTS: [number, number][] = [
  ...MATH_CONSTANTS.filter((c) => c.reciprocalOf).map((c): [number, number] => [c.value, mathConstant(c.reciprocalOf!)!.value]),
  [1 / Math.PI, Math.PI],
];

function factorRank(l: Layout): number {
  switch (l.k) {
    case 'num': return 0;
    case 'var': return l.param.length === 1 ? 1 : 2;
    case 'ref': return 3;
    case 'pow': return l.base.k === 'sum' ? 5 : Math.max(1, factorRank(l.base));
    case 'call': return 3;
    case 'prod': return 4;
    case 'sum': return 5;
  }
}

/** `p/q` for a coefficient whose decimal form is long but which is a small fraction (1/3, 2/7). */
function niceFraction(v: number): { p: number; q: number } | null {
  if (Number.isInteger(v) || !Number.isFinite(v)) return null;
  // Halves and quarters read better as fractions, and dividing by them is exact.
  for (const q of [2, 4]) if (Number.isInteger(v * q) && v * q < 10_000) return { p: v * q, q };
  if (String(v).length <= 8) return null;
  for (let q = 3; q <= 64; q++) {
    const p = Math.round(v * q);
    if (p > 0 && p <= 10_000 && p / q === v) return { p, q };
  }
  return null;
}

// ---------------------------------------------------------------- Unicode

const SUM = 1;
const PROD = 2;
const POW = 3;
const ATOM = 4;

const SUPERSCRIPT: Record<string, string> = {
  '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻',
};
const SUBSCRIPT: Record<string, string> = {
  '0': '₀', '1': '₁', '2': '₂', '3': '₃', '4': '₄', '5': '₅', '6': '₆', '7': '₇', '8': '₈', '9': '₉',
};

const MINUS = '\u2212';

const UNICODE_LEVEL: Record<Level, number> = { sum: SUM, product: PROD, power: POW, atom: ATOM };

/** A function node's Unicode form (ops.ts), `name(args)` for an op declaring none. */
function unicodeForm(fn: FnName): UnicodeForm {
  return OPS[fn].unicode ?? { form: 'call', name: fn };
}

interface Printed {
  s: string;
  prec: number;
  /** Renders as a single letter (x, w₂, x²): may be juxtaposed with another one. */
  letter: boolean;
}

/** Named constants whose Unicode form reads as one symbol (π, e, ln 2). */
const UNICODE_ATOMS = new Set(MATH_CONSTANTS.filter((c) => c.unicodeAtom).map((c) => c.unicode));

export function unicodeNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '∞';
  if (v === -Infinity) return MINUS + '∞';
  if (v < 0) return MINUS + unicodeNumber(-v);
  for (const c of MATH_CONSTANTS) if (v === c.value) return c.unicode;
  for (const k of [2, 3, 4, 6, 8]) {
    if (v === Math.PI * k) return `${k}π`;
    if (v === Math.PI / k) return `π/${k}`;
  }
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const short = String(Number(v.toPrecision(6)));
  return short.replace('e-', `×10${SUPERSCRIPT['-']}`).replace(/\u00d710\u207b(\d+)/, (_, d: string) => '×10⁻' + [...d].map((c) => SUPERSCRIPT[c]).join(''))
    .replace(/e\+(\d+)/, (_, d: string) => '×10' + [...d].map((c) => SUPERSCRIPT[c]).join(''));
}

function superscript(n: number): string | null {
  const s = String(n);
  if (!/^-?\d+$/.test(s)) return null;
  return [...s].map((c) => SUPERSCRIPT[c]).join('');
}

function unicode(l: Layout): Printed {
  switch (l.k) {
    case 'num': {
      const s = unicodeNumber(l.v);
      return { s, prec: /^[\d.]+$/.test(s) || UNICODE_ATOMS.has(s) ? ATOM : PROD, letter: false };
    }
    case 'var': {
      const s = l.index === null ? l.param : l.param + [...String(l.index)].map((c) => SUBSCRIPT[c]).join('');
      return { s, prec: ATOM, letter: l.param.length === 1 };
    }
    case 'ref': return { s: l.name, prec: ATOM, letter: l.name.length === 1 };
    case 'sum': {
      let s = '';
      l.terms.forEach((t, i) => {
        const body = wrap(unicode(t.t), PROD);
        if (i === 0) s = (t.neg ? MINUS : '') + body;
        else s += (t.neg ? ` ${MINUS} ` : ' + ') + body;
      });
      return { s, prec: SUM, letter: false };
    }
    case 'prod': {
      const numParts: Printed[] = [];
      if (l.coef !== 1 || l.num.length === 0) numParts.push(unicode({ k: 'num', v: l.coef }));
      for (const f of l.num) numParts.push(unicode(f));
      const numerator = juxtapose(numParts);
      if (l.den.length === 0 && l.denCoef === 1) return { s: numerator, prec: PROD, letter: false };
      const denParts: Printed[] = [];
      if (l.denCoef !== 1) denParts.push(unicode({ k: 'num', v: l.denCoef }));
      for (const f of l.den) denParts.push(unicode(f));
      const denominator = denParts.length === 1 ? wrap(denParts[0], POW) : `(${juxtapose(denParts)})`;
      return { s: `${numerator}/${denominator}`, prec: PROD, letter: false };
    }
    case 'pow': {
      const base = unicode(l.base);
      if (l.exp === 0.5) return { s: '√' + wrap(base, ATOM), prec: POW, letter: false };
      if (l.exp === 1 / 3) return { s: '∛' + wrap(base, ATOM), prec: POW, letter: false };
      const sup = superscript(l.exp);
      if (sup) return { s: wrap(base, ATOM) + sup, prec: POW, letter: base.letter };
      return { s: `${wrap(base, ATOM)}^${unicodeNumber(l.exp)}`, prec: POW, letter: false };
    }
    case 'call': return unicodeCall(l.fn, l.args.map(unicode));
  }
}

function unicodeCall(fn: FnName, args: Printed[]): Printed {
  const [a, b] = args;
  const form = unicodeForm(fn);
  switch (form.form) {
    case 'enclose': return { s: form.open + a.s + form.close, prec: ATOM, letter: false };
    case 'radical': return { s: form.sign + wrap(a, ATOM), prec: POW, letter: false };
    case 'infix': {
      const inner = UNICODE_LEVEL[form.operands];
      return { s: wrap(a, inner) + form.symbol + wrap(b, inner), prec: UNICODE_LEVEL[form.level], letter: false };
    }
    case 'call':
      if (form.powerOf !== undefined && a.letter && a.prec === ATOM) return { s: `${form.powerOf}^${a.s}`, prec: POW, letter: false };
      return { s: `${form.name}(${form.argPrefix ?? ''}${args.map((x) => x.s).join(', ')})`, prec: ATOM, letter: false };
  }
}

function wrap(p: Printed, min: number): string {
  return p.prec >= min ? p.s : `(${p.s})`;
}

/** Implicit multiplication where it cannot be misread (2x, x(1 − x), xy), a middle dot elsewhere. */
function juxtapose(parts: Printed[]): string {
  let s = '';
  let prev: Printed | null = null;
  for (const p of parts) {
    const text = wrap(p, POW);
    if (prev === null) {
      s = text;
    } else {
      const prevIsNumber = /^[\d.]+$/.test(prev.s);
      const startsOpen = /^[(|\u221a\u221b\u230a\u2308]/.test(text); // ( | √ ∛ ⌊ ⌈
      const startsDigit = /^[\d.]/.test(text);
      const ok = !startsDigit && (startsOpen || prevIsNumber || ((prev.letter || prev.s === 'π') && p.letter));
      s += (text.startsWith('ln ') ? ' ' : ok ? '' : '·') + text;
    }
    prev = { ...p, s: text };
  }
  return s;
}

/**
 * Unicode math for a node (no temporaries), e.g. `−2(1 − x) − 400x(y − x²)`. It prints the whole
 * tree: use toUnicodeWithin for a node whose tree may be large.
 */
export function toUnicode(g: ExprGraph, id: NodeId, names?: Map<NodeId, string>): string {
  return unicode(new LayoutBuilder(g, names).build(id)).s;
}

/**
 * Unicode math for each of `ids`, or null when one would be longer than `maxLength` characters.
 * Each is refused before it is printed when its printed-size lower bound is already over the
 * limit, so the work is linear in the graph plus at most `maxLength` characters per root (and
 * charged to the meter: printedChars, time).
 */
export function toUnicodeWithin(g: ExprGraph, ids: NodeId[], maxLength: number, names?: Map<NodeId, string>, sizes: PrintedSizes = new PrintedSizes(g, names)): string[] | null {
  for (const id of ids) if (sizes.of(id) > maxLength) return null;
  const out: string[] = [];
  for (const id of ids) {
    checkTime('symbolic printing');
    const s = toUnicode(g, id, names);
    chargePrintedChars(s.length);
    if (s.length > maxLength) return null;
    out.push(s);
  }
  return out;
}

/** Sizes saturate here (a tree may have more nodes than a float counts exactly). */
const SIZE_CAP = 2 ** 40;

/**
 * A lower bound, for every node, of the length of its Unicode form (toUnicode, with `refs` printed
 * by name) and of its TypeScript form (toCodeInline), shared subexpressions counted at every use:
 * every leaf prints at least its name, every call its own symbols, every sum its ` + ` signs.
 * Memoised per node (children have smaller ids, so one ascending pass decides each node from its
 * children) and saturating: the bound of a node whose tree is astronomically large costs what its
 * graph costs.
 */
export class PrintedSizes {
  private readonly sizes: number[] = [];

  constructor(readonly g: ExprGraph, readonly refs: Map<NodeId, string> = new Map()) {}

  of(id: NodeId): number {
    const sizes = this.sizes;
    for (let i = sizes.length; i <= id; i++) {
      if ((i & 4095) === 4095) checkTime('symbolic printing');
      sizes.push(Math.min(SIZE_CAP, this.compute(i)));
    }
    return sizes[id];
  }

  private compute(id: NodeId): number {
    const ref = this.refs.get(id);
    if (ref !== undefined) return Math.max(1, ref.length);
    const n = this.g.node(id);
    const sizes = this.sizes;
    switch (n.k) {
      case 'num': return 1;
      case 'var': return n.param.length + (n.index === null ? 0 : String(n.index).length);
      case 'add': {
        // m printed terms have m − 1 signs between them, whether a nested sum prints flat or not.
        let s = 3 * (n.terms.length - 1) + (n.c !== 0 ? 4 : 0);
        for (const t of n.terms) s += sizes[t.id];
        return s;
      }
      case 'mul': {
        let s = 0;
        for (const f of n.factors) s += sizes[f.id];
        return s;
      }
      case 'fn': {
        let s = callSymbols(n.fn, n.args.length);
        for (const a of n.args) s += sizes[a];
        return s;
      }
    }
  }
}

/**
 * Characters a call prints besides its arguments, at least: the fewer of its Unicode form's
 * (unicodeCall) and its TypeScript form's (code), so the sizes bound both printers.
 */
function callSymbols(fn: FnName, args: number): number {
  const u = unicodeForm(fn);
  let unicode: number;
  switch (u.form) {
    case 'call': {
      unicode = u.name.length + 2 + 2 * (args - 1) + (u.argPrefix?.length ?? 0);
      if (u.powerOf !== undefined) unicode = Math.min(unicode, u.powerOf.length + 1);
      break;
    }
    case 'enclose': unicode = u.open.length + u.close.length; break;
    case 'radical': unicode = u.sign.length; break;
    case 'infix': unicode = u.symbol.length; break;
  }
  const c = CODE_FORMS.get(fn)!;
  const code = c.form === 'call' ? c.name.length + 2 + 2 * (args - 1) : c.form === 'infix' ? c.symbol.length + 2 : c.symbol.length;
  return Math.min(unicode, code);
}

// ---------------------------------------------------------------- TypeScript

const C_SUM = 1;
const C_PROD = 2;
/** A leading minus: `-x`, `-2`. */
const C_UNARY = 3;
const C_POW = 4;
const C_ATOM = 5;

const CODE_LEVEL: Record<Level, number> = { sum: C_SUM, product: C_PROD, power: C_POW, atom: C_ATOM };
/** Operands of an infix call are wrapped one level tighter than the operator (conservatively). */
const CODE_OPERAND: Record<Level, number> = { sum: C_PROD, product: C_POW, power: C_ATOM, atom: C_ATOM };

/**
 * The TypeScript form of each function node (ops.ts). An operator computing the same function
 * (its `sameAs`) reads better than the call: the graph's pow prints as `a ** b`.
 */
const CODE_FORMS = new Map<string, CodeForm>(SCALAR_OPS.map((op) => [op, OPS[op].code]));
for (const op of SCALAR_OPS) {
  const same = OPS[op].sameAs;
  if (same) CODE_FORMS.set(same, OPS[op].code);
}

interface Code {
  s: string;
  prec: number;
  /** Starts with an exponentiation (then a unary minus in front needs parentheses). */
  powFirst: boolean;
  /** `x * x`: a product that may be a factor of another product as it is. */
  square?: boolean;
}

function codeNumber(v: number): Code {
  for (const c of MATH_CONSTANTS) if (v === c.value) return { s: c.ts, prec: C_ATOM, powFirst: false };
  if (Number.isNaN(v)) return { s: 'NaN', prec: C_ATOM, powFirst: false };
  if (v === Infinity) return { s: 'Infinity', prec: C_ATOM, powFirst: false };
  if (v < 0) return { s: `-${codeNumber(-v).s}`, prec: C_UNARY, powFirst: false };
  return { s: String(v), prec: C_ATOM, powFirst: false };
}

function code(l: Layout): Code {
  switch (l.k) {
    case 'num': return codeNumber(l.v);
    case 'var': return { s: l.index === null ? l.param : `${l.param}[${l.index}]`, prec: C_ATOM, powFirst: false };
    case 'ref': return { s: l.name, prec: C_ATOM, powFirst: false };
    case 'sum': {
      let s = '';
      l.terms.forEach((t, i) => {
        const c = code(t.t);
        const body = cwrap(c, C_PROD);
        if (i === 0) s = t.neg ? (c.powFirst ? `-(${body})` : `-${body}`) : body;
        else s += (t.neg ? ' - ' : ' + ') + body;
      });
      return { s, prec: C_SUM, powFirst: false };
    }
    case 'prod': {
      const parts: Code[] = [];
      if (l.coef !== 1 || l.num.length === 0) parts.push(codeNumber(l.coef));
      for (const f of l.num) parts.push(code(f));
      if (parts.length === 1 && l.den.length === 0 && l.denCoef === 1) return parts[0];
      const numerator = parts.length === 1 ? cwrap(parts[0], C_PROD) : parts.map(factorCode).join(' * ');
      const powFirst = parts[0].powFirst || parts[0].prec === C_POW;
      if (l.den.length === 0 && l.denCoef === 1) return { s: numerator, prec: C_PROD, powFirst };
      const dens: Code[] = [];
      if (l.denCoef !== 1) dens.push(codeNumber(l.denCoef));
      for (const f of l.den) dens.push(code(f));
      const denominator = dens.length === 1 && dens[0].prec >= C_POW
        ? dens[0].s
        : `(${dens.length === 1 ? dens[0].s : dens.map(factorCode).join(' * ')})`;
      return { s: `${numerator} / ${denominator}`, prec: C_PROD, powFirst };
    }
    case 'pow': {
      const base = code(l.base);
      if (l.exp === 0.5) return { s: `Math.sqrt(${base.s})`, prec: C_ATOM, powFirst: false };
      if (l.exp === 2 && (l.base.k === 'var' || l.base.k === 'ref')) return { s: `${base.s} * ${base.s}`, prec: C_PROD, powFirst: false, square: true };
      return { s: `${cwrap(base, C_ATOM)} ** ${cwrap(codeNumber(l.exp), C_ATOM)}`, prec: C_POW, powFirst: true };
    }
    case 'call': {
      const args = l.args.map(code);
      const form = CODE_FORMS.get(l.fn)!;
      switch (form.form) {
        case 'infix': {
          const inner = CODE_OPERAND[form.level];
          const s = `${cwrap(args[0], inner)} ${form.symbol} ${cwrap(args[1], inner)}`;
          return { s, prec: CODE_LEVEL[form.level], powFirst: form.level === 'power' || args[0].prec === C_POW };
        }
        case 'prefix': return { s: `${form.symbol}${cwrap(args[0], C_POW)}`, prec: C_UNARY, powFirst: false };
        case 'call': return { s: `${form.name}(${args.map((a) => a.s).join(', ')})`, prec: C_ATOM, powFirst: false };
      }
    }
  }
}

/** A factor of a product: `x * x` may stand unparenthesised, a `%` or a sum may not. */
function factorCode(c: Code): string {
  return c.prec >= C_POW || c.square ? c.s : `(${c.s})`;
}

function cwrap(c: Code, min: number): string {
  return c.prec >= min ? c.s : `(${c.s})`;
}

// ---------------------------------------------------------------- common subexpressions

export interface Statement {
  name: string;
  expr: string;
}

export interface CodeListing {
  /** `const name = expr;` statements, in dependency order. */
  temporaries: Statement[];
  /** The TypeScript expression of each root. */
  roots: string[];
}

/** Leaves in a node's printed form beyond which it gets its own temporary. */
const SPLIT_SIZE = 24;

/**
 * Names the subexpressions used more than once (and the very large ones), and prints the roots in
 * terms of them. `tempName(i, id)` gives the name of the i-th temporary (1-based), node `id`.
 */
export function toCode(g: ExprGraph, roots: NodeId[], tempName: (i: number, id: NodeId) => string): CodeListing {
  const nodes = g.reachable(roots);
  const uses = new Map<NodeId, number>();
  for (const r of roots) uses.set(r, (uses.get(r) ?? 0) + 1);
  for (const id of nodes) for (const c of new Set(g.children(id))) uses.set(c, (uses.get(c) ?? 0) + 1);

  const rootSet = new Set(roots);
  const isTemp = new Set<NodeId>();
  const size = new Map<NodeId, number>();
  for (const id of nodes) {
    const n = g.node(id);
    const kids = g.children(id);
    let s = kids.length === 0 ? 1 : 0;
    for (const c of kids) s += isTemp.has(c) ? 1 : size.get(c)!;
    const trivial = n.k === 'num' || n.k === 'var'
      || (n.k === 'add' && n.c === 0 && n.terms.length === 1 && (isTemp.has(n.terms[0].id) || g.node(n.terms[0].id).k === 'var'));
    if (!trivial && ((uses.get(id) ?? 0) >= 2 || (s > SPLIT_SIZE && !rootSet.has(id)))) {
      isTemp.add(id);
    }
    size.set(id, s);
  }

  // Every node not named is used once, so each node is printed once: the listing is linear in the
  // graph. The sort keys are shared by the builders (they do not depend on the names).
  const refs = new Map<NodeId, string>();
  const keys = new Map<NodeId, OrderKey>();
  const temporaries: Statement[] = [];
  for (const id of nodes) {
    if (!isTemp.has(id)) continue;
    checkTime('symbolic printing');
    const expr = code(new LayoutBuilder(g, refs, keys).build(id)).s;
    chargePrintedChars(expr.length);
    const name = tempName(temporaries.length + 1, id);
    temporaries.push({ name, expr });
    refs.set(id, name);
  }
  const builder = new LayoutBuilder(g, refs, keys);
  const printed = roots.map((r) => {
    const s = code(builder.build(r)).s;
    chargePrintedChars(s.length);
    return s;
  });
  return { temporaries, roots: printed };
}

/**
 * TypeScript for one node, without temporaries: the whole tree. Throws BudgetExceeded (symbolic
 * printing) before printing anything when the tree's size is over the printed-characters budget.
 */
export function toCodeInline(g: ExprGraph, id: NodeId): string {
  reservePrintedChars(new PrintedSizes(g).of(id));
  const s = code(new LayoutBuilder(g).build(id)).s;
  chargePrintedChars(s.length);
  return s;
}
