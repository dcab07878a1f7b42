// Gradlens in the real VS Code workbench (code-server + headless Chromium), asserted through the
// UI only: what a person sees in hovers, squiggles, the Problems panel, the editor text and the
// graph webview. Screenshots of every step go to test-results/screenshots/.

import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  applyCodeAction, extensionLogs, goTo, openFile, positionOf, runCommand, screenshot, startWorkbench, stopWorkbench, webviewFrame,
  type Workbench,
} from './harness';
import serverProcess from '../../server/processOptions.json';

const FIXTURE = 'fixtures/calculus.ts';

/** Ctrl+S, then waits until the file on disk satisfies `ok` (the save is asynchronous). */
async function saveAndWait(page: Page, file: string, ok: (text: string) => boolean): Promise<void> {
  await page.keyboard.press('Control+S');
  const end = Date.now() + 15_000;
  while (!ok(readFileSync(file, 'utf8'))) {
    if (Date.now() > end) throw new Error(`${file} was not saved with the change`);
    await page.waitForTimeout(200);
  }
}

describe('Gradlens in the VS Code workbench (code-server)', function () {
  let w: Workbench | undefined;
  let page: Page;

  before(async function () {
    this.timeout(300_000);
    w = await startWorkbench();
    page = w.page;
    await openFile(page, FIXTURE);
    // The status bar shows the file's summary once the server has analysed it.
    await page.locator('.statusbar-item', { hasText: /Gradlens: .*function/ }).first().waitFor({ timeout: 120_000 });
    await screenshot(page, '01-fixture-open');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && w) {
      await screenshot(page, `failed-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => undefined);
      console.error(extensionLogs(w));
    }
    await page?.keyboard.press('Escape').catch(() => undefined);
  });

  after(async function () {
    await stopWorkbench(w);
  });

  it('starts the language server with the node options and environment of server/processOptions.json', function () {
    // The client's fork of dist/server.js, found among this workbench's processes by its path.
    const serverPath = join(w!.home, 'extensions');
    const isServerScript = (a: string): boolean => a.startsWith(serverPath) && a.endsWith(join('dist', 'server.js'));
    const processes = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return argv.some(isServerScript) ? [{ pid, argv }] : [];
      } catch {
        return []; // a process that ended meanwhile
      }
    });
    assert.equal(processes.length, 1, `one language server under ${serverPath}: ${JSON.stringify(processes)}`);
    const { pid, argv } = processes[0];
    // node's options come before the script (after it they would be the script's arguments)
    const script = argv.findIndex(isServerScript);
    for (const arg of serverProcess.nodeArgs) assert.ok(argv.indexOf(arg) >= 0 && argv.indexOf(arg) < script, `${arg} before the script in ${argv.join(' ')}`);
    const environment = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    for (const [key, value] of Object.entries(serverProcess.env)) assert.ok(environment.includes(`${key}=${value}`), `${key}=${value} in the server's environment`);
  });

  it('highlights the annotation tags in JSDoc with the injection grammar', async function () {
    const line = page.locator('.view-line', { hasText: '@differentiable' }).first();
    await line.waitFor();
    const tagColor = await line.locator('span span', { hasText: /^@differentiable$|^differentiable$/ }).first()
      .evaluate((e) => getComputedStyle(e).color);
    const since = page.locator('.view-line', { hasText: '@since' }).first();
    const sinceColor = await since.locator('span span', { hasText: /^@since$|^since$/ }).first().evaluate((e) => getComputedStyle(e).color);
    const prose = page.locator('.view-line', { hasText: "Rosenbrock's banana" }).first();
    const proseColor = await prose.locator('span span', { hasText: /banana/ }).first().evaluate((e) => getComputedStyle(e).color);
    assert.notEqual(tagColor, proseColor, 'a Gradlens tag is coloured like plain comment text');
    assert.notEqual(tagColor, sinceColor, 'a Gradlens tag is coloured like any other JSDoc tag: the injection grammar is not applied');
  });

  it('shows the gradient when hovering an annotated function', async function () {
    await page.locator('.statusbar-item', { hasText: 'Gradlens' }).first().waitFor({ timeout: 60_000 });
    const name = page.locator('.view-line', { hasText: 'export function rosenbrock(' }).locator('span span', { hasText: /^rosenbrock$/ }).first();
    const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: /∂/ });
    // The server may still be analysing the first time: hover again until Gradlens's part shows.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      await page.mouse.move(10, 10);
      await name.hover();
      try {
        await hover.first().waitFor({ timeout: 4_000 });
        break;
      } catch {
        /* hover again */
      }
    }
    await screenshot(page, '02-hover');
    const text = await hover.first().innerText();
    assert.match(text, /∂\S*\/∂x/, `no ∂/∂x in the hover:\n${text}`);
    assert.match(text, /∂\S*\/∂y/, `no ∂/∂y in the hover:\n${text}`);
    assert.match(text, /1501\b/, `the hover does not show ∂f/∂x = 1501 at (1.5, −0.25):\n${text}`);
    assert.match(text, /[−-]500\b/, `the hover does not show ∂f/∂y = −500 at (1.5, −0.25):\n${text}`);
    // TypeScript's signature stays at the top, Gradlens's part below it (once tsserver has loaded
    // the project, which may take a while after the first hover)
    const signature = /function rosenbrock\(x: number, y: number\): number/;
    let both = text;
    const tsDeadline = Date.now() + 90_000;
    while (!signature.test(both) && Date.now() < tsDeadline) {
      await page.mouse.move(10, 10);
      await page.waitForTimeout(1000);
      await name.hover();
      await hover.first().waitFor({ timeout: 10_000 }).catch(() => undefined);
      both = await hover.first().innerText().catch(() => '');
    }
    await screenshot(page, '02b-hover-with-signature');
    assert.match(both, signature, `TypeScript's signature never showed in the hover:\n${both}`);
    assert.ok(both.search(signature) < both.search(/∂\S*\/∂x/), `Gradlens's part comes before TypeScript's signature:\n${both}`);
    await page.mouse.move(10, 10);
  });

  it('underlines the wrong component and lists GL001 in Problems', async function () {
    const squiggle = page.locator('.monaco-editor .view-overlays .squiggly-warning');
    await squiggle.first().waitFor({ timeout: 60_000 });
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'GL001' });
    await row.first().waitFor({ timeout: 30_000 });
    await screenshot(page, '03-problems-gl001');
    const rows = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    const gl001 = rows.filter((r) => r.includes('GL001'));
    assert.ok(gl001.some((r) => /[−-]250/.test(r) && /[−-]500/.test(r)), `GL001 should give both values (−250 hand-written, −500 AD):\n${gl001.join('\n')}`);
    await page.keyboard.press('Control+Shift+M');
  });

  it('shows inlay hints with the value and partials of each local at the check point', async function () {
    const at = positionOf(w!.workspace, FIXTURE, 'const t = Math.sin(s);', 0);
    await goTo(page, at.line, at.column);
    // Injected text is part of the line's DOM: wait until the hint is drawn after `const s = x * x;`.
    const line = page.locator('.view-line', { hasText: 'const s = x * x;' }).first();
    const deadline = Date.now() + 60_000;
    let text = '';
    while (Date.now() < deadline) {
      text = (await line.innerText()).replace(/\u00a0/g, ' ');
      if (/∂\/∂x/.test(text)) break;
      await page.waitForTimeout(500);
    }
    await screenshot(page, '05a-inlay-hints');
    assert.match(text, /= 4\b.*∂\/∂x 4\b/, `no inlay hint s = 4 (∂/∂x 4) after the declaration of s:\n${text}`);
    const tLine = (await page.locator('.view-line', { hasText: 'const t = Math.sin(s);' }).first().innerText()).replace(/\u00a0/g, ' ');
    assert.match(tLine, /[−-]0\.756\d*.*∂\/∂x [−-]2\.61\d*/, `no inlay hint t ≈ −0.7568 (∂/∂x −2.6146):\n${tLine}`);
  });

  it('inserts <name>Grad with the code action', async function () {
    const at = positionOf(w!.workspace, FIXTURE, 'export function wave(', 'export function '.length + 1);
    await goTo(page, at.line, at.column);
    await applyCodeAction(page, 'Insert gradient function (reverse mode)', () => screenshot(page, '04-code-actions'));
    await page.locator('.view-line', { hasText: 'waveGrad' }).first().waitFor({ timeout: 20_000 });
    await saveAndWait(page, join(w!.workspace, FIXTURE), (t) => t.includes('waveGrad'));
    await screenshot(page, '05-inserted');
    const saved = readFileSync(join(w!.workspace, FIXTURE), 'utf8');
    assert.match(saved, /function waveGrad\(/, 'no waveGrad function was inserted');
    assert.match(saved, /@gradient waveGrad/, 'the JSDoc of wave did not get @gradient waveGrad');
  });

  it('fixes the wrong hand-written gradient and the warning goes away', async function () {
    const at = positionOf(w!.workspace, FIXTURE, '100 * (y - x * x)]', 2);
    await goTo(page, at.line, at.column);
    await applyCodeAction(page, 'Fix hand-written gradient');
    // The edit lands once the server resolves the action: then the slip is gone from the editor.
    await page.waitForFunction(
      () => ![...document.querySelectorAll('.view-line')].some((l) => (l.textContent ?? '').replace(/\u00a0/g, ' ').includes(', 100 * (y - x * x)]')),
      undefined,
      { timeout: 30_000 },
    );
    await saveAndWait(page, join(w!.workspace, FIXTURE), (t) => !t.includes(', 100 * (y - x * x)]'));
    await page.keyboard.press('Control+Shift+M');
    // Once re-analysed, no GL001 is left for the fixture.
    await page.waitForFunction(
      () => ![...document.querySelectorAll('.markers-panel .monaco-list-row')].some((r) => (r.textContent ?? '').includes('GL001') && (r.textContent ?? '').includes('calculus')),
      undefined,
      { timeout: 30_000 },
    ).catch(() => undefined);
    await page.waitForTimeout(1500);
    await screenshot(page, '06-fixed');
    const rows = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    assert.ok(!rows.some((r) => r.includes('GL001')), `GL001 is still listed after the fix:\n${rows.join('\n')}`);
    assert.equal(await page.locator('.monaco-editor .view-overlays .squiggly-warning').count(), 0, 'a warning squiggle is still drawn');
    const saved = readFileSync(join(w!.workspace, FIXTURE), 'utf8');
    assert.doesNotMatch(saved, /, 100 \* \(y - x \* x\)\]/, 'the wrong component is still in the file');
    await page.keyboard.press('Control+Shift+M');
  });

  it('Show Computation Graph opens the webview and draws nodes with values', async function () {
    const at = positionOf(w!.workspace, FIXTURE, 'return (1 - x) ** 2', 8);
    await goTo(page, at.line, at.column);
    await runCommand(page, 'Gradlens: Show Computation Graph');
    const frame = webviewFrame(page);
    const nodes = frame.locator('#graph g.node');
    await nodes.first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(1000);
    await screenshot(page, '07-graph');
    const count = await nodes.count();
    assert.ok(count >= 6, `only ${count} nodes drawn for rosenbrock`);
    const texts = await nodes.allTextContents();
    assert.ok(texts.some((t) => /v = 625\.25/.test(t)), `no node shows the value 625.25:\n${texts.join('\n')}`);
    assert.ok(texts.some((t) => /input/.test(t) && /v = 1\.5/.test(t)), `no input node with x = 1.5:\n${texts.join('\n')}`);

    // Step the reverse sweep: the first step is the output node, with adjoint 1.
    await frame.locator('#step-reverse').click();
    const current = frame.locator('#graph g.node.current');
    await current.waitFor();
    assert.match(await current.textContent() ?? '', /v̄ = 1\b/, 'the reverse sweep does not start at the output with adjoint 1');
    await frame.locator('#step-reverse').click();
    assert.ok((await frame.locator('#graph g.edge.lit.reverse').count()) > 0, 'no edge lights up in the reverse sweep');
    await screenshot(page, '08-graph-reverse-sweep');

    // The methods tab compares the methods and plots the error curve.
    await frame.locator('#tab-methods').click();
    await frame.locator('#methods-table tbody tr').first().waitFor({ timeout: 30_000 });
    await frame.locator('svg.plot path.plot-line').first().waitFor({ timeout: 10_000 });
    await screenshot(page, '09-methods');
    const outside = await frame.locator('svg.plot').evaluate((svg) => {
      const f = svg.querySelector('.plot-frame')!;
      const x0 = Number(f.getAttribute('x')), x1 = x0 + Number(f.getAttribute('width'));
      return [...svg.querySelectorAll('circle.plot-dot')].map((c) => Number(c.getAttribute('cx'))).filter((x) => x < x0 - 0.5 || x > x1 + 0.5);
    });
    assert.deepEqual(outside, [], 'points of the error curve fall outside the plot: the h axis does not span the steps');
    const table = await frame.locator('#methods-table').innerText();
    assert.match(table, /1501/, `the methods table has no 1501:\n${table}`);
    await frame.locator('#tab-graph').click();

    // The view follows the cursor: click into wave's body and the graph switches to wave.
    await page.locator('.editor-instance .view-line', { hasText: 'return Math.sin(x)' }).first().click();
    const deadline = Date.now() + 20_000;
    let selected = '';
    while (Date.now() < deadline && selected !== 'wave') {
      selected = await frame.locator('#function-select').inputValue();
      await page.waitForTimeout(250);
    }
    await screenshot(page, '10-graph-follows-cursor');
    assert.equal(selected, 'wave', 'the graph did not follow the cursor into wave');
    const waveTexts = await frame.locator('#graph g.node').allTextContents();
    assert.ok(waveTexts.some((t) => /input\s+y/.test(t) && /v = 2(?![\d.])/.test(t)), `wave's graph should start from y = 2:\n${waveTexts.join('\n')}`);
  });

  it('checks the examples: the deliberately wrong Black–Scholes rho is GL001 in Problems', async function () {
    await openFile(page, 'examples/blackScholes.ts');
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'GL001' });
    await row.first().waitFor({ timeout: 60_000 });
    await screenshot(page, '11-examples-black-scholes');
    const rows = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    const gl001 = rows.filter((r) => r.includes('GL001'));
    assert.ok(gl001.some((r) => r.includes('∂blackScholesCall/∂r')), `GL001 should name ∂blackScholesCall/∂r:\n${rows.join('\n')}`);
    assert.ok(!rows.some((r) => /GL00[1-7]/.test(r) && !r.includes('blackScholes')), `only the wrong rho should be reported:\n${rows.join('\n')}`);
    await page.keyboard.press('Control+Shift+M');
  });

  it('completes the Gradlens tags in JSDoc, with their documentation', async function () {
    // The fixture's tab is open already (behind the examples' file): bring it to the front.
    await page.locator('.tab[aria-label^="calculus.ts"]').first().click();
    await page.locator('.tab.active[aria-label^="calculus.ts"]').first().waitFor({ timeout: 20_000 });
    const at = positionOf(w!.workspace, FIXTURE, ' * @at x = 2', ' * @at x = 2'.length);
    await goTo(page, at.line, at.column);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('@gr');
    const suggest = page.locator('.suggest-widget .monaco-list-row', { hasText: 'gradient' });
    try {
      await suggest.first().waitFor({ timeout: 10_000 });
    } catch {
      await page.keyboard.press('Control+Space');
      await suggest.first().waitFor({ timeout: 20_000 });
    }
    await screenshot(page, '12-completion');
    const rows = await page.locator('.suggest-widget .monaco-list-row').allInnerTexts();
    assert.ok(rows.some((r) => /@?gradient/.test(r)), `no @gradient completion:\n${rows.join('\n')}`);
    await page.keyboard.press('Escape');
    // Leave the fixture as it was.
    for (let i = 0; i < 3; i++) await page.keyboard.press('Control+Z');
  });
});
