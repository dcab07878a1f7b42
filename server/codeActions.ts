// Code actions (their titles are the ones users see, in TITLES). Listing them reads only the last good analysis; their edits are
// computed in codeAction/resolve, on the document's current text, and stamped with its version so
// a client never applies them to a different text.

import {
  CodeAction,
  CodeActionKind,
  type CodeActionParams,
  type Diagnostic,
  type TextDocuments,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { pathToFileURL } from 'node:url';
import type { EditAction } from './codeEdits';
import type { CodegenMode, FunctionAnalysis } from '../engine/api';
import { diagnosticInfo, type QuickFixId } from '../engine/diagnosticCodes';
import type { AnalysisSnapshot } from './documentAnalysis';
import type { OffsetMapping } from './offsetMapping';
import { DIAGNOSTIC_SOURCE, contains, toLspEdit, toOffset, type DiagnosticData, type OffsetEdit } from './toLsp';

export const TITLES = {
  reverse: 'Insert gradient function (reverse mode)',
  closed: 'Insert gradient function (closed form)',
  jvp: 'Insert forward-mode (JVP) function',
  hessian: 'Insert Hessian function',
  fix: 'Fix hand-written gradient',
  annotate: 'Add @differentiable',
  test: 'Insert gradient-check test',
} as const;

const INSERT_KIND = `${CodeActionKind.Refactor}.gradlens`;

export type ActionData =
  | { uri: string; version: number; action: 'insert'; fn: string; mode: CodegenMode }
  | { uri: string; version: number; action: 'test'; fn: string }
  | { uri: string; version: number; action: 'fix'; fn: string }
  | { uri: string; version: number; action: 'annotate'; fn: string };


/** The actions available at the request's range; no edits yet (see resolveCodeAction). */
export function listCodeActions(snap: AnalysisSnapshot | null, doc: TextDocument, params: CodeActionParams, mapping: OffsetMapping | null): CodeAction[] {
  const actions: CodeAction[] = [];
  const base = { uri: doc.uri, version: doc.version };
  const only = params.context.only;
  const wanted = (kind: string): boolean => !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));

  // Quick fixes for the diagnostics the client sent, as the catalogue lists them per code.
  const fixed = new Set<string>();
  for (const d of params.context.diagnostics) {
    if (d.source !== DIAGNOSTIC_SOURCE || !hasQuickFix(d.code, 'fixGradient')) continue;
    const fn = (d.data as DiagnosticData | undefined)?.functionName ?? functionOfCheck(snap, d)?.name;
    if (!fn || fixed.has(fn) || !wanted(CodeActionKind.QuickFix)) continue;
    fixed.add(fn);
    // The engine's own edit for this diagnostic (a mechanical shape fix, a convention to declare)
    // is the smaller change: regenerating the gradient is then not the preferred fix.
    const engineFix = ((d.data as DiagnosticData | undefined)?.fixes?.length ?? 0) > 0;
    actions.push(action(TITLES.fix, CodeActionKind.QuickFix, { ...base, action: 'fix', fn }, [d], !engineFix));
  }
  // Fixes the engine found with the diagnostic ("did you mean `y`?"), while the text is the one analysed.
  if (snap && snap.version === doc.version && wanted(CodeActionKind.QuickFix)) {
    // One action per fix: the same fix on several diagnostics (a tuple to reorder) lists them all.
    const byTitle = new Map<string, CodeAction>();
    for (const d of params.context.diagnostics) {
      if (d.source !== DIAGNOSTIC_SOURCE) continue;
      for (const f of (d.data as DiagnosticData | undefined)?.fixes ?? []) {
        const key = JSON.stringify([f.title, f.edits]);
        const same = byTitle.get(key);
        if (same) { same.diagnostics!.push(d); continue; }
        const a: CodeAction = { title: f.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit: { changes: { [doc.uri]: f.edits } } };
        byTitle.set(key, a);
        actions.push(a);
      }
    }
  }
  if (!snap || !mapping) return actions;
  const offset = mapping.toAnalysed(toOffset(doc, params.range.start));
  if (offset === null) return actions;

  // The annotated function under the cursor (by its body or by its hand-written gradient).
  const fa = innermost(snap.analysis.functions.filter((f) => contains(f.range, offset)))
    ?? snap.analysis.functions.find((f) => f.check && contains(f.check.range, offset));
  if (fa) {
    if (fa.check && (fa.check.status === 'wrong' || fa.check.status === 'shape') && !fixed.has(fa.name) && wanted(CodeActionKind.QuickFix)) {
      actions.push(action(TITLES.fix, CodeActionKind.QuickFix, { ...base, action: 'fix', fn: fa.name }, [], false));
    }
    if (wanted(INSERT_KIND)) {
      actions.push(action(TITLES.reverse, INSERT_KIND, { ...base, action: 'insert', fn: fa.name, mode: 'reverse' }));
      if (fa.closedFormAvailable) actions.push(action(TITLES.closed, INSERT_KIND, { ...base, action: 'insert', fn: fa.name, mode: 'closed' }));
      actions.push(action(TITLES.jvp, INSERT_KIND, { ...base, action: 'insert', fn: fa.name, mode: 'jvp' }));
      if (!fa.vectorValued) actions.push(action(TITLES.hessian, INSERT_KIND, { ...base, action: 'insert', fn: fa.name, mode: 'hessian' }));
      if (!fa.vectorValued && fa.points.length > 0) actions.push(action(TITLES.test, INSERT_KIND, { ...base, action: 'test', fn: fa.name }));
    }
  }
  for (const c of snap.analysis.candidates) {
    if ((contains(c.range, offset) || contains(c.nameRange, offset)) && wanted(CodeActionKind.RefactorRewrite)) {
      actions.push(action(TITLES.annotate, CodeActionKind.RefactorRewrite, { ...base, action: 'annotate', fn: c.name }));
    }
  }
  return actions;
}

function hasQuickFix(code: Diagnostic['code'], fix: QuickFixId): boolean {
  return diagnosticInfo(code)?.quickFixes.includes(fix) ?? false;
}

function action(title: string, kind: string, data: ActionData, diagnostics?: Diagnostic[], preferred?: boolean): CodeAction {
  const a = CodeAction.create(title, kind);
  a.data = data;
  if (diagnostics && diagnostics.length > 0) a.diagnostics = diagnostics;
  if (preferred) a.isPreferred = true;
  return a;
}

export interface ResolveContext {
  documents: TextDocuments<TextDocument>;
  latest(uri: string): AnalysisSnapshot | null;
  /** Whether the client accepts `documentChanges` (versioned edits). */
  versionedEdits: boolean;
  /** Runs codeEdits.computeEdits where the engine lives (the analysis worker). */
  computeEdits(action: EditAction, text: string, fa: FunctionAnalysis | null, uri: string): Promise<OffsetEdit[] | null>;
  /**
   * "Insert gradient-check test" as a new test file of the project's runner (codeEdits.testFileEdits),
   * where the client can create files; null when the test goes into the document instead.
   */
  computeTestFile?(action: EditAction & { action: 'test' }, text: string, fa: FunctionAnalysis | null, uri: string): Promise<{ edits: OffsetEdit[]; file: { path: string; text: string } } | null>;
}

/** Computes the edit of an action on the document's current text. */
export async function resolveCodeAction(a: CodeAction, ctx: ResolveContext): Promise<CodeAction> {
  const data = a.data as ActionData | undefined;
  if (!data) return a;
  const doc = ctx.documents.get(data.uri);
  if (!doc) return a;
  const text = doc.getText();
  const version = doc.version;
  const fa = ctx.latest(data.uri)?.analysis.functions.find((f) => f.name === data.fn) ?? null;
  const { uri: _uri, version: _version, ...action } = data;
  if (action.action === 'test' && ctx.computeTestFile && doc.uri.startsWith('file:')) {
    const planned = await ctx.computeTestFile(action as EditAction & { action: 'test' }, text, fa, data.uri);
    if (planned) {
      a.edit = testFileEdit(TextDocument.create(doc.uri, doc.languageId, version, text), planned.edits, planned.file);
      return a;
    }
  }
  const edits = await ctx.computeEdits(action as EditAction, text, fa, data.uri);
  // The edit is for the text it was computed on; a client holding a newer version rejects it.
  const target = TextDocument.create(doc.uri, doc.languageId, version, text);
  if (edits && edits.length > 0) a.edit = workspaceEdit(target, edits, ctx.versionedEdits);
  return a;
}

/** The source's edits (its version stamped), the new test file created, and its text written into it. */
function testFileEdit(doc: TextDocument, edits: OffsetEdit[], file: { path: string; text: string }): WorkspaceEdit {
  const testUri = pathToFileURL(file.path).href;
  return {
    documentChanges: [
      ...(edits.length > 0 ? [{ textDocument: { uri: doc.uri, version: doc.version }, edits: edits.map((e) => toLspEdit(doc, e)) }] : []),
      { kind: 'create', uri: testUri, options: { overwrite: false, ignoreIfExists: false } },
      { textDocument: { uri: testUri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: file.text }] },
    ],
  };
}

export function workspaceEdit(doc: TextDocument, edits: OffsetEdit[], versioned: boolean): WorkspaceEdit {
  const textEdits = edits.map((e) => toLspEdit(doc, e));
  if (versioned) return { documentChanges: [{ textDocument: { uri: doc.uri, version: doc.version }, edits: textEdits }] };
  return { changes: { [doc.uri]: textEdits } };
}

function innermost(fns: FunctionAnalysis[]): FunctionAnalysis | undefined {
  return fns.sort((a, b) => (a.range.end - a.range.start) - (b.range.end - b.range.start))[0];
}

function functionOfCheck(snap: AnalysisSnapshot | null, d: Diagnostic): FunctionAnalysis | undefined {
  if (!snap) return undefined;
  const offset = snap.doc.offsetAt(d.range.start);
  return snap.analysis.functions.find((f) => (f.check && contains(f.check.range, offset)) || contains(f.range, offset));
}
