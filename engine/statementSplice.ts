// Re-parsing in proportion to the edit. TypeScript's incremental parser (ts.updateSourceFile) walks
// the whole tree three times per edit (parent pointers before and after, and every node after the
// edit to move it), which at 50,000 lines costs more than everything else an edit needs. Most
// edits lie inside one top-level statement (a function's body or JSDoc): that statement's new text
// is parsed alone and put in its place, the other statements are kept as they are. When the edit
// changed the length, the statements after it move, but lazily: each statement's own pos and end
// at once (one step per statement), the nodes inside it only when something reads their positions
// (`placeStatement`, `placeAll`: engine/program.ts gates the readers), so typing costs the edited
// statement, not the file. Only when the result is certainly the one a full
// parse gives (the statement parses alone, without errors, to one statement that ends with `;` or
// is a declaration ending with `}`, after a statement that ends the same way); any other edit is
// TypeScript's (null here).

import ts = require('typescript');
import { detached } from './textDiff';

/** What this module reads and resets of TypeScript's SourceFile beyond its public type. */
interface SourceFileInternals {
  parseDiagnostics?: ts.DiagnosticWithLocation[];
  jsDocDiagnostics?: ts.DiagnosticWithLocation[];
  identifiers?: Map<string, string>;
  commentDirectives?: { range: ts.TextRange; type: number }[];
  externalModuleIndicator?: ts.Node | true;
  lineMap?: readonly number[];
  hasNoDefaultLib?: boolean;
  jsDocParsingMode?: ts.JSDocParsingMode;
}

/**
 * Per tree made by a splice: which statement it replaced and by how much the text after it moved
 * (no node of the old tree: it would keep every earlier tree alive through its parent).
 */
const splices = new WeakMap<ts.SourceFile, { index: number; delta: number }>();

/** The splice that made `file` (engine/declarationForms.ts re-discovers only what it replaced), if one did. */
export function spliceOf(file: ts.SourceFile): { index: number; delta: number } | undefined {
  return splices.get(file);
}

/** Edits made by splicing (not by TypeScript's incremental parser): for tests and the bench. */
export const spliceStats = { spliced: 0, fallbacks: 0 };

/**
 * The tree of `text` (the old text with [start, endOld) replaced by [start, endNew)), made from
 * `old` by re-parsing only the top-level statement the edit is in; null when that is not certain
 * to give what a full parse gives. `old` is invalidated (as TypeScript's incremental parser does).
 */
export function spliceStatement(old: ts.SourceFile, text: string, start: number, endOld: number, endNew: number): ts.SourceFile | null {
  const result = splice(old, text, start, endOld, endNew);
  if (result) spliceStats.spliced++;
  else {
    spliceStats.fallbacks++;
    // TypeScript's parser reads every position of the old tree, and may move nodes of any
    // statement and rebuild those around the edit.
    placeAll(old);
    subtrees = new WeakMap();
  }
  return result;
}

function splice(old: ts.SourceFile, text: string, start: number, endOld: number, endNew: number): ts.SourceFile | null {
  const oldInternals = old as unknown as SourceFileInternals;
  const statements = old.statements;
  if (statements.length === 0 || (oldInternals.parseDiagnostics?.length ?? 0) > 0 || (oldInternals.jsDocDiagnostics?.length ?? 0) > 0) return null;
  // The statement whose full text (leading comments included) holds the edit, its last character excepted.
  let lo = 0;
  let hi = statements.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (statements[mid].end <= start) lo = mid + 1;
    else hi = mid;
  }
  const i = lo;
  const target = statements[i];
  if (!(target.pos <= start && endOld < target.end)) return null;
  // The comments before the first statement hold the file's pragmas (`/// <reference …>`).
  if (i === 0 && start < target.getStart(old)) return null;
  if (i > 0 && !endsClosed(statements[i - 1], old.text)) return null;
  const delta = endNew - endOld;
  const regionText = detached(text.slice(target.pos, target.end + delta));
  if (regionText.startsWith('#!')) return null;
  const mini = ts.createSourceFile(old.fileName, regionText, { languageVersion: old.languageVersion, jsDocParsingMode: oldInternals.jsDocParsingMode }, true, ts.ScriptKind.TS);
  const miniInternals = mini as unknown as SourceFileInternals;
  if (mini.statements.length !== 1 || (miniInternals.parseDiagnostics?.length ?? 0) > 0 || (miniInternals.jsDocDiagnostics?.length ?? 0) > 0) return null;
  const fresh = mini.statements[0];
  if (fresh.pos !== 0 || fresh.end !== regionText.length || !endsClosed(fresh, regionText)) return null;
  // The file is a module when a statement imports or exports: the first such one, if the edit can have changed which.
  let indicator = oldInternals.externalModuleIndicator;
  const indicatorAt = typeof indicator === 'object' ? statementIndexOf(statements, indicator) : indicator === undefined ? statements.length : -1;
  const freshIndicator = miniInternals.externalModuleIndicator;
  if (indicatorAt < 0 || freshIndicator === true) return null;
  if (indicatorAt >= i && freshIndicator !== undefined) indicator = freshIndicator;
  else if (indicatorAt === i) return null; // no longer one: the next one would have to be found

  shift(fresh, target.pos);
  if (delta !== 0) {
    for (let k = i + 1; k < statements.length; k++) {
      const s = statements[k] as unknown as Mutable;
      s.pos += delta;
      s.end += delta;
      const before = pending.get(statements[k]);
      // (For tests: a statement's nodes are put far from any text until placed, so that a reader
      // that forgets to place one reads nothing plausible. Off in the product: an O(nodes) walk.)
      if (before === undefined && placementChecks.poison) moveFrom(listOf(statements[k]), 1, POISON);
      pending.set(statements[k], (before ?? (placementChecks.poison ? -POISON : 0)) + delta);
    }
    shift(old.endOfFileToken, delta);
  }
  const list = [...statements];
  list[i] = fresh;
  const file = ts.factory.updateSourceFile(old, list);
  ts.setTextRange(file.statements, { pos: statements.pos, end: statements.end + delta });
  const internals = file as unknown as SourceFileInternals & Record<string, unknown>;
  internals.text = text;
  internals.end = text.length;
  internals.hasNoDefaultLib = oldInternals.hasNoDefaultLib;
  internals.externalModuleIndicator = indicator;
  internals.parseDiagnostics = [];
  internals.jsDocDiagnostics = [];
  for (const [k, v] of miniInternals.identifiers ?? []) oldInternals.identifiers?.set(k, v);
  internals.commentDirectives = [
    ...(oldInternals.commentDirectives ?? []).filter((c) => c.range.end <= target.pos),
    ...(miniInternals.commentDirectives ?? []).map((c) => ({ ...c, range: { pos: c.range.pos + target.pos, end: c.range.end + target.pos } })),
    ...(oldInternals.commentDirectives ?? []).filter((c) => c.range.pos >= target.end).map((c) => ({ ...c, range: { pos: c.range.pos + delta, end: c.range.end + delta } })),
  ];
  // Computed again from the new text and statements when asked for (lines), or by a program that binds it.
  for (const k of ['lineMap', 'original', 'symbol', 'locals', 'nextContainer', 'endFlowNode', 'symbolCount', 'classifiableNames',
    'commonJsModuleIndicator', 'bindDiagnostics', 'bindSuggestionDiagnostics', 'imports', 'moduleAugmentations', 'ambientModuleNames', 'resolvedModules', 'resolvedTypeReferenceDirectiveNames']) {
    internals[k] = undefined;
  }
  for (const s of file.statements) (s as { parent: ts.Node }).parent = file;
  (file.endOfFileToken as { parent: ts.Node }).parent = file;
  // (The old tree shares the moved statements: a reader of it places them too.)
  if (delta !== 0) placedFiles.delete(old);
  else if (placedFiles.has(old)) placedFiles.add(file);
  splices.set(file, { index: i, delta });
  return file;
}

/** A statement after which the next one is parsed the same whatever it is: one ending with `;`, or a declaration's `}`. */
function endsClosed(s: ts.Statement, text: string): boolean {
  if (text.charCodeAt(s.end - 1) === 59 /* ; */) return true;
  return ((ts.isFunctionDeclaration(s) && !!s.body) || ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isEnumDeclaration(s) ||
    (ts.isModuleDeclaration(s) && !!s.body)) && text.charCodeAt(s.end - 1) === 125 /* } */;
}

function statementIndexOf(statements: ts.NodeArray<ts.Statement>, node: ts.Node): number {
  let top = node;
  while (top.parent && top.parent.kind !== ts.SyntaxKind.SourceFile) top = top.parent;
  return statements.indexOf(top as ts.Statement);
}

type Mutable = { pos: number; end: number };

/**
 * Per top-level statement, every node of its tree, their JSDoc and the node arrays between them:
 * moving a statement is then one loop over plain objects, not a walk of the tree (typing moves
 * every statement after the edit). Valid while only splices change the tree: a splice replaces a
 * statement by a new one and moves the others, their trees unchanged; TypeScript's incremental
 * parser can rebuild parts of any statement, so the lists are dropped when it runs.
 */
let subtrees = new WeakMap<ts.Node, Mutable[]>();

/** Moves a node, its descendants, their JSDoc and the node arrays between them by `delta`. */
function shift(node: ts.Node, delta: number): void {
  moveFrom(listOf(node), 0, delta);
}

function listOf(node: ts.Node): Mutable[] {
  let list = subtrees.get(node);
  if (!list) subtrees.set(node, (list = subtreeOf(node)));
  return list;
}

function moveFrom(list: Mutable[], from: number, delta: number): void {
  for (let k = from; k < list.length; k++) {
    const n = list[k];
    n.pos += delta;
    n.end += delta;
  }
}

/**
 * Per top-level statement moved by a splice, how far the nodes inside it (not the statement
 * itself, which is moved at once) still have to move. Composed across edits; applied by `placeStatement`.
 */
const pending = new WeakMap<ts.Node, number>();
/** Parses whose every statement is placed (no reader needs to look at each statement again). */
const placedFiles = new WeakSet<ts.SourceFile>();

/** Nodes moved into place on demand: for tests (a typing edit must move none it does not read) and the bench. */
export const placementStats = { statements: 0, nodes: 0 };

/**
 * For tests: `poison` puts the nodes of each statement an edit moved far past the end of any text
 * until it is placed, so that a reader that reads a position without placing its statement fails
 * loudly (an empty getText, a range nowhere) instead of reading a stale but plausible one.
 */
export const placementChecks = { poison: false };
const POISON = 1 << 29;

/** Moves the nodes of a top-level statement to where the splices since they were last placed put it. */
export function placeStatement(statement: ts.Node): void {
  const delta = pending.get(statement);
  if (delta === undefined) return;
  pending.delete(statement);
  if (delta === 0) return;
  const list = listOf(statement);
  // The statement itself (first in its list) is in place already.
  moveFrom(list, 1, delta);
  placementStats.statements++;
  placementStats.nodes += list.length - 1;
}

/** Places the top-level statement `node` is in (or is). */
export function placeStatementOf(node: ts.Node): void {
  let top = node;
  while (top.parent && top.parent.kind !== ts.SyntaxKind.SourceFile) top = top.parent;
  placeStatement(top);
}

/** Places every statement of the file: for readers that may read any position (a type checker, a walk of the whole tree). */
export function placeAll(file: ts.SourceFile): void {
  if (placedFiles.has(file)) return;
  for (const s of file.statements) placeStatement(s);
  placedFiles.add(file);
}

/** Per parse, its top-level declarations by name (made when first asked for: names only, no position is read). */
const declarationIndex = new WeakMap<ts.SourceFile, Map<string, ts.Statement[]>>();
const NONE: readonly ts.Statement[] = [];

/**
 * The top-level classes, interfaces, type aliases, enums and function declarations named `name`, in
 * the file's order, each placed: how lowering reads another statement by name (a parameter's type,
 * a record class, an enum, a helper's declared type), so that an edit places only what the
 * analyses it causes read, not every statement after it.
 */
export function declarationsNamed(file: ts.SourceFile, name: string): readonly ts.Statement[] {
  let index = declarationIndex.get(file);
  if (!index) {
    index = new Map();
    for (const s of file.statements) {
      if (!(ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isEnumDeclaration(s) || ts.isFunctionDeclaration(s)) || !s.name) continue;
      const list = index.get(s.name.text);
      if (list) list.push(s);
      else index.set(s.name.text, [s]);
    }
    declarationIndex.set(file, index);
  }
  const found = index.get(name) ?? NONE;
  for (let i = 0; i < found.length; i++) placeStatement(found[i]);
  return found;
}

function subtreeOf(node: ts.Node): Mutable[] {
  const out: Mutable[] = [];
  const stack: ts.Node[] = [node];
  const onArray = (array: ts.NodeArray<ts.Node>): void => {
    out.push(array as unknown as Mutable);
    for (let k = array.length - 1; k >= 0; k--) stack.push(array[k]);
  };
  const onNode = (n: ts.Node): void => { stack.push(n); };
  while (stack.length > 0) {
    const n = stack.pop()!;
    out.push(n as unknown as Mutable);
    const docs = (n as { jsDoc?: ts.Node[] }).jsDoc;
    if (docs) for (const d of docs) stack.push(d);
    ts.forEachChild(n, onNode, onArray);
  }
  return out;
}
