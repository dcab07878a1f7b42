// Lowering of statements: blocks and their scopes, declarations (with destructuring), `if`,
// loops (`for`, `for…of`, `while`, `do…while`), `switch`, `return` (an object of named values, a
// declared tuple too), expression statements (assignments: lower/assignments.ts). A statement
// outside the subset is reported and skipped, so lowering goes on with the next one.

import ts = require('typescript');
import type { Expr, Range, Stmt, ValueType } from '../ir';
import { MAX_EXPR_DEPTH, Typed, Unsupported } from './core';
import { AssignmentLowerer } from './assignments';
import { unwrapInitializer } from '../declarationForms';
import { describeTyped, undefinedOperand } from './expressions';
import { assignmentKind, BITWISE_HINT, isAssignment } from './operators';
import { paramType, propertyName } from './types';

export abstract class StatementLowerer extends AssignmentLowerer {
  /** The records the function's `return`s give (then it is vector-valued, its outputs keyed by field). */
  protected readonly returnRecords: import('../ir').RecordLayout[] = [];

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
    // What its expressions need first (`(t /= d)`) goes before it, in evaluation order.
    this.readsSoFar.clear();
    this.hoisting(out, () => this.stmtInner(s, out));
  }

  private stmtInner(s: ts.Statement, out: Stmt[]): void {
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
      if (this.inCallback) this.unsupported(s, 'A `return` before the end of a callback', 'Return once, at the end of the callback (a variable set by `if`/`else` and returned there).');
      if (!s.expression) this.unsupported(s, 'A `return` without a value', 'Return a number (or a number array).');
      let ret: ts.Expression = s.expression;
      while (ts.isParenthesizedExpression(ret) || ts.isAsExpression(ret) || ts.isSatisfiesExpression(ret)) ret = ret.expression;
      const declared = this.declaredReturn();
      if (ts.isObjectLiteralExpression(ret) && this.keyedByParameters(ret)) {
        // A gradient keyed by parameter name (`{ a: dA, b: dB }`, even declared as a record type):
        // the values, with their keys (a record's value is the array of its fields).
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
      const tuple = ts.isArrayLiteralExpression(ret) ? this.mixedTuple(this.sf.node.type) : undefined;
      if (tuple && ts.isArrayLiteralExpression(ret)) { this.tupleReturn(ret, tuple, range, out); return; }
      // A record (`return { x, y }`): the function is vector-valued, its outputs keyed by field.
      const v = ts.isObjectLiteralExpression(ret) ? this.objectLiteral(ret, this.range(ret), declared?.record) : this.expr(s.expression);
      const value = declared?.record && declared.depth === 1 ? this.coerce(v, declared.record, s.expression) : v;
      if (value.rec && value.d === 1) this.returnRecords.push(value.rec);
      this.returnTypes.push({ t: value.t, d: value.d });
      out.push({ k: 'return', value: value.e, range });
      return;
    }
    if (ts.isForStatement(s)) {
      this.scoped(() => {
        if (s.initializer) {
          if (ts.isVariableDeclarationList(s.initializer)) this.varDecl(s.initializer, out);
          else this.exprStmt(s.initializer, out);
        }
        const pre: Stmt[] = [];
        this.readsSoFar.clear();
        const test = s.condition ? this.hoisting(pre, () => this.bool(s.condition!)) : null;
        const update: Stmt[] = [];
        this.readsSoFar.clear();
        if (s.incrementor) this.hoisting(update, () => this.exprStmt(s.incrementor!, update));
        const body = this.loopBody(s.statement);
        out.push(loopWithTest(pre, test, body, update, range));
      });
      return;
    }
    if (ts.isWhileStatement(s)) {
      const pre: Stmt[] = [];
      const test = this.hoisting(pre, () => this.bool(s.expression));
      out.push(loopWithTest(pre, test, this.loopBody(s.statement), [], range));
      return;
    }
    if (ts.isDoStatement(s)) {
      // do { body } while (test): the test runs where `continue` lands, i.e. in the update.
      const body = this.loopBody(s.statement);
      const update: Stmt[] = [];
      this.readsSoFar.clear();
      const test = this.hoisting(update, () => this.bool(s.expression));
      update.push({ k: 'if', test: { k: 'not', x: test, range: test.range }, then: [{ k: 'break', range }], else: [], range });
      out.push({ k: 'loop', test: null, body, update, range });
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
          if (arr.d > 1) this.note(v, { rec: arr.rec });
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
    if (ts.isSwitchStatement(s)) { this.switchStatement(s, out); return; }
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
      // `var` is function scoped and hoisted; it means what `let` means when every use of each name
      // it declares is inside the block that declares it, after the declaration.
      for (const d of list.declarations) {
        const escaped = ts.isIdentifier(d.name) ? this.varEscapes(d.name, list) : d.name;
        if (escaped) {
          // (where: a related location, moved with the analysis, not a line number in the message, which would not be)
          const name = d.name.getText(this.sfile);
          this.report(d.name, `\`var\` '${name}' used outside the block that declares it, or before its declaration`, 'Declare it with `let` where its scope begins, and assign it where it is computed.', undefined,
            [{ range: this.range(escaped), message: `'${name}' is used here` }]);
        }
      }
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
      if (ts.isObjectBindingPattern(d.name)) { this.objectDestructuring(d, d.name, list, out); continue; }
      if (!ts.isIdentifier(d.name)) this.unsupported(d.name, 'This destructuring pattern');
      const declared = this.declaredShape(d.type);
      if (!d.initializer) {
        // `let s: number;` is assigned before use; NaN makes a read-before-write show up as GL003.
        if (declared?.record || declared?.constant) this.unsupported(d, `A ${declared.record ? 'record' : 'constant'} declared without a value`, 'Give it its value where it is declared.');
        const v = this.declare(d.name.text, declared?.type ?? 'num', declared?.depth ?? 0, 'local', this.range(d.name));
        this.maybeUndefined.add(v);
        out.push({ k: 'let', v, init: { k: 'const', value: NaN, range }, range });
        continue;
      }
      let init: Typed;
      const initNode = unwrapInitializer(d.initializer);
      if (declared?.record && declared.depth === 1 && ts.isObjectLiteralExpression(initNode)) init = this.objectLiteral(initNode, this.range(initNode), declared.record);
      else init = this.expr(d.initializer);
      if (declared?.record && declared.depth === 1) init = this.coerce(init, declared.record, d.initializer);
      // `const out: Vec2[] = []`: the declared type says what the empty array will hold.
      if (declared && declared.type === 'arr' && ts.isArrayLiteralExpression(initNode) && initNode.elements.length === 0) init = { ...init, d: declared.depth, rec: declared.record };
      const v = this.declare(d.name.text, init.t, init.d, 'local', this.range(d.name));
      this.note(v, init);
      if (isConst(list)) this.constLocals.add(v);
      out.push({ k: 'let', v, init: init.e, range });
      // Declared: what later declarations hoist goes after it.
      this.readsSoFar.clear();
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
      // JavaScript evaluates the target (`a[i]`, and for a compound assignment its value) before
      // the value, which may assign what the target reads.
      const target = unwrapInitializer(e.left);
      const tv = kind.op && ts.isIdentifier(target) ? this.lookup(target.text) : undefined;
      if (tv !== undefined) this.readsSoFar.add(tv);
      if (!ts.isIdentifier(target)) this.markReads(target);
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
      this.checkOuterWrite(v, target);
      const records = this.recOf.get(v);
      // `out.push({ x, y })` onto a local array of records (`const out: Vec2[] = []`).
      if (records && this.vars[v].depth === 2 && this.vars[v].kind === 'local') {
        for (const a of e.arguments) out.push({ k: 'push', array: v, value: this.coerce(this.expr(a), records, a).e, range });
        return;
      }
      this.checkWritable(v, target);
      for (const a of e.arguments) {
        const x = this.expr(a);
        if (x.t !== 'num' || x.str) this.unsupported(a, `Pushing ${describeTyped(x)} onto an array of numbers`);
        out.push({ k: 'push', array: v, value: x.e, range });
      }
      return;
    }
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'forEach' && e.arguments.length === 1) {
      this.callbackLoop('forEach', e.expression.expression, e.arguments[0], undefined, range);
      return;
    }
    if (ts.isCallExpression(e)) this.unsupported(e, 'A call whose result is not used', 'Functions in the subset have no side effects; use the returned value.');
    // Outside the subset (`delete a[0]`, `void f()`, `await p`): lowering it reports what it is.
    this.expr(e);
    this.unsupported(e, 'An expression statement with no effect', 'Assign its value (`y = …`) or remove it.');
  }

  /**
   * `switch (mode) { case 'call': …; break; case 'put': case 'short': …; return …; default: … }` as
   * an if/else chain over `===` (the value read once). Each case ends in `break`, `return` or (the
   * last) nothing; one falling through into the next, or a `break` elsewhere in it, is a GL002.
   */
  protected switchStatement(s: ts.SwitchStatement, out: Stmt[]) {
    const range = this.range(s);
    const value = this.expr(s.expression);
    if (value.t === 'arr') this.unsupported(s.expression, `A \`switch\` on ${describeTyped(value)}`, 'Switch on a number or a string.');
    const tmp = this.hidden('sw', value.t, 0, this.range(s.expression));
    if (value.str) this.strVars.add(tmp);
    out.push({ k: 'let', v: tmp, init: value.e, range: this.range(s.expression) });
    const subject: Typed = { ...value, e: { k: 'var', id: tmp, range: this.range(s.expression) } };
    const clauses = s.caseBlock.clauses;
    // Groups of labels sharing one body: `case 'a': case 'b': …`.
    const groups: { tests: ts.Expression[]; isDefault: boolean; body: ts.Statement[]; clause: ts.CaseOrDefaultClause }[] = [];
    let pending: ts.Expression[] = [];
    let pendingDefault = false;
    clauses.forEach((c, i) => {
      if (ts.isDefaultClause(c)) pendingDefault = true;
      else pending.push(c.expression);
      if (c.statements.length === 0 && i < clauses.length - 1) return;
      groups.push({ tests: pending, isDefault: pendingDefault, body: [...c.statements], clause: c });
      pending = [];
      pendingDefault = false;
    });
    const defaultIndex = groups.findIndex((g) => g.isDefault);
    if (defaultIndex >= 0 && defaultIndex !== groups.length - 1) this.unsupported(clauses.find(ts.isDefaultClause)!, 'A `default` that is not the last case', 'Put `default` last.');
    const bodies = groups.map((g, i) => {
      const stmts = g.body.length === 1 && ts.isBlock(g.body[0]) ? [...g.body[0].statements] : g.body;
      const last = stmts[stmts.length - 1];
      const endsInBreak = last !== undefined && ts.isBreakStatement(last) && !last.label;
      const kept = endsInBreak ? stmts.slice(0, -1) : stmts;
      const inner = kept.map((st) => switchBreak(st)).find((b) => b !== undefined);
      if (inner) this.unsupported(inner, 'A `break` out of a `switch` before the end of its case', 'End the case with `break` (or `return`), or use if/else.');
      const ends = endsInBreak || (last !== undefined && (ts.isReturnStatement(last) || ts.isThrowStatement(last)));
      if (!ends && i < groups.length - 1) this.unsupported(g.clause, 'A `case` that falls through into the next', 'End it with `break` or `return`.');
      return kept;
    });
    // From the last group back: `if (match) body else <the rest>`.
    let rest: Stmt[] = [];
    for (let i = groups.length - 1; i >= 0; i--) {
      const g = groups[i];
      const body = this.block(bodies[i]);
      if (g.isDefault) { rest = body; continue; }
      let test: Expr | null = null;
      for (const t of g.tests) {
        const label = this.hoisting(null, () => this.expr(t), 'a `case` label (it runs only when the cases before it do not match)');
        if (!!label.str !== !!subject.str || label.t !== subject.t) this.unsupported(t, 'A `case` whose value is not of the type of the `switch`');
        const eq: Expr = { k: 'compare', op: '===', a: subject.e, b: label.e, range: this.range(t) };
        test = test ? { k: 'logical', op: '||', a: test, b: eq, range: this.range(t) } : eq;
      }
      rest = [{ k: 'if', test: test!, then: body, else: rest, range }];
    }
    out.push(...rest);
  }

  /**
   * A declared return type that is a tuple mixing numbers and arrays, `[number[], number]`: its
   * entries' shapes. A gradient of several parameters returned positionally (`[dw, db]`, as
   * PyTorch's tuple of gradients), which engine/gradientCheck.ts reads in `@wrt` order.
   */
  protected mixedTuple(t: ts.TypeNode | undefined): { t: 'num' | 'arr'; d: number }[] | undefined {
    if (!t || !ts.isTupleTypeNode(t)) return undefined;
    const shapes = t.elements.map((el) => (ts.isNamedTupleMember(el) ? el.type : el)).map((el) => paramType(el, this.sfile));
    if (shapes.some((x) => !x || x.record || x.constant)) return undefined;
    const depths = new Set(shapes.map((x) => x!.depth));
    return depths.size > 1 ? shapes.map((x) => ({ t: x!.type, d: x!.depth })) : undefined;
  }

  /** `return [dw, db]` under a declared `[number[], number]`: each entry of the declared shape. */
  protected tupleReturn(lit: ts.ArrayLiteralExpression, shapes: { t: 'num' | 'arr'; d: number }[], range: Range, out: Stmt[]) {
    if (lit.elements.length !== shapes.length) this.unsupported(lit, `A tuple of ${lit.elements.length} entries where the declared return type has ${shapes.length}`, 'Return one entry per element of the declared tuple.');
    const elements = lit.elements.map((el, k) => {
      if (ts.isSpreadElement(el) || ts.isOmittedExpression(el)) this.unsupported(el, 'A spread or a hole in a returned tuple', 'Write the entries out.');
      const x = this.expr(el);
      if (x.t !== shapes[k].t || x.d !== shapes[k].d || x.str || (x.rec && x.d === 1)) {
        this.unsupported(el, `${describeTyped(x).replace(/^./, (c) => c.toUpperCase())} as entry ${k + 1} of a tuple declared as ${shapes[k].d === 0 ? 'a number' : `an array of depth ${shapes[k].d}`}`, 'Return entries of the declared types.');
      }
      return x.e;
    });
    this.returnTypes.push({ t: 'arr', d: 1 });
    out.push({ k: 'return', value: { k: 'arrayLit', elements, range: this.range(lit) }, range });
  }

  /** The function's declared return type, when it is one Gradlens reads. */
  protected declaredReturn() {
    return this.declaredShape(this.sf.node.type);
  }

  /** `return { x: dfdx, w: dfdw }` where every key is a parameter: a gradient keyed by parameter (not a record). */
  protected keyedByParameters(o: ts.ObjectLiteralExpression): boolean {
    const params = new Set(this.sf.node.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : '')));
    return o.properties.length > 0 && o.properties.every((p) => p.name !== undefined && params.has(p.name.getText(this.sfile)));
  }

  /** `const { x, y } = p`, `const { pos: q, m } = body`: one local per field of a record. */
  protected objectDestructuring(d: ts.VariableDeclaration, pattern: ts.ObjectBindingPattern, list: ts.VariableDeclarationList, out: Stmt[]) {
    if (!d.initializer) this.unsupported(d, 'A destructuring without a value');
    const init = this.expr(d.initializer);
    if (!init.rec || init.d !== 1) this.unsupported(d.initializer, `Destructuring ${describeTyped(init)} into fields`, 'Destructure a record: `const { x, y } = p`.');
    const range = this.range(d);
    const tmp = this.hidden('t', 'arr', 1, range);
    this.recOf.set(tmp, init.rec);
    out.push({ k: 'let', v: tmp, init: init.e, range });
    const whole = this.varTyped(tmp, range);
    for (const el of pattern.elements) {
      const key = el.propertyName ? propertyName(el.propertyName) : ts.isIdentifier(el.name) ? el.name.text : undefined;
      if (key === undefined || !ts.isIdentifier(el.name) || el.dotDotDotToken || el.initializer) this.unsupported(el, 'This destructuring pattern', 'Write `const { x, y } = p` or `const { x: px } = p`.');
      const r = this.range(el);
      const field = this.selectField(whole, key, el, r);
      const v = this.declare(el.name.text, field.t, field.d, 'local', this.range(el.name));
      this.note(v, field);
      if (isConst(list)) this.constLocals.add(v);
      out.push({ k: 'let', v, init: field.e, range: r });
    }
  }

  /** For each `var` declaration's name, its first use outside its block (or before it); computed once per function. */
  private varUses: Map<ts.Identifier, ts.Node | undefined> | null = null;

  /**
   * The first use of the name a `var` declares outside the block (or `for`) that declares it, or
   * before the declaration, or another declaration of it: where `var` and `let` would differ.
   */
  protected varEscapes(name: ts.Identifier, _list: ts.VariableDeclarationList): ts.Node | undefined {
    if (!this.varUses) {
      const decls: { name: ts.Identifier; list: ts.VariableDeclarationList; scope: ts.Node }[] = [];
      const uses: ts.Identifier[] = [];
      const visit = (n: ts.Node, scope: ts.Node): void => {
        if (ts.isPropertyAccessExpression(n)) { visit(n.expression, scope); return; }
        if (ts.isPropertyAssignment(n)) { if (ts.isComputedPropertyName(n.name)) visit(n.name, scope); visit(n.initializer, scope); return; }
        if (ts.isVariableDeclarationList(n) && (n.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const | ts.NodeFlags.Using)) === 0) {
          for (const d of n.declarations) if (ts.isIdentifier(d.name)) decls.push({ name: d.name, list: n, scope });
        }
        if (ts.isIdentifier(n)) uses.push(n);
        const inner = ts.isBlock(n) || ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isForInStatement(n) ? n : scope;
        ts.forEachChild(n, (c) => visit(c, inner));
      };
      const body = this.sf.node.body;
      if (body) visit(body, body);
      this.varUses = new Map();
      const byName = new Map<string, ts.Identifier[]>();
      for (const u of uses) {
        const list = byName.get(u.text);
        if (list) list.push(u); else byName.set(u.text, [u]);
      }
      const declOf = new Map(decls.map((d) => [d.name, d]));
      for (const d of decls) {
        const escape = (byName.get(d.name.text) ?? []).find((u) => u !== d.name &&
          (u.pos < d.scope.pos || u.end > d.scope.end || u.pos < d.name.end || (declOf.has(u) && declOf.get(u)!.list !== d.list)));
        this.varUses.set(d.name, escape);
      }
    }
    return this.varUses.get(name);
  }
}

/** A `break` of the enclosing `switch` inside `s` (not one of a loop or a `switch` nested in it). */
function switchBreak(s: ts.Node): ts.Node | undefined {
  if (ts.isBreakStatement(s) && !s.label) return s;
  if (ts.isIterationStatement(s, false) || ts.isSwitchStatement(s) || ts.isFunctionLike(s)) return undefined;
  let found: ts.Node | undefined;
  ts.forEachChild(s, (c) => { found ??= switchBreak(c); });
  return found;
}

/**
 * A loop whose test needs statements first (`while ((t -= 1) > 0)`): they run at the top of every
 * iteration, before the test, which becomes a `break` (`continue` reaches them through the update).
 */
function loopWithTest(pre: Stmt[], test: Expr | null, body: Stmt[], update: Stmt[], range: Range): Stmt {
  if (pre.length === 0 || !test) return { k: 'loop', test, body, update, range };
  const exit: Stmt = { k: 'if', test: { k: 'not', x: test, range: test.range }, then: [{ k: 'break', range }], else: [], range };
  return { k: 'loop', test: null, body: [...pre, exit, ...body], update, range };
}

/**
 * The default a function's body gives parameter `name` before any other use of it:
 * `if (s === undefined) s = 1.5;` (`== undefined`, `== null`, `typeof s === 'undefined'`), `s = s ?? 1.5`,
 * `s ??= 1.5`, `s = s || 1.5`, `s ||= 1.5`: the value a missing parameter takes (lowerToIr.ts).
 */
export function bodyDefault(body: ts.Block, name: string): ts.Expression | undefined {
  const isName = (x: ts.Expression) => { x = unwrapInitializer(x); return ts.isIdentifier(x) && x.text === name; };
  const assigned = (x: ts.Expression, ops: ts.SyntaxKind[]): ts.Expression | undefined => {
    x = unwrapInitializer(x);
    if (!ts.isBinaryExpression(x) || !isName(x.left)) return undefined;
    if (x.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const r = unwrapInitializer(x.right);
      // `s = s ?? K`, `s = s || K`
      if (ts.isBinaryExpression(r) && ops.includes(r.operatorToken.kind) && isName(r.left)) return r.right;
      return ops.length === 0 ? r : undefined;
    }
    if (x.operatorToken.kind === ts.SyntaxKind.QuestionQuestionEqualsToken || x.operatorToken.kind === ts.SyntaxKind.BarBarEqualsToken) return x.right;
    return undefined;
  };
  const mentions = (n: ts.Node): boolean => (ts.isIdentifier(n) && n.text === name) || (ts.forEachChild(n, (c) => (mentions(c) ? true : undefined)) ?? false);
  for (const st of body.statements) {
    if (ts.isIfStatement(st) && !st.elseStatement && ts.isBinaryExpression(st.expression)) {
      const test = st.expression;
      const k = test.operatorToken.kind;
      const loose = k === ts.SyntaxKind.EqualsEqualsToken;
      const subject = (loose || k === ts.SyntaxKind.EqualsEqualsEqualsToken) ? undefinedOperand(test, loose, () => true) : undefined;
      let then: ts.Statement = st.thenStatement;
      if (ts.isBlock(then) && then.statements.length === 1) then = then.statements[0];
      if (subject && isName(subject) && ts.isExpressionStatement(then)) {
        const value = assigned(then.expression, []);
        if (value) return value;
      }
    }
    if (ts.isExpressionStatement(st)) {
      const value = assigned(st.expression, [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken]);
      if (value) return value;
    }
    if (mentions(st)) return undefined;
  }
  return undefined;
}

function isConst(list: ts.ForInitializer): boolean {
  return ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.BlockScoped) === ts.NodeFlags.Const;
}
