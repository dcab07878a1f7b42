// The status-bar item: the check summary the server sends for each analysed file (gradlens/status),
// shown for the file in the active editor, and only on files with annotated functions. Clicking it
// opens the Problems panel.
//
// The module has no runtime import of `vscode`: the extension passes the API in, so the unit tests
// drive the item's logic with a stand-in (test/vscode/unit/statusBar.test.ts).

import type * as vscode from 'vscode';
import type { FileStatus } from '../../server/protocol';

/** The parts of the `vscode` module the status bar uses. */
export type StatusBarApi = Pick<typeof vscode, 'window' | 'workspace' | 'commands' | 'StatusBarAlignment' | 'ThemeColor'>;

/** What the item shows for a file: nothing, a spinner while the first analysis runs, or the summary. */
export type StatusView =
  | { kind: 'hidden' }
  | { kind: 'pending'; text: string; tooltip: string }
  | { kind: 'summary'; text: string; tooltip: string; warning: boolean };

/** Context key, true while the active editor's file has annotated functions (the walkthrough's first step). */
export const ANNOTATED_CONTEXT_KEY = 'gradlens.activeFileAnnotated';

/**
 * The view for one file. `status`: the server's last summary of it, if any; `mentionsTag`: the text
 * contains `@differentiable` (so a spinner is worth showing before the first summary arrives).
 */
export function statusView(status: FileStatus | undefined, mentionsTag: boolean): StatusView {
  if (!status) return mentionsTag ? { kind: 'pending', text: '$(sync~spin) Gradlens', tooltip: 'Gradlens: analysing…' } : { kind: 'hidden' };
  // A function that does not parse mid-edit still counts: the item stays while the user types.
  if (status.functions === 0 && !(status.skipped > 0)) return { kind: 'hidden' };
  return { kind: 'summary', ...statusText(status) };
}

export function statusText(s: FileStatus): { text: string; tooltip: string; warning: boolean } {
  const warning = s.failing > 0;
  const icon = warning ? '$(warning)' : s.functions > 0 ? '$(pass)' : '$(circle-slash)';
  const text = `${icon} Gradlens: ${s.text || `${s.functions} functions`}`;
  const lines = [
    `${s.functions} annotated function${s.functions === 1 ? '' : 's'}, ${s.checked} hand-written gradient${s.checked === 1 ? '' : 's'} checked, ${s.failing} failing.`,
  ];
  if (s.skipped > 0) lines.push(`${s.skipped} annotated function${s.skipped === 1 ? '' : 's'} not analysed (mid-edit, or a @differentiable on a form Gradlens does not analyse: see Problems).`);
  const codes = s.codes ?? [];
  if (codes.length > 0) {
    lines.push('', ...codes.map((c) => `${c.code} × ${c.count}: ${c.title}`));
  } else {
    lines.push('No Gradlens diagnostics.');
  }
  lines.push('', 'Click to open Problems.');
  return { text, tooltip: lines.join('\n'), warning };
}

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly byUri = new Map<string, FileStatus>();
  private readonly disposables: vscode.Disposable[] = [];
  private annotated: boolean | undefined;

  /** `isSupported`: whether Gradlens analyses a document (its language and scheme). */
  constructor(private readonly api: StatusBarApi, private readonly isSupported: (doc: vscode.TextDocument) => boolean) {
    this.item = api.window.createStatusBarItem('gradlens.status', api.StatusBarAlignment.Right, 100);
    this.item.name = 'Gradlens';
    this.item.command = 'workbench.actions.view.problems';
    this.disposables.push(
      this.item,
      api.window.onDidChangeActiveTextEditor(() => this.render()),
      api.workspace.onDidCloseTextDocument((d) => this.byUri.delete(d.uri.toString())),
    );
    this.render();
  }

  update(status: FileStatus): void {
    this.byUri.set(status.uri, status);
    this.render();
  }

  /** Last summary received for a document (tests read it through the extension's API). */
  get(uri: string): FileStatus | undefined {
    return this.byUri.get(uri);
  }

  private render(): void {
    const editor = this.api.window.activeTextEditor;
    const doc = editor?.document;
    let view: StatusView = { kind: 'hidden' };
    if (doc && this.isSupported(doc)) {
      const status = this.byUri.get(doc.uri.toString());
      view = statusView(status, !status && doc.getText().includes('@differentiable'));
    }
    this.setAnnotated(view.kind === 'summary');
    if (view.kind === 'hidden') {
      this.item.hide();
      return;
    }
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor = view.kind === 'summary' && view.warning ? new this.api.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  private setAnnotated(annotated: boolean): void {
    if (annotated === this.annotated) return;
    this.annotated = annotated;
    void Promise.resolve(this.api.commands.executeCommand('setContext', ANNOTATED_CONTEXT_KEY, annotated)).catch(() => undefined);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
