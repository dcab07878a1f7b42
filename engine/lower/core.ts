// The lowerer's core: its state (variables, scopes, what it has found), declaring and looking up
// variables, the GL002 diagnostics and the abort that goes with them, and the budget on the size
// and nesting of expressions (GL007), which every expression goes through (`expr`). The lowering
// itself is layered on it, one class per concern, each extending the one before:
// expressions.ts → calls.ts → assignments.ts → statements.ts → typed.ts → lowerToIr.ts (`Lowerer`,
// the whole function).

import ts = require('typescript');
import type { EngineDiagnostic, RelatedInfo, UncomputedCall } from '../api';
import type { Expr, IrParam, IrVar, RecordLayout, Range, Stmt, ValueType } from '../ir';
import type { ProgramView, SourceFunction } from '../sourceFunction';

export const SUPPORTED =
  'Supported: numbers, number arrays, arithmetic, Math.*, if/else, ?:, for, for…of, while, break/continue/return, and calls to functions of this file.';

export interface Typed {
  e: Expr;
  t: ValueType;
  /** Array nesting depth (0 for numbers and booleans). */
  d: number;
  /** Records (lower/types.ts): the innermost arrays are records of this layout. */
  rec?: RecordLayout;
  /** A string, held constant as its `stringId` (lower/types.ts). */
  str?: boolean;
}

/** Aborts lowering of the enclosing statement (after a diagnostic). */
export class Unsupported extends Error {}
/** The function is over the lowering budget: abandoned whole (no statement-level recovery). */
export class LoweringBudget extends Error {}

export const MAX_EXPR_DEPTH = 1000;
const MAX_EXPR_NODES = 200_000;

export function typeName(t: ValueType): string {
  return t === 'num' ? 'number' : t === 'arr' ? 'array' : 'boolean';
}

export abstract class LowererCore {
  protected readonly sfile: ts.SourceFile;
  protected readonly vars: IrVar[] = [];
  protected readonly scopes: Map<string, number>[] = [];
  protected readonly diagnostics: EngineDiagnostic[] = [];
  protected readonly calls = new Set<string>();
  /**
   * Locals declared without a value (`let s: number;`): undefined in JavaScript until assigned,
   * NaN here, which is the same for arithmetic and truthiness but not for `??`.
   */
  protected readonly maybeUndefined = new Set<number>();
  /** Locals declared `const`: assigning to one is a TypeError in JavaScript. */
  protected readonly constLocals = new Set<number>();
  protected loopDepth = 0;
  protected returnTypes: { t: ValueType; d: number }[] = [];
  /** The first parameter of `a.map((v, i) => …)`: stands for `a[i]`, substituted (calls.ts). */
  protected readonly aliases = new Map<number, Expr>();
  /**
   * Parameters given a default by the body (`if (s === undefined) s = 1.70158;` before any other
   * use, lower/statements.ts `bodyDefault`): they hold it when missing, so a test for `undefined`
   * on them is false at every point.
   */
  readonly undefinedDefaults = new Set<number>();
  /** The first parameter of `Array.from({ length: n }, (v, i) => …)`: undefined, never read. */
  protected readonly undefinedParams = new Set<number>();

  constructor(protected readonly program: ProgramView, protected readonly sf: SourceFunction) {
    this.sfile = program.sourceFile;
  }

  // ---- variables and scopes -------------------------------------------------------------------

  protected declare(name: string, type: ValueType, depth: number, kind: 'param' | 'local', range: Range): number {
    const id = this.vars.length;
    this.vars.push({ id, name, type, depth, kind, range, reassigned: false });
    this.scopes[this.scopes.length - 1].set(name, id);
    return id;
  }

  protected hidden(prefix: string, type: ValueType, depth: number, range: Range): number {
    const id = this.vars.length;
    this.vars.push({ id, name: `$${prefix}${id}`, type, depth, kind: 'local', range, reassigned: true });
    return id;
  }

  protected lookup(name: string): number | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const v = this.scopes[i].get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** The variables of the implicit inputs (captured values, `this` fields), by name (`data`, `this.k`). */
  protected readonly implicitVars = new Map<string, number>();

  /**
   * The function's implicit inputs (engine/declarationForms.ts) as parameters after the declared
   * ones: a captured `data` is in scope under its name (a local of the same name shadows it);
   * `this.k` is read by lower/calls.ts.
   */
  protected implicitParams(): IrParam[] {
    const range = this.range(this.sf.nameNode);
    return this.program.contextInputs(this.sf).inputs.map((inp) => {
      // A declared parameter of the same name (an input another function of the context reads,
      // or one a captured `const` is computed from) keeps its name here.
      const own = this.scopes[this.scopes.length - 1].get(inp.name);
      const v = this.declare(inp.name, inp.type, inp.depth, 'param', range);
      if (own !== undefined) this.scopes[this.scopes.length - 1].set(inp.name, own);
      this.implicitVars.set(inp.name, v);
      return {
        name: inp.name, v, type: inp.type, depth: inp.depth, typeText: inp.typeText, range, implicit: inp.kind,
        ...(inp.record ? { record: inp.record } : {}),
        ...(inp.defaultValue !== undefined ? { defaultValue: inp.defaultValue } : {}),
      };
    });
  }

  // ---- statements an expression needs before it -------------------------------------------------

  /**
   * Where the statements an expression needs before it go (an assignment inside it, `(t /= d)`, a
   * mapping function with a block body), in evaluation order: the list of the statement being
   * lowered. Null where they could not go before it exactly (a branch that may not run, a loop's
   * test, a mapping function's body); `hoistBlocked` then says where that is, for the message.
   */
  protected hoistInto: Stmt[] | null = null;
  protected hoistBlocked = "an arrow function's expression body (or elsewhere outside a statement)";
  /**
   * The variables the statement being lowered has read so far, in evaluation order: an assignment
   * hoisted before the statement must not follow a read of its target, which would see the new value.
   */
  protected readonly readsSoFar = new Set<number>();

  /**
   * Inside a callback lowered as a loop (lower/calls.ts `callbackLoop`): the variables the statement
   * around it read before it. The loop runs before the rest of that statement, so writing one of
   * them would change what those reads saw: a GL002. Other writes mean what JavaScript means.
   */
  protected readBeforeCallback: Set<number> | null = null;

  /** Reports a write to `v` from inside a callback where the statement around it read `v` before. */
  protected checkOuterWrite(v: number, n: ts.Node): void {
    if (this.readBeforeCallback?.has(v)) {
      this.unsupported(n, `A write to '${this.vars[v].name}' inside a callback, in a statement that reads '${this.vars[v].name}' before the call`, 'Call it in a statement of its own, before the read.');
    }
  }

  /** `f` with the statements its expressions need going to `into` (null: none may be hoisted, because `why`). */
  protected hoisting<T>(into: Stmt[] | null, f: () => T, why = 'this expression'): T {
    const saved = this.hoistInto;
    const savedWhy = this.hoistBlocked;
    this.hoistInto = into;
    this.hoistBlocked = why;
    try { return f(); } finally { this.hoistInto = saved; this.hoistBlocked = savedWhy; }
  }

  protected scoped<T>(f: () => T): T {
    this.scopes.push(new Map());
    try { return f(); } finally { this.scopes.pop(); }
  }

  /**
   * `f` in a scope that sees none of the function's variables: for another declaration's code
   * lowered into this function (a record class's constructor: its defaults and field values see
   * its parameters and the module's names, never the caller's locals).
   */
  protected isolated<T>(f: () => T): T {
    const saved = this.scopes.splice(0, this.scopes.length, new Map());
    try { return f(); } finally { this.scopes.splice(0, this.scopes.length, ...saved); }
  }

  // ---- diagnostics ------------------------------------------------------------------------------

  protected range(n: ts.Node): Range {
    return { start: n.getStart(this.sfile), end: n.end };
  }

  protected report(n: ts.Node, what: string, hint: string, uncomputedCall?: UncomputedCall, related?: RelatedInfo[]) {
    this.diagnostics.push({
      code: 'GL002', severity: 'warning', range: this.range(n), functionName: this.sf.name,
      message: `${what} is outside Gradlens's differentiable subset. ${hint}`,
      ...(uncomputedCall ? { uncomputedCall } : {}),
      ...(related ? { related } : {}),
    });
  }

  /** Reports and aborts lowering of the enclosing statement. */
  protected unsupported(n: ts.Node, what: string, hint = SUPPORTED, uncomputedCall?: UncomputedCall): never {
    this.report(n, what, hint, uncomputedCall);
    throw new Unsupported();
  }

  // ---- the expression budget ---------------------------------------------------------------------

  /** Expression nesting and size are budgeted: every later phase recurses over the IR. */
  protected exprDepth = 0;
  protected exprNodes = 0;

  protected expr(e: ts.Expression): Typed {
    if (++this.exprNodes > MAX_EXPR_NODES || this.exprDepth >= MAX_EXPR_DEPTH) {
      const nodes = this.exprNodes > MAX_EXPR_NODES;
      this.exprNodes = Number.NEGATIVE_INFINITY; // one diagnostic, then the function is abandoned
      this.diagnostics.push({ code: 'GL007', severity: 'warning', range: this.range(e), functionName: this.sf.name,
        message: nodes
          ? `'${this.sf.name}' is larger than the lowering budget (${MAX_EXPR_NODES.toLocaleString('en-US')} expression nodes); it is not analysed.`
          : `This expression is nested more than ${MAX_EXPR_DEPTH} levels deep (the lowering budget); '${this.sf.name}' is not analysed.` });
      throw new LoweringBudget();
    }
    this.exprDepth++;
    try {
      return this.exprNode(e);
    } finally {
      this.exprDepth--;
    }
  }

  protected tryExpr(e: ts.Expression): Typed | undefined {
    try { return this.expr(e); } catch (err) { if (err instanceof Unsupported) return undefined; throw err; }
  }

  /** One expression, under the budget (expressions.ts). */
  protected abstract exprNode(e: ts.Expression): Typed;
}
