// Assignments, in the chain of lowerers (lower/core.ts … lower/typed.ts) between calls and
// statements: `target op= value` into a local, an array element, a record's field or a field of
// an element of a local array of records (`g[i].x -= …`, as a row replaced by a copy with that
// field changed, checked for sharing once the function is lowered); logical assignments
// (`t ||= v`); and assignments inside expressions (Penner's `c * (t /= d) * t + b`, `a[i++]`),
// hoisted before their statement in evaluation order (core.ts `hoistInto`).

import ts = require('typescript');
import type { ArithOp, Expr, Range, Stmt } from '../ir';
import { children } from '../irWalk';
import { Typed, typeName } from './core';
import { CallLowerer } from './calls';
import { describeTyped } from './expressions';
import { assignmentKind, BITWISE_HINT } from './operators';
import { unwrapInitializer } from '../declarationForms';

export abstract class AssignmentLowerer extends CallLowerer {
  /** Every variable `n` names (without lowering it): read before what follows in evaluation order. */
  protected markReads(n: ts.Node): void {
    if (ts.isIdentifier(n)) {
      const v = this.lookup(n.text);
      if (v !== undefined) this.readsSoFar.add(v);
      return;
    }
    if (ts.isPropertyAccessExpression(n)) { this.markReads(n.expression); return; }
    ts.forEachChild(n, (c) => this.markReads(c));
  }

  /**
   * An assignment inside an expression, Penner's `c * (t /= d) * t + b`, `(t -= 2)`, `a[i++]`:
   * the assignment goes before the statement (core.ts `hoistInto`), and the expression reads the
   * variable (for `t++`, a copy of its old value). Exact when nothing before it in evaluation order
   * reads the variable (else a GL002), and where it runs unconditionally: not in a branch of `?:`,
   * the right side of `&&`/`||`/`??` or a mapping function's body. Identifiers only.
   */
  protected assignmentExpr(e: ts.BinaryExpression | ts.PrefixUnaryExpression | ts.PostfixUnaryExpression, range: Range): Typed {
    const out = this.hoistInto;
    const binary = ts.isBinaryExpression(e);
    const what = binary ? 'An assignment' : `\`${ts.tokenToString(e.operator)}\``;
    if (!out) this.unsupported(e, `${what} inside ${this.hoistBlocked}`, 'Assign in a statement of its own before it.');
    const target = unwrapInitializer(binary ? e.left : e.operand);
    if (ts.isElementAccessExpression(target)) return this.elementAssignmentExpr(e, target, what, range, out);
    if (!ts.isIdentifier(target)) this.unsupported(e, `${what} to a field inside an expression`, 'Assign in a statement of its own.');
    const v = this.lookup(target.text);
    if (v !== undefined && this.readsSoFar.has(v)) {
      this.unsupported(e, `${what} to '${target.text}' inside an expression that reads '${target.text}' before it`, `JavaScript reads the old value there and the new one after; assign '${target.text}' in a statement of its own.`);
    }
    let op: ArithOp | null;
    let rhs: Typed;
    if (binary) {
      const kind = assignmentKind(e.operatorToken.kind);
      if (kind.k === 'logical') this.unsupported(e, `'${e.operatorToken.getText(this.sfile)}' inside an expression`, 'Write it as a statement of its own.');
      if (kind.k === 'bitwise') this.unsupported(e, `The compound assignment '${e.operatorToken.getText(this.sfile)}' (${kind.what})`, BITWISE_HINT);
      op = kind.op;
      if (op && v !== undefined) this.readsSoFar.add(v); // read before the value, as JavaScript does
      rhs = this.expr(e.right);
    } else {
      op = e.operator === ts.SyntaxKind.PlusPlusToken ? '+' : '-';
      rhs = { e: { k: 'const', value: 1, range }, t: 'num', d: 0 };
    }
    let old: number | undefined;
    if (ts.isPostfixUnaryExpression(e) && v !== undefined) {
      // `t++` is the old value: kept in a hidden variable before the assignment.
      old = this.hidden('old', 'num', 0, range);
      out.push({ k: 'let', v: old, init: this.num(target), range });
    }
    this.assignTo(target, op, rhs, range, out);
    if (old !== undefined) return { e: { k: 'var', id: old, range }, t: 'num', d: 0 };
    return this.varTyped(this.lookup(target.text)!, range);
  }

  /**
   * `a[i] = v`, `a[i] += v`, `a[i]++` inside an expression (`out[0] = out[1] = 0`): JavaScript
   * evaluates `a` and `i`, then the value, then stores. The index and the value are kept in hidden
   * variables, the store goes before the statement, and the expression is the value stored (the
   * old element for `a[i]++`). A GL002 where the statement read `a` before.
   */
  private elementAssignmentExpr(e: ts.BinaryExpression | ts.PrefixUnaryExpression | ts.PostfixUnaryExpression, target: ts.ElementAccessExpression, what: string, range: Range, out: Stmt[]): Typed {
    const base = unwrapInitializer(target.expression);
    if (!ts.isIdentifier(base)) this.unsupported(target, 'Writing into a nested array element', 'Write `a[i] = …` on a one-dimensional local array.');
    const v = this.lookup(base.text);
    if (v === undefined) this.unsupported(base, `'${base.text}', which is not a local variable,`);
    if (this.readsSoFar.has(v)) {
      this.unsupported(e, `${what} to an element of '${base.text}' inside an expression that reads '${base.text}' before it`, `JavaScript reads the old elements there and the new ones after; assign in a statement of its own.`);
    }
    this.checkOuterWrite(v, base);
    this.checkWritable(v, base);
    const r = this.range(target);
    const k = this.hidden('k', 'num', 0, r);
    out.push({ k: 'let', v: k, init: this.num(target.argumentExpression), range: r });
    const elem: Typed = { e: { k: 'index', array: { k: 'var', id: v, range: this.range(base) }, index: { k: 'var', id: k, range: r }, range: r }, t: 'num', d: 0 };
    let op: ArithOp | null;
    let rhs: Typed;
    if (ts.isBinaryExpression(e)) {
      const kind = assignmentKind(e.operatorToken.kind);
      if (kind.k !== 'arith') this.unsupported(e, `'${e.operatorToken.getText(this.sfile)}' inside an expression`, 'Write it as a statement of its own.');
      op = kind.op;
      // A compound assignment reads the element before the value: the value must not write `a`.
      if (op) this.readsSoFar.add(v);
      rhs = this.expr(e.right);
    } else {
      op = e.operator === ts.SyntaxKind.PlusPlusToken ? '+' : '-';
      rhs = { e: { k: 'const', value: 1, range }, t: 'num', d: 0 };
    }
    const value = op ? this.arith(op, elem, rhs, range) : rhs;
    if (value.t !== 'num' || value.str) this.unsupported(target, 'Storing something other than a number into an array element');
    const postfix = ts.isPostfixUnaryExpression(e);
    const tmp = this.hidden(postfix ? 'old' : 'v', 'num', 0, range);
    const tv: Expr = { k: 'var', id: tmp, range };
    out.push({ k: 'let', v: tmp, init: postfix ? elem.e : value.e, range });
    out.push({ k: 'store', array: v, index: { k: 'var', id: k, range: r }, value: postfix ? { k: 'binary', op: op!, a: tv, b: rhs.e, range } : tv, range });
    return { e: tv, t: 'num', d: 0 };
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
    // The value is lowered (and checked) even where JavaScript would not evaluate it; what it
    // assigns (`t ||= (k += 1)`) runs only where it is evaluated.
    const { x: rhs, pre } = this.branch(e.right, `the right side of '${opText}' (it runs only when the assignment happens)`);
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
      out.push(...(pre ?? []));
      this.assignTo(target, null, rhs, range, out);
      return;
    }
    const then: Stmt[] = [...(pre ?? [])];
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
      this.checkOuterWrite(v, target);
      // `w = w || [0, 0]` on an array (always truthy) assigns `w` to itself: nothing happens.
      if (!op && rhs.e.k === 'var' && rhs.e.id === v) return;
      const rec = this.recOf.get(v);
      if (!op && rec && decl.depth === 1) rhs = this.coerce(rhs, rec, target);
      if (!!this.strVars.has(v) !== !!rhs.str && !op) this.unsupported(target, `Assigning ${rhs.str ? 'a string to' : 'something that is not a string to the string'} '${target.text}'`);
      const value = op ? this.arith(op, this.varTyped(v, this.range(target)), rhs, range) : rhs;
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
      this.checkOuterWrite(v, base);
      this.checkWritable(v, base);
      const index = this.num(target.argumentExpression);
      const elem: Typed = { e: { k: 'index', array: { k: 'var', id: v, range: this.range(base) }, index, range: this.range(target) }, t: 'num', d: 0 };
      const value = op ? this.arith(op, elem, rhs, range) : rhs;
      if (value.t !== 'num') this.unsupported(target, 'Storing something other than a number into an array element');
      out.push({ k: 'store', array: v, index, value: value.e, range });
      return;
    }
    if (ts.isPropertyAccessExpression(target)) {
      // `v.x = …`, `s.pos.x += …` on a local record: a store into its array of fields.
      const path: string[] = [];
      let base: ts.Expression = target;
      while (ts.isPropertyAccessExpression(base)) { path.unshift(base.name.text); base = base.expression; }
      base = unwrapInitializer(base);
      if (ts.isElementAccessExpression(base)) { this.rowFieldStore(target, base, path.join('.'), op, rhs, range, out); return; }
      const v = ts.isIdentifier(base) ? this.lookup(base.text) : undefined;
      const rec = v === undefined ? undefined : this.recOf.get(v);
      if (v === undefined || !rec || this.vars[v].depth !== 1) this.unsupported(target, 'This assignment target', 'Assign to a local variable, an element `a[i]` of a local array, a field `v.x` of a local record, or a field `a[i].x` of an element of a local array of records.');
      const k = rec.fields.findIndex((f) => f.path === path.join('.'));
      if (k < 0) this.unsupported(target, `'${path.join('.')}', which is not a number field of '${this.vars[v].name}',`, `Its fields: ${rec.fields.map((f) => f.path).join(', ')}.`);
      this.checkOuterWrite(v, base);
      if (this.vars[v].kind === 'param') this.unsupported(target, `Writing into the parameter record '${this.vars[v].name}'`, `Copy it first: \`const ${this.vars[v].name}2 = { ...${this.vars[v].name} };\`.`);
      const r = this.range(target);
      const index: Expr = { k: 'const', value: k, range: r };
      const elem = this.fieldOf(this.varTyped(v, this.range(base)), k, r);
      const value = op ? this.arith(op, elem, rhs, range) : rhs;
      if (value.t !== elem.t || !value.str !== !elem.str || value.t === 'arr') this.unsupported(target, `Storing ${value.t === 'arr' ? 'an array or record' : 'a value of another type'} into the field '${path.join('.')}'`);
      this.vars[v].reassigned = true;
      out.push({ k: 'store', array: v, index, value: value.e, range });
      return;
    }
    this.unsupported(target, 'This assignment target', 'Assign to a local variable or an element `a[i]` of a local array.');
  }

  /** Local arrays of records a field of whose elements is written (`g[i].x -= …`): checked by `checkRowStores`. */
  private readonly rowStored = new Map<number, ts.Node>();
  /** The reads of an element before a field store (`rowFieldStore`): not a sharing of the element. */
  private readonly rowReads = new WeakSet<Expr>();

  /**
   * `g[i].x = v`, `g[i].y += v` on a local array of records: JavaScript reads the element `g[i]`
   * (a TypeError past the end), then writes its field. Here the index and the element are read
   * once into hidden variables, and the element is replaced by a copy with the field changed:
   * the same as writing in place while no other variable shares the element, which
   * `checkRowStores` makes sure of once the function is lowered.
   */
  protected rowFieldStore(target: ts.Expression, elem: ts.ElementAccessExpression, path: string, op: ArithOp | null, rhs: Typed, range: Range, out: Stmt[]) {
    const arrNode = unwrapInitializer(elem.expression);
    const v = ts.isIdentifier(arrNode) ? this.lookup(arrNode.text) : undefined;
    const rec = v === undefined ? undefined : this.recOf.get(v);
    if (v === undefined || !rec || this.vars[v].depth !== 2) {
      this.unsupported(target, 'This assignment target', 'Assign to a local variable, an element `a[i]` of a local array, a field `v.x` of a local record, or a field `a[i].x` of an element of a local array of records.');
    }
    const name = this.vars[v].name;
    this.checkOuterWrite(v, arrNode);
    if (this.vars[v].kind === 'param') this.unsupported(target, `Writing into an element of the parameter '${name}'`, `Build a local array: \`const ${name}2 = ${name}.map((p) => ({ ...p }));\`.`);
    const k = rec.fields.findIndex((f) => f.path === path);
    if (k < 0) this.unsupported(target, `'${path}', which is not a number field of the elements of '${name}',`, `Their fields: ${rec.fields.map((f) => f.path).join(', ')}.`);
    const r = this.range(target);
    const kv = this.hidden('k', 'num', 0, r);
    out.push({ k: 'let', v: kv, init: this.num(elem.argumentExpression), range: r });
    const at: Expr = { k: 'var', id: kv, range: r };
    const read: Expr = { k: 'index', array: { k: 'var', id: v, range: this.range(arrNode) }, index: at, range: r };
    this.rowReads.add(read);
    const row = this.hidden('row', 'arr', 1, r);
    this.recOf.set(row, rec);
    out.push({ k: 'let', v: row, init: read, range: r });
    const field = this.fieldOf(this.varTyped(row, r), k, r);
    const value = op ? this.arith(op, field, rhs, range) : rhs;
    if (value.t !== field.t || !value.str !== !field.str) this.unsupported(target, `Storing ${describeTyped(value)} into the field '${path}'`);
    const elements: Expr[] = rec.fields.map((_, j) => (j === k ? value.e : { k: 'index', array: { k: 'var', id: row, range: r }, index: { k: 'const', value: j, range: r }, range: r }));
    out.push({ k: 'store', array: v, index: at, value: { k: 'arrayLit', elements, range: r }, range });
    this.vars[v].reassigned = true;
    if (!this.rowStored.has(v)) this.rowStored.set(v, target);
  }

  /**
   * After lowering: an array whose elements' fields are written (`rowFieldStore`) must not share
   * an element with anything else (a local bound to `g[i]`, a `for…of` over it, an element pushed
   * from elsewhere, `fill` with one record), since replacing the element would not change the
   * other holder as writing in place does in JavaScript. Each sharing found is a GL002.
   */
  protected checkRowStores(body: Stmt[]): void {
    if (this.rowStored.size === 0) return;
    const shared = new Map<number, Range>();
    const fresh = (e: Expr): boolean => e.k === 'arrayLit' && e.elements.every((x) => x.k !== 'arrayLit' || fresh(x));
    const visit = (e: Expr, fieldBase: boolean): void => {
      if (e.k === 'var' && this.rowStored.has(e.id) && !fieldBase) { if (!shared.has(e.id)) shared.set(e.id, e.range); return; }
      if (e.k === 'length' && e.array.k === 'var') return;
      if (e.k === 'index' && e.array.k === 'var' && this.rowStored.has(e.array.id)) {
        if (!fieldBase && !this.rowReads.has(e) && !shared.has(e.array.id)) shared.set(e.array.id, e.range);
        visit(e.index, false);
        return;
      }
      if (e.k === 'index') { visit(e.array, true); visit(e.index, false); return; }
      if (e.k === 'arrayFrom') { visit(e.length, false); visit(e.body, false); return; }
      for (const c of children(e)) visit(c, false);
    };
    const stmt = (s: Stmt): void => {
      switch (s.k) {
        case 'let': case 'assign': {
          const target = s.v;
          const value = s.k === 'let' ? s.init : s.value;
          if (this.rowStored.has(target)) {
            const ok = s.k === 'let' && (fresh(value) || (value.k === 'arrayFrom' && value.body.k === 'arrayLit' && fresh(value.body)));
            if (!ok && !shared.has(target)) shared.set(target, value.range);
            if (ok) { visit(value, true); return; }
          }
          visit(value, false);
          return;
        }
        case 'store': visit(s.index, false); visit(s.value, this.rowStored.has(s.array) && fresh(s.value)); return;
        case 'push':
          if (this.rowStored.has(s.array) && !fresh(s.value) && !shared.has(s.array)) shared.set(s.array, s.value.range);
          visit(s.value, false);
          return;
        case 'if': visit(s.test, false); s.then.forEach(stmt); s.else.forEach(stmt); return;
        case 'loop': if (s.test) visit(s.test, false); s.body.forEach(stmt); s.update.forEach(stmt); return;
        // The function's result: nothing runs after it.
        case 'return': visit(s.value, s.value.k === 'var'); return;
        case 'break': case 'continue': return;
      }
    };
    body.forEach(stmt);
    for (const [v, range] of shared) {
      const name = this.vars[v].name;
      this.diagnostics.push({ code: 'GL002', severity: 'warning', range, functionName: this.sf.name,
        message: `An element of '${name}' shared with another value here, while a field of '${name}[…]' is written, is outside Gradlens's differentiable subset. Fill '${name}' with new records (\`${name}.push({ x: 0, y: 0 })\`) and read fields (\`${name}[i].x\`) rather than whole elements.`,
        related: [{ range: this.range(this.rowStored.get(v)!), message: `a field of '${name}[…]' is written here` }] });
    }
  }

  protected checkWritable(v: number, n: ts.Node) {
    const decl = this.vars[v];
    if (this.recOf.has(v) && decl.depth === 1) this.unsupported(n, `Indexing the record '${decl.name}'`, 'Write a field: `v.x = …`.');
    if (decl.type !== 'arr') this.unsupported(n, `'${decl.name}' is not an array; this write`);
    if (decl.kind === 'param') this.unsupported(n, `Writing into the parameter array '${decl.name}'`, `Copy it first: \`const ${decl.name}2 = ${decl.name}.slice();\`.`);
    if (decl.depth !== 1) this.unsupported(n, 'Writing into an array of arrays', 'Write into one-dimensional local arrays.');
  }
}

