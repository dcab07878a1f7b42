// Quick fixes the engine finds with a diagnostic, through the server's code actions, in the
// middle-layer style of middleLayer.test.ts: a fixture with a `$0` cursor is analysed in-process,
// its diagnostics at the cursor are sent to listCodeActions as a client would send them, the fix
// is applied, and the fixed text is analysed again (the diagnostic is gone, the check passes).

import * as assert from 'node:assert/strict';
import { CodeActionKind, type CodeAction } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeFile } from '../../engine/index';
import { listCodeActions } from '../../server/codeActions';
import type { AnalysisSnapshot } from '../../server/documentAnalysis';
import { OffsetMapping } from '../../server/offsetMapping';
import { toLspDiagnostics } from '../../server/toLsp';

const URI = 'file:///fixture.ts';

/** The quick fixes at `$0` for the diagnostics there (titles, preferred marks), and the document. */
function quickFixes(fixture: string): { actions: CodeAction[]; doc: TextDocument } {
  const at = fixture.indexOf('$0');
  assert.ok(at >= 0, 'the fixture needs a $0 cursor');
  const text = fixture.slice(0, at) + fixture.slice(at + 2);
  const doc = TextDocument.create(URI, 'typescript', 1, text);
  const analysis = analyzeFile(text);
  const snap: AnalysisSnapshot = { uri: URI, version: 1, doc, analysis, ms: 0 };
  const sent = toLspDiagnostics(doc, analysis.diagnostics).filter((d) => doc.offsetAt(d.range.start) <= at && at <= doc.offsetAt(d.range.end));
  const position = doc.positionAt(at);
  const actions = listCodeActions(snap, doc, { textDocument: { uri: URI }, range: { start: position, end: position }, context: { diagnostics: sent, only: [CodeActionKind.QuickFix] } }, new OffsetMapping(text, text));
  return { actions, doc };
}

/** Applies the quick fix titled `title` (it must carry its edit) and returns the text. */
function apply(fixture: string, title: string | RegExp): { text: string; titles: string[]; preferred: string[] } {
  const { actions, doc } = quickFixes(fixture);
  const titles = actions.map((a) => a.title);
  const fix = actions.find((a) => (typeof title === 'string' ? a.title === title : title.test(a.title)));
  assert.ok(fix?.edit?.changes?.[URI], `no fix ${String(title)} among:\n${titles.join('\n')}`);
  return { text: TextDocument.applyEdits(doc, fix.edit.changes[URI]), titles, preferred: actions.filter((a) => a.isPreferred).map((a) => a.title) };
}

const codes = (text: string): string[] => analyzeFile(text).diagnostics.map((d) => d.code).sort();

describe('quick fixes: GL006, change the return shape', () => {
  it('a 1-element array for one number parameter: return the number (and the declared type)', () => {
    const r = apply(`/**
 * @differentiable
 * @at x = 2
 */
export function cube(x: number): number {
  return x * x * x;
}

export function cube$0Grad(x: number): number[] {
  return [3 * x * x];
}
`, 'Return 3 * x * x, not a 1-element array');
    assert.match(r.text, /export function cubeGrad\(x: number\): number \{\n {2}return 3 \* x \* x;\n\}/);
    assert.deepEqual(codes(r.text), []);
    assert.equal(analyzeFile(r.text).functions[0].check?.status, 'ok');
    // The engine's edit is the preferred one; regenerating the gradient is still offered.
    assert.deepEqual(r.preferred, ['Return 3 * x * x, not a 1-element array']);
    assert.ok(r.titles.includes('Fix hand-written gradient'), r.titles.join('\n'));
  });

  it('one entry per parameter while @wrt differentiates fewer: the @wrt entries, in @wrt order', () => {
    const r = apply(`/**
 * @differentiable
 * @wrt z, x
 * @at x = 1, y = 2, z = 3
 */
export function triple(x: number, y: number, z: number): number {
  return x * y * z;
}

export function triple$0Grad(x: number, y: number, z: number): [number, number, number] {
  return [y * z, x * z, x * y];
}
`, 'Return only the @wrt entries (z, x)');
    assert.match(r.text, /\): \[number, number\] \{\n {2}return \[x \* y, y \* z\];/);
    assert.deepEqual(codes(r.text), []);
  });

  it('an object with keys that are not differentiated: they are dropped', () => {
    const r = apply(`/**
 * @differentiable
 * @wrt x, w
 * @at x = 1, w = [1, 2], k = 3
 */
export function scaled(x: number, w: number[], k: number): number {
  return k * x * (w[0] + w[1]);
}

export function scaled$0Grad(x: number, w: number[], k: number) {
  return { x: k * (w[0] + w[1]), w: [k * x, k * x], k: x * (w[0] + w[1]) };
}
`, "Remove 'k' (not differentiated: @wrt x, w)");
    assert.match(r.text, /return \{ x: k \* \(w\[0\] \+ w\[1\]\), w: \[k \* x, k \* x\] \};/);
    assert.deepEqual(codes(r.text), []);
  });

  it('a gradient taking the upstream gradient: declare `vjp` after the name in @gradient', () => {
    const r = apply(`/**
 * @differentiable
 * @gradient areaBackward
 * @at w = 2, h = 3
 */
export function area(w: number, h: number): number {
  return w * h;
}

export function area$0Backward(w: number, h: number, gOut: number): [number, number] {
  return [gOut * h, gOut * w];
}
`, 'Declare the convention: @gradient areaBackward vjp (vector-Jacobian product, agrees with AD)');
    assert.match(r.text, / \* @gradient areaBackward vjp\n/);
    assert.deepEqual(codes(r.text), []);
    assert.equal(analyzeFile(r.text).functions[0].check?.convention, 'vjp');
  });

  it('a derivative in terms of the output, paired by name: a @gradient line in a one-line JSDoc', () => {
    const r = apply(`/** @differentiable */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function sigmoid$0Grad(x: number, y: number): number {
  return y * (1 - y);
}
`, /^Declare the convention: @gradient sigmoidGrad output/);
    assert.match(r.text, /^\/\*\*\n \* @differentiable\n \* @gradient sigmoidGrad output\n \*\/\n/);
    assert.deepEqual(codes(r.text), []);
    // Only the convention that agrees with AD is offered.
    assert.ok(!r.titles.some((t) => / vjp /.test(t)), r.titles.join('\n'));
  });

  it('no shape fix where none is mechanical (a number for two parameters): regenerating is preferred', () => {
    const { actions } = quickFixes(`/**
 * @differentiable
 * @at x = 1, y = 2
 */
export function product(x: number, y: number): number {
  return x * y;
}

export function product$0Grad(x: number, y: number): number {
  return y;
}
`);
    assert.deepEqual(actions.map((a) => `${a.title}${a.isPreferred ? ' (preferred)' : ''}`), ['Fix hand-written gradient (preferred)']);
  });

  it("a @derivative rule's wrong shape gets the same fix", () => {
    const r = apply(`/** @derivative dsq */
function sq(x: number): number { return x * x; }
function d$0sq(x: number): number[] { return [2 * x]; }
/**
 * @differentiable
 * @at x = 2
 */
export function f(x: number): number { return sq(x) + x; }
`, 'Return 2 * x, not a 1-element array');
    assert.deepEqual(codes(r.text), []);
    assert.equal(analyzeFile(r.text).ruleHelpers?.[0].check?.status, 'ok');
  });
});

describe('quick fixes: GL001 on a tuple in the wrong order', () => {
  it('entries right but swapped: reorder them to @wrt order (before regenerating anything)', () => {
    const r = apply(`/**
 * @differentiable
 * @at x = 1.5, y = -0.25
 */
export function rosenbrock(x: number, y: number): number {
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
}

export function rosenbrockGrad(x: number, y: number): [number, number] {
  return [$0200 * (y - x * x), -2 * (1 - x) - 400 * x * (y - x * x)];
}
`, 'Reorder the returned tuple to @wrt order (x, y)');
    assert.match(r.text, /return \[-2 \* \(1 - x\) - 400 \* x \* \(y - x \* x\), 200 \* \(y - x \* x\)\];/);
    assert.deepEqual(codes(r.text), []);
    assert.deepEqual(r.preferred, ['Reorder the returned tuple to @wrt order (x, y)']);
  });

  it('one action for the fix both GL001s carry, fixing both', () => {
    const text = `/**
 * @differentiable
 * @at x = 2, y = 3
 */
export function product(x: number, y: number): number {
  return x * y;
}

export function productGrad(x: number, y: number): [number, number] {
  return [x, y];
}
`;
    const doc = TextDocument.create(URI, 'typescript', 1, text);
    const analysis = analyzeFile(text);
    const sent = toLspDiagnostics(doc, analysis.diagnostics).filter((d) => d.code === 'GL001');
    assert.equal(sent.length, 2);
    const whole = { start: doc.positionAt(text.indexOf('[x, y]')), end: doc.positionAt(text.indexOf('[x, y]') + 6) };
    const actions = listCodeActions({ uri: URI, version: 1, doc, analysis, ms: 0 }, doc, { textDocument: { uri: URI }, range: whole, context: { diagnostics: sent, only: [CodeActionKind.QuickFix] } }, new OffsetMapping(text, text));
    const reorder = actions.filter((a) => a.title === 'Reorder the returned tuple to @wrt order (x, y)');
    assert.equal(reorder.length, 1, actions.map((a) => a.title).join('\n'));
    assert.deepEqual(reorder[0].diagnostics?.map((d) => d.code), ['GL001', 'GL001']);
    assert.match(TextDocument.applyEdits(doc, reorder[0].edit!.changes![URI]), /return \[y, x\];/);
  });

  it('not offered for a gradient that is simply wrong', () => {
    const { actions } = quickFixes(`/**
 * @differentiable
 * @at x = 1.5, y = -0.25
 */
export function rosenbrock(x: number, y: number): number {
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
}

export function rosenbrockGrad(x: number, y: number): [number, number] {
  return [-2 * (1 - x) - 400 * x * (y - x * x), $0100 * (y - x * x)];
}
`);
    assert.deepEqual(actions.map((a) => a.title), ['Fix hand-written gradient']);
  });
});

describe('quick fixes: GL002 on a call to a function of another file', () => {
  it('passes the value in as a parameter, held constant (@wrt, @at and the hand-written gradient follow)', () => {
    const r = apply(`import { normCdf } from './stats';
/**
 * @differentiable
 * @at s = 100, k = 95
 */
export function spread(s: number, k: number): number {
  return s * $0normCdf(s / k) - k * normCdf(s / k);
}

export function spreadGrad(s: number, k: number): [number, number] {
  return [1, -1]; // right where normCdf(s / k) is 1
}
`, "Pass normCdf(s / k) in as a parameter 'normCdfValue' (held constant)");
    assert.match(r.text, / \* @at s = 100, k = 95, normCdfValue = 1\n \* @wrt s, k\n/);
    assert.match(r.text, /spread\(s: number, k: number, normCdfValue: number\): number \{\n {2}return s \* normCdfValue - k \* normCdfValue;/);
    assert.match(r.text, /spreadGrad\(s: number, k: number, normCdfValue: number\)/);
    const after = analyzeFile(r.text);
    assert.deepEqual(after.diagnostics.map((d) => d.code), [], JSON.stringify(after.diagnostics));
    assert.deepEqual(after.functions[0].wrt, ['s', 'k']);
    assert.equal(after.functions[0].check?.status, 'ok');
  });

  it('a helper of the file outside the subset (which @nondifferentiable would not rescue): the same fix', () => {
    const r = apply(`function lookup(x: number): number {
  const table = new Map([[1, 1.5]]);
  return (table.get(1) ?? 0) * x;
}
/**
 * @differentiable
 * @at x = 2 */
export function f(x: number): number {
  return $0lookup(x) + x * x;
}
`, "Pass lookup(x) in as a parameter 'lookupValue' (held constant)");
    assert.match(r.text, / \* @at x = 2, lookupValue = 1\n \* @wrt x\n \*\/\nexport function f\(x: number, lookupValue: number\): number \{\n {2}return lookupValue \+ x \* x;/);
    const after = analyzeFile(r.text);
    assert.deepEqual(after.functions[0].gradient, { x: 4 });
    assert.deepEqual(after.diagnostics.filter((d) => d.functionName === 'f'), []);
  });

  it('not offered when the argument is a local of the function (the value is computed inside it)', () => {
    const { actions } = quickFixes(`/** @differentiable */
export function f(x: number): number {
  const t = 2 * x;
  return $0lib(t) + x;
}
`);
    assert.deepEqual(actions.map((a) => a.title), []);
  });
});
