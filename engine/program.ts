// Finds the functions of a source file and their JSDoc annotations, and lowers them to IR on
// demand (a helper is lowered the first time an annotated function calls it).

import ts from 'typescript';
import { EngineDiagnostic } from './api';
import { emptyAnnotations, parseAnnotations } from './annotations';
import { Annotations, Range } from './ir';
import { lowerFunction } from './lowerToIr';
import type { FunctionNode, Lowered, ProgramView, SourceFunction } from './sourceFunction';
import { mathConstant } from './mathConstants';

export type { FunctionNode, Lowered, SourceFunction } from './sourceFunction';

export class Program implements ProgramView {
  readonly functions = new Map<string, SourceFunction>();
  /** Top-level `const NAME = <number>` declarations, inlined where used. */
  readonly constants = new Map<string, number>();
  private readonly lowered = new Map<string, Lowered>();

  constructor(readonly text: string, readonly sourceFile: ts.SourceFile) {}

  /** Lowers `name` (once); undefined when the file has no such function. */
  lower(name: string): Lowered | undefined {
    const cached = this.lowered.get(name);
    if (cached) return cached;
    const sf = this.functions.get(name);
    if (!sf) return undefined;
    const result = lowerFunction(this, sf);
    this.lowered.set(name, result);
    return result;
  }

  /** Annotated functions, in source order. */
  annotated(): SourceFunction[] {
    return [...this.functions.values()].filter((f) => f.annotations.differentiable);
  }
}

/** The last parse, kept by a cache so the next edit re-parses only what changed. */
export interface ParseState {
  text: string;
  sourceFile: ts.SourceFile;
}

/**
 * Parses `text`; with the previous parse, incrementally (TypeScript's incremental parser reuses
 * the unchanged nodes around the edited span, and invalidates the previous tree).
 */
export function parseSource(text: string, previous?: ParseState): ts.SourceFile {
  if (previous && previous.text !== text) {
    const old = previous.text;
    let start = 0;
    const max = Math.min(old.length, text.length);
    while (start < max && old.charCodeAt(start) === text.charCodeAt(start)) start++;
    let endOld = old.length;
    let endNew = text.length;
    while (endOld > start && endNew > start && old.charCodeAt(endOld - 1) === text.charCodeAt(endNew - 1)) { endOld--; endNew--; }
    return ts.updateSourceFile(previous.sourceFile, text, { span: { start, length: endOld - start }, newLength: endNew - start });
  }
  if (previous) return previous.sourceFile;
  return ts.createSourceFile('input.ts', text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
}

export function parseProgram(text: string, previous?: ParseState): Program {
  const sourceFile = parseSource(text, previous);
  const program = new Program(text, sourceFile);
  const parseErrors: number[] = ((sourceFile as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [])
    .map((d) => d.start ?? 0);

  const add = (name: ts.Identifier, node: FunctionNode, decl: ts.Node, statement: ts.FunctionDeclaration | ts.VariableStatement) => {
    const range: Range = { start: decl.getStart(sourceFile), end: decl.end };
    const { annotations, diagnostics } = readJsDoc(text, decl, name.text);
    const textStart = annotations.docRange?.start ?? range.start;
    const exported = !!ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    program.functions.set(name.text, {
      name: name.text, node, decl, statement, exported, nameNode: name, annotations, annotationDiagnostics: diagnostics,
      hasSyntaxError: parseErrors.some((p) => p >= range.start && p <= range.end),
      range, textStart, text: text.slice(textStart, decl.end),
    });
  };

  for (const stmt of sourceFile.statements) {
    if (ts.isFunctionDeclaration(stmt) && stmt.name && stmt.body) {
      add(stmt.name, stmt, stmt, stmt);
    } else if (ts.isVariableStatement(stmt)) {
      for (const d of stmt.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || !d.initializer) continue;
        const init = unwrapInitializer(d.initializer);
        if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) {
          // The JSDoc sits on the variable statement; with one declarator that is this function's.
          add(d.name, init, stmt.declarationList.declarations.length === 1 ? stmt : d, stmt);
        } else if ((stmt.declarationList.flags & ts.NodeFlags.Const) !== 0) {
          const v = constantValue(init, program.constants);
          if (v !== undefined) program.constants.set(d.name.text, v);
        }
      }
    }
  }
  return program;
}

/** The numeric value of a constant initializer (`3`, `-0.5`, `2 * Math.PI`, `N + 1`), if it is one. */
function constantValue(e: ts.Expression, known: Map<string, number>): number | undefined {
  if (ts.isNumericLiteral(e)) return Number(e.text);
  if (ts.isParenthesizedExpression(e)) return constantValue(e.expression, known);
  if (ts.isIdentifier(e)) return known.get(e.text);
  if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'Math') {
    return mathConstant(e.name.text)?.value;
  }
  if (ts.isPrefixUnaryExpression(e) && (e.operator === ts.SyntaxKind.MinusToken || e.operator === ts.SyntaxKind.PlusToken)) {
    const v = constantValue(e.operand, known);
    return v === undefined ? undefined : e.operator === ts.SyntaxKind.MinusToken ? -v : v;
  }
  if (ts.isBinaryExpression(e)) {
    const a = constantValue(e.left, known);
    const b = constantValue(e.right, known);
    if (a === undefined || b === undefined) return undefined;
    switch (e.operatorToken.kind) {
      case ts.SyntaxKind.PlusToken: return a + b;
      case ts.SyntaxKind.MinusToken: return a - b;
      case ts.SyntaxKind.AsteriskToken: return a * b;
      case ts.SyntaxKind.SlashToken: return a / b;
      case ts.SyntaxKind.AsteriskAsteriskToken: return a ** b;
      default: return undefined;
    }
  }
  return undefined;
}

/** The last `/** … *\/` comment before `decl`, parsed. */
function readJsDoc(text: string, decl: ts.Node, name: string): { annotations: Annotations; diagnostics: EngineDiagnostic[] } {
  const comments = ts.getLeadingCommentRanges(text, decl.getFullStart()) ?? [];
  for (let i = comments.length - 1; i >= 0; i--) {
    const c = comments[i];
    if (c.kind === ts.SyntaxKind.MultiLineCommentTrivia && text.startsWith('/**', c.pos)) {
      return parseAnnotations(text, c.pos, c.end, name);
    }
  }
  return { annotations: emptyAnnotations(), diagnostics: [] };
}

/** What `const f = …` holds under parentheses, `as` and `satisfies`: `((x) => x) satisfies F` is a function. */
export function unwrapInitializer(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

// ---- Where the functions are, as plain data -------------------------------------------------
// The code actions (server/codeEdits.ts) edit the functions this discovery finds, so a function
// the engine analyses is always one an action can locate.

export interface LocatedParam {
  name: string;
  /** The annotation as written (`number`, `readonly number[]`, `[number, number]`), or null. */
  typeText: string | null;
}

export interface FunctionLocation {
  name: string;
  /** `function f() {}`, `const f = (…) => …`, `const f = function (…) {…}`. */
  kind: 'declaration' | 'arrow' | 'expression';
  /** Start of the whole statement (at its `export`, if any), leading JSDoc excluded. */
  statementStart: number;
  /** End of the whole statement (after a `;` of a `const f = …;`). */
  statementEnd: number;
  nameStart: number;
  nameEnd: number;
  params: LocatedParam[];
  returnTypeText: string | null;
  /** The `{ … }` body; null for an expression-bodied arrow. */
  body: Range | null;
  /** The JSDoc block the engine reads its tags from (the last one before the declaration), or null. */
  jsDoc: Range | null;
  exported: boolean;
}

export function locationOf(f: SourceFunction, sourceFile: ts.SourceFile): FunctionLocation {
  const node = f.node;
  return {
    name: f.name,
    kind: ts.isFunctionDeclaration(node) ? 'declaration' : ts.isArrowFunction(node) ? 'arrow' : 'expression',
    statementStart: f.statement.getStart(sourceFile),
    statementEnd: f.statement.end,
    nameStart: f.nameNode.getStart(sourceFile),
    nameEnd: f.nameNode.end,
    params: node.parameters.map((p) => ({
      name: ts.isIdentifier(p.name) ? p.name.text : p.name.getText(sourceFile),
      typeText: p.type ? p.type.getText(sourceFile) : null,
    })),
    returnTypeText: node.type ? node.type.getText(sourceFile) : null,
    body: node.body && ts.isBlock(node.body) ? { start: node.body.getStart(sourceFile), end: node.body.end } : null,
    jsDoc: f.annotations.docRange ? { ...f.annotations.docRange } : null,
    exported: f.exported,
  };
}

/** The functions of the file the engine sees (the one the engine analyses, for a repeated name), in source order. */
export function locateFunctions(text: string): FunctionLocation[] {
  const program = parseProgram(text);
  return [...program.functions.values()].map((f) => locationOf(f, program.sourceFile))
    .sort((a, b) => a.statementStart - b.statementStart || a.nameStart - b.nameStart);
}

export function locateFunction(text: string, name: string): FunctionLocation | null {
  const program = parseProgram(text);
  const f = program.functions.get(name);
  return f ? locationOf(f, program.sourceFile) : null;
}

/** Every name declared at the top level of the file (functions, variables, classes, types, enums, imports). */
export function topLevelNames(text: string): Set<string> {
  const sf = parseSource(text);
  const names = new Set<string>();
  const bind = (n: ts.BindingName): void => {
    if (ts.isIdentifier(n)) { names.add(n.text); return; }
    for (const e of n.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
  };
  for (const stmt of sf.statements) {
    if ((ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt) || ts.isInterfaceDeclaration(stmt) ||
      ts.isTypeAliasDeclaration(stmt) || ts.isEnumDeclaration(stmt)) && stmt.name) {
      names.add(stmt.name.text);
    } else if (ts.isModuleDeclaration(stmt) && ts.isIdentifier(stmt.name)) {
      names.add(stmt.name.text);
    } else if (ts.isVariableStatement(stmt)) {
      for (const d of stmt.declarationList.declarations) bind(d.name);
    } else if (ts.isImportDeclaration(stmt) && stmt.importClause) {
      const c = stmt.importClause;
      if (c.name) names.add(c.name.text);
      const nb = c.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) names.add(nb.name.text);
      if (nb && ts.isNamedImports(nb)) for (const e of nb.elements) names.add(e.name.text);
    } else if (ts.isImportEqualsDeclaration(stmt)) {
      names.add(stmt.name.text);
    }
  }
  return names;
}
