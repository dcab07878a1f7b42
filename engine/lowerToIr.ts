// Lowers one TypeScript function to the IR (ir.ts).
//
// Whatever is outside the differentiable subset (SPEC §2) becomes a GL002 diagnostic on the exact
// construct, naming it and what is supported, and lowering goes on past it so one bad line does
// not hide the rest of the function's problems.

import ts from 'typescript';
import { EngineDiagnostic } from './api';
import {
  ArithOp, BINARY_MATH_FNS, CompareOp, Expr, IrFunction, IrParam, IrVar, MATH_FNS, MathFn, Range, Stmt, ValueType,
} from './ir';
import { substitute } from './irWalk';
import { mathConstant } from './mathConstants';
import type { Lowered, ProgramView, SourceFunction } from './sourceFunction';

const SUPPORTED =
  'Supported: numbers, number arrays, arithmetic, Math.*, if/else, ?:, for, for…of, while, break/continue/return, and calls to functions of this file.';

interface Typed {
  e: Expr;
  t: ValueType;
  /** Array nesting depth (0 for numbers and booleans). */
  d: number;
}

class Unsupported extends Error {}
/** The function is over the lowering budget: abandoned whole (no statement-level recovery). */
class LoweringBudget extends Error {}

const MAX_EXPR_DEPTH = 1000;
const MAX_EXPR_NODES = 200_000;

export function lowerFunction(program: ProgramView, sf: SourceFunction): Lowered {
  return new Lowerer(program, sf).run();
}

class Lowerer {
  private readonly sfile: ts.SourceFile;
  private readonly vars: IrVar[] = [];
  private readonly scopes: Map<string, number>[] = [];
  private readonly diagnostics: EngineDiagnostic[] = [];
  private readonly calls = new Set<string>();
  /**
   * Locals declared without a value (`let s: number;`): undefined in JavaScript until assigned,
   * NaN here, which is the same for arithmetic and truthiness but not for `??`.
   */
  private readonly maybeUndefined = new Set<number>();
  /** Locals declared `const`: assigning to one is a TypeError in JavaScript. */
  private readonly constLocals = new Set<number>();
  private loopDepth = 0;
  private returnTypes: { t: ValueType; d: number }[] = [];

  constructor(private readonly program: ProgramView, private readonly sf: SourceFunction) {
    this.sfile = program.sourceFile;
  }

  run(): Lowered {
    const { sf } = this;
    const node = sf.node;
    this.scopes.push(new Map());
    const params: IrParam[] = [];
    for (const p of node.parameters) {
      const range = this.range(p);
      if (!ts.isIdentifier(p.name)) { this.report(p, 'A destructured parameter', 'Give the parameter a name.'); continue; }
      if (p.dotDotDotToken) { this.report(p, 'A rest parameter', 'Pass an array instead.'); continue; }
      const ty = paramType(p.type, this.sfile);
      if (!ty) {
        this.report(p.type ?? p, `A parameter of type '${p.type?.getText(this.sfile)}'`,
          'Parameters are number, number[], readonly number[], Float64Array, tuples of numbers, or arrays of those.');
        continue;
      }
      const v = this.declare(p.name.text, ty.type, ty.depth, 'param', this.range(p.name));
      params.push({ name: p.name.text, v, type: ty.type, depth: ty.depth, typeText: p.type ? p.type.getText(this.sfile) : 'number', tupleLength: ty.tupleLength, range });
    }

    // An async function returns a Promise and a generator an iterator, never the number its body
    // computes: analysing the body as if it were the function would misstate both.
    const asyncModifier = ts.getModifiers(node)?.find((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
    if (asyncModifier) this.report(asyncModifier, 'An `async` function (it returns a Promise, not a number)', 'Remove `async`: a differentiable function computes its value synchronously.');
    if (node.asteriskToken) this.report(node.asteriskToken, 'A generator function (`function*` returns an iterator, not a number)', 'Remove the `*` and return the value.');

    let body: Stmt[] = [];
    const bodyNode = node.body!;
    try {
      if (ts.isBlock(bodyNode)) {
        // Directives ('use strict') do not change what numbers compute.
        let first = 0;
        while (first < bodyNode.statements.length && isDirective(bodyNode.statements[first])) first++;
        body = this.block(bodyNode.statements.slice(first));
      } else {
        const e = this.tryExpr(bodyNode);
        if (e) {
          this.returnTypes.push({ t: e.t, d: e.d });
          body = [{ k: 'return', value: e.e, range: this.range(bodyNode) }];
        }
      }
    } catch (e) {
      if (!(e instanceof LoweringBudget)) throw e;
      body = [];
    }

    const declared = node.type ? paramType(node.type, this.sfile) : undefined;
    let returnType: 'num' | 'arr' = 'num';
    if (declared) returnType = declared.type;
    else if (this.returnTypes.length > 0 && this.returnTypes.every((r) => r.t === 'arr')) returnType = 'arr';
    if (node.type && !declared) {
      this.report(node.type, `A return type of '${node.type.getText(this.sfile)}'`, 'A differentiable function returns a number, or a number[] or tuple (then its derivative is a Jacobian).');
    }
    for (const r of this.returnTypes) {
      if (r.t === 'bool') { this.report(node.type ?? sf.nameNode, 'A function returning a boolean', 'Return a number.'); break; }
    }
    if (ts.isBlock(bodyNode) && !endsInReturn(body) && this.diagnostics.length === 0) {
      this.report(sf.nameNode, 'A function that can end without returning a value', 'Every path must end in `return <number>`.');
    }

    const fn: IrFunction = {
      name: sf.name,
      params,
      vars: this.vars,
      body,
      returnType,
      returnTypeText: node.type ? node.type.getText(this.sfile) : null,
      range: sf.range,
      nameRange: this.range(sf.nameNode),
      bodyRange: this.range(bodyNode),
      annotations: sf.annotations,
      text: sf.text,
      calls: [...this.calls],
      ok: this.diagnostics.length === 0,
    };
    return { fn, diagnostics: this.diagnostics };
  }

  // ---- variables and scopes -------------------------------------------------------------------

  private declare(name: string, type: ValueType, depth: number, kind: 'param' | 'local', range: Range): number {
    const id = this.vars.length;
    this.vars.push({ id, name, type, depth, kind, range, reassigned: false });
    this.scopes[this.scopes.length - 1].set(name, id);
    return id;
  }

  private hidden(prefix: string, type: ValueType, depth: number, range: Range): number {
    const id = this.vars.length;
    this.vars.push({ id, name: `$${prefix}${id}`, type, depth, kind: 'local', range, reassigned: true });
    return id;
  }

  private lookup(name: string): number | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const v = this.scopes[i].get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  private scoped<T>(f: () => T): T {
    this.scopes.push(new Map());
    try { return f(); } finally { this.scopes.pop(); }
  }

  // ---- diagnostics ------------------------------------------------------------------------------

  private range(n: ts.Node): Range {
    return { start: n.getStart(this.sfile), end: n.end };
  }

  private report(n: ts.Node, what: string, hint: string) {
    this.diagnostics.push({
      code: 'GL002', severity: 'warning', range: this.range(n), functionName: this.sf.name,
      message: `${what} is outside Gradlens's differentiable subset. ${hint}`,
    });
  }

  /** Reports and aborts lowering of the enclosing statement. */
  private unsupported(n: ts.Node, what: string, hint = SUPPORTED): never {
    this.report(n, what, hint);
    throw new Unsupported();
  }

  // ---- statements -------------------------------------------------------------------------------

  private block(stmts: readonly ts.Statement[]): Stmt[] {
    if (this.exprDepth >= MAX_EXPR_DEPTH && stmts.length > 0) this.expr(stmts[0] as unknown as ts.Expression); // reports the depth, throws
    this.exprDepth++;
    try {
      return this.blockInner(stmts);
    } finally {
      this.exprDepth--;
    }
  }

  private blockInner(stmts: readonly ts.Statement[]): Stmt[] {
    return this.scoped(() => {
      const out: Stmt[] = [];
      for (const s of stmts) {
        try { this.stmt(s, out); } catch (e) { if (!(e instanceof Unsupported)) throw e; }
      }
      return out;
    });
  }

  private body(s: ts.Statement): Stmt[] {
    return ts.isBlock(s) ? this.block(s.statements) : this.block([s]);
  }

  private stmt(s: ts.Statement, out: Stmt[]): void {
    const range = this.range(s);
    if (ts.isVariableStatement(s)) {
      const modifier = ts.getModifiers(s)?.[0];
      if (modifier) this.unsupported(modifier, `\`${modifier.getText(this.sfile)}\` on a declaration inside a function`, 'Declare locals with plain `let` or `const`.');
      this.varDecl(s.declarationList, out);
      return;
    }
    if (ts.isExpressionStatement(s)) { this.exprStmt(s.expression, out); return; }
    if (ts.isBlock(s)) { out.push(...this.block(s.statements)); return; }
    if (ts.isEmptyStatement(s)) return;
    if (ts.isIfStatement(s)) {
      const test = this.bool(s.expression);
      const then = this.body(s.thenStatement);
      const els = s.elseStatement ? this.body(s.elseStatement) : [];
      out.push({ k: 'if', test, then, else: els, range });
      return;
    }
    if (ts.isReturnStatement(s)) {
      if (!s.expression) this.unsupported(s, 'A `return` without a value', 'Return a number (or a number array).');
      let ret: ts.Expression = s.expression;
      while (ts.isParenthesizedExpression(ret) || ts.isAsExpression(ret) || ts.isSatisfiesExpression(ret)) ret = ret.expression;
      if (ts.isObjectLiteralExpression(ret)) {
        // A gradient keyed by parameter name: the values in order, with their keys.
        const keys: string[] = [];
        const elements: Expr[] = [];
        for (const p of ret.properties) {
          if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) {
            keys.push(p.name.text);
            elements.push(this.expr(p.initializer).e);
          } else if (ts.isShorthandPropertyAssignment(p)) {
            keys.push(p.name.text);
            elements.push(this.expr(p.name).e);
          } else this.unsupported(p, 'This object property', 'Write `{ x: dfdx, w: dfdw }`.');
        }
        this.returnTypes.push({ t: 'arr', d: 1 });
        out.push({ k: 'return', value: { k: 'arrayLit', elements, range: this.range(ret) }, keys, range });
        return;
      }
      const v = this.expr(s.expression);
      this.returnTypes.push({ t: v.t, d: v.d });
      out.push({ k: 'return', value: v.e, range });
      return;
    }
    if (ts.isForStatement(s)) {
      this.scoped(() => {
        if (s.initializer) {
          if (ts.isVariableDeclarationList(s.initializer)) this.varDecl(s.initializer, out);
          else this.exprStmt(s.initializer, out);
        }
        const test = s.condition ? this.bool(s.condition) : null;
        const update: Stmt[] = [];
        if (s.incrementor) this.exprStmt(s.incrementor, update);
        const body = this.loopBody(s.statement);
        out.push({ k: 'loop', test, body, update, range });
      });
      return;
    }
    if (ts.isWhileStatement(s)) {
      const test = this.bool(s.expression);
      out.push({ k: 'loop', test, body: this.loopBody(s.statement), update: [], range });
      return;
    }
    if (ts.isDoStatement(s)) {
      // do { body } while (test): the test runs where `continue` lands, i.e. in the update.
      const body = this.loopBody(s.statement);
      const test = this.bool(s.expression);
      const exit: Stmt = { k: 'if', test: { k: 'not', x: test, range: test.range }, then: [{ k: 'break', range }], else: [], range };
      out.push({ k: 'loop', test: null, body, update: [exit], range });
      return;
    }
    if (ts.isForOfStatement(s)) {
      if (s.awaitModifier) this.unsupported(s, '`for await`', 'Use `for…of` over an array.');
      if (ts.isVariableDeclarationList(s.initializer)) this.declarationKind(s.initializer);
      const arr = this.expr(s.expression);
      if (arr.t !== 'arr') this.unsupported(s.expression, 'A `for…of` over something that is not an array');
      this.scoped(() => {
        const arrVar = this.hidden('arr', 'arr', arr.d, this.range(s.expression));
        out.push({ k: 'let', v: arrVar, init: arr.e, range: this.range(s.expression) });
        const i = this.hidden('i', 'num', 0, range);
        const r = this.range(s.initializer);
        out.push({ k: 'let', v: i, init: { k: 'const', value: 0, range: r }, range: r });
        const iv: Expr = { k: 'var', id: i, range: r };
        const av: Expr = { k: 'var', id: arrVar, range: this.range(s.expression) };
        const test: Expr = { k: 'compare', op: '<', a: iv, b: { k: 'length', array: av, range: av.range }, range: r };
        let name: ts.Identifier | undefined;
        if (ts.isVariableDeclarationList(s.initializer) && s.initializer.declarations.length === 1 && ts.isIdentifier(s.initializer.declarations[0].name)) {
          name = s.initializer.declarations[0].name;
        }
        if (!name) this.unsupported(s.initializer, 'This `for…of` binding', 'Write `for (const v of arr)`.');
        const body = this.scoped(() => {
          const elemType: ValueType = arr.d > 1 ? 'arr' : 'num';
          const v = this.declare(name!.text, elemType, arr.d - 1, 'local', this.range(name!));
          if (isConst(s.initializer)) this.constLocals.add(v);
          const first: Stmt = { k: 'let', v, init: { k: 'index', array: av, index: iv, range: r }, range: r };
          return [first, ...this.loopBody(s.statement)];
        });
        const update: Stmt[] = [{ k: 'assign', v: i, value: { k: 'binary', op: '+', a: iv, b: { k: 'const', value: 1, range: r }, range: r }, range: r }];
        out.push({ k: 'loop', test, body, update, range });
      });
      return;
    }
    if (ts.isBreakStatement(s) || ts.isContinueStatement(s)) {
      if (s.label) this.unsupported(s, 'A labelled `break`/`continue`', 'Use an unlabelled one, in the innermost loop.');
      if (this.loopDepth === 0) this.unsupported(s, '`break`/`continue` outside a loop', 'Use them inside for/while loops (not switch).');
      out.push({ k: ts.isBreakStatement(s) ? 'break' : 'continue', range });
      return;
    }
    // Types only: erased by TypeScript, they compute nothing.
    if (ts.isTypeAliasDeclaration(s) || ts.isInterfaceDeclaration(s)) return;
    if (ts.isFunctionDeclaration(s)) this.unsupported(s, 'A nested function (a closure)', 'Move it to the top level of the file and pass what it needs as parameters.');
    if (ts.isSwitchStatement(s)) this.unsupported(s, 'A `switch` statement', 'Use if/else.');
    if (ts.isTryStatement(s)) this.unsupported(s, '`try`/`catch`', 'A differentiable function computes its value without exceptions; test for the bad case with `if`.');
    if (ts.isThrowStatement(s)) this.unsupported(s, '`throw`', 'A differentiable function returns a number on every path.');
    if (ts.isForInStatement(s)) this.unsupported(s, '`for…in`', 'Use `for…of` or an index loop.');
    if (ts.isClassDeclaration(s)) this.unsupported(s, 'A class', 'Declare classes at the top level of the file; a differentiable function works on numbers and arrays.');
    if (ts.isLabeledStatement(s)) this.unsupported(s, 'A labelled statement', 'Use an unlabelled loop and `break`/`continue` in the innermost loop (a flag variable for outer loops).');
    if (ts.isEnumDeclaration(s)) this.unsupported(s, 'An `enum`', 'Use numeric `const`s at the top level of the file.');
    if (ts.isModuleDeclaration(s)) this.unsupported(s, 'A namespace', 'Declare namespaces at the top level of the file.');
    if (ts.isWithStatement(s)) this.unsupported(s, 'A `with` statement', 'Name the properties you use (`Math.sin(x)`), or make them parameters.');
    if (ts.isDebuggerStatement(s)) this.unsupported(s, 'A `debugger` statement', 'Remove it.');
    if (ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s) || ts.isExportDeclaration(s) || ts.isExportAssignment(s) || ts.isNamespaceExportDeclaration(s)) {
      this.unsupported(s, 'An import or export inside a function', 'Imports and exports belong at the top level of the file.');
    }
    this.unsupported(s, `This statement (${ts.SyntaxKind[s.kind]})`);
  }

  private loopBody(s: ts.Statement): Stmt[] {
    this.loopDepth++;
    try { return this.body(s); } finally { this.loopDepth--; }
  }

  /** `var` (function scoped) and `using` (disposal) are not what `let`/`const` mean: reported. */
  private declarationKind(list: ts.VariableDeclarationList) {
    if ((list.flags & ts.NodeFlags.Using) !== 0) {
      this.unsupported(list, '`using` (a declaration that disposes of its value)', 'Use `const`: numbers and arrays have nothing to dispose of.');
    }
    if ((list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) === 0) {
      this.report(list, '`var`', 'Use `let` or `const` (block scoped).');
    }
  }

  private varDecl(list: ts.VariableDeclarationList, out: Stmt[]) {
    this.declarationKind(list);
    for (const d of list.declarations) {
      const range = this.range(d);
      if (ts.isArrayBindingPattern(d.name)) {
        // const [a, b] = f(x): a hidden temporary, then one element each.
        if (!d.initializer) this.unsupported(d, 'A destructuring without a value');
        const init = this.expr(d.initializer);
        if (init.t !== 'arr') this.unsupported(d.initializer, 'Destructuring a value that is not an array');
        const tmp = this.hidden('t', 'arr', init.d, range);
        out.push({ k: 'let', v: tmp, init: init.e, range });
        d.name.elements.forEach((el, i) => {
          if (ts.isOmittedExpression(el)) return;
          if (!ts.isIdentifier(el.name) || el.dotDotDotToken || el.initializer) this.unsupported(el, 'This destructuring pattern', 'Write `const [a, b] = …` with plain names.');
          const t: ValueType = init.d > 1 ? 'arr' : 'num';
          const r = this.range(el);
          const v = this.declare(el.name.text, t, init.d - 1, 'local', this.range(el.name));
          if (isConst(list)) this.constLocals.add(v);
          out.push({ k: 'let', v, init: { k: 'index', array: { k: 'var', id: tmp, range: r }, index: { k: 'const', value: i, range: r }, range: r }, range: r });
        });
        continue;
      }
      if (!ts.isIdentifier(d.name)) this.unsupported(d.name, 'Object destructuring', 'Objects are outside the subset.');
      if (!d.initializer) {
        // `let s: number;` is assigned before use; NaN makes a read-before-write show up as GL003.
        const declared = d.type ? paramType(d.type, this.sfile) : undefined;
        const v = this.declare(d.name.text, declared?.type ?? 'num', declared?.depth ?? 0, 'local', this.range(d.name));
        this.maybeUndefined.add(v);
        out.push({ k: 'let', v, init: { k: 'const', value: NaN, range }, range });
        continue;
      }
      const init = this.expr(d.initializer);
      const v = this.declare(d.name.text, init.t, init.d, 'local', this.range(d.name));
      if (isConst(list)) this.constLocals.add(v);
      out.push({ k: 'let', v, init: init.e, range });
    }
  }

  private exprStmt(e: ts.Expression, out: Stmt[]) {
    const range = this.range(e);
    while (ts.isParenthesizedExpression(e)) e = e.expression;
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken) {
      this.exprStmt(e.left, out);
      this.exprStmt(e.right, out);
      return;
    }
    if (ts.isBinaryExpression(e) && isAssignment(e.operatorToken.kind)) {
      const kind = assignmentKind(e.operatorToken.kind);
      if (kind.k === 'logical') { this.logicalAssign(e, kind.op, range, out); return; }
      if (kind.k === 'bitwise') {
        this.unsupported(e, `The compound assignment '${e.operatorToken.getText(this.sfile)}' (${kind.what})`, BITWISE_HINT);
      }
      const rhs = this.expr(e.right);
      this.assignTo(e.left, kind.op, rhs, range, out);
      return;
    }
    if ((ts.isPrefixUnaryExpression(e) || ts.isPostfixUnaryExpression(e)) &&
        (e.operator === ts.SyntaxKind.PlusPlusToken || e.operator === ts.SyntaxKind.MinusMinusToken)) {
      const one: Typed = { e: { k: 'const', value: 1, range }, t: 'num', d: 0 };
      this.assignTo(e.operand, e.operator === ts.SyntaxKind.PlusPlusToken ? '+' : '-', one, range, out);
      return;
    }
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'push') {
      const target = e.expression.expression;
      if (!ts.isIdentifier(target)) this.unsupported(target, '`push` onto an expression', 'Push onto a local array variable.');
      const v = this.lookup(target.text);
      if (v === undefined) this.unsupported(target, `'${target.text}', which is not a local variable,`);
      this.checkWritable(v, target);
      for (const a of e.arguments) {
        const x = this.expr(a);
        out.push({ k: 'push', array: v, value: x.e, range });
      }
      return;
    }
    if (ts.isCallExpression(e)) this.unsupported(e, 'A call whose result is not used', 'Functions in the subset have no side effects; use the returned value.');
    // Outside the subset (`delete a[0]`, `void f()`, `await p`): lowering it reports what it is.
    this.expr(e);
    this.unsupported(e, 'An expression statement with no effect', 'Assign its value (`y = …`) or remove it.');
  }

  /**
   * `t ||= v`, `t &&= v`, `t ??= v` with their JavaScript meaning: the assignment happens only
   * when `t` is falsy, truthy, or null/undefined, and `v` is evaluated only then.
   */
  private logicalAssign(e: ts.BinaryExpression, op: '||' | '&&' | '??', range: Range, out: Stmt[]) {
    const opText = `${op}=`;
    let target: ts.Expression = e.left;
    while (ts.isParenthesizedExpression(target)) target = target.expression;
    if (!ts.isIdentifier(target) && !ts.isElementAccessExpression(target)) {
      this.unsupported(target, 'This assignment target', 'Assign to a local variable or an element `a[i]` of a local array.');
    }
    const current = this.expr(target);
    // The value is lowered (and checked) even where JavaScript would not evaluate it.
    const rhs = this.expr(e.right);
    const possiblyUndefined = current.e.k === 'var' && this.maybeUndefined.has(current.e.id);
    if (op === '??' || current.t === 'arr') {
      // Only null and undefined are nullish, and an array is always truthy: what decides is
      // whether the target can still be undefined.
      if (current.e.k === 'index') {
        this.unsupported(e, `'${opText}' on an array element`, 'An element past the end is undefined in JavaScript, which Gradlens does not model: test the index (`if (i >= a.length) a.push(v)`) or assign explicitly.');
      }
      if (possiblyUndefined) {
        this.unsupported(e, `'${opText}' on a variable declared without a value`, 'Give it its initial value in the declaration (`let s = 0;`).');
      }
      // A number, boolean or array that is never nullish: `??=` and an array's `||=` never assign.
      if (op === '??' || op === '||') return;
      // `a &&= b` on an array (always truthy) always assigns.
      this.assignTo(target, null, rhs, range, out);
      return;
    }
    const then: Stmt[] = [];
    this.assignTo(target, null, rhs, range, then);
    const truthy = this.truthy(current);
    const test: Expr = op === '&&' ? truthy : { k: 'not', x: truthy, range: truthy.range };
    out.push({ k: 'if', test, then, else: [], range });
  }

  /** `target op= rhs` (op null for plain `=`). */
  private assignTo(target: ts.Expression, op: ArithOp | null, rhs: Typed, range: Range, out: Stmt[]) {
    while (ts.isParenthesizedExpression(target)) target = target.expression;
    if (ts.isIdentifier(target)) {
      const v = this.lookup(target.text);
      if (v === undefined) this.unsupported(target, `Assigning to '${target.text}', which is not a local variable,`, 'Closures over outer variables are outside the subset.');
      const decl = this.vars[v];
      const value = op ? this.arith(op, { e: { k: 'var', id: v, range: this.range(target) }, t: decl.type, d: decl.depth }, rhs, range) : rhs;
      if (value.t !== decl.type) this.unsupported(target, `Assigning a ${typeName(value.t)} to '${target.text}', a ${typeName(decl.type)},`);
      if (decl.kind === 'param' && decl.type === 'arr') this.unsupported(target, `Reassigning the array parameter '${target.text}'`, 'Copy it into a local: `const w2 = w.slice()`.');
      if (this.constLocals.has(v)) this.unsupported(target, `Assigning to the \`const\` '${target.text}' (a TypeError in JavaScript)`, 'Declare it with `let`.');
      decl.reassigned = true;
      out.push({ k: 'assign', v, value: value.e, range });
      return;
    }
    if (ts.isElementAccessExpression(target)) {
      const base = target.expression;
      if (!ts.isIdentifier(base)) this.unsupported(target, 'Writing into a nested array element', 'Write `a[i] = …` on a one-dimensional local array.');
      const v = this.lookup(base.text);
      if (v === undefined) this.unsupported(base, `'${base.text}', which is not a local variable,`);
      this.checkWritable(v, base);
      const index = this.num(target.argumentExpression);
      const elem: Typed = { e: { k: 'index', array: { k: 'var', id: v, range: this.range(base) }, index, range: this.range(target) }, t: 'num', d: 0 };
      const value = op ? this.arith(op, elem, rhs, range) : rhs;
      if (value.t !== 'num') this.unsupported(target, 'Storing something other than a number into an array element');
      out.push({ k: 'store', array: v, index, value: value.e, range });
      return;
    }
    this.unsupported(target, 'This assignment target', 'Assign to a local variable or an element `a[i]` of a local array.');
  }

  private checkWritable(v: number, n: ts.Node) {
    const decl = this.vars[v];
    if (decl.type !== 'arr') this.unsupported(n, `'${decl.name}' is not an array; this write`);
    if (decl.kind === 'param') this.unsupported(n, `Writing into the parameter array '${decl.name}'`, `Copy it first: \`const ${decl.name}2 = ${decl.name}.slice();\`.`);
    if (decl.depth !== 1) this.unsupported(n, 'Writing into an array of arrays', 'Write into one-dimensional local arrays.');
  }

  // ---- expressions ------------------------------------------------------------------------------

  private tryExpr(e: ts.Expression): Typed | undefined {
    try { return this.expr(e); } catch (err) { if (err instanceof Unsupported) return undefined; throw err; }
  }

  private num(e: ts.Expression): Expr {
    const x = this.expr(e);
    if (x.t !== 'num') this.unsupported(e, `A ${typeName(x.t)} where a number is expected`);
    return x.e;
  }

  private bool(e: ts.Expression): Expr {
    const x = this.expr(e);
    if (x.t === 'arr') this.unsupported(e, 'An array used as a condition', 'An array is always truthy; test its `.length` or an element.');
    return this.truthy(x);
  }

  /**
   * A number or boolean as a condition, as in JavaScript: a number is true unless it is 0 or NaN.
   * A variable or element is tested as `x !== 0 && x === x`; a larger expression, which that would
   * copy (and copies of copies grow exponentially), as `Math.abs(x) > 0`, which is the same test.
   */
  private truthy(x: Typed): Expr {
    if (x.t !== 'num') return x.e;
    const r = x.e.range;
    const zero: Expr = { k: 'const', value: 0, range: r };
    if (x.e.k === 'const') {
      return Number.isNaN(x.e.value) ? { k: 'bool', value: false, range: r } : { k: 'compare', op: '!==', a: x.e, b: zero, range: r };
    }
    if (isLeaf(x.e)) {
      return { k: 'logical', op: '&&', a: { k: 'compare', op: '!==', a: x.e, b: zero, range: r }, b: { k: 'compare', op: '===', a: x.e, b: x.e, range: r }, range: r };
    }
    return { k: 'compare', op: '>', a: { k: 'math', fn: 'abs', args: [x.e], range: r }, b: zero, range: r };
  }

  /** Whether a lowered value can be null or undefined in JavaScript (then `??` would pick its right side). */
  private neverNullish(x: Expr): boolean {
    switch (x.k) {
      case 'var': return !this.maybeUndefined.has(x.id);
      // An element past the end is undefined in JavaScript (here it stops the evaluation).
      case 'index': return false;
      case 'cond': return this.neverNullish(x.then) && this.neverNullish(x.else);
      // A helper declared to return a number or an array (TypeScript holds it to that).
      case 'call': return this.program.functions.get(x.fn)?.node.type !== undefined;
      default: return true;
    }
  }

  private arith(op: ArithOp, a: Typed, b: Typed, range: Range): Typed {
    if (a.t !== 'num' || b.t !== 'num') {
      const bad = a.t !== 'num' ? a : b;
      this.diagnostics.push({ code: 'GL002', severity: 'warning', range: bad.e.range, functionName: this.sf.name,
        message: `Arithmetic on ${bad.t === 'arr' ? 'an' : 'a'} ${typeName(bad.t)} is outside Gradlens's differentiable subset. Operate on numbers (index arrays element by element).` });
      throw new Unsupported();
    }
    return { e: { k: 'binary', op, a: a.e, b: b.e, range }, t: 'num', d: 0 };
  }

  /** Expression nesting and size are budgeted: every later phase recurses over the IR. */
  private exprDepth = 0;
  private exprNodes = 0;

  private expr(e: ts.Expression): Typed {
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

  private exprNode(e: ts.Expression): Typed {
    const range = this.range(e);
    if (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) return this.expr(e.expression);
    if (ts.isAsExpression(e) || ts.isTypeAssertionExpression(e) || ts.isSatisfiesExpression(e)) return this.expr(e.expression);
    if (ts.isNumericLiteral(e)) return { e: { k: 'const', value: Number(e.text), range }, t: 'num', d: 0 };
    if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword) {
      return { e: { k: 'bool', value: e.kind === ts.SyntaxKind.TrueKeyword, range }, t: 'bool', d: 0 };
    }
    if (ts.isIdentifier(e)) {
      const v = this.lookup(e.text);
      if (v !== undefined) {
        if (this.undefinedParams.has(v)) this.unsupported(e, `'${e.text}', the element of \`{ length: n }\` (always undefined)`, 'Use the index: `Array.from({ length: n }, (_, i) => …)`.');
        const d = this.vars[v];
        return { e: { k: 'var', id: v, range }, t: d.type, d: d.depth };
      }
      const c = this.program.constants.get(e.text);
      if (c !== undefined) return { e: { k: 'const', value: c, range }, t: 'num', d: 0 };
      if (e.text === 'Infinity') return { e: { k: 'const', value: Infinity, range }, t: 'num', d: 0 };
      if (e.text === 'NaN') return { e: { k: 'const', value: NaN, range }, t: 'num', d: 0 };
      this.unsupported(e, `'${e.text}' (not a parameter, a local, or a numeric constant of this file)`, 'Closures and globals are outside the subset; pass the value as a parameter.');
    }
    if (ts.isPrefixUnaryExpression(e)) {
      switch (e.operator) {
        case ts.SyntaxKind.MinusToken: {
          const x = this.num(e.operand);
          if (x.k === 'const') return { e: { k: 'const', value: -x.value, range }, t: 'num', d: 0 };
          return { e: { k: 'neg', x, range }, t: 'num', d: 0 };
        }
        case ts.SyntaxKind.PlusToken: return { e: this.num(e.operand), t: 'num', d: 0 };
        case ts.SyntaxKind.ExclamationToken: return { e: { k: 'not', x: this.bool(e.operand), range }, t: 'bool', d: 0 };
        case ts.SyntaxKind.TildeToken: this.unsupported(e, "The operator '~' (a bitwise not)", BITWISE_HINT);
        // eslint-disable-next-line no-fallthrough
        default: this.unsupported(e, `The operator '${ts.tokenToString(e.operator)}' inside an expression`, 'Use `i++` as a statement of its own.');
      }
    }
    if (ts.isPostfixUnaryExpression(e)) this.unsupported(e, '`++`/`--` inside an expression', 'Use it as a statement of its own.');
    if (ts.isBinaryExpression(e)) return this.binary(e, range);
    if (ts.isConditionalExpression(e)) {
      const test = this.bool(e.condition);
      const a = this.expr(e.whenTrue);
      const b = this.expr(e.whenFalse);
      if (a.t !== b.t || a.d !== b.d) this.unsupported(e, 'A `?:` whose branches have different types', 'Make both branches numbers, or both arrays of the same depth.');
      return { e: { k: 'cond', test, then: a.e, else: b.e, range }, t: a.t, d: Math.max(a.d, b.d) };
    }
    if (ts.isElementAccessExpression(e)) {
      const arr = this.expr(e.expression);
      if (arr.t !== 'arr') this.unsupported(e.expression, `Indexing a ${typeName(arr.t)}`);
      const index = this.num(e.argumentExpression);
      return { e: { k: 'index', array: arr.e, index, range }, t: arr.d > 1 ? 'arr' : 'num', d: arr.d - 1 };
    }
    if (ts.isPropertyAccessExpression(e)) {
      if (ts.isIdentifier(e.expression) && e.expression.text === 'Math') {
        const c = mathConstant(e.name.text);
        if (c !== undefined) return { e: { k: 'const', value: c.value, range }, t: 'num', d: 0 };
        this.unsupported(e, `Math.${e.name.text} used as a value`);
      }
      if (e.name.text === 'length') {
        const arr = this.expr(e.expression);
        if (arr.t !== 'arr') this.unsupported(e, `.length of a ${typeName(arr.t)}`);
        return { e: { k: 'length', array: arr.e, range }, t: 'num', d: 0 };
      }
      this.unsupported(e, `The property access '.${e.name.text}'`, 'Objects are outside the subset; pass numbers and arrays.');
    }
    if (ts.isArrayLiteralExpression(e)) {
      // [...a] copies an array.
      if (e.elements.length === 1 && ts.isSpreadElement(e.elements[0])) return this.copy(e.elements[0].expression, range);
      const elements: Expr[] = [];
      let depth = 1;
      for (const el of e.elements) {
        if (ts.isSpreadElement(el) || ts.isOmittedExpression(el)) this.unsupported(el, 'A spread or a hole in an array literal', 'Write the elements out, or copy with `[...a]`.');
        const x = this.expr(el);
        if (x.t === 'bool') this.unsupported(el, 'A boolean array element');
        // Elements all numbers, or all arrays of one depth: a[i] has one type whatever i is.
        if (elements.length > 0 && x.d + 1 !== depth) this.unsupported(e, 'An array literal mixing numbers and arrays (or arrays of different depths)', 'Make every element a number, or every element an array.');
        depth = x.d + 1;
        elements.push(x.e);
      }
      return { e: { k: 'arrayLit', elements, range }, t: 'arr', d: depth };
    }
    if (ts.isNewExpression(e)) return this.newExpr(e, range);
    if (ts.isCallExpression(e)) return this.call(e, range);
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isTemplateExpression(e)) this.unsupported(e, 'A string');
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) this.unsupported(e, 'A function expression (a closure)', 'Use a top-level function of this file.');
    if (ts.isObjectLiteralExpression(e)) this.unsupported(e, 'An object literal', 'Return a tuple `[a, b]` instead of an object.');
    if (e.kind === ts.SyntaxKind.ThisKeyword) this.unsupported(e, '`this`', 'Pass what the function needs as parameters.');
    const named = UNSUPPORTED_EXPRESSIONS.get(e.kind);
    if (named) this.unsupported(e, named[0], named[1]);
    this.unsupported(e, `This expression (${ts.SyntaxKind[e.kind]})`);
  }

  private copy(src: ts.Expression, range: Range): Typed {
    const arr = this.expr(src);
    if (arr.t !== 'arr') this.unsupported(src, `Copying a ${typeName(arr.t)}`);
    if (arr.e.k === 'var') {
      const i = this.hidden('i', 'num', 0, range);
      return { e: { k: 'arrayFrom', length: { k: 'length', array: arr.e, range }, indexVar: i, body: { k: 'index', array: arr.e, index: { k: 'var', id: i, range }, range }, range }, t: 'arr', d: arr.d };
    }
    this.unsupported(src, 'Copying an array expression', 'Copy a variable: `const b = a.slice()`.');
  }

  private binary(e: ts.BinaryExpression, range: Range): Typed {
    const k = e.operatorToken.kind;
    const arith = arithOp(k);
    if (arith) return this.arith(arith, this.expr(e.left), this.expr(e.right), range);
    const cmp = compareOp(k);
    if (cmp) {
      return { e: { k: 'compare', op: cmp, a: this.num(e.left), b: this.num(e.right), range }, t: 'bool', d: 0 };
    }
    if (k === ts.SyntaxKind.AmpersandAmpersandToken || k === ts.SyntaxKind.BarBarToken) {
      const a = this.expr(e.left);
      const b = this.expr(e.right);
      if (a.t !== 'bool' || b.t !== 'bool') this.unsupported(e, '`&&`/`||` on numbers', 'Use them on conditions (comparisons); for a default value use `?:`.');
      return { e: { k: 'logical', op: k === ts.SyntaxKind.AmpersandAmpersandToken ? '&&' : '||', a: a.e, b: b.e, range }, t: 'bool', d: 0 };
    }
    if (k === ts.SyntaxKind.QuestionQuestionToken) {
      const a = this.expr(e.left);
      // Checked, though JavaScript evaluates it only when the left side is null or undefined.
      this.expr(e.right);
      if (!this.neverNullish(a.e)) {
        this.unsupported(e, '`??` on a value that can be undefined (an array element, a variable declared without a value, or a call)',
          'Test the index against `.length`, give the variable its value where it is declared, or declare the helper\'s return type.');
      }
      // A number, boolean or array is never null or undefined: `a ?? b` is `a`.
      return a;
    }
    if (isAssignment(k)) this.unsupported(e, 'An assignment inside an expression', 'Assign in a statement of its own.');
    const bitwise = bitwiseWhat(k);
    if (bitwise) this.unsupported(e, `The operator '${e.operatorToken.getText(this.sfile)}' (${bitwise})`, BITWISE_HINT);
    if (k === ts.SyntaxKind.CommaToken) this.unsupported(e, 'The comma operator inside an expression', 'Write each part as a statement of its own.');
    if (k === ts.SyntaxKind.InKeyword) this.unsupported(e, 'The `in` operator', 'Objects are outside the subset; compare an index with `.length`.');
    if (k === ts.SyntaxKind.InstanceOfKeyword) this.unsupported(e, '`instanceof`', 'A differentiable function works on numbers and arrays, whose types are known statically.');
    this.unsupported(e, `The operator '${e.operatorToken.getText(this.sfile)}'`, 'Supported operators: + - * / % **, comparisons, && || ! ??, ?:.');
  }

  private newExpr(e: ts.NewExpression, range: Range): Typed {
    const callee = e.expression;
    const args = e.arguments ?? [];
    if (ts.isIdentifier(callee) && callee.text === 'Float64Array' && args.length === 1) {
      const a = this.expr(args[0]);
      if (a.t === 'num') return { e: { k: 'arrayFill', length: a.e, fill: { k: 'const', value: 0, range }, range }, t: 'arr', d: 1 };
      if (a.t === 'arr' && args[0] && ts.isIdentifier(args[0])) return this.copy(args[0], range);
    }
    if (ts.isIdentifier(callee) && callee.text === 'Array' && args.length === 1) {
      this.unsupported(e, '`new Array(n)` without `.fill(v)`', 'Write `new Array(n).fill(0)`.');
    }
    this.unsupported(e, `\`new ${callee.getText(this.sfile)}(…)\``, 'Arrays: `new Array(n).fill(v)`, `new Float64Array(n)`, literals, `Array.from({ length: n }, (_, i) => …)`.');
  }

  private call(e: ts.CallExpression, range: Range): Typed {
    const callee = e.expression;
    if (ts.isPropertyAccessExpression(callee)) {
      const obj = callee.expression;
      const method = callee.name.text;
      if (ts.isIdentifier(obj) && obj.text === 'Math') {
        if (method === 'random') this.unsupported(e, '`Math.random()`', 'A differentiable function must be deterministic; pass random numbers in as parameters.');
        if (!(MATH_FNS as readonly string[]).includes(method)) this.unsupported(e, `\`Math.${method}\``, `Supported Math functions: ${MATH_FNS.join(' ')}.`);
        const fn = method as MathFn;
        const args = e.arguments.map((a) => this.num(a));
        return { e: this.mathCall(fn, args, range, e), t: 'num', d: 0 };
      }
      // new Array(n).fill(v) / Array(n).fill(v)
      if (method === 'fill' && e.arguments.length === 1) {
        const inner = obj;
        if ((ts.isNewExpression(inner) || ts.isCallExpression(inner)) && ts.isIdentifier(inner.expression) && inner.expression.text === 'Array' && inner.arguments?.length === 1) {
          const length = this.num(inner.arguments[0]);
          const fill = this.num(e.arguments[0]);
          return { e: { k: 'arrayFill', length, fill, range }, t: 'arr', d: 1 };
        }
      }
      if (ts.isIdentifier(obj) && obj.text === 'Array' && method === 'from') return this.arrayFrom(e, range);
      if (method === 'slice' && e.arguments.length === 0) return this.copy(obj, range);
      if (method === 'map' && e.arguments.length === 1) return this.mapCall(obj, e.arguments[0], range);
      if (method === 'push') this.unsupported(e, '`push` inside an expression', 'Use `a.push(v)` as a statement.');
      this.unsupported(e, `The method call '.${method}(…)'`, 'Supported on arrays: indexing, .length, push, slice(), map((v, i) => …) with an expression body.');
    }
    if (!ts.isIdentifier(callee)) this.unsupported(e, 'This call');
    const name = callee.text;
    if (this.lookup(name) !== undefined) this.unsupported(e, `Calling the local '${name}'`, 'Only top-level functions of this file can be called.');
    const helper = this.program.functions.get(name);
    if (!helper) this.unsupported(callee, `A call to '${name}', which is not a function of this file`, 'Calls to functions declared at the top level of this file are supported; imported functions are not analysed yet.');
    const args = e.arguments.map((a) => {
      const x = this.expr(a);
      if (x.t === 'bool') this.unsupported(a, 'A boolean argument');
      return x.e;
    });
    if (args.length !== helper.node.parameters.length) this.unsupported(e, `A call to '${name}' with ${args.length} arguments (it takes ${helper.node.parameters.length})`, 'Pass every parameter.');
    this.calls.add(name);
    // The return type comes from the helper's declaration, without lowering it here (recursion).
    const rt = helper.node.type ? paramType(helper.node.type, this.sfile) : undefined;
    const t: 'num' | 'arr' = rt?.type ?? guessReturnType(helper.node);
    return { e: { k: 'call', fn: name, args, range }, t, d: rt?.depth ?? (t === 'arr' ? 1 : 0) };
  }

  private mathCall(fn: MathFn, args: Expr[], range: Range, node: ts.Node): Expr {
    if (fn === 'min' || fn === 'max' || fn === 'hypot') {
      if (args.length === 0) this.unsupported(node, `Math.${fn}() without arguments`);
      if (args.length === 1) return fn === 'hypot' ? { k: 'math', fn: 'abs', args, range } : args[0];
      // n-ary min/max/hypot fold into binary ones, left to right.
      let acc = args[0];
      for (let i = 1; i < args.length; i++) acc = { k: 'math', fn, args: [acc, args[i]], range };
      return acc;
    }
    const arity = BINARY_MATH_FNS.has(fn) ? 2 : 1;
    if (args.length !== arity) this.unsupported(node, `Math.${fn} with ${args.length} argument(s)`, `Math.${fn} takes ${arity}.`);
    return { k: 'math', fn, args, range };
  }

  private arrayFrom(e: ts.CallExpression, range: Range): Typed {
    const [spec, mapper, thisArg] = e.arguments;
    if (thisArg) this.unsupported(thisArg, 'A `this` argument of `Array.from`', 'Leave it out: an arrow function has no `this`.');
    if (!spec || !ts.isObjectLiteralExpression(spec) || spec.properties.length !== 1) {
      if (spec && e.arguments.length === 1) return this.copy(spec, range);
      this.unsupported(e, 'This `Array.from` form', 'Write `Array.from({ length: n }, (_, i) => …)`.');
    }
    const prop = spec.properties[0];
    if (!ts.isPropertyAssignment(prop) || prop.name.getText(this.sfile) !== 'length') this.unsupported(spec, 'This `Array.from` form', 'Write `Array.from({ length: n }, (_, i) => …)`.');
    const length = this.num(prop.initializer);
    if (!mapper) return { e: { k: 'arrayFill', length, fill: { k: 'const', value: NaN, range }, range }, t: 'arr', d: 1 };
    return this.indexedMapper(length, mapper, null, range);
  }

  private mapCall(obj: ts.Expression, mapper: ts.Expression, range: Range): Typed {
    const arr = this.expr(obj);
    if (arr.t !== 'arr') this.unsupported(obj, `.map on a ${typeName(arr.t)}`);
    return this.indexedMapper({ k: 'length', array: arr.e, range }, mapper, arr, range);
  }

  /** `(v, i) => body` as an index loop: v is `source[i]` (for map) and i the index. */
  private indexedMapper(length: Expr, mapper: ts.Expression, source: Typed | null, range: Range): Typed {
    if (!ts.isArrowFunction(mapper) || ts.isBlock(mapper.body)) this.unsupported(mapper, 'This mapping function', 'Write an arrow with an expression body: `(v, i) => …`.');
    if (ts.getModifiers(mapper)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) this.unsupported(mapper, 'An `async` mapping function', 'Remove `async`.');
    for (const [k, p] of mapper.parameters.entries()) {
      if (k >= 2 || !ts.isIdentifier(p.name) || p.dotDotDotToken || p.initializer) {
        this.unsupported(p, 'This parameter of a mapping function', 'Write `(v, i) => …` with plain names (the array itself is not passed).');
      }
    }
    return this.scoped(() => {
      const i = this.hidden('i', 'num', 0, range);
      const [p0, p1] = mapper.parameters as readonly (ts.ParameterDeclaration & { name: ts.Identifier })[];
      const body = this.scoped(() => {
        if (p0) {
          if (source) {
            // v is an alias for source[i]; lowered by substitution so no statement is needed.
            const v = this.declare(p0.name.text, source.d > 1 ? 'arr' : 'num', source.d - 1, 'local', this.range(p0.name));
            this.vars[v].name = `$alias${v}`;
            this.aliases.set(v, { k: 'index', array: source.e, index: { k: 'var', id: i, range }, range });
          } else {
            // Array.from({ length: n }, (v, i) => …): v is undefined, which Gradlens does not model.
            const v = this.declare(p0.name.text, 'num', 0, 'local', this.range(p0.name));
            this.vars[v].name = `$undefined${v}`;
            this.undefinedParams.add(v);
          }
        }
        if (p1) this.scopes[this.scopes.length - 1].set(p1.name.text, i);
        return this.expr(mapper.body as ts.Expression);
      });
      if (body.t !== 'num') this.unsupported(mapper.body, 'A mapping function that does not return a number');
      return { e: { k: 'arrayFrom', length, indexVar: i, body: substitute(body.e, this.aliases), range }, t: 'arr' as const, d: 1 };
    });
  }

  private readonly aliases = new Map<number, Expr>();
  /** The first parameter of `Array.from({ length: n }, (v, i) => …)`: undefined, never read. */
  private readonly undefinedParams = new Set<number>();
}

function endsInReturn(body: Stmt[]): boolean {
  const last = body[body.length - 1];
  if (!last) return false;
  if (last.k === 'return') return true;
  if (last.k === 'if') return endsInReturn(last.then) && endsInReturn(last.else);
  // A loop without a test only ends through `return` or `break`; be lenient and let the
  // evaluator report a path that falls off.
  if (last.k === 'loop' && last.test === null) return true;
  return false;
}

function guessReturnType(node: ts.FunctionLikeDeclaration): 'num' | 'arr' {
  let found: 'num' | 'arr' = 'num';
  const visit = (n: ts.Node) => {
    if (ts.isReturnStatement(n) && n.expression && ts.isArrayLiteralExpression(n.expression)) found = 'arr';
    if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
  };
  if (node.body) {
    if (ts.isBlock(node.body)) ts.forEachChild(node.body, visit);
    else if (ts.isArrayLiteralExpression(node.body)) found = 'arr';
  }
  return found;
}

/** The IR type of a TypeScript parameter/return type annotation, or undefined if unsupported. */
export function paramType(t: ts.TypeNode | undefined, sf: ts.SourceFile): { type: 'num' | 'arr'; depth: number; tupleLength?: number } | undefined {
  if (!t) return { type: 'num', depth: 0 };
  if (t.kind === ts.SyntaxKind.NumberKeyword) return { type: 'num', depth: 0 };
  if (ts.isParenthesizedTypeNode(t)) return paramType(t.type, sf);
  if (ts.isTypeOperatorNode(t) && t.operator === ts.SyntaxKind.ReadonlyKeyword) return paramType(t.type, sf);
  if (ts.isArrayTypeNode(t)) {
    const inner = paramType(t.elementType, sf);
    return inner ? { type: 'arr', depth: inner.depth + 1 } : undefined;
  }
  if (ts.isTupleTypeNode(t)) {
    const els = t.elements.map((el) => paramType(ts.isNamedTupleMember(el) ? el.type : el, sf));
    if (els.some((x) => !x)) return undefined;
    const depth = Math.max(0, ...els.map((x) => x!.depth)) + 1;
    return { type: 'arr', depth, tupleLength: t.elements.length };
  }
  if (ts.isTypeReferenceNode(t)) {
    const name = t.typeName.getText(sf);
    if (name === 'Float64Array' || name === 'Float32Array') return { type: 'arr', depth: 1 };
    if ((name === 'Array' || name === 'ReadonlyArray') && t.typeArguments?.length === 1) {
      const inner = paramType(t.typeArguments[0], sf);
      return inner ? { type: 'arr', depth: inner.depth + 1 } : undefined;
    }
  }
  return undefined;
}

function typeName(t: ValueType): string {
  return t === 'num' ? 'number' : t === 'arr' ? 'array' : 'boolean';
}

function isAssignment(k: ts.SyntaxKind): boolean {
  return k >= ts.SyntaxKind.FirstAssignment && k <= ts.SyntaxKind.LastAssignment;
}

function isConst(list: ts.ForInitializer): boolean {
  return ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.BlockScoped) === ts.NodeFlags.Const;
}

/** A directive of the function's prologue (`'use strict';`): a string literal statement. */
function isDirective(s: ts.Statement): boolean {
  return ts.isExpressionStatement(s) && ts.isStringLiteral(s.expression);
}

/** A variable, a constant, or an element of one: cheap to test twice. */
function isLeaf(e: Expr): boolean {
  return e.k === 'const' || e.k === 'var' || (e.k === 'index' && isLeaf(e.array) && isLeaf(e.index));
}

const BITWISE_HINT =
  'Bitwise and shift operators convert to 32-bit integers, so they are not differentiable. Use arithmetic (`y * 2` for `y << 1`, `Math.floor(y / 2)` for `y >> 1`) and Math.floor/Math.trunc where an integer is meant.';

/** What a bitwise or shift operator (plain or compound) is, or null for any other operator. */
function bitwiseWhat(k: ts.SyntaxKind): string | null {
  switch (k) {
    case ts.SyntaxKind.LessThanLessThanToken: case ts.SyntaxKind.LessThanLessThanEqualsToken:
    case ts.SyntaxKind.GreaterThanGreaterThanToken: case ts.SyntaxKind.GreaterThanGreaterThanEqualsToken:
    case ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken: case ts.SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken:
      return 'a bit shift, not differentiable';
    case ts.SyntaxKind.AmpersandToken: case ts.SyntaxKind.AmpersandEqualsToken:
    case ts.SyntaxKind.BarToken: case ts.SyntaxKind.BarEqualsToken:
    case ts.SyntaxKind.CaretToken: case ts.SyntaxKind.CaretEqualsToken:
      return 'a bitwise operation, not differentiable';
    default: return null;
  }
}

type AssignmentKind =
  | { k: 'arith'; op: ArithOp | null }
  | { k: 'logical'; op: '||' | '&&' | '??' }
  | { k: 'bitwise'; what: string };

/** Every assignment operator, classified: `=` and arithmetic, logical (`||=`), or unsupported. */
function assignmentKind(k: ts.SyntaxKind): AssignmentKind {
  switch (k) {
    case ts.SyntaxKind.EqualsToken: return { k: 'arith', op: null };
    case ts.SyntaxKind.PlusEqualsToken: return { k: 'arith', op: '+' };
    case ts.SyntaxKind.MinusEqualsToken: return { k: 'arith', op: '-' };
    case ts.SyntaxKind.AsteriskEqualsToken: return { k: 'arith', op: '*' };
    case ts.SyntaxKind.SlashEqualsToken: return { k: 'arith', op: '/' };
    case ts.SyntaxKind.PercentEqualsToken: return { k: 'arith', op: '%' };
    case ts.SyntaxKind.AsteriskAsteriskEqualsToken: return { k: 'arith', op: '**' };
    case ts.SyntaxKind.BarBarEqualsToken: return { k: 'logical', op: '||' };
    case ts.SyntaxKind.AmpersandAmpersandEqualsToken: return { k: 'logical', op: '&&' };
    case ts.SyntaxKind.QuestionQuestionEqualsToken: return { k: 'logical', op: '??' };
    default: return { k: 'bitwise', what: bitwiseWhat(k) ?? 'an assignment operator Gradlens does not know' };
  }
}

/** Expressions outside the subset, by kind: what they are, and what to write instead. */
const UNSUPPORTED_EXPRESSIONS = new Map<ts.SyntaxKind, [string, string]>([
  [ts.SyntaxKind.TypeOfExpression, ['`typeof`', 'The types of a differentiable function\'s values are known statically: numbers and arrays.']],
  [ts.SyntaxKind.VoidExpression, ['`void`', 'Use `NaN` for a missing number, or leave the statement out.']],
  [ts.SyntaxKind.DeleteExpression, ['`delete`', 'Arrays in the subset keep their elements; build a new array instead.']],
  [ts.SyntaxKind.AwaitExpression, ['`await`', 'A differentiable function computes its value synchronously.']],
  [ts.SyntaxKind.YieldExpression, ['`yield`', 'A differentiable function returns its value.']],
  [ts.SyntaxKind.SpreadElement, ['A spread `...`', 'Pass the elements one by one, or loop over the array; `[...a]` copies an array.']],
  [ts.SyntaxKind.TaggedTemplateExpression, ['A tagged template', 'Strings are outside the subset.']],
  [ts.SyntaxKind.ClassExpression, ['A class expression', 'Declare classes at the top level of the file; a differentiable function works on numbers and arrays.']],
  [ts.SyntaxKind.NullKeyword, ['`null`', 'Use `NaN` for a missing number.']],
  [ts.SyntaxKind.SuperKeyword, ['`super`', 'Pass what the function needs as parameters.']],
  [ts.SyntaxKind.RegularExpressionLiteral, ['A regular expression', 'Strings are outside the subset.']],
  [ts.SyntaxKind.BigIntLiteral, ['A BigInt literal', 'Write a number (`2`, not `2n`).']],
  [ts.SyntaxKind.OmittedExpression, ['A hole in an array literal', 'Write every element.']],
  [ts.SyntaxKind.MetaProperty, ['`new.target`/`import.meta`', 'Pass what the function needs as parameters.']],
  [ts.SyntaxKind.ExpressionWithTypeArguments, ['An instantiation expression `f<T>`', 'Call the function: `f(x)`.']],
  [ts.SyntaxKind.PrivateIdentifier, ['A private name `#x`', 'Objects are outside the subset.']],
]);

function arithOp(k: ts.SyntaxKind): ArithOp | null {
  switch (k) {
    case ts.SyntaxKind.PlusToken: return '+';
    case ts.SyntaxKind.MinusToken: return '-';
    case ts.SyntaxKind.AsteriskToken: return '*';
    case ts.SyntaxKind.SlashToken: return '/';
    case ts.SyntaxKind.PercentToken: return '%';
    case ts.SyntaxKind.AsteriskAsteriskToken: return '**';
    default: return null;
  }
}

function compareOp(k: ts.SyntaxKind): CompareOp | null {
  switch (k) {
    case ts.SyntaxKind.LessThanToken: return '<';
    case ts.SyntaxKind.LessThanEqualsToken: return '<=';
    case ts.SyntaxKind.GreaterThanToken: return '>';
    case ts.SyntaxKind.GreaterThanEqualsToken: return '>=';
    case ts.SyntaxKind.EqualsEqualsEqualsToken: case ts.SyntaxKind.EqualsEqualsToken: return '===';
    case ts.SyntaxKind.ExclamationEqualsEqualsToken: case ts.SyntaxKind.ExclamationEqualsToken: return '!==';
    default: return null;
  }
}
