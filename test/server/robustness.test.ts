// The server stays up and correct through a burst of random edits mid-analysis, a 10,000-line
// file, deep nesting, and requests that arrive while an analysis runs.

import * as assert from 'node:assert/strict';
import { ROSENBROCK_RIGHT, ROSENBROCK_WRONG, manyFunctions, uri } from './fixtures';
import { LspTestClient, positionOf } from './lspClient';
import { hostileCases } from '../engine/hostileCorpus';

/** Small seeded generator, so a failing burst can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('server: robustness', function () {
  let client: LspTestClient;
  before(async () => { client = await LspTestClient.start({ settings: { debounce: 5 } }); });
  after(async () => { await client.stop(); });

  it('survives a burst of random edits with requests in between, then reports on the final text', async () => {
    const u = uri('burst');
    await client.open(u, ROSENBROCK_WRONG + manyFunctions(10));
    await client.diagnostics(u);
    const random = rng(1234);
    const pieces = ['(', ')', '{', '}', ' * ', 'x', '/**', '*/', '\n', '@differentiable', 'Math.', ';', '"', '`', 'return ', '1e308', 'while (true) {', '[', ']'];
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      const doc = client.docs.get(u)!;
      const len = doc.getText().length;
      const a = Math.floor(random() * len);
      const b = Math.min(len, a + Math.floor(random() * 20));
      const text = random() < 0.5 ? '' : pieces[Math.floor(random() * pieces.length)];
      await client.change(u, [{ range: { start: doc.positionAt(a), end: doc.positionAt(b) }, text }]);
      if (i % 10 === 0) {
        const pos = client.docs.get(u)!.positionAt(Math.floor(random() * len));
        pending.push(client.hover(u, pos));
        pending.push(client.codeActions(u, { start: pos, end: pos }));
        pending.push(client.codeLenses(u));
        pending.push(client.graph({ uri: u, position: pos }));
      }
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(pending);
    assert.equal(client.exited, null, client.stderr);
    // Back to a known text: its diagnostics come for that exact version.
    await client.replaceText(u, ROSENBROCK_WRONG);
    const ds = await client.diagnostics(u, 60_000);
    assert.equal(ds.filter((d) => d.code === 'GL001').length, 1);
    const hover = await client.hoverText(u, positionOf(ROSENBROCK_WRONG, 'rosenbrock('));
    assert.ok(hover?.includes('∂f/∂x'), hover ?? 'no hover');
  });

  it('analyses a 10,000-line file and re-analyses one edited function', async () => {
    let text = manyFunctions(720);
    const lines = text.split('\n').length;
    text += '\n'.repeat(Math.max(0, 10_000 - lines));
    assert.ok(text.split('\n').length >= 10_000);
    const u = uri('big');
    const t0 = Date.now();
    await client.open(u, text);
    const ds = await client.diagnostics(u, 120_000);
    const full = Date.now() - t0;
    assert.deepEqual(ds.filter((d) => d.code === 'GL001' || d.code === 'GL006' || d.code === 'GL009'), [], JSON.stringify(ds.slice(0, 3)));
    const status = await client.waitFor(() => client.statuses.find((s) => s.uri === u), 10_000, 'status');
    assert.equal(status.functions, 720);
    assert.equal(status.checked, 720);
    // Break one gradient far down the file: only it should turn wrong.
    const at = positionOf(text, 'export function f700Grad');
    const target = positionOf(text, '* Math.exp(-y), (2 * y', 0, 700);
    assert.ok(target.line > at.line);
    const t1 = Date.now();
    await client.change(u, [{ range: { start: target, end: { line: target.line, character: target.character + 1 } }, text: '/' }]);
    const after = await client.diagnostics(u, 120_000);
    const incremental = Date.now() - t1;
    const wrong = after.filter((d) => d.code === 'GL001');
    assert.equal(wrong.length, 1, JSON.stringify(after.slice(0, 3)));
    assert.equal(wrong[0].range.start.line, target.line);
    const hover = await client.hoverText(u, positionOf(client.text(u), 'function f719(', 9));
    assert.ok(hover?.includes('**f719**'), hover ?? 'no hover');
    console.log(`      10,000 lines / 720 functions: first analysis ${full} ms, after an edit ${incremental} ms (debounce and protocol included)`);
  });

  it('keeps serving through deep nesting and a function that spends its step budget', async () => {
    const depth = 400;
    const nested = `/**
 * @differentiable
 * @at x = 0.5
 */
export function deep(x: number): number {
  return ${'('.repeat(depth)}x${' + 1)'.repeat(depth)};
}

/**
 * @differentiable
 * @at x = 0.5
 */
export function deepIfs(x: number): number {
  let s = x;
${'  if (s > -1e9) {\n'.repeat(200)}    s = s * 1.001;
${'  }\n'.repeat(200)}  return s;
}

/**
 * @differentiable
 * @at n = 1e12, x = 1
 * @wrt x
 */
export function busy(n: number, x: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x;
  return s;
}
${ROSENBROCK_RIGHT}`;
    const u = uri('deep');
    await client.open(u, nested);
    const ds = await client.diagnostics(u, 120_000);
    assert.ok(ds.some((d) => d.code === 'GL007'), JSON.stringify(ds, null, 1));
    assert.equal(client.exited, null);
    const hover = await client.hoverText(u, positionOf(nested, 'rosenbrock('));
    assert.ok(hover?.includes('- ∂f/∂x = 1501'), hover ?? 'no hover');
  });

  it('answers a normal file promptly while hostile files are analysed beside it, and reports on each hostile file', async () => {
    const hostile = hostileCases().filter((c) => c.expect === 'GL007');
    const uris = hostile.map((_, i) => uri(`hostile${i}`));
    const t0 = Date.now();
    await Promise.all(hostile.map((c, i) => client.open(uris[i], c.text)));
    const normal = uri('normal-beside-hostile');
    const t1 = Date.now();
    await client.open(normal, ROSENBROCK_WRONG);
    const ds = await client.diagnostics(normal, 30_000);
    const normalMs = Date.now() - t1;
    assert.equal(ds.filter((d) => d.code === 'GL001').length, 1);
    const hover = await client.hoverText(normal, positionOf(ROSENBROCK_WRONG, 'rosenbrock('));
    assert.ok(hover?.includes('∂f/∂x'), hover ?? 'no hover');
    // One function of each file per turn: the normal file waits at most a function's budget (2 s)
    // per hostile file ahead of it, never for whole files.
    assert.ok(normalMs < 2_000 * hostile.length, `${normalMs} ms`);
    for (let i = 0; i < hostile.length; i++) {
      const hd = await client.waitFor(() => (client.published.get(uris[i]) ?? []).map((p) => p.diagnostics).find((list) => list.some((d) => d.code === 'GL007')), 60_000, `GL007 on ${hostile[i].name}`);
      assert.ok(!hd.some((d) => d.code === 'GL009'), JSON.stringify(hd));
    }
    assert.equal(client.exited, null, client.stderr);
    console.log(`      ${hostile.length} hostile files: the normal file's diagnostics after ${normalMs} ms; all reported after ${Date.now() - t0} ms`);
  });

  it('answers a hover from the last good analysis while a newer one runs', async () => {
    const u = uri('mid');
    let text = manyFunctions(300) + ROSENBROCK_RIGHT;
    await client.open(u, text);
    await client.diagnostics(u, 120_000);
    // An edit that forces a full re-analysis (the text of every function shifts), then a hover at once.
    text = '// shifted\n' + text;
    await client.replaceText(u, text);
    const t0 = Date.now();
    const hover = await client.hoverText(u, positionOf(ROSENBROCK_RIGHT, 'rosenbrock(', 0));
    void hover;
    const h2 = await client.hoverText(u, positionOf(text, 'function f3(', 9));
    assert.ok(h2?.includes('**f3**'), h2 ?? 'no hover');
    assert.ok(Date.now() - t0 < 2000, `hover waited ${Date.now() - t0} ms`);
    await client.diagnostics(u, 120_000);
  });
});
