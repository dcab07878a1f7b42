// The workspace check in the real workbench: with no file open, "Gradlens: Check Workspace" from
// the command palette (the command the language client registers for the server's
// workspace/executeCommand) lists the wrong gradients of files that are not open in the Problems
// panel, says what it checked, and a file opened afterwards is not listed twice. Screenshots in
// test-results/screenshots/.

import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { extensionLogs, openFile, runCommand, screenshot, startWorkbench, stopWorkbench, type Workbench } from './harness';

async function problemRows(page: Page): Promise<string[]> {
  return page.locator('.markers-panel .monaco-list-row').allInnerTexts();
}

describe('Gradlens workspace check in the VS Code workbench (code-server)', function () {
  let w: Workbench | undefined;
  let page: Page;

  before(async function () {
    this.timeout(300_000);
    w = await startWorkbench();
    page = w.page;
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && w) {
      await screenshot(page, `workspace-failed-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => undefined);
      console.error(extensionLogs(w));
    }
  });

  after(async function () {
    await stopWorkbench(w);
  });

  it('lists the wrong gradients of files that are not open, after "Gradlens: Check Workspace"', async function () {
    // Right after startup the palette does not list the commands of extensions not activated yet:
    // reopen it until it lists Gradlens's.
    const end = Date.now() + 120_000;
    for (;;) {
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input.input').fill('>Gradlens: Check');
      const listed = await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Gradlens: Check Workspace' }).first()
        .waitFor({ timeout: 5_000 }).then(() => true, () => false);
      await page.keyboard.press('Escape');
      if (listed) break;
      if (Date.now() > end) assert.fail('"Gradlens: Check Workspace" never appeared in the command palette');
      await page.waitForTimeout(3_000);
    }
    await runCommand(page, 'Gradlens: Check Workspace');
    const toast = page.locator('.notifications-toasts .notification-list-item-message', { hasText: /Gradlens checked/ }).first();
    await toast.waitFor({ timeout: 150_000 });
    const summary = await toast.innerText();
    assert.match(summary, /Gradlens checked \d+ files with annotated functions of \d+ source files: problems in \d+/, summary);
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: '∂blackScholesCall/∂r' });
    await row.first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'workspace-01-problems');
    const rows = await problemRows(page);
    // No editor is open: every row comes from the workspace check; the deliberately wrong rho of
    // the examples and the e2e fixture's wrong gradient are among them.
    assert.equal(await page.locator('.tab').count(), 0, 'a file is open');
    assert.ok(rows.some((r) => r.includes('blackScholes.ts')), rows.join('\n'));
    assert.ok(rows.some((r) => r.includes('GL001') && r.includes('∂blackScholesCall/∂r')), rows.join('\n'));
    assert.ok(rows.some((r) => r.includes('editing.ts')), rows.join('\n'));
  });

  it('gives way to the file once it is opened: its problems are listed once', async function () {
    await openFile(page, 'examples/blackScholes.ts');
    await page.keyboard.press('Control+Shift+M');
    // The document's own analysis replaces the workspace check's diagnostics of that file.
    const end = Date.now() + 60_000;
    let rho: string[] = [];
    while (Date.now() < end) {
      rho = (await problemRows(page)).filter((r) => r.includes('GL001') && r.includes('∂blackScholesCall/∂r'));
      if (rho.length === 1) break;
      await page.waitForTimeout(500);
    }
    await screenshot(page, 'workspace-02-opened');
    assert.equal(rho.length, 1, `the wrong rho should be listed once:\n${rho.join('\n')}`);
  });
});
