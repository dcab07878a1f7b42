import * as assert from 'node:assert/strict';
import { contentSecurityPolicy, makeNonce, webviewHtml } from '../../../client/src/webviewHtml';

describe('graph webview HTML', () => {
  const cspSource = 'https://file+.vscode-resource.vscode-cdn.net';
  const html = webviewHtml({ cspSource, nonce: 'abc123', scriptUri: `${cspSource}/ext/dist/webview.js`, styleUri: `${cspSource}/ext/media/webview.css` });

  it("has a Content-Security-Policy with default-src 'none' and a script nonce", () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.ok(csp, 'no CSP meta tag');
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]));
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('script-src'), ["'nonce-abc123'"]);
    assert.deepEqual(directives.get('style-src'), [cspSource]);
    for (const [k, v] of directives) {
      assert.ok(!v.some((s) => /unsafe-(inline|eval)|^\*$|^https?:$|^data:$/.test(s) && k !== 'img-src'), `${k} is too loose: ${v.join(' ')}`);
    }
  });

  it('loads only the bundled script, with the nonce, and the bundled stylesheet', () => {
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
    assert.equal(scripts.length, 1);
    assert.match(scripts[0]!, /nonce="abc123"/);
    assert.match(scripts[0]!, /src="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/ext\/dist\/webview\.js"/);
    assert.doesNotMatch(html, /style="/, 'inline styles would need unsafe-inline');
    assert.match(html, /<link rel="stylesheet" href="[^"]+media\/webview\.css">/);
  });

  it('makes a fresh, unguessable nonce each time', () => {
    const a = makeNonce(), b = makeNonce();
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9]{16,}$/);
    assert.equal(contentSecurityPolicy('x', a).includes(`'nonce-${a}'`), true);
  });
});
