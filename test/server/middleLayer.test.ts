// The server's features as pure functions of an analysis, in the style of rust-analyzer's tests:
// a fixture text where `$0` marks the cursor, analysed by the engine in-process, handed to the
// server's own function (hover, code lens, code actions, LSP diagnostics), and the result rendered
// as text and compared with an expected string. One `check` helper per feature. The stdio tests
// (hover.test.ts, graphAndLens.test.ts, …) keep checking the protocol around these functions.

import * as assert from 'node:assert/strict';
import { CodeActionKind, DiagnosticSeverity, type Diagnostic, type Position, type Range } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeFile } from '../../engine/index';
import type { EngineDiagnostic } from '../../engine/api';
import { helpUri } from '../../engine/diagnosticCodes';
import { listCodeActions, type ActionData } from '../../server/codeActions';
import { codeLensesFor } from '../../server/codeLens';
import type { AnalysisSnapshot } from '../../server/documentAnalysis';
import { checkSummary, formatRelError, hoverAtPosition } from '../../server/hover';
import { OffsetMapping } from '../../server/offsetMapping';
import { normalizeSettings, toAnalysisOptions, type GradlensSettings } from '../../server/settings';
import { toLspDiagnostics } from '../../server/toLsp';
import { ROSENBROCK_DOC, ROSENBROCK_RIGHT, ROSENBROCK_WRONG, RIGHT_GRADIENT, WRONG_GRADIENT, withGradientTag } from './fixtures';

const URI = 'file:///fixture.ts';

interface Analysed {
  text: string;
  doc: TextDocument;
  /** The `$0` cursor, or null when the fixture has none. */
  position: Position | null;
  snap: AnalysisSnapshot;
  mapping: OffsetMapping;
  settings: GradlensSettings;
}

/** Removes `$0`, analyses the text with the settings' analysis options, as the server's worker does. */
function analyse(fixture: string, settings: Partial<GradlensSettings> = {}): Analysed {
  const at = fixture.indexOf('$0');
  const text = at < 0 ? fixture : fixture.slice(0, at) + fixture.slice(at + 2);
  const doc = TextDocument.create(URI, 'typescript', 1, text);
  const s = normalizeSettings(settings);
  const analysis = analyzeFile(text, toAnalysisOptions(s));
  return {
    text, doc, settings: s,
    position: at < 0 ? null : doc.positionAt(at),
    snap: { uri: URI, version: 1, doc, analysis, ms: 0 },
    mapping: new OffsetMapping(text, text),
  };
}

function cursor(a: Analysed): Position {
  assert.ok(a.position, 'the fixture needs a $0 cursor');
  return a.position;
}

const pos = (p: Position) => `${p.line}:${p.character}`;
const range = (r: Range) => `${pos(r.start)}-${pos(r.end)}`;
const SEVERITY: Record<number, string> = {
  [DiagnosticSeverity.Error]: 'error', [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'information', [DiagnosticSeverity.Hint]: 'hint',
};

function same(actual: string, expected: string): void {
  const norm = (s: string) => s.replace(/^\n/, '').replace(/\n\s*$/, '');
  assert.equal(norm(actual), norm(expected), `actual:\n${actual}\n`);
}

// ---- hover ----------------------------------------------------------------------------------

/** The hover at `$0`: its range, then its markdown with command links shortened to their id. */
function checkHover(fixture: string, expected: string, settings?: Partial<GradlensSettings>): void {
  const a = analyse(fixture, settings);
  const h = hoverAtPosition(a.snap, a.doc, cursor(a), a.mapping);
  if (!h) return same('null', expected);
  const value = (h.contents as { value: string }).value.replace(/\(command:([\w.]+)\?[^)]*\)/g, '($1)');
  same(`${h.range ? range(h.range) : 'no range'}\n${value}`, expected);
}

describe('middle layer: hover', () => {
  it('on an annotated function: partials, value and gradient, check summary, links', () => {
    checkHover(ROSENBROCK_DOC.replace('function rosenbrock', 'function rosen$0brock'), `
5:16-5:26
**rosenbrock**(x, y) · differentiable with respect to \`x\`, \`y\`

\`\`\`text
∂f/∂x = −2(1 − x) − 400x(y − x²)
∂f/∂y = 200(y − x²)
\`\`\`

At x = 1.5, y = -0.25:
- f = 625.25
- ∂f/∂x = 1501
- ∂f/∂y = -500

No hand-written gradient to check (add \`@gradient rosenbrockGrad\` and a function of that name, or insert one).

[Show graph](gradlens.showGraph) · [Compare methods](gradlens.showMethods) · [Insert gradient](gradlens.insertCode) · [closed form](gradlens.insertCode) · [JVP](gradlens.insertCode) · [Hessian](gradlens.insertCode)
`);
  });

  it('on a function with a loop: the adjoint instead of a closed form, no closed-form link', () => {
    checkHover(`/**
 * @differentiable
 * @at w = [1, -2, 3]
 */
function sumSquares$0(w: number[]): number {
  let s = 0;
  for (const v of w) s += v * v;
  return s;
}
`, `
4:9-4:19
**sumSquares**(w) · differentiable with respect to \`w\`

No readable closed form (loops, branches or arrays): ∂f/∂w is the adjoint of \`w\` accumulated by reverse-mode AD through the body.

At w = [1, -2, 3]:
- f = 14
- ∂f/∂w = [2, -4, 6]

No hand-written gradient to check (add \`@gradient sumSquaresGrad\` and a function of that name, or insert one).

[Show graph](gradlens.showGraph) · [Compare methods](gradlens.showMethods) · [Insert gradient](gradlens.insertCode) · [JVP](gradlens.insertCode) · [Hessian](gradlens.insertCode)
`);
  });

  it('on a vector-valued function: Jacobian rows, no Hessian link', () => {
    checkHover(`/**
 * @differentiable
 * @at x = 2, y = 3
 */
function po$0lar(x: number, y: number): [number, number] {
  return [x * y, x + y];
}
`, `
4:9-4:14
**polar**(x, y) · differentiable with respect to \`x\`, \`y\`

Jacobian by forward-mode AD (rows = outputs, columns = x, y); no readable closed form.

At x = 2, y = 3:
- f = [6, 5]
- J[0] = [3, 2]
- J[1] = [1, 1]

No hand-written Jacobian to check.

[Show graph](gradlens.showGraph) · [Compare methods](gradlens.showMethods) · [JVP](gradlens.insertCode)
`);
  });

  it('on a local variable: its value and partials at the first check point', () => {
    checkHover(`/**
 * @differentiable
 * @at x = 2, y = 3
 */
function product(x: number, y: number): number {
  const t = x * y;
  return t$0 + Math.sin(x);
}
`, `
6:9-6:10
\`t\` in **product** at x = 2, y = 3

- t = 6
- ∂t/∂x = 3
- ∂t/∂y = 2
`);
  });

  it('on a hand-written gradient that agrees: ✓ and the components', () => {
    checkHover(`${withGradientTag(ROSENBROCK_DOC, 'rosenbrockGrad')}\n${RIGHT_GRADIENT.replace('rosenbrockGrad', 'rosenbrock$0Grad')}`, `
10:16-10:30
**rosenbrockGrad** · hand-written gradient of \`rosenbrock\` (\`@gradient\`), returns tuple

✓ \`rosenbrockGrad\` agrees with AD at 1 point (largest relative error 0).

At x = 1.5, y = -0.25:

| component | hand-written | AD | finite diff. | rel. error | |
|---|---|---|---|---|---|
| x | 1501 | 1501 | 1501 | 0 | ✓ |
| y | -500 | -500 | -500 | 0 | ✓ |
`);
  });

  it('on a wrong hand-written gradient: the wrong component with its three numbers', () => {
    checkHover(`${withGradientTag(ROSENBROCK_DOC, 'rosenbrockGrad')}\n${WRONG_GRADIENT.replace('rosenbrockGrad', 'rosenbrock$0Grad')}`, `
10:16-10:30
**rosenbrockGrad** · hand-written gradient of \`rosenbrock\` (\`@gradient\`), returns tuple

✗ \`rosenbrockGrad\` is wrong: hand-written ∂rosenbrock/∂y is -250, AD says -500 (finite differences -500) at x = 1.5, y = -0.25.

At x = 1.5, y = -0.25:

| component | hand-written | AD | finite diff. | rel. error | |
|---|---|---|---|---|---|
| x | 1501 | 1501 | 1501 | 0 | ✓ |
| y | -250 | -500 | -500 | 0.5 | ✗ wrong |
`);
  });

  it('says when the gradient is paired by name', () => {
    checkHover(`${ROSENBROCK_DOC}\n${RIGHT_GRADIENT.replace('rosenbrockGrad', '$0rosenbrockGrad')}`, `
9:16-9:30
**rosenbrockGrad** · hand-written gradient of \`rosenbrock\` (paired by name), returns tuple

✓ \`rosenbrockGrad\` (paired by name) agrees with AD at 1 point (largest relative error 0).

At x = 1.5, y = -0.25:

| component | hand-written | AD | finite diff. | rel. error | |
|---|---|---|---|---|---|
| x | 1501 | 1501 | 1501 | 0 | ✓ |
| y | -500 | -500 | -500 | 0 | ✓ |
`);
  });

  it('has nothing to say outside annotated functions, nor on a numeric function without @differentiable', () => {
    checkHover(`const a$0 = 1;\n${ROSENBROCK_DOC}`, 'null');
    checkHover('export function squ$0are(x: number): number {\n  return x * x;\n}\n', 'null');
  });
});

// ---- code lens ------------------------------------------------------------------------------

/** Every lens as `line:col  title  → command(arguments)`. */
function checkLens(fixture: string, expected: string, settings?: Partial<GradlensSettings>): void {
  const a = analyse(fixture, settings);
  const lenses = codeLensesFor(a.snap, a.doc, a.mapping, a.settings);
  const lines = lenses.map((l) => {
    const c = l.command!;
    const args = (c.arguments ?? []).map((x) => (x === URI ? 'uri' : JSON.stringify(x))).join(', ');
    return `${pos(l.range.start)}  ${c.title}  → ${c.command || '(text)'}(${args})`;
  });
  same(lines.join('\n') || '(none)', expected);
}

describe('middle layer: code lens', () => {
  it('a gradient that checks out, and "Show graph"', () => {
    checkLens(ROSENBROCK_RIGHT, `
6:16  ✓ rosenbrockGrad checked at 1 point  → gradlens.showMethods(uri, "rosenbrock")
6:16  Show graph  → gradlens.showGraph(uri, "rosenbrock")
`);
  });

  it('a wrong gradient names the wrong components, and its lens goes to the first one (100 * (y - x * x))', () => {
    const a = analyse(ROSENBROCK_WRONG);
    const lens = codeLensesFor(a.snap, a.doc, a.mapping, a.settings)[0];
    const r = lens.command!.arguments![1] as Range;
    assert.equal(a.doc.getText(r), '100 * (y - x * x)');
    checkLens(ROSENBROCK_WRONG, `
6:16  ✗ rosenbrockGrad: y wrong  → gradlens.revealRange(uri, {"start":{"line":11,"character":48},"end":{"line":11,"character":65}})
6:16  Show graph  → gradlens.showGraph(uri, "rosenbrock")
`);
  });

  it('a gradient of the wrong shape', () => {
    checkLens(`/**
 * @differentiable
 * @at x = 1, y = 2
 */
export function product(x: number, y: number): number {
  return x * y;
}

export function productGrad(x: number, y: number): number {
  return y;
}
`, `
4:16  ✗ productGrad: wrong shape  → gradlens.showMethods(uri, "product")
4:16  Show graph  → gradlens.showGraph(uri, "product")
`);
  });

  it('no hand-written gradient: plain text, one lens per annotated function', () => {
    checkLens(`${ROSENBROCK_DOC}\n/** @differentiable */\nexport const cube = (x: number): number => x * x * x;\n`, `
5:16  ∇ differentiable · no hand-written gradient  → (text)()
5:16  Show graph  → gradlens.showGraph(uri, "rosenbrock")
10:13  ∇ differentiable · no hand-written gradient  → (text)()
10:13  Show graph  → gradlens.showGraph(uri, "cube")
`);
  });

  it('counts the problems the catalogue marks (GL002, GL005), not hints (GL004)', () => {
    checkLens(`/**
 * @differentiable
 * @at x = 2
 */
export function scaled(x: number): number {
  const o = { k: [3] };
  return o.k[0] * x * x;
}

/**
 * @differentiable
 * @wrt z
 */
export function square(x: number): number {
  return x * x;
}

/**
 * @differentiable
 * @at x = 0
 */
export function absolute(x: number): number {
  return Math.abs(x);
}
`, `
4:16  ∇ 2 problems  → (text)()
4:16  Show graph  → gradlens.showGraph(uri, "scaled")
13:16  ∇ 1 problem  → (text)()
13:16  Show graph  → gradlens.showGraph(uri, "square")
21:16  ∇ differentiable · no hand-written gradient  → (text)()
21:16  Show graph  → gradlens.showGraph(uri, "absolute")
`);
  });

  it('none with gradlens.codeLens.enabled = false', () => {
    checkLens(ROSENBROCK_RIGHT, '(none)', { codeLens: false });
  });
});

// ---- code actions ---------------------------------------------------------------------------

/**
 * The actions at `$0`, given the diagnostics at the cursor as a client sends them (or none with
 * `diagnostics: false`), one a line: `title · kind · action data [· preferred] [· fixes codes]`.
 */
function checkActions(fixture: string, expected: string, opts: { only?: string[]; diagnostics?: boolean; settings?: Partial<GradlensSettings> } = {}): void {
  const a = analyse(fixture, opts.settings);
  const at = cursor(a);
  const offset = a.doc.offsetAt(at);
  const sent = opts.diagnostics === false ? [] : toLspDiagnostics(a.doc, a.snap.analysis.diagnostics)
    .filter((d) => a.doc.offsetAt(d.range.start) <= offset && offset <= a.doc.offsetAt(d.range.end));
  const actions = listCodeActions(a.snap, a.doc, { textDocument: { uri: URI }, range: { start: at, end: at }, context: { diagnostics: sent, only: opts.only } }, a.mapping);
  const lines = actions.map((x) => {
    const d = x.data as ActionData;
    const parts = [x.title, x.kind ?? '', `${d.action} ${d.fn}${'mode' in d ? ` ${d.mode}` : ''}`];
    if (x.isPreferred) parts.push('preferred');
    if (x.diagnostics?.length) parts.push(`fixes ${x.diagnostics.map((g) => g.code).join(', ')}`);
    return parts.join(' · ');
  });
  same(lines.join('\n') || '(none)', expected);
}

describe('middle layer: code actions', () => {
  it('inside an annotated function without a gradient: every insertion, closed form included', () => {
    checkActions(ROSENBROCK_DOC.replace('(1 - x) ** 2', '(1 - $0x) ** 2'), `
Insert gradient function (reverse mode) · refactor.gradlens · insert rosenbrock reverse
Insert gradient function (closed form) · refactor.gradlens · insert rosenbrock closed
Insert forward-mode (JVP) function · refactor.gradlens · insert rosenbrock jvp
Insert Hessian function · refactor.gradlens · insert rosenbrock hessian
Insert gradient-check test · refactor.gradlens · test rosenbrock
`);
  });

  it('no closed form where it is not readable (a loop)', () => {
    checkActions(`/**
 * @differentiable
 * @at w = [1, -2, 3]
 */
function sumSquares(w: number[]): number {
  let s = 0;
  for (const v of w) s += v$0 * v;
  return s;
}
`, `
Insert gradient function (reverse mode) · refactor.gradlens · insert sumSquares reverse
Insert forward-mode (JVP) function · refactor.gradlens · insert sumSquares jvp
Insert Hessian function · refactor.gradlens · insert sumSquares hessian
Insert gradient-check test · refactor.gradlens · test sumSquares
`);
  });

  it('a vector-valued function: no Hessian, no gradient-check test', () => {
    checkActions(`/**
 * @differentiable
 * @at x = 2, y = 3
 */
function polar(x: number, y: number): [number, number] {
  return [x $0* y, x + y];
}
`, `
Insert gradient function (reverse mode) · refactor.gradlens · insert polar reverse
Insert forward-mode (JVP) function · refactor.gradlens · insert polar jvp
`);
  });

  it('on a GL001: the preferred quick fix for the diagnostic, then the insertions', () => {
    checkActions(ROSENBROCK_WRONG.replace('100 * (y - x * x)];', '100 * ($0y - x * x)];'), `
Fix hand-written gradient · quickfix · fix rosenbrock · preferred · fixes GL001
Insert gradient function (reverse mode) · refactor.gradlens · insert rosenbrock reverse
Insert gradient function (closed form) · refactor.gradlens · insert rosenbrock closed
Insert forward-mode (JVP) function · refactor.gradlens · insert rosenbrock jvp
Insert Hessian function · refactor.gradlens · insert rosenbrock hessian
Insert gradient-check test · refactor.gradlens · test rosenbrock
`);
  });

  it('on a wrong gradient without the diagnostic (a client that sends none): a plain quick fix', () => {
    checkActions(ROSENBROCK_WRONG.replace('100 * (y - x * x)];', '100 * ($0y - x * x)];'), `
Fix hand-written gradient · quickfix · fix rosenbrock
`, { only: [CodeActionKind.QuickFix], diagnostics: false });
  });

  it('on a GL006: the quick fix the catalogue lists for it', () => {
    checkActions(`/**
 * @differentiable
 * @at x = 1, y = 2
 */
export function product(x: number, y: number): number {
  return x * y;
}

export function product$0Grad(x: number, y: number): number {
  return y;
}
`, `
Fix hand-written gradient · quickfix · fix product · preferred · fixes GL006
`, { only: [CodeActionKind.QuickFix] });
  });

  it('no quick fix on a code the catalogue gives none (GL002), only the refactorings', () => {
    checkActions(`/**
 * @differentiable
 * @at x = 2
 */
export function scaled(x: number): number {
  const o = { $0k: 3 };
  return o.k * x * x;
}
`, '(none)', { only: [CodeActionKind.QuickFix] });
  });

  it('on a numeric function without @differentiable: Add @differentiable', () => {
    checkActions('export function squ$0are(x: number): number {\n  return x * x;\n}\n', `
Add @differentiable · refactor.rewrite · annotate square
`);
  });

  it('honours `only`: refactorings only', () => {
    checkActions(ROSENBROCK_WRONG.replace('100 * (y - x * x)];', '100 * ($0y - x * x)];'), `
Insert gradient function (reverse mode) · refactor.gradlens · insert rosenbrock reverse
Insert gradient function (closed form) · refactor.gradlens · insert rosenbrock closed
Insert forward-mode (JVP) function · refactor.gradlens · insert rosenbrock jvp
Insert Hessian function · refactor.gradlens · insert rosenbrock hessian
Insert gradient-check test · refactor.gradlens · test rosenbrock
`, { only: [CodeActionKind.Refactor] });
  });
});

// ---- diagnostics ----------------------------------------------------------------------------

/**
 * The LSP diagnostics of the analysis (only those touching `$0` when the fixture has one), one a
 * line: `range severity code "covered text": message`. Every one links to its code's page.
 */
function checkDiagnostics(fixture: string, expected: string, settings?: Partial<GradlensSettings>): Diagnostic[] {
  const a = analyse(fixture, settings);
  return renderDiagnostics(a, a.snap.analysis.diagnostics, expected);
}

function renderDiagnostics(a: Analysed, engine: readonly EngineDiagnostic[], expected: string): Diagnostic[] {
  let ds = toLspDiagnostics(a.doc, engine);
  if (a.position) {
    const offset = a.doc.offsetAt(a.position);
    ds = ds.filter((d) => a.doc.offsetAt(d.range.start) <= offset && offset <= a.doc.offsetAt(d.range.end));
  }
  for (const d of ds) {
    assert.equal(d.source, 'gradlens');
    assert.equal(d.codeDescription?.href, helpUri(d.code as never), `${d.code} links to its documentation`);
  }
  const lines = [...ds]
    .sort((x, y) => x.range.start.line - y.range.start.line || x.range.start.character - y.range.start.character)
    .map((d) => `${range(d.range)} ${SEVERITY[d.severity!]} ${d.code} ${JSON.stringify(a.doc.getText(d.range))}: ${d.message}`);
  same(lines.join('\n') || '(none)', expected);
  return ds;
}

describe('middle layer: diagnostics', () => {
  it('GL001 on the wrong component, with related information on the function', () => {
    const [d] = checkDiagnostics(ROSENBROCK_WRONG.replace('100 * (y - x * x)];', '100 * ($0y - x * x)];'), `
11:48-11:65 warning GL001 "100 * (y - x * x)": ∂rosenbrock/∂y is wrong at x = 1.5, y = -0.25: hand-written -250, AD -500, finite differences -500 (relative error 0.5).
`);
    assert.deepEqual(d.data, { functionName: 'rosenbrock' });
    assert.ok((d.relatedInformation ?? []).length > 0);
  });

  it('nothing on a right gradient', () => {
    checkDiagnostics(ROSENBROCK_RIGHT, '(none)');
  });

  it('a huge rtol (a setting) accepts the wrong gradient', () => {
    checkDiagnostics(ROSENBROCK_WRONG, '(none)', { rtol: 0.9 });
  });

  it('GL002 on each construct outside the subset', () => {
    checkDiagnostics(`/**
 * @differentiable
 * @at x = 2
 */
export function scaled(x: number): number {
  const o = { k: [3] };
  return o.k[0] * x * x;
}
`, `
5:14-5:20 warning GL002 "k: [3]": A record field holding an array is outside Gradlens's differentiable subset. Records hold numbers, booleans, strings and other records; pass arrays as parameters of their own.
6:9-6:12 warning GL002 "o.k": The property access 'o.k' is outside Gradlens's differentiable subset. Properties are read from records (\`p.x\` of \`p: Vec2\`); pass numbers, arrays and records.
`);
  });

  it('GL004 is a hint; GL005 an error, on the tag', () => {
    checkDiagnostics(`/**
 * @differentiable
 * @at x = 0
 */
export function absolute(x: number): number {
  return Math.abs(x);
}

/**
 * @differentiable
 * @wrt z
 */
export function square(x: number): number {
  return x * x;
}
`, `
5:9-5:20 hint GL004 "Math.abs(x)": The check point x = 0 sits on a non-differentiable point: abs at 0. Gradlens uses the minimum-norm subgradient there (PyTorch's rule); finite differences cannot confirm it.
10:8-10:9 error GL005 "z": @wrt names 'z', which is not a parameter of 'square' (parameters: x).
`);
  });

  it('severities come from the catalogue: a GL009 reported as an error is a warning; notes keep theirs', () => {
    const a = analyse('const a = 1;\n');
    renderDiagnostics(a, [
      { code: 'GL009', severity: 'error', message: 'Gradlens could not analyse this file.', range: { start: 0, end: 0 } },
      { code: 'GL007', severity: 'information', message: 'the first 64 are checked', range: { start: 6, end: 7 } },
      { code: 'GL001', severity: 'hint', message: 'wrong', range: { start: 10, end: 11 } },
    ], `
0:0-0:0 warning GL009 "": Gradlens could not analyse this file.
0:6-0:7 information GL007 "a": the first 64 are checked
0:10-0:11 warning GL001 "1": wrong
`);
  });
});

describe('middle layer: hover wording', () => {
  it('a relative error at rounding level reads as ≈ 0; an empty shape is not written as ()', () => {
    assert.equal(formatRelError(2.1e-16), '≈ 0');
    assert.equal(formatRelError(0), '0');
    assert.equal(formatRelError(0.5), '0.5');
    const fa = { name: 'f', vectorValued: false, check: { name: 'fGrad', pairedBy: 'tag', status: 'shape', shape: '', points: [] } };
    assert.equal(checkSummary(fa as never), '✗ `fGrad` returns the wrong shape.');
  });
});

describe('middle layer: quick fixes found with the diagnostic', () => {
  it('a @wrt typo: GL005 asks "did you mean", and its quick fix changes the name', () => {
    const a = analyse(`/**
 * @differentiable
 * @wrt x, yy$0
 * @at x = 1, y = 2
 */
export function f(x: number, y: number): number {
  return x * y;
}
`);
    const at = cursor(a);
    const diagnostics = toLspDiagnostics(a.doc, a.snap.analysis.diagnostics);
    const gl005 = diagnostics.find((d) => d.code === 'GL005');
    assert.ok(gl005, JSON.stringify(diagnostics));
    assert.match(gl005.message, /did you mean 'y'\?/);
    // underlined on the misspelt name, not the whole tag
    assert.deepEqual(gl005.range, { start: { line: 2, character: 11 }, end: { line: 2, character: 13 } });
    const actions = listCodeActions(a.snap, a.doc, { textDocument: { uri: URI }, range: { start: at, end: at }, context: { diagnostics: [gl005] } }, a.mapping);
    const fix = actions.find((x) => x.title === "Change 'yy' to 'y'");
    assert.ok(fix?.edit?.changes, actions.map((x) => x.title).join('\n'));
    assert.equal(fix.kind, CodeActionKind.QuickFix);
    const edited = TextDocument.applyEdits(a.doc, fix.edit.changes[URI]);
    assert.match(edited, / \* @wrt x, y\n/);
    assert.deepEqual(analyzeFile(edited).diagnostics.filter((d) => d.code === 'GL005'), []);
  });

  it('no guess when no parameter is close', () => {
    const a = analyse(`/**
 * @differentiable
 * @wrt velocity
 * @at x = 1
 */
export function f(x: number): number {
  return x * x;
}
`);
    const gl005 = a.snap.analysis.diagnostics.find((d) => d.code === 'GL005');
    assert.ok(gl005 && !/did you mean/.test(gl005.message) && !gl005.fixes, JSON.stringify(gl005));
  });
});

describe('middle layer: quick fixes found with the diagnostic, in @at', () => {
  it('an @at typo: "did you mean", and the fix renames it in the point', () => {
    const a = analyse(`/**
 * @differentiable
 * @at x = 1, yy = 2$0
 */
export function f(x: number, y: number): number {
  return x * y;
}
`);
    const at = cursor(a);
    const gl005 = toLspDiagnostics(a.doc, a.snap.analysis.diagnostics).find((d) => d.code === 'GL005');
    assert.ok(gl005 && /did you mean 'y'\?/.test(gl005.message), JSON.stringify(gl005));
    const fix = listCodeActions(a.snap, a.doc, { textDocument: { uri: URI }, range: { start: at, end: at }, context: { diagnostics: [gl005] } }, a.mapping)
      .find((x) => x.title === "Change 'yy' to 'y'");
    assert.ok(fix?.edit?.changes);
    const edited = TextDocument.applyEdits(a.doc, fix.edit.changes[URI]);
    assert.match(edited, / \* @at x = 1, y = 2\n/);
    assert.equal(analyzeFile(edited).functions[0].value, 2);
  });
});

describe('middle layer: a helper\'s @derivative rule, on the helper', () => {
  const RULE = (body: string) => `/** @derivative dsq */
function s$0q(x: number): number { return x * x; }
function dsq(x: number): number { return ${body}; }
/**
 * @differentiable
 * @at x = 2
 */
function f(x: number): number { return sq(x) + x; }
`;

  it('its code lens: ✓ when the rule matches AD, ✗ naming the wrong partial and going to it', () => {
    checkLens(RULE('2 * x'), `
7:9  ∇ differentiable · no hand-written gradient  → (text)()
7:9  Show graph  → gradlens.showGraph(uri, "f")
1:9  ✓ rule dsq matches AD at 3 points  → (text)()
`);
    checkLens(RULE('3 * x'), `
7:9  ∇ differentiable · no hand-written gradient  → (text)()
7:9  Show graph  → gradlens.showGraph(uri, "f")
1:9  ✗ rule dsq wrong: ∂sq/∂x  → gradlens.revealRange(uri, {"start":{"line":2,"character":41},"end":{"line":2,"character":46}})
`);
  });

  it('its hover: the rule\'s check, then the helper\'s value and AD gradient', () => {
    checkHover(RULE('3 * x'), `
1:9-1:11
**sq**(x) · helper differentiated through its \`@derivative\` rule \`dsq\`

Derivative rule: ✗ \`dsq\` (\`@derivative\` rule) is wrong: its ∂sq/∂x is -1.9674, AD says -1.3116 (finite differences -1.3116) at x = -0.6558.

AD through the body at x = -0.6558:
- sq = 0.430074
- ∂sq/∂x = -1.3116
`);
    checkHover(RULE('2 * x').replace('function s$0q', 'function sq').replace('function dsq', 'function d$0sq'), `
2:9-2:12
**dsq** · derivative rule of \`sq\` (\`@derivative\`), returns number

✓ \`dsq\` (\`@derivative\` rule) agrees with AD at 3 points (largest relative error 0).

At x = -0.6558:

| component | hand-written | AD | finite diff. | rel. error | |
|---|---|---|---|---|---|
| x | -1.3116 | -1.3116 | -1.3116 | 0 | ✓ |

At x = -0.1386:

| component | hand-written | AD | finite diff. | rel. error | |
|---|---|---|---|---|---|
| x | -0.2772 | -0.2772 | NaN | 0 | ✓ |

At x = 0.8549:

| component | hand-written | AD | finite diff. | rel. error | |
|---|---|---|---|---|---|
| x | 1.7098 | 1.7098 | NaN | 0 | ✓ |
`);
  });
});
