// Malformed JSON-RPC from a client (or from whatever sits on the other end of --stdio) is answered
// or ignored; the server stays up and serves the next well-formed request.

import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import serverProcess from '../../server/processOptions.json';
import { ROOT } from './lspClient';

function frame(body: string): string {
  return `Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n\r\n${body}`;
}

/** Collects every message the server writes, parsed from its framing. */
function reader(child: ChildProcessWithoutNullStreams): { messages: Record<string, unknown>[]; waitFor(p: (m: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>> } {
  const messages: Record<string, unknown>[] = [];
  let buf = Buffer.alloc(0);
  const waiters: { p: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];
  child.stdout.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const sep = buf.indexOf('\r\n\r\n');
      if (sep < 0) return;
      const m = /Content-Length: (\d+)/i.exec(buf.subarray(0, sep).toString('ascii'));
      const len = Number(m?.[1] ?? 0);
      if (buf.length < sep + 4 + len) return;
      const msg = JSON.parse(buf.subarray(sep + 4, sep + 4 + len).toString('utf8')) as Record<string, unknown>;
      buf = buf.subarray(sep + 4 + len);
      messages.push(msg);
      for (const w of [...waiters]) if (w.p(msg)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(msg); }
    }
  });
  return {
    messages,
    waitFor: (p, ms = 20_000) => {
      const hit = messages.find(p);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no such message')), ms);
        waiters.push({ p, resolve: (m) => { clearTimeout(timer); resolve(m); } });
      });
    },
  };
}

describe('server: malformed JSON-RPC', function () {
  this.timeout(60_000);

  it('answers or ignores broken messages and keeps serving', async () => {
    const child = spawn(process.execPath, [...serverProcess.nodeArgs, path.join(ROOT, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...serverProcess.env } });
    const r = reader(child);
    let exited: number | null = null;
    child.on('exit', (code) => { exited = code ?? -1; });
    try {
      child.stdin.write(frame('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}'));
      await r.waitFor((m) => m.id === 1);
      child.stdin.write(frame('{"jsonrpc":"2.0","method":"initialized","params":{}}'));
      // Not JSON; JSON that is not a message; an unknown method; a request whose params are wrong.
      child.stdin.write(frame('{this is not json'));
      child.stdin.write(frame('[1, 2, 3]'));
      child.stdin.write(frame('{"jsonrpc":"2.0","id":2,"method":"gradlens/noSuchMethod","params":{}}'));
      child.stdin.write(frame('{"jsonrpc":"2.0","id":3,"method":"textDocument/hover","params":{"textDocument":42,"position":"x"}}'));
      child.stdin.write(frame('{"jsonrpc":"2.0","id":4,"method":"gradlens/graph","params":{"uri":{"__proto__":{"polluted":true}},"position":null}}'));
      child.stdin.write(frame('{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///virtual/m.ts","languageId":"typescript","version":"one","text":7}}}'));
      const unknown = await r.waitFor((m) => m.id === 2);
      assert.equal((unknown.error as { code: number }).code, -32601); // method not found
      await r.waitFor((m) => m.id === 3);
      await r.waitFor((m) => m.id === 4);
      // Still serving: a well-formed document is analysed and hovered.
      const text = '/**\n * @differentiable\n * @at x = 3\n */\nexport function sq(x: number): number { return x * x; }\n';
      child.stdin.write(frame(JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri: 'file:///virtual/ok.ts', languageId: 'typescript', version: 1, text } } })));
      await r.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { uri: string }).uri === 'file:///virtual/ok.ts');
      child.stdin.write(frame(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'textDocument/hover', params: { textDocument: { uri: 'file:///virtual/ok.ts' }, position: { line: 4, character: 17 } } })));
      const hover = await r.waitFor((m) => m.id === 5);
      assert.match(JSON.stringify(hover.result), /sq/);
      assert.equal(exited, null);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    } finally {
      child.kill();
    }
  });
});
