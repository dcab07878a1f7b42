// The server over stdio with files that import each other (issue 13 item 6): the importer's
// helper is read from disk, then, once the helper is open, from its unsaved text; an edit to the
// helper analyses the importer again and its diagnostics follow.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import ts from 'typescript';
import { TITLES } from '../../server/codeActions';
import { importersOf } from '../../server/importers';
import { applyWorkspaceEdit, LspTestClient, positionOf } from './lspClient';

const UTIL = 'export function sq(x: number): number { return x * x; }\nexport const K = 3;\n';
const MAIN = `import { sq, K } from './util';
/**
 * @differentiable
 * @at x = 2
 */
export function f(x: number): number { return K * sq(x); }
export function fGrad(x: number): number { return 2 * K * x; }
`;

const problems = (ds: Diagnostic[]) => ds.filter((d) => d.severity === 1 || d.severity === 2);

describe('server: imports across files (issue 13 item 6)', function () {
  let client: LspTestClient;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-server-imports-'));
    fs.writeFileSync(path.join(dir, 'util.ts'), UTIL);
    fs.writeFileSync(path.join(dir, 'main.ts'), MAIN);
    client = await LspTestClient.start({ settings: { debounce: 50 } });
  });
  after(async () => {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads the helper from disk, then from its open document as it changes', async () => {
    const main = pathToFileURL(path.join(dir, 'main.ts')).toString();
    const util = pathToFileURL(path.join(dir, 'util.ts')).toString();
    await client.open(main, MAIN);
    const first = await client.diagnostics(main);
    assert.deepEqual(problems(first), [], JSON.stringify(first));
    const status = await client.status(main);
    assert.equal(status.checked, 1);
    assert.equal(status.failing, 0);

    // Open the helper and change it without saving: sq(x) = x³, so fGrad is now wrong (4·3 = 12 ≠ 3·3·4 = 36).
    await client.open(util, UTIL);
    await client.diagnostics(util);
    const before = client.published.get(main)?.length ?? 0;
    const at = positionOf(UTIL, 'x * x;');
    await client.change(util, [{ range: { start: at, end: { line: at.line, character: at.character + 'x * x'.length } }, text: 'x * x * x' }]);
    const wrong = await client.waitFor(() => client.published.get(main)?.slice(before).find((p) => p.diagnostics.some((d) => d.code === 'GL001'))?.diagnostics, 30_000, 'GL001 on the importer');
    const gl001 = wrong.find((d) => d.code === 'GL001')!;
    assert.match(gl001.message, /hand-written 12, AD 36/);
    assert.equal(fs.readFileSync(path.join(dir, 'util.ts'), 'utf8'), UTIL, 'the file on disk is untouched');

    // Back to x²: the importer is right again.
    const again = client.published.get(main)?.length ?? 0;
    await client.replaceText(util, UTIL);
    await client.waitFor(() => client.published.get(main)?.slice(again).find((p) => problems(p.diagnostics).length === 0), 30_000, 'the importer right again');
  });

  it('inserts a gradient that calls the imported helper as the file imports it, and type-checks', async () => {
    const source = `import * as U from './util';
/**
 * @differentiable
 * @at x = 2
 */
export function g(x: number): number { return U.sq(x) * x + U.K; }
`;
    const file = path.join(dir, 'ns.ts');
    fs.writeFileSync(file, source);
    const u = pathToFileURL(file).toString();
    await client.open(u, source);
    assert.deepEqual(problems(await client.diagnostics(u)), []);
    const at = positionOf(source, 'g(x');
    const action = (await client.codeActions(u, { start: at, end: at })).find((a) => a.title === TITLES.reverse);
    assert.ok(action, 'the insert action is offered');
    const resolved = await client.resolve(action);
    assert.ok(resolved.edit, client.stderr.slice(-2000));
    const text = applyWorkspaceEdit(client.docs.get(u)!, resolved.edit);
    assert.match(text, /function gGrad\(/);
    assert.match(text, /U\.sq\(x\)/);
    fs.writeFileSync(file, text);
    const program = ts.createProgram([file], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, types: [] });
    assert.deepEqual(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
  });
});

describe('server: finding the importers of a changed document (server/importers.ts)', () => {
  it('reads every import form, and a run of 80,000 blank lines in another open document costs a linear scan, not a quadratic one', () => {
    const lib = 'file:///w/src/lib.ts';
    const forms = [
      "import { f } from './lib';", "import * as L from '../src/lib.js';", "const L = require('./lib');",
      "const L = await import('./lib');", "  import './lib';", "export { f } from '@num/lib';",
    ];
    const open = forms.map((text, i) => ({ uri: `file:///w/src/a${i}.ts`, text, version: 1 }));
    open.push({ uri: 'file:///w/src/other.ts', text: "import { g } from './other2';", version: 1 });
    assert.deepEqual(importersOf(lib, open), open.slice(0, forms.length).map((d) => d.uri));
    // Before: `^\s*import` from every blank line rescanned the run (5.5 s on the LSP thread); now a few ms.
    const blanks = { uri: 'file:///w/src/blanks.ts', text: `/**\n * @differentiable${'\n'.repeat(80_000)} */\nimport { f } from './lib';\n`, version: 1 };
    const started = performance.now();
    assert.deepEqual(importersOf(lib, [blanks]), [blanks.uri]);
    assert.ok(performance.now() - started < 1000, `scanning took ${Math.round(performance.now() - started)} ms`);
  });
});
