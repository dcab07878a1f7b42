// Quieter while typing: a function that does not parse mid-edit keeps its last good results (its
// diagnostics, code lens, hover and inlay hints, moved to where its code now is), another
// function's diagnostics never drop between keystrokes, and nothing repeats the parser's error,
// names an empty name, or miscounts. Over stdio against dist/server.js, typing character by
// character with small delays; and in process against the engine and the carry-over.

import * as assert from 'node:assert/strict';
import * as ts from 'typescript';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeFile, AnalysisCache } from '../../engine/analyzeFile';
import type { FileAnalysis } from '../../engine/api';
import { carriedResults, namesToCarry, TextShift, withCarried } from '../../server/carryOver';
import { uri } from './fixtures';
import { LspTestClient, positionOf } from './lspClient';

/** `first` is right; `second`'s ∂/∂y is off by a factor of 2 (a GL001 on `100 * (y - x * x)`). */
const TWO = `/**
 * @differentiable
 * @at x = 0.5, y = 2
 */
export function first(x: number, y: number): number {
  const s = Math.sin(x) * y;
  return s * s;
}

export function firstGrad(x: number, y: number): [number, number] {
  const s = Math.sin(x) * y;
  return [2 * s * Math.cos(x) * y, 2 * s * Math.sin(x)];
}

/**
 * @differentiable
 * @at x = 1.5, y = -0.25
 */
export function second(x: number, y: number): number {
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
}

export function secondGrad(x: number, y: number): [number, number] {
  return [-2 * (1 - x) - 400 * x * (y - x * x), 100 * (y - x * x)];
}
`;

/** Typed into `first` before its `return`: an unclosed `{` swallows the rest of the file for a while. Same value. */
const INTO_FIRST = '  const t = 0 * Math.exp(x);\n  if (t > 1) {\n    return t;\n  }\n';
/** Typed into `firstGrad` after its first component: the hand-written gradient is mid-edit. Same value. */
const INTO_GRADIENT = ' + 0 * Math.cos(y)';
/** Typed at the end of the file: a new annotated function. */
const NEW_FUNCTION = '\n/**\n * @differentiable\n */\nexport const sq = (x: number): number => x * x;\n';

interface ParseError { start: number; end: number }

function parseErrors(text: string): ParseError[] {
  const sf = ts.createSourceFile('typed.ts', text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const ds = (sf as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  return ds.map((d) => ({ start: d.start ?? 0, end: (d.start ?? 0) + Math.max(1, d.length ?? 0) }));
}

const PLURALS = ['entries', 'points', 'functions', 'arguments', 'numbers', 'parameters', 'rows', 'elements', 'components', 'problems', 'operations', 'steps'];
const SINGULARS = ['entry', 'point', 'function', 'argument', 'number', 'parameter', 'row', 'element', 'component', 'problem', 'operation', 'step'];
const ONE_MANY = new RegExp(`(?:^|[^\\d.,])1 (?:${PLURALS.join('|')})\\b`);
const MANY_ONE = new RegExp(`(?:^|[^\\d.,])(?:0|[2-9]|[1-9]\\d+) (?:${SINGULARS.join('|')})\\b`);

/** The message when a count disagrees with its noun ("1 entries", "2 entry"), else null. */
function miscounted(message: string): string | null {
  return ONE_MANY.test(message) || MANY_ONE.test(message) ? message : null;
}

describe('server: quieter while typing', function () {
  this.timeout(180_000);
  let client: LspTestClient;
  before(async () => { client = await LspTestClient.start({ settings: { debounce: 10 } }); });
  after(async () => { await client.stop(); });

  it('keeps an untouched function\'s diagnostics in every publish and the edited function\'s last good results, says nothing about half-typed code', async () => {
    const u = uri('typing');
    await client.open(u, TWO);
    const initial = await client.diagnostics(u);
    const secondMessages = (ds: Diagnostic[]) => ds.filter((d) => d.message.includes('∂second/')).map((d) => d.message).sort();
    const expected = secondMessages(initial);
    assert.equal(expected.length, 1, JSON.stringify(initial));
    assert.deepEqual(initial.filter((d) => d.code === 'GL001').length, 1);
    const goodLenses = await client.codeLenses(u);
    assert.ok(goodLenses.some((l) => l.command?.title.startsWith('✓ firstGrad checked')), JSON.stringify(goodLenses));
    const goodHints = (await client.inlayHints(u)).filter((h) => h.position.line < positionOf(TWO, 'export function firstGrad').line).length;
    assert.ok(goodHints > 0, 'first has inlay hints');
    const publishedBefore = client.published.get(u)!.length;

    const texts = new Map<number, string>([[1, TWO]]);
    let random = 7;
    const pause = () => new Promise((r) => setTimeout(r, 5 + ((random = (random * 48271) % 2147483647) % 40)));
    let midEditChecks = 0;

    /** Types `insert` at `anchor` (plus `delta`) character by character; in some mid-edit states, waits for the analysis and checks `first`'s results. */
    const type = async (anchor: string, delta: number, insert: string): Promise<void> => {
      const base = client.text(u);
      const at = base.indexOf(anchor) + delta;
      assert.ok(at >= delta, anchor);
      for (let i = 0; i < insert.length; i++) {
        const doc = client.docs.get(u)!;
        const version = await client.change(u, [{ range: { start: doc.positionAt(at + i), end: doc.positionAt(at + i) }, text: insert[i] }]);
        const text = client.text(u);
        texts.set(version, text);
        const firstAt = text.indexOf('export function first(');
        if (i % 4 === 3 && parseErrors(text).length > 0) {
          // Something does not parse (`first`, its gradient, the new function): once this very
          // version is analysed, `first` still has its lens, hover and hints.
          const ds = await client.diagnostics(u);
          midEditChecks++;
          const doc = client.docs.get(u)!;
          const state = JSON.stringify(text.slice(at, at + i + 1));
          const line = doc.positionAt(firstAt).line;
          // `first`'s results in this publish (in `first` or its gradient): none, when its last good analysis had no problem.
          const secondLine = doc.positionAt(text.indexOf('/**', text.indexOf('export function firstGrad'))).line;
          const clean = !ds.some((d) => d.range.start.line < secondLine);
          const lenses = await client.codeLenses(u);
          const onFirst = lenses.filter((l) => l.range.start.line === line).map((l) => l.command?.title ?? '');
          assert.ok(onFirst.includes('Show graph') && onFirst.some((t) => t !== 'Show graph'), `no lens on first at ${state}: ${JSON.stringify(lenses.map((l) => l.command?.title))}`);
          if (clean) assert.ok(onFirst.some((t) => t.startsWith('✓ firstGrad checked')), `first's lens at ${state}: ${JSON.stringify(onFirst)}`);
          assert.ok(lenses.some((l) => l.command?.title.startsWith('✗ secondGrad')), `no lens on second at ${state}`);
          const hover = await client.hoverText(u, positionOf(text, 'function first(', 'function '.length + 1));
          assert.ok(hover?.includes('first'), `no hover on first at ${state}: ${hover}`);
          if (clean) {
            assert.ok(hover!.includes('∂f/∂x') || hover!.includes('firstGrad'), `first's hover at ${state}: ${hover}`);
            const hints = (await client.inlayHints(u)).filter((h) => h.position.line < doc.positionAt(text.indexOf('export function firstGrad')).line);
            assert.ok(hints.length > 0, `no inlay hints in first at ${state}`);
          }
        }
        await pause();
      }
    };

    await type('  return s * s;', 0, INTO_FIRST);
    await type('2 * s * Math.cos(x) * y', '2 * s * Math.cos(x) * y'.length, INTO_GRADIENT);
    await type('export function secondGrad', TWO.length - TWO.indexOf('export function secondGrad'), NEW_FUNCTION);
    // `const = …`: the name deleted.
    {
      const text = client.text(u);
      const doc = client.docs.get(u)!;
      const at = text.indexOf('const sq') + 'const '.length;
      texts.set(await client.change(u, [{ range: { start: doc.positionAt(at), end: doc.positionAt(at + 2) }, text: '' }]), client.text(u));
    }
    const final = await client.diagnostics(u, 60_000);
    assert.ok(midEditChecks >= 5, `only ${midEditChecks} mid-edit states checked`);

    const publishes: PublishDiagnosticsParams[] = client.published.get(u)!.slice(publishedBefore);
    assert.ok(publishes.length >= 10, `only ${publishes.length} publishes`);
    for (const p of publishes) {
      const text = texts.get(p.version!);
      assert.ok(text !== undefined, `a publish for unknown version ${p.version}`);
      const doc = TextDocument.create(u, 'typescript', p.version!, text);
      const where = `in version ${p.version} (${JSON.stringify(text.slice(text.indexOf('function first'), text.indexOf('function first') + 160))})`;
      // (1) The untouched function's GL001, on the same code, in every publish.
      assert.deepEqual(secondMessages(p.diagnostics), expected, `second's diagnostics changed ${where}: ${JSON.stringify(p.diagnostics.map((d) => d.message))}`);
      const gl001 = p.diagnostics.find((d) => d.message.includes('∂second/'))!;
      assert.equal(text.slice(doc.offsetAt(gl001.range.start), doc.offsetAt(gl001.range.end)), '100 * (y - x * x)', `second's GL001 moved off its code ${where}`);
      // (3) Nothing repeats a syntax error, nothing names an empty name.
      const errors = parseErrors(text);
      for (const d of p.diagnostics) {
        const start = doc.offsetAt(d.range.start);
        const end = Math.max(start + 1, doc.offsetAt(d.range.end));
        if (d.code === 'GL002') assert.ok(!errors.some((e) => e.start < end && start < e.end), `a GL002 over a syntax error ${where}: ${d.message}`);
        assert.ok(!d.message.includes("''"), `an empty name ${where}: ${d.message}`);
        // (4) Counts agree with their nouns.
        assert.equal(miscounted(d.message), null, where);
      }
    }
    // Back to parsing code: `first` is checked again (its value did not change), `second` still wrong.
    assert.deepEqual(secondMessages(final), expected);
    assert.equal(final.filter((d) => d.code === 'GL001').length, 1, JSON.stringify(final));
    const lenses = await client.codeLenses(u);
    assert.ok(lenses.some((l) => l.command?.title.startsWith('✓ firstGrad checked')), JSON.stringify(lenses.map((l) => l.command?.title)));
    for (const l of lenses) assert.equal(miscounted(l.command?.title ?? ''), null);
    for (const s of client.statuses.filter((x) => x.uri === u)) assert.equal(miscounted(s.text), null, s.text);
    assert.equal(client.exited, null, client.stderr);
  });

  it('publishes the diagnostics of a function swallowed by an unclosed brace above it at their new place', async () => {
    const u = uri('swallowed');
    await client.open(u, TWO);
    await client.diagnostics(u);
    // An unclosed block in `first`, and three lines inserted above `second`: its GL001 moves with it.
    const at = positionOf(TWO, '  return s * s;');
    await client.change(u, [{ range: { start: at, end: at }, text: '  if (y > 0) {\n\n\n' }]);
    const text = client.text(u);
    const ds = await client.diagnostics(u);
    const doc = client.docs.get(u)!;
    const gl001 = ds.filter((d) => d.code === 'GL001');
    assert.equal(gl001.length, 1, JSON.stringify(ds));
    assert.equal(text.slice(doc.offsetAt(gl001[0].range.start), doc.offsetAt(gl001[0].range.end)), '100 * (y - x * x)');
    assert.ok(!ds.some((d) => d.code === 'GL002'), JSON.stringify(ds));
    const hover = await client.hoverText(u, positionOf(text, 'function second(', 'function '.length + 1));
    assert.ok(hover?.includes('secondGrad'), hover ?? 'no hover');
    // Deleting `second` while `first` is still open drops it.
    const from = text.indexOf('/**', text.indexOf('return s * s;'));
    const to = text.indexOf('export function secondGrad');
    await client.change(u, [{ range: { start: doc.positionAt(from), end: doc.positionAt(to) }, text: '' }]);
    const after = await client.diagnostics(u);
    assert.deepEqual(after.filter((d) => d.code === 'GL001'), [], JSON.stringify(after));
    assert.ok(!(await client.codeLenses(u)).some((l) => l.command?.title.includes('secondGrad')));
  });
});

describe('engine: functions mid-edit', () => {
  /** Every state of typing `insert` at `at` into `text`, analysed incrementally as the server does. */
  function typed(text: string, at: number, insert: string): { text: string; analysis: FileAnalysis }[] {
    const cache = new AnalysisCache();
    const out = [];
    for (let i = 0; i <= insert.length; i++) {
      const t = text.slice(0, at) + insert.slice(0, i) + text.slice(at);
      out.push({ text: t, analysis: analyzeFile(t, { randomPoints: 1 }, cache) });
    }
    return out;
  }

  it('skips a function with a syntax error, also one reported at the end of the file, and says nothing about it', () => {
    for (const { text, analysis } of typed(TWO, TWO.indexOf('  return s * s;'), INTO_FIRST)) {
      const broken = parseErrors(text).length > 0;
      const where = JSON.stringify(text.slice(text.indexOf('function first'), text.indexOf('function first') + 120));
      assert.equal(analysis.skipped.some((s) => s.name === 'first'), broken, where);
      if (broken) {
        assert.ok(!analysis.diagnostics.some((d) => d.functionName === 'first'), `${where}: ${JSON.stringify(analysis.diagnostics)}`);
        assert.ok(!analysis.functions.some((f) => f.name === 'first'), where);
      }
    }
  });

  it('skips a function whose hand-written gradient is mid-edit, and says why', () => {
    const at = TWO.indexOf('2 * s * Math.cos(x) * y') + '2 * s * Math.cos(x) * y'.length;
    let skipped = 0;
    for (const { text, analysis } of typed(TWO, at, INTO_GRADIENT)) {
      const broken = parseErrors(text).length > 0;
      const s = analysis.skipped.find((f) => f.name === 'first');
      assert.equal(!!s, broken, text.slice(at, at + 30));
      if (s) {
        skipped++;
        assert.equal(s.reason, "its hand-written gradient, 'firstGrad', has a syntax error");
        assert.ok(!analysis.diagnostics.some((d) => d.functionName === 'first'));
      }
      assert.ok(analysis.functions.some((f) => f.name === 'second'));
    }
    assert.ok(skipped > 3);
    // The shape check of a half-typed tuple is not run: `[a, ` is not a one-entry tuple.
    const half = TWO.replace('2 * s * Math.sin(x)];', '');
    assert.deepEqual(analyzeFile(half).diagnostics.filter((d) => d.functionName === 'first'), []);
  });

  it('lists no function without a name', () => {
    const text = `${TWO}\n/**\n * @differentiable\n */\nexport const = (x: number): number => x * x;\n/** @differentiable */\nfunction (x: number): number { return x; }\n`;
    const a = analyzeFile(text);
    assert.deepEqual(a.skipped, []);
    assert.ok(!a.diagnostics.some((d) => d.message.includes("''")), JSON.stringify(a.diagnostics));
    assert.equal(a.diagnostics.filter((d) => d.code === 'GL001').length, 1);
  });
});

describe('server: carrying results over', () => {
  it('maps offsets outside the edited region exactly and clamps those inside it', () => {
    const shift = new TextShift('abcdefgh', 'abcXYZfgh');
    assert.deepEqual(shift.range({ start: 0, end: 2 }), { start: 0, end: 2 });
    assert.deepEqual(shift.range({ start: 6, end: 8 }), { start: 7, end: 9 });
    assert.deepEqual(shift.range({ start: 4, end: 7 }), { start: 3, end: 8 });
    assert.ok(shift.unchanged({ start: 5, end: 8 }));
    assert.ok(!shift.unchanged({ start: 2, end: 5 }));
  });

  it('maps offsets across several edited places, and agrees with the text on random edits', () => {
    const older = 'one\ntwo\nthree\nfour\nfive\nsix\n';
    const newer = 'one\ntwo!\nthree\nfour\n\nfive\nsixty\n';
    const shift = new TextShift(older, newer);
    for (const word of ['one', 'three', 'four', 'five']) {
      const at = older.indexOf(word);
      assert.deepEqual(shift.range({ start: at, end: at + word.length }), { start: newer.indexOf(word), end: newer.indexOf(word) + word.length }, word);
      assert.ok(shift.unchanged({ start: at, end: at + word.length }), word);
    }
    assert.ok(!shift.unchanged({ start: older.indexOf('two'), end: older.indexOf('two') + 4 }));
    // Random edits in random places: every unedited character maps onto itself.
    let seed = 3;
    const rnd = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    for (let round = 0; round < 200; round++) {
      const lines = Array.from({ length: 5 + rnd(30) }, (_, i) => `line ${i} ${'x'.repeat(rnd(5))}`);
      const a = lines.join('\n');
      const keep: boolean[] = [];
      let b = '';
      for (let i = 0; i < a.length; i++) {
        if (rnd(40) === 0) { b += ['\n', 'yy', '}', 'line 3 '][rnd(4)]; }
        if (rnd(60) === 0) { keep.push(false); continue; }
        keep.push(true);
        b += a[i];
      }
      const s = new TextShift(a, b);
      for (let i = 0; i < a.length; i++) {
        if (!keep[i]) continue;
        const r = s.range({ start: i, end: i + 1 });
        if (s.unchanged({ start: i, end: i + 1 })) assert.equal(b[r.start], a[i], `round ${round} at ${i}`);
      }
    }
  });

  it('keeps the last good analysis of a function skipped for a syntax error, with its ranges moved, and never its check points', () => {
    const good = analyzeFile(TWO);
    const at = TWO.indexOf('  const s = Math.sin(x) * y;\n  return s * s;');
    const next = '/* a comment above */\n' + TWO.slice(0, at) + '  const u = (\n' + TWO.slice(at);
    const broken = analyzeFile(next);
    assert.deepEqual(broken.skipped.map((s) => s.name), ['first']);
    const names = namesToCarry({ text: TWO, functions: good.functions }, broken, next);
    assert.deepEqual([...names], ['first']);
    const { analysis, names: carried } = withCarried(broken, carriedResults({ text: TWO, functions: good.functions, diagnostics: good.diagnostics }, next, names), names);
    assert.deepEqual(carried, ['first']);
    assert.deepEqual(analysis.functions.map((f) => f.name), ['first', 'second']);
    const first = analysis.functions[0];
    const before = good.functions[0];
    assert.equal(next.slice(first.nameRange.start, first.nameRange.end), 'first');
    assert.deepEqual(first.points, before.points);
    const local = first.locals.find((l) => l.name === 's')!;
    for (const r of local.ranges) assert.equal(next.slice(r.start, r.end), 's');
    assert.equal(next.slice(first.check!.nameRange.start, first.check!.nameRange.end), 'firstGrad');
    // A function that parses is never carried, nor one deleted meanwhile.
    assert.deepEqual([...namesToCarry({ text: TWO, functions: good.functions }, good, TWO)], []);
  });
});
