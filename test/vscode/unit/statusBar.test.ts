// The status-bar item without VS Code: statusBar.ts takes the `vscode` API as a parameter, so a
// stand-in drives it here. Shown only on files with annotated functions; every code in the tooltip.
// Also the server side of it: fileStatus counts every diagnostic per code.

import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { ANNOTATED_CONTEXT_KEY, StatusBar, statusText, statusView, type StatusBarApi } from '../../../client/src/statusBar';
import type { FileAnalysis, FunctionAnalysis } from '../../../engine/api';
import type { FileStatus } from '../../../server/protocol';
import { fileStatus } from '../../../server/server';

function status(partial: Partial<FileStatus> = {}): FileStatus {
  return { uri: 'file:///a.ts', functions: 2, skipped: 0, checked: 1, failing: 1, codes: [], text: '∇ 2 functions · 1 ✓ · 1 ✗', ...partial };
}

/** A stand-in for the parts of `vscode` the status bar uses. */
class FakeVscode {
  readonly item = { text: '', tooltip: '' as unknown, backgroundColor: undefined as unknown, visible: false, name: '', command: '' as unknown,
    show(): void { this.visible = true; }, hide(): void { this.visible = false; }, dispose(): void { /* nothing */ } };
  readonly contexts = new Map<string, unknown>();
  activeTextEditor: { document: { uri: { toString(): string }; languageId: string; getText(): string } } | undefined;
  private readonly editorListeners: (() => void)[] = [];

  readonly api: StatusBarApi;

  constructor() {
    const fake = this;
    this.api = {
      window: {
        createStatusBarItem: () => fake.item,
        get activeTextEditor() { return fake.activeTextEditor; },
        onDidChangeActiveTextEditor: (l: () => void) => { fake.editorListeners.push(l); return { dispose: () => undefined }; },
      },
      workspace: { onDidCloseTextDocument: () => ({ dispose: () => undefined }) },
      commands: { executeCommand: async (command: string, key: string, value: unknown) => { if (command === 'setContext') fake.contexts.set(key, value); } },
      StatusBarAlignment: { Left: 1, Right: 2 },
      ThemeColor: class { constructor(readonly id: string) {} },
    } as unknown as StatusBarApi;
  }

  open(uri: string, text: string, languageId = 'typescript'): void {
    this.activeTextEditor = { document: { uri: { toString: () => uri }, languageId, getText: () => text } };
    for (const l of this.editorListeners) l();
  }
}

const supported = (doc: vscode.TextDocument): boolean => doc.languageId === 'typescript';

describe('status bar', () => {
  it('hides the item on a file without annotated functions, shows a spinner only where @differentiable appears', () => {
    assert.deepEqual(statusView(undefined, false), { kind: 'hidden' });
    assert.equal(statusView(undefined, true).kind, 'pending');
    assert.deepEqual(statusView(status({ functions: 0, checked: 0, failing: 0 }), true), { kind: 'hidden' });
    assert.equal(statusView(status(), false).kind, 'summary');
    // Mid-edit, a function that does not parse keeps the item.
    assert.equal(statusView(status({ functions: 0, skipped: 1, checked: 0, failing: 0 }), true).kind, 'summary');
  });

  it('counts every Gradlens code in the tooltip, not just GL001', () => {
    const t = statusText(status({ codes: [
      { code: 'GL001', count: 2, title: 'Hand-written gradient component disagrees' },
      { code: 'GL002', count: 1, title: 'Construct outside the differentiable subset' },
      { code: 'GL004', count: 3, title: 'Check point on a non-differentiable point' },
    ] }));
    assert.equal(t.text, '$(warning) Gradlens: ∇ 2 functions · 1 ✓ · 1 ✗');
    assert.ok(t.warning);
    assert.match(t.tooltip, /^2 annotated functions, 1 hand-written gradient checked, 1 failing\./);
    assert.match(t.tooltip, /\nGL001 × 2: Hand-written gradient component disagrees\n/);
    assert.match(t.tooltip, /\nGL002 × 1: Construct outside the differentiable subset\n/);
    assert.match(t.tooltip, /\nGL004 × 3: Check point on a non-differentiable point\n/);
    assert.match(statusText(status({ codes: [] })).tooltip, /No Gradlens diagnostics\./);
  });

  it('follows the active editor: hidden on other files, the summary on annotated ones, and a context key', async () => {
    const fake = new FakeVscode();
    const bar = new StatusBar(fake.api, supported);
    assert.equal(fake.item.visible, false, 'no editor');
    fake.open('file:///plain.ts', 'export const a = 1;\n');
    assert.equal(fake.item.visible, false, 'a file without @differentiable');
    fake.open('file:///a.ts', '/** @differentiable */\nfunction f(x: number) { return x; }\n');
    assert.equal(fake.item.visible, true);
    assert.equal(fake.item.text, '$(sync~spin) Gradlens');
    bar.update(status({ codes: [{ code: 'GL001', count: 1, title: 'Hand-written gradient component disagrees' }] }));
    assert.equal(fake.item.text, '$(warning) Gradlens: ∇ 2 functions · 1 ✓ · 1 ✗');
    assert.match(String(fake.item.tooltip), /GL001 × 1/);
    assert.equal((fake.item.backgroundColor as { id: string }).id, 'statusBarItem.warningBackground');
    await Promise.resolve();
    assert.equal(fake.contexts.get(ANNOTATED_CONTEXT_KEY), true);
    // The server says there is nothing annotated (the tag was removed): hidden again.
    bar.update(status({ functions: 0, checked: 0, failing: 0, text: '∇ 0 functions' }));
    assert.equal(fake.item.visible, false);
    await Promise.resolve();
    assert.equal(fake.contexts.get(ANNOTATED_CONTEXT_KEY), false);
    // A language Gradlens does not analyse.
    fake.open('file:///a.py', '# @differentiable', 'python');
    assert.equal(fake.item.visible, false);
    bar.dispose();
  });
});

describe('fileStatus (server)', () => {
  it('counts every diagnostic of the file per code, in code order, with the catalogue title', () => {
    const fn = (name: string, status: 'ok' | 'wrong' | null): FunctionAnalysis => ({ name, check: status ? { status } : null } as unknown as FunctionAnalysis);
    const d = (code: string) => ({ code, severity: 'warning', message: '', range: { start: 0, end: 0 } });
    const a = {
      functions: [fn('f', 'ok'), fn('g', 'wrong'), fn('h', null)],
      diagnostics: [d('GL004'), d('GL001'), d('GL002'), d('GL001'), d('XX999')],
      candidates: [],
      skipped: [{ name: 'k', nameRange: { start: 0, end: 1 }, reason: '' }],
    } as unknown as FileAnalysis;
    const s = fileStatus('file:///a.ts', a);
    assert.equal(s.functions, 3);
    assert.equal(s.skipped, 1);
    assert.equal(s.checked, 1);
    assert.equal(s.failing, 1);
    assert.deepEqual(s.codes.map((c) => [c.code, c.count]), [['GL001', 2], ['GL002', 1], ['GL004', 1], ['XX999', 1]]);
    assert.match(s.codes[0].title, /gradient/i);
    assert.equal(s.codes[3].title, 'XX999');
  });
});
