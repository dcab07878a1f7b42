// Gradlens's VS Code extension: starts the language server (dist/server.js) over IPC, registers the
// commands the server's hovers and code lenses link to, shows the file's check summary in the
// status bar, and hosts the computation-graph webview. All analysis lives in the server.

import serverProcess from '../../server/processOptions.json';
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { CodegenMode, Point } from '../../engine/api';
import { Commands, StatusNotification, type FileStatus } from '../../server/protocol';
import { GRAPH_VIEW_TYPE, GraphPanel, GraphPanelSerializer, SUPPORTED_LANGUAGES, isSupportedDocument, type GraphTarget } from './graphPanel';
import { registerHoverBelowSignature, silenceDefaultHover } from './hoverBelowSignature';
import { insertCode } from './insertCode';
import { StatusBar } from './statusBar';

/** What activate() returns: used by the @vscode/test-electron suite. */
export interface GradlensApi {
  client: LanguageClient;
  status(uri: string): FileStatus | undefined;
  graphPanel(): vscode.WebviewPanel | undefined;
}

let client: LanguageClient | undefined;

/** Settings the client renames for the server: `gradlens.debounceMs` is the server's `debounce`. */
function adaptSettings(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const r = { ...(raw as Record<string, unknown>) };
  if (typeof r['debounceMs'] === 'number' && r['debounce'] === undefined) r['debounce'] = r['debounceMs'];
  return r;
}

function gradlensSettings(): unknown {
  const c = vscode.workspace.getConfiguration('gradlens');
  return adaptSettings({
    rtol: c.get('rtol'),
    atol: c.get('atol'),
    randomPoints: c.get('randomPoints'),
    seed: c.get('seed'),
    stepBudget: c.get('stepBudget'),
    timeBudgetMs: c.get('timeBudgetMs'),
    codeLens: { enabled: c.get('codeLens.enabled') },
    inlayHints: { enabled: c.get('inlayHints.enabled') },
    debounceMs: c.get('debounceMs'),
    workspaceCheck: c.get('workspaceCheck'),
  });
}

/**
 * Reads the target of a Show Graph command: from a code lens or hover link (uri, function name,
 * optional point, as a list or one object), else the active editor's cursor.
 */
function graphTarget(args: unknown[]): GraphTarget | undefined {
  const [a, b, c] = args;
  if (typeof a === 'object' && a !== null && !(a instanceof vscode.Uri) && 'uri' in a) {
    const o = a as { uri: string; functionName?: string; point?: Point; position?: { line: number; character: number } };
    return { uri: String(o.uri), functionName: o.functionName ?? null, point: o.point ?? null, ...(o.position ? { position: o.position } : {}) };
  }
  if (typeof a === 'string' || a instanceof vscode.Uri) {
    return { uri: a.toString(), functionName: typeof b === 'string' ? b : null, point: (typeof c === 'object' && c !== null ? c : null) as Point | null };
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const pos = editor.selection.active;
  return { uri: editor.document.uri.toString(), functionName: null, position: { line: pos.line, character: pos.character }, point: null };
}

export async function activate(context: vscode.ExtensionContext): Promise<GradlensApi> {
  // Activation time, for `npm run bench` (bench/activation.mjs reads this line from the log).
  const activateStart = performance.now();
  const serverModule = context.asAbsolutePath('dist/server.js');
  // The server's process as every launcher of ours starts it (the bench and the protocol tests
  // read the same file): a young generation that stays small, and two malloc arenas instead of one
  // per thread, which kept tens of megabytes freed by V8's threads (docs/architecture.md, the client).
  const run = { execArgv: [...serverProcess.nodeArgs], env: serverProcess.env };
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: run },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { ...run, execArgv: [...run.execArgv, '--nolazy', '--inspect=6011'] } },
  };
  const ownCommands = Object.values(Commands);
  const clientOptions: LanguageClientOptions = {
    documentSelector: SUPPORTED_LANGUAGES.flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    synchronize: { configurationSection: 'gradlens' },
    initializationOptions: { gradlens: gradlensSettings() },
    // Hover markdown may run command links, but only Gradlens's own commands.
    markdown: { isTrusted: { enabledCommands: ownCommands }, supportHtml: false },
    middleware: {
      // the hover goes through registerHoverBelowSignature, after TypeScript's signature
      ...silenceDefaultHover,
      workspace: {
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) return result;
          return result.map((r: unknown, i: number) => (params.items[i]?.section === 'gradlens' ? adaptSettings(r) : r));
        },
      },
    },
  };
  client = new LanguageClient('gradlens', 'Gradlens', serverOptions, clientOptions);

  const statusBar = new StatusBar(vscode, isSupportedDocument);
  context.subscriptions.push(statusBar, registerHoverBelowSignature(vscode, client, isSupportedDocument));

  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.showGraph, (...args: unknown[]) => {
      const target = graphTarget(args);
      if (!target) {
        void vscode.window.showInformationMessage('Gradlens: open a TypeScript or JavaScript file with a @differentiable function first.');
        return;
      }
      GraphPanel.show(context, client!, target, 'graph');
    }),
    vscode.commands.registerCommand(Commands.showMethods, (...args: unknown[]) => {
      const target = graphTarget(args);
      if (!target) {
        void vscode.window.showInformationMessage('Gradlens: open a TypeScript or JavaScript file with a @differentiable function first.');
        return;
      }
      GraphPanel.show(context, client!, target, 'methods');
    }),
    vscode.commands.registerCommand(Commands.insertCode, (uri?: string | vscode.Uri, functionName?: string, mode?: CodegenMode) =>
      insertCode(client!, uri, functionName, mode),
    ),
    // The ✗ code lens: select the wrong component of a hand-written gradient and bring it into view.
    vscode.commands.registerCommand(Commands.revealRange, async (uri?: string, range?: { start: { line: number; character: number }; end: { line: number; character: number } }) => {
      if (typeof uri !== 'string' || !range) return;
      const editor = await vscode.window.showTextDocument(vscode.Uri.parse(uri));
      const r = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
      editor.selection = new vscode.Selection(r.start, r.end);
      editor.revealRange(r, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }),
    vscode.window.registerWebviewPanelSerializer(GRAPH_VIEW_TYPE, new GraphPanelSerializer(context, client)),
    client.onNotification(StatusNotification, (status) => {
      statusBar.update(status);
      GraphPanel.instance?.onAnalysed(status.uri);
    }),
  );

  const started = client.start();
  const activatedMs = performance.now() - activateStart;
  await started;
  const readyMs = performance.now() - activateStart;
  client.outputChannel.appendLine(`Gradlens activated in ${activatedMs.toFixed(1)} ms (language client ready after ${readyMs.toFixed(1)} ms)`);
  return {
    client,
    status: (uri) => statusBar.get(uri),
    graphPanel: () => GraphPanel.instance?.panel,
  };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
