// Finds the functions of a source file and their JSDoc annotations, and lowers them to IR on
// demand (a helper is lowered the first time an annotated function calls it).

import ts from 'typescript';
import { EngineDiagnostic } from './api';
import { emptyAnnotations, parseAnnotations } from './annotations';
import { Annotations, IrFunction, Range } from './ir';
import { lowerFunction } from './lowerToIr';

export type FunctionNode = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression;

export interface SourceFunction {
  name: string;
  node: FunctionNode;
  /** The statement that declares it (for its range and its JSDoc). */
  decl: ts.Node;
  nameNode: ts.Identifier;
  annotations: Annotations;
  annotationDiagnostics: EngineDiagnostic[];
  /** The parser reported an error inside this function: it is mid-edit, leave it alone. */
  hasSyntaxError: boolean;
  /** Part of it was nested too deeply to parse (blanked out before parsing; see analyzeFile). */
  deepNesting?: boolean;
  range: Range;
  /** Where the function's text starts: its JSDoc if it has one, else the declaration. */
  textStart: number;
  /** Source text of the declaration (JSDoc included, other comments before it not), the cache key. */
  text: string;
}

export interface Lowered {
  fn: IrFunction;
  diagnostics: EngineDiagnostic[];
}

export class Program {
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

  const add = (name: ts.Identifier, node: FunctionNode, decl: ts.Node) => {
    const range: Range = { start: decl.getStart(sourceFile), end: decl.end };
    const { annotations, diagnostics } = readJsDoc(text, decl, name.text);
    const textStart = annotations.docRange?.start ?? range.start;
    program.functions.set(name.text, {
      name: name.text, node, decl, nameNode: name, annotations, annotationDiagnostics: diagnostics,
      hasSyntaxError: parseErrors.some((p) => p >= range.start && p <= range.end),
      range, textStart, text: text.slice(textStart, decl.end),
    });
  };

  for (const stmt of sourceFile.statements) {
    if (ts.isFunctionDeclaration(stmt) && stmt.name && stmt.body) {
      add(stmt.name, stmt, stmt);
    } else if (ts.isVariableStatement(stmt)) {
      for (const d of stmt.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || !d.initializer) continue;
        let init: ts.Expression = d.initializer;
        while (ts.isParenthesizedExpression(init) || ts.isAsExpression(init) || ts.isSatisfiesExpression(init)) init = init.expression;
        if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) {
          // The JSDoc sits on the variable statement; with one declarator that is this function's.
          add(d.name, init, stmt.declarationList.declarations.length === 1 ? stmt : d);
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
    if (e.name.text === 'PI') return Math.PI;
    if (e.name.text === 'E') return Math.E;
    if (e.name.text === 'LN2') return Math.LN2;
    if (e.name.text === 'LN10') return Math.LN10;
    if (e.name.text === 'SQRT2') return Math.SQRT2;
    return undefined;
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
