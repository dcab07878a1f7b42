// Generated code that fits the file (issue 16 item 4, issue 14): the code actions' edits computed as
// the worker computes them (server/codeEdits.ts computeEdits) on `$0` fixtures (the cursor on the
// function acted on), applied, type-checked, run, and analysed again by the engine.

import * as assert from 'node:assert/strict';
import { analyzeFile } from '../../engine';
import type { CodegenMode, FunctionAnalysis } from '../../engine/api';
import { computeEdits } from '../../server/codeEdits';
import type { StyleSources } from '../../server/codeStyle';
import { locateFunctions } from '../../server/sourceLocate';
import type { OffsetEdit } from '../../server/toLsp';
import { close, flattenNumbers, runTypeScript, strictTypeErrors } from './compileAndRun';

function apply(text: string, edits: OffsetEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** The innermost function of `text` around `offset`. */
function functionAt(text: string, offset: number): string {
  const around = locateFunctions(text).filter((f) => f.statementStart <= offset && offset <= f.statementEnd);
  assert.ok(around.length > 0, `no function at the cursor of\n${text}`);
  return around.sort((a, b) => (a.statementEnd - a.statementStart) - (b.statementEnd - b.statementStart))[0].name;
}

function analysed(text: string, name: string): FunctionAnalysis {
  const fa = analyzeFile(text).functions.find((f) => f.name === name);
  assert.ok(fa, `the engine does not analyse ${name} in\n${text}`);
  return fa;
}

type Act = { action: 'insert'; mode: CodegenMode } | { action: 'fix' };

/** Runs the action on the function at `$0` as the worker does; the edited text, type-checked under --strict. */
function act(fixture: string, a: Act, style?: StyleSources, fnName?: string): { text: string; fn: string; logs: string[] } {
  const at = fixture.indexOf('$0');
  const text = at < 0 ? fixture : fixture.slice(0, at) + fixture.slice(at + 2);
  const fn = fnName ?? functionAt(text, at);
  const logs: string[] = [];
  const edits = computeEdits({ ...a, fn, style }, text, analysed(text, fn), (m) => logs.push(m));
  assert.ok(edits && edits.length > 0, `${JSON.stringify(a)} gave no edit for\n${text}\n${logs.join('\n')}`);
  const out = apply(text, edits);
  assert.deepEqual(strictTypeErrors(out), [], out);
  return { text: out, fn, logs };
}

/** The body lines of the function `name` in `text`. */
function bodyLines(text: string, name: string): string[] {
  const f = locateFunctions(text).find((l) => l.name === name);
  assert.ok(f?.body, `${name} missing from\n${text}`);
  return text.slice(f.body.start + 1, f.body.end - 1).split('\n').filter((l) => l.trim() !== '');
}

const SQUARES = `/**
 * @differentiable
 * @at x = [1, 2]
 */
export function $0squares(x: number[]): number {
%let s = 0;
%for (let i = 0; i < x.length; i++) {
%%s += x[i] * x[i];
%}
%return s;
}
`;

describe('generated code fits the file', () => {
  it('inserts with tabs in a file indented with tabs', () => {
    const { text } = act(SQUARES.replace(/%/g, '\t'), { action: 'insert', mode: 'reverse' });
    const body = bodyLines(text, 'squaresGrad');
    assert.ok(body.every((l) => /^\t+\S/.test(l)), body.join('\n'));
    assert.ok(body.some((l) => /^\t\t\S/.test(l)), 'nested blocks one more tab');
    assert.deepEqual(flattenNumbers(runTypeScript(text).squaresGrad([1, 2])), [2, 4]);
  });

  it('inserts with four spaces in a file indented with four spaces, and the closed form too', () => {
    const { text } = act(SQUARES.replace(/%/g, '    '), { action: 'insert', mode: 'reverse' });
    const body = bodyLines(text, 'squaresGrad');
    assert.ok(body.every((l) => /^( {4})+\S/.test(l)), body.join('\n'));
    assert.ok(body.some((l) => /^ {8}\S/.test(l)));
    const closed = act(`/**\n * @differentiable\n * @at x = 1, y = 2\n */\nfunction $0g(x: number, y: number): number {\n    return x * x * y;\n}\n`, { action: 'insert', mode: 'closed' }).text;
    assert.deepEqual(bodyLines(closed, 'gGrad'), ['    return [2 * x * y, x * x];']);
  });

  it('.editorconfig wins over the file\'s own indentation', () => {
    const { text } = act(SQUARES.replace(/%/g, '  '), { action: 'insert', mode: 'reverse' }, { editorConfig: { indent: '\t' }, editor: { indent: '    ', detectIndentation: false } });
    assert.ok(bodyLines(text, 'squaresGrad').every((l) => /^\t+\S/.test(l)));
    assert.ok(bodyLines(text, 'squares').every((l) => /^ +\S/.test(l)), 'the user\'s code is untouched');
  });

  it('a member beside its table is indented in the style (its prologue too)', () => {
    const fixture = `/**
 * @differentiable
 * @at x = 0.5
 */
const model = {
    k: 3,
    $0energy(x: number): number {
        return this.k * x * x;
    },
};
`;
    const { text } = act(fixture, { action: 'insert', mode: 'reverse' });
    const member = text.slice(text.indexOf('energyGrad('));
    assert.match(member, /\n {8}const thisK = this\.k;\n/, member);
    assert.doesNotMatch(member.split('\n').slice(1, -3).join('\n'), /^( {2}| {6})\S/m, member);
  });

  it('inserting again replaces the generated function and its helpers: no squaresGrad2', () => {
    const once = act(SQUARES.replace(/%/g, '  '), { action: 'insert', mode: 'reverse' }).text;
    const twice = act(once, { action: 'insert', mode: 'reverse' }, undefined, 'squares').text;
    assert.deepEqual(locateFunctions(twice).map((f) => f.name), ['squares', 'squaresGrad']);
    assert.equal(twice, once, 'the same code in the same place');
    const withHelper = `function sq(u: number): number {
  let s = 0;
  for (let i = 0; i < 2; i++) s += u * u;
  return s;
}

/**
 * @differentiable
 * @at x = 1.5
 */
function $0f(x: number): number {
  return sq(x) * x;
}

// after f
`;
    const a = act(withHelper, { action: 'insert', mode: 'reverse' }).text;
    const b = act(a, { action: 'insert', mode: 'reverse' }, undefined, 'f').text;
    assert.deepEqual(locateFunctions(b).map((f) => f.name), ['sq', 'f', 'fGrad', 'sqPullback']);
    assert.ok(b.endsWith('// after f\n'), b);
    assert.ok(close(runTypeScript(b).fGrad(1.5) as number, 6 * 1.5 * 1.5));
  });

  it('a Grad the user wrote keeps its name and its code; the insert takes a fresh name', () => {
    const fixture = `/**
 * @differentiable
 * @at x = 2
 */
function $0cube(x: number): number {
  return x * x * x;
}

/** Mine. */
function cubeGrad(x: number): number {
  return 3 * x * x;
}
`;
    const { text } = act(fixture, { action: 'insert', mode: 'reverse' });
    assert.ok(text.includes('/** Mine. */\nfunction cubeGrad(x: number): number {\n  return 3 * x * x;\n}'), text);
    assert.deepEqual(locateFunctions(text).map((f) => f.name), ['cube', 'cubeGrad2', 'cubeGrad']);
  });

  it('a generated member of a table is replaced in place, not stacked as derivative2', () => {
    const fixture = `/**
 * @differentiable
 * @at x = 0.4
 */
const act = {
  softplus: {
    fn$0: (x: number): number => Math.log(1 + Math.exp(x)),
  },
};
`;
    const once = act(fixture, { action: 'insert', mode: 'reverse' }).text;
    const twice = act(once, { action: 'insert', mode: 'reverse' }, undefined, 'act.softplus.fn').text;
    assert.equal(twice, once);
    assert.equal(analysed(twice, 'act.softplus.fn').check?.status, 'ok');
  });

  it('a generated closed form names a shared value as the function does', () => {
    const { text } = act(`/**\n * @differentiable\n * @at x = 1, a = 0.5\n */\nfunction $0h(x: number, a: number): number {\n  const c = Math.exp(a);\n  return c * x * x;\n}\n`, { action: 'insert', mode: 'closed' });
    assert.deepEqual(bodyLines(text, 'hGrad'), ['  const c = Math.exp(a);', '  return [2 * x * c, x * x * c];']);
  });
});

describe('generated code in the file\'s convention', () => {
  const ROSEN = `/**
 * @differentiable
 * @at x = [1.5, -0.5]
 * @gradient rosenPrime out
 */
export function $0rosen(x: number[]): number {
  return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] * x[0]) ** 2;
}

/** Both components in one loop (no component can be fixed on its own); the second one wrong. */
export function rosenPrime(x: number[], out: number[]): void {
  const t = x[1] - x[0] * x[0];
  for (let i = 0; i < 2; i++) {
    out[i] = i === 0 ? -2 * (1 - x[0]) - 400 * x[0] * t : 100 * t;
  }
}
`;

  it('fixes a wrong out-array gradient whole, in the out convention, and the engine checks it OK', () => {
    const before = ROSEN.replace('$0', '');
    assert.equal(analysed(before, 'rosen').check?.status, 'wrong');
    const { text } = act(ROSEN, { action: 'fix' });
    assert.deepEqual(bodyLines(text, 'rosenPrime'), [
      '  const g = rosenGrad(x);',
      '  for (let i = 0; i < g.length; i++) {',
      '    out[i] = g[i];',
      '  }',
    ]);
    assert.ok(text.includes('export function rosenPrime(x: number[], out: number[]): void {'), 'the signature is kept');
    const check = analysed(text, 'rosen').check;
    assert.equal(check?.name, 'rosenPrime');
    assert.equal(check?.convention, 'out');
    assert.equal(check?.status, 'ok');
    const out = [0, 0];
    runTypeScript(text).rosenPrime([1.5, -0.5], out);
    assert.ok(close(out[0], 1651) && close(out[1], -550), String(out));
  });

  it('fixes again without stacking rosenGrad2', () => {
    const once = act(ROSEN, { action: 'fix' }).text;
    const broken = once.replace('out[i] = g[i];', 'out[i] = 2 * g[i];');
    assert.equal(analysed(broken, 'rosen').check?.status, 'wrong');
    const twice = act(broken, { action: 'fix' }, undefined, 'rosen').text;
    assert.deepEqual(locateFunctions(twice).map((f) => f.name), ['rosen', 'rosenPrime', 'rosenGrad']);
    assert.equal(analysed(twice, 'rosen').check?.status, 'ok');
  });

  it('an optional out array is made when it is not passed, as the function did', () => {
    const fixture = ROSEN.replace('export function rosenPrime(x: number[], out: number[]): void {\n  const t', 'export function rosenPrime(x: number[], out?: number[]): number[] {\n  const o = out ?? new Array(2).fill(0);\n  const t')
      .replace('    out[i] = i === 0', '    o[i] = i === 0').replace('100 * t;\n  }\n}', '100 * t;\n  }\n  return o;\n}');
    assert.equal(analysed(fixture.replace('$0', ''), 'rosen').check?.status, 'wrong', fixture);
    const { text } = act(fixture, { action: 'fix' });
    assert.deepEqual(bodyLines(text, 'rosenPrime'), [
      '  const g = rosenGrad(x);',
      '  const result = out ?? new Array(g.length).fill(0);',
      '  for (let i = 0; i < g.length; i++) {',
      '    result[i] = g[i];',
      '  }',
      '  return result;',
    ]);
    assert.equal(analysed(text, 'rosen').check?.status, 'ok');
    assert.deepEqual(flattenNumbers(runTypeScript(text).rosenPrime([1.5, -0.5])).map((v) => Math.round(v)), [1651, -550]);
  });

  it('fixes a fused value-and-gradient function in its convention', () => {
    const fixture = `/**
 * @differentiable
 * @at x = [0.5, 2]
 * @gradient $0quadFused fused
 */
export function quad(x: number[]): number {
  return x[0] * x[0] + 3 * x[0] * x[1];
}

export function quadFused(x: number[], grad: number[]): number {
  for (let i = 0; i < 2; i++) grad[i] = i === 0 ? 2 * x[0] : 3 * x[1];
  return x[0] * x[0] + 3 * x[0] * x[1];
}
`;
    const { text } = act(fixture, { action: 'fix' }, undefined, 'quad');
    assert.ok(bodyLines(text, 'quadFused').includes('  return quad(x);'), text);
    assert.equal(analysed(text, 'quad').check?.status, 'ok');
  });

  it('an output-based table gets an output-based derivative', () => {
    const fixture = `/**
 * @differentiable
 * @gradient derivative output
 * @at x = 0.4
 */
const activations = {
  sigmoid: {
    fn: (x: number): number => 1 / (1 + Math.exp(-x)),
    derivative: (y: number): number => y * (1 - y),
  },
  softplus: {
    fn$0: (x: number): number => Math.log(1 + Math.exp(x)),
  },
};
`;
    const { text } = act(fixture, { action: 'insert', mode: 'reverse' });
    assert.match(text, /\n {4}derivative\(x: number, y: number\): number \{\n/, text);
    const check = analysed(text, 'activations.softplus.fn').check;
    assert.equal(check?.name, 'activations.softplus.derivative');
    assert.equal(check?.convention, 'output');
    assert.equal(check?.status, 'ok');
  });

  it('beside top-level output-based derivatives, a new one is output-based and tagged so', () => {
    const fixture = `/**
 * @differentiable
 * @at x = 0.3
 * @gradient sigmoidPrime output
 */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function sigmoidPrime(y: number): number {
  return y * (1 - y);
}

/**
 * @differentiable
 * @at x = 0.4
 */
export function $0softsign(x: number): number {
  return x / (1 + Math.abs(x));
}
`;
    const { text } = act(fixture, { action: 'insert', mode: 'closed' });
    assert.ok(text.includes(' * @gradient softsignGrad output\n'), text);
    assert.ok(text.includes('export function softsignGrad(x: number, y: number): number {'), text);
    assert.equal(analysed(text, 'softsign').check?.status, 'ok');
    assert.equal(analysed(text, 'softsign').check?.convention, 'output');
  });

  it('beside out-array gradients, a new gradient is written into an out array too', () => {
    const fixture = `${ROSEN.replace('$0', '')}
/**
 * @differentiable
 * @at y = [0.5, 2]
 */
export function $0spring(y: number[]): number {
  return y[0] * y[0] * y[1];
}
`;
    const { text } = act(fixture, { action: 'insert', mode: 'reverse' });
    assert.ok(text.includes(' * @gradient springGradInto out\n'), text);
    assert.deepEqual(bodyLines(text, 'springGradInto'), [
      '  const g = springGrad(y);',
      '  for (let i = 0; i < g.length; i++) {',
      '    out[i] = g[i];',
      '  }',
      '  return out;',
    ]);
    const check = analysed(text, 'spring').check;
    assert.equal(check?.convention, 'out');
    assert.equal(check?.status, 'ok');
    // Inserting again replaces both, stacks neither.
    const again = act(text, { action: 'insert', mode: 'reverse' }, undefined, 'spring').text;
    assert.equal(again, text);
  });
});

describe('the gradient-check test fits the file', () => {
  it('is indented with tabs and quoted with double quotes in a file written so', () => {
    const fixture = `export const LABEL = "cube";\n\n/**\n * @differentiable\n * @at x = 2\n */\nexport function $0cube(x: number): number {\n\tif (x > 1) {\n\t\treturn x * x * x;\n\t}\n\treturn x * x * x;\n}\n`;
    const at = fixture.indexOf('$0');
    const text = fixture.slice(0, at) + fixture.slice(at + 2);
    const logs: string[] = [];
    const edits = computeEdits({ action: 'test', fn: 'cube' }, text, analysed(text, 'cube'), (m) => logs.push(m));
    assert.ok(edits, logs.join('\n'));
    const out = apply(text, edits);
    const test = out.slice(out.indexOf('export function cubeGradientCheck'));
    assert.match(test, /\n\tconst x: number = 2;\n/);
    assert.match(test, /\n\t\tif \(typeof v === "number"\)/);
    assert.match(test, /= \["x"\];/);
    assert.doesNotMatch(test, /^ {2}/m);
    assert.doesNotMatch(test, /'/);
  });
});

describe('inserting again replaces only what it generated', () => {
  it('a generated JVP right after a generated gradient: replacing one keeps the other', () => {
    const fixture = `/**\n * @differentiable\n * @at x = 1.5\n */\nfunction $0p(x: number): number {\n  return x * x * x;\n}\n`;
    const grad = act(fixture, { action: 'insert', mode: 'reverse' }).text;
    const jvp = act(grad, { action: 'insert', mode: 'jvp' }, undefined, 'p').text;
    const again = act(jvp, { action: 'insert', mode: 'reverse' }, undefined, 'p').text;
    assert.deepEqual(locateFunctions(again).map((f) => f.name), ['p', 'pJvp', 'pGrad']);
    assert.equal(again, jvp);
    const jvpAgain = act(again, { action: 'insert', mode: 'jvp' }, undefined, 'p').text;
    assert.equal(jvpAgain, jvp);
  });
});
