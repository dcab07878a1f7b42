// Incremental analysis (SPEC §4): with an AnalysisCache, an edit re-analyses only the functions
// it touches, re-parses incrementally, and the result is exactly what a fresh analysis gives.

import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyzeFile, AnalysisCache } from '../../engine/index';
import { editsAgreeWithFresh } from './editSequences';

const FILE = `
/**
 * @differentiable
 * @at x = 1.5, y = -0.25
 */
export function rosen(x: number, y: number): number {
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
}

export function rosenGrad(x: number, y: number): [number, number] {
  return [-2 * (1 - x) - 400 * x * (y - x * x), -200 * (y - x * x)];
}

function sq(u: number): number {
  return u * u;
}

/** @differentiable
 * @at w = [1, 2, 3] */
function norm(w: number[]): number {
  let s = 0;
  for (const v of w) s += sq(v);
  return Math.sqrt(s);
}

/** @differentiable */
const soft = (x: number): number => Math.log1p(Math.exp(x));
const softGrad = (x: number): number => 1 / (1 + Math.exp(-x));
`;

describe('engine: incremental analysis', () => {
  it('an edit inside one function re-analyses only it (and its callers)', () => {
    const cache = new AnalysisCache();
    analyzeFile(FILE, {}, cache);
    assert.equal(cache.misses, 3);
    const edited = FILE.replace('return u * u;', 'return u * u * 1;');
    const r = analyzeFile(edited, {}, cache);
    // sq changed: norm (its caller) is re-analysed; rosen and soft come from the cache, moved.
    assert.equal(cache.misses, 4);
    assert.equal(cache.hits, 2);
    assert.deepEqual(r, analyzeFile(edited));
  });

  it('cached results are moved with their function when text above them changes', () => {
    const cache = new AnalysisCache();
    analyzeFile(FILE, {}, cache);
    const edited = '// a new first line\n' + FILE;
    const r = analyzeFile(edited, {}, cache);
    assert.equal(cache.hits, 3);
    assert.deepEqual(r, analyzeFile(edited));
    const d = r.diagnostics.find((x) => x.code === 'GL001')!;
    assert.equal(edited.slice(d.range.start, d.range.end), '-200 * (y - x * x)');
  });

  it('random edits: the cached, incrementally parsed result equals a fresh analysis', () => {
    const edit = fc.record({ at: fc.nat(), del: fc.nat({ max: 6 }), ins: fc.constantFrom('', 'x', ' ', '1', ';', '(', '}', '\n', '* 2', 'const q = 1;\n') });
    fc.assert(fc.property(fc.array(edit, { minLength: 1, maxLength: 12 }), (edits) => { editsAgreeWithFresh(FILE, edits); }), { numRuns: 40, seed: 7 });
  });
});

describe('engine: incremental analysis with several hand-written derivatives', () => {
  it('an edit to the second @gradient (or a @partial) misses the cache and is re-checked', () => {
    const text = `/**
 * @differentiable
 * @at x = 1.5, y = -0.25
 * @gradient g1
 * @gradient g2
 * @partial y dy
 */
export function f(x: number, y: number): number {
  return x * x * y;
}
export function g1(x: number, y: number): [number, number] {
  return [2 * x * y, x * x];
}
export function g2(x: number, y: number) {
  return { x: 2 * x * y, y: x * x };
}
export function dy(x: number, y: number): number {
  return x * x;
}
`;
    const cache = new AnalysisCache();
    const statusOf = (t: string) => {
      const fa = analyzeFile(t, {}, cache).functions[0];
      return (fa.checks ?? [fa.check]).map((c) => `${c!.name}:${c!.status}`).join(' ');
    };
    assert.equal(statusOf(text), 'g1:ok g2:ok dy:ok');
    const wrongG2 = text.replace('{ x: 2 * x * y, y: x * x }', '{ x: 2 * x * y, y: 3 * x * x }');
    assert.match(statusOf(wrongG2), /g2:wrong/);
    const wrongDy = text.replace('  return x * x;\n}\n', '  return 2 * x * x;\n}\n');
    assert.notEqual(wrongDy, text);
    assert.match(statusOf(wrongDy), /dy:wrong/);
    // The same texts from scratch give the same answers.
    assert.match(analyzeFile(wrongG2).functions[0].checks!.map((c) => `${c.name}:${c.status}`).join(' '), /g2:wrong/);
  });
});
