// Check points: the ones written in `@at`, or seeded random ones. A random point where the
// function is not finite (log of a negative, division by zero) is redrawn, so domain limits never
// raise false alarms; array lengths default to 4 unless a tuple type or the code fixes them.

import { numberAlgebra } from './algebra';
import { EvalError, Interpreter, Value } from './evaluate';
import { IrFunction, IrParam, Point } from './ir';
import type { Program } from './program';
import { plural } from './format';

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
  while (points.length < count && attempts < 60) {
    attempts++;
    // After a few failures, draw from the positive half-line (log, sqrt and friends).
    const positive = attempts > 12;
    const draw = () => {
      const u = positive ? 0.1 + 1.9 * rand() : -2 + 4 * rand();
      return Number(u.toPrecision(4));
    };
    const point: Point = {};
    for (const p of fn.params) point[p.name] = drawParam(p, LENGTHS[length], draw) as number | number[];
    try {
      const v = new Interpreter(numberAlgebra, program, budget).run(fn, fn.params.map((p) => point[p.name] as Value<number>));
      const vals = Array.isArray(v) ? (v.flat(4) as number[]) : [v as number];
      if (vals.every((x) => typeof x === 'number' && Number.isFinite(x))) points.push(point);
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
      if (e.code === 'GL007' || e.code === 'GL002') return points;
      // Probably an array length the code does not accept: try the next one.
      if (/out of bounds|length/.test(e.message) && length < LENGTHS.length - 1) { length++; attempts--; }
    }
  }
  return points;
}

function drawParam(p: IrParam, length: number, draw: () => number): Value<number> {
  if (p.type === 'num') return draw();
  const n = p.tupleLength ?? length;
  const build = (depth: number): Value<number> => Array.from({ length: n }, () => (depth > 1 ? build(depth - 1) : draw()));
  return build(p.depth);
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Checks a written `@at` point against the parameters: an error message, or null when it fits. */
export function validatePoint(fn: IrFunction, point: Point): string | null {
  for (const name of Object.keys(point)) {
    if (!fn.params.some((p) => p.name === name)) return `'${name}' is not a parameter of '${fn.name}' (parameters: ${fn.params.map((p) => p.name).join(', ')})`;
  }
  for (const p of fn.params) {
    const v = point[p.name];
    if (v === undefined) return `no value for '${p.name}'; an @at point gives every parameter a value`;
    if (p.type === 'num' && typeof v !== 'number') return `'${p.name}' is a number, but the value given is an array`;
    if (p.type === 'arr' && !Array.isArray(v)) return `'${p.name}' is an array; write it as [1, 2, 3]`;
    if (p.type === 'arr' && p.depth > 1) return `'${p.name}' is an array of arrays, which @at cannot write yet; leave the point to random draws`;
    if (p.tupleLength !== undefined && Array.isArray(v) && v.length !== p.tupleLength) return `'${p.name}' is a tuple of ${plural(p.tupleLength, 'number')}, but ${v.length} ${v.length === 1 ? 'is' : 'are'} given`;
  }
  return null;
}
