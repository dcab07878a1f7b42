// A real JSON-RPC client for the bundled server: spawns `node dist/server.js --stdio` and speaks
// LSP to it over its stdin/stdout, as an editor would.

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import {
  CodeActionRequest,
  CodeActionResolveRequest,
  CodeLensRequest,
  CompletionRequest,
  ConfigurationRequest,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentDiagnosticRequest,
  ExitNotification,
  HoverRequest,
  InlayHintRequest,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  type ClientCapabilities,
  type CodeAction,
  type CodeLens,
  type CompletionItem,
  type Diagnostic,
  type Hover,
  type InlayHint,
  type Position,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Range,
  type ServerCapabilities,
  type TextDocumentContentChangeEvent,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { GraphRequest, MethodsRequest, StatusNotification, type FileStatus, type GraphParams, type GraphResult, type MethodsResult } from '../../server/protocol';
import serverProcess from '../../server/processOptions.json';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const SERVER = path.join(ROOT, 'dist', 'server.js');

/** Builds dist/server.js when it is missing (mocha run on its own, without `npm test`). */
export function ensureServerBuilt(): void {
  if (existsSync(SERVER)) return;
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(SERVER)) throw new Error('building dist/server.js failed');
}

export interface StartOptions {
  /** Declare textDocument/diagnostic support (pull diagnostics). */
  pullDiagnostics?: boolean;
  /** Answer to workspace/configuration for section `gradlens`. */
  settings?: Record<string, unknown>;
  /** Answer to workspace/configuration for section `editor` (tabSize, insertSpaces…). */
  editor?: Record<string, unknown>;
  /** Declare code action resolve support (default true). */
  resolveSupport?: boolean;
  /** Declare snippet support in completion items (default true). */
  snippets?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Workspace folders (file URIs) given in initialize, with window.workDoneProgress and watched-file support. */
  workspaceFolders?: string[];
  /** Declare that workspace edits may create files (resourceOperations: ['create']). */
  createFiles?: boolean;
}

export class LspTestClient {
  readonly connection: ProtocolConnection;
  stderr = '';
  exited: number | null = null;
  readonly published = new Map<string, PublishDiagnosticsParams[]>();
  readonly statuses: FileStatus[] = [];
  readonly docs = new Map<string, TextDocument>();
  configurationRequests = 0;
  /** Every item asked for with workspace/configuration, in order. */
  readonly configurationItems: { scopeUri?: string; section?: string }[] = [];
  /** What the server declared in its initialize result. */
  capabilities: ServerCapabilities = {};
  /** workspace/inlayHint/refresh requests received. */
  inlayHintRefreshes = 0;
  /** window/showMessage texts. */
  readonly messages: string[] = [];
  /** $/progress values received (work-done progress: begin, report, end), and the tokens created. */
  readonly progress: { token: string | number; value: { kind: string; title?: string; message?: string; percentage?: number } }[] = [];
  readonly progressTokens: (string | number)[] = [];
  /** Registrations received (client/registerCapability), by method. */
  readonly registrations: { method: string; registerOptions?: unknown }[] = [];
  private listeners: (() => void)[] = [];

  private constructor(readonly proc: ChildProcessWithoutNullStreams, private readonly options: StartOptions) {
    proc.stderr.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    proc.on('exit', (code) => { this.exited = code ?? -1; this.notify(); });
    this.connection = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      const list = this.published.get(p.uri) ?? [];
      list.push(p);
      this.published.set(p.uri, list);
      this.notify();
    });
    this.connection.onNotification(StatusNotification, (s) => { this.statuses.push(s); this.notify(); });
    this.connection.onRequest(ConfigurationRequest.type, (p) => {
      this.configurationRequests++;
      this.configurationItems.push(...p.items);
      return p.items.map((i) => (i.section === 'gradlens' ? this.options.settings ?? {} : i.section === 'editor' ? this.options.editor ?? null : null));
    });
    this.connection.onRequest(RegistrationRequest.type, (p) => { this.registrations.push(...p.registrations); return undefined; });
    this.connection.onRequest('window/workDoneProgress/create', (p: { token: string | number }) => { this.progressTokens.push(p.token); return null; });
    this.connection.onNotification('$/progress', (p: LspTestClient['progress'][number]) => { this.progress.push(p); this.notify(); });
    this.connection.onRequest('workspace/diagnostic/refresh', () => undefined);
    this.connection.onRequest('workspace/codeLens/refresh', () => undefined);
    this.connection.onRequest('workspace/inlayHint/refresh', () => { this.inlayHintRefreshes++; this.notify(); });
    this.connection.onNotification('window/logMessage', () => undefined);
    this.connection.onNotification('window/showMessage', (p: { message: string }) => { this.messages.push(p.message); this.notify(); });
    this.connection.listen();
  }

  static async start(options: StartOptions = {}): Promise<LspTestClient> {
    ensureServerBuilt();
    // as the editor's client starts it (client/src/extension.ts)
    const proc = spawn(process.execPath, [...serverProcess.nodeArgs, SERVER, '--stdio'], { cwd: ROOT, env: { ...process.env, ...serverProcess.env, ...options.env } });
    const client = new LspTestClient(proc, options);
    const capabilities: ClientCapabilities = {
      workspace: {
        configuration: true,
        didChangeConfiguration: { dynamicRegistration: true },
        workspaceEdit: { documentChanges: true, resourceOperations: options.createFiles ? ['create'] : undefined },
        codeLens: { refreshSupport: true },
        inlayHint: { refreshSupport: true },
        diagnostics: options.pullDiagnostics ? { refreshSupport: true } : undefined,
        didChangeWatchedFiles: options.workspaceFolders ? { dynamicRegistration: true } : undefined,
        workspaceFolders: !!options.workspaceFolders,
      },
      window: options.workspaceFolders ? { workDoneProgress: true } : undefined,
      textDocument: {
        synchronization: { dynamicRegistration: false },
        hover: { contentFormat: ['markdown', 'plaintext'] },
        publishDiagnostics: { relatedInformation: true, versionSupport: true },
        codeAction: {
          dataSupport: true,
          isPreferredSupport: true,
          resolveSupport: options.resolveSupport === false ? undefined : { properties: ['edit'] },
          codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'refactor.rewrite', 'source'] } },
        },
        codeLens: {},
        completion: { completionItem: { snippetSupport: options.snippets !== false, labelDetailsSupport: true }, contextSupport: true },
        inlayHint: {},
        diagnostic: options.pullDiagnostics ? { dynamicRegistration: false, relatedDocumentSupport: false } : undefined,
      },
    };
    const init = await client.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities,
      workspaceFolders: options.workspaceFolders?.map((uri, i) => ({ uri, name: `folder${i}` })) ?? null,
    });
    if (!init.capabilities.hoverProvider) throw new Error('server did not declare hover');
    client.capabilities = init.capabilities;
    await client.connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  /** Resolves when `predicate` holds, re-testing on every message from the server. */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 30_000, what = 'condition'): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const v = predicate();
        if (v) { done(); resolve(v); return true; }
        if (this.exited !== null) { done(); reject(new Error(`server exited (${this.exited}) while waiting for ${what}\n${this.stderr}`)); return true; }
        return false;
      };
      const timer = setTimeout(() => { done(); reject(new Error(`timed out waiting for ${what}\nserver stderr:\n${this.stderr.slice(-4000)}`)); }, timeoutMs);
      const listener = (): void => { check(); };
      const done = (): void => { clearTimeout(timer); this.listeners = this.listeners.filter((l) => l !== listener); };
      this.listeners.push(listener);
      check();
    });
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  async open(uri: string, text: string): Promise<TextDocument> {
    const doc = TextDocument.create(uri, 'typescript', 1, text);
    this.docs.set(uri, doc);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version: 1, text } });
    return doc;
  }

  /** Applies incremental (or full, without a range) changes and sends them; returns the new version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const doc = this.docs.get(uri)!;
    const version = doc.version + 1;
    const next = TextDocument.update(doc, changes, version);
    this.docs.set(uri, next);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  async replaceText(uri: string, text: string): Promise<number> {
    return this.change(uri, [{ text }]);
  }

  async close(uri: string): Promise<void> {
    this.docs.delete(uri);
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  text(uri: string): string {
    return this.docs.get(uri)!.getText();
  }

  /** Published diagnostics for the document's current version (push mode). */
  diagnostics(uri: string, timeoutMs = 30_000): Promise<Diagnostic[]> {
    const version = this.docs.get(uri)!.version;
    return this.waitFor(() => this.published.get(uri)?.find((p) => p.version === version)?.diagnostics, timeoutMs, `diagnostics of ${uri}@${version}`);
  }

  /** The status notification that follows the analysis of the current version. */
  async status(uri: string, after = 0, timeoutMs = 30_000): Promise<FileStatus> {
    return this.waitFor(() => this.statuses.slice(after).reverse().find((s) => s.uri === uri), timeoutMs, `status of ${uri}`);
  }

  async pullDiagnostics(uri: string): Promise<Diagnostic[]> {
    const report = await this.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } });
    if (report.kind !== 'full') throw new Error('expected a full report');
    return report.items;
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
  }

  async hoverText(uri: string, position: Position): Promise<string | null> {
    const h = await this.hover(uri, position);
    if (!h) return null;
    const c = h.contents;
    if (typeof c === 'string') return c;
    if ('kind' in c) return c.value;
    return Array.isArray(c) ? c.map((x) => (typeof x === 'string' ? x : x.value)).join('\n') : c.value;
  }

  codeActions(uri: string, range: Range, diagnostics: Diagnostic[] = []): Promise<CodeAction[]> {
    return this.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context: { diagnostics } })
      .then((r) => (r ?? []).filter((a): a is CodeAction => 'title' in a && !('command' in a && typeof a.command === 'string')));
  }

  resolve(action: CodeAction): Promise<CodeAction> {
    return this.connection.sendRequest(CodeActionResolveRequest.type, action);
  }

  codeLenses(uri: string): Promise<CodeLens[]> {
    return this.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } }).then((r) => r ?? []);
  }

  /** Completion items at `position`; `trigger`: the trigger character typed, if any. */
  async completion(uri: string, position: Position, trigger?: string): Promise<CompletionItem[]> {
    const context = trigger ? { triggerKind: 2 as const, triggerCharacter: trigger } : { triggerKind: 1 as const };
    const r = await this.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position, context });
    return r === null ? [] : Array.isArray(r) ? r : r.items;
  }

  /** Inlay hints in `range` (the whole document when absent). */
  async inlayHints(uri: string, range?: Range): Promise<InlayHint[]> {
    const doc = this.docs.get(uri)!;
    const whole = { start: { line: 0, character: 0 }, end: doc.positionAt(doc.getText().length) };
    return (await this.connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: range ?? whole })) ?? [];
  }

  graph(params: GraphParams): Promise<GraphResult> {
    return this.connection.sendRequest(GraphRequest, params);
  }

  methods(params: GraphParams): Promise<MethodsResult> {
    return this.connection.sendRequest(MethodsRequest, params);
  }

  /** Applies a workspace edit to our copy of the document and sends the change to the server. */
  async applyEdit(uri: string, edit: WorkspaceEdit): Promise<string> {
    const doc = this.docs.get(uri)!;
    const text = applyWorkspaceEdit(doc, edit);
    await this.replaceText(uri, text);
    return text;
  }

  async stop(): Promise<void> {
    if (this.exited === null) {
      try {
        await withTimeout(this.connection.sendRequest(ShutdownRequest.type), 5000);
        await this.connection.sendNotification(ExitNotification.type);
      } catch { /* killed below */ }
      await new Promise<void>((resolve) => {
        if (this.exited !== null) return resolve();
        const t = setTimeout(() => { this.proc.kill('SIGKILL'); resolve(); }, 3000);
        this.proc.once('exit', () => { clearTimeout(t); resolve(); });
      });
    }
    this.connection.dispose();
  }
}

/** The text of `doc` after `edit`; checks a versioned edit's version against the document's. */
export function applyWorkspaceEdit(doc: TextDocument, edit: WorkspaceEdit): string {
  const edits = [];
  for (const change of edit.documentChanges ?? []) {
    if (!('textDocument' in change)) throw new Error('unexpected resource operation');
    if (change.textDocument.uri !== doc.uri) throw new Error('edit for another document');
    if (change.textDocument.version !== null && change.textDocument.version !== doc.version) {
      throw new Error(`edit for version ${change.textDocument.version}, document is at ${doc.version}`);
    }
    edits.push(...change.edits.map((e) => ('newText' in e ? e : e)));
  }
  edits.push(...(edit.changes?.[doc.uri] ?? []));
  return TextDocument.applyEdits(doc, edits);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);
}

/** Splits a fixture at its `$0` marker: the text without it, and the marker's position. */
export function fixture(source: string): { text: string; position: Position; offset: number } {
  const offset = source.indexOf('$0');
  if (offset < 0) throw new Error('fixture without $0');
  const text = source.slice(0, offset) + source.slice(offset + 2);
  const doc = TextDocument.create('file:///fixture.ts', 'typescript', 0, text);
  return { text, position: doc.positionAt(offset), offset };
}

/** Position of the first occurrence of `needle` (plus `delta` characters) in `text`. */
export function positionOf(text: string, needle: string, delta = 0, occurrence = 0): Position {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`${needle} not in text`);
  return TextDocument.create('file:///x.ts', 'typescript', 0, text).positionAt(at + delta);
}
