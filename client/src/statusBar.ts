// The status-bar item: the check summary the server sends for each analysed file, shown for the
// file in the active editor. Clicking it opens the Problems panel.

import * as vscode from 'vscode';
import type { FileStatus } from '../../server/protocol';
import { isSupportedDocument } from './graphPanel';

export function statusText(s: FileStatus): { text: string; tooltip: string; warning: boolean } {
  const warning = s.failing > 0;
  const icon = warning ? '$(warning)' : s.functions > 0 ? '$(pass)' : '$(circle-slash)';
  const text = `${icon} Gradlens: ${s.text || `${s.functions} functions`}`;
  const tooltip = `${s.functions} annotated function${s.functions === 1 ? '' : 's'}, ${s.checked} hand-written gradient${s.checked === 1 ? '' : 's'} checked, ${s.failing} failing. Click to open Problems.`;
  return { text, tooltip, warning };
}

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('gradlens.status', vscode.StatusBarAlignment.Right, 100);
  private readonly byUri = new Map<string, FileStatus>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.item.name = 'Gradlens';
    this.item.command = 'workbench.actions.view.problems';
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidCloseTextDocument((d) => this.byUri.delete(d.uri.toString())),
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
    const editor = vscode.window.activeTextEditor;
    if (!editor || !isSupportedDocument(editor.document)) {
      this.item.hide();
      return;
    }
    const s = this.byUri.get(editor.document.uri.toString());
    if (!s) {
      this.item.text = '$(sync~spin) Gradlens';
      this.item.tooltip = 'Gradlens: analysing…';
      this.item.backgroundColor = undefined;
    } else {
      const t = statusText(s);
      this.item.text = t.text;
      this.item.tooltip = t.tooltip;
      this.item.backgroundColor = t.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    }
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
