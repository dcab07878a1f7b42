// The graph webview bundle (dist/webview.js) alone in headless Chromium, under the same CSP the
// extension sets, fed the messages the extension host would send. It checks what the workbench
// suite cannot pin down with engine output: loop collapsing and expansion, both sweeps, the point
// picker, the methods plot, state persistence, and the three colour themes.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { webviewHtml } from '../../client/src/webviewHtml';
import type { HostMessage, WebviewMessage, WebviewState } from '../../client/webview/messages';
import { loopGraph, smallGraph } from '../vscode/unit/sampleGraphs';
import { REPO, screenshot } from './harness';

const THEMES: Record<string, { bodyClass: string; vars: Record<string, string> }> = {
  dark: {
    bodyClass: 'vscode-dark',
    vars: { foreground: '#cccccc', 'editor-background': '#1f1f1f', 'editor-foreground': '#cccccc', 'editorWidget-background': '#202020', 'editorWidget-border': '#454545', 'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc', 'input-background': '#313131', 'input-foreground': '#cccccc', 'panel-border': '#2b2b2b', 'focusBorder': '#0078d4', 'editorLineNumber-foreground': '#6e7681', 'editor-selectionBackground': '#264f78', 'descriptionForeground': '#9d9d9d', 'font-family': 'sans-serif', 'font-size': '13px', 'editor-font-family': 'monospace' },
  },
  light: {
    bodyClass: 'vscode-light',
    vars: { foreground: '#3b3b3b', 'editor-background': '#ffffff', 'editor-foreground': '#3b3b3b', 'editorWidget-background': '#f8f8f8', 'editorWidget-border': '#c8c8c8', 'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b', 'input-background': '#ffffff', 'input-foreground': '#3b3b3b', 'panel-border': '#e5e5e5', 'focusBorder': '#005fb8', 'editorLineNumber-foreground': '#6e7681', 'editor-selectionBackground': '#add6ff', 'descriptionForeground': '#717171', 'font-family': 'sans-serif', 'font-size': '13px', 'editor-font-family': 'monospace' },
  },
  'high-contrast': {
    bodyClass: 'vscode-high-contrast',
    vars: { foreground: '#ffffff', 'editor-background': '#000000', 'editor-foreground': '#ffffff', 'editorWidget-background': '#0c141f', 'contrastBorder': '#6fc3df', 'button-secondaryBackground': '#000000', 'button-secondaryForeground': '#ffffff', 'input-background': '#000000', 'input-foreground': '#ffffff', 'focusBorder': '#f38518', 'editorLineNumber-foreground': '#ffffff', 'editor-selectionBackground': '#ffffff', 'descriptionForeground': '#ffffff', 'font-family': 'sans-serif', 'font-size': '13px', 'editor-font-family': 'monospace' },
  },
};

describe('graph webview bundle in Chromium', function () {
  let server: Server;
  let origin: string;
  let browser: Browser;
  let page: Page;
  const violations: string[] = [];

  before(async function () {
    const files: Record<string, [string, string]> = {
      '/dist/webview.js': [join(REPO, 'dist', 'webview.js'), 'text/javascript'],
      '/media/webview.css': [join(REPO, 'media', 'webview.css'), 'text/css'],
    };
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/index.html') {
        const theme = THEMES[url.searchParams.get('theme') ?? 'dark']!;
        let html = webviewHtml({ cspSource: origin, nonce: 'testnonce', scriptUri: `${origin}/dist/webview.js`, styleUri: `${origin}/media/webview.css` });
        // What VS Code does around a webview: theme variables on <html>, a theme class on <body>,
        // and acquireVsCodeApi. Here a stub that records posts and keeps state in sessionStorage.
        html = html.replace('<body>', `<body class="${theme.bodyClass}">`);
        html = html.replace('</head>', `<link rel="stylesheet" href="${origin}/theme.css?theme=${url.searchParams.get('theme') ?? 'dark'}"></head>`);
        html = html.replace('<script nonce="testnonce"', `<script nonce="testnonce">
          window.__posted = [];
          window.acquireVsCodeApi = () => ({
            postMessage: (m) => window.__posted.push(m),
            getState: () => JSON.parse(sessionStorage.getItem('state') || 'null') || undefined,
            setState: (s) => sessionStorage.setItem('state', JSON.stringify(s)),
          });
        </script><script nonce="testnonce"`);
        res.writeHead(200, { 'content-type': 'text/html' }).end(html);
        return;
      }
      if (url.pathname === '/theme.css') {
        const theme = THEMES[url.searchParams.get('theme') ?? 'dark']!;
        const vars = Object.entries(theme.vars).map(([k, v]) => `--vscode-${k}: ${v};`).join(' ');
        res.writeHead(200, { 'content-type': 'text/css' }).end(`html { ${vars} }`);
        return;
      }
      const f = files[url.pathname];
      if (!f) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': f[1] }).end(readFileSync(f[0]));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const a = server.address();
    origin = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    browser = await chromium.launch({
      executablePath: process.env['CHROMIUM_BIN'] ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused/.test(m.text())) violations.push(m.text());
    });
    page.on('pageerror', (e) => violations.push(`page error: ${e.message}`));
  });

  after(async function () {
    await browser?.close();
    server?.close();
  });

  async function load(theme = 'dark'): Promise<void> {
    await page.goto(`${origin}/index.html?theme=${theme}`);
    await page.waitForFunction(() => (window as unknown as { __posted: WebviewMessage[] }).__posted.some((m) => m.type === 'ready'));
  }
  async function send(m: HostMessage): Promise<void> {
    await page.evaluate((msg) => window.postMessage(msg, '*'), m);
  }
  async function posted(): Promise<WebviewMessage[]> {
    return page.evaluate(() => (window as unknown as { __posted: WebviewMessage[] }).__posted);
  }
  const graphMessage = (graph = smallGraph()): HostMessage => ({
    type: 'graph', uri: 'file:///w/f.ts', fileLabel: 'f.ts', functionName: graph.functionName, functions: ['f', 'g'], graph, customPoint: false,
  });

  it('runs under the CSP and draws every node with its op, value and adjoint', async function () {
    await load();
    await send(graphMessage());
    await page.locator('#graph g.node').nth(4).waitFor();
    assert.equal(await page.locator('#graph g.node').count(), 5);
    assert.equal(await page.locator('#graph g.edge').count(), 5);
    const texts = await page.locator('#graph g.node').allTextContents();
    assert.ok(texts.some((t) => t.includes('*  x * y') && t.includes('v = 6') && t.includes('v̄ = 1')), texts.join('\n'));
    assert.ok(texts.some((t) => t.includes('input  x') && t.includes('v = 2') && t.includes('v̄ = 2.58385')), texts.join('\n'));
    assert.deepEqual(violations, [], 'CSP violations or page errors');
    await screenshot(page, 'webview-dark');
  });

  it('steps the forward sweep, then the reverse sweep from the output', async function () {
    await page.click('#step-forward');
    assert.equal(await page.locator('#graph g.node.current').getAttribute('data-node'), 'n0');
    assert.equal(await page.locator('#graph g.node.pending').count(), 4, 'nodes not yet computed are dimmed');
    await page.click('#step-forward');
    await page.click('#step-forward');
    assert.equal(await page.locator('#graph g.node.current').getAttribute('data-node'), 'n2');
    assert.deepEqual((await page.locator('#graph g.edge.lit.forward').evaluateAll((es) => es.map((e) => e.getAttribute('data-edge')))).sort(), ['n0->n2', 'n1->n2']);
    assert.match(await page.locator('#sweep-status').innerText(), /Forward sweep 3\/5/);
    await page.click('#step-reverse');
    assert.equal(await page.locator('#graph g.node.current').getAttribute('data-node'), 'n4');
    await page.click('#step-reverse');
    assert.equal(await page.locator('#graph g.node.current').getAttribute('data-node'), 'n3');
    assert.deepEqual(await page.locator('#graph g.edge.lit.reverse').evaluateAll((es) => es.map((e) => e.getAttribute('data-edge'))), ['n0->n3']);
    assert.match(await page.locator('#graph g.edge.lit.reverse').innerHTML(), /∂ = /, 'the lit edge shows its local partial');
    await screenshot(page, 'webview-reverse-sweep');
    await page.click('#step-back');
    assert.equal(await page.locator('#graph g.node.current').getAttribute('data-node'), 'n4');
    await page.click('#show-all');
    assert.equal(await page.locator('#graph g.node.current').count(), 0);
  });

  it('asks the editor to reveal a node\'s source range when clicked', async function () {
    await page.locator('#graph g.node[data-node="n3"]').click();
    const last = (await posted()).filter((m) => m.type === 'revealRange').pop();
    assert.deepEqual(last, { type: 'revealRange', range: { start: 38, end: 49 } });
  });

  it('sends a new point from the picker, and back to the check point', async function () {
    await page.fill('#point-picker input[data-param="x"]', '0.5');
    await page.click('#apply-point');
    let last = (await posted()).filter((m) => m.type === 'setPoint').pop();
    assert.deepEqual(last, { type: 'setPoint', point: { x: 0.5, y: 3 } });
    await page.fill('#point-picker input[data-param="y"]', 'abc');
    await page.click('#apply-point');
    assert.equal(await page.locator('#point-picker input.invalid').count(), 1, 'a bad number is flagged, not sent');
    await page.click('#reset-point');
    last = (await posted()).filter((m) => m.type === 'setPoint').pop();
    assert.deepEqual(last, { type: 'setPoint', point: null });
  });

  it('keeps a 2,000-node loop as one node until it is expanded', async function () {
    const t = Date.now();
    await send(graphMessage(loopGraph(1000)));
    const loop = page.locator('#graph g.node.loop');
    await loop.waitFor();
    assert.ok(Date.now() - t < 5000, `drawing took ${Date.now() - t} ms`);
    assert.equal(await page.locator('#graph g.node').count(), 4);
    assert.match(await loop.textContent() ?? '', /loop ×1000/);
    await screenshot(page, 'webview-loop-collapsed');
    await loop.click();
    // Expanded: the first three iterations, the last, and one box for the 996 in between.
    await page.locator('#graph g.node.iterations').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#graph g.node').count(), 12);
    assert.match(await page.locator('#graph g.node.iterations').textContent() ?? '', /iterations 4–999 of 1000/);
    await screenshot(page, 'webview-loop-expanded');
    const state = await page.evaluate(() => JSON.parse(sessionStorage.getItem('state') ?? 'null') as WebviewState);
    assert.deepEqual(state.expandedLoops, [1], 'the expanded loop is saved in the webview state');
    await page.click('#collapse-loops');
    await page.waitForFunction(() => document.querySelectorAll('#graph g.node').length === 4);
  });

  it('restores its state (function, tab, loops) after a reload', async function () {
    await page.click('#tab-methods');
    await load();
    const ready = (await posted()).find((m) => m.type === 'ready');
    assert.ok(ready && ready.type === 'ready');
    assert.equal(ready.state.functionName, 'g');
    assert.equal(ready.state.uri, 'file:///w/f.ts');
    assert.equal(ready.state.tab, 'methods');
    assert.ok(await page.locator('#methods-pane').isVisible());
    assert.ok((await posted()).some((m) => m.type === 'requestMethods'), 'the methods tab asks for its data');
  });

  it('shows the methods table with differences from reverse mode and the log-log plot', async function () {
    await send({
      type: 'methods',
      functionName: 'f',
      comparison: {
        functionName: 'f',
        point: { x: 2, y: 3 },
        components: [
          { label: 'x', forward: 2.5838531634528574, reverse: 2.5838531634528574, closed: 2.5838531634528574, central: 2.583853163470, complexStep: 2.5838531634528574 },
          { label: 'y', forward: 2, reverse: 2, closed: null, central: 2.0000000000012, complexStep: null },
        ],
        errorCurve: [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12].map((h) => ({
          h, forward: 0.45 * h + 2e-16 / h, central: 0.15 * h * h + 2e-16 / h, complexStep: 0.15 * h * h < 1e-16 ? 0 : 0.15 * h * h,
        })),
      },
    });
    await page.locator('#methods-table tbody tr').nth(1).waitFor();
    const rows = await page.locator('#methods-table tbody tr').allInnerTexts();
    assert.match(rows[0]!, /2\.58385/);
    assert.match(rows[0]!, /Δ 0/);
    assert.match(rows[0]!, /Δ 1\.\de-1[0-3]/, 'the central difference shows its difference from reverse');
    assert.match(rows[1]!, /n\/a/, 'a missing closed form says so');
    assert.equal(await page.locator('svg.plot path.plot-line').count(), 3);
    await screenshot(page, 'webview-methods');
  });

  for (const theme of ['light', 'high-contrast']) {
    it(`follows the ${theme} theme through --vscode-* variables`, async function () {
      await load(theme);
      await send(graphMessage());
      await page.click('#tab-graph');
      await page.locator('#graph g.node').nth(4).waitFor();
      const box = await page.locator('#graph g.node').first().boundingBox();
      assert.ok(box && box.width > 60, `the graph is not fitted to the view: a node is ${box?.width} px wide`);
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(bg, theme === 'light' ? 'rgb(255, 255, 255)' : 'rgb(0, 0, 0)');
      const stroke = await page.locator('#graph g.node:not(.input):not(.output) rect').first().evaluate((e) => getComputedStyle(e).stroke);
      if (theme === 'high-contrast') assert.equal(stroke, 'rgb(111, 195, 223)', 'high contrast draws nodes with the contrast border');
      assert.deepEqual(violations, []);
      await screenshot(page, `webview-${theme}`);
    });
  }
});
