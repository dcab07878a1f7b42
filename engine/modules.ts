// Other modules of the workspace, as the engine sees them without doing IO itself: a host (the
// server's or the CLI's, server/moduleHost.ts) resolves an import specifier to a file the way
// TypeScript does and reads it; the engine finds, on the syntax tree alone, what a file imports
// (`importBindings`) and exports (`exportTable`). engine/program.ts links them: an imported helper
// is lowered from its own file's text and renamed into the importer's names.
//
// Without a host (tests, a string analysed in isolation) nothing is imported and an imported name
// is a GL002 as before.

import ts = require('typescript');
import { meter } from './budget';
import { placeStatementOf } from './statementSplice';
import type { IrFunction, Range } from './ir';

/** What a specifier resolves to: a file of the workspace, of a package in node_modules, or a declaration file (no bodies). */
export interface ResolvedModule {
  file: string;
  kind: 'workspace' | 'package' | 'declaration';
}

/** The engine's only window on other files. Both calls may return null; neither may throw (a throw counts as null). */
export interface ModuleHost {
  resolve(specifier: string, fromFile: string): ResolvedModule | null;
  read(file: string): string | null;
}

/** The file being analysed and the host that finds its imports (a separate argument, never in the JSON-able options). */
export interface ModuleContext {
  file: string;
  host: ModuleHost;
}

/**
 * The context of the programs an engine task parses without one (a code action, the graph: every
 * text such a task parses is the document's, or an edit of it), set by the worker around the task
 * (`withModuleContext`); none elsewhere.
 */
let ambientContext: ModuleContext | undefined;

export function withModuleContext<T>(context: ModuleContext | undefined, f: () => T): T {
  const previous = ambientContext;
  ambientContext = context;
  try { return f(); } finally { ambientContext = previous; }
}

export function ambientModuleContext(): ModuleContext | undefined {
  return ambientContext;
}

/** At most this many files are read for one analysis, and imports are followed this deep. */
export const MAX_MODULES = 64;
export const MAX_IMPORT_DEPTH = 8;
/** A file longer than this is not read (the host bounds reads too). */
export const MAX_MODULE_CHARS = 2_000_000;

/**
 * A name the file binds to another module:
 * - `named`: `import { f } from './u'`, `import { g as f }`, `const { f } = require('./u')`;
 * - `default`: `import f from './u'` (the module's `export default`, or `module.exports = …`);
 * - `namespace`: `import * as M from './u'`, `const M = require('./u')` (read as `M.f`).
 */
export interface ImportBinding {
  local: string;
  kind: 'named' | 'default' | 'namespace';
  /** The exported name (`named`). */
  imported?: string;
  specifier: string;
  /** The local name in the import: where a problem with the import, or in what it imports, is shown. */
  range: Range;
}

/** The import bindings of a file's top level, by local name; with `types`, type-only imports (`import type`) too. */
export function importBindings(sf: ts.SourceFile, types = false): Map<string, ImportBinding> {
  const out = new Map<string, ImportBinding>();
  const range = (n: ts.Node): Range => { placeStatementOf(n); return { start: n.getStart(sf), end: n.end }; };
  const add = (b: ImportBinding) => { if (!out.has(b.local)) out.set(b.local, b); };
  for (const stmt of sf.statements) {
    if (ts.isImportDeclaration(stmt) && ts.isStringLiteral(stmt.moduleSpecifier) && stmt.importClause && (types || !stmt.importClause.isTypeOnly)) {
      const specifier = stmt.moduleSpecifier.text;
      const c = stmt.importClause;
      if (c.name) add({ local: c.name.text, kind: 'default', specifier, range: range(c.name) });
      const nb = c.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) add({ local: nb.name.text, kind: 'namespace', specifier, range: range(nb.name) });
      if (nb && ts.isNamedImports(nb)) {
        for (const e of nb.elements) {
          if (e.isTypeOnly && !types) continue;
          const imported = (e.propertyName ?? e.name).text;
          add({ local: e.name.text, kind: imported === 'default' ? 'default' : 'named', imported, specifier, range: range(e.name) });
        }
      }
    } else if (ts.isImportEqualsDeclaration(stmt) && ts.isExternalModuleReference(stmt.moduleReference) && ts.isStringLiteral(stmt.moduleReference.expression)) {
      add({ local: stmt.name.text, kind: 'namespace', specifier: stmt.moduleReference.expression.text, range: range(stmt.name) });
    } else if (ts.isVariableStatement(stmt)) {
      for (const d of stmt.declarationList.declarations) {
        const specifier = d.initializer ? requiredSpecifier(d.initializer) : undefined;
        if (specifier === undefined) continue;
        if (ts.isIdentifier(d.name)) add({ local: d.name.text, kind: 'namespace', specifier, range: range(d.name) });
        else if (ts.isObjectBindingPattern(d.name)) {
          for (const el of d.name.elements) {
            if (el.dotDotDotToken || !ts.isIdentifier(el.name)) continue;
            const imported = el.propertyName ? (ts.isIdentifier(el.propertyName) || ts.isStringLiteral(el.propertyName) ? el.propertyName.text : undefined) : el.name.text;
            if (imported !== undefined) add({ local: el.name.text, kind: 'named', imported, specifier, range: range(el.name) });
          }
        }
      }
    }
  }
  return out;
}

/** `require('./u')` (also `require('./u').default`-free forms only): its specifier. */
function requiredSpecifier(e: ts.Expression): string | undefined {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) e = e.expression;
  if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'require' && e.arguments.length === 1 && ts.isStringLiteralLike(e.arguments[0])) {
    return e.arguments[0].text;
  }
  return undefined;
}

/** What an exported name is: a local name of the file, or a name re-exported from another module. */
export type ExportEntry = { local: string } | { from: string; imported: string };

export interface ExportTable {
  names: Map<string, ExportEntry>;
  /** `export * from './a'`: searched, in order, for a name the file does not export itself. */
  stars: string[];
}

/**
 * A file's exports, on the syntax tree: `export function f`, `export const f`, `export { a as b }`,
 * `export { f } from './a'`, `export * from './a'`, `export default f`, and CommonJS
 * `module.exports = { f, g: h }`, `exports.f = f`, `module.exports = f` (the default). Functions
 * written in the export itself (`exports.f = function …`) are functions of the file under
 * `exports.f` (engine/declarationForms.ts): program.ts looks those up first. With `types`, the exported interfaces,
 * type aliases and enums and the type-only exports (`export type { V } from './v'`) too.
 */
export function exportTable(sf: ts.SourceFile, types = false): ExportTable {
  const names = new Map<string, ExportEntry>();
  const stars: string[] = [];
  const set = (name: string, e: ExportEntry) => { if (!names.has(name)) names.set(name, e); };
  const exported = (n: ts.Node) => ts.canHaveModifiers(n) && !!ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const isDefault = (n: ts.Node) => ts.canHaveModifiers(n) && !!ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  for (const stmt of sf.statements) {
    if ((ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt)) && exported(stmt) && stmt.name) {
      set(isDefault(stmt) ? 'default' : stmt.name.text, { local: stmt.name.text });
    } else if (ts.isVariableStatement(stmt) && exported(stmt)) {
      for (const d of stmt.declarationList.declarations) if (ts.isIdentifier(d.name)) set(d.name.text, { local: d.name.text });
    } else if (types && (ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt) || ts.isEnumDeclaration(stmt)) && exported(stmt)) {
      set(isDefault(stmt) ? 'default' : stmt.name.text, { local: stmt.name.text });
    } else if (ts.isExportDeclaration(stmt) && (types || !stmt.isTypeOnly)) {
      const from = stmt.moduleSpecifier && ts.isStringLiteral(stmt.moduleSpecifier) ? stmt.moduleSpecifier.text : undefined;
      const clause = stmt.exportClause;
      if (!clause) { if (from !== undefined) stars.push(from); continue; }
      if (!ts.isNamedExports(clause)) continue;
      for (const e of clause.elements) {
        if (e.isTypeOnly && !types) continue;
        const inner = (e.propertyName ?? e.name).text;
        set(e.name.text, from !== undefined ? { from, imported: inner } : { local: inner });
      }
    } else if (ts.isExportAssignment(stmt) && !stmt.isExportEquals && ts.isIdentifier(stmt.expression)) {
      set('default', { local: stmt.expression.text });
    } else if (ts.isExpressionStatement(stmt) && ts.isBinaryExpression(stmt.expression) && stmt.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const target = propertyChain(stmt.expression.left);
      let right = stmt.expression.right;
      while (ts.isParenthesizedExpression(right)) right = right.expression;
      if (target === 'module.exports' && ts.isObjectLiteralExpression(right)) {
        for (const p of right.properties) {
          if (ts.isShorthandPropertyAssignment(p)) set(p.name.text, { local: p.name.text });
          else if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && ts.isIdentifier(p.initializer)) set(p.name.text, { local: p.initializer.text });
        }
      } else if (target === 'module.exports' && ts.isIdentifier(right)) {
        set('default', { local: right.text });
      } else {
        const m = /^(?:module\.)?exports\.([A-Za-z_$][\w$]*)$/.exec(target);
        if (m && ts.isIdentifier(right)) set(m[1], { local: right.text });
      }
    }
  }
  return { names, stars };
}

/** `module.exports`, `exports.f`: an assignment's target as a chain of names ('' for any other target; no position is read). */
function propertyChain(e: ts.Expression): string {
  if (ts.isIdentifier(e)) return e.text;
  if (!ts.isPropertyAccessExpression(e) || !ts.isIdentifier(e.name)) return '';
  const left = propertyChain(e.expression);
  return left === '' ? '' : `${left}.${e.name.text}`;
}

/** The package a bare specifier names (`lodash/fp` → `lodash`, `@scope/pkg/x` → `@scope/pkg`). */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') && parts.length > 1 ? `${parts[0]}/${parts[1]}` : parts[0];
}

/**
 * The modules one analysis reads: each file parsed once, at most MAX_MODULES of them, imports
 * followed at most MAX_IMPORT_DEPTH deep. Generic over what a parsed file is, so that this file
 * does not depend on program.ts (which depends on it).
 */
export class ModuleGraph<P> {
  private readonly modules = new Map<string, { program: P | null; depth: number }>();
  private reads = 0;

  /**
   * `parse` makes a file's program, handing it to `known` (the graph then holds it) before it
   * reads other files: its constants may import from a file that imports it back.
   */
  constructor(readonly host: ModuleHost, private readonly parse: (text: string, file: string, depth: number, known: (program: P) => void) => P) {}

  /** The file the analysis started from (its program is the importer's own). */
  register(file: string, program: P): void {
    this.modules.set(file, { program, depth: 0 });
  }

  /** Each specifier resolved once per importing file (cache keys ask for every function). */
  private readonly resolved = new Map<string, ResolvedModule | null>();

  resolve(specifier: string, fromFile: string): ResolvedModule | null {
    const key = `${fromFile}\u0000${specifier}`;
    if (this.resolved.has(key)) return this.resolved.get(key)!;
    let r: ResolvedModule | null = null;
    try { r = this.host.resolve(specifier, fromFile); } catch { r = null; }
    this.resolved.set(key, r);
    return r;
  }

  /** The parsed file, or a reason it cannot be had. */
  load(file: string, depth: number): { program: P } | { problem: string } {
    const known = this.modules.get(file);
    if (known) return known.program ? { program: known.program } : { problem: `'${file}' could not be read` };
    if (depth > MAX_IMPORT_DEPTH) return { problem: `imports are followed at most ${MAX_IMPORT_DEPTH} modules deep` };
    if (this.reads >= MAX_MODULES) return { problem: `at most ${MAX_MODULES} modules are read for one file` };
    this.reads++;
    let text: string | null = null;
    try { text = this.host.read(file); } catch { text = null; }
    if (text === null || text.length > MAX_MODULE_CHARS) {
      this.modules.set(file, { program: null, depth });
      return { problem: text === null ? `'${file}' could not be read` : `'${file}' is larger than ${MAX_MODULE_CHARS / 1e6} MB` };
    }
    const program = this.parse(text, file, depth, (p) => this.modules.set(file, { program: p, depth }));
    this.modules.set(file, { program, depth });
    // Reading grows with the workspace: within the function's time budget (a GL007 past it).
    meter().checkTime('lowering');
    return { program };
  }
}

/**
 * What a name of the file bound to another module is, seen from lowering: a function (lowered in
 * its own file, renamed into this file's names: `name` is how this file calls it), a numeric
 * constant, or a problem: `name` (as written) `why` it cannot be read, and what to do; `unread`
 * when it is none of the workspace's functions at all (GL002 "…, which is not a function of this
 * file: it …", the wording the pass-its-value-in fix of engine/callFixes.ts looks for).
 */
export type ImportedRef =
  | { kind: 'function'; name: string; fn: IrFunction }
  | { kind: 'constant'; value: number }
  | { kind: 'problem'; name: string; why: string; advice: string; unread?: boolean };
