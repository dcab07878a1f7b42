// Derivatives generated and fixed in the file's convention (issue 14): vector-Jacobian products
// (a function returning a number, and a vector-valued one), one function per scaled partial
// (option Greeks), and flag-fused activations. Each edit is computed as the worker computes it
// (server/codeEdits.ts computeEdits) on a `$0` fixture, applied, type-checked under --strict, run,
// and analysed again: the engine checks the new code OK in that convention.

import * as assert from 'node:assert/strict';
import { analyzeFile } from '../../engine';
import type { CodegenMode, FunctionAnalysis, GradientCheck } from '../../engine/api';
import { computeEdits } from '../../server/codeEdits';
import { locateFunctions } from '../../server/sourceLocate';
import type { OffsetEdit } from '../../server/toLsp';
import { close, flattenNumbers, runTypeScript, strictTypeErrors } from './compileAndRun';

function apply(text: string, edits: OffsetEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

function analysed(text: string, name: string): FunctionAnalysis {
  const fa = analyzeFile(text).functions.find((f) => f.name === name);
  assert.ok(fa, `the engine does not analyse ${name} in\n${text}`);
  return fa;
}

/** The diagnostics of `text` with these codes (GL001 wrong derivative, GL006 wrong shape). */
function codes(text: string, wanted: string[]): string[] {
  return analyzeFile(text).diagnostics.filter((d) => wanted.includes(String(d.code))).map((d) => `${d.code} ${d.message}`);
}

type Act = { action: 'insert'; mode: CodegenMode } | { action: 'fix' };

/** Runs the action on `fn` (the fixture's `$0` is only a marker and is removed) as the worker does. */
function act(fixture: string, a: Act, fn: string): { text: string; logs: string[] } {
  const text = fixture.replace('$0', '');
  const logs: string[] = [];
  const edits = computeEdits({ ...a, fn }, text, analysed(text, fn), (m) => logs.push(m));
  assert.ok(edits && edits.length > 0, `${JSON.stringify(a)} gave no edit for\n${text}\n${logs.join('\n')}`);
  const out = apply(text, edits);
  assert.deepEqual(strictTypeErrors(out), [], out);
  return { text: out, logs };
}

/** The check of `fn` by `handName`: it is OK, in words naming the convention; nothing wrong in the file. */
function checkedOk(text: string, fn: string, handName: string, description: RegExp): GradientCheck {
  const fa = analysed(text, fn);
  const check = (fa.checks ?? (fa.check ? [fa.check] : [])).find((c) => c.name === handName);
  assert.ok(check, `${fn} has no check of ${handName} in\n${text}`);
  assert.equal(check.status, 'ok', `${handName}: ${JSON.stringify(check)}\n${text}`);
  assert.match(check.description ?? '', description);
  assert.deepEqual(codes(text, ['GL001', 'GL006']), [], text);
  return check;
}

function bodyLines(text: string, name: string): string[] {
  const f = locateFunctions(text).find((l) => l.name === name);
  assert.ok(f?.body, `${name} missing from\n${text}`);
  return text.slice(f.body.start + 1, f.body.end - 1).split('\n').filter((l) => l.trim() !== '');
}

const SIGMOID_VJP = `/**
 * @differentiable
 * @at x = 0.3
 * @gradient sigmoidBackward vjp
 */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function sigmoidBackward(x: number, gOut: number): number {
  const s = sigmoid(x);
  return gOut * s * (1 - s);
}
`;

describe('vector-Jacobian products generated in the file\'s convention', () => {
  it('beside a VJP, a function of a number gets fBackward(x, gOut), tagged vjp, checked OK', () => {
    const fixture = `${SIGMOID_VJP}
/**
 * @differentiable
 * @at x = 0.4
 */
export function $0softplus(x: number): number {
  return Math.log(1 + Math.exp(x));
}
`;
    const { text } = act(fixture, { action: 'insert', mode: 'reverse' }, 'softplus');
    assert.ok(text.includes(' * @gradient softplusBackward vjp\n'), text);
    assert.ok(text.includes('export function softplusBackward(x: number, gOut: number): number {'), text);
    const check = checkedOk(text, 'softplus', 'softplusBackward', /vector-Jacobian product/);
    assert.equal(check.convention, 'vjp');
    const e = Math.exp(0.4);
    assert.ok(close(runTypeScript(text).softplusBackward(0.4, 2) as number, 2 * e / (1 + e)));
    // Inserting again replaces both functions, stacks neither.
    assert.equal(act(text, { action: 'insert', mode: 'reverse' }, 'softplus').text, text);
  });

  it('a function of an array gets its VJP in the gradient\'s shape (an array)', () => {
    const fixture = `${SIGMOID_VJP}
/**
 * @differentiable
 * @at y = [0.5, 2]
 */
export function $0spring(y: number[]): number {
  return y[0] * y[0] * y[1];
}
`;
    const { text } = act(fixture, { action: 'insert', mode: 'reverse' }, 'spring');
    assert.ok(text.includes(' * @gradient springBackward vjp\n'), text);
    assert.deepEqual(bodyLines(text, 'springBackward'), [
      '  const g = springGrad(y);',
      '  const result = new Array(g.length).fill(0);',
      '  for (let i = 0; i < g.length; i++) {',
      '    result[i] = gOut * g[i];',
      '  }',
      '  return result;',
    ]);
    checkedOk(text, 'spring', 'springBackward', /vector-Jacobian product/);
    assert.deepEqual(flattenNumbers(runTypeScript(text).springBackward([0.5, 2], 2)), [4, 0.5]);
  });

  it('a vector-valued function gets gOut · J, gOut an array with one entry per output', () => {
    const fixture = `${SIGMOID_VJP}
/**
 * @differentiable
 * @at x = [0.5, 2]
 */
export function $0polar(x: number[]): number[] {
  return [x[0] * x[1], Math.sin(x[0]), x[1] * x[1]];
}
`;
    const { text } = act(fixture, { action: 'insert', mode: 'reverse' }, 'polar');
    assert.ok(text.includes(' * @gradient polarBackward vjp\n'), text);
    assert.ok(text.includes('export function polarBackward(x: number[], gOut: number[]): number[] {'), text);
    assert.doesNotMatch(text, /polarWeighted/, 'the weighted sum it is generated from is not in the file');
    checkedOk(text, 'polar', 'polarBackward', /vector-Jacobian product/);
    const got = flattenNumbers(runTypeScript(text).polarBackward([0.5, 2], [1, 2, 3]));
    const want = [2 + 2 * Math.cos(0.5), 0.5 + 3 * 4];
    assert.ok(got.every((v, i) => close(v, want[i])), `${got} ≠ ${want}`);
    assert.equal(act(text, { action: 'insert', mode: 'reverse' }, 'polar').text, text);
  });

  it('fixes a wrong VJP whole, in its convention, keeping the signature and the JSDoc', () => {
    const fixture = `/**
 * @differentiable
 * @at y = [0.5, 2]
 * @gradient springBackward vjp
 */
export function spring(y: number[]): number {
  return y[0] * y[0] * y[1];
}

/** Backward pass of spring. */
export function springBackward(y: number[], upstream: number): number[] {
  const r = [0, 0];
  for (let i = 0; i < 2; i++) r[i] = i === 0 ? upstream * y[0] * y[1] : upstream * y[0] * y[0];
  return r;
}
`;
    assert.equal(analysed(fixture, 'spring').check?.status, 'wrong');
    const { text } = act(fixture, { action: 'fix' }, 'spring');
    assert.ok(text.includes('/** Backward pass of spring. */\nexport function springBackward(y: number[], upstream: number): number[] {'), text);
    assert.ok(bodyLines(text, 'springBackward').includes('    result[i] = upstream * g[i];'), text);
    checkedOk(text, 'spring', 'springBackward', /vector-Jacobian product/);
  });

  it('fixes a wrong VJP of a vector-valued function whole', () => {
    const fixture = `/**
 * @differentiable
 * @at x = [0.5, 2]
 * @gradient polarBackward vjp
 */
export function polar(x: number[]): number[] {
  return [x[0] * x[1], Math.sin(x[0])];
}

export function polarBackward(x: number[], g: number[]): number[] {
  const r = [0, 0];
  for (let i = 0; i < 2; i++) r[i] = i === 0 ? g[0] * x[1] + g[1] * Math.cos(x[0]) : g[0] * x[1];
  return r;
}
`;
    assert.equal(analysed(fixture, 'polar').check?.status, 'wrong');
    const { text } = act(fixture, { action: 'fix' }, 'polar');
    assert.ok(text.includes('export function polarBackward(x: number[], g: number[]): number[] {'), text);
    checkedOk(text, 'polar', 'polarBackward', /vector-Jacobian product/);
  });
});

const PRICE = `/**
 * @differentiable
 * @wrt S, sigma, T
 * @at S = 100, sigma = 0.2, T = 0.5
 * @partial S delta
%TAGS% */
export function price(S: number, sigma: number, T: number): number {
  return S * Math.exp(-sigma * T) + S * sigma * Math.sqrt(T);
}

export function delta(S: number, sigma: number, T: number): number {
  return Math.exp(-sigma * T) + sigma * Math.sqrt(T);
}
`;

describe('partial derivatives, one function each, with their scales', () => {
  it('"Insert gradient function" writes the missing partials, tagged, each checked OK', () => {
    const { text } = act(PRICE.replace('%TAGS%', ''), { action: 'insert', mode: 'reverse' }, 'price');
    assert.ok(text.includes(' * @partial S delta\n * @partial sigma priceDSigma\n * @partial T priceDT\n */'), text);
    assert.deepEqual(locateFunctions(text).map((f) => f.name), ['price', 'priceGrad', 'priceDSigma', 'priceDT', 'delta']);
    checkedOk(text, 'price', 'priceDSigma', /partial derivative with respect to sigma/);
    checkedOk(text, 'price', 'priceDT', /partial derivative with respect to T/);
    checkedOk(text, 'price', 'delta', /partial derivative with respect to S/);
    assert.ok(close(runTypeScript(text).priceDSigma(100, 0.2, 0.5) as number, -50 * Math.exp(-0.1) + 100 * Math.sqrt(0.5)));
    // Inserting again: every parameter has its partial now; the plain gradient is replaced in place.
    assert.equal(act(text, { action: 'insert', mode: 'reverse' }, 'price').text, text);
  });

  const scaled = (name: string, param: string, scale: string, wrong: string) => `${PRICE.replace('%TAGS%', ` * @partial ${param} ${name} scale ${scale}\n`)}
/** ${name}, as the desk quotes it. */
export function ${name}(spot: number, vol: number, t: number): number {
  return ${scale} * (${wrong});
}
`;

  for (const [name, param, scale, wrong, factor] of [
    ['vega', 'sigma', '0.01', '-spot * t * Math.exp(-vol * t) + spot * t', 0.01],
    ['theta', 'T', '-1/365', '-spot * vol * Math.exp(-vol * t)', -1 / 365],
  ] as const) {
    it(`fixes a wrong ${name} (scale ${scale}) whole as ${scale} · ∂price/∂${param}`, () => {
      const fixture = scaled(name, param, scale, wrong);
      const before = analysed(fixture, 'price').checks?.find((c) => c.name === name);
      assert.equal(before?.status, 'wrong', fixture);
      const { text } = act(fixture, { action: 'fix' }, 'price');
      assert.ok(text.includes(`/** ${name}, as the desk quotes it. */\nexport function ${name}(spot: number, vol: number, t: number): number {`), text);
      assert.ok(bodyLines(text, name).some((l) => l.includes(`return ${scale} * g[`)), text);
      checkedOk(text, 'price', name, new RegExp(`partial derivative with respect to ${param}, scaled by ${scale.replace('/', '\\/')}`));
      const S = 100, sigma = 0.2, T = 0.5;
      const d = param === 'sigma' ? -S * T * Math.exp(-sigma * T) + S * Math.sqrt(T) : -S * sigma * Math.exp(-sigma * T) + S * sigma / (2 * Math.sqrt(T));
      assert.ok(close(runTypeScript(text)[name](S, sigma, T) as number, factor * d));
    });
  }
});

describe('flag-fused derivatives', () => {
  const ACT = (body: string) => `/**
 * @differentiable
 * @at x = 0.3
 * @gradient act flag derivative
 */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** The activation, or its derivative. */
export function act(z: number, derivative = false): number {
  const s = 1 / (1 + Math.exp(-z));
${body}
}
`;

  it('fixes a wrong `if (derivative) return …;` branch: only that expression is regenerated', () => {
    const fixture = ACT('  if (derivative) return s * (1 + s);\n  return s;');
    assert.equal(analysed(fixture, 'sigmoid').check?.status, 'wrong');
    const { text } = act(fixture, { action: 'fix' }, 'sigmoid');
    assert.deepEqual(bodyLines(text, 'act'), ['  const s = 1 / (1 + Math.exp(-z));', '  if (derivative) return sigmoidGrad(z);', '  return s;']);
    checkedOk(text, 'sigmoid', 'act', /flag-fused value and derivative/);
    assert.ok(close(runTypeScript(text).act(0.3, true) as number, Math.exp(-0.3) / (1 + Math.exp(-0.3)) ** 2));
  });

  it('fixes a wrong ternary `derivative ? … : …`', () => {
    const fixture = ACT('  return derivative ? s * (1 + s) : s;');
    const { text } = act(fixture, { action: 'fix' }, 'sigmoid');
    assert.deepEqual(bodyLines(text, 'act'), ['  const s = 1 / (1 + Math.exp(-z));', '  return derivative ? sigmoidGrad(z) : s;']);
    checkedOk(text, 'sigmoid', 'act', /flag-fused value and derivative/);
  });

  it('leaves a flag tested in several places as written, and says why', () => {
    const fixture = ACT('  let r = s;\n  if (derivative) r = s * (1 + s);\n  return r;');
    assert.equal(analysed(fixture, 'sigmoid').check?.status, 'wrong');
    const logs: string[] = [];
    const edits = computeEdits({ action: 'fix', fn: 'sigmoid' }, fixture, analysed(fixture, 'sigmoid'), (m) => logs.push(m));
    assert.equal(edits, null);
    assert.ok(logs.some((l) => /not a plain `if \(derivative\) return …;`/.test(l)), logs.join('\n'));
  });

  it('in a file of flag-fused activations, an insert writes a plain gradient that checks OK (a flag is no shape a new function needs)', () => {
    const fixture = `${ACT('  return derivative ? s * (1 - s) : s;')}
/**
 * @differentiable
 * @at x = 0.4
 */
export function $0softplus(x: number): number {
  return Math.log(1 + Math.exp(x));
}
`;
    const { text } = act(fixture, { action: 'insert', mode: 'closed' }, 'softplus');
    assert.ok(text.includes(' * @gradient softplusGrad\n'), text);
    checkedOk(text, 'softplus', 'softplusGrad', /^gradient$/);
  });
});

describe('several partials wrong', () => {
  it('fixes the first wrong one, then the next, each whole in its scale', () => {
    const fixture = `${PRICE.replace('%TAGS%', ' * @partial sigma vega scale 0.01\n * @partial T theta scale -1/365\n')}
export function vega(spot: number, vol: number, t: number): number {
  return 0.01 * spot * t;
}

export function theta(spot: number, vol: number, t: number): number {
  return -1/365 * spot * vol;
}
`;
    const once = act(fixture, { action: 'fix' }, 'price').text;
    const twice = act(once, { action: 'fix' }, 'price').text;
    assert.deepEqual(locateFunctions(twice).map((f) => f.name), ['price', 'delta', 'vega', 'priceGrad', 'theta']);
    checkedOk(twice, 'price', 'vega', /scaled by 0\.01/);
    checkedOk(twice, 'price', 'theta', /scaled by -1\/365/);
  });
});
