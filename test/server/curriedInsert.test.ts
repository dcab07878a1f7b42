// "Insert gradient function" on a curried factory's arrow (`const makeLoss = (data) => (w) => …`):
// the arrow has no statement to put a member beside, so the gradient goes after the top-level
// statement, taking the captured values as parameters, tagged on the arrow, and checked OK.

import * as assert from 'node:assert/strict';
import { analyzeFile } from '../../engine/analyzeFile';
import { insertEdits } from '../../server/codeEdits';
import { parseProgram } from '../../engine/program';

const TEXT = `export const makeLoss = (data: number[]) =>
  /**
   * @differentiable
   * @at w = 0.5, data = [1, 2, 3]
   */
  (w: number): number => {
    let s = 0;
    for (let i = 0; i < data.length; i++) s += (w * data[i] - 1) ** 2;
    return s;
  };
`;

describe('server: inserting a gradient beside a curried factory', () => {
  it('writes a function after the statement, tagged on the arrow, that parses and checks OK', () => {
    const before = analyzeFile(TEXT);
    assert.deepEqual(before.functions.map((f) => f.name), ['makeLoss.returned']);
    const edits = insertEdits(TEXT, 'makeLoss.returned', 'reverse', before.functions[0], () => undefined);
    assert.ok(edits && edits.length > 0);
    let out = TEXT;
    for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
    const parsed = parseProgram(out);
    assert.deepEqual((parsed.sourceFile as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics, []);
    assert.match(out, /@gradient makeLossReturnedGrad\n/);
    assert.match(out, /\n  \};\n\n\/\*\*[\s\S]*function makeLossReturnedGrad\(w: number, data: number\[\]\): number \{/);
    const after = analyzeFile(out);
    assert.equal(after.functions[0].check?.status, 'ok');
    assert.deepEqual(after.diagnostics.filter((d) => d.severity !== 'hint'), []);
  });
});
