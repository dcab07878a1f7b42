// Code actions (SPEC §4 titles). Listing them reads only the last good analysis; their edits are
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
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { generateDerivative } from '../engine';
import type { CodegenMode, FunctionAnalysis } from '../engine/api';
import type { AnalysisSnapshot } from './documentAnalysis';
import type { OffsetMapping } from './offsetMapping';
import { addJsDocTag, gradientCheckTest, hasJsDocTag, insertAfter } from './edits';
import { freeName, locateFunction, locateFunctions, topLevelNames, type LocatedFunction } from './sourceLocate';
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

const SUFFIX: Record<CodegenMode, string> = { reverse: 'Grad', closed: 'Grad', jvp: 'Jvp', hessian: 'Hessian' };

/** The actions available at the request's range; no edits yet (see resolveCodeAction). */
export function listCodeActions(snap: AnalysisSnapshot | null, doc: TextDocument, params: CodeActionParams, mapping: OffsetMapping | null): CodeAction[] {
  const actions: CodeAction[] = [];
  const base = { uri: doc.uri, version: doc.version };
  const only = params.context.only;
  const wanted = (kind: string): boolean => !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));

  // Quick fixes for the diagnostics the client sent.
  const fixed = new Set<string>();
  for (const d of params.context.diagnostics) {
    if (d.source !== DIAGNOSTIC_SOURCE || (d.code !== 'GL001' && d.code !== 'GL006')) continue;
    const fn = (d.data as DiagnosticData | undefined)?.functionName ?? functionOfCheck(snap, d)?.name;
    if (!fn || fixed.has(fn) || !wanted(CodeActionKind.QuickFix)) continue;
    fixed.add(fn);
    actions.push(action(TITLES.fix, CodeActionKind.QuickFix, { ...base, action: 'fix', fn }, [d], true));
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
  log(message: string): void;
}

/** Computes the edit of an action on the document's current text. */
export function resolveCodeAction(a: CodeAction, ctx: ResolveContext): CodeAction {
  const data = a.data as ActionData | undefined;
  if (!data) return a;
  const doc = ctx.documents.get(data.uri);
  if (!doc) return a;
  const text = doc.getText();
  const snap = ctx.latest(data.uri);
  const fa = snap?.analysis.functions.find((f) => f.name === data.fn) ?? null;
  let edits: OffsetEdit[] | null = null;
  switch (data.action) {
    case 'insert': edits = insertEdits(text, data.fn, data.mode, fa, ctx.log); break;
    case 'test': edits = testEdits(text, data.fn, fa, ctx.log); break;
    case 'fix': edits = fixEdits(text, data.fn, fa, ctx.log); break;
    case 'annotate': edits = annotateEdits(text, data.fn); break;
  }
  if (edits && edits.length > 0) a.edit = workspaceEdit(doc, edits, ctx.versionedEdits);
  return a;
}

function workspaceEdit(doc: TextDocument, edits: OffsetEdit[], versioned: boolean): WorkspaceEdit {
  const textEdits = edits.map((e) => toLspEdit(doc, e));
  if (versioned) return { documentChanges: [{ textDocument: { uri: doc.uri, version: doc.version }, edits: textEdits }] };
  return { changes: { [doc.uri]: textEdits } };
}

/** Generated `mode` code after the function; for a gradient, `@gradient <name>` in its JSDoc too. */
export function insertEdits(text: string, fnName: string, mode: CodegenMode, fa: FunctionAnalysis | null, log: (m: string) => void): OffsetEdit[] | null {
  const fn = locateFunction(text, fnName);
  if (!fn) return null;
  const name = freeName(`${fnName}${SUFFIX[mode]}`, topLevelNames(text));
  const { generated, diagnostics } = generateDerivative(text, fnName, mode, { name });
  if (!generated) {
    log(`Gradlens: no ${mode} code for ${fnName}: ${diagnostics.map((d) => d.message).join('; ')}`);
    return null;
  }
  const edits: OffsetEdit[] = [];
  if ((mode === 'reverse' || mode === 'closed') && !fa?.check && !hasJsDocTag(text, fn, 'gradient')) {
    edits.push(addJsDocTag(text, fn, `@gradient ${generated.name}`));
  }
  edits.push(insertAfter(text, fn, generated.code));
  return edits;
}

/** A gradient-check test after the hand-written gradient (or after a generated one it inserts). */
export function testEdits(text: string, fnName: string, fa: FunctionAnalysis | null, log: (m: string) => void): OffsetEdit[] | null {
  const fn = locateFunction(text, fnName);
  if (!fn || !fa || fa.points.length === 0) return null;
  const taken = topLevelNames(text);
  const wrt = fa.wrt.length > 0 ? fa.wrt : fa.params;
  const handName = fa.check?.name;
  const hand = handName ? locateFunction(text, handName) : null;
  const edits: OffsetEdit[] = [];
  let gradName: string;
  let gradCode = '';
  if (hand && handName) {
    gradName = handName;
  } else {
    gradName = freeName(`${fnName}Grad`, taken);
    taken.add(gradName);
    const { generated, diagnostics } = generateDerivative(text, fnName, 'reverse', { name: gradName });
    if (!generated) {
      log(`Gradlens: no gradient for ${fnName}: ${diagnostics.map((d) => d.message).join('; ')}`);
      return null;
    }
    gradName = generated.name;
    gradCode = generated.code.trim() + '\n\n';
    if (!hasJsDocTag(text, fn, 'gradient')) edits.push(addJsDocTag(text, fn, `@gradient ${gradName}`));
  }
  const test = gradientCheckTest({
    testName: freeName(`${fnName}GradientCheck`, taken),
    fnName,
    gradName,
    params: fn.params,
    wrt,
    point: fa.points[0],
  });
  if (!test) return null;
  edits.push(insertAfter(text, hand ?? fn, gradCode + test));
  return edits;
}

/**
 * Regenerates the hand-written gradient under the user's name. When the generated function has the
 * user's parameters and return shape, only the body is replaced (the signature, its types and its
 * JSDoc stay as written); otherwise the whole function is, keeping `export` and the JSDoc.
 */
export function fixEdits(text: string, fnName: string, fa: FunctionAnalysis | null, log: (m: string) => void): OffsetEdit[] | null {
  const check = fa?.check;
  const handName = check?.name ?? [`${fnName}Grad`, `${fnName}_grad`, `grad${fnName[0]?.toUpperCase()}${fnName.slice(1)}`]
    .find((n) => locateFunction(text, n));
  if (!handName) return null;
  const hand = locateFunction(text, handName);
  if (!hand) return null;
  const mode: CodegenMode = fa?.closedFormAvailable ? 'closed' : 'reverse';
  let result = generateDerivative(text, fnName, mode, { name: handName });
  if (!result.generated && mode === 'closed') result = generateDerivative(text, fnName, 'reverse', { name: handName });
  const generated = result.generated;
  if (!generated) {
    log(`Gradlens: cannot regenerate ${handName}: ${result.diagnostics.map((d) => d.message).join('; ')}`);
    return null;
  }
  const genFns = locateFunctions(generated.code);
  const gen = genFns.find((f) => f.name === generated.name) ?? null;
  if (gen && genFns.length === 1 && hand.body && gen.body && sameParams(hand, gen) && check?.status !== 'shape' &&
    (hand.returnTypeText === null || shapeOfType(hand.returnTypeText) === shapeOfType(gen.returnTypeText))) {
    return [{ start: hand.body.start, end: hand.body.end, newText: generated.code.slice(gen.body.start, gen.body.end) }];
  }
  // Whole function: drop the generated JSDoc (the user's stays in place) and keep the user's `export`.
  let code = gen ? generated.code.slice(gen.statementStart).trim() : generated.code.trim();
  if (gen && genFns.length > 1) code = generated.code.trim();
  const startsExported = /^export\s/.test(code);
  if (hand.exported && !startsExported) code = `export ${code}`;
  if (!hand.exported && startsExported) code = code.replace(/^export\s+/, '');
  return [{ start: hand.statementStart, end: hand.statementEnd, newText: code }];
}

export function annotateEdits(text: string, fnName: string): OffsetEdit[] | null {
  const fn = locateFunction(text, fnName);
  if (!fn || hasJsDocTag(text, fn, 'differentiable')) return null;
  return [addJsDocTag(text, fn, '@differentiable')];
}

function sameParams(a: LocatedFunction, b: LocatedFunction): boolean {
  return a.params.length === b.params.length && a.params.every((p, i) => p.name === b.params[i].name);
}

function shapeOfType(t: string | null): string | null {
  if (t === null) return null;
  const s = t.replace(/\s+/g, '');
  if (s.startsWith('{') || s.startsWith('Record<')) return 'object';
  if (s.startsWith('[')) return 'tuple';
  if (s.endsWith('[]') || s.includes('Float64Array') || s.startsWith('Array<')) return 'array';
  if (s === 'number') return 'number';
  return s;
}

function innermost(fns: FunctionAnalysis[]): FunctionAnalysis | undefined {
  return fns.sort((a, b) => (a.range.end - a.range.start) - (b.range.end - b.range.start))[0];
}

function functionOfCheck(snap: AnalysisSnapshot | null, d: Diagnostic): FunctionAnalysis | undefined {
  if (!snap) return undefined;
  const offset = snap.doc.offsetAt(d.range.start);
  return snap.analysis.functions.find((f) => (f.check && contains(f.check.range, offset)) || contains(f.range, offset));
}
