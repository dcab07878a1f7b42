// Inlay hints over stdio against dist/server.js: the value and partials of each local at the first
// check point, after its statement; honest about locals whose last value is not their first; only
// in the requested range, capped, mapped to the live text, absent on a function edited since the
// analysis; refreshed after each analysis; off with `gradlens.inlayHints.enabled`.

import * as assert from 'node:assert/strict';
import type { InlayHint, Position } from 'vscode-languageserver-protocol';
import { uri } from './fixtures';
import { LspTestClient, positionOf } from './lspClient';

const LOCALS = `/**
 * @differentiable
 * @at x = 1, w = [1, -2, 3]
 */
export function f(x: number, w: number[]): number {
  const t = Math.sin(x);
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    const sq = w[i] * w[i];
    s += sq * t;
  }
  const [a, b] = [x * 2, x * 3];
  let u = x
  return s + a + b + u;
}
`;

const TWO = `/**
 * @differentiable
 * @at x = 2
 */
function first(x: number): number {
  const y = x * x;
  return y;
}

/**
 * @differentiable
 * @at x = 3
 */
function second(x: number): number {
  const z = 2 * x;
  return z;
}
`;

const label = (h: InlayHint): string => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''));
const at = (hints: InlayHint[], p: Position): string[] => hints.filter((h) => h.position.line === p.line && h.position.character === p.character).map(label);

describe('server: inlay hints', function () {
  let client: LspTestClient;
  before(async () => { client = await LspTestClient.start({ settings: { debounce: 20 } }); });
  after(async () => { await client.stop(); });

  async function openAnalysed(text: string, c = client): Promise<string> {
    const u = uri('inlay');
    await c.open(u, text);
    await c.diagnostics(u);
    return u;
  }

  it('declares inlay hints', () => {
    assert.ok(client.capabilities.inlayHintProvider);
  });

  it('shows each local\'s value and partials at the first check point, after its statement', async () => {
    const u = await openAnalysed(LOCALS);
    const hints = await client.inlayHints(u);
    await client.close(u);
    assert.deepEqual(at(hints, positionOf(LOCALS, 'Math.sin(x);', 12)), ['t = 0.8415 (∂/∂x 0.5403, ∂/∂w [0, 0, 0])']);
    const t = hints.find((h) => label(h).startsWith('t ='))!;
    assert.equal(t.paddingLeft, true);
    const tooltip = t.tooltip as { kind: string; value: string };
    assert.equal(tooltip.kind, 'markdown');
    assert.match(tooltip.value, /`t` in \*\*f\*\* at x = 1, w = \[1, -2, 3\]/);
    assert.match(tooltip.value, /∂t\/∂x = 0\.540302/);
    // Both names of a destructuring, after the whole statement; a statement without `;` ends at its line.
    assert.deepEqual(at(hints, positionOf(LOCALS, 'x * 3];', 7)), ['a = 2 (∂/∂x 2, ∂/∂w [0, 0, 0])', 'b = 3 (∂/∂x 3, ∂/∂w [0, 0, 0])']);
    assert.deepEqual(at(hints, positionOf(LOCALS, 'let u = x', 9)), ['u = 1 (∂/∂x 1, ∂/∂w [0, 0, 0])']);
  });

  it('says `at return` for a local assigned again or declared in a loop, and leaves loop counters out', async () => {
    const u = await openAnalysed(LOCALS);
    const hints = await client.inlayHints(u);
    await client.close(u);
    // s = Σ w[i]² · sin(1) = 14 · 0.8415: its last value, not the 0 it starts with.
    const s = at(hints, positionOf(LOCALS, 'let s = 0;', 10));
    assert.equal(s.length, 1);
    assert.match(s[0], /^s = 11\.78 at return \(∂\/∂x 7\.564, ∂\/∂w \[1\.683, -3\.366, 5\.049\]\)$/);
    const sq = at(hints, positionOf(LOCALS, 'w[i] * w[i];', 12));
    assert.deepEqual(sq, ['sq = 9 at return (∂/∂x 0, ∂/∂w [0, 0, 6])']);
    const tip = (hints.find((h) => label(h).startsWith('sq ='))!.tooltip as { value: string }).value;
    assert.match(tip, /when \*\*f\*\* returned/);
    assert.ok(!hints.some((h) => label(h).startsWith('i =')), 'the loop counter has a hint');
  });

  it('answers only for the requested range', async () => {
    const u = await openAnalysed(TWO);
    const all = await client.inlayHints(u);
    assert.deepEqual(all.map(label), ['y = 4 (∂/∂x 4)', 'z = 6 (∂/∂x 2)']);
    const firstOnly = await client.inlayHints(u, { start: { line: 0, character: 0 }, end: positionOf(TWO, 'return y;') });
    assert.deepEqual(firstOnly.map(label), ['y = 4 (∂/∂x 4)']);
    const secondOnly = await client.inlayHints(u, { start: positionOf(TWO, 'function second'), end: positionOf(TWO, 'return z;') });
    assert.deepEqual(secondOnly.map(label), ['z = 6 (∂/∂x 2)']);
    await client.close(u);
  });

  it('maps positions to the live text, and drops the hints of a function edited since the analysis', async () => {
    // A long debounce: the edits below stay unanalysed while we ask.
    const slow = await LspTestClient.start({ settings: { debounce: 10_000 } });
    try {
      const u = await openAnalysed(TWO, slow);
      // Two lines added above both functions: the hints move with their statements.
      await slow.change(u, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// one\n// two\n' }]);
      const moved = await slow.inlayHints(u);
      const live = slow.text(u);
      assert.deepEqual(moved.map((h) => [label(h), h.position]), [
        ['y = 4 (∂/∂x 4)', positionOf(live, 'x * x;', 6)],
        ['z = 6 (∂/∂x 2)', positionOf(live, '2 * x;', 6)],
      ]);
      await slow.close(u);
      // An edit inside `second` makes its numbers stale: no hint there until the next analysis.
      const v = await openAnalysed(TWO, slow);
      const inside = positionOf(TWO, '2 * x;');
      await slow.change(v, [{ range: { start: inside, end: { line: inside.line, character: inside.character + 1 } }, text: '5' }]);
      assert.deepEqual((await slow.inlayHints(v)).map((h) => [label(h), h.position]), [['y = 4 (∂/∂x 4)', positionOf(TWO, 'x * x;', 6)]]);
      await slow.close(v);
    } finally {
      await slow.stop();
    }
  });

  it('asks the client to refresh its hints after each analysis', async () => {
    const opened = client.inlayHintRefreshes;
    const u = await openAnalysed(TWO);
    await client.waitFor(() => client.inlayHintRefreshes > opened, 10_000, 'the refresh after the first analysis');
    const before = client.inlayHintRefreshes;
    await client.replaceText(u, TWO.replace('2 * x', '3 * x'));
    await client.diagnostics(u);
    await client.waitFor(() => client.inlayHintRefreshes > before, 10_000, 'workspace/inlayHint/refresh');
    assert.deepEqual((await client.inlayHints(u)).map(label), ['y = 4 (∂/∂x 4)', 'z = 9 (∂/∂x 3)']);
    await client.close(u);
  });

  it('caps the hints of one request', async () => {
    const body = Array.from({ length: 250 }, (_, i) => `  const a${i} = x * ${i + 1};`).join('\n');
    const text = `/**\n * @differentiable\n * @at x = 1\n */\nfunction many(x: number): number {\n${body}\n  return a249;\n}\n`;
    const u = await openAnalysed(text);
    const hints = await client.inlayHints(u);
    await client.close(u);
    assert.equal(hints.length, 200);
    assert.equal(label(hints[0]), 'a0 = 1 (∂/∂x 1)');
    assert.equal(label(hints[199]), 'a199 = 200 (∂/∂x 200)');
  });

  it('is off with gradlens.inlayHints.enabled = false', async () => {
    const off = await LspTestClient.start({ settings: { debounce: 20, inlayHints: { enabled: false } } });
    try {
      const u = await openAnalysed(TWO, off);
      assert.deepEqual(await off.inlayHints(u), []);
      await off.close(u);
    } finally {
      await off.stop();
    }
  });
});
