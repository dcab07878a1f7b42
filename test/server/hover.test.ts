// Hover texts over stdio against dist/server.js. Each case is a fixture with a `$0` cursor marker
// and the fragments the hover must show (rust-analyzer style).

import * as assert from 'node:assert/strict';
import { Commands } from '../../server/protocol';
import { ROSENBROCK_DOC, RIGHT_GRADIENT, WRONG_GRADIENT, withGradientTag, uri } from './fixtures';
import { fixture, LspTestClient } from './lspClient';

describe('server: hover', function () {
  let client: LspTestClient;
  before(async () => { client = await LspTestClient.start(); });
  after(async () => { await client.stop(); });

  /** Opens the fixture, hovers at `$0`, checks every expected fragment; returns the hover text. */
  async function check(source: string, expected: (string | RegExp)[], absent: (string | RegExp)[] = []): Promise<string> {
    const { text, position } = fixture(source);
    const u = uri('hover');
    await client.open(u, text);
    const hover = await client.hoverText(u, position);
    await client.close(u);
    assert.ok(hover !== null, `no hover at $0 in:\n${source}`);
    for (const e of expected) {
      if (typeof e === 'string') assert.ok(hover.includes(e), `hover lacks ${JSON.stringify(e)}:\n${hover}`);
      else assert.match(hover, e);
    }
    for (const e of absent) {
      if (typeof e === 'string') assert.ok(!hover.includes(e), `hover should not have ${JSON.stringify(e)}:\n${hover}`);
      else assert.doesNotMatch(hover, e);
    }
    return hover;
  }

  it('on an annotated function: closed form, value and gradient at the check point, links', async () => {
    const hover = await check(ROSENBROCK_DOC.replace('function rosenbrock', 'function rosen$0brock'), [
      '**rosenbrock**(x, y)',
      /```text\n∂f\/∂x = .*x.*\n∂f\/∂y = .*y.*\n```/,
      'At x = 1.5, y = -0.25:',
      '- f = 625.25',
      '- ∂f/∂x = 1501',
      '- ∂f/∂y = -500',
      'No hand-written gradient',
      `](command:${Commands.showGraph}?`,
      `command:${Commands.insertCode}?`,
    ]);
    // The link arguments decode to [uri, function name(, mode)].
    const link = /\(command:gradlens\.showGraph\?([^)]+)\)/.exec(hover)!;
    const args = JSON.parse(decodeURIComponent(link[1])) as unknown[];
    assert.equal(args[1], 'rosenbrock');
    assert.match(String(args[0]), /^file:\/\/\/virtual\/gradlens-test\/hover-\d+\.ts$/);
  });

  it('on a function with loops: a description of the adjoint instead of a closed form', async () => {
    await check(`/**
 * @differentiable
 * @at w = [1, -2, 3]
 */
function sumSquares$0(w: number[]): number {
  let s = 0;
  for (const v of w) s += v * v;
  return s;
}
`, ['**sumSquares**(w)', 'adjoint', '- f = 14', '- ∂f/∂w = [2, -4, 6]'], ['```text']);
  });

  it('on a local variable: its value and partials at the check point', async () => {
    await check(`/**
 * @differentiable
 * @at x = 2, y = 3
 */
function product(x: number, y: number): number {
  const t = x * y;
  return t$0 + Math.sin(x);
}
`, ['`t` in **product** at x = 2, y = 3', '- t = 6', '- ∂t/∂x = 3', '- ∂t/∂y = 2']);
  });

  it('on a hand-written gradient that checks out: ✓ and the components', async () => {
    await check(`${withGradientTag(ROSENBROCK_DOC, 'rosenbrockGrad')}\n${RIGHT_GRADIENT.replace('rosenbrockGrad', 'rosenbrock$0Grad')}`, [
      '**rosenbrockGrad** · hand-written gradient of `rosenbrock`',
      '✓ `rosenbrockGrad`',
      'agrees with AD',
      '| x | 1501 | 1501 | 1501 |',
      '| y | -500 | -500 | -500 |',
    ], ['✗']);
  });

  it('on a wrong hand-written gradient: the wrong component with the three numbers', async () => {
    await check(`${withGradientTag(ROSENBROCK_DOC, 'rosenbrockGrad')}\n${WRONG_GRADIENT.replace('rosenbrockGrad', 'rosenbrock$0Grad')}`, [
      '✗ `rosenbrockGrad` is wrong: hand-written ∂rosenbrock/∂y is -250, AD says -500 (finite differences -500) at x = 1.5, y = -0.25',
      /\| y \| -250 \| -500 \| -500 \| [\d.e-]+ \| ✗ wrong \|/,
    ]);
  });

  it('says when the gradient was paired by name', async () => {
    await check(`${ROSENBROCK_DOC.replace('function rosenbrock', 'function $0rosenbrock')}\n${RIGHT_GRADIENT}`, [
      '✓ `rosenbrockGrad` (paired by name)',
    ]);
  });

  it('has no hover outside annotated functions', async () => {
    const { text, position } = fixture(`const a$0 = 1;\n${ROSENBROCK_DOC}`);
    const u = uri('hover');
    await client.open(u, text);
    assert.equal(await client.hover(u, position), null);
    await client.close(u);
  });
});
