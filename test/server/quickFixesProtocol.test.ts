// The engine's quick fixes over stdio: a client gets them with the diagnostic's data (no resolve
// needed), as preferred quick fixes with their edit, and the edited text checks out.

import * as assert from 'node:assert/strict';
import { uri } from './fixtures';
import { LspTestClient } from './lspClient';

const SHAPE = `/**
 * @differentiable
 * @at x = 2
 */
export function cube(x: number): number {
  return x * x * x;
}

export function cubeGrad(x: number): number[] {
  return [3 * x * x];
}
`;

const IMPORTED = `import { normCdf } from './stats';
/**
 * @differentiable
 * @at s = 100, k = 95
 */
export function spread(s: number, k: number): number {
  return (s - k) * normCdf(s / k);
}
`;

describe('server: quick fixes found with the diagnostic (stdio)', function () {
  this.timeout(60_000);
  let client: LspTestClient;
  before(async () => { client = await LspTestClient.start({ settings: { debounce: 50 } }); });
  after(async () => { await client.stop(); });

  it('GL006: "Return …, not a 1-element array" carries its edit; applied, the check passes', async () => {
    const u = uri('shape-fix');
    await client.open(u, SHAPE);
    const ds = await client.diagnostics(u);
    const gl006 = ds.find((d) => d.code === 'GL006');
    assert.ok(gl006, JSON.stringify(ds));
    assert.match(gl006.codeDescription?.href ?? '', /docs\/diagnostics\/GL006\.md$/);
    const actions = await client.codeActions(u, gl006.range, [gl006]);
    const fix = actions.find((a) => a.title === 'Return 3 * x * x, not a 1-element array');
    assert.ok(fix?.edit, actions.map((a) => a.title).join('\n'));
    assert.equal(fix.kind, 'quickfix');
    assert.equal(fix.isPreferred, true);
    assert.deepEqual(fix.diagnostics?.map((d) => d.code), ['GL006']);
    // Regenerating the gradient is offered too, not preferred.
    const regenerate = actions.find((a) => a.title === 'Fix hand-written gradient');
    assert.ok(regenerate && !regenerate.isPreferred);
    const text = await client.applyEdit(u, fix.edit);
    assert.match(text, /cubeGrad\(x: number\): number \{\n {2}return 3 \* x \* x;/);
    assert.deepEqual(await client.diagnostics(u), []);
  });

  it('GL002 on a call to an imported function: pass its value in as a parameter', async () => {
    const u = uri('call-fix');
    await client.open(u, IMPORTED);
    const ds = await client.diagnostics(u);
    const gl002 = ds.find((d) => d.code === 'GL002');
    assert.ok(gl002, JSON.stringify(ds));
    const actions = await client.codeActions(u, gl002.range, [gl002]);
    const fix = actions.find((a) => a.title === "Pass normCdf(s / k) in as a parameter 'normCdfValue' (held constant)");
    assert.ok(fix?.edit, actions.map((a) => a.title).join('\n'));
    const text = await client.applyEdit(u, fix.edit);
    assert.match(text, /spread\(s: number, k: number, normCdfValue: number\): number \{\n {2}return \(s - k\) \* normCdfValue;/);
    assert.deepEqual((await client.diagnostics(u)).map((d) => d.code), []);
    const hover = await client.hoverText(u, { line: 6, character: 18 });
    assert.match(hover ?? '', /differentiable with respect to `s`, `k`/);
  });
});
