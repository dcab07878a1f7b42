// Every code action, applied: the WorkspaceEdit is applied to the text, the result is type-checked
// under --strict with the TypeScript compiler API, and the inserted function is run.

import * as assert from 'node:assert/strict';
import type { CodeAction, Position } from 'vscode-languageserver-protocol';
import { TITLES } from '../../server/codeActions';
import { locateFunction } from '../../server/sourceLocate';
import { close, flattenNumbers, runTypeScript, strictTypeErrors } from './compileAndRun';
import { ROSENBROCK_DOC, ROSENBROCK_RIGHT, ROSENBROCK_WRONG, uri } from './fixtures';
import { applyWorkspaceEdit, LspTestClient, positionOf } from './lspClient';

describe('server: code actions', function () {
  let client: LspTestClient;
  before(async () => { client = await LspTestClient.start({ settings: { debounce: 20 } }); });
  after(async () => { await client.stop(); });

  async function openAnalysed(text: string): Promise<string> {
    const u = uri('action');
    await client.open(u, text);
    await client.diagnostics(u);
    return u;
  }

  async function actionsAt(u: string, at: Position): Promise<CodeAction[]> {
    return client.codeActions(u, { start: at, end: at });
  }

  /** Finds the action, resolves it, applies its edit; returns the new text (also sent to the server). */
  async function apply(u: string, title: string, at: Position, diagnostics = [] as import('vscode-languageserver-protocol').Diagnostic[]): Promise<string> {
    const actions = await client.codeActions(u, { start: at, end: at }, diagnostics);
    const action = actions.find((a) => a.title === title);
    assert.ok(action, `no "${title}" among ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.equal(action.edit, undefined, 'edits are computed lazily, in codeAction/resolve');
    const resolved = await client.resolve(action);
    assert.ok(resolved.edit, `"${title}" resolved without an edit\n${client.stderr.slice(-2000)}`);
    const text = applyWorkspaceEdit(client.docs.get(u)!, resolved.edit);
    await client.replaceText(u, text);
    return text;
  }

  function compiled(text: string): Record<string, (...args: unknown[]) => unknown> {
    assert.deepEqual(strictTypeErrors(text), [], text);
    return runTypeScript(text);
  }

  it('offers the SPEC titles on an annotated function', async () => {
    const u = await openAnalysed(ROSENBROCK_DOC);
    const titles = (await actionsAt(u, positionOf(ROSENBROCK_DOC, 'rosenbrock('))).map((a) => a.title);
    for (const t of [TITLES.reverse, TITLES.closed, TITLES.jvp, TITLES.hessian, TITLES.test]) assert.ok(titles.includes(t), `${t} missing from ${titles.join(', ')}`);
    assert.ok(!titles.includes(TITLES.fix));
  });

  it(`${TITLES.reverse}: placed after the function, tagged @gradient, right values, free name on the second insert`, async () => {
    const u = await openAnalysed(ROSENBROCK_DOC);
    const text = await apply(u, TITLES.reverse, positionOf(ROSENBROCK_DOC, 'rosenbrock('));
    assert.ok(text.includes(' * @gradient rosenbrockGrad\n'), text);
    const f = locateFunction(text, 'rosenbrock')!;
    const g = locateFunction(text, 'rosenbrockGrad')!;
    assert.ok(g && g.statementStart > f.statementEnd, 'inserted after the function');
    const fns = compiled(text);
    assert.deepEqual(flattenNumbers(fns.rosenbrockGrad(1.5, -0.25)).map((v) => Math.round(v * 1e6) / 1e6), [1501, -500]);
    // The live check now pairs them and agrees.
    const ds = await client.diagnostics(u);
    assert.deepEqual(ds.filter((d) => d.code === 'GL001' || d.code === 'GL006' || d.code === 'GL005'), []);
    // Inserting again replaces the function Gradlens generated (issue 16), no rosenbrockGrad2.
    const again = await apply(u, TITLES.reverse, positionOf(text, 'rosenbrock('));
    assert.equal(locateFunction(again, 'rosenbrockGrad2'), null, 'the generated function is replaced, not stacked');
    assert.equal((again.match(/function rosenbrockGrad\b/g) ?? []).length, 1, again);
    assert.equal((again.match(/@gradient/g) ?? []).length, 1, 'the existing @gradient tag is kept');
    compiled(again);
  });

  it(`${TITLES.closed}`, async () => {
    const u = await openAnalysed(ROSENBROCK_DOC);
    const text = await apply(u, TITLES.closed, positionOf(ROSENBROCK_DOC, 'rosenbrock('));
    assert.ok(text.includes('@gradient rosenbrockGrad'));
    const fns = compiled(text);
    const g = flattenNumbers(fns.rosenbrockGrad(0.3, 0.7));
    assert.ok(close(g[0], -2 * (1 - 0.3) - 400 * 0.3 * (0.7 - 0.09)) && close(g[1], 200 * (0.7 - 0.09)), String(g));
  });

  it(`${TITLES.jvp}: the directional derivative`, async () => {
    const u = await openAnalysed(ROSENBROCK_DOC);
    const text = await apply(u, TITLES.jvp, positionOf(ROSENBROCK_DOC, 'rosenbrock('));
    const jvp = locateFunction(text, 'rosenbrockJvp');
    assert.ok(jvp, text);
    assert.equal(jvp.params.length, 4, 'point and tangent');
    const fns = compiled(text);
    // Direction (1, 2): 1501·1 − 500·2 = 501.
    const out = flattenNumbers(fns.rosenbrockJvp(1.5, -0.25, 1, 2));
    assert.ok(out.some((v) => close(v, 501)), String(out));
  });

  it(`${TITLES.hessian}`, async () => {
    const u = await openAnalysed(ROSENBROCK_DOC);
    const text = await apply(u, TITLES.hessian, positionOf(ROSENBROCK_DOC, 'rosenbrock('));
    const fns = compiled(text);
    const h = flattenNumbers(fns.rosenbrockHessian(1.5, -0.25));
    assert.equal(h.length, 4, String(h));
    [2802, -600, -600, 200].forEach((v, i) => assert.ok(close(h[i], v), `H[${i}] = ${h[i]}`));
  });

  it(`${TITLES.test}: with the hand-written gradient, and without one (it inserts one)`, async () => {
    const u = await openAnalysed(ROSENBROCK_RIGHT);
    const text = await apply(u, TITLES.test, positionOf(ROSENBROCK_RIGHT, 'rosenbrock('));
    assert.ok(locateFunction(text, 'rosenbrockGradientCheck')!.statementStart > locateFunction(text, 'rosenbrockGrad')!.statementEnd);
    assert.ok((compiled(text).rosenbrockGradientCheck() as number) < 1e-6);

    const u2 = await openAnalysed(ROSENBROCK_DOC);
    const text2 = await apply(u2, TITLES.test, positionOf(ROSENBROCK_DOC, 'rosenbrock('));
    assert.ok(text2.includes('@gradient rosenbrockGrad'));
    assert.ok((compiled(text2).rosenbrockGradientCheck() as number) < 1e-6);
  });

  it(`${TITLES.fix} on GL001: preferred quick fix; the result checks out and runs`, async () => {
    const u = await openAnalysed(ROSENBROCK_WRONG);
    const ds = (await client.diagnostics(u)).filter((d) => d.code === 'GL001');
    assert.equal(ds.length, 1);
    const actions = await client.codeActions(u, ds[0].range, ds);
    const fix = actions.find((a) => a.title === TITLES.fix)!;
    assert.ok(fix && fix.isPreferred && fix.kind === 'quickfix', JSON.stringify(actions));
    const text = await apply(u, TITLES.fix, ds[0].range.start, ds);
    const g = locateFunction(text, 'rosenbrockGrad')!;
    assert.ok(g.exported, 'keeps export');
    assert.equal(g.params.map((p) => p.name).join(','), 'x,y', 'keeps the signature');
    assert.deepEqual(flattenNumbers(compiled(text).rosenbrockGrad(1.5, -0.25)).map((v) => Math.round(v * 1e6) / 1e6), [1501, -500]);
    assert.deepEqual((await client.diagnostics(u)).filter((d) => d.code === 'GL001' || d.code === 'GL006'), []);
    // Only the wrong component's expression was replaced; the rest is the user's text.
    const before = ROSENBROCK_WRONG.split('\n');
    const after = text.split('\n');
    assert.equal(after.length, before.length, 'same number of lines');
    assert.deepEqual(after.filter((l, i) => l !== before[i]).length, 1, 'one line changed');
  });

  it(`${TITLES.fix} on GL006 (wrong shape)`, async () => {
    const src = `${ROSENBROCK_DOC.replace(' * @differentiable', ' * @differentiable\n * @gradient rosenbrockGrad')}
export function rosenbrockGrad(x: number, y: number): number {
  return -2 * (1 - x) - 400 * x * (y - x * x);
}
`;
    const u = await openAnalysed(src);
    const ds = (await client.diagnostics(u)).filter((d) => d.code === 'GL006');
    assert.equal(ds.length, 1);
    const text = await apply(u, TITLES.fix, ds[0].range.start, ds);
    assert.deepEqual(flattenNumbers(compiled(text).rosenbrockGrad(1.5, -0.25)).map((v) => Math.round(v * 1e6) / 1e6), [1501, -500]);
    assert.deepEqual((await client.diagnostics(u)).filter((d) => d.code === 'GL001' || d.code === 'GL006'), []);
  });

  it(`${TITLES.annotate} on a numeric function without the tag`, async () => {
    const src = `export function cube(x: number): number {\n  return x * x * x;\n}\n`;
    const u = await openAnalysed(src);
    const text = await apply(u, TITLES.annotate, positionOf(src, 'cube'));
    assert.ok(text.startsWith('/**\n * @differentiable\n */\nexport function cube'), text);
    compiled(text);
    await client.diagnostics(u);
    // The status that follows the analysis of the edited text counts the newly annotated function.
    await client.waitFor(() => client.statuses.filter((s) => s.uri === u).slice(-1)[0]?.functions === 1, 10_000, 'status with 1 function');
  });

  it('refuses to apply an edit to another version of the document', async () => {
    const u = await openAnalysed(ROSENBROCK_DOC);
    const at = positionOf(ROSENBROCK_DOC, 'rosenbrock(');
    const action = (await actionsAt(u, at)).find((a) => a.title === TITLES.reverse)!;
    const resolved = await client.resolve(action);
    await client.change(u, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// moved\n' }]);
    assert.throws(() => applyWorkspaceEdit(client.docs.get(u)!, resolved.edit!), /version/);
  });
});

describe('server: code actions for clients without resolve support', function () {
  let client: LspTestClient;
  before(async () => { client = await LspTestClient.start({ resolveSupport: false }); });
  after(async () => { await client.stop(); });

  it('sends the edit with the action', async () => {
    const u = uri('no-resolve');
    await client.open(u, ROSENBROCK_DOC);
    await client.diagnostics(u);
    const at = positionOf(ROSENBROCK_DOC, 'rosenbrock(');
    const actions = await client.codeActions(u, { start: at, end: at });
    const reverse = actions.find((a) => a.title === TITLES.reverse);
    assert.ok(reverse?.edit, JSON.stringify(actions));
    const text = applyWorkspaceEdit(client.docs.get(u)!, reverse.edit);
    assert.deepEqual(strictTypeErrors(text), []);
  });
});
