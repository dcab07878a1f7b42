// The one table of scalar operations, in the spirit of JAX's primitives: unary minus, the
// arithmetic operators and every Math function of the subset, each declared once with everything
// the engine knows about it (its value on numbers, its derivative rule over any algebra, where it
// is not differentiable, its complex extension, how it prints, what it costs, and the algebraic
// facts the simplifier may use). Every mode, the simplifier and the printers read this table, so
// adding a Math function means adding its name to MATH_FNS and its row to OPS here, and one row to
// test/engine/ops.test.ts (the compiler refuses a name without a row, the test a row without a
// case).
//
// This module imports nothing from the engine: ir.ts and algebra.ts re-export its names, and a
// module the table imported could not import them back without a cycle.

/** The arithmetic operators of the subset (binary; `-x` is the unary op `neg`). */
export const ARITH_OPS = ['+', '-', '*', '/', '%', '**'] as const;
export type ArithOp = typeof ARITH_OPS[number];

/** Every Math function Gradlens differentiates, in the order the "unsupported" diagnostic lists them. */
export const MATH_FNS = [
  'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2',
  'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh',
  'exp', 'expm1', 'log', 'log1p', 'log2', 'log10',
  'sqrt', 'cbrt', 'pow', 'abs', 'min', 'max', 'hypot',
  'floor', 'ceil', 'round', 'trunc', 'sign', 'fround',
] as const;
export type MathFn = typeof MATH_FNS[number];

/** Every operation of the table. */
export type ScalarOp = ArithOp | 'neg' | MathFn;
export const SCALAR_OPS: readonly ScalarOp[] = [...ARITH_OPS, 'neg', ...MATH_FNS];

// ---- what a rule is written against --------------------------------------------------------------

export type TestOp = '===' | '!==' | '<' | '<=' | '>' | '>=';

/** One comparison of a `select` test; a test is a conjunction of them. */
export interface Comparison<S> {
  op: TestOp;
  a: S;
  b: S;
}

/**
 * The part of an algebra (algebra.ts) a derivative rule uses. Rules are written once over it and
 * run on numbers, dual numbers, tapes, complex numbers, symbolic nodes and code expressions.
 */
export interface RuleAlgebra<S> {
  constant(c: number): S;
  /** The real number a value stands for (NaN when it is not known, as for a symbolic input). */
  primal(x: S): number;
  /** Unary minus, the arithmetic operators and every Math function. */
  apply(op: ScalarOp, args: S[]): S;
  /**
   * `test ? then() : otherwise()` for a rule that branches on values. Algebras that carry numbers
   * leave it out: the test is decided on primal values (false when one is unknown, so a symbolic
   * derivative takes the general branch) and only the branch taken is built, so the branch not
   * taken never computes, say, log(0) onto a tape. The algebra of generated code builds both
   * branches and a conditional, so the rule's guard is written into the code from here, once.
   */
  select?(test: Comparison<S>[], then: () => S, otherwise: () => S): S;
}

/** What one partial-derivative rule sees: the arguments, the result, and the algebra's operations. */
export interface RuleContext<S> {
  a: S;
  b: S;
  /** The operation's result (several rules are cheaper in terms of it: exp' = exp). */
  out: S;
  zero: S;
  one: S;
  c(v: number): S;
  /** `op(...xs)` in the algebra. */
  f(op: ScalarOp, ...xs: S[]): S;
  sq(x: S): S;
  select(test: Comparison<S>[], then: () => S, otherwise: () => S): S;
}

/** ∂out/∂(one argument), over any algebra. */
export type Rule = <S>(r: RuleContext<S>) => S;

export function holds(op: TestOp, x: number, y: number): boolean {
  switch (op) {
    case '===': return x === y;
    case '!==': return x !== y;
    case '<': return x < y;
    case '<=': return x <= y;
    case '>': return x > y;
    case '>=': return x >= y;
  }
}

/** The operations of a context that depend only on the algebra, made once per algebra. */
type Kit<S> = Pick<RuleContext<S>, 'c' | 'f' | 'sq' | 'select'>;

const kits = new WeakMap<RuleAlgebra<unknown>, Kit<unknown>>();

function kitOf<S>(A: RuleAlgebra<S>): Kit<S> {
  let kit = kits.get(A) as Kit<S> | undefined;
  if (kit) return kit;
  const f = (op: ScalarOp, ...xs: S[]) => A.apply(op, xs);
  kit = {
    c: (v) => A.constant(v),
    f,
    sq: (x) => f('*', x, x),
    select: A.select
      ? (test, then, otherwise) => A.select!(test, then, otherwise)
      : (test, then, otherwise) => (test.every((t) => holds(t.op, A.primal(t.a), A.primal(t.b))) ? then() : otherwise()),
  };
  kits.set(A, kit);
  return kit;
}

/**
 * What the rules of one operation see. The derivative rules run for every operation of forward
 * and reverse mode, so the closures are made once per algebra and a call allocates one object.
 */
export function ruleContext<S>(A: RuleAlgebra<S>, args: S[], out: S): RuleContext<S> {
  const kit = kitOf(A);
  // Fresh constants per call, as each rule builds its own (an expression may be mutated later).
  return { a: args[0], b: args[1], out, zero: A.constant(0), one: A.constant(1), c: kit.c, f: kit.f, sq: kit.sq, select: kit.select };
}

// ---- complex numbers (the complex step) ----------------------------------------------------------

export interface Complex {
  re: number;
  im: number;
}

export const complex = (re: number, im = 0): Complex => ({ re, im });

export function cmul(a: Complex, b: Complex): Complex {
  return complex(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
}

export function cdiv(a: Complex, b: Complex): Complex {
  if (b.im === 0) return complex(a.re / b.re, a.im / b.re);
  const d = b.re * b.re + b.im * b.im;
  return complex((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d);
}

const cexp = (a: Complex) => { const e = Math.exp(a.re); return complex(e * Math.cos(a.im), e * Math.sin(a.im)); };
const clog = (a: Complex) => complex(Math.log(Math.hypot(a.re, a.im)), Math.atan2(a.im, a.re));
const csin = (a: Complex) => complex(Math.sin(a.re) * Math.cosh(a.im), Math.cos(a.re) * Math.sinh(a.im));
const ccos = (a: Complex) => complex(Math.cos(a.re) * Math.cosh(a.im), -Math.sin(a.re) * Math.sinh(a.im));
const csinh = (a: Complex) => complex(Math.sinh(a.re) * Math.cos(a.im), Math.cosh(a.re) * Math.sin(a.im));
const ccosh = (a: Complex) => complex(Math.cosh(a.re) * Math.cos(a.im), Math.sinh(a.re) * Math.sin(a.im));

function cpow(a: Complex, b: Complex): Complex | null {
  // Integer powers by repeated multiplication keep negative bases exact.
  if (b.im === 0 && Number.isInteger(b.re) && Math.abs(b.re) <= 64) {
    let r = complex(1);
    for (let k = 0; k < Math.abs(b.re); k++) r = cmul(r, a);
    return b.re < 0 ? cdiv(complex(1), r) : r;
  }
  return a.re > 0 ? cexp(cmul(b, clog(a))) : null;
}

// ---- printing ------------------------------------------------------------------------------------

/** Precedence levels, loosest first; each printer maps them to its own numbers. */
export type Level = 'sum' | 'product' | 'power' | 'atom';

/** How the hover's Unicode math prints a call of the op in a closed form. */
export type UnicodeForm =
  /**
   * `name(a, b)`. With `argPrefix`, `name(prefix a)` (log1p as ln(1 + x)); with `powerOf`,
   * `powerOf^a` when the argument is one letter (exp(x) as e^x).
   */
  | { form: 'call'; name: string; argPrefix?: string; powerOf?: string }
  | { form: 'enclose'; open: string; close: string }
  /** A radical sign before its argument: √x. */
  | { form: 'radical'; sign: string }
  /** `a symbol b` (the symbol with its spacing: `x^y`, `a mod b`), operands wrapped below `operands`. */
  | { form: 'infix'; symbol: string; level: Level; operands: Level };

/** How TypeScript spells the op (generated code, closed forms, the round trip of the tests). */
export type CodeForm =
  | { form: 'call'; name: string }
  | { form: 'infix'; symbol: string; level: Level; assoc: 'left' | 'right' }
  | { form: 'prefix'; symbol: string };

// ---- the rows ------------------------------------------------------------------------------------

/**
 * Algebraic facts of an op, for the simplifier (symbolic/expr.ts keeps the identities and reads the
 * facts; test/engine/ops.test.ts checks each numerically).
 */
export interface Facts {
  /** op(a, b) = op(b, a). */
  commutative?: true;
  /** op(−x) = op(x) (even) or −op(x) (odd). */
  parity?: 'even' | 'odd';
  /** Unary: op(op(x)) = op(x). Binary: op(x, x) = x. */
  idempotent?: true;
  /** The value is always an integer (or NaN, ±∞). */
  integerValued?: true;
  /** op(n) = n for every integer n: a rounding function. */
  fixesIntegers?: true;
  /** The value is never negative (nor −0). */
  nonnegative?: true;
}

export interface OpRow {
  /** Arguments after lowering (min, max and hypot of other counts lower to binary calls). */
  arity: 1 | 2;
  /** The value on numbers, as JavaScript computes it. */
  number(x: number, y: number): number;
  /**
   * ∂out/∂argᵢ, one rule per argument; a rule is called only for an argument that depends on the
   * inputs (so `x ** 2` never asks for log(x)). Non-differentiable points follow PyTorch.
   */
  partials: readonly Rule[];
  /** Where the op is not differentiable (a kink or a jump): a description, given primal arguments. */
  kink?(x: number, y: number): string | null;
  /**
   * The exact complex extension, or null where it would lose the tiny imaginary part of the
   * complex step (then f(a) + i·b·f'(a) is used, as complexify does). Absent: always that
   * first-order form (non-analytic ops, and inverse functions whose formulas cancel).
   */
  complex?(a: Complex, b: Complex): Complex | null;
  /** Absent for the ops the expression graph keeps as sums and products, and for `**` (its pow). */
  unicode?: UnicodeForm;
  code: CodeForm;
  /** Worth a named temporary in generated code rather than recomputation. */
  expensive: boolean;
  facts?: Facts;
  /** The same function as another op: the symbolic graph keeps one node for both (named by it). */
  sameAs?: ScalarOp;
}

/**
 * Every row with its fields in one order, so that the engine's hot paths (the value and the
 * derivative rules of every operation the interpreter runs) read them through one hidden class.
 */
function sameShape(rows: { [K in ScalarOp]: OpRow }): { readonly [K in ScalarOp]: OpRow } {
  const out = {} as Record<ScalarOp, OpRow>;
  for (const op of SCALAR_OPS) {
    const r = rows[op];
    out[op] = {
      arity: r.arity, number: r.number, partials: r.partials, kink: r.kink, complex: r.complex,
      unicode: r.unicode, code: r.code, expensive: r.expensive, facts: r.facts, sameAs: r.sameAs,
    };
  }
  return out;
}

const fmt = (v: number) => String(Number(v.toPrecision(6)));

const zero: Rule = (r) => r.zero;
const one: Rule = (r) => r.one;

/** `name(args)` in Unicode (where mathematics names a function otherwise: arcsin, ln, sgn). */
const call = (name: string): UnicodeForm => ({ form: 'call', name });
const math = (name: MathFn): CodeForm => ({ form: 'call', name: `Math.${name}` });
const infix = (symbol: string, level: Level): CodeForm => ({ form: 'infix', symbol, level, assoc: 'left' });

/** A smooth Math function of one argument, printed as a call unless `rest` says otherwise. */
function math1(name: MathFn, number: (x: number) => number, d: Rule, rest: Partial<OpRow> = {}): OpRow {
  return { arity: 1, number, partials: [d], unicode: call(name), code: math(name), expensive: true, ...rest };
}

/** floor, ceil, round, trunc: piecewise constant (derivative 0), jumping at `jumpsAt`. */
function rounding(name: MathFn, number: (x: number) => number, jumpsAt: (x: number) => boolean, unicode: UnicodeForm, kinkText: (x: number) => string): OpRow {
  return {
    arity: 1, number, partials: [zero], unicode, code: math(name), expensive: false,
    kink: (x) => (jumpsAt(x) ? kinkText(x) : null),
    facts: { idempotent: true, integerValued: true, fixesIntegers: true, ...(name === 'trunc' ? { parity: 'odd' } : {}) },
  };
}

/** a ** b and Math.pow(a, b): one rule, written with the op itself so each prints as written. */
function power(op: '**' | 'pow'): Rule[] {
  return [
    ({ a, b, f, one }) => f('*', b, f(op, a, f('-', b, one))),
    // d/db a^b = a^b ln a; at a = 0 with b > 0 the limit is 0 (as PyTorch masks it).
    ({ a, b, out, f, c, zero, select }) => select([{ op: '===', a, b: c(0) }, { op: '>', a: b, b: c(0) }], () => zero, () => f('*', out, f('log', a))),
  ];
}

/** max and min: (1 ± sign(a − b)) / 2, 1 or 0 off the tie, 1/2 each on it (no branch to guard). */
function extremum(name: 'max' | 'min', number: (x: number, y: number) => number): OpRow {
  const s = <S>({ a, b, f }: RuleContext<S>) => f('sign', f('-', a, b));
  const [first, second] = name === 'max' ? ['+', '-'] as const : ['-', '+'] as const;
  return {
    arity: 2, number,
    partials: [(r) => r.f('/', r.f(first, r.one, s(r)), r.c(2)), (r) => r.f('/', r.f(second, r.one, s(r)), r.c(2))],
    kink: (x, y) => (x === y ? `tie in Math.${name}(${fmt(x)}, ${fmt(y)})` : null),
    unicode: call(name), code: math(name), expensive: false,
    facts: { commutative: true, idempotent: true },
  };
}

export const OPS = sameShape({
  '+': {
    arity: 2, number: (x, y) => x + y, partials: [one, one],
    complex: (a, b) => complex(a.re + b.re, a.im + b.im),
    code: infix('+', 'sum'), expensive: false, facts: { commutative: true },
  },
  '-': {
    arity: 2, number: (x, y) => x - y, partials: [one, (r) => r.c(-1)],
    complex: (a, b) => complex(a.re - b.re, a.im - b.im),
    code: infix('-', 'sum'), expensive: false,
  },
  '*': {
    arity: 2, number: (x, y) => x * y, partials: [(r) => r.b, (r) => r.a],
    complex: cmul, code: infix('*', 'product'), expensive: false, facts: { commutative: true },
  },
  '/': {
    arity: 2, number: (x, y) => x / y,
    partials: [({ f, one, b }) => f('/', one, b), ({ f, out, b }) => f('neg', f('/', out, b))],
    complex: cdiv, code: infix('/', 'product'), expensive: false,
  },
  '%': {
    arity: 2, number: (x, y) => x % y,
    // PyTorch's fmod formula; at a multiple of b the value jumps.
    partials: [one, ({ a, b, f }) => f('neg', f('trunc', f('/', a, b)))],
    kink: (x, y) => (y !== 0 && Number.isInteger(x / y) ? `% at a multiple (${fmt(x)} % ${fmt(y)})` : null),
    unicode: { form: 'infix', symbol: ' mod ', level: 'sum', operands: 'power' },
    code: infix('%', 'product'), expensive: false,
  },
  '**': {
    arity: 2, number: (x, y) => x ** y, partials: power('**'), complex: cpow,
    code: { form: 'infix', symbol: '**', level: 'power', assoc: 'right' }, expensive: true, sameAs: 'pow',
  },
  'neg': {
    arity: 1, number: (x) => -x, partials: [(r) => r.c(-1)],
    complex: (a) => complex(-a.re, -a.im),
    code: { form: 'prefix', symbol: '-' }, expensive: false, facts: { parity: 'odd' },
  },

  // Trigonometric.
  sin: math1('sin', Math.sin, ({ a, f }) => f('cos', a), { complex: csin, facts: { parity: 'odd' } }),
  cos: math1('cos', Math.cos, ({ a, f }) => f('neg', f('sin', a)), { complex: ccos, facts: { parity: 'even' } }),
  tan: math1('tan', Math.tan, ({ out, f, one, sq }) => f('+', one, sq(out)), { complex: (a) => cdiv(csin(a), ccos(a)), facts: { parity: 'odd' } }),
  asin: math1('asin', Math.asin, ({ a, f, one, sq }) => f('/', one, f('sqrt', f('-', one, sq(a)))), { unicode: call('arcsin'), facts: { parity: 'odd' } }),
  acos: math1('acos', Math.acos, ({ a, f, one, sq }) => f('neg', f('/', one, f('sqrt', f('-', one, sq(a))))), { unicode: call('arccos') }),
  atan: math1('atan', Math.atan, ({ a, f, one, sq }) => f('/', one, f('+', one, sq(a))), { unicode: call('arctan'), facts: { parity: 'odd' } }),
  atan2: {
    // atan2(y, x): ∂/∂y = x / (x² + y²), ∂/∂x = −y / (x² + y²)
    arity: 2, number: Math.atan2,
    partials: [({ a, b, f, sq }) => f('/', b, f('+', sq(a), sq(b))), ({ a, b, f, sq }) => f('neg', f('/', a, f('+', sq(a), sq(b))))],
    unicode: call('atan2'), code: math('atan2'), expensive: true,
  },

  // Hyperbolic.
  sinh: math1('sinh', Math.sinh, ({ a, f }) => f('cosh', a), { complex: csinh, facts: { parity: 'odd' } }),
  cosh: math1('cosh', Math.cosh, ({ a, f }) => f('sinh', a), { complex: ccosh, facts: { parity: 'even', nonnegative: true } }),
  tanh: math1('tanh', Math.tanh, ({ out, f, one, sq }) => f('-', one, sq(out)), {
    // Large |re| overflows sinh/cosh; the first-order form is exact enough there.
    complex: (a) => (Math.abs(a.re) > 20 ? null : cdiv(csinh(a), ccosh(a))),
    facts: { parity: 'odd' },
  }),
  asinh: math1('asinh', Math.asinh, ({ a, f, one, sq }) => f('/', one, f('sqrt', f('+', sq(a), one))), { unicode: call('arsinh'), facts: { parity: 'odd' } }),
  acosh: math1('acosh', Math.acosh, ({ a, f, one, sq }) => f('/', one, f('sqrt', f('-', sq(a), one))), { unicode: call('arcosh') }),
  atanh: math1('atanh', Math.atanh, ({ a, f, one, sq }) => f('/', one, f('-', one, sq(a))), { unicode: call('artanh'), facts: { parity: 'odd' } }),

  // Exponentials and logarithms.
  exp: math1('exp', Math.exp, ({ out }) => out, { complex: cexp, unicode: { form: 'call', name: 'exp', powerOf: 'e' }, facts: { nonnegative: true } }),
  expm1: math1('expm1', Math.expm1, ({ out, f, one }) => f('+', out, one)),
  log: math1('log', Math.log, ({ a, f, one }) => f('/', one, a), { complex: (a) => (a.re > 0 ? clog(a) : null), unicode: call('ln') }),
  log1p: math1('log1p', Math.log1p, ({ a, f, one }) => f('/', one, f('+', one, a)), { unicode: { form: 'call', name: 'ln', argPrefix: '1 + ' } }),
  log2: math1('log2', Math.log2, ({ a, f, one, c }) => f('/', one, f('*', a, c(Math.LN2))), { unicode: call('log₂') }),
  log10: math1('log10', Math.log10, ({ a, f, one, c }) => f('/', one, f('*', a, c(Math.LN10))), { unicode: call('log₁₀') }),

  // Roots and powers.
  sqrt: math1('sqrt', Math.sqrt, ({ out, f, one, c }) => f('/', one, f('*', c(2), out)), {
    complex(a) {
      if (a.re <= 0) return null;
      const s = Math.sqrt((Math.hypot(a.re, a.im) + a.re) / 2);
      return complex(s, a.im / (2 * s));
    },
    unicode: { form: 'radical', sign: '√' },
  }),
  cbrt: math1('cbrt', Math.cbrt, ({ out, f, one, c, sq }) => f('/', one, f('*', c(3), sq(out))), { unicode: { form: 'radical', sign: '∛' }, facts: { parity: 'odd' } }),
  pow: {
    arity: 2, number: Math.pow, partials: power('pow'), complex: cpow,
    unicode: { form: 'infix', symbol: '^', level: 'power', operands: 'atom' }, code: math('pow'), expensive: true,
  },

  // Non-smooth functions.
  abs: {
    arity: 1, number: Math.abs,
    // sign(0) = 0 is PyTorch's abs'(0): no branch to guard.
    partials: [({ a, f }) => f('sign', a)],
    kink: (x) => (x === 0 ? 'abs at 0' : null),
    complex: (a) => (a.re < 0 ? complex(-a.re, -a.im) : a.re > 0 ? a : null),
    unicode: { form: 'enclose', open: '|', close: '|' }, code: math('abs'), expensive: false,
    facts: { parity: 'even', idempotent: true, nonnegative: true },
  },
  min: extremum('min', Math.min),
  max: extremum('max', Math.max),
  hypot: {
    arity: 2, number: Math.hypot,
    // At the origin the minimum-norm subgradient is 0.
    partials: [
      ({ a, out, f, c, zero, select }) => select([{ op: '===', a: out, b: c(0) }], () => zero, () => f('/', a, out)),
      ({ b, out, f, c, zero, select }) => select([{ op: '===', a: out, b: c(0) }], () => zero, () => f('/', b, out)),
    ],
    kink: (x, y) => (x === 0 && y === 0 ? 'Math.hypot at the origin' : null),
    unicode: call('hypot'), code: math('hypot'), expensive: true,
    facts: { commutative: true, nonnegative: true },
  },
  floor: rounding('floor', Math.floor, Number.isInteger, { form: 'enclose', open: '⌊', close: '⌋' }, (x) => `Math.floor at the integer ${fmt(x)}`),
  ceil: rounding('ceil', Math.ceil, Number.isInteger, { form: 'enclose', open: '⌈', close: '⌉' }, (x) => `Math.ceil at the integer ${fmt(x)}`),
  // round jumps at half-integers, not at integers.
  round: rounding('round', Math.round, (x) => Number.isInteger(x - 0.5), call('round'), (x) => `Math.round at ${fmt(x)}`),
  trunc: rounding('trunc', Math.trunc, Number.isInteger, call('trunc'), (x) => `Math.trunc at the integer ${fmt(x)}`),
  sign: {
    arity: 1, number: Math.sign, partials: [zero],
    kink: (x) => (x === 0 ? 'sign at 0' : null),
    unicode: call('sgn'), code: math('sign'), expensive: false,
    facts: { parity: 'odd', idempotent: true, integerValued: true },
  },
  // Rounding to the nearest float32: a staircase with steps of one float32 ulp, differentiated as
  // the identity it approximates (derivative 1 almost everywhere), as PyTorch does a dtype cast.
  fround: {
    arity: 1, number: Math.fround, partials: [one],
    unicode: call('fround'), code: math('fround'), expensive: false,
    facts: { parity: 'odd', idempotent: true },
  },
});

/** Math functions of two arguments (after lowering, `min`/`max`/`hypot` are always binary). */
export const BINARY_MATH_FNS: ReadonlySet<MathFn> = new Set(MATH_FNS.filter((f) => OPS[f].arity === 2));
