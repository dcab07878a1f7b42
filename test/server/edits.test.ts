// Unit tests of the server's text edits and formatting: no engine, no protocol.

import * as assert from 'node:assert/strict';
import { addJsDocTag, gradientCheckTest, insertAfter } from '../../server/edits';
import { formatNumber, formatPoint } from '../../server/format';
import { OffsetMapping } from '../../server/offsetMapping';
import { normalizeSettings, DEFAULT_SETTINGS } from '../../server/settings';
import { freeName, locateFunction, topLevelNames } from '../../server/sourceLocate';
import type { OffsetEdit } from '../../server/toLsp';
import { close, runTypeScript, strictTypeErrors } from './compileAndRun';

function apply(text: string, edits: OffsetEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

const ROSENBROCK = `/**
 * Rosenbrock's banana function.
 * @differentiable
 * @at x = 1.5, y = -0.25
 */
export function rosenbrock(x: number, y: number): number {
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
}
`;

describe('server edits', () => {
  it('adds a tag line to a multi-line JSDoc, before its closing line', () => {
    const fn = locateFunction(ROSENBROCK, 'rosenbrock')!;
    const out = apply(ROSENBROCK, [addJsDocTag(ROSENBROCK, fn, '@gradient rosenbrockGrad')]);
    assert.ok(out.includes(' * @at x = 1.5, y = -0.25\n * @gradient rosenbrockGrad\n */\nexport function rosenbrock('), out);
  });

  it('turns a one-line JSDoc into a block with the new tag', () => {
    const text = `  /** @differentiable */\n  const sq = (x: number): number => x * x;\n`;
    const fn = locateFunction(text, 'sq')!;
    const out = apply(text, [addJsDocTag(text, fn, '@gradient sqGrad')]);
    assert.equal(out, `  /**\n   * @differentiable\n   * @gradient sqGrad\n   */\n  const sq = (x: number): number => x * x;\n`);
  });

  it('creates a JSDoc where there is none, keeping indentation and export', () => {
    const text = `export function cube(x: number): number {\n  return x * x * x;\n}\n`;
    const fn = locateFunction(text, 'cube')!;
    const out = apply(text, [addJsDocTag(text, fn, '@differentiable')]);
    assert.equal(out, `/**\n * @differentiable\n */\nexport function cube(x: number): number {\n  return x * x * x;\n}\n`);
  });

  it('inserts after the function, after a trailing comment, and chooses free names', () => {
    const text = `function f(x: number): number {\n  return x;\n} // identity\nconst fGrad = 1;\n`;
    const fn = locateFunction(text, 'f')!;
    const out = apply(text, [insertAfter(text, fn, 'function g(): void {}\n')]);
    assert.equal(out, `function f(x: number): number {\n  return x;\n} // identity\n\nfunction g(): void {}\nconst fGrad = 1;\n`);
    assert.equal(freeName('fGrad', topLevelNames(text)), 'fGrad2');
    assert.equal(freeName('fJvp', topLevelNames(text)), 'fJvp');
  });

  it('writes a gradient-check test that compiles under --strict and catches a wrong gradient', () => {
    const text = `${ROSENBROCK}
export function rosenbrockGrad(x: number, y: number): [number, number] {
  return [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
}

export function wrongGrad(x: number, y: number): { x: number; y: number } {
  return { x: -2 * (1 - x) - 400 * x * (y - x * x), y: 100 * (y - x * x) };
}

/** Array and held-constant parameters. */
export function weighted(w: readonly number[], scale: number, v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += scale * w[i] * w[i] * v[i];
  return s;
}

export function weightedGrad(w: readonly number[], scale: number, v: Float64Array): { w: number[]; v: number[] } {
  return { w: w.map((wi, i) => 2 * scale * wi * v[i]), v: Array.from(v, (_, i) => scale * w[i] * w[i]) };
}
`;
    const point = { x: 1.5, y: -0.25 };
    const params = locateFunction(text, 'rosenbrock')!.params;
    const good = gradientCheckTest({ testName: 'checkGood', fnName: 'rosenbrock', gradName: 'rosenbrockGrad', params, wrt: ['x', 'y'], point })!;
    const bad = gradientCheckTest({ testName: 'checkBad', fnName: 'rosenbrock', gradName: 'wrongGrad', params, wrt: ['x', 'y'], point })!;
    const arrays = gradientCheckTest({
      testName: 'checkArrays', fnName: 'weighted', gradName: 'weightedGrad',
      params: locateFunction(text, 'weighted')!.params, wrt: ['w', 'v'],
      point: { w: [0.5, -1, 2], scale: 3, v: [1, 2, -0.5] },
    })!;
    const full = `${text}\n${good}\n\n${bad}\n\n${arrays}\n`;
    assert.deepEqual(strictTypeErrors(full), []);
    const fns = runTypeScript(full);
    assert.ok((fns.checkGood() as number) < 1e-6, `good: ${String(fns.checkGood())}`);
    assert.ok((fns.checkBad() as number) > 0.1, `bad: ${String(fns.checkBad())}`);
    assert.ok((fns.checkArrays() as number) < 1e-6, `arrays: ${String(fns.checkArrays())}`);
  });

  it('a gradient-check test never shadows the function, its gradient or a parameter (a function f with parameters d, h, base)', () => {
    const text = `export function f(d: number, h: number, base: number[]): number {
  return d * d * h + base[0] * base[1];
}

export function fGrad(d: number, h: number, base: number[]): [number, number, number[]] {
  return [2 * d * h, d * d, [base[1], base[0]]];
}
`;
    const test = gradientCheckTest({
      testName: 'checkF', fnName: 'f', gradName: 'fGrad', params: locateFunction(text, 'f')!.params, wrt: ['d', 'h', 'base'],
      point: { d: 1.5, h: -2, base: [0.5, 3] },
    })!;
    const full = `${text}\n${test}\n`;
    assert.deepEqual(strictTypeErrors(full), []);
    const fns = runTypeScript(full);
    assert.ok((fns.checkF() as number) < 1e-6, `f: ${String(fns.checkF())}`);
  });

  it('formats numbers to 6 significant digits', () => {
    assert.equal(formatNumber(625.25), '625.25');
    assert.equal(formatNumber(1 / 3), '0.333333');
    assert.equal(formatNumber(-1234567.89), '-1.23457e6');
    assert.equal(formatNumber(1.5e-9), '1.5e-9');
    assert.equal(formatNumber(0), '0');
    assert.equal(formatNumber(Number.NaN), 'NaN');
    assert.equal(formatPoint({ y: -0.25, x: 1.5, w: [1, 2] }, ['x', 'y']), 'x = 1.5, y = -0.25, w = [1, 2]');
    assert.ok(close(Number(formatNumber(Math.PI)), 3.14159, 0));
  });

  it('reads settings defensively, accepting the client\'s spellings', () => {
    const s = normalizeSettings({ rtol: 1e-4, atol: -1, randomPoints: 5, codeLens: { enabled: false }, debounceMs: 40, seed: 'x' });
    assert.equal(s.rtol, 1e-4);
    assert.equal(s.atol, DEFAULT_SETTINGS.atol);
    assert.equal(s.randomPoints, 5);
    assert.equal(s.codeLens, false);
    assert.equal(s.debounce, 40);
    assert.equal(s.seed, DEFAULT_SETTINGS.seed);
    assert.deepEqual(normalizeSettings(null), DEFAULT_SETTINGS);
  });

  it('maps offsets between the live text and the analysed one around the edited region', () => {
    const analysed = '// old\nfunction f() {}\nfunction g() {}\n';
    const live = '// old\nfunction f() {}\nfunction g(x: number) {}\n';
    const m = new OffsetMapping(live, analysed);
    assert.equal(m.toAnalysed(live.indexOf('f(')), analysed.indexOf('f('));
    assert.equal(m.toLive(analysed.indexOf('{}', analysed.indexOf('g('))), live.indexOf('{}', live.indexOf('g(')));
    assert.equal(m.toAnalysed(live.indexOf(': number')), null);
    assert.equal(m.toAnalysed(live.length), analysed.length);
    const shifted = new OffsetMapping(`// a new first line\n${analysed}`, analysed);
    assert.equal(shifted.toAnalysed(20 + analysed.indexOf('g(')), analysed.indexOf('g('));
    assert.ok(new OffsetMapping(live, live).identical);
  });
});
