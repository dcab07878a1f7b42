// The flag-fused convention (`act(x, derivative)` returns f with the flag false and f′ with it
// true; README "Hand-written derivatives in the shapes real code uses"), in JavaScript and
// TypeScript alike: the function's own value and its AD are the flag-off branch whatever the
// flag's type (TypeScript `boolean`, JSDoc `@param {boolean}`, a `= false` default, none) and
// whatever `@at` says of the flag (left out, false, true). A right derivative gets no GL001 or
// GL008; a wrong one is a GL001 on the derivative branch's component, in the convention's words.

import * as assert from 'node:assert/strict';
import { analyzeFile } from '../../engine';
import type { EngineDiagnostic, FunctionAnalysis } from '../../engine/api';

/** The derivative branch: right (bent′(x) = x / (2·√(x²+1)) + 1) or wrong (the `+ 1` missing). */
const RIGHT = 'x / (2 * d) + 1';
const WRONG = 'x / (2 * d)';

interface Form { label: string; params: string; docParams: string; local: string }

/** How real code writes the flag-fused function's signature. */
const FORMS: Form[] = [
  { label: 'JavaScript, JSDoc {boolean}', params: 'x, derivate', docParams: ' * @param {number} x\n * @param {boolean} derivate\n', local: 'var' },
  { label: 'JavaScript, untyped flag', params: 'x, derivate', docParams: '', local: 'var' },
  { label: 'JavaScript, default false', params: 'x, derivate = false', docParams: ' * @param {number} x\n', local: 'var' },
  { label: 'TypeScript, boolean', params: 'x: number, derivate: boolean', docParams: '', local: 'const' },
  { label: 'TypeScript, optional boolean', params: 'x: number, derivate?: boolean', docParams: '', local: 'const' },
  { label: 'TypeScript, boolean = false', params: 'x: number, derivate: boolean = false', docParams: '', local: 'const' },
];

/** `@at` lines: none (random points), the flag left out, false, true. */
const ATS: { label: string; at: string | null }[] = [
  { label: 'no @at', at: null },
  { label: '@at without the flag', at: 'x = 1.564' },
  { label: '@at derivate = false', at: 'x = 1.564, derivate = false' },
  { label: '@at derivate = true', at: 'x = 1.564, derivate = true' },
];

function source(form: Form, at: string | null, derivative: string): string {
  return `/**
 * @differentiable
${form.docParams} * @gradient bent flag derivate
${at ? ` * @at ${at}\n` : ''} */
function bent(${form.params}) {
  ${form.local} d = Math.sqrt(Math.pow(x, 2) + 1);
  if (derivate)
    return ${derivative};
  return (d - 1) / 2 + x;
}
`;
}

function analyse(text: string): FunctionAnalysis {
  const fn = analyzeFile(text, { seed: 7 }).functions.find((f) => f.name === 'bent');
  assert.ok(fn, 'bent is analysed');
  return fn;
}

const codes = (ds: EngineDiagnostic[]) => ds.map((d) => d.code);

describe('flag-fused convention: JavaScript and TypeScript, flag left out, false or true in @at', () => {
  for (const form of FORMS) {
    for (const { label, at } of ATS) {
      const flagIsTrue = at?.includes('derivate = true') ?? false;

      it(`${form.label}, ${label}: a right derivative has no GL001 or GL008`, () => {
        const fn = analyse(source(form, at, RIGHT));
        const cs = codes(fn.diagnostics);
        assert.ok(!cs.includes('GL001') && !cs.includes('GL008'), fn.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
        const check = (fn.checks ?? []).find((c) => c.name === 'bent');
        assert.equal(check?.status, 'ok', JSON.stringify(check?.status));
        // Every point runs the function with its flag off.
        for (const p of fn.points) assert.equal(p.derivate, 0);
        // Only a flag given as true is reported, as set by the check.
        assert.deepEqual(cs.filter((c) => c === 'GL005'), flagIsTrue ? ['GL005'] : [], fn.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
      });

      it(`${form.label}, ${label}: a wrong derivative is a GL001 on x, in the convention's words`, () => {
        const text = source(form, at, WRONG);
        const fn = analyse(text);
        const cs = codes(fn.diagnostics);
        assert.ok(!cs.includes('GL008'), fn.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
        const gl001 = fn.diagnostics.filter((d) => d.code === 'GL001');
        assert.equal(gl001.length, 1, fn.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
        assert.match(gl001[0].message, /^`bent\(x, true\)` should return bent′\(x\) = /);
        // On the derivative branch's return value.
        assert.equal(text.slice(gl001[0].range.start, gl001[0].range.end), WRONG);
        const check = (fn.checks ?? []).find((c) => c.name === 'bent');
        assert.equal(check?.status, 'wrong');
        const comps = check!.points.flatMap((p) => p.components.filter((c) => c.verdict === 'wrong').map((c) => c.label));
        assert.ok(comps.length > 0 && comps.every((c) => c === 'x'), JSON.stringify(comps));
        // The AD is f′ (the flag-off branch's derivative), as finite differences say.
        for (const p of check!.points) for (const c of p.components) assert.ok(Math.abs(c.ad - c.fd) <= 1e-6 * Math.max(1, Math.abs(c.fd)), `AD ${c.ad} FD ${c.fd}`);
      });
    }
  }

  it('a flag given as true in @at is a GL005 on the @at, saying the check sets it', () => {
    const text = source(FORMS[3], 'x = 1.564, derivate = true', RIGHT);
    const d = analyse(text).diagnostics.find((x) => x.code === 'GL005');
    assert.ok(d);
    assert.match(d.message, /'derivate' is the derivative flag of 'bent'; the check sets it/);
    assert.ok(text.slice(d.range.start, d.range.end).includes('derivate = true'));
  });

  it('a flag left out of @at in JavaScript is no "boolean … the value given is a number" error', () => {
    const fn = analyse(source(FORMS[0], 'x = 1.564', WRONG));
    assert.ok(!fn.diagnostics.some((d) => /is a boolean/.test(d.message)), fn.diagnostics.map((d) => d.message).join('\n'));
    assert.deepEqual(fn.points, [{ x: 1.564, derivate: 0 }]);
  });
});
