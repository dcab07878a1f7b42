// The workbench scenarios through the `vscode` API, inside a real VS Code (@vscode/test-electron):
// diagnostics, hover, code actions, the fix, and the graph panel, on the e2e fixture.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { GradlensApi } from '../../../client/src/extension';
import { GraphRequest } from '../../../server/protocol';

const FIXTURE = 'fixtures/calculus.ts';

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

describe('Gradlens through the VS Code API', function () {
  let api: GradlensApi;
  let doc: vscode.TextDocument;

  before(async function () {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the runner opens the fixture workspace');
    doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, FIXTURE));
    await vscode.window.showTextDocument(doc);
    const ext = vscode.extensions.getExtension<GradlensApi>('gradlens.gradlens');
    assert.ok(ext, 'the extension is installed');
    api = await ext.activate();
  });

  const pos = (needle: string, delta = 0) => doc.positionAt(doc.getText().indexOf(needle) + delta);

  it('reports GL001 on the wrong component, with both values', async function () {
    const d = await until('GL001', () => vscode.languages.getDiagnostics(doc.uri).find((x) => String(typeof x.code === 'object' ? x.code.value : x.code) === 'GL001'));
    assert.equal(d.source, 'gradlens');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(doc.getText(d.range), '100 * (y - x * x)');
    assert.match(d.message, /[−-]250/);
    assert.match(d.message, /[−-]500/);
  });

  it('hovers an annotated function with its gradient at the check point and trusted Gradlens links', async function () {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, pos('function rosenbrock(', 10));
    const text = hoverText(hovers);
    assert.match(text, /∂f\/∂x/);
    assert.match(text, /1501/);
    assert.match(text, /[−-]500/);
    assert.match(text, /command:gradlens\.showGraph/);
  });

  it('shows the file summary in the status bar', async function () {
    const s = await until('a status notification', () => api.status(doc.uri.toString()));
    assert.ok(s.functions >= 2);
    assert.ok(s.failing >= 1);
  });

  it('inserts waveGrad with the code action', async function () {
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, new vscode.Range(pos('function wave(', 10), pos('function wave(', 10)), undefined, 20);
    const insert = actions.find((a) => a.title === 'Insert gradient function (reverse mode)');
    assert.ok(insert, `no insert action: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(insert.edit, 'the action has no edit after resolve');
    assert.ok(await vscode.workspace.applyEdit(insert.edit));
    assert.match(doc.getText(), /function waveGrad\(/);
    assert.match(doc.getText(), /@gradient waveGrad/);
  });

  it('fixes the wrong gradient and GL001 goes away', async function () {
    const d = await until('GL001', () => vscode.languages.getDiagnostics(doc.uri).find((x) => String(typeof x.code === 'object' ? x.code.value : x.code) === 'GL001'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range, vscode.CodeActionKind.QuickFix.value, 20);
    const fix = actions.find((a) => a.title === 'Fix hand-written gradient');
    assert.ok(fix?.edit, `no fix: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    await until('GL001 to clear', () => !vscode.languages.getDiagnostics(doc.uri).some((x) => String(typeof x.code === 'object' ? x.code.value : x.code) === 'GL001'));
  });

  it('opens the computation graph panel, and the server gives nodes with values', async function () {
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos('return (1 - x)', 8), pos('return (1 - x)', 8)) });
    await vscode.commands.executeCommand('gradlens.showGraph');
    const panel = await until('the graph panel', () => api.graphPanel());
    assert.equal(panel.viewType, 'gradlens.graph');
    const result = await api.client.sendRequest(GraphRequest, { uri: doc.uri.toString(), functionName: 'rosenbrock' });
    assert.ok(result.graph, result.message);
    assert.ok(result.graph.nodes.some((n) => Math.abs(n.value - 625.25) < 1e-9));
  });
});
