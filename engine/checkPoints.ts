// Check points: the ones written in `@at`, or seeded random ones. A random point where the
// function is not finite (log of a negative, division by zero) is redrawn, so domain limits never
// raise false alarms; array lengths default to 4 unless a tuple type or the code fixes them.

import { numberAlgebra } from './algebra';
import { EvalError, Interpreter, Value } from './evaluate';
import { Expr, IrFunction, IrParam, Point, RecordLayout, Stmt } from './ir';
import { stringId } from './lower/types';
import { PointValue, setPointValue } from './pointGrammar';
import type { Program } from './program';
import { fieldTree, plural, viewAsRecord, type FieldTree } from './format';

/** mulberry32: small, fast, and the same sequence on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LENGTHS = [4, 3, 2, 5, 1, 6, 8, 10, 16, 32];

/** `count` random points at which `fn` evaluates to finite numbers (fewer if none can be found). */
export function randomPoints(program: Program, fn: IrFunction, count: number, seed: number, budget: number): Point[] {
  const rand = seededRandom(seed ^ hash(fn.name));
  const points: Point[] = [];
  let length = 0; // index into LENGTHS
  let attempts = 0;
  const integerUses = integerParams(fn);
  const tiedLengths = fn.params.filter((p) => p.type === 'arr' && p.tupleLength === undefined && p.defaultValue === undefined && !p.constant).length > 1;
  while (points.length < count && attempts < 60) {
    attempts++;
    // After a few failures, draw from the positive half-line (log, sqrt and friends).
    const positive = attempts > 12;
    const draw = () => {
      const u = positive ? 0.1 + 1.9 * rand() : -2 + 4 * rand();
      return Number(u.toPrecision(4));
    };
    const point: Point = {};
    for (const p of fn.params) {
      const use = integerUses.get(p.v);
      point[p.name] = (use ? drawInteger(use, fn, LENGTHS[length], rand) : drawParam(p, LENGTHS[length], draw)) as number | number[];
    }
    try {
      const v = new Interpreter(numberAlgebra, program, budget).run(fn, fn.params.map((p) => point[p.name] as Value<number>));
      const vals = Array.isArray(v) ? (v.flat(4) as number[]) : [v as number];
      if (vals.every((x) => typeof x === 'number' && Number.isFinite(x))) points.push(point);
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
      if (e.code === 'GL007' || e.code === 'GL002') return points;
      // Probably an array length the code does not accept: try the next one. With several arrays
      // their lengths may be tied (`pos` holds 2 numbers per row of `D`), which one shared length
      // cannot draw: a point at some other length would compare shapes the code never meets, so
      // such a function is not checked at random points (it needs an @at).
      if (/out of bounds/.test(e.message) && tiedLengths) return [];
      if (/out of bounds|length/.test(e.message) && !/not an integer/.test(e.message) && length < LENGTHS.length - 1) { length++; attempts--; }
    }
  }
  return points;
}

function drawParam(p: IrParam, length: number, draw: () => number): Value<number> {
  if (p.defaultValue !== undefined) return irConstant(p, p.defaultValue) as Value<number>;
  if (p.constant === 'bool') return false;
  if (p.constant === 'str') return stringId(p.choices?.[0] ?? '');
  if (p.constant === 'enum') return 0;
  const leaf = (kind: 'num' | 'bool' | 'str'): Value<number> => (kind === 'num' ? draw() : kind === 'bool' ? false : stringId(p.choices?.[0] ?? ''));
  if (p.type === 'num') return draw();
  const n = p.tupleLength ?? length;
  const build = (depth: number): Value<number> => {
    // The innermost arrays of a record-typed parameter are its fields.
    if (depth === 1 && p.record) {
      const fields = p.record.fields.map((f) => leaf(f.kind));
      viewAsRecord(fields, p.record.fields);
      return fields;
    }
    return Array.from({ length: n }, () => (depth > 1 ? build(depth - 1) : draw()));
  };
  return build(p.depth);
}

/**
 * How a number parameter is used as an integer: as an index (`p[label]`, `x[2 * k + 1]`, `i === label`)
 * or as a count (`i < n`, `new Array(n)`). Drawn as a real number it would index nothing or never
 * equal a loop index, so a correct gradient could be reported wrong: such parameters are drawn as
 * integers within the arrays they index.
 */
interface IntegerUse {
  kind: 'index' | 'count';
  /** Array parameters (variable ids) the parameter indexes, whose lengths bound it. */
  arrays: Set<number>;
}

function integerParams(fn: IrFunction): Map<number, IntegerUse> {
  const candidates = new Set(fn.params.filter((p) => p.type === 'num' && p.depth === 0 && !p.constant && p.defaultValue === undefined).map((p) => p.v));
  const uses = new Map<number, IntegerUse>();
  const mark = (v: number, kind: IntegerUse['kind'], array?: Expr) => {
    if (!candidates.has(v)) return;
    const use = uses.get(v) ?? { kind, arrays: new Set<number>() };
    if (kind === 'index') use.kind = 'index';
    if (array?.k === 'var') use.arrays.add(array.id);
    uses.set(v, use);
  };
  // The variables of an index computation: `k`, `2 * k + 1`, `n - 1 - k`.
  const indexVars = (e: Expr, out: number[]): number[] => {
    if (e.k === 'var') out.push(e.id);
    else if (e.k === 'neg') indexVars(e.x, out);
    else if (e.k === 'binary' && (e.op === '+' || e.op === '-' || e.op === '*')) { indexVars(e.a, out); indexVars(e.b, out); }
    return out;
  };
  const expr = (e: Expr): void => {
    switch (e.k) {
      case 'index': for (const v of indexVars(e.index, [])) mark(v, 'index', e.array); break;
      case 'compare':
        if ((e.op === '===' || e.op === '!==') && e.a.k !== 'const' && e.b.k !== 'const') {
          if (e.a.k === 'var') mark(e.a.id, 'index');
          if (e.b.k === 'var') mark(e.b.id, 'index');
        }
        break;
      case 'arrayFill': case 'arrayFrom': for (const v of indexVars(e.length, [])) mark(v, 'count'); break;
      default: break;
    }
    forEachChild(e, expr);
  };
  // `for (let i = 0; i < n; i++)`: the bound of a counter the loop's update steps is a count
  // (a tolerance in `while (err > tol)` is not).
  const loopBounds = (test: Expr, update: Stmt[]): void => {
    const counters = new Set(update.flatMap((u) => (u.k === 'assign' && u.value.k === 'binary' && (u.value.op === '+' || u.value.op === '-') && u.value.a.k === 'var' && u.value.a.id === u.v ? [u.v] : [])));
    const walk = (e: Expr): void => {
      if (e.k === 'logical') { walk(e.a); walk(e.b); return; }
      if (e.k !== 'compare' || e.op === '===' || e.op === '!==') return;
      if (e.a.k === 'var' && counters.has(e.a.id)) for (const v of indexVars(e.b, [])) mark(v, 'count');
      if (e.b.k === 'var' && counters.has(e.b.id)) for (const v of indexVars(e.a, [])) mark(v, 'count');
    };
    walk(test);
  };
  const stmts = (ss: Stmt[]): void => {
    for (const s of ss) {
      switch (s.k) {
        case 'let': expr(s.init); break;
        case 'assign': expr(s.value); break;
        case 'store':
          for (const v of indexVars(s.index, [])) mark(v, 'index', { k: 'var', id: s.array, range: s.range });
          expr(s.index); expr(s.value); break;
        case 'push': expr(s.value); break;
        case 'if': expr(s.test); stmts(s.then); stmts(s.else); break;
        case 'loop': if (s.test) { expr(s.test); loopBounds(s.test, s.update); } stmts(s.body); stmts(s.update); break;
        case 'return': expr(s.value); break;
        default: break;
      }
    }
  };
  stmts(fn.body);
  return uses;
}

function forEachChild(e: Expr, f: (c: Expr) => void): void {
  switch (e.k) {
    case 'neg': case 'not': f(e.x); break;
    case 'binary': case 'compare': case 'logical': f(e.a); f(e.b); break;
    case 'math': case 'call': e.args.forEach(f); break;
    case 'cond': f(e.test); f(e.then); f(e.else); break;
    case 'index': f(e.array); f(e.index); break;
    case 'length': f(e.array); break;
    case 'arrayLit': e.elements.forEach(f); break;
    case 'arrayFill': f(e.length); f(e.fill); break;
    case 'arrayFrom': f(e.length); f(e.body); break;
    default: break;
  }
}

/** An index in [0, n - 1], or a count in [1, n], for the shortest array it indexes (drawn at `length`). */
function drawInteger(use: IntegerUse, fn: IrFunction, length: number, rand: () => number): number {
  let n = length;
  for (const a of use.arrays) {
    const p = fn.params.find((q) => q.v === a);
    if (p?.tupleLength !== undefined) n = Math.min(n, p.tupleLength);
  }
  return use.kind === 'index' ? Math.floor(rand() * n) : 1 + Math.floor(rand() * n);
}

/** A default value (a number, boolean or string) as the IR holds it. */
function irConstant(p: IrParam, v: number | boolean | string | number[]): number | boolean | number[] {
  return typeof v === 'string' ? stringId(v) : Array.isArray(v) ? [...v] : v;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Checks a written `@at` point against the parameters: an error message, or null when it fits.
 * A point that fits is put in the IR's form in place: a record becomes the array of its fields
 * (lower/types.ts), a string its id, and a parameter left out takes its default value.
 */
export function validatePoint(fn: IrFunction, point: Point): string | null {
  for (const name of Object.keys(point)) {
    if (!fn.params.some((p) => p.name === name)) return `'${name}' is not a parameter of '${fn.name}' (parameters: ${fn.params.map((p) => p.name).join(', ')})`;
  }
  const converted: [string, unknown][] = [];
  for (const p of fn.params) {
    const raw = point[p.name] as unknown;
    if (raw === undefined && p.defaultValue !== undefined) { converted.push([p.name, irConstant(p, p.defaultValue)]); continue; }
    if (raw === undefined) return `no value for '${p.name}'; an @at point gives every parameter a value`;
    const v = irValue(p, raw);
    if (typeof v === 'string') return v;
    converted.push([p.name, v.value]);
  }
  for (const [name, v] of converted) setPointValue(point, name, v as PointValue);
  return null;
}

/** One parameter's written value in the IR's form, or what is wrong with it. */
function irValue(p: IrParam, v: unknown): { value: unknown } | string {
  const kind = (x: unknown): string => (Array.isArray(x) ? 'an array' : typeof x === 'object' && x !== null ? 'a record' : typeof x === 'string' ? 'a string' : typeof x === 'boolean' ? 'a boolean' : 'a number');
  if (p.constant === 'bool') return typeof v === 'boolean' ? { value: v } : `'${p.name}' is a boolean; write true or false (the value given is ${kind(v)})`;
  if (p.constant === 'str') {
    if (typeof v === 'string') return { value: stringId(v) };
    // Already in the IR's form (a point checked before).
    return typeof v === 'number' && Number.isInteger(v - 0.5) ? { value: v } : `'${p.name}' is a string; write it in quotes: ${p.name} = "${p.choices?.[0] ?? 'value'}"`;
  }
  // A boolean for a number: a derivative flag (engine/check/conventions.ts) is a number 0 or 1.
  if (p.type === 'num' && p.depth === 0 && typeof v === 'boolean') return { value: v ? 1 : 0 };
  if (p.type === 'num') return typeof v === 'number' ? { value: v } : `'${p.name}' is a number, but the value given is ${kind(v)}`;
  const rec = p.record;
  // (a path is built only for a message: an @at point may hold many thousand numbers)
  const at = (path: () => string) => `'${p.name}${path()}'`;
  const walk = (x: unknown, depth: number, path: () => string): { value: unknown } | string => {
    if (depth === 1 && rec) {
      if (Array.isArray(x)) {
        // Already in the IR's form (a point checked before, or a random one).
        if (x.length === rec.fields.length && x.every((y, i) => (rec.fields[i].kind === 'bool' ? typeof y === 'boolean' : typeof y === 'number'))) return { value: x };
        return `${at(path)} is a record${rec.name ? ` (${rec.name})` : ''}; write it as ${recordExample(rec)}`;
      }
      if (typeof x !== 'object' || x === null) return `${at(path)} is a record${rec.name ? ` (${rec.name})` : ''}; write it as ${recordExample(rec)}`;
      const leaves = new Map<string, unknown>();
      const flat = (o: object, prefix: string) => {
        for (const [k, y] of Object.entries(o)) {
          if (typeof y === 'object' && y !== null && !Array.isArray(y)) flat(y, `${prefix}${k}.`);
          else leaves.set(prefix + k, y);
        }
      };
      flat(x, '');
      for (const key of leaves.keys()) {
        if (!rec.fields.some((f) => f.path === key)) return `'${key}' is not a field of ${at(path)} (fields: ${rec.fields.map((f) => f.path).join(', ')})`;
      }
      const out: unknown[] = [];
      for (const f of rec.fields) {
        const y = leaves.get(f.path);
        if (y === undefined) return `no value for the field '${f.path}' of ${at(path)}`;
        if (f.kind === 'num' && typeof y !== 'number') return `the field '${f.path}' of ${at(path)} is a number, but the value given is ${kind(y)}`;
        if (f.kind === 'bool' && typeof y !== 'boolean') return `the field '${f.path}' of ${at(path)} is a boolean, but the value given is ${kind(y)}`;
        if (f.kind === 'str' && typeof y !== 'string' && typeof y !== 'number') return `the field '${f.path}' of ${at(path)} is a string, but the value given is ${kind(y)}`;
        out.push(typeof y === 'string' ? stringId(y) : y);
      }
      viewAsRecord(out, rec.fields);
      return { value: out };
    }
    if (depth === 0) return typeof x === 'number' ? { value: x } : `${at(path)} is a number, but the value given is ${kind(x)}`;
    if (!Array.isArray(x)) {
      const what = depth > 1 ? `an array of ${rec ? 'records' : 'arrays'}` : 'an array';
      return `${at(path)} is ${what}; write it as ${depth > 1 ? (rec ? `[${recordExample(rec)}, …]` : '[[1, 2], [3, 4]]') : '[1, 2, 3]'}`;
    }
    if (depth === 1 && p.tupleLength !== undefined && x.length !== p.tupleLength) return `'${p.name}' is a tuple of ${plural(p.tupleLength, 'number')}, but ${x.length} ${x.length === 1 ? 'is' : 'are'} given`;
    if (depth === 1 && !rec) {
      // numbers only: the array as it is (a copy), without a step per element
      let k = 0;
      while (k < x.length && typeof x[k] === 'number') k++;
      if (k === x.length) return { value: x.slice() };
    }
    const out: unknown[] = [];
    for (let i = 0; i < x.length; i++) {
      const y = walk(x[i], depth - 1, () => `${path()}[${i}]`);
      if (typeof y === 'string') return y;
      out.push(y.value);
    }
    return { value: out };
  };
  return walk(v, p.depth, () => '');
}

/** `{ x: 1, y: 2 }` for a layout (nested fields nested). */
function recordExample(rec: RecordLayout): string {
  const example = (k: number) => (rec.fields[k].kind === 'num' ? '0' : rec.fields[k].kind === 'bool' ? 'false' : '"…"');
  const show = (t: FieldTree): string => `{ ${[...t].map(([key, v]) => `${key}: ${typeof v === 'number' ? example(v) : show(v)}`).join(', ')} }`;
  return show(fieldTree(rec.fields));
}
