// The computation-graph panel on the extension side: one webview panel at a time, fed by the
// server's gradlens/graph and gradlens/methods requests. It follows the annotated function under
// the cursor, refreshes when the server re-analyses the file, reveals source ranges the webview
// asks for, and is restored after a restart by the WebviewPanelSerializer below.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { Point } from '../../engine/api';
import { GraphRequest, MethodsRequest, type GraphParams } from '../../server/protocol';
import { INITIAL_STATE, isWebviewMessage, type HostMessage, type Tab, type WebviewMessage, type WebviewState } from '../webview/messages';
import { makeNonce, webviewHtml } from './webviewHtml';

export const GRAPH_VIEW_TYPE = 'gradlens.graph';

export const SUPPORTED_LANGUAGES = ['typescript', 'typescriptreact', 'javascript', 'javascriptreact'];

export function isSupportedDocument(doc: vscode.TextDocument): boolean {
  return SUPPORTED_LANGUAGES.includes(doc.languageId) && (doc.uri.scheme === 'file' || doc.uri.scheme === 'untitled');
}

interface Target {
  uri: string;
  functionName: string | null;
  /** Where to look for the function when no name is known yet. */
  position?: { line: number; character: number };
  point: Point | null;
}

export class GraphPanel implements vscode.Disposable {
  private static current: GraphPanel | undefined;

  private target: Target | null = null;
  private followCursor = true;
  private readonly disposables: vscode.Disposable[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private followTimer: NodeJS.Timeout | undefined;
  private requestSeq = 0;
  private webviewReady = false;
  private pending: HostMessage[] = [];

  static show(context: vscode.ExtensionContext, client: LanguageClient, target: Target, tab?: Tab): GraphPanel {
    if (GraphPanel.current) {
      GraphPanel.current.panel.reveal(undefined, true);
    } else {
      const panel = vscode.window.createWebviewPanel(
        GRAPH_VIEW_TYPE,
        'Gradlens: Computation Graph',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        GraphPanel.webviewOptions(context),
      );
      GraphPanel.current = new GraphPanel(context, client, panel, INITIAL_STATE);
    }
    const p = GraphPanel.current;
    p.target = target;
    if (tab) p.post({ type: 'showTab', tab });
    void p.refresh();
    return p;
  }

  static get instance(): GraphPanel | undefined {
    return GraphPanel.current;
  }

  static webviewOptions(context: vscode.ExtensionContext): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      // Only the bundle and the stylesheet: nothing else of the extension or the workspace is readable.
      localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist'), vscode.Uri.joinPath(context.extensionUri, 'media')],
      retainContextWhenHidden: false,
    };
  }

  /** Re-attaches a panel VS Code restored after a restart (see GraphPanelSerializer). */
  static revive(context: vscode.ExtensionContext, client: LanguageClient, panel: vscode.WebviewPanel, state: WebviewState | undefined): void {
    GraphPanel.current?.panel.dispose();
    const s = { ...INITIAL_STATE, ...(state ?? {}) };
    const p = new GraphPanel(context, client, panel, s);
    GraphPanel.current = p;
    if (s.uri) {
      p.target = { uri: s.uri, functionName: s.functionName, point: s.point };
      void p.refresh();
    }
  }

  private constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: LanguageClient,
    readonly panel: vscode.WebviewPanel,
    state: WebviewState,
  ) {
    this.followCursor = state.followCursor;
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    panel.webview.options = GraphPanel.webviewOptions(context);
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (isWebviewMessage(m)) void this.onMessage(m);
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => this.onSelection(e)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.target && e.document.uri.toString() === this.target.uri && e.contentChanges.length > 0) this.scheduleRefresh(600);
      }),
    );
  }

  private html(): string {
    const webview = this.panel.webview;
    const asUri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, ...p)).toString();
    return webviewHtml({ cspSource: webview.cspSource, nonce: makeNonce(), scriptUri: asUri('dist', 'webview.js'), styleUri: asUri('media', 'webview.css') });
  }

  private post(m: HostMessage): void {
    if (!this.webviewReady) {
      // The webview has not loaded yet: keep only the latest message of each type.
      this.pending = [...this.pending.filter((p) => p.type !== m.type), m];
      return;
    }
    void this.panel.webview.postMessage(m);
  }

  /** The server finished analysing a document: refresh if it is ours. */
  onAnalysed(uri: string): void {
    if (this.target?.uri === uri) this.scheduleRefresh(50);
  }

  private scheduleRefresh(ms: number): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), ms);
  }

  private onSelection(e: vscode.TextEditorSelectionChangeEvent): void {
    if (!this.followCursor || !isSupportedDocument(e.textEditor.document)) return;
    const uri = e.textEditor.document.uri.toString();
    const pos = e.selections[0]?.active;
    if (!pos) return;
    clearTimeout(this.followTimer);
    this.followTimer = setTimeout(() => void this.follow(uri, { line: pos.line, character: pos.character }), 250);
  }

  /** Switches to the annotated function at a position, if there is one; else keeps the current one. */
  private async follow(uri: string, position: { line: number; character: number }): Promise<void> {
    try {
      const result = await this.client.sendRequest(GraphRequest, { uri, position });
      const name = result.graph?.functionName;
      if (!name) return;
      if (this.target && this.target.uri === uri && this.target.functionName === name) return;
      this.target = { uri, functionName: name, point: null };
      await this.refresh();
    } catch {
      // The server is restarting or the document closed: following is best effort.
    }
  }

  async refresh(): Promise<void> {
    const t = this.target;
    if (!t) return;
    const seq = ++this.requestSeq;
    const params: GraphParams = { uri: t.uri };
    if (t.functionName) params.functionName = t.functionName;
    else if (t.position) params.position = t.position;
    if (t.point) params.point = t.point;
    try {
      const result = await this.client.sendRequest(GraphRequest, params);
      if (seq !== this.requestSeq) return;
      const name = result.graph?.functionName ?? t.functionName ?? null;
      if (name && !t.functionName) this.target = { ...t, functionName: name, position: undefined };
      const message: HostMessage = {
        type: 'graph',
        uri: t.uri,
        fileLabel: path.basename(vscode.Uri.parse(t.uri).path),
        functionName: name,
        functions: result.functions,
        graph: result.graph,
        customPoint: t.point !== null,
      };
      if (result.message) message.message = result.message;
      else if (!result.graph) {
        const why = result.diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n');
        message.message = why || 'No annotated function here: put the cursor inside a function whose JSDoc has @differentiable.';
      }
      this.post(message);
    } catch (err) {
      this.post({ type: 'error', message: `Gradlens: could not get the graph (${err instanceof Error ? err.message : String(err)})` });
    }
  }

  private async sendMethods(): Promise<void> {
    const t = this.target;
    if (!t?.functionName) {
      this.post({ type: 'methods', functionName: null, comparison: null, message: 'Select an annotated function first.' });
      return;
    }
    try {
      const params: GraphParams = { uri: t.uri, functionName: t.functionName };
      if (t.point) params.point = t.point;
      const result = await this.client.sendRequest(MethodsRequest, params);
      this.post({ type: 'methods', functionName: t.functionName, comparison: result.comparison, ...(result.message ? { message: result.message } : {}) });
    } catch (err) {
      this.post({ type: 'methods', functionName: t.functionName, comparison: null, message: `Could not compare methods: ${err instanceof Error ? err.message : String(err)}` });
    }
  }

  private async onMessage(m: WebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready': {
        this.webviewReady = true;
        this.followCursor = m.state.followCursor;
        const queued = this.pending;
        this.pending = [];
        for (const q of queued) void this.panel.webview.postMessage(q);
        if (!this.target && m.state.uri) this.target = { uri: m.state.uri, functionName: m.state.functionName, point: m.state.point };
        await this.refresh();
        return;
      }
      case 'revealRange':
        await this.reveal(m.range);
        return;
      case 'selectFunction':
        if (this.target) {
          this.target = { uri: this.target.uri, functionName: m.name, point: null };
          await this.refresh();
        }
        return;
      case 'setPoint':
        if (this.target) {
          this.target = { ...this.target, point: m.point };
          await this.refresh();
          await this.sendMethods();
        }
        return;
      case 'setFollowCursor':
        this.followCursor = m.enabled;
        return;
      case 'requestMethods':
        await this.sendMethods();
        return;
      case 'export':
        await this.saveExport(m);
        return;
    }
  }

  /**
   * Saves an export of the graph where the user chooses (the webview cannot write files). The bytes
   * must be what they claim, an SVG document or a PNG image, whatever the page sent.
   */
  private async saveExport(m: Extract<WebviewMessage, { type: 'export' }>): Promise<void> {
    const bytes = m.format === 'svg' ? Buffer.from(m.data, 'utf8') : Buffer.from(m.data, 'base64');
    const isSvg = m.format === 'svg' && /^(<\?xml[^>]*>\s*)?<svg[\s>]/.test(m.data);
    const isPng = m.format === 'png' && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    if (!isSvg && !isPng) {
      this.post({ type: 'exported', format: m.format, path: null, message: `The ${m.format.toUpperCase()} export was malformed; nothing was saved.` });
      return;
    }
    const doc = this.target ? vscode.Uri.parse(this.target.uri) : undefined;
    const folder = doc?.scheme === 'file' ? vscode.Uri.joinPath(doc, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, m.fileName) : undefined,
      filters: m.format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
      saveLabel: 'Export',
      title: `Export the computation graph as ${m.format.toUpperCase()}`,
    });
    if (!uri) {
      this.post({ type: 'exported', format: m.format, path: null, message: 'export cancelled' });
      return;
    }
    try {
      await vscode.workspace.fs.writeFile(uri, bytes);
      this.post({ type: 'exported', format: m.format, path: vscode.workspace.asRelativePath(uri) });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.post({ type: 'exported', format: m.format, path: null, message: `could not save: ${why}` });
      void vscode.window.showErrorMessage(`Gradlens: could not save the graph (${why})`);
    }
  }

  /** Shows the source range of a node in the editor beside the panel (offsets are the engine's). */
  private async reveal(range: { start: number; end: number }): Promise<void> {
    if (!this.target) return;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(this.target.uri));
    const selection = new vscode.Range(doc.positionAt(range.start), doc.positionAt(range.end));
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.target!.uri);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, selection, preserveFocus: false });
    editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  dispose(): void {
    if (GraphPanel.current === this) GraphPanel.current = undefined;
    clearTimeout(this.refreshTimer);
    clearTimeout(this.followTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

export class GraphPanelSerializer implements vscode.WebviewPanelSerializer<WebviewState> {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: LanguageClient,
  ) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: WebviewState | undefined): Promise<void> {
    GraphPanel.revive(this.context, this.client, panel, state);
  }
}

export type { Target as GraphTarget, WebviewMessage };
