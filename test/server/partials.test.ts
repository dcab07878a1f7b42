// A file whose analysis takes a while publishes its diagnostics as they come (partial analyses),
// each sent from the worker as what changed since the last one (server/analysisWorker.ts deltaOf):
// over stdio against dist/server.js, the partials arrive before the analysis is complete, the
// complete one equals the engine's analysis of the same text, and an edit after it is decoded
// against it.

import * as assert from 'node:assert/strict';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeFile } from '../../engine/analyzeFile';
import { uri } from './fixtures';
import { LspTestClient } from './lspClient';

/** A smooth function and its hand-written gradient; `wrong` scales the gradient's ∂/∂y by 2 (a GL001). */
function pair(i: number, wrong: boolean): string {
  const c = (0.5 + (i % 7) * 0.1).toFixed(2);
  return `/**
 * @differentiable
 * @at x = 0.5, y = 1.25
 */
export function smooth${i}(x: number, y: number): number {
  const a = x * x + ${c} * y;
  let s = 0;
  for (let k = 0; k < 40; k++) s += Math.sin(a + k * 0.01) * Math.exp(-0.1 * k);
  return s + Math.log1p(x * x);
}

export function smooth${i}Grad(x: number, y: number): [number, number] {
  const a = x * x + ${c} * y;
  let d = 0;
  for (let k = 0; k < 40; k++) d += Math.cos(a + k * 0.01) * Math.exp(-0.1 * k);
  return [d * 2 * x + (2 * x) / (1 + x * x), ${wrong ? '2 * ' : ''}d * ${c}];
}
`;
}

const COUNT = 400;
const WRONG = new Set([7, COUNT - 1]);
const TEXT = Array.from({ length: COUNT }, (_, i) => pair(i, WRONG.has(i))).join('\n');

const summary = (ds: readonly Diagnostic[]): string[] => ds.map((d) => `${String(d.code)}@${d.range.start.line}: ${d.message}`).sort();

/** The engine's own analysis of `text`, summarised as the published diagnostics are. */
function engineSummary(text: string): string[] {
  const doc = TextDocument.create('file:///x.ts', 'typescript', 0, text);
  return analyzeFile(text).diagnostics.map((d) => `${d.code}@${doc.positionAt(d.range.start).line}: ${d.message}`).sort();
}

describe('server: partial analyses of a long file, sent as what changed', function () {
  this.timeout(120_000);
  let client: LspTestClient;
  before(async () => { client = await LspTestClient.start({ settings: { debounce: 0 } }); });
  after(async () => { await client.stop(); });

  it('publishes diagnostics before the analysis is complete; the complete ones are the engine\'s, and so are those after an edit', async () => {
    const u = uri('partials.ts');
    await client.open(u, TEXT);
    const status = await client.status(u, 0, 100_000);
    assert.equal(status.functions, COUNT);
    const published = client.published.get(u)!.filter((p) => p.version === 1);
    // (at least one partial, then the complete analysis)
    assert.ok(published.length >= 2, `${published.length} publication(s) of version 1: the analysis took too little time for a partial, or no partial was decoded`);
    const final: Diagnostic[] = published[published.length - 1].diagnostics;
    assert.deepEqual(summary(final), engineSummary(TEXT));
    assert.equal(final.filter((d) => d.code === 'GL001').length, WRONG.size);

    // Mend the first wrong gradient: its GL001 goes, the last one's stays.
    const text = client.text(u);
    const at = text.indexOf('2 * d * ');
    const before = client.statuses.length;
    const { line, character } = client.docs.get(u)!.positionAt(at);
    await client.change(u, [{ range: { start: { line, character }, end: { line, character: character + 4 } }, text: '' }]);
    await client.status(u, before, 100_000);
    const after = await client.diagnostics(u);
    const mended = client.text(u);
    assert.deepEqual(summary(after), engineSummary(mended));
    assert.equal(after.filter((d) => d.code === 'GL001').length, WRONG.size - 1);
  });
});
