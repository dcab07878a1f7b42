// The statement splice (engine/statementSplice.ts): an edit inside one top-level statement is parsed
// alone and put in place of it. The tree must be the one a full parse gives, node for node (kinds,
// positions, JSDoc, parents), whatever the edit; edits it cannot take go to TypeScript's parser.

import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import ts from 'typescript';
import { parseSource } from '../../engine/program';
import { placeAll, placeStatement, placementStats, spliceStats } from '../../engine/statementSplice';

const FILE = `// leading comment
import { helper } from './helper';

/**
 * @differentiable
 * @at x = 1.5
 */
export function f(x: number): number {
  const a = x * x; // a comment
  return a + Math.sin(x);
}

const table = {
  fn: (x: number): number => x * 2,
  derivative: (x: number): number => 2,
};

class Model {
  k = 2;
  /** @differentiable */
  loss(w: number): number { return this.k * w * w; }
}

/** A JSDoc before an arrow. */
export const g = (y: number): number => y / 2;

function h(z: number) {
  return \`\${z}\`;
}
`;

/** Every node of the tree, with its JSDoc, as `kind@pos-end` lines (the parent checked on the way). */
function shape(sf: ts.SourceFile): string[] {
  const out: string[] = [];
  const visit = (n: ts.Node, parent: ts.Node | undefined): void => {
    out.push(`${ts.SyntaxKind[n.kind]}@${n.pos}-${n.end}`);
    if (parent) assert.equal(n.parent, parent, `the parent of ${ts.SyntaxKind[n.kind]}@${n.pos}`);
    for (const d of (n as { jsDoc?: ts.Node[] }).jsDoc ?? []) visit(d, n);
    ts.forEachChild(n, (c) => { visit(c, n); }, (arr) => { out.push(`[${arr.pos}-${arr.end}]`); for (const c of arr) visit(c, n); });
  };
  visit(sf, undefined);
  return out;
}

function fresh(text: string): ts.SourceFile {
  return ts.createSourceFile('input.ts', text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

/** The tree, once every node is placed (a splice moves the nodes after the edit when they are read), is a full parse's. */
function assertSameTree(incremental: ts.SourceFile, text: string): void {
  placeAll(incremental);
  const full = fresh(text);
  assert.equal(incremental.text, text);
  assert.equal(incremental.end, text.length);
  assert.deepEqual(shape(incremental), shape(full));
  const diags = (s: ts.SourceFile) => ((s as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics ?? []).map((d) => `${d.start}:${d.code}`);
  assert.deepEqual(diags(incremental), diags(full));
  assert.equal(ts.getLineAndCharacterOfPosition(incremental, text.length).line, ts.getLineAndCharacterOfPosition(full, text.length).line);
  assert.equal(!!(incremental as unknown as { externalModuleIndicator?: unknown }).externalModuleIndicator, !!(full as unknown as { externalModuleIndicator?: unknown }).externalModuleIndicator);
}

describe('engine: the statement splice', () => {
  it('an edit inside a function body is spliced: the other statements are the same nodes, moved', () => {
    const sf = parseSource(FILE);
    const before = spliceStats.spliced;
    const text = FILE.replace('const a = x * x;', 'const a = x * x * x + 1;');
    const next = parseSource(text, { text: FILE, sourceFile: sf });
    assert.equal(spliceStats.spliced, before + 1);
    assertSameTree(next, text);
    const kept = next.statements.filter((s, i) => s === sf.statements[i]);
    assert.equal(kept.length, sf.statements.length - 1);
    assert.notEqual(next.statements[1], sf.statements[1]);
    assert.equal(next.statements[next.statements.length - 1].getText(next).startsWith('function h'), true);
  });

  it('edits it cannot take are TypeScript’s: across statements, a statement left open, the file’s first comments', () => {
    for (const edit of [
      (t: string) => t.replace('return a + Math.sin(x);\n}', 'return a + Math.sin(x);\n'), // an unclosed body swallows the rest
      (t: string) => t.replace('};\n\nclass Model', '}\n\nclass Model'), // a table without its `;`
      (t: string) => t.replace('// leading comment', '/// <reference path="x" />'),
      (t: string) => t.replace('x * 2,\n  derivative', 'x * 2,\n};\nconst other = {\n  derivative'),
    ]) {
      const sf = parseSource(FILE);
      const text = edit(FILE);
      assert.notEqual(text, FILE);
      const before = spliceStats.fallbacks;
      assertSameTree(parseSource(text, { text: FILE, sourceFile: sf }), text);
      assert.equal(spliceStats.fallbacks, before + 1);
    }
  });

  it('random edits, one after another: the tree is always the one a full parse gives', () => {
    const edit = fc.record({ at: fc.nat(), del: fc.nat({ max: 4 }), ins: fc.constantFrom('', 'x', ' ', '\n', '1', ';', '(', ')', '{', '}', '`', '/*', '*/', '/** @at x = 2 */', 'export ', ' * 2', 'const q = 1;\n') });
    fc.assert(fc.property(fc.array(edit, { minLength: 1, maxLength: 15 }), (edits) => {
      let text = FILE;
      let sf = parseSource(text);
      for (const e of edits) {
        const i = e.at % (text.length + 1);
        const next = text.slice(0, i) + e.ins + text.slice(i + e.del);
        sf = parseSource(next, { text, sourceFile: sf });
        text = next;
        assertSameTree(sf, text);
      }
    }), { numRuns: 150, seed: 4 });
    assert.ok(spliceStats.spliced > 30, `only ${spliceStats.spliced} edits spliced`);
  });

  it('typing edits one after another, nothing read in between: placed at the end, the tree is a full parse\'s', () => {
    let text = FILE;
    let sf = parseSource(text);
    const before = spliceStats.spliced;
    // Characters typed and deleted in the first function, then in the table, then in the first again.
    const at = [(t: string) => t.indexOf('x * x') + 5, (t: string) => t.indexOf('x * 2') + 5, (t: string) => t.indexOf('Math.sin(') + 10];
    for (const where of at) {
      for (const ins of ['1', '23', '', ' + x']) {
        const i = where(text);
        const next = ins === '' ? text.slice(0, i) + text.slice(i + 1) : text.slice(0, i) + ins + text.slice(i);
        sf = parseSource(next, { text, sourceFile: sf });
        text = next;
      }
    }
    assert.equal(spliceStats.spliced, before + 12);
    assertSameTree(sf, text);
  });

  it('a typing edit in the first statement places no node after it until one is read', () => {
    const sf = parseSource(FILE);
    const i = FILE.indexOf('x * x;') + 5;
    const text = FILE.slice(0, i) + '1' + FILE.slice(i);
    const namePos = (sf.statements[sf.statements.length - 1] as ts.FunctionDeclaration).name!.pos;
    const before = { ...placementStats };
    const next = parseSource(text, { text: FILE, sourceFile: sf });
    assert.deepEqual(placementStats, before, 'no node placed by the edit');
    // The statements themselves are in place at once; the nodes inside them wait.
    const last = next.statements[next.statements.length - 1] as ts.FunctionDeclaration;
    assert.equal(last.getText(next).startsWith('function h'), true);
    assert.equal(last.name!.pos, namePos, 'its name not moved yet');
    placeStatement(last);
    assert.equal(placementStats.statements, before.statements + 1);
    assert.ok(placementStats.nodes > before.nodes + 5, 'its nodes placed when read');
    assert.equal(last.name!.pos, namePos + 1);
    assert.equal(last.name!.getText(next), 'h');
    assertSameTree(next, text);
  });
});
