// The one grammar of a check point, shared by the `@at` tag (engine/annotations.ts), the CLI's
// `--at` flag (cli/args.ts) and the graph view's point picker (client/webview/main.ts):
//
//   point  := entry ((',' | ';') entry)*
//   entry  := name ('=' | ':') value            name: an identifier (`constructor`, `__proto__` too), or `this.k`
//   value  := number | '[' (number (',' number)*)? ']'
//   number := atom (('*' | '/') atom)?           one product or quotient: `Math.PI / 2`, `2 * π`
//   atom   := ('+' | '-')* (literal | 'Math.PI' | 'Math.E' | 'π' | 'Infinity')
//
// Blanks (newlines included) are allowed between tokens. Parsing is linear in the text: tokens are
// read at a cursor (plain decimal numbers and ASCII blanks by character codes, as large `@at` data
// is mostly those; the rest with sticky regular expressions), nothing but a number's own digits is
// sliced, and an error message quotes at most a few characters of the text. Dependency-free (the
// webview bundles it).

import type { Point } from './ir';

/** A value of a check point: a number, an array, a record, or a constant (a boolean or a string). */
export type PointValue = number | boolean | string | PointValue[] | { [field: string]: PointValue };

export type PointParse =
  | { ok: true; point: Point }
  /** `message` names what is wrong (`the value of 'x' is not a number: 'abc'`); `offset` is where. */
  | { ok: false; message: string; offset: number };

export type ValueParse = { ok: true; value: PointValue } | { ok: false; message: string; offset: number };

/** Parses `x = 1.5, y = -0.25, w = [0.1, -2, 3]`, `p = { x: 1, y: 2 }, M = [[1, 0], [0, 1]], mode = "call"`. */
export function readPoint(src: string): PointParse {
  return new PointParser(src).point();
}

/** The point, or the grammar's error message (the form engine/annotations.ts has always used). */
export function parsePoint(src: string): Point | string {
  const r = readPoint(src);
  return r.ok ? r.point : r.message;
}

/**
 * One parameter's value as typed on its own (the point picker's field for `name`): a number, or an
 * array in brackets. `array`: the parameter is an array, so brackets may be left out (`1, 2, 3`).
 */
export function readPointValue(src: string, name: string, array = false): ValueParse {
  const p = new PointParser(src, array && !/^\s*\[/.test(src));
  return p.soleValue(name);
}

/** Sets `point[name]` as an own property, also for a parameter called `constructor` or `__proto__`. */
export function setPointValue(point: Point | { [field: string]: PointValue }, name: string, value: PointValue | unknown): void {
  Object.defineProperty(point, name, { value, enumerable: true, writable: true, configurable: true });
}

/** A parameter, or a field a method reads (`this.k`, engine/declarationForms.ts). */
const NAME_RE = /(?:this\.)?[A-Za-z_$][\w$]*/y;
const BOOLEAN_RE = /(?:true|false)(?![\w$.])/y;
const STRING_RE = /"([^"\n\r]*)"|'([^'\n\r]*)'/y;
/** How deeply arrays and records nest in a value (the parser recurses). */
const MAX_NESTING = 8;
/** A number token, not followed by more of a name or a number (`Math.EPSILON`, `1x`, `1.2.3` are not numbers). */
const NUMBER_RE = /(?:Math\.PI|Math\.E|\u03c0|Infinity|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)(?![\w$.])/y;
const BLANK_RE = /\s*/y;
/** 10^0 … 10^22, each exact in a double. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** How many characters of the text an error message quotes. */
const QUOTE = 16;
const QUOTE_NAME = 40;

/** A parameter name as a message quotes it: at most QUOTE_NAME characters. */
function named(name: string): string {
  return `'${name.length > QUOTE_NAME ? `${name.slice(0, QUOTE_NAME)}…` : name}'`;
}

type Step<T> = { v: T } | { error: string; at: number };

class PointParser {
  private i = 0;

  /** `bare`: the text is an array's elements without their brackets (see readPointValue). */
  constructor(private readonly s: string, private readonly bare = false) {}

  point(): PointParse {
    const point: Point = {};
    this.ws();
    if (this.i >= this.s.length) return this.fail('empty point: no values given', this.i);
    for (;;) {
      this.ws();
      const at = this.i;
      const name = this.match(NAME_RE);
      if (!name) return this.fail(`expected name=value at ${this.quote(at)}`, at);
      this.i += name[0].length;
      this.ws();
      if (this.s[this.i] !== '=' && this.s[this.i] !== ':') return this.fail(`expected '=' after ${named(name[0])}`, this.i);
      this.i++;
      const v = this.value(name[0]);
      if ('error' in v) return this.fail(v.error, v.at);
      if (Object.hasOwn(point, name[0])) return this.fail(`${named(name[0])} is given twice`, at);
      setPointValue(point, name[0], v.v);
      this.ws();
      if (this.i >= this.s.length) return { ok: true, point };
      const c = this.s[this.i];
      if (c === ']') return this.fail(`unbalanced brackets: a ']' without its '['`, this.i);
      if (c === '}') return this.fail(`unbalanced braces: a '}' without its '{'`, this.i);
      if (c !== ',' && c !== ';') return this.fail(`expected ',' at ${this.quote(this.i)}`, this.i);
      this.i++;
    }
  }

  soleValue(name: string): ValueParse {
    const v = this.bare ? this.elements(name, this.i) : this.value(name);
    if ('error' in v) return { ok: false, message: v.error, offset: v.at };
    this.ws();
    if (this.i < this.s.length) return { ok: false, message: `the value of ${named(name)} is not a number: ${this.quote(0)}`, offset: this.i };
    return { ok: true, value: v.v };
  }

  private depth = 0;

  private value(name: string): Step<PointValue> {
    this.ws();
    const start = this.i;
    const c = this.s[this.i];
    if (c === '[' || c === '{') {
      if (this.depth >= MAX_NESTING) return { error: `the value of ${named(name)} nests more than ${MAX_NESTING} levels deep`, at: start };
      this.i++;
      this.depth++;
      try { return c === '[' ? this.elements(name, start) : this.record(name, start); } finally { this.depth--; }
    }
    const b = this.match(BOOLEAN_RE);
    if (b) { this.i += b[0].length; return { v: b[0] === 'true' }; }
    const q = this.match(STRING_RE);
    if (q) { this.i += q[0].length; return { v: q[1] ?? q[2] }; }
    if (c === '"' || c === "'") return { error: `unbalanced quotes: the string in the value of ${named(name)} is not closed on its line`, at: start };
    const n = this.number();
    if (n === null) return { error: `the value of ${named(name)} is not a number: ${this.quote(start, true)}`, at: start };
    return { v: n };
  }

  /** The fields of a record, after its `{` (at `open`), through its `}`. */
  private record(name: string, open: number): Step<{ [field: string]: PointValue }> {
    const rec: { [field: string]: PointValue } = {};
    this.ws();
    if (this.s[this.i] === '}') { this.i++; return { v: rec }; }
    for (;;) {
      this.ws();
      const at = this.i;
      if (this.i >= this.s.length) return { error: `unbalanced braces: the '{' of ${named(name)} is not closed`, at: open };
      const field = this.match(NAME_RE);
      if (!field) return { error: `expected a field name in the value of ${named(name)} at ${this.quote(at)}`, at };
      this.i += field[0].length;
      this.ws();
      if (this.s[this.i] !== ':') return { error: `expected ':' after the field ${named(field[0])} of ${named(name)}`, at: this.i };
      this.i++;
      const v = this.value(`${name}.${field[0]}`);
      if ('error' in v) return v;
      if (Object.hasOwn(rec, field[0])) return { error: `the field ${named(field[0])} of ${named(name)} is given twice`, at };
      setPointValue(rec, field[0], v.v);
      this.ws();
      if (this.s[this.i] === '}') { this.i++; return { v: rec }; }
      if (this.i >= this.s.length) return { error: `unbalanced braces: the '{' of ${named(name)} is not closed`, at: open };
      if (this.s[this.i] !== ',' && this.s[this.i] !== ';') return { error: `expected ',' or '}' in the value of ${named(name)} at ${this.quote(this.i)}`, at: this.i };
      this.i++;
    }
  }

  /** The elements of an array, after its `[` (at `open`), through its `]` (or the end, when bare). */
  private elements(name: string, open: number): Step<PointValue[]> {
    const xs: PointValue[] = [];
    const closed = (): boolean => {
      if (this.bare ? this.i >= this.s.length : this.s[this.i] === ']') { if (!this.bare) this.i++; return true; }
      return false;
    };
    this.ws();
    if (closed()) return { v: xs };
    for (;;) {
      this.ws();
      const start = this.i;
      if (this.i >= this.s.length && !this.bare) return { error: `unbalanced brackets: the '[' of ${named(name)} is not closed`, at: open };
      const plain = this.plainNumber();
      if (plain !== null) {
        xs.push(plain);
        // (the common case of large data: `, ` and the next number, or the `]`)
        const code = this.s.charCodeAt(this.i);
        if (code === 44 /* , */) { this.i++; continue; }
        if (code === 93 /* ] */ && !this.bare) { this.i++; return { v: xs }; }
        this.ws();
        if (closed()) return { v: xs };
        if (this.i >= this.s.length) return { error: `unbalanced brackets: the '[' of ${named(name)} is not closed`, at: open };
        if (this.s[this.i] !== ',') return { error: `expected ',' or ']' in the value of ${named(name)} at ${this.quote(this.i)}`, at: this.i };
        this.i++;
        continue;
      }
      const c = this.s[this.i];
      if (c === '[' || c === '{' || c === '"' || c === "'" || this.match(BOOLEAN_RE)) {
        const v = this.value(name);
        if ('error' in v) return v;
        xs.push(v.v);
      } else {
        const n = this.number();
        if (n === null) return { error: `${this.quote(start, true)} in the value of ${named(name)} is not a number`, at: start };
        xs.push(n);
      }
      this.ws();
      if (closed()) return { v: xs };
      if (this.i >= this.s.length) return { error: `unbalanced brackets: the '[' of ${named(name)} is not closed`, at: open };
      if (this.s[this.i] !== ',') return { error: `expected ',' or ']' in the value of ${named(name)} at ${this.quote(this.i)}`, at: this.i };
      this.i++;
    }
  }

  /** A number: an atom, or one product or quotient of two. */
  private number(): number | null {
    const a = this.atom();
    if (a === null) return null;
    const save = this.i;
    this.ws();
    const op = this.s[this.i];
    if (op !== '*' && op !== '/') { this.i = save; return a; }
    this.i++;
    const b = this.atom();
    if (b === null) return null;
    return op === '*' ? a * b : a / b;
  }

  /**
   * An element that is a plain decimal literal (`-0.25`, `3`, `1e-3`) followed by a blank, `,`,
   * `]` or the end, read by character codes; null (the cursor unmoved) for anything else, which
   * the grammar's general path reads (`Math.PI / 2`, `+ 1`, a nested value, an error).
   */
  private plainNumber(): number | null {
    const s = this.s;
    const start = this.i;
    let j = start;
    let code = s.charCodeAt(j);
    const negative = code === 45; /* - */
    if (negative) code = s.charCodeAt(++j);
    // the digits as an integer `mantissa` and the count after the point (exact while under 2^53)
    let mantissa = 0;
    let digitCount = 0;
    let fractionDigits = 0;
    const digits = j;
    while (code >= 48 && code <= 57) { mantissa = mantissa * 10 + (code - 48); digitCount++; code = s.charCodeAt(++j); }
    let any = j > digits;
    if (code === 46 /* . */) {
      code = s.charCodeAt(++j);
      const frac = j;
      while (code >= 48 && code <= 57) { mantissa = mantissa * 10 + (code - 48); digitCount++; code = s.charCodeAt(++j); }
      fractionDigits = j - frac;
      any ||= j > frac;
    }
    if (!any) return null;
    let exact = digitCount <= 15 && fractionDigits <= 22;
    if (code === 101 || code === 69 /* e E */) {
      exact = false;
      code = s.charCodeAt(++j);
      if (code === 43 || code === 45) code = s.charCodeAt(++j);
      const exp = j;
      while (code >= 48 && code <= 57) code = s.charCodeAt(++j);
      if (j === exp) return null;
    }
    // what may follow a number here (NaN: the end of the text); after blanks, no `*` or `/` (a product)
    if (code === 32 || (code >= 9 && code <= 13)) {
      let k = j;
      while (code === 32 || (code >= 9 && code <= 13)) code = s.charCodeAt(++k);
      if (code === 42 || code === 47 || code >= 128) return null;
    } else if (!(code === 44 || code === 93 || Number.isNaN(code))) return null;
    this.i = j;
    // Clinger's fast path: an integer under 10^15 divided by an exact power of ten is correctly
    // rounded, as Number() would give it; longer literals and exponents go through Number()
    if (!exact) return Number(s.slice(start, j));
    const v = fractionDigits === 0 ? mantissa : mantissa / POWERS_OF_TEN[fractionDigits];
    return negative ? -v : v;
  }

  private atom(): number | null {
    this.ws();
    let sign = 1;
    while (this.s[this.i] === '-' || this.s[this.i] === '+') {
      if (this.s[this.i] === '-') sign = -sign;
      this.i++;
      this.ws();
    }
    const m = this.match(NUMBER_RE);
    if (!m) return null;
    this.i += m[0].length;
    const t = m[0];
    const v = t === 'Math.PI' || t === 'π' ? Math.PI : t === 'Math.E' ? Math.E : Number(t);
    return sign * v;
  }

  private fail(message: string, offset: number): PointParse {
    return { ok: false, message, offset };
  }

  /** A match of a sticky expression at the cursor (no slicing: parsing stays linear in the text). */
  private match(re: RegExp): RegExpExecArray | null {
    re.lastIndex = this.i;
    return re.exec(this.s);
  }

  private ws(): void {
    const s = this.s;
    let i = this.i;
    let code = s.charCodeAt(i);
    // ASCII blanks by their codes; anything else that may be a blank (U+00A0, U+2028…) by the expression
    while (code === 32 || (code >= 9 && code <= 13)) code = s.charCodeAt(++i);
    this.i = i;
    if (!(code >= 128)) return;
    BLANK_RE.lastIndex = this.i;
    BLANK_RE.exec(this.s);
    this.i = BLANK_RE.lastIndex;
  }

  /**
   * At most QUOTE characters of the text from `from`, quoted, for a message; `'end'` at its end.
   * `token`: only up to the next `,` `;` `[` `]` (the bad value itself), blanks trimmed.
   */
  private quote(from: number, token = false): string {
    let end = from;
    const limit = Math.min(this.s.length, from + QUOTE);
    while (end < limit && !(token && ',;[]{}'.includes(this.s[end]))) end++;
    const cut = end === limit && limit < this.s.length && !(token && ',;[]{}'.includes(this.s[end]));
    const text = this.s.slice(from, end).trim();
    if (text === '') return token ? "''" : 'end';
    return `'${text}${cut ? '…' : ''}'`;
  }
}
