// The intermediate representation every mode works on.
//
// Structured control flow (no gotos), variables resolved to numeric ids (so shadowing is gone),
// and every node keeps the source range it came from, so diagnostics, the graph view and the
// comments in generated code can point back at the user's text.

import type { ArithOp, MathFn } from './ops';

/** Half-open range of UTF-16 offsets into the source text. */
export interface Range {
  start: number;
  end: number;
}

export type ValueType = 'num' | 'arr' | 'bool';

// The operations (their names, arities and everything else about them) are declared in ops.ts.
export type { ArithOp, MathFn } from './ops';
export { BINARY_MATH_FNS, MATH_FNS } from './ops';

export type CompareOp = '<' | '<=' | '>' | '>=' | '===' | '!==';

export type Expr =
  | { k: 'const'; value: number; range: Range }
  | { k: 'bool'; value: boolean; range: Range }
  | { k: 'var'; id: number; range: Range }
  | { k: 'neg'; x: Expr; range: Range }
  | { k: 'binary'; op: ArithOp; a: Expr; b: Expr; range: Range }
  | { k: 'math'; fn: MathFn; args: Expr[]; range: Range }
  | { k: 'compare'; op: CompareOp; a: Expr; b: Expr; range: Range }
  | { k: 'logical'; op: '&&' | '||'; a: Expr; b: Expr; range: Range }
  | { k: 'not'; x: Expr; range: Range }
  | { k: 'cond'; test: Expr; then: Expr; else: Expr; range: Range }
  /** `array[index]`; `array` is any array-valued expression. */
  | { k: 'index'; array: Expr; index: Expr; range: Range }
  | { k: 'length'; array: Expr; range: Range }
  | { k: 'arrayLit'; elements: Expr[]; range: Range }
  /** `new Array(n).fill(v)`, `new Float64Array(n)` (fill 0), `Array.from({length: n}, () => v)`. */
  | { k: 'arrayFill'; length: Expr; fill: Expr; range: Range }
  /** `Array.from({length: n}, (_, i) => body)`, `arr.map((v, i) => body)` lowered with an index var. */
  | { k: 'arrayFrom'; length: Expr; indexVar: number; body: Expr; range: Range }
  /** A call to another function of the file (a helper), by name. */
  | { k: 'call'; fn: string; args: Expr[]; range: Range };

export type Stmt =
  /** Declaration (`const`/`let`) of variable `v`. */
  | { k: 'let'; v: number; init: Expr; range: Range }
  /** `v = value` (compound assignments and `++`/`--` are lowered to this). */
  | { k: 'assign'; v: number; value: Expr; range: Range }
  /** `array[index] = value` where `array` is a variable holding an array. */
  | { k: 'store'; array: number; index: Expr; value: Expr; range: Range }
  | { k: 'push'; array: number; value: Expr; range: Range }
  | { k: 'if'; test: Expr; then: Stmt[]; else: Stmt[]; range: Range }
  /**
   * `while (test) { body; update }`. `for (init; test; update)` lowers to `init` statements
   * followed by this loop; `continue` jumps to `update`. `test === null` means `true`.
   * `for…of` lowers to an index loop over a hidden variable.
   */
  | { k: 'loop'; test: Expr | null; body: Stmt[]; update: Stmt[]; range: Range }
  | { k: 'break'; range: Range }
  | { k: 'continue'; range: Range }
  /**
   * `return value`. A hand-written gradient may return an object `{ x: dfdx, w: dfdw }`: it
   * lowers to an array literal of the values with their `keys`.
   */
  | { k: 'return'; value: Expr; keys?: string[]; range: Range };

export interface IrVar {
  id: number;
  /** Name in the source; hidden variables introduced by lowering start with `$`. */
  name: string;
  type: ValueType;
  kind: 'param' | 'local';
  /** Nesting depth for arrays (1 for number[], 2 for number[][]); 0 for numbers and booleans. */
  depth: number;
  /** Declaration range (the identifier). */
  range: Range;
  /** True when the variable is assigned after its declaration (a `let` that changes). */
  reassigned: boolean;
}

/** One leaf of a record type, by its path (`x`, `pos.x`) and kind. */
export interface RecordField {
  path: string;
  kind: 'num' | 'bool' | 'str';
}

/**
 * A record type (`interface Vec2 { x: number; y: number }`, `{ x: number; y: number }`), lowered
 * by flattening: a record value is an array of its leaves, sorted by path, so one record type has
 * one layout however its fields are written (lower/types.ts).
 */
export interface RecordLayout {
  fields: RecordField[];
  /** The type's name when it has one (`Vec2`), for messages and generated code. */
  name: string | null;
}

export interface IrParam {
  name: string;
  /** Variable id of the parameter inside the body. */
  v: number;
  type: 'num' | 'arr';
  /** Nesting depth for arrays (1 for number[], 2 for number[][]); 0 for numbers. */
  depth: number;
  /** Declared TypeScript type text (`number`, `number[]`, `Float64Array`, `[number, number]`). */
  typeText: string;
  /** Fixed length of a tuple type, when declared as one. */
  tupleLength?: number;
  /** The innermost arrays are records of this layout (`p: Vec2`, `ps: Vec2[]`). */
  record?: RecordLayout;
  /**
   * Held constant, never differentiated: a boolean, a string (its value is `stringId(s)`), an
   * enum, or a record with such fields (an options object). Given in `@at`.
   */
  constant?: 'bool' | 'str' | 'enum' | 'options';
  /** The value a check point without this parameter gives it (a default parameter). */
  defaultValue?: number | boolean | string | number[];
  /** String literals of the function, the values a string parameter is drawn from. */
  choices?: string[];
  /**
   * Not a declared parameter: a value the function reads from the function around it (`data`) or
   * from its object (`this.k`), held constant unless `@wrt` names it (engine/declarationForms.ts).
   */
  implicit?: 'captured' | 'this';
  range: Range;
}

/** A check point: a value for every parameter, as written in `@at` or drawn at random. */
export type Point = Record<string, number | number[]>;

export interface Annotations {
  differentiable: boolean;
  nondifferentiable: boolean;
  /** `@wrt` parameter names, in order; null when absent (then every differentiable param). */
  wrt: string[] | null;
  /** Parsed `@at` points, and the range of the tag each came from. */
  at: Point[];
  atRanges: Range[];
  /** Name given by `@gradient`. */
  gradient: string | null;
  gradientRange: Range | null;
  /** Name given by `@derivative`. */
  derivative: string | null;
  derivativeRange: Range | null;
  /** Range of the whole JSDoc block, if any. */
  docRange: Range | null;
  /** Ranges of each tag (by tag name, every occurrence), for diagnostics and edits. */
  tagRanges: { tag: string; range: Range; textRange: Range }[];
}

export interface IrFunction {
  name: string;
  params: IrParam[];
  /** All variables, indexed by id (params first). */
  vars: IrVar[];
  body: Stmt[];
  returnType: 'num' | 'arr';
  /** Declared return type text, if any. */
  returnTypeText: string | null;
  /** The function returns a record: its outputs are these fields (its Jacobian is keyed by them). */
  returnRecord?: RecordLayout;
  /** Range of the whole declaration (including `export`, excluding the JSDoc). */
  range: Range;
  nameRange: Range;
  /** Range of the function body (the block, or the arrow's expression). */
  bodyRange: Range;
  annotations: Annotations;
  /** The exact source text of the function, for caching. */
  text: string;
  /** Names of helpers this function calls directly. */
  calls: string[];
  /** False when lowering hit something outside the subset; the body is then partial. */
  ok: boolean;
}
