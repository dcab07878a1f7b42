// Live gradient checks as LSP diagnostics: pushed after edits, pulled where the client supports it,
// no false alarms on right gradients, GL001 on the wrong component with the numbers that prove it.

import * as assert from 'node:assert/strict';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ROSENBROCK_DOC, ROSENBROCK_RIGHT, ROSENBROCK_WRONG, SUM_OF_SQUARES, manyFunctions, uri } from './fixtures';
import { LspTestClient, positionOf } from './lspClient';

function textOf(text: string, d: Diagnostic): string {
  const doc = TextDocument.create('file:///x.ts', 'typescript', 0, text);
  return doc.getText(d.range);
}

const codes = (ds: Diagnostic[]): string[] => ds.map((d) => String(d.code)).sort();

describe('server: diagnostics (push)', function () {
  let client: LspTestClient;
  before(async () => { client = await LspTestClient.start({ settings: { debounce: 50 } }); });
  after(async () => { await client.stop(); });

  it('raises no alarm on a right gradient (@at point and random points)', async () => {
    const u = uri('right');
    await client.open(u, ROSENBROCK_RIGHT);
    const ds = await client.diagnostics(u);
    assert.deepEqual(ds.filter((d) => d.severity !== DiagnosticSeverity.Hint && d.severity !== DiagnosticSeverity.Information), [], JSON.stringify(ds));
    const u2 = uri('right-random');
    await client.open(u2, ROSENBROCK_RIGHT.replace(' * @at x = 1.5, y = -0.25\n', '') + SUM_OF_SQUARES);
    assert.deepEqual(codes(await client.diagnostics(u2)).filter((c) => c === 'GL001' || c === 'GL006'), []);
    const status = await client.waitFor(() => client.statuses.find((s) => s.uri === u2), 30_000, 'status');
    assert.equal(status.functions, 2);
    assert.equal(status.checked, 2);
    assert.equal(status.failing, 0);
  });

  it('marks the wrong component with GL001: both values, the witness, the point, related info', async () => {
    const u = uri('wrong');
    await client.open(u, ROSENBROCK_WRONG);
    const ds = await client.diagnostics(u);
    const gl001 = ds.filter((d) => d.code === 'GL001');
    assert.equal(gl001.length, 1, JSON.stringify(ds, null, 1));
    const d = gl001[0];
    assert.equal(d.source, 'gradlens');
    assert.equal(d.severity, DiagnosticSeverity.Warning);
    assert.equal(textOf(ROSENBROCK_WRONG, d), '100 * (y - x * x)');
    assert.match(d.message, /-250/);
    assert.match(d.message, /-500/);
    assert.match(d.message, /1\.5/);
    assert.ok((d.relatedInformation ?? []).length > 0, 'GL001 links the function and the gradient');
    assert.ok(d.relatedInformation!.every((r) => r.location.uri === u));
    const status = await client.waitFor(() => client.statuses.find((s) => s.uri === u), 30_000, 'status');
    assert.equal(status.failing, 1);
  });

  it('re-checks after an edit: fixing the component clears GL001', async () => {
    const u = uri('edit');
    await client.open(u, ROSENBROCK_WRONG);
    assert.equal((await client.diagnostics(u)).filter((d) => d.code === 'GL001').length, 1);
    const at = positionOf(ROSENBROCK_WRONG, '100 * (y - x * x)]');
    await client.change(u, [{ range: { start: at, end: { line: at.line, character: at.character + 3 } }, text: '200' }]);
    const after = await client.diagnostics(u);
    assert.deepEqual(after.filter((d) => d.code === 'GL001'), []);
  });

  it('reports GL006 for a gradient of the wrong shape, GL005 for an annotation error, GL002 outside the subset', async () => {
    const u = uri('shape');
    const text = `${ROSENBROCK_DOC.replace(' * @differentiable', ' * @differentiable\n * @gradient rosenbrockGrad')}
export function rosenbrockGrad(x: number, y: number): number {
  return -2 * (1 - x) - 400 * x * (y - x * x);
}

/**
 * @differentiable
 * @wrt z
 */
export function unknownWrt(x: number): number {
  return x * x;
}

/**
 * @differentiable
 */
export function usesTemplate(x: number): number {
  const label = \`x = \${x}\`;
  return label.length * x;
}
`;
    await client.open(u, text);
    const ds = await client.diagnostics(u);
    const shape = ds.find((d) => d.code === 'GL006');
    assert.ok(shape, JSON.stringify(ds, null, 1));
    const annotation = ds.find((d) => d.code === 'GL005');
    assert.ok(annotation && /z/.test(annotation.message), JSON.stringify(ds, null, 1));
    const subset = ds.find((d) => d.code === 'GL002');
    assert.ok(subset && textOf(text, subset).includes('`x = ${x}`'), JSON.stringify(ds, null, 1));
  });

  it('stops an endless loop with GL007 and keeps serving', async () => {
    const u = uri('loop');
    const text = `/**
 * @differentiable
 * @at x = 1
 */
export function spin(x: number): number {
  let s = 0;
  while (true) {
    s += x;
  }
  return s;
}
`;
    await client.open(u, text);
    const ds = await client.diagnostics(u, 60_000);
    assert.ok(ds.some((d) => d.code === 'GL007'), JSON.stringify(ds, null, 1));
    const u2 = uri('after-loop');
    await client.open(u2, ROSENBROCK_WRONG);
    assert.ok((await client.diagnostics(u2)).some((d) => d.code === 'GL001'));
  });

  it('clears diagnostics when a document closes', async () => {
    const u = uri('close');
    await client.open(u, ROSENBROCK_WRONG);
    await client.diagnostics(u);
    const before = client.published.get(u)!.length;
    await client.close(u);
    await client.waitFor(() => { const l = client.published.get(u)!; return l.length > before && l[l.length - 1].diagnostics.length === 0; }, 10_000, 'cleared');
  });
});

describe('server: diagnostics (pull)', function () {
  let client: LspTestClient;
  before(async () => { client = await LspTestClient.start({ pullDiagnostics: true }); });
  after(async () => { await client.stop(); });

  it('answers textDocument/diagnostic for the current version, and publishes nothing', async () => {
    const u = uri('pull');
    await client.open(u, ROSENBROCK_WRONG);
    const ds = await client.pullDiagnostics(u);
    assert.deepEqual(codes(ds).filter((c) => c === 'GL001'), ['GL001']);
    await client.replaceText(u, ROSENBROCK_RIGHT);
    assert.deepEqual(codes(await client.pullDiagnostics(u)).filter((c) => c === 'GL001'), []);
    assert.equal(client.published.size, 0);
  });

  it('pulls on a file with many functions', async () => {
    const u = uri('pull-many');
    await client.open(u, manyFunctions(20));
    const ds = await client.pullDiagnostics(u);
    assert.deepEqual(ds.filter((d) => d.code === 'GL001' || d.code === 'GL006'), []);
  });
});
