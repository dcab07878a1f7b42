// A function of a source file as the front end finds it, and what lowering reads of the program
// it belongs to. Its own module so that program.ts (which finds functions and calls the lowering)
// and lowerToIr.ts (which reads them) depend on it, not on each other.

import type ts from 'typescript';
import type { EngineDiagnostic } from './api';
import type { Annotations, IrFunction, Range } from './ir';

export type FunctionNode = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression;

export interface SourceFunction {
  name: string;
  node: FunctionNode;
  /** The statement that declares it (for its range and its JSDoc). */
  decl: ts.Node;
  /** The top-level statement it is in (the function declaration, or the `const`/`let`/`var` statement). */
  statement: ts.FunctionDeclaration | ts.VariableStatement;
  /** The statement carries `export`. */
  exported: boolean;
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

/** What lowering reads of a program: its syntax tree, its functions and its module constants. */
export interface ProgramView {
  readonly sourceFile: ts.SourceFile;
  readonly functions: ReadonlyMap<string, SourceFunction>;
  readonly constants: ReadonlyMap<string, number>;
}
