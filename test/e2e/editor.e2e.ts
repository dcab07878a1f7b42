// The editor features around the core loop, in the real workbench: the Getting Started
// walkthrough, a quick fix found with a diagnostic (a typo in `@wrt`), and the ✗ code lens that
// takes the user to the wrong component. Asserted through the UI; screenshots in
// test-results/screenshots/.

import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { applyCodeAction, extensionLogs, goTo, openFile, positionOf, runCommand, screenshot, startWorkbench, stopWorkbench, type Workbench } from './harness';

const FIXTURE = 'fixtures/editing.ts';

/** The cursor's line and column as the status bar shows them ("Ln 12, Col 5"). */
async function cursor(page: Page): Promise<{ line: number; column: number } | null> {
  const text = await page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ }).first().innerText().catch(() => '');
  const m = /Ln (\d+), Col (\d+)/.exec(text);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : null;
}

describe('Gradlens editor features in the VS Code workbench (code-server)', function () {
  let w: Workbench | undefined;
  let page: Page;

  before(async function () {
    this.timeout(300_000);
    w = await startWorkbench();
    page = w.page;
    await openFile(page, FIXTURE);
    await page.locator('.statusbar-item', { hasText: /Gradlens: .*function/ }).first().waitFor({ timeout: 120_000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && w) {
      await screenshot(page, `editor-failed-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => undefined);
      console.error(extensionLogs(w));
    }
    await page?.keyboard.press('Escape').catch(() => undefined);
  });

  after(async function () {
    await stopWorkbench(w);
  });

  it('the ✗ code lens of a wrong gradient selects its wrong component', async function () {
    const lens = page.locator('.contentWidgets .codelens-decoration a', { hasText: /✗ scaledSoftplusGrad/ }).first();
    await lens.waitFor({ timeout: 60_000 });
    await screenshot(page, 'editor-01-lens');
    assert.match(await lens.innerText(), /x wrong/);
    await lens.click();
    const wrong = positionOf(w!.workspace, FIXTURE, 'sigmoid];', 0);
    const end = Date.now() + 15_000;
    let at = await cursor(page);
    while ((!at || at.line !== wrong.line) && Date.now() < end) {
      await page.waitForTimeout(200);
      at = await cursor(page);
    }
    await screenshot(page, 'editor-02-revealed');
    assert.equal(at?.line, wrong.line, `the cursor is at ${JSON.stringify(at)}, not on the wrong component's line ${wrong.line}`);
    // the wrong component itself is selected
    const selected = await page.locator('.statusbar-item', { hasText: /\(\d+ selected\)/ }).first().innerText().catch(() => '');
    assert.match(selected, /\(7 selected\)/, `'sigmoid' should be selected: ${selected}`);
  });

  it('a typo in @wrt gets "did you mean" and its quick fix renames it', async function () {
    const at = positionOf(w!.workspace, FIXTURE, 'kk, x', 1);
    await goTo(page, at.line, at.column);
    await applyCodeAction(page, "Change 'kk' to 'k'", () => screenshot(page, 'editor-03-did-you-mean'));
    await page.locator('.view-line', { hasText: '@wrt k, x' }).first().waitFor({ timeout: 20_000 });
    await page.keyboard.press('Control+S');
    const file = join(w!.workspace, FIXTURE);
    const end = Date.now() + 15_000;
    while (!readFileSync(file, 'utf8').includes('@wrt k, x') && Date.now() < end) await page.waitForTimeout(200);
    assert.match(readFileSync(file, 'utf8'), /@wrt k, x\n/);
    // re-analysed: the gradient of energy is on hover, with respect to k and x
    await page.keyboard.press('Control+Shift+M');
    await page.waitForTimeout(1500);
    const rows = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    await screenshot(page, 'editor-04-fixed-typo');
    assert.ok(!rows.some((r) => r.includes('GL005') && r.includes('kk')), `the GL005 on kk is still listed:\n${rows.join('\n')}`);
    await page.keyboard.press('Control+Shift+M');
  });

  it('"Insert gradient-check test" creates a test file beside the function, importing it and its gradient', async function () {
    // calculus.ts: rosenbrock and rosenbrockGrad are exported; no package.json, so node:test beside the file
    await openFile(page, 'fixtures/calculus.ts');
    const at = positionOf(w!.workspace, 'fixtures/calculus.ts', 'export function rosenbrock(', 'export function '.length + 1);
    await goTo(page, at.line, at.column);
    await applyCodeAction(page, 'Insert gradient-check test');
    const created = join(w!.workspace, 'fixtures', 'calculus.gradient.test.ts');
    // created on disk by the workspace edit (VS Code saves what a refactoring writes into files that were not open)
    await page.locator('.explorer-item', { hasText: 'calculus.gradient.test.ts' }).first().waitFor({ timeout: 30_000 });
    const end = Date.now() + 30_000;
    while (!(existsSync(created) && readFileSync(created, 'utf8').includes('describe(')) && Date.now() < end) await page.waitForTimeout(250);
    await screenshot(page, 'editor-06-test-file');
    const text = readFileSync(created, 'utf8');
    assert.match(text, /import \{ describe, it \} from 'node:test';/);
    assert.match(text, /import \{ rosenbrock, rosenbrockGrad \} from '\.\/calculus';/);
    assert.match(text, /rosenbrockGradientCheck\(\) < 1e-5/);
  });

  it('opens the Getting Started walkthrough with its steps', async function () {
    await runCommand(page, 'Welcome: Open Walkthrough...');
    const input = page.locator('.quick-input-widget input.input');
    await input.fill('Gradlens');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get Started with Gradlens' }).first().waitFor({ timeout: 20_000 });
    await page.keyboard.press('Enter');
    const title = page.locator('.gettingStartedContainer', { hasText: 'Get Started with Gradlens' }).first();
    await title.waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1000);
    await screenshot(page, 'editor-05-walkthrough');
    const text = await title.innerText();
    assert.match(text, /Mark a function @differentiable/);
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { contributes: { walkthroughs: { steps: { title: string }[] }[] } };
    for (const step of manifest.contributes.walkthroughs[0].steps) assert.ok(text.includes(step.title), `step "${step.title}" is not shown`);
  });
});
