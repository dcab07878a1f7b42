// End-to-end harness: installs the built .vsix into a private code-server (the real VS Code
// workbench), serves it on loopback only, opens a copy of examples/ plus the e2e fixtures, and
// drives it with headless Chromium through playwright-core. Everything lives in one temp folder.
// Environment (set by scripts/run-e2e.mjs): CODE_SERVER_BIN, GRADLENS_VSIX.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';

export const REPO = resolve(__dirname, '..', '..', '..');
export const SCREENSHOTS = join(REPO, 'test-results', 'screenshots');

export interface Workbench {
  page: Page;
  browser: Browser;
  server: ChildProcess;
  workspace: string;
  home: string;
  url: string;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? ok(a.port) : fail(new Error('no port'))));
    });
  });
}

async function waitForHttp(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`code-server did not answer at ${url}: ${String(last)}`);
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suite with npm run test:e2e`);
  return v;
}

export async function startWorkbench(): Promise<Workbench> {
  const bin = required('CODE_SERVER_BIN');
  const vsix = required('GRADLENS_VSIX');
  const home = mkdtempSync(join(tmpdir(), 'gradlens-e2e-'));
  const extensions = join(home, 'extensions');
  const userData = join(home, 'user-data');
  const workspace = join(home, 'workspace');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(workspace, { recursive: true });

  // The examples the project ships, plus the fixture whose numbers the tests know by hand.
  const examples = join(REPO, 'examples');
  if (existsSync(examples)) cpSync(examples, join(workspace, 'examples'), { recursive: true });
  cpSync(join(REPO, 'test', 'e2e', 'fixtures'), join(workspace, 'fixtures'), { recursive: true });

  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.colorTheme': 'Default Dark Modern',
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'security.workspace.trust.enabled': false,
        'extensions.ignoreRecommendations': true,
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'update.mode': 'none',
        'telemetry.telemetryLevel': 'off',
        'editor.minimap.enabled': false,
        'editor.hover.delay': 200,
        'editor.fontSize': 14,
        'chat.disableAIFeatures': true,
        'typescript.disableAutomaticTypeAcquisition': true,
        'typescript.tsserver.experimental.enableProjectDiagnostics': false,
        'files.autoSave': 'off',
      },
      null,
      2,
    ),
  );

  const common = ['--extensions-dir', extensions, '--user-data-dir', userData];
  const install = spawnSync(bin, [...common, '--install-extension', vsix], { encoding: 'utf8', timeout: 120_000 });
  if (install.status !== 0) throw new Error(`installing ${vsix} failed:\n${install.stdout}\n${install.stderr}`);
  const installed = readdirSync(extensions).filter((d) => d.startsWith('gradlens.gradlens-'));
  if (installed.length !== 1) throw new Error(`the extension is not in ${extensions}: ${readdirSync(extensions).join(', ')}`);

  const port = await freePort();
  const server = spawn(
    bin,
    [
      ...common,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      workspace,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PASSWORD: undefined } },
  );
  const log: string[] = [];
  server.stdout?.on('data', (d: Buffer) => log.push(d.toString()));
  server.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000);
  } catch (e) {
    server.kill();
    throw new Error(`${String(e)}\n${log.join('')}`);
  }

  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_BIN'] ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-dev-shm-usage', '--disable-extensions', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  // The explorer shows the workspace once the file service is up.
  await page.locator('.explorer-folders-view').waitFor({ timeout: 90_000 });
  return { page, browser, server, workspace, home, url };
}

export async function stopWorkbench(w: Workbench | undefined): Promise<void> {
  if (!w) return;
  await w.browser.close().catch(() => undefined);
  w.server.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  if (w.server.exitCode === null) w.server.kill('SIGKILL');
  if (!process.env['GRADLENS_E2E_KEEP']) rmSync(w.home, { recursive: true, force: true });
}

/** The extension host's log and Gradlens's output channel, for a failure's message. */
export function extensionLogs(w: Workbench): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/exthost\.log$|Gradlens\.log$|gradlens/i.test(f)) out.push(`--- ${p}\n${readFileSync(p, 'utf8').slice(-4000)}`);
    }
  };
  walk(join(w.home, 'user-data', 'logs'));
  return out.join('\n');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

const isMac = false;
const mod = isMac ? 'Meta' : 'Control';

export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor();
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ timeout: 20_000 });
  await page.keyboard.press('Enter');
}

export async function openFile(page: Page, relative: string): Promise<void> {
  await page.keyboard.press(`${mod}+P`);
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor();
  await input.fill(relative);
  const base = relative.split('/').pop()!;
  await page.locator('.quick-input-list .monaco-list-row', { hasText: base }).first().waitFor({ timeout: 20_000 });
  await page.keyboard.press('Enter');
  await page.locator(`.tab[aria-label^="${base}"]`).first().waitFor({ timeout: 20_000 });
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor();
}

/** Moves the cursor with Go to Line (1-based line and column), through the UI. */
export async function goTo(page: Page, line: number, column: number): Promise<void> {
  await page.keyboard.press(`${mod}+G`);
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor();
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** Line and column (1-based) of the first occurrence of `needle` in a workspace file on disk. */
export function positionOf(workspace: string, relative: string, needle: string, offsetInNeedle = 0): { line: number; column: number } {
  const text = readFileSync(join(workspace, relative), 'utf8');
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`${needle} not in ${relative}`);
  const before = text.slice(0, i + offsetInNeedle);
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return { line, column };
}

/** The webview's inner document (VS Code nests the content in an iframe inside an iframe). */
export function webviewFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
}

export async function editorText(page: Page): Promise<string> {
  return (await page.locator('.editor-instance .monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
}

/**
 * Applies a code action through the light-bulb menu at the cursor: Ctrl+., then arrow down to the
 * entry and Enter, as a keyboard user would (the menu's pointer block swallows synthetic clicks).
 * The menu is reopened when it closes early or lacks the entry (the server may still be analysing).
 */
export async function applyCodeAction(page: Page, title: string, onMenu?: () => Promise<unknown>, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  const entry = page.locator('.action-widget .monaco-list-row.action', { hasText: title }).first();
  for (;;) {
    await page.keyboard.press('Control+.');
    try {
      await entry.waitFor({ timeout: 5_000 });
      if (onMenu) await onMenu();
      const count = await page.locator('.action-widget .monaco-list-row.action').count();
      for (let i = 0; i <= count; i++) {
        const focused = await page.locator('.action-widget .monaco-list-row.focused').getAttribute('aria-label', { timeout: 2_000 });
        if (focused === title) {
          await page.keyboard.press('Enter');
          await page.locator('.action-widget').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
          return;
        }
        await page.keyboard.press('ArrowDown');
      }
      throw new Error(`"${title}" could not be focused in the code-action menu`);
    } catch (e) {
      if (Date.now() > end) throw e;
      await page.keyboard.press('Escape');
      await page.waitForTimeout(500);
    }
  }
}
