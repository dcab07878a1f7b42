// The harness of the declaration-form fixtures (forms.test.ts, closureAndPrototypeForms.test.ts):
// a fixture is a source with a hand-written derivative whose components are holes (`$0`, `$1`…),
// filled with the right texts (no GL001, check ok) or with one wrong text (a sign, a factor, an
// index), which must be caught by exactly one GL001 on that text; and the insert action, whose
// generated code must land where the form puts code, parse, and check ok against AD.

import * as assert from 'node:assert/strict';
import ts from 'typescript';
import { analyzeFile } from '../../engine/analyzeFile';

export interface FormFixture {
  name: string;
  /** The source; `$0`, `$1`… stand for the hand-written derivative's components. */
  src: string;
  /** The analysed function and its hand-written derivative, by qualified name. */
  fn: string;
  hand: string;
  right: string[];
  /** Wrong versions: which component is wrong, and its text. */
  wrong: { kind: 'sign' | 'factor' | 'index'; at: number; text: string }[];
  /** Where the GL001 lands when it is not on the wrong text itself (the accumulator a loop returns). */
  lands?: string;
}

export function fill(src: string, parts: string[]): string {
  return src.replace(/\$(\d)/g, (_, i: string) => parts[Number(i)]);
}

/** A `describe` per fixture: the right derivative passes, each wrong one is one GL001 on its text. */
export function describeFormFixtures(fixtures: readonly FormFixture[]): void {
  for (const f of fixtures) {
    describe(f.name, () => {
      it('the right derivative passes', () => {
        const src = fill(f.src, f.right);
        const a = analyzeFile(src);
        const fa = a.functions.find((x) => x.name === f.fn);
        assert.ok(fa, `analysed as ${f.fn}: ${a.functions.map((x) => x.name).join(', ')}; ${JSON.stringify(a.diagnostics.map((d) => d.message))}`);
        assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error' || d.code === 'GL001' || d.code === 'GL002' || d.code === 'GL009').map((d) => d.message), []);
        assert.equal(fa!.check?.name, f.hand);
        assert.equal(fa!.check?.status, 'ok');
        assert.deepEqual(a.skipped, []);
      });
      for (const w of f.wrong) {
        it(`a wrong ${w.kind} is caught on its component`, () => {
          const parts = [...f.right];
          parts[w.at] = w.text;
          const src = fill(f.src, parts);
          const a = analyzeFile(src);
          const gl001 = a.diagnostics.filter((d) => d.code === 'GL001');
          assert.equal(gl001.length, 1, JSON.stringify(a.diagnostics.map((d) => d.message)));
          // On the wrong expression, or (a loop's accumulator) on the `s` of the hand's `return s`.
          const want = f.lands ? src.indexOf(f.lands) + 'return '.length : src.lastIndexOf(w.text);
          assert.equal(gl001[0].range.start, want, src.slice(gl001[0].range.start, gl001[0].range.end));
          if (!f.lands) assert.equal(src.slice(gl001[0].range.start, gl001[0].range.end), w.text);
          assert.equal(gl001[0].functionName, f.fn);
          assert.equal(a.functions.find((x) => x.name === f.fn)!.check?.status, 'wrong');
        });
      }
    });
  }
}

export interface InsertCase {
  name: string;
  src: string;
  fn: string;
  /** The generated derivative the function is then paired with. */
  hand: string;
  /** Where the generated code must be. */
  placed: RegExp;
}

/**
 * An `it` per case: the insert action's edits applied, the result parses, the generated code is
 * where `placed` says, and the function is then paired with it (by name or a tag) and checks ok.
 */
export function itInsertsByForm(cases: readonly InsertCase[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const { insertEdits } = require('../../server/codeEdits') as typeof import('../../server/codeEdits');
      const logs: string[] = [];
      const edits = insertEdits(c.src, c.fn, 'reverse', null, (m) => logs.push(m));
      assert.ok(edits && edits.length > 0, logs.join('\n'));
      let out = c.src;
      for (const e of [...edits!].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
      assert.match(out, c.placed, out);
      const sf = ts.createSourceFile('x.ts', out, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
      assert.deepEqual((sf as unknown as { parseDiagnostics: { messageText: string }[] }).parseDiagnostics.map((d) => d.messageText), [], out);
      const a = analyzeFile(out);
      const fa = a.functions.find((f) => f.name === c.fn)!;
      assert.equal(fa.check?.name, c.hand, out);
      assert.equal(fa.check?.status, 'ok', JSON.stringify(a.diagnostics.map((d) => d.message)));
    });
  }
}
