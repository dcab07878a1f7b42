// The workspace check, as `tsc --watch` does for types: the Problems panel lists the wrong
// gradients of files that are not open. Run by the command `gradlens.checkWorkspace`
// (workspace/executeCommand, so any LSP client can run it) or, with `gradlens.workspaceCheck`
// set to `background`, at startup; from then on a changed unopened file is checked again
// (workspace/didChangeWatchedFiles). Files are found on disk (never node_modules, build output or
// dot-folders; bounded in number and size; a substring test before any parse) and analysed in the
// analysis worker as background jobs, which yield to every open document. An open document's own
// analysis publishes its diagnostics: the workspace check clears its own when a file opens (and
// when it is deleted) and checks the file again when it closes.

import { fileOfUri } from './importers';
import { plural } from '../engine/format';
import { promises as fs, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileChangeType, MessageType, ShowMessageNotification, type Connection, type FileEvent, type WorkDoneProgressServerReporter } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisRunner } from './analysisRunner';
import { toAnalysisOptions, type SettingsStore } from './settings';
import { toLspDiagnostics } from './toLsp';

/** The command (workspace/executeCommand) that checks the workspace; "Gradlens: Check Workspace". */
export const CHECK_WORKSPACE_COMMAND = 'gradlens.checkWorkspace';

/** Glob of the files the server asks the client to watch. */
export const WATCHED_FILES_GLOB = '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}';

export interface WorkspaceLimits {
  /** Directory entries looked at in one scan. */
  entries: number;
  /** Files with an annotation analysed in one scan. */
  files: number;
  /** Files larger than this are not read. */
  fileBytes: number;
  /** Folder nesting below a workspace folder. */
  depth: number;
}

export const WORKSPACE_LIMITS: WorkspaceLimits = { entries: 50_000, files: 1_000, fileBytes: 512 * 1024, depth: 24 };

/** TypeScript and JavaScript sources; declaration files have no bodies. */
const SOURCE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/i;
const DECLARATION_FILE = /\.d\.[cm]?ts$/i;
/** Dependencies and build output (the files.exclude-like defaults); dot-folders (.git, .next…) too. */
const SKIPPED_FOLDERS = new Set(['node_modules', 'bower_components', 'dist', 'out', 'build', 'coverage']);

export interface WorkspaceCheckSummary {
  /** Source files looked at. */
  files: number;
  /** Files with an annotation, analysed. */
  analysed: number;
  /** Analysed files with a warning or an error. */
  withProblems: number;
  diagnostics: number;
  /** A limit cut the scan short (WORKSPACE_LIMITS). */
  truncated: boolean;
  cancelled: boolean;
}

/** The cheap test before any parse: only a file that mentions a Gradlens tag can have an analysed function. */
export function mayHoldAnnotations(text: string): boolean {
  return text.includes('@differentiable') || text.includes('@derivative');
}

/** Whether a path is a source file the check looks at, given the folder it is under. */
export function isCheckedPath(file: string, root: string): boolean {
  const rel = path.relative(root, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return false;
  const parts = rel.split(path.sep);
  if (parts.slice(0, -1).some(skippedFolder)) return false;
  const base = parts[parts.length - 1];
  return SOURCE_FILE.test(base) && !DECLARATION_FILE.test(base);
}

function skippedFolder(name: string): boolean {
  return name.startsWith('.') || SKIPPED_FOLDERS.has(name);
}

/** The source files under `roots`, breadth first, within the limits (symbolic links are not followed). */
export async function listSourceFiles(roots: readonly string[], limits: WorkspaceLimits = WORKSPACE_LIMITS): Promise<{ files: string[]; truncated: boolean }> {
  const files: string[] = [];
  let entries = 0;
  const queue: { dir: string; depth: number }[] = roots.map((dir) => ({ dir, depth: 0 }));
  while (queue.length > 0) {
    const { dir, depth } = queue.shift()!;
    let list: Dirent[];
    try {
      list = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable or gone
    }
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of list) {
      if (++entries > limits.entries) return { files, truncated: true };
      if (e.isDirectory()) {
        if (!skippedFolder(e.name) && depth < limits.depth) queue.push({ dir: path.join(dir, e.name), depth: depth + 1 });
      } else if (e.isFile() && SOURCE_FILE.test(e.name) && !DECLARATION_FILE.test(e.name)) {
        files.push(path.join(dir, e.name));
      }
    }
  }
  return { files, truncated: false };
}

export function toPath(uri: string): string | null {
  const file = fileOfUri(uri);
  return file ? path.resolve(file) : null;
}

export interface WorkspaceCheckHost {
  connection: Pick<Connection, 'sendDiagnostics' | 'sendNotification' | 'window'>;
  runner: Pick<AnalysisRunner, 'analyze'>;
  settings: Pick<SettingsStore, 'get'>;
  /** URIs of the open documents (their own analysis publishes their diagnostics). */
  openUris(): string[];
  log(message: string): void;
  limits?: WorkspaceLimits;
}

interface Batch {
  promise: Promise<WorkspaceCheckSummary>;
  summary: WorkspaceCheckSummary;
  reporter: WorkDoneProgressServerReporter | null;
}

/** How long a burst of file changes is collected before the changed files are checked. */
const RECHECK_DELAY_MS = 300;
/** Progress reports at most this often. */
const REPORT_EVERY_MS = 100;

export class WorkspaceCheck {
  private roots: { path: string; uri: string }[] = [];
  /** Files whose diagnostics the check published (path → the URI they were published under). */
  private readonly published = new Map<string, string>();
  private batch: Batch | null = null;
  /**
   * Once the workspace has been checked, unopened files are kept up to date: `background` by the
   * setting (switching it off clears them), `command` after the command ran.
   */
  private keepUpToDate: 'no' | 'command' | 'background' = 'no';
  private readonly changed = new Set<string>();
  private recheckTimer: NodeJS.Timeout | null = null;
  private rechecking: Promise<void> = Promise.resolve();
  private disposed = false;
  private readonly limits: WorkspaceLimits;

  constructor(private readonly host: WorkspaceCheckHost) {
    this.limits = host.limits ?? WORKSPACE_LIMITS;
  }

  /** The workspace folders (initialize's `workspaceFolders`, else its `rootUri`). */
  setFolders(uris: readonly string[]): void {
    this.roots = uris.map((uri) => ({ uri, path: toPath(uri) })).filter((r): r is { uri: string; path: string } => r.path !== null);
  }

  /**
   * workspace/didChangeWorkspaceFolders: a removed folder's files are cleared; an added one is
   * checked when the workspace is being kept up to date (by the setting, its own value decides).
   */
  foldersChanged(added: readonly string[], removed: readonly string[]): void {
    const gone = removed.map(toPath).filter((p): p is string => p !== null);
    this.roots = this.roots.filter((r) => !gone.includes(r.path));
    for (const file of [...this.published.keys()]) {
      if (gone.some((root) => isCheckedPath(file, root)) && !this.underRoot(file)) this.clear(file);
    }
    const before = new Set(this.roots.map((r) => r.path));
    this.setFolders([...this.roots.map((r) => r.uri), ...added]);
    const fresh = this.roots.filter((r) => !before.has(r.path));
    if (fresh.length === 0 || this.keepUpToDate === 'no') return;
    void (async () => {
      const wanted = [];
      for (const r of fresh) {
        if (this.keepUpToDate === 'command' || (await this.host.settings.get(r.uri)).workspaceCheck === 'background') wanted.push(r);
      }
      // After a scan in progress, whose batch would not include them.
      await this.batch?.promise;
      if (wanted.length > 0 && !this.disposed) await this.run(false, wanted);
    })().catch((e) => this.host.log(`Gradlens: checking added folders failed: ${String(e)}`));
  }

  /** Files with diagnostics published by the check (for tests and logs). */
  get publishedFiles(): string[] {
    return [...this.published.keys()];
  }

  /** Settings changed (or the server started): start or stop the background check. */
  async configurationChanged(): Promise<void> {
    const background: { uri: string; path: string }[] = [];
    for (const r of this.roots) {
      if ((await this.host.settings.get(r.uri)).workspaceCheck === 'background') background.push(r);
    }
    if (this.disposed) return;
    if (background.length > 0 && this.keepUpToDate !== 'background') {
      this.keepUpToDate = 'background';
      void this.run(false, background);
    } else if (background.length === 0 && this.keepUpToDate === 'background') {
      this.keepUpToDate = 'no';
      if (this.batch) this.batch.summary.cancelled = true;
      for (const file of [...this.published.keys()]) this.clear(file);
    }
  }

  /**
   * Checks every source file of the workspace that is not open, with progress; joins a check that
   * is already running. `explicit`: the user asked (the command), so the result is also shown.
   */
  run(explicit: boolean, roots = this.roots): Promise<WorkspaceCheckSummary> {
    if (this.batch) return this.batch.promise;
    if (this.keepUpToDate === 'no') this.keepUpToDate = 'command';
    const summary: WorkspaceCheckSummary = { files: 0, analysed: 0, withProblems: 0, diagnostics: 0, truncated: false, cancelled: false };
    const batch: Batch = { summary, reporter: null, promise: Promise.resolve(summary) };
    this.batch = batch;
    batch.promise = this.runBatch(batch, roots).finally(() => {
      if (this.batch === batch) this.batch = null;
    }).then((s) => {
      // A notification, not window/showMessageRequest: nothing waits for the user to dismiss it.
      if (explicit && !this.disposed) void this.host.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Info, message: describeSummary(s) });
      return s;
    });
    return batch.promise;
  }

  private async runBatch(batch: Batch, roots: readonly { path: string }[]): Promise<WorkspaceCheckSummary> {
    const s = batch.summary;
    try {
      batch.reporter = await this.host.connection.window.createWorkDoneProgress().catch(() => null);
      const reporter = batch.reporter;
      reporter?.begin('Gradlens: checking the workspace', 0, 'listing files…', true);
      reporter?.token.onCancellationRequested(() => { s.cancelled = true; });
      const { files, truncated } = await listSourceFiles(roots.map((r) => r.path), this.limits);
      s.truncated = truncated;
      let lastReport = 0;
      for (let i = 0; i < files.length && !s.cancelled && !this.disposed; i++) {
        await this.checkFile(files[i], s);
        s.files++;
        const now = performance.now();
        if (reporter && (now - lastReport >= REPORT_EVERY_MS || i === files.length - 1)) {
          lastReport = now;
          reporter.report(Math.floor((100 * (i + 1)) / files.length), `${i + 1}/${files.length} files · ${path.basename(files[i])}`);
        }
      }
      if (s.truncated) this.host.log(`Gradlens: the workspace check stopped at its limits (${this.limits.entries} entries, ${this.limits.files} annotated files).`);
    } catch (e) {
      this.host.log(`Gradlens: the workspace check failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    } finally {
      batch.reporter?.done();
    }
    return s;
  }

  /** An editor opened the file: its own analysis takes over. */
  opened(uri: string): void {
    const file = toPath(uri);
    if (file) this.clear(file);
  }

  /** An editor closed the file: checked again from disk, when the workspace is being kept up to date. */
  closed(uri: string): void {
    const file = toPath(uri);
    if (file && this.keepUpToDate !== 'no' && this.underRoot(file)) this.recheckSoon(file);
  }

  /** workspace/didChangeWatchedFiles. */
  filesChanged(changes: readonly FileEvent[]): void {
    for (const c of changes) {
      const file = toPath(c.uri);
      if (!file) continue;
      if (c.type === FileChangeType.Deleted) {
        // A deleted folder takes its files' diagnostics with it.
        for (const p of [...this.published.keys()]) if (p === file || p.startsWith(file + path.sep)) this.clear(p);
        continue;
      }
      if (this.keepUpToDate !== 'no' && this.underRoot(file)) this.recheckSoon(file);
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.recheckTimer) clearTimeout(this.recheckTimer);
    if (this.batch) this.batch.summary.cancelled = true;
  }

  private underRoot(file: string): boolean {
    return this.roots.some((r) => isCheckedPath(file, r.path));
  }

  private recheckSoon(file: string): void {
    this.changed.add(file);
    if (this.recheckTimer) clearTimeout(this.recheckTimer);
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = null;
      const files = [...this.changed];
      this.changed.clear();
      // One file at a time, after any running scan (whose results it would overwrite).
      this.rechecking = this.rechecking.then(async () => {
        await this.batch?.promise;
        for (const f of files) if (!this.disposed) await this.checkFile(f, null);
      }).catch((e) => this.host.log(`Gradlens: checking changed files failed: ${String(e)}`));
    }, RECHECK_DELAY_MS);
    this.recheckTimer.unref?.();
  }

  private isOpen(file: string): boolean {
    return this.host.openUris().some((u) => toPath(u) === file);
  }

  private folderOf(file: string): string | null {
    return this.roots.find((r) => isCheckedPath(file, r.path))?.uri ?? null;
  }

  /** Reads, analyses and publishes one unopened file (or clears what it had). */
  private async checkFile(file: string, summary: WorkspaceCheckSummary | null): Promise<void> {
    if (this.isOpen(file)) return;
    let text: string;
    try {
      const st = await fs.stat(file);
      if (!st.isFile() || st.size > this.limits.fileBytes) { this.clear(file); return; }
      text = await fs.readFile(file, 'utf8');
    } catch {
      this.clear(file); // gone meanwhile
      return;
    }
    if (!mayHoldAnnotations(text)) { this.clear(file); return; }
    if (summary) {
      if (summary.analysed >= this.limits.files) { summary.truncated = true; return; }
      summary.analysed++;
    }
    const uri = pathToFileURL(file).href;
    const settings = await this.host.settings.get(this.folderOf(file) ?? uri);
    const outcome = await this.host.runner.analyze({ uri, version: 0, text, options: toAnalysisOptions(settings), background: true });
    // Opened meanwhile: the document's own analysis publishes.
    if (this.disposed || this.isOpen(file)) return;
    if (!outcome.ok) {
      this.host.log(`Gradlens: the workspace check of ${file} failed: ${outcome.error.split('\n')[0]}`);
      return;
    }
    const ds = outcome.analysis.diagnostics;
    if (summary && ds.some((d) => d.severity === 'error' || d.severity === 'warning')) summary.withProblems++;
    if (summary) summary.diagnostics += ds.length;
    if (ds.length === 0) { this.clear(file); return; }
    this.published.set(file, uri);
    void this.host.connection.sendDiagnostics({ uri, diagnostics: toLspDiagnostics(TextDocument.create(uri, 'typescript', 0, text), ds) });
  }

  private clear(file: string): void {
    const uri = this.published.get(file);
    if (uri === undefined) return;
    this.published.delete(file);
    void this.host.connection.sendDiagnostics({ uri, diagnostics: [] });
  }
}

export function describeSummary(s: WorkspaceCheckSummary): string {
  const files = `${plural(s.analysed, 'file')} with annotated functions`;
  const problems = s.withProblems === 0 ? 'no problems' : `problems in ${s.withProblems} (see the Problems panel)`;
  const cut = s.cancelled ? ' (cancelled)' : s.truncated ? ' (stopped at the scan limits)' : '';
  return `Gradlens checked ${files} of ${s.files} source files: ${problems}${cut}.`;
}
