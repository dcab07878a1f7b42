// Wires the LSP connection to the feature modules. Every handler goes through `guard`, so a throw
// becomes a log line and an empty answer, never a dead server.

import {
  CodeActionKind,
  CodeLensRefreshRequest,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  InlayHintRefreshRequest,
  TextDocumentSyncKind,
  TextDocuments,
  type CancellationToken,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { FileAnalysis } from '../engine/api';
import { diagnosticInfo } from '../engine/diagnosticCodes';
import { InProcessAnalysisRunner, WorkerAnalysisRunner, type AnalysisRunner } from './analysisRunner';
import { listCodeActions, resolveCodeAction, workspaceEdit, type ResolveContext } from './codeActions';
import { codeLensesFor } from './codeLens';
import { CodeStyleReader } from './codeStyle';
import { completionsAt } from './completion';
import { DiagnosticsChannel } from './diagnostics';
import { DocumentAnalysis, type AnalysisEvent } from './documentAnalysis';
import type { GraphTask } from './graphRequest';
import { hoverAtPosition } from './hover';
import { inlayHints, MAX_INLAY_HINTS } from './inlayHints';
import { MappingCache } from './offsetMapping';
import { GraphRequest, InsertCodeRequest, MethodsRequest, StatusNotification, type FileStatus, type GraphParams } from './protocol';
import { SettingsStore, toAnalysisOptions } from './settings';
import { CHECK_WORKSPACE_COMMAND, WATCHED_FILES_GLOB, WorkspaceCheck } from './workspaceCheck';
import { fileOfUri, importersOf } from './importers';
import { analysedFunctions } from './workerProtocol';

export interface ServerOptions {
  /** The analysis worker's bundle (dist/analysisWorker.js). */
  workerScript: string;
  /** The worker thread's script, which loads that bundle through V8's code cache (dist/workerLoader.js). */
  workerLoader: string;
  /** Load that bundle on the LSP thread instead of a worker: less memory, no concurrency. */
  inProcess: boolean;
}

/** How long a hover waits for the very first analysis of a document (later ones never wait). */
const FIRST_ANALYSIS_WAIT_MS = 5_000;

export function startServer(connection: Connection, options: ServerOptions): void {
  const log = (message: string): void => connection.console.error(message);
  const documents = new TextDocuments(TextDocument);
  const settings = new SettingsStore(connection);
  const runner: AnalysisRunner = options.inProcess ? new InProcessAnalysisRunner(options.workerScript, log) : new WorkerAnalysisRunner(options.workerLoader, log);

  let diagnostics: DiagnosticsChannel | null = null;
  let codeLensRefresh = false;
  let inlayHintRefresh = false;
  let snippetSupport = false;
  let resolveSupport = false;
  let versionedEdits = false;
  /** The client applies `documentChanges` that create files (the gradient-check test as a test file). */
  let createFiles = false;
  let configurationPull = false;
  let dynamicConfiguration = false;
  let watchedFilesRegistration = false;
  let workspaceFolderChanges = false;

  const mappings = new MappingCache();
  const analysis = new DocumentAnalysis(documents, settings, runner, onAnalyzed, log);
  const workspaceCheck = new WorkspaceCheck({ connection, runner, settings, openUris: () => documents.keys(), log });

  // ---- imports (issue 13 item 6) ----
  /** Analyses again the open documents that may import `uri` (server/importers.ts), after `uri` changed; also for watched-file changes. */
  function analyseImporters(uri: string): void {
    for (const other of importersOf(uri, documents.all().map((d) => ({ uri: d.uri, text: d.getText(), version: d.version })))) analysis.schedule(other);
  }
  // ---- end imports ----

  function onAnalyzed(event: AnalysisEvent): void {
    diagnostics?.analyzed(event);
    if (!event.current || event.partial) return;
    const a = event.snapshot?.analysis;
    if (a) void connection.sendNotification(StatusNotification, fileStatus(event.uri, a));
    if (codeLensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    if (inlayHintRefresh) void connection.sendRequest(InlayHintRefreshRequest.type).catch(() => undefined);
  }

  function guard<P, R>(name: string, fallback: R, handler: (params: P, token: CancellationToken) => R | Promise<R>) {
    return async (params: P, token: CancellationToken): Promise<R> => {
      try {
        return await handler(params, token);
      } catch (e) {
        log(`Gradlens: ${name} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
        return fallback;
      }
    };
  }

  connection.onInitialize((params): InitializeResult => {
    const caps = params.capabilities;
    const pull = !!caps.textDocument?.diagnostic;
    configurationPull = !!caps.workspace?.configuration;
    dynamicConfiguration = !!caps.workspace?.didChangeConfiguration?.dynamicRegistration;
    codeLensRefresh = !!caps.workspace?.codeLens?.refreshSupport;
    inlayHintRefresh = !!caps.workspace?.inlayHint?.refreshSupport;
    snippetSupport = !!caps.textDocument?.completion?.completionItem?.snippetSupport;
    resolveSupport = !!caps.textDocument?.codeAction?.resolveSupport?.properties.includes('edit');
    versionedEdits = !!caps.workspace?.workspaceEdit?.documentChanges;
    createFiles = versionedEdits && !!caps.workspace?.workspaceEdit?.resourceOperations?.includes('create');
    settings.configure(configurationPull, params.initializationOptions);
    watchedFilesRegistration = !!caps.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    workspaceFolderChanges = !!caps.workspace?.workspaceFolders;
    workspaceCheck.setFolders(params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []));
    diagnostics = new DiagnosticsChannel(connection, analysis, pull, !!caps.workspace?.diagnostics?.refreshSupport, log);
    diagnostics.register();
    const result: InitializeResult = {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        codeActionProvider: {
          codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite, `${CodeActionKind.Refactor}.gradlens`],
          resolveProvider: true,
        },
        codeLensProvider: { resolveProvider: false },
        // Inside JSDoc: `@` starts a tag, a space or a comma follows a tag or a name before a value.
        completionProvider: { triggerCharacters: ['@', ' ', ','], resolveProvider: false },
        inlayHintProvider: { resolveProvider: false },
        // "Gradlens: Check Workspace" (workspaceCheck.ts); VS Code's client registers the command.
        executeCommandProvider: { commands: [CHECK_WORKSPACE_COMMAND] },
        // Folders added to (or removed from) the workspace are checked (or cleared) too.
        ...(workspaceFolderChanges ? { workspace: { workspaceFolders: { supported: true, changeNotifications: true } } } : {}),
      },
      serverInfo: { name: 'gradlens', version: '0.1.0' },
    };
    if (pull) result.capabilities.diagnosticProvider = { identifier: 'gradlens', interFileDependencies: false, workspaceDiagnostics: false };
    return result;
  });

  connection.onInitialized(() => {
    if (configurationPull && dynamicConfiguration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'gradlens' }).catch(() => undefined);
    }
    // Unopened files changed on disk are checked again once the workspace has been checked.
    if (watchedFilesRegistration) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: WATCHED_FILES_GLOB }] }).catch(() => undefined);
    }
    if (workspaceFolderChanges) {
      connection.workspace.onDidChangeWorkspaceFolders((e) => {
        try {
          workspaceCheck.foldersChanged(e.added.map((f) => f.uri), e.removed.map((f) => f.uri));
        } catch (err) {
          log(`Gradlens: workspace folder changes failed: ${String(err)}`);
        }
      });
    }
    void workspaceCheck.configurationChanged().catch((e) => log(`Gradlens: starting the workspace check failed: ${String(e)}`));
  });

  connection.onDidChangeConfiguration((change) => {
    try {
      settings.changed(change.settings);
      analysis.reanalyzeAll();
      void workspaceCheck.configurationChanged().catch((e) => log(`Gradlens: the workspace check setting failed: ${String(e)}`));
    } catch (e) {
      log(`Gradlens: configuration change failed: ${String(e)}`);
    }
  });

  documents.onDidChangeContent((change) => {
    try {
      const uri = change.document.uri;
      // The first analysis of a document runs at once; edits after it are debounced.
      analysis.schedule(uri, analysis.lastEvent(uri) === null);
      analyseImporters(uri); // (imports: after it, so the worker has its new text first)
    } catch (e) {
      log(`Gradlens: scheduling an analysis failed: ${String(e)}`);
    }
  });

  documents.onDidOpen((e) => {
    try {
      workspaceCheck.opened(e.document.uri);
    } catch (err) {
      log(`Gradlens: opening ${e.document.uri} failed: ${String(err)}`);
    }
  });

  connection.onDidChangeWatchedFiles((params) => {
    try {
      workspaceCheck.filesChanged(params.changes);
      for (const c of params.changes) analyseImporters(c.uri); // (imports: a helper file changed on disk)
    } catch (e) {
      log(`Gradlens: watched-file changes failed: ${String(e)}`);
    }
  });

  connection.onExecuteCommand(guard('executeCommand', null, async (params) => {
    if (params.command === CHECK_WORKSPACE_COMMAND) return workspaceCheck.run(true);
    return null;
  }));

  documents.onDidClose((e) => {
    try {
      analysis.close(e.document.uri);
      settings.forget(e.document.uri);
      diagnostics?.closed(e.document.uri);
      workspaceCheck.closed(e.document.uri);
    } catch (err) {
      log(`Gradlens: closing ${e.document.uri} failed: ${String(err)}`);
    }
  });

  connection.onHover(guard('hover', null, async (params) => {
    const uri = params.textDocument.uri;
    if (!documents.get(uri)) return null;
    const snap = await analysis.latestOrFirst(uri, FIRST_ANALYSIS_WAIT_MS);
    const doc = documents.get(uri);
    if (!snap || !doc) return null;
    // The position is in the live text; the analysis may be a version behind it.
    return hoverAtPosition(snap, doc, params.position, mappings.get(uri, snap.version, snap.doc.getText(), doc.version, doc.getText()));
  }));

  const codeStyle = new CodeStyleReader(connection, () => configurationPull);
  const resolveContext: ResolveContext = {
    documents,
    latest: (uri) => analysis.latest(uri),
    get versionedEdits() { return versionedEdits; },
    // (issue 16: generated code in the document's indentation and quotes: codeStyle.ts)
    computeEdits: async (action, text, fa, uri) => runner.run({ kind: 'edits', action: { ...action, style: await codeStyle.sourcesFor(uri) }, text, fa, uri }),
    computeTestFile: async (action, text, fa, uri) => {
      const sourcePath = createFiles ? fileOfUri(uri) : null;
      if (!sourcePath) return null;
      return runner.run({ kind: 'testFile', action: { ...action, style: await codeStyle.sourcesFor(uri) }, text, fa, sourcePath });
    },
  };

  connection.onCodeAction(guard('codeAction', [], (params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const snap = analysis.latest(doc.uri);
    const mapping = snap ? mappings.get(doc.uri, snap.version, snap.doc.getText(), doc.version, doc.getText()) : null;
    const actions = listCodeActions(snap, doc, params, mapping);
    // Clients that cannot resolve get the edits at once.
    return resolveSupport ? actions : Promise.all(actions.map((a) => resolveCodeAction(a, resolveContext)));
  }));

  connection.onCodeActionResolve(async (a) => {
    try {
      const resolved = await resolveCodeAction(a, resolveContext);
      if (!resolved.edit) void connection.window.showWarningMessage(`Gradlens: "${a.title}" is not available here (see the Gradlens output for why).`);
      return resolved;
    } catch (e) {
      log(`Gradlens: codeAction/resolve failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      return a;
    }
  });

  connection.onCodeLens(guard('codeLens', [], async (params) => {
    const uri = params.textDocument.uri;
    const snap = analysis.latest(uri);
    const doc = documents.get(uri);
    if (!snap || !doc) return [];
    return codeLensesFor(snap, doc, mappings.get(uri, snap.version, snap.doc.getText(), doc.version, doc.getText()), await settings.get(uri));
  }));

  connection.onCompletion(guard('completion', [], (params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    // From the live text; the last analysis only for a parameter list the text scan cannot read.
    const snap = analysis.latest(doc.uri);
    const mapping = snap ? mappings.get(doc.uri, snap.version, snap.doc.getText(), doc.version, doc.getText()) : null;
    return completionsAt(doc, doc.offsetAt(params.position), {
      snippets: snippetSupport,
      invoked: params.context?.triggerKind !== 2, // 2: TriggerCharacter
      analysed: snap && mapping ? { functions: snap.analysis.functions, toLive: (o) => mapping.toLive(o) } : undefined,
    });
  }));

  connection.languages.inlayHint.on(guard('inlayHint', [], async (params) => {
    const uri = params.textDocument.uri;
    if (!documents.get(uri) || !(await settings.get(uri)).inlayHints) return [];
    const snap = await analysis.latestOrFirst(uri, FIRST_ANALYSIS_WAIT_MS);
    const doc = documents.get(uri);
    if (!snap || !doc) return [];
    const mapping = mappings.get(uri, snap.version, snap.doc.getText(), doc.version, doc.getText());
    const range = { start: doc.offsetAt(params.range.start), end: doc.offsetAt(params.range.end) };
    return inlayHints(snap, doc, mapping, range, MAX_INLAY_HINTS);
  }));

  async function graphTask(params: GraphParams): Promise<GraphTask | null> {
    const doc = documents.get(params.uri);
    if (!doc) return null;
    const snap = await analysis.latestOrFirst(params.uri, FIRST_ANALYSIS_WAIT_MS);
    return {
      text: doc.getText(),
      functions: snap ? analysedFunctions(snap.analysis).map((f) => f.name) : [],
      params,
      offset: params.position ? doc.offsetAt(params.position) : null,
      options: toAnalysisOptions(await settings.get(params.uri)),
    };
  }

  connection.onRequest(GraphRequest, guard('gradlens/graph', { graph: null, diagnostics: [], functions: [], message: 'Internal error.' }, async (params) => {
    const task = await graphTask(params);
    if (!task) return { graph: null, diagnostics: [], functions: [], message: 'Document not open.' };
    return runner.run({ kind: 'graph', task });
  }));

  connection.onRequest(MethodsRequest, guard('gradlens/methods', { comparison: null, message: 'Internal error.' }, async (params) => {
    const task = await graphTask(params);
    if (!task) return { comparison: null, message: 'Document not open.' };
    return runner.run({ kind: 'methods', task });
  }));

  connection.onRequest(InsertCodeRequest, guard('gradlens/insertCode', { edit: null, message: 'Internal error.' }, async (params) => {
    const doc = documents.get(params.uri);
    if (!doc) return { edit: null, message: 'Document not open.' };
    const text = doc.getText();
    const target = TextDocument.create(doc.uri, doc.languageId, doc.version, text);
    const fa = analysis.latest(params.uri)?.analysis.functions.find((f) => f.name === params.functionName) ?? null;
    const style = await codeStyle.sourcesFor(params.uri);
    const edits = await runner.run({ kind: 'edits', action: { action: 'insert', fn: params.functionName, mode: params.mode, style }, text, fa });
    if (!edits) return { edit: null, message: `No ${params.mode} code could be generated for ${params.functionName}.` };
    return { edit: workspaceEdit(target, edits, true) };
  }));

  connection.onShutdown(() => {
    workspaceCheck.dispose();
    runner.dispose();
  });

  documents.listen(connection);
  connection.listen();
}

export function fileStatus(uri: string, a: FileAnalysis): FileStatus {
  // Statuses only, no ranges: the functions as analysed, not moved into place (workerProtocol.ts).
  const fns = analysedFunctions(a);
  const functions = fns.length;
  const checked = fns.filter((f) => f.check?.status === 'ok').length;
  const failing = fns.filter((f) => f.check?.status === 'wrong' || f.check?.status === 'shape').length;
  const parts = [`∇ ${functions} function${functions === 1 ? '' : 's'}`];
  if (checked > 0) parts.push(`${checked} ✓`);
  if (failing > 0) parts.push(`${failing} ✗`);
  // A @differentiable on a form the engine does not analyse (its GL005 says which); functions
  // skipped mid-edit are not counted here (their last good results are still shown).
  const unanalysed = a.skipped.filter((s) => s.reason.startsWith('@differentiable on ')).length;
  if (unanalysed > 0) parts.push(`${unanalysed} not analysed`);
  // Every diagnostic of the file, counted per code, in code order.
  const counts = new Map<string, number>();
  for (const d of a.diagnostics) counts.set(d.code, (counts.get(d.code) ?? 0) + 1);
  const codes = [...counts].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([code, count]) => ({
    code,
    count,
    title: diagnosticInfo(code)?.title ?? code,
  }));
  return { uri, functions, skipped: a.skipped.length, checked, failing, codes, text: parts.join(' · ') };
}
