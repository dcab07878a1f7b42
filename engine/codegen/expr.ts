// Expression building and printing for the code generators.
//
// Generated code is built as IR expressions (ir.ts), so the same printer serves the forward sweep,
// the adjoint statements and the compile path. The builders fold constants and trivial algebra
// (0·x, 1·x, x + 0, x·(1/y) → x/y) so that derivative expressions taken from the one table of
// operations (ops.ts) read as a person would write them. How each operation prints and what it
// costs is read from that table too.

import { Algebra, applyNumber, Comparison, ScalarOp } from '../algebra';
import { localPartials } from '../derivativeRules';
import { ArithOp, Expr, MathFn, Range } from '../ir';
import { holds, Level, OPS } from '../ops';
import { chargeCodeNodes, chargeGeneratedChars, reserveGeneratedChars } from '../symbolic/charge';
import { MATH_CONSTANTS } from '../mathConstants';

/**
 * Nodes built and not yet charged to the meter (engine/budget.ts): derivative expressions are
 * built here, so charging them (and reading the clock) every few hundred nodes bounds a generator
 * whose expressions swell, in nodes and in time.
 */
let uncharged = 0;

function built(): void {
  if (++uncharged >= 256) {
    const n = uncharged;
    uncharged = 0;
    chargeCodeNodes(n);
  }
}

export const NO_RANGE: Range = { start: 0, end: 0 };

export function cnst(value: number): Expr {
  return { k: 'const', value, range: NO_RANGE };
}

export function ref(id: number): Expr {
  return { k: 'var', id, range: NO_RANGE };
}

export function idx(array: Expr, index: Expr): Expr {
  return { k: 'index', array, index, range: NO_RANGE };
}

function isC(e: Expr): e is Expr & { k: 'const' };
function isC(e: Expr, v: number): boolean;
function isC(e: Expr, v?: number): boolean {
  return e.k === 'const' && (v === undefined || e.value === v);
}

export function neg(x: Expr): Expr {
  if (x.k === 'const') return cnst(-x.value);
  if (x.k === 'neg') return x.x;
  if (x.k === 'binary' && x.op === '-') return bin('-', x.b, x.a);
  built();
  return { k: 'neg', x, range: NO_RANGE };
}

function bin(op: ArithOp, a: Expr, b: Expr): Expr {
  built();
  return { k: 'binary', op, a, b, range: NO_RANGE };
}

export function add(a: Expr, b: Expr): Expr {
  if (isC(a) && isC(b)) return cnst(a.value + b.value);
  if (sameExpr(a, b) && !isC(a)) return mul(cnst(2), a);
  // (x ± c1) + c2 → x ± (c1 + c2)
  if (isC(b) && a.k === 'binary' && (a.op === '+' || a.op === '-') && isC(a.b)) {
    const c = (a.op === '+' ? a.b.value : -a.b.value) + b.value;
    return c === 0 ? a.a : c > 0 ? bin('+', a.a, cnst(c)) : bin('-', a.a, cnst(-c));
  }
  if (isC(a, 0)) return b;
  if (isC(b, 0)) return a;
  if (b.k === 'neg') return sub(a, b.x);
  if (isC(b) && b.value < 0 && !(a.k === 'binary' && (a.op === '+' || a.op === '-') && isC(a.b))) return bin('-', a, cnst(-b.value));
  if (a.k === 'neg') return sub(b, a.x);
  return bin('+', a, b);
}

export function sub(a: Expr, b: Expr): Expr {
  if (isC(a) && isC(b)) return cnst(a.value - b.value);
  if (isC(b)) return add(a, cnst(-b.value));
  if (a.k === 'neg' && sameExpr(a.x, b)) return neg(mul(cnst(2), b));
  if (isC(b, 0)) return a;
  if (isC(a, 0)) return neg(b);
  if (b.k === 'neg') return add(a, b.x);
  return bin('-', a, b);
}

export function mul(a: Expr, b: Expr): Expr {
  if (isC(a) && isC(b)) return cnst(a.value * b.value);
  if (isC(a, 0) || isC(b, 0)) return cnst(0);
  if (isC(a, 1)) return b;
  if (isC(b, 1)) return a;
  if (isC(a, -1)) return neg(b);
  if (isC(b, -1)) return neg(a);
  if (a.k === 'neg') return neg(mul(a.x, b));
  if (b.k === 'neg') return neg(mul(a, b.x));
  if (isC(b) && b.value < 0) return neg(mul(a, cnst(-b.value)));
  if (isC(a) && a.value < 0) return neg(mul(cnst(-a.value), b));
  // x · (1/y) → x / y
  if (b.k === 'binary' && b.op === '/' && isC(b.a, 1)) return div(a, b.b);
  if (a.k === 'binary' && a.op === '/' && isC(a.a, 1)) return div(b, a.b);
  // constants first: 2 * x
  if (isC(b) && !isC(a)) return mul(b, a);
  // c1 * (c2 * x) → (c1 c2) * x
  if (isC(a) && b.k === 'binary' && b.op === '*' && isC(b.a)) return mul(cnst(a.value * b.a.value), b.b);
  // c * (x * y) → c * x * y;  x * (c * y) → c * x * y
  if (isC(a) && b.k === 'binary' && b.op === '*') return bin('*', mul(a, b.a), b.b);
  if (b.k === 'binary' && b.op === '*' && isC(b.a)) return mul(mul(b.a, a), b.b);
  return bin('*', a, b);
}

export function div(a: Expr, b: Expr): Expr {
  if (isC(a) && isC(b) && b.value !== 0) return cnst(a.value / b.value);
  if (isC(b, 1)) return a;
  if (isC(b, -1)) return neg(a);
  if (isC(a, 0)) return cnst(0);
  if (a.k === 'neg') return neg(div(a.x, b));
  if (b.k === 'neg') return neg(div(a, b.x));
  return bin('/', a, b);
}

export function math(fn: MathFn, args: Expr[]): Expr {
  if (args.every((a) => a.k === 'const') && fn !== 'floor' && fn !== 'ceil') {
    const v = applyNumber(fn, args.map((a) => (a as { value: number }).value));
    if (Number.isFinite(v) && (Number.isInteger(v) || isNamedConstant(v))) return cnst(v);
  }
  built();
  return { k: 'math', fn, args, range: NO_RANGE };
}

export function apply(op: ScalarOp, args: Expr[]): Expr {
  const [a, b] = args;
  switch (op) {
    case '+': return add(a, b);
    case '-': return sub(a, b);
    case '*': return mul(a, b);
    case '/': return div(a, b);
    case 'neg': return neg(a);
    case '%':
      if (isC(a) && isC(b)) return cnst(a.value % b.value);
      return bin('%', a, b);
    case '**':
    case 'pow':
      if (isC(b, 1)) return a;
      if (isC(b, 0)) return cnst(1);
      if (isC(a) && isC(b)) return cnst(a.value ** b.value);
      return op === '**' ? bin('**', a, b) : math('pow', args);
    default:
      return math(op, args);
  }
}

/**
 * A rule's `select` as code: `test ? then : otherwise`. A comparison of two constants is decided
 * here (a false one picks `otherwise`, a true one is left out of the test).
 */
function select(test: Comparison<Expr>[], then: () => Expr, otherwise: () => Expr): Expr {
  let written: Expr | null = null;
  for (const t of test) {
    if (isC(t.a) && isC(t.b)) {
      if (!holds(t.op, t.a.value, t.b.value)) return otherwise();
      continue;
    }
    const c = cmp(t.op, t.a, t.b);
    written = written === null ? c : { k: 'logical', op: '&&', a: written, b: c, range: NO_RANGE };
  }
  if (written === null) return then();
  return cond(written, then(), otherwise());
}

/**
 * The scalar algebra whose values are expressions: the rule table builds derivative code with it.
 * Its `select` writes the guards of the rules that branch on values (the exponent of a power at
 * base 0, hypot at the origin) into the code.
 */
export const exprAlgebra: Algebra<Expr> = {
  constant: cnst,
  primal: (x) => (x.k === 'const' ? x.value : NaN),
  apply,
  select,
  lift: () => { throw new Error('lift is not used by the code generators'); },
};

/** ∂out/∂args[i] as expressions, guards included (see exprAlgebra). */
export function partialExprs(op: ScalarOp, args: Expr[], out: Expr, active: boolean[]): Expr[] {
  return localPartials(exprAlgebra, op, args, out, active);
}

export function cmp(op: '<' | '<=' | '>' | '>=' | '===' | '!==', a: Expr, b: Expr): Expr {
  built();
  return { k: 'compare', op, a, b, range: NO_RANGE };
}

export function cond(test: Expr, then: Expr, els: Expr): Expr {
  if (test.k === 'bool') return test.value ? then : els;
  if (isC(then) && isC(els) && Object.is(then.value, els.value)) return then;
  built();
  return { k: 'cond', test, then, else: els, range: NO_RANGE };
}

export function not(x: Expr): Expr {
  if (x.k === 'not') return x.x;
  if (x.k === 'bool') return { ...x, value: !x.value };
  return { k: 'not', x, range: NO_RANGE };
}

// ---- queries -------------------------------------------------------------------------------------

export function forEachVar(e: Expr, f: (id: number) => void): void {
  switch (e.k) {
    case 'const': case 'bool': return;
    case 'var': f(e.id); return;
    case 'neg': case 'not': forEachVar(e.x, f); return;
    case 'binary': case 'compare': case 'logical': forEachVar(e.a, f); forEachVar(e.b, f); return;
    case 'math': case 'call': e.args.forEach((a) => forEachVar(a, f)); return;
    case 'cond': forEachVar(e.test, f); forEachVar(e.then, f); forEachVar(e.else, f); return;
    case 'index': forEachVar(e.array, f); forEachVar(e.index, f); return;
    case 'length': forEachVar(e.array, f); return;
    case 'arrayLit': e.elements.forEach((a) => forEachVar(a, f)); return;
    case 'arrayFill': forEachVar(e.length, f); forEachVar(e.fill, f); return;
    case 'arrayFrom': f(e.indexVar); forEachVar(e.length, f); forEachVar(e.body, f); return;
  }
}

export function varsOf(e: Expr): Set<number> {
  const s = new Set<number>();
  forEachVar(e, (id) => s.add(id));
  return s;
}

export function mentions(e: Expr, id: number): boolean {
  let found = false;
  forEachVar(e, (v) => { if (v === id) found = true; });
  return found;
}

export function sameExpr(a: Expr, b: Expr): boolean {
  if (a === b) return true;
  if (a.k !== b.k) return false;
  switch (a.k) {
    case 'const': return Object.is(a.value, (b as typeof a).value);
    case 'bool': return a.value === (b as typeof a).value;
    case 'var': return a.id === (b as typeof a).id;
    case 'neg': case 'not': return sameExpr(a.x, (b as typeof a).x);
    case 'binary': case 'compare': case 'logical': {
      const o = b as typeof a;
      return a.op === o.op && sameExpr(a.a, o.a) && sameExpr(a.b, o.b);
    }
    case 'math': { const o = b as typeof a; return a.fn === o.fn && a.args.length === o.args.length && a.args.every((x, i) => sameExpr(x, o.args[i])); }
    case 'call': { const o = b as typeof a; return a.fn === o.fn && a.args.length === o.args.length && a.args.every((x, i) => sameExpr(x, o.args[i])); }
    case 'cond': { const o = b as typeof a; return sameExpr(a.test, o.test) && sameExpr(a.then, o.then) && sameExpr(a.else, o.else); }
    case 'index': { const o = b as typeof a; return sameExpr(a.array, o.array) && sameExpr(a.index, o.index); }
    case 'length': return sameExpr(a.array, (b as typeof a).array);
    default: return false;
  }
}

// `substitute` is the IR's own (irWalk.ts), re-exported for the passes here.
export { substitute } from '../irWalk';

/** Operations worth a named temporary rather than recomputation (ops.ts `expensive`; a helper call). */
export function isExpensive(e: Expr): boolean {
  if (e.k === 'math') return OPS[e.fn].expensive;
  if (e.k === 'binary') return OPS[e.op].expensive;
  return e.k === 'call';
}

export function isLeaf(e: Expr): boolean {
  return e.k === 'const' || e.k === 'var' || e.k === 'bool' || (e.k === 'index' && isLeaf(e.array) && isLeaf(e.index)) || (e.k === 'neg' && isLeaf(e.x));
}

// ---- printing ------------------------------------------------------------------------------------

const NAMED: [number, string][] = MATH_CONSTANTS.map((c) => [c.value, c.ts]);

function isNamedConstant(v: number): boolean {
  return NAMED.some(([c]) => c === Math.abs(v));
}

export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (Object.is(v, -0)) return '-0';
  for (const [c, name] of NAMED) {
    if (v === c) return name;
    if (v === -c) return `-${name}`;
  }
  return String(v);
}

export interface PrintOptions {
  name(id: number): string;
  /** Name of a called function as written in the output (helpers may be renamed). */
  fnName?(name: string): string;
  /** TypeScript (true) or plain JavaScript. */
  ts: boolean;
  /**
   * The compile path's instrumentation (engine/compileIr.ts): prints `e` its own way (checked
   * indexing, budgeted sizes, kink probes), or returns undefined to print it as usual.
   */
  special?(e: Expr, sub: (x: Expr, min: number) => string, min: number): string | undefined;
}

/** JavaScript's precedence of the comparisons and logical operators (the arithmetic ones: LEVEL). */
const PREC: Record<string, number> = { '||': 4, '&&': 5, '===': 9, '!==': 9, '<': 10, '<=': 10, '>': 10, '>=': 10 };
/** The table's levels (ops.ts) as JavaScript precedences; a prefix operator is 15. */
const LEVEL: Record<Level, number> = { sum: 12, product: 13, power: 14, atom: 17 };
const PREFIX = 15;

/**
 * The source text of `e`, charged to the meter as generated code. Builders share subexpressions
 * (a derivative names its operands again), so the printed tree may be much larger than the
 * objects: it is measured first (every node prints at least one character), and refused with
 * BudgetExceeded before any of it is built when it cannot fit in the generated-code budget.
 */
export function printExpr(e: Expr, o: PrintOptions): string {
  reserveGeneratedChars(treeSize(e));
  const s = pr(e, o, 0);
  chargeGeneratedChars(s.length);
  return s;
}

/** Sizes saturate here (a tree may have more nodes than a float counts exactly). */
const SIZE_CAP = 2 ** 40;

/** Nodes of `e` as a tree (a shared subexpression counted at every use), memoised per object: linear in the objects. */
export function treeSize(e: Expr, memo: Map<Expr, number> = new Map()): number {
  switch (e.k) {
    case 'const': case 'bool': case 'var': return 1;
    default: break;
  }
  const known = memo.get(e);
  if (known !== undefined) return known;
  let n = 1;
  switch (e.k) {
    case 'neg': case 'not': n += treeSize(e.x, memo); break;
    case 'binary': case 'compare': case 'logical': n += treeSize(e.a, memo) + treeSize(e.b, memo); break;
    case 'math': case 'call': for (const a of e.args) n += treeSize(a, memo); break;
    case 'cond': n += treeSize(e.test, memo) + treeSize(e.then, memo) + treeSize(e.else, memo); break;
    case 'index': n += treeSize(e.array, memo) + treeSize(e.index, memo); break;
    case 'length': n += treeSize(e.array, memo); break;
    case 'arrayLit': for (const a of e.elements) n += treeSize(a, memo); break;
    case 'arrayFill': n += treeSize(e.length, memo) + treeSize(e.fill, memo); break;
    case 'arrayFrom': n += treeSize(e.length, memo) + treeSize(e.body, memo); break;
  }
  n = Math.min(SIZE_CAP, n);
  memo.set(e, n);
  return n;
}

function paren(s: string, p: number, min: number): string {
  return p < min ? `(${s})` : s;
}

/** An operation of the table in its TypeScript form (ops.ts `code`). */
function printOp(op: ScalarOp, args: Expr[], o: PrintOptions, min: number): string {
  const form = OPS[op].code;
  switch (form.form) {
    case 'call': return `${form.name}(${args.map((a) => pr(a, o, 2)).join(', ')})`;
    case 'prefix': {
      const inner = pr(args[0], o, PREFIX);
      // `--x` would be a decrement.
      return paren(`${form.symbol}${inner.startsWith(form.symbol) ? `(${inner})` : inner}`, PREFIX, min);
    }
    case 'infix': {
      const p = LEVEL[form.level];
      // Right-associative (`**`): `-x ** 2` is a syntax error, so the base needs more than unary
      // precedence. Left-associative: the right operand binds tighter.
      const [left, right] = form.assoc === 'right' ? [PREFIX + 1, p] : [p, p + 1];
      return paren(`${pr(args[0], o, left)} ${form.symbol} ${pr(args[1], o, right)}`, p, min);
    }
  }
}

function pr(e: Expr, o: PrintOptions, min: number): string {
  if (o.special) {
    const s = o.special(e, (x, m) => pr(x, o, m), min);
    if (s !== undefined) return s;
  }
  switch (e.k) {
    case 'const': {
      const s = formatNumber(e.value);
      return s.startsWith('-') ? paren(s, 15, min) : s;
    }
    case 'bool': return e.value ? 'true' : 'false';
    case 'var': return o.name(e.id);
    case 'neg': return printOp('neg', [e.x], o, min);
    case 'not': return paren(`!${pr(e.x, o, PREFIX)}`, PREFIX, min);
    case 'binary': return printOp(e.op, [e.a, e.b], o, min);
    case 'compare': case 'logical': {
      const p = PREC[e.op];
      // left-associative: the right operand binds tighter
      return paren(`${pr(e.a, o, p)} ${e.op} ${pr(e.b, o, p + 1)}`, p, min);
    }
    case 'math': return printOp(e.fn, e.args, o, min);
    case 'call':
      if (e.fn === '$slice') return `${pr(e.args[0], o, 17)}.slice()`;
      return `${o.fnName ? o.fnName(e.fn) : e.fn}(${e.args.map((a) => pr(a, o, 2)).join(', ')})`;
    case 'cond': return paren(`${pr(e.test, o, 4)} ? ${pr(e.then, o, 2)} : ${pr(e.else, o, 2)}`, 3, min);
    case 'index': return `${pr(e.array, o, 17)}[${pr(e.index, o, 0)}]`;
    case 'length': return `${pr(e.array, o, 17)}.length`;
    case 'arrayLit': return `[${e.elements.map((a) => pr(a, o, 2)).join(', ')}]`;
    case 'arrayFill': return paren(`new Array${o.ts ? '<number>' : ''}(${pr(e.length, o, 2)}).fill(${pr(e.fill, o, 2)})`, 17, min);
    case 'arrayFrom': return `Array.from({ length: ${pr(e.length, o, 2)} }, (_, ${o.name(e.indexVar)}) => ${pr(e.body, o, 2)})`;
  }
}

/** The variable an array reference (`a`, `a[i]`, `a[i][j]`) reads, or null for another expression. */
export function arrayRoot(e: Expr): number | null {
  return e.k === 'var' ? e.id : e.k === 'index' ? arrayRoot(e.array) : null;
}

/** Whether `e` is a variable or an element of one (`a`, `a[i]`, `a[i][j]`). */
export function isArrayRefExpr(e: Expr): boolean {
  return arrayRoot(e) !== null;
}
