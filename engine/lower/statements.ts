// Lowering of statements: blocks and their scopes, declarations (with destructuring), `if`,
// loops (`for`, `for…of`, `while`, `do…while`), `return` (an object of named values too), and
// assignments, compound and logical ones included. A statement outside the subset is reported and
// skipped, so lowering goes on with the next one.

import ts from 'typescript';
import type { ArithOp, Expr, Range, Stmt, ValueType } from '../ir';
import { MAX_EXPR_DEPTH, Typed, typeName, Unsupported } from './core';
import { CallLowerer } from './calls';
import { assignmentKind, BITWISE_HINT, isAssignment } from './operators';
import { paramType } from './types';

export abstract class StatementLowerer extends CallLowerer {
  protected block(stmts: readonly ts.Statement[]): Stmt[] {
    if (this.exprDepth >= MAX_EXPR_DEPTH && stmts.length > 0) this.expr(stmts[0] as unknown as ts.Expression); // reports the depth, throws
    this.exprDepth++;
    try {
      return this.blockInner(stmts);
    } finally {
      this.exprDepth--;
    }
  }

  protected blockInner(stmts: readonly ts.Statement[]): Stmt[] {
    return this.scoped(() => {
      const out: Stmt[] = [];
      for (const s of stmts) {
        try { this.stmt(s, out); } catch (e) { if (!(e instanceof Unsupported)) throw e; }
      }
      return out;
    });
  }

  protected body(s: ts.Statement): Stmt[] {
    return ts.isBlock(s) ? this.block(s.statements) : this.block([s]);
  }

  protected stmt(s: ts.Statement, out: Stmt[]): void {
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

  protected loopBody(s: ts.Statement): Stmt[] {
    this.loopDepth++;
    try { return this.body(s); } finally { this.loopDepth--; }
  }

  /** `var` (function scoped) and `using` (disposal) are not what `let`/`const` mean: reported. */
  protected declarationKind(list: ts.VariableDeclarationList) {
    if ((list.flags & ts.NodeFlags.Using) !== 0) {
      this.unsupported(list, '`using` (a declaration that disposes of its value)', 'Use `const`: numbers and arrays have nothing to dispose of.');
    }
    if ((list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) === 0) {
      this.report(list, '`var`', 'Use `let` or `const` (block scoped).');
    }
  }

  protected varDecl(list: ts.VariableDeclarationList, out: Stmt[]) {
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

  protected exprStmt(e: ts.Expression, out: Stmt[]) {
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
  protected logicalAssign(e: ts.BinaryExpression, op: '||' | '&&' | '??', range: Range, out: Stmt[]) {
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
  protected assignTo(target: ts.Expression, op: ArithOp | null, rhs: Typed, range: Range, out: Stmt[]) {
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

  protected checkWritable(v: number, n: ts.Node) {
    const decl = this.vars[v];
    if (decl.type !== 'arr') this.unsupported(n, `'${decl.name}' is not an array; this write`);
    if (decl.kind === 'param') this.unsupported(n, `Writing into the parameter array '${decl.name}'`, `Copy it first: \`const ${decl.name}2 = ${decl.name}.slice();\`.`);
    if (decl.depth !== 1) this.unsupported(n, 'Writing into an array of arrays', 'Write into one-dimensional local arrays.');
  }
}

function isConst(list: ts.ForInitializer): boolean {
  return ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.BlockScoped) === ts.NodeFlags.Const;
}
