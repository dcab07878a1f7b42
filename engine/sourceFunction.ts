// A function of a source file as the front end finds it, and what lowering reads of the program
// it belongs to. Its own module so that program.ts (which finds functions and calls the lowering)
// and lowerToIr.ts (which reads them) depend on it, not on each other.

import type ts from 'typescript';
import type { EngineDiagnostic } from './api';
import type { Annotations, IrFunction, Range, RecordLayout } from './ir';
import type { ImportedRef } from './modules';
import { shiftedRanges } from './ranges';

export type FunctionNode = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration | ts.GetAccessorDeclaration;

/**
 * Where a function is declared (engine/declarationForms.ts finds each):
 * - `top`: `function f…`, `const f = (…) => …` at the top level of the file;
 * - `member`: a method or function-valued property of an object literal (`activations.logistic.fn`,
 *   `module.exports = { f: … }` as `exports.f`);
 * - `method`: a method, getter or arrow-valued field of a class (`Model.loss`, static or not);
 * - `assigned`: a function assigned to a property (`exports.f = …`, `Foo.prototype.f = …` as `Foo.f`);
 * - `nested`: a function declared inside another one (`makeLoss.loss`), or a member of an object
 *   literal it returns (`Logistic.value`, with a `container`);
 * - `callback`: a function passed to a call at the top level of the file, named by its own name or
 *   the call's string key (`register('smooth', function (t) {…})` is `smooth`; issue 13).
 */
export type DeclarationForm = 'top' | 'member' | 'method' | 'assigned' | 'nested' | 'callback';

export interface SourceFunction {
  /** Its qualified name, unique in the file: `f`, `activations.logistic.fn`, `Model.loss`, `exports.f`, `makeLoss.loss`. */
  name: string;
  /** The name it is declared under (`fn`, `loss`, `f`). */
  shortName: string;
  form: DeclarationForm;
  node: FunctionNode;
  /** The declaration whose JSDoc is the function's (the statement, the member, the assignment). */
  decl: ts.Node;
  /** The top-level statement it is in. */
  statement: ts.Statement;
  /** The statement carries `export` (or it is a CommonJS export). */
  exported: boolean;
  /** Its name in the source (for an anonymous function returned by a factory, its `=>` or parameter list). */
  nameNode: ts.Node;
  /** The object whose members are its siblings (`activations.logistic`, `Model`, `exports`). */
  container?: string;
  /** The qualified name of the object its `this` is (methods and function expressions, not arrows). */
  thisObject?: string;
  /** A class method declared `static`, or a function assigned to an object itself (`Foo.f = …`, not `Foo.prototype.f = …`). */
  isStatic?: boolean;
  /** The qualified name of the function it is nested in (`nested`). */
  enclosing?: string;
  /**
   * The node whose members or locals share `this` fields or captured values with it (a class, an
   * object literal, the enclosing function, the body of the constructor function `Foo` of a
   * `Foo.prototype.f`): implicit inputs are decided per context.
   */
  context?: ts.Node;
  /** Its tags come from the JSDoc of the table it is a member of (a `@differentiable` on the object). */
  inheritedDoc?: boolean;
  /**
   * Its tags, and their diagnostics, with ranges where its statement's discovery found them: they
   * are `tagShift` behind where they are now (annotationsOf, annotationDiagnosticsOf). Moving a
   * function copies nothing (typing moves every function after the edit) and keeps what is
   * memoised per tags object (the resolution of their names) valid.
   */
  tags: Annotations;
  tagDiagnostics: EngineDiagnostic[];
  tagShift: number;
  /** The parser reported an error inside this function: it is mid-edit, leave it alone. */
  hasSyntaxError: boolean;
  /** Part of it was nested too deeply to parse (blanked out before parsing; see analyzeFile). */
  deepNesting?: boolean;
  range: Range;
  /** Where the function's text starts: its JSDoc if it has one, else the declaration. */
  textStart: number;
  /** Source text of the declaration (JSDoc included, other comments before it not), the cache key. */
  text: string;
  /**
   * Which discovery it comes from (engine/declarationForms.ts): functions of a statement the
   * incremental parser reused keep theirs, so an unchanged version means an unchanged node and text.
   */
  version: number;
  /** The function as its statement's discovery found it (ranges of that time): this one is it, moved (engine/declarationForms.ts). */
  origin?: SourceFunction;
}

export interface Lowered {
  fn: IrFunction;
  diagnostics: EngineDiagnostic[];
}

/**
 * A value a function reads that is no parameter of it: a variable of the function it is nested in
 * (`data` of `makeLoss(data)`), or a field of its object (`this.k`). It becomes a parameter of
 * the IR function after the declared ones, held constant unless `@wrt` names it, given in `@at`.
 */
export interface ImplicitInput {
  /** `data`, `this.k`: the name in `@at`, `@wrt`, points and gradients. */
  name: string;
  kind: 'captured' | 'this';
  type: 'num' | 'arr';
  depth: number;
  typeText: string;
  /** A record (`target: { x: number; y: number }` captured from the factory): its layout (issue 13). */
  record?: RecordLayout;
  /** Its value when written as a literal (`k = 2`, `this.k = 2` in the constructor, `const c = 2`). */
  defaultValue?: number;
}

/** A captured `const` and the captured names its initialiser reads. */
export interface DerivedCapture {
  init: ts.Expression;
  reads: string[];
}

/** The implicit inputs of a context, and the defaulted ones held at their literal value (not inputs). */
export interface ContextInputs {
  inputs: ImplicitInput[];
  constants: ReadonlyMap<string, number>;
  /** Reads the engine cannot give a value (`this.f` of a non-numeric field): name → why. */
  unsupported: ReadonlyMap<string, string>;
  /**
   * Captured `const`s computed from other inputs (`const n = D.length` of `makeStress(D)`): not
   * inputs of their own (a point could not give them consistently); a read lowers `init` (lower/calls.ts).
   */
  derived?: ReadonlyMap<string, DerivedCapture>;
  /** A text that changes when anything the inputs depend on changes (the cache key). */
  environment: string;
}

/** What lowering reads of a program: its syntax tree, its functions and its module constants. */
export interface ProgramView {
  readonly sourceFile: ts.SourceFile;
  readonly functions: ReadonlyMap<string, SourceFunction>;
  readonly constants: ReadonlyMap<string, number>;
  /** The function a call's callee names, seen from `caller` (nested scopes, `this.m`, `a.b.f`, `exports.f`). */
  resolveCallee(caller: SourceFunction, callee: ts.Expression): SourceFunction | undefined;
  /** The implicit inputs of `sf`'s context. */
  contextInputs(sf: SourceFunction): ContextInputs;
  /** A name (`f`, `M.f`, `K`) the file imports from another module of the workspace (engine/modules.ts); undefined when it imports none. */
  resolveImport?(ref: ts.Expression): ImportedRef | undefined;
}

/** Per tags object, its copy moved as far as it was last read (typing reads it again at one distance). */
const movedTagsMemo = new WeakMap<object, { shift: number; moved: unknown }>();

function movedBy<T extends object>(found: T, shift: number): T {
  if (shift === 0) return found;
  const known = movedTagsMemo.get(found);
  if (known?.shift === shift) return known.moved as T;
  // Check points (`at`) are user data, never ranges.
  const moved = shiftedRanges(found, [{ start: -Infinity, end: Infinity, delta: shift }], (key) => key === 'at');
  movedTagsMemo.set(found, { shift, moved });
  return moved;
}

/** A function's tags with their ranges where they are now: made only where ranges are read (a copy per distance moved). */
export function annotationsOf(sf: SourceFunction): Annotations {
  return movedBy(sf.tags, sf.tagShift);
}

/** The diagnostics of a function's tags, where they are now. */
export function annotationDiagnosticsOf(sf: SourceFunction): EngineDiagnostic[] {
  return sf.tagDiagnostics.length === 0 ? sf.tagDiagnostics : movedBy(sf.tagDiagnostics, sf.tagShift);
}

/** One range of a function's tags (its `docRange`, a tag's), where it is now. */
export function tagRangeOf(sf: SourceFunction, found: Range): Range;
export function tagRangeOf(sf: SourceFunction, found: Range | null): Range | null;
export function tagRangeOf(sf: SourceFunction, found: Range | null): Range | null {
  return found && sf.tagShift !== 0 ? { start: found.start + sf.tagShift, end: found.end + sf.tagShift } : found;
}
