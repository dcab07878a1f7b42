// Random programs of the differentiable subset (SPEC §2), generated as TypeScript source text with
// a check point, for property-based tests of every way the engine differentiates.
//
// The arbitrary draws a sequence of small integers (a "choice sequence", as Hypothesis does) and a
// deterministic builder turns it into a program. Shrinking the sequence (shorter, smaller numbers)
// therefore shrinks the program: choice 0 always means the simplest option, and a spent sequence
// reads as zeros.
//
// The programs are smooth at their point on purpose, so that every mode and finite differences can
// be held to tight tolerances:
// - inputs are drawn with 0.3 ≤ |x| ≤ 1.7, and branch conditions only compare inputs (or products
//   of inputs, or loop counters) against constants at least 0.3 away from every drawn value, so no
//   finite-difference step crosses a branch and no condition is tied;
// - Math functions are kept strictly inside their domains (`log(1 + e ** 2)`, `asin(0.5 * sin(e))`,
//   `acosh(1.5 + e ** 2)`), and the non-smooth ones (abs, min, max, floor, sign, %) are applied to
//   inputs only, away from their kinks;
// - every expression carries a rough bound on its magnitude, and a value that could grow beyond
//   BOUND_LIMIT is squashed (tanh, atan, log(1 + e²)), so nothing overflows and no periodic function
//   oscillates faster than finite differences can follow.

import fc from 'fast-check';
import type { Point } from '../../engine/ir';

export interface RandomProgramParam {
  name: string;
  type: 'num' | 'arr';
  /** The declared type: `number`, `number[]`, `readonly number[]`, `Float64Array`, `[number, number]`. */
  typeText: string;
}

export interface RandomProgram {
  /** The whole source file: the function (annotated `@differentiable` with its `@at` point) and its helpers. */
  text: string;
  /** The function under test. */
  fnName: string;
  params: RandomProgramParam[];
  /** A value for every parameter (arrays as plain number arrays, `Float64Array` ones included). */
  point: Point;
  /** The parameters differentiated (in order); the others are held constant. */
  wrt: string[];
  /** 1 for a scalar function, else the length of the returned array. */
  outputs: number;
  vectorValued: boolean;
  /** Generated with `straightLine` (no control flow depends on an input). */
  straightLine: boolean;
  /** Names of the helper functions in the file. */
  helpers: string[];
  /** The constructs this program uses (for coverage checks of the generator). */
  features: string[];
}

export interface RandomProgramOptions {
  /** Top-level statements of the function body, at most (loops and branches add their bodies). Default 9. */
  maxStatements?: number;
  /** Helper functions, at most. Default 2. */
  maxHelpers?: number;
  /** Allow vector-valued functions. Default true. */
  vectorValued?: boolean;
  /**
   * Straight-line code over the inputs (what the symbolic mode differentiates): no condition
   * depends on an input; loops run a fixed number of times and branch on their counters only.
   */
  straightLine?: boolean;
}

/** The constructs the generator can emit (see `RandomProgram.features`). */
export const FEATURES = [
  'const', 'let', 'compound', 'increment', 'if', 'else', 'ternary', 'logical', 'not',
  'for', 'forOf', 'while', 'whileTrue', 'break', 'continue', 'earlyReturn', 'nestedLoop',
  'arrayFill', 'float64Array', 'arrayLiteral', 'push', 'store', 'arrayFrom', 'map', 'length',
  'helper', 'helperArrayArg', 'helperVector', 'vectorValued', 'arrayParam', 'tupleParam',
  'heldConstant', 'wrtOrder', 'stepFunction', 'minMax', 'abs', 'modulo', 'activeExponent',
] as const;

/** A fast-check arbitrary of random programs with a point. */
export function randomProgram(options: RandomProgramOptions = {}): fc.Arbitrary<RandomProgram> {
  // Long enough that a program rarely runs out of choices (a spent sequence reads as zeros, which
  // is also where shrinking goes).
  return fc.array(fc.nat({ max: 0xffff }), { minLength: 200, maxLength: 600, size: 'max' }).map((choices) => buildRandomProgram(choices, options));
}

/** The program a choice sequence stands for (deterministic). */
export function buildRandomProgram(choices: readonly number[], options: RandomProgramOptions = {}): RandomProgram {
  const rp = new ProgramBuilder(new Choices(choices), options).build();
  // Counterexamples print as the program and its point, not as a JSON blob.
  Object.defineProperty(rp, fc.toStringMethod, {
    value: () => `\n${rp.text}point ${JSON.stringify(rp.point)}, wrt ${rp.wrt.join(', ')}\n`,
    enumerable: false,
  });
  return rp;
}

// ---- choices ----------------------------------------------------------------------------------

class Choices {
  private i = 0;
  constructor(private readonly xs: readonly number[]) {}

  /** An integer in [0, n); 0 once the sequence is spent. */
  int(n: number): number {
    if (n <= 1) return 0;
    const v = this.i < this.xs.length ? this.xs[this.i] : 0;
    this.i++;
    return v % n;
  }

  /** True with probability `percent`%, false for the choice 0. */
  chance(percent: number): boolean {
    return this.int(100) >= 100 - percent;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
}

// ---- expressions ------------------------------------------------------------------------------

/** An expression's text, a bound on its magnitude, and whether it needs no parentheses. */
interface E {
  t: string;
  b: number;
  atomic: boolean;
}

/** Values above this are squashed before they are used further. */
const BOUND_LIMIT = 30;
/** Arguments of periodic functions and of exp/sinh/cosh are kept below these. */
const PERIODIC_LIMIT = 6;
const EXP_LIMIT = 3;

const atom = (t: string, b: number): E => ({ t, b, atomic: true });
const compound = (t: string, b: number): E => ({ t, b, atomic: false });
const p = (e: E) => (e.atomic ? e.t : `(${e.t})`);
/** `e ** 2`, written as a product for atoms (both forms are in the subset). */
const square = (e: E) => (e.atomic ? `${e.t} * ${e.t}` : `(${e.t}) ** 2`);

function num(v: number): string {
  return String(v);
}

interface NumVar {
  name: string;
  b: number;
  mutable: boolean;
  /** An input itself (a parameter, an element of a parameter array): conditions may compare it with constants. */
  raw: boolean;
}

interface ArrVar {
  name: string;
  /** Exact length when known at generation time. */
  len: number | null;
  /** Shortest possible length (constant indices below it are in bounds). */
  minLen: number;
  /** Longest possible length (for bounds on sums). */
  maxLen: number;
  b: number;
  raw: boolean;
  /** A local array (elements may be written). */
  writable: boolean;
  typeText: string;
}

interface LoopIndex {
  name: string;
  /** Iterations 0 … count − 1 at most. */
  maxCount: number;
  /** The array the loop runs over (its elements are in bounds at this index). */
  over: string | null;
}

interface HelperSig {
  name: string;
  /** Which parameters it takes: a raw input, any number, a parameter array of `arrType`. */
  hasAny: boolean;
  arrType: string | null;
  /** The shortest array it may be passed (its body reads constant indices below it). */
  arrMinLen: number;
  returns: 'num' | 'vec2';
  b: number;
}

interface Scope {
  nums: NumVar[];
  arrs: ArrVar[];
  loops: LoopIndex[];
  /** Product of the trip counts of the enclosing loops (for bounds of accumulations). */
  reps: number;
  /** Nesting depth of loops. */
  loopDepth: number;
  /** Nesting depth of blocks. */
  nest: number;
  /** Statements left to emit in this function. */
  left: number;
  returns: 'num' | 'vec2';
  helpers: HelperSig[];
  lines: string[];
  indent: number;
}

const ARRAY_TYPES = ['number[]', 'readonly number[]', 'Float64Array', 'tuple'] as const;

class ProgramBuilder {
  private counter = 0;
  private readonly features = new Set<string>();
  private readonly maxStatements: number;
  private readonly maxHelpers: number;
  private readonly allowVector: boolean;
  private readonly straightLine: boolean;
  private s!: Scope;

  constructor(private readonly c: Choices, options: RandomProgramOptions) {
    this.maxStatements = options.maxStatements ?? 9;
    this.maxHelpers = options.maxHelpers ?? 2;
    this.allowVector = options.vectorValued ?? true;
    this.straightLine = options.straightLine ?? false;
  }

  private fresh(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  private use(f: string) {
    this.features.add(f);
  }

  build(): RandomProgram {
    const c = this.c;
    // Parameters and the point.
    const nNum = 1 + c.int(3);
    const nArr = c.chance(60) ? 1 + c.int(2) : 0;
    const params: RandomProgramParam[] = [];
    const point: Point = {};
    const paramNums: NumVar[] = [];
    const paramArrs: ArrVar[] = [];
    const draw = () => {
      const sign = c.chance(50) ? -1 : 1;
      // 0.3 … 1.7, on a grid fine enough to look arbitrary.
      return sign * (0.3 + (1.4 * c.int(1401)) / 1400) + 0; // `+ 0` turns −0 into 0
    };
    ['x', 'y', 'z'].slice(0, nNum).forEach((name) => {
      params.push({ name, type: 'num', typeText: 'number' });
      point[name] = draw();
      paramNums.push({ name, b: 1.7, mutable: false, raw: true });
    });
    ['w', 'u'].slice(0, nArr).forEach((name) => {
      this.use('arrayParam');
      const kind = c.pick(ARRAY_TYPES);
      const len = kind === 'tuple' ? 2 + c.int(2) : 2 + c.int(3);
      const typeText = kind === 'tuple' ? `[${new Array(len).fill('number').join(', ')}]` : kind;
      if (kind === 'tuple') this.use('tupleParam');
      params.push({ name, type: 'arr', typeText });
      point[name] = Array.from({ length: len }, draw);
      paramArrs.push({ name, len, minLen: len, maxLen: len, b: 1.7, raw: true, writable: false, typeText });
    });
    // Hold one parameter constant now and then.
    let wrt = params.map((q) => q.name);
    if (params.length > 1 && c.chance(20)) {
      const held = c.int(params.length);
      wrt = wrt.filter((_, i) => i !== held);
      this.use('heldConstant');
    }
    if (wrt.length > 1 && c.chance(20)) {
      // `@wrt` in another order than the parameters: components follow `@wrt`.
      wrt = [...wrt.slice(1), wrt[0]];
      this.use('wrtOrder');
    }
    const vectorValued = this.allowVector && c.chance(25);
    if (vectorValued) this.use('vectorValued');

    // Helpers first (the function calls them), each may call the ones before it.
    const helpers: HelperSig[] = [];
    const helperTexts: string[] = [];
    const nHelpers = c.chance(45) ? 1 + c.int(this.maxHelpers) : 0;
    for (let k = 0; k < nHelpers; k++) {
      const h = this.helper(k, paramArrs, helpers);
      helpers.push(h.sig);
      helperTexts.push(h.text);
    }

    // The function.
    this.s = {
      nums: [...paramNums], arrs: [...paramArrs], loops: [], reps: 1, loopDepth: 0, nest: 0,
      left: 2 + c.int(this.maxStatements - 1), returns: vectorValued ? 'vec2' : 'num', helpers, lines: [], indent: 1,
    };
    while (this.s.left > 0) this.statement();
    this.emit(`return ${this.finalValue().t};`);

    const returnType = vectorValued ? c.pick(['number[]', '[number, number]']) : 'number';
    const fmt = (v: number | number[]) => (Array.isArray(v) ? `[${v.map(num).join(', ')}]` : num(v));
    const doc = [
      '/**',
      ' * A random program of the differentiable subset.',
      ' * @differentiable',
      ...(wrt.join() !== params.map((q) => q.name).join() ? [` * @wrt ${wrt.join(', ')}`] : []),
      ` * @at ${params.map((q) => `${q.name} = ${fmt(point[q.name])}`).join(', ')}`,
      ' */',
    ];
    const signature = `export function f(${params.map((q) => `${q.name}: ${q.typeText}`).join(', ')}): ${returnType} {`;
    const main = [...doc, signature, ...this.s.lines, '}'].join('\n');
    const helpersFirst = c.chance(50);
    const text = (helpersFirst ? [...helperTexts, main] : [main, ...helperTexts]).join('\n\n') + '\n';
    return {
      text, fnName: 'f', params, point, wrt, outputs: vectorValued ? 2 : 1, vectorValued, straightLine: this.straightLine,
      helpers: helpers.map((h) => h.name), features: [...this.features].sort(),
    };
  }

  private helper(k: number, paramArrs: ArrVar[], before: HelperSig[]): { sig: HelperSig; text: string } {
    const c = this.c;
    const name = `helper${k}`;
    const hasAny = c.chance(60);
    const arr = paramArrs.length > 0 && c.chance(60) ? c.pick(paramArrs) : null;
    const returns = c.chance(20) ? 'vec2' : 'num';
    const nums: NumVar[] = [{ name: 'a', b: BOUND_LIMIT, mutable: false, raw: true }];
    // `a` is always passed an input (so conditions on it are safe), `s` anything.
    if (hasAny) nums.push({ name: 's', b: BOUND_LIMIT, mutable: false, raw: false });
    const arrs: ArrVar[] = [];
    if (arr) arrs.push({ name: 'v', len: null, minLen: arr.minLen, maxLen: arr.maxLen, b: 1.7, raw: true, writable: false, typeText: arr.typeText });
    // A raw input is at most 1.7 in size.
    nums[0].b = 1.7;
    this.s = {
      nums, arrs, loops: [], reps: 1, loopDepth: 0, nest: 0, left: 1 + c.int(4), returns, helpers: before.filter((h) => h.arrType === null || h.arrType === arr?.typeText),
      lines: [], indent: 1,
    };
    while (this.s.left > 0) this.statement();
    const value = this.finalValue();
    this.emit(`return ${value.t};`);
    const ret = this.s.returns === 'vec2' ? 'number[]' : 'number';
    const paramList = ['a: number', ...(hasAny ? ['s: number'] : []), ...(arr ? [`v: ${arr.typeText}`] : [])].join(', ');
    const text = [`/** A helper (differentiated through). */`, `function ${name}(${paramList}): ${ret} {`, ...this.s.lines, '}'].join('\n');
    return { sig: { name, hasAny, arrType: arr ? arr.typeText : null, arrMinLen: arr ? arr.minLen : 0, returns, b: value.b }, text };
  }

  // ---- emission ---------------------------------------------------------------------------------

  private emit(line: string) {
    this.s.lines.push('  '.repeat(this.s.indent) + line);
  }

  /** Runs `body` in a nested block scope (its declarations end with it). */
  private block(header: string, body: () => void, footer = '}') {
    const s = this.s;
    this.emit(header);
    const saved = { nums: s.nums.length, arrs: s.arrs.length, loops: s.loops.length };
    s.indent++;
    s.nest++;
    body();
    s.nest--;
    s.indent--;
    s.nums.length = saved.nums;
    s.arrs.length = saved.arrs;
    s.loops.length = saved.loops;
    this.emit(footer);
  }

  // ---- expressions ------------------------------------------------------------------------------

  /** Squashes `e` when its bound is above `limit`. */
  private cap(e: E, limit = BOUND_LIMIT): E {
    if (e.b <= limit) return e;
    switch (this.c.int(3)) {
      case 0: return atom(`Math.tanh(${e.t})`, 1);
      case 1: return atom(`Math.atan(${e.t})`, Math.PI / 2);
      default: return compound(`0.5 * Math.log(1 + ${square(e)})`, 0.5 * Math.log(1 + Math.min(e.b * e.b, 1e300)));
    }
  }

  private rawAtoms(): string[] {
    const s = this.s;
    const out = s.nums.filter((v) => v.raw).map((v) => v.name);
    for (const a of s.arrs) {
      if (!a.raw) continue;
      for (let k = 0; k < Math.min(a.minLen, 2); k++) out.push(`${a.name}[${k}]`);
      for (const l of s.loops) if (l.over === a.name) out.push(`${a.name}[${l.name}]`);
    }
    return out;
  }

  /** A number-valued leaf: a variable, an array element, a loop index, a constant. */
  private leaf(): E {
    const c = this.c;
    const s = this.s;
    const k = c.int(5);
    if (k === 1 || k === 2) {
      const readable: E[] = [];
      for (const a of s.arrs) {
        for (let i = 0; i < Math.min(a.minLen, 3); i++) readable.push(atom(`${a.name}[${i}]`, a.b));
        for (const l of s.loops) {
          const arr = s.arrs.find((x) => x.name === l.over);
          if (l.over === a.name || (arr && a.minLen >= arr.maxLen)) readable.push(atom(`${a.name}[${l.name}]`, a.b));
        }
      }
      if (readable.length > 0) {
        const e = c.pick(readable);
        return e;
      }
    }
    if (k === 3 && s.loops.length > 0) {
      const l = c.pick(s.loops);
      return atom(l.name, l.maxCount);
    }
    if (k === 4) {
      const v = c.pick([0.5, 2, 1.5, 3, 0.25, 1]);
      return atom(num(v), v);
    }
    // A variable (most recent ones first, so values flow down the program).
    const vars = s.nums;
    const v = vars[vars.length - 1 - c.int(Math.min(vars.length, 4))];
    return atom(v.name, v.b);
  }

  expr(depth: number): E {
    const c = this.c;
    if (depth <= 0) return this.leaf();
    switch (c.int(9)) {
      case 0: return this.leaf();
      case 1: case 2: return this.unary(this.expr(depth - 1));
      case 3: case 4: return this.binary(this.expr(depth - 1), this.expr(depth - 1));
      case 5: {
        this.use('ternary');
        const a = this.expr(depth - 1);
        const b = this.expr(depth - 1);
        return compound(`${this.cond()} ? ${p(a)} : ${p(b)}`, Math.max(a.b, b.b));
      }
      case 6: return this.kinky();
      case 7: return this.helperCall() ?? this.leaf();
      default: {
        const a = this.s.arrs.filter((x) => x.maxLen > 0);
        if (a.length > 0 && c.chance(50)) {
          this.use('length');
          const arr = c.pick(a);
          const e = this.expr(depth - 1);
          return compound(`${p(e)} / ${arr.name}.length`, e.b);
        }
        return this.unary(this.leaf());
      }
    }
  }

  private unary(a: E): E {
    const c = this.c;
    const k = c.int(26);
    const lim = (e: E, l: number) => this.cap(e, l);
    switch (k) {
      case 0: { const e = lim(a, PERIODIC_LIMIT); return atom(`Math.sin(${e.t})`, 1); }
      case 1: { const e = lim(a, PERIODIC_LIMIT); return atom(`Math.cos(${e.t})`, 1); }
      case 2: return atom(`Math.tanh(${a.t})`, 1);
      case 3: return atom(`Math.atan(${a.t})`, Math.PI / 2);
      case 4: { const e = lim(a, EXP_LIMIT); return atom(`Math.exp(${e.t})`, Math.exp(e.b)); }
      case 5: { const e = lim(a, BOUND_LIMIT); return atom(`Math.log(1 + ${square(e)})`, Math.log(1 + e.b * e.b)); }
      case 6: { const e = lim(a, BOUND_LIMIT); return atom(`Math.log1p(${square(e)})`, Math.log1p(e.b * e.b)); }
      case 7: { const e = lim(a, BOUND_LIMIT); return atom(`Math.log2(1 + ${square(e)})`, Math.log2(1 + e.b * e.b)); }
      case 8: { const e = lim(a, BOUND_LIMIT); return atom(`Math.log10(2 + ${square(e)})`, Math.log10(2 + e.b * e.b)); }
      case 9: { const e = lim(a, BOUND_LIMIT); return atom(`Math.sqrt(1 + ${square(e)})`, Math.sqrt(1 + e.b * e.b)); }
      case 10: return atom(`Math.hypot(${a.t}, 1)`, Math.hypot(a.b, 1));
      case 11: { const e = lim(a, BOUND_LIMIT); return atom(`Math.cbrt(2 + ${square(e)})`, Math.cbrt(2 + e.b * e.b)); }
      case 12: { const e = lim(a, PERIODIC_LIMIT); return atom(`Math.asin(0.5 * Math.sin(${e.t}))`, Math.PI / 6); }
      case 13: { const e = lim(a, PERIODIC_LIMIT); return atom(`Math.acos(0.5 * Math.cos(${e.t}))`, Math.PI); }
      case 14: return atom(`Math.atanh(0.5 * Math.tanh(${a.t}))`, 0.55);
      case 15: return atom(`Math.asinh(${a.t})`, Math.asinh(a.b));
      case 16: { const e = lim(a, BOUND_LIMIT); return atom(`Math.acosh(1.5 + ${square(e)})`, Math.acosh(1.5 + e.b * e.b)); }
      case 17: { const e = lim(a, EXP_LIMIT); return atom(`Math.sinh(${e.t})`, Math.sinh(e.b)); }
      case 18: { const e = lim(a, EXP_LIMIT); return atom(`Math.cosh(${e.t})`, Math.cosh(e.b)); }
      case 19: { const e = lim(a, EXP_LIMIT); return atom(`Math.expm1(${e.t})`, Math.exp(e.b)); }
      case 20: return atom(`Math.tan(0.5 * Math.tanh(${a.t}))`, 0.55);
      case 21: { const e = lim(a, 5); return compound(`${p(e)} ** 2`, e.b * e.b); }
      case 22: { const e = lim(a, 3); return atom(`Math.pow(${e.t}, 3)`, e.b ** 3); }
      case 23: { const e = lim(a, BOUND_LIMIT); return compound(`(1 + ${square(e)}) ** 0.5`, Math.sqrt(1 + e.b * e.b)); }
      case 24: { const e = lim(a, BOUND_LIMIT); return atom(`Math.pow(1 + ${square(e)}, 0.25)`, Math.sqrt(Math.sqrt(1 + e.b * e.b))); }
      default: return compound(`-${p(a)}`, a.b);
    }
  }

  private binary(a: E, b: E): E {
    const c = this.c;
    let r: E;
    switch (c.int(8)) {
      case 0: r = compound(`${p(a)} + ${p(b)}`, a.b + b.b); break;
      case 1: r = compound(`${p(a)} - ${p(b)}`, a.b + b.b); break;
      case 2: {
        const x = this.cap(a, 6);
        const y = this.cap(b, 6);
        r = compound(`${p(x)} * ${p(y)}`, x.b * y.b);
        break;
      }
      case 3: r = compound(`${p(a)} / (1 + ${square(this.cap(b))})`, a.b); break;
      case 4: { const y = this.cap(b, PERIODIC_LIMIT); r = compound(`${p(a)} / (2 + Math.cos(${y.t}))`, a.b); break; }
      case 5: {
        this.use('activeExponent');
        const x = this.cap(a, BOUND_LIMIT);
        r = atom(`Math.pow(1 + ${square(x)}, Math.tanh(${b.t}))`, 1 + x.b * x.b);
        break;
      }
      case 6: {
        const y = this.cap(b, PERIODIC_LIMIT);
        r = atom(`Math.atan2(${a.t}, 1.5 + Math.cos(${y.t}))`, Math.PI);
        break;
      }
      default: {
        // Division by an input: never near 0.
        const raws = this.rawAtoms();
        if (raws.length === 0) { r = compound(`${p(a)} + ${p(b)}`, a.b + b.b); break; }
        r = compound(`${p(a)} / ${c.pick(raws)}`, a.b / 0.3);
      }
    }
    return this.cap(r);
  }

  /** Non-smooth functions, applied to inputs away from their kinks (their derivative is then exact). */
  private kinky(): E {
    const c = this.c;
    const raws = this.rawAtoms();
    if (raws.length === 0) return this.leaf();
    const x = c.pick(raws);
    switch (c.int(10)) {
      case 0: this.use('abs'); return atom(`Math.abs(${x})`, 1.7);
      case 1: this.use('minMax'); return atom(`Math.max(${x}, 0)`, 1.7);
      case 2: this.use('minMax'); return atom(`Math.min(${x}, 2)`, 1.7);
      case 3: this.use('minMax'); return atom(`Math.max(${x}, -2)`, 1.7);
      case 4: this.use('stepFunction'); return compound(`Math.floor(${x} / 4) + 2`, 2);
      case 5: this.use('stepFunction'); return compound(`Math.ceil(${x} / 4) + 1`, 2);
      case 6: this.use('stepFunction'); return compound(`Math.round(${x} / 8) + ${x}`, 1.7);
      case 7: this.use('stepFunction'); return compound(`Math.trunc(${x} / 4) + 0.5 * ${x}`, 1);
      case 8: this.use('stepFunction'); return compound(`Math.sign(${x}) * ${x}`, 1.7);
      default: this.use('modulo'); return compound(`${x} % 3`, 1.7);
    }
  }

  private helperCall(): E | null {
    const c = this.c;
    const s = this.s;
    if (s.helpers.length === 0) return null;
    const h = c.pick(s.helpers);
    const raws = s.nums.filter((v) => v.raw).map((v) => v.name);
    if (raws.length === 0) return null;
    const args = [c.pick(raws)];
    if (h.hasAny) args.push(this.expr(1).t);
    if (h.arrType !== null) {
      const arrs = s.arrs.filter((a) => a.raw && a.typeText === h.arrType && a.minLen >= h.arrMinLen);
      if (arrs.length === 0) return null;
      args.push(c.pick(arrs).name);
      this.use('helperArrayArg');
    }
    this.use('helper');
    const call = `${h.name}(${args.join(', ')})`;
    if (h.returns === 'vec2') {
      this.use('helperVector');
      return this.cap(atom(`${call}[${c.int(2)}]`, h.b));
    }
    return this.cap(atom(call, h.b));
  }

  /** A condition that is never tied, nor near a tie, at the point. */
  private cond(depth = 1): string {
    const c = this.c;
    const s = this.s;
    const k = c.int(8);
    if (depth > 0 && k === 5) { this.use('logical'); return `${this.cond(depth - 1)} && ${this.cond(depth - 1)}`; }
    if (depth > 0 && k === 6) { this.use('logical'); return `${this.cond(depth - 1)} || ${this.cond(depth - 1)}`; }
    if (depth > 0 && k === 7) { this.use('not'); return `!(${this.cond(depth - 1)})`; }
    if (s.loops.length > 0 && c.chance(40)) {
      const l = c.pick(s.loops);
      const j = c.int(Math.max(1, l.maxCount));
      // No `i === j`: TypeScript would narrow `i` to a literal type after it.
      switch (c.int(4)) {
        case 0: return `${l.name} < ${j}`;
        case 1: return `${l.name} % 2 === 0`;
        case 2: return `${l.name} > ${j}`;
        default: return `${l.name} % 3 !== 1`;
      }
    }
    const raws = this.straightLine ? [] : this.rawAtoms();
    if (raws.length === 0) return c.chance(50) ? 'true' : 'false';
    const x = c.pick(raws);
    switch (c.int(8)) {
      case 0: return `${x} > 0`;
      case 1: return `${x} < 0`;
      case 2: return `${x} >= 0`;
      case 3: return `${x} <= 0`;
      case 4: return `${x} * ${c.pick(raws)} > 0`;
      case 5: return `Math.abs(${x}) < 2`;
      case 6: return `${x} > -2`;
      default: return `${x} < 2`;
    }
  }

  // ---- statements ---------------------------------------------------------------------------------

  /** Emits one statement (possibly with a body) and spends from the statement budget. */
  private statement() {
    const c = this.c;
    const s = this.s;
    s.left--;
    const mutables = s.nums.filter((v) => v.mutable);
    switch (c.int(14)) {
      case 0: case 1: return this.constDecl();
      case 2: return this.letDecl();
      case 3: if (mutables.length > 0) return this.update(c.pick(mutables)); return this.letDecl();
      case 4: return this.ifStmt();
      case 5: return this.indexLoop();
      case 6: return this.forOfLoop();
      case 7: return this.whileLoop();
      case 8: return this.localArray();
      case 9: return this.constDecl(this.helperCall() ?? undefined);
      case 10: return this.earlyReturn();
      case 11: return this.elementWrite();
      case 12: {
        // A ternary with a branch on each side.
        this.use('ternary');
        const a = this.expr(2);
        const b = this.expr(2);
        const name = this.fresh('t');
        this.emit(`const ${name} = ${this.cond()} ? ${p(a)} : ${p(b)};`);
        s.nums.push({ name, b: Math.max(a.b, b.b), mutable: false, raw: false });
        return;
      }
      default: return this.constDecl();
    }
  }

  private constDecl(e?: E) {
    this.use('const');
    const v = e ?? this.expr(2);
    const name = this.fresh('t');
    this.emit(`const ${name} = ${v.t};`);
    this.s.nums.push({ name, b: v.b, mutable: false, raw: false });
  }

  private letDecl(): NumVar {
    this.use('let');
    const v = this.expr(1);
    const name = this.fresh('s');
    this.emit(`let ${name} = ${v.t};`);
    const nv = { name, b: v.b, mutable: true, raw: false };
    this.s.nums.push(nv);
    return nv;
  }

  /** Updates an accumulator: `+=`, `-=`, `*=` by a factor near 1, `/=`, `=`, `++`. */
  private update(v: NumVar) {
    const c = this.c;
    const reps = this.s.reps;
    const e = this.cap(this.expr(2));
    switch (c.int(7)) {
      case 0: this.use('compound'); this.emit(`${v.name} += ${e.t};`); v.b += reps * e.b; break;
      case 1: this.use('compound'); this.emit(`${v.name} -= ${e.t};`); v.b += reps * e.b; break;
      case 2: this.use('compound'); this.emit(`${v.name} *= 1 + 0.25 * Math.sin(${this.cap(e, PERIODIC_LIMIT).t});`); v.b *= 1.25 ** reps; break;
      case 3: this.use('compound'); this.emit(`${v.name} /= 1 + ${square(e)};`); break;
      case 4: this.emit(`${v.name} = 0.5 * ${v.name} + ${p(e)};`); v.b += 2 * e.b; break;
      case 5: this.use('increment'); this.emit(`${v.name}++;`); v.b += reps; break;
      default: this.emit(`${v.name} = ${e.t};`); v.b = Math.max(v.b, e.b);
    }
    // Keep accumulations from growing without end: squash once they could.
    if (v.b > BOUND_LIMIT * 10) {
      this.emit(`${v.name} = Math.tanh(${v.name});`);
      v.b = 1;
    }
  }

  /** A statement for the body of a branch or a loop: mostly updates of outer accumulators. */
  private innerStatement(accs: NumVar[]) {
    const c = this.c;
    const s = this.s;
    s.left--;
    // Deep or over budget: only simple statements.
    const k = s.nest >= 3 || s.left <= 0 ? c.int(4) : c.int(8);
    if (k <= 2 && accs.length > 0) return this.update(c.pick(accs));
    if (k === 3) return this.constDecl();
    if (k === 4) return this.ifStmt(accs);
    if (k === 5 && s.loopDepth < 2) {
      this.use('nestedLoop');
      return c.chance(50) ? this.indexLoop() : this.forOfLoop();
    }
    if (k === 6) return this.elementWrite();
    const mutables = s.nums.filter((v) => v.mutable);
    if (mutables.length > 0) return this.update(c.pick(mutables));
    return this.constDecl();
  }

  private ifStmt(accs?: NumVar[]) {
    const c = this.c;
    const s = this.s;
    this.use('if');
    const targets = accs ?? s.nums.filter((v) => v.mutable);
    // Make sure there is something to assign.
    const acc = targets.length > 0 ? targets : [this.letDecl()];
    const n = 1 + (s.left > 2 ? c.int(2) : 0);
    this.block(`if (${this.cond()}) {`, () => {
      for (let i = 0; i < n; i++) this.innerStatement(acc);
    });
    if (c.chance(60)) {
      this.use('else');
      s.lines.pop();
      this.block('} else {', () => {
        for (let i = 0; i < n; i++) this.innerStatement(acc);
      });
    }
  }

  /** Loop-control statements and the body proper of a loop. */
  private loopBody(accs: NumVar[]) {
    const c = this.c;
    const s = this.s;
    if (c.chance(25)) {
      this.use('continue');
      this.emit(`if (${this.cond()}) continue;`);
    }
    const n = 1 + (s.left > 3 ? c.int(3) : 0);
    for (let i = 0; i < n; i++) {
      if (c.chance(12)) {
        this.use('break');
        this.emit(`if (${this.cond()}) break;`);
      }
      if (c.chance(8)) {
        this.use('earlyReturn');
        this.emit(`if (${this.cond()}) return ${this.returnValue()};`);
      }
      this.innerStatement(accs);
    }
    void s;
  }

  /** An accumulator declared right before a loop. */
  private accumulator(): NumVar {
    this.use('let');
    const name = this.fresh('acc');
    const init = this.c.pick(['0', '1', '0.5']);
    this.emit(`let ${name} = ${init};`);
    const v = { name, b: Number(init), mutable: true, raw: false };
    this.s.nums.push(v);
    return v;
  }

  private inLoop(count: number, loop: LoopIndex | null, body: () => void) {
    const s = this.s;
    // A value updated in a loop feeds back into itself: assume it may be large from the start, so
    // that whatever grows faster than linearly in it (exp, powers, products) gets squashed.
    for (const v of s.nums) if (v.mutable) v.b = Math.max(v.b, BOUND_LIMIT);
    for (const a of s.arrs) if (a.writable) a.b = Math.max(a.b, BOUND_LIMIT);
    const saved = s.reps;
    s.reps *= count;
    s.loopDepth++;
    if (loop) s.loops.push(loop);
    body();
    s.loopDepth--;
    s.reps = saved;
  }

  private indexLoop() {
    const c = this.c;
    const s = this.s;
    this.use('for');
    const arrs = s.arrs.filter((a) => a.maxLen > 0);
    const acc = this.accumulator();
    const i = this.fresh('i');
    if (arrs.length === 0 || c.chance(20)) {
      const n = 2 + c.int(3);
      this.block(`for (let ${i} = 0; ${i} < ${n}; ${i}++) {`, () => {
        this.inLoop(n, { name: i, maxCount: n, over: null }, () => this.loopBody([acc]));
      });
      return;
    }
    const a = c.pick(arrs);
    this.block(`for (let ${i} = 0; ${i} < ${a.name}.length; ${i}++) {`, () => {
      this.inLoop(a.maxLen, { name: i, maxCount: a.maxLen, over: a.name }, () => {
        // Use the element at least once.
        const e = this.unary(atom(`${a.name}[${i}]`, a.b));
        this.emit(`${acc.name} += ${e.t};`);
        acc.b += s.reps * e.b;
        this.loopBody([acc]);
      });
    });
  }

  private forOfLoop() {
    const c = this.c;
    const s = this.s;
    const arrs = s.arrs.filter((a) => a.maxLen > 0);
    if (arrs.length === 0) return this.indexLoop();
    this.use('forOf');
    const a = c.pick(arrs);
    const acc = this.accumulator();
    const v = this.fresh('v');
    this.block(`for (const ${v} of ${a.name}) {`, () => {
      this.inLoop(a.maxLen, null, () => {
        s.nums.push({ name: v, b: a.b, mutable: false, raw: a.raw });
        const e = this.unary(atom(v, a.b));
        this.emit(`${acc.name} += ${e.t};`);
        acc.b += s.reps * e.b;
        this.loopBody([acc]);
      });
    });
  }

  private whileLoop() {
    const c = this.c;
    this.use('while');
    const acc = this.accumulator();
    const k = this.fresh('k');
    const n = 2 + c.int(3);
    this.emit(`let ${k} = 0;`);
    const variant = c.int(3);
    if (variant === 0) {
      // The counter moves last; no `continue` (it would skip the increment).
      this.block(`while (${k} < ${n}) {`, () => {
        this.inLoop(n, { name: k, maxCount: n, over: null }, () => {
          this.update(acc);
          this.innerStatement([acc]);
        });
        this.emit(`${k}++;`);
      });
    } else if (variant === 1) {
      // The counter moves first, so `continue` is safe.
      this.block(`while (${k} < ${n}) {`, () => {
        this.emit(`${k} += 1;`);
        this.inLoop(n, { name: k, maxCount: n + 1, over: null }, () => this.loopBody([acc]));
      });
    } else {
      this.use('whileTrue');
      this.use('break');
      this.block('while (true) {', () => {
        this.emit(`${k}++;`);
        this.inLoop(n, { name: k, maxCount: n + 1, over: null }, () => {
          this.update(acc);
          this.innerStatement([acc]);
        });
        this.emit(`if (${k} >= ${n}) break;`);
      });
    }
  }

  private localArray() {
    const c = this.c;
    const s = this.s;
    const name = this.fresh('a');
    const params = s.arrs.filter((a) => a.maxLen > 0);
    const over = params.length > 0 && c.chance(50) ? c.pick(params) : null;
    const n = over ? over.maxLen : 2 + c.int(3);
    const lenText = over ? `${over.name}.length` : String(n);
    const arr: ArrVar = { name, len: over ? over.len : n, minLen: over ? over.minLen : n, maxLen: n, b: 0, raw: false, writable: true, typeText: 'number[]' };
    const fillLoop = (assign: (i: string, e: E) => string) => {
      const i = this.fresh('i');
      this.block(`for (let ${i} = 0; ${i} < ${name}.length; ${i}++) {`, () => {
        this.inLoop(n, { name: i, maxCount: n, over: over ? over.name : name }, () => {
          const e = this.cap(this.expr(2));
          this.emit(assign(i, e));
          arr.b = Math.max(arr.b, e.b);
        });
      });
      s.left--;
    };
    switch (c.int(6)) {
      case 0: {
        this.use('arrayLiteral');
        const els = Array.from({ length: Math.max(2, Math.min(n, 3)) }, () => this.cap(this.expr(2)));
        arr.len = arr.minLen = arr.maxLen = els.length;
        arr.b = Math.max(...els.map((e) => e.b));
        this.emit(`const ${name} = [${els.map((e) => e.t).join(', ')}];`);
        break;
      }
      case 1: {
        this.use('arrayFill');
        this.use('store');
        this.emit(`const ${name} = new Array(${lenText}).fill(0);`);
        fillLoop((i, e) => `${name}[${i}] = ${e.t};`);
        break;
      }
      case 2: {
        this.use('float64Array');
        this.use('store');
        this.emit(`const ${name} = new Float64Array(${lenText});`);
        fillLoop((i, e) => `${name}[${i}] += ${e.t};`);
        arr.typeText = 'Float64Array';
        break;
      }
      case 3: {
        this.use('push');
        this.emit(`const ${name}: number[] = [];`);
        const src = over ?? null;
        if (src) {
          const v = this.fresh('v');
          this.block(`for (const ${v} of ${src.name}) {`, () => {
            this.inLoop(n, null, () => {
              s.nums.push({ name: v, b: src.b, mutable: false, raw: src.raw });
              const e = this.cap(this.binary(atom(v, src.b), this.expr(1)));
              this.emit(`${name}.push(${e.t});`);
              arr.b = e.b;
            });
          });
        } else {
          const i = this.fresh('i');
          this.block(`for (let ${i} = 0; ${i} < ${n}; ${i}++) {`, () => {
            this.inLoop(n, { name: i, maxCount: n, over: null }, () => {
              const e = this.cap(this.expr(2));
              this.emit(`${name}.push(${e.t});`);
              arr.b = e.b;
            });
          });
        }
        s.left--;
        break;
      }
      case 4: {
        this.use('arrayFrom');
        const i = this.fresh('j');
        const e = this.cap(this.withIndex(i, n, over, () => this.expr(2)));
        this.emit(`const ${name} = Array.from({ length: ${lenText} }, (_, ${i}) => ${e.t});`);
        arr.b = e.b;
        break;
      }
      default: {
        if (!over) {
          this.use('arrayFill');
          const e = this.cap(this.expr(1));
          this.emit(`const ${name} = new Array(${n}).fill(${e.t});`);
          arr.b = e.b;
          break;
        }
        this.use('map');
        const v = this.fresh('v');
        const i = this.fresh('j');
        const e = this.cap(this.withIndex(i, n, over, () => {
          s.nums.push({ name: v, b: over.b, mutable: false, raw: over.raw });
          const r = this.binary(atom(v, over.b), this.expr(1));
          s.nums.pop();
          return r;
        }));
        // `map` over a Float64Array gives a Float64Array; either way it is a local array.
        this.emit(`const ${name} = ${over.name}.map((${v}, ${i}) => ${e.t});`);
        if (over.typeText === 'Float64Array') arr.typeText = 'Float64Array';
        arr.b = e.b;
      }
    }
    s.arrs.push(arr);
  }

  private withIndex(i: string, n: number, over: ArrVar | null, f: () => E): E {
    const s = this.s;
    s.loops.push({ name: i, maxCount: n, over: over ? over.name : null });
    try { return f(); } finally { s.loops.pop(); }
  }

  private elementWrite() {
    const c = this.c;
    const s = this.s;
    const locals = s.arrs.filter((a) => a.writable && a.minLen > 0);
    if (locals.length === 0) return this.localArray();
    this.use('store');
    const a = c.pick(locals);
    const k = c.int(a.minLen);
    const e = this.cap(this.expr(2));
    if (c.chance(50)) this.emit(`${a.name}[${k}] = ${e.t};`);
    else { this.use('compound'); this.emit(`${a.name}[${k}] += ${e.t};`); a.b += s.reps * e.b; }
    a.b = Math.max(a.b, e.b);
    if (a.b > BOUND_LIMIT * 10) {
      this.emit(`${a.name}[${k}] = Math.tanh(${a.name}[${k}]);`);
    }
  }

  private earlyReturn() {
    this.use('earlyReturn');
    this.block(`if (${this.cond()}) {`, () => {
      this.emit(`return ${this.returnValue()};`);
    });
  }

  private returnValue(): string {
    if (this.s.returns === 'vec2') return `[${this.expr(2).t}, ${this.expr(2).t}]`;
    return this.expr(2).t;
  }

  /** The final value: the latest variables, so the whole program feeds the output. */
  private finalValue(): E {
    const s = this.s;
    const c = this.c;
    const terms = s.nums.filter((v) => !v.raw).slice(-3).map((v) => this.cap(atom(v.name, v.b)));
    terms.push(this.expr(1));
    const arrs = s.arrs.filter((a) => !a.raw && a.minLen > 0);
    if (arrs.length > 0) {
      const a = arrs[arrs.length - 1];
      terms.push(this.cap(atom(`${a.name}[${c.int(a.minLen)}]`, a.b)));
    }
    const sum = compound(terms.map(p).join(' + '), terms.reduce((acc, e) => acc + e.b, 0));
    if (s.returns === 'vec2') {
      const second = this.expr(2);
      return compound(`[${sum.t}, ${second.t}]`, Math.max(sum.b, second.b));
    }
    return sum;
  }
}
