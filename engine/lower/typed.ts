// Lowering that needs types beyond a construct's own syntax (issue 13's type-aware front end):
//
// - a call to a helper that declares no return type: its JSDoc `@returns {T}`, else its syntax
//   (lower/types.ts `guessedReturnKind`), else the checker's inference (engine/typeOracle.ts),
//   so `var p = softmax(z); p[k]` indexes the array softmax returns;
// - record classes (lower/types.ts `classRecord`: `class Vector2 { constructor(public x: number,
//   public y: number) {} … }`): `new Vector2(a, b)` builds the record from the constructor's
//   parameter properties and `this.f = …` assignments, and a method called on a record value
//   (`a.sub(b).dot(c)`) is a call to the method with its `this` fields bound to that record's
//   fields (the method's implicit inputs, engine/declarationForms.ts), so the IR and every mode
//   stay as they are.

import ts = require('typescript');
import type { Expr, IrFunction, IrParam, Range, Stmt } from '../ir';
import { children, substitute } from '../irWalk';
import type { SourceFunction } from '../sourceFunction';
import type { FileImports } from '../imports';
import { inferredReturnShape } from '../typeOracle';
import { Typed, Unsupported } from './core';
import { StatementLowerer } from './statements';
import { classesWithMethod, guessedReturnKind, guessReturnType, instanceMethodsOf, jsDocReturnType, paramType, recordClass, type RecordClass, ShapeType } from './types';
import { boundUserText, plural } from '../format';

/** Array methods the subset lowers itself: never taken for a record class's method of the same name. */
const ARRAY_METHODS = new Set(['map', 'slice', 'fill', 'push', 'from', 'forEach', 'reduce']);

export abstract class TypedLowerer extends StatementLowerer {
  /** Statements binding a destructured parameter's names, run before the body (`run` prepends them). */
  protected readonly prologue: Stmt[] = [];

  /**
   * `function f({ x, y }: Vec2)`: one record parameter, named after its type (`vec2`; `arg0` when
   * the type has no name or the name is taken), whose fields the names are bound to before the
   * body. `@at vec2 = { x: 1, y: 2 }` gives it; its gradient is a record `{ x, y }`.
   */
  protected destructuredParam(p: ts.ParameterDeclaration, index: number, typeNode: ts.TypeNode | undefined): IrParam | undefined {
    const pattern = p.name as ts.BindingPattern;
    const ty = typeNode ? paramType(typeNode, this.sfile) : undefined;
    const isRecord = !!ty?.record && ty.depth === 1 && ts.isObjectBindingPattern(pattern);
    const isTuple = !!ty && ty.type === 'arr' && !ty.record && ts.isArrayBindingPattern(pattern);
    if (!ty || !(isRecord || isTuple) || ty.constant) {
      this.report(p, 'A destructured parameter without a record type', 'Type it: `{ x, y }: Vec2` (an interface, type alias or class of numbers), or `[a, b]: [number, number]`.');
      return undefined;
    }
    if (p.initializer) { this.report(p.initializer, 'A default value of a destructured parameter', 'Give the values in `@at`.'); return undefined; }
    const bound = new Set<string>();
    const collect = (b: ts.BindingName) => { if (ts.isIdentifier(b)) bound.add(b.text); else for (const el of b.elements) if (!ts.isOmittedExpression(el)) collect(el.name); };
    collect(pattern);
    const typeName = typeNode && ts.isTypeReferenceNode(typeNode) && ts.isIdentifier(typeNode.typeName) ? typeNode.typeName.text : undefined;
    const taken = (n: string) => bound.has(n) || this.sf.node.parameters.some((q) => ts.isIdentifier(q.name) && q.name.text === n) || this.lookup(n) !== undefined;
    let name = typeName ? typeName[0].toLowerCase() + typeName.slice(1) : `arg${index}`;
    if (taken(name)) name = `arg${index}`;
    const range = this.range(p);
    const v = this.declare(name, 'arr', ty.depth, 'param', range);
    this.note(v, { rec: ty.record });
    try {
      this.bindPattern(pattern, this.varTyped(v, range), ty.tupleLength);
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
    }
    return {
      name, v, type: 'arr', depth: ty.depth, typeText: typeNode!.getText(this.sfile), tupleLength: ty.tupleLength, range,
      ...(ty.record ? { record: ty.record } : {}),
    };
  }

  /** Binds each name of a pattern to its part of `value` (a field of a record, an element of a tuple). */
  private bindPattern(pattern: ts.BindingPattern, value: Typed, length?: number): void {
    pattern.elements.forEach((el, i) => {
      if (ts.isOmittedExpression(el)) return;
      if (el.dotDotDotToken) this.unsupported(el, 'A rest element in a parameter pattern', 'Name each field.');
      if (el.initializer) this.unsupported(el.initializer, 'A default value in a parameter pattern', 'Give the values in `@at`.');
      const range = this.range(el);
      let part: Typed;
      if (ts.isObjectBindingPattern(pattern)) {
        const keyNode = el.propertyName ?? el.name;
        const key = ts.isIdentifier(keyNode) || ts.isStringLiteral(keyNode) ? keyNode.text : undefined;
        if (key === undefined) this.unsupported(keyNode, 'A computed field name in a parameter pattern', 'Name the field.');
        part = this.selectField(value, key, keyNode, range);
      } else {
        if (length !== undefined && i >= length) this.unsupported(el, 'An element past the end of the tuple');
        part = { e: { k: 'index', array: value.e, index: { k: 'const', value: i, range }, range }, t: value.d > 1 ? 'arr' : 'num', d: value.d - 1 };
      }
      if (!ts.isIdentifier(el.name)) { this.bindPattern(el.name, part); return; }
      const v = this.declare(el.name.text, part.t, part.d, 'local', this.range(el.name));
      this.note(v, part);
      this.prologue.push({ k: 'let', v, init: part.e, range });
    });
  }

  /** A helper's return shape when it declares no TypeScript type: JSDoc, or inferred. */
  protected callFunction(helper: SourceFunction, argNodes: readonly ts.Expression[], node: ts.Node, range: Range): Typed {
    const r = super.callFunction(helper, argNodes, node, range);
    if (helper.node.type) return r;
    const shape = this.undeclaredReturnShape(helper);
    if (!shape) return r;
    return { e: r.e, t: shape.type, d: shape.depth, rec: shape.record && shape.depth === 1 ? shape.record : r.rec };
  }

  /** What a helper without a TypeScript return type returns: its JSDoc `@returns {T}`, else the checker's inference when syntax cannot tell. */
  private undeclaredReturnShape(helper: SourceFunction): ShapeType | undefined {
    const doc = jsDocReturnType(helper.decl) ?? jsDocReturnType(helper.node);
    const shape = doc ? paramType(doc, this.sfile) : inferredReturnShape(helper.node, this.sfile, helper.decl);
    return shape && !shape.constant ? shape : undefined;
  }

  /** `this` as a value in a method of a record class (`this.dot(this)`): the record of its fields. */
  protected exprNode(e: ts.Expression): Typed {
    if (e.kind === ts.SyntaxKind.ThisKeyword && this.sf.form === 'method' && !this.sf.isStatic && this.sf.thisObject) {
      const cls = recordClass(this.sf.thisObject, this.sfile);
      if (cls) {
        const range = this.range(e);
        const elements = cls.shape.record!.fields.map((f) => {
          const v = this.implicitVars.get(`this.${f.path}`);
          if (v === undefined) this.unsupported(e, `\`this\` as a value, whose field '${f.path}' no method of ${this.sf.thisObject} reads`, `Read the fields (\`this.${f.path}\`), or pass them.`);
          return { k: 'var', id: v, range } as Expr;
        });
        return { e: { k: 'arrayLit', elements, range }, t: 'arr', d: 1, rec: cls.shape.record };
      }
    }
    return super.exprNode(e);
  }

  /**
   * A write into the last of several parameters, an array: an objective that fills the gradient
   * it is given (fmin, L-BFGS: \`f(x, grad)\`) unless declared so. The diagnostic says what to declare.
   */
  protected checkWritable(v: number, n: ts.Node): void {
    const decl = this.vars[v];
    const params = this.sf.node.parameters;
    const last = params[params.length - 1];
    if (decl.kind === 'param' && decl.type === 'arr' && decl.depth === 1 && !this.recOf.has(v) && params.length > 1 && ts.isIdentifier(last.name) && last.name.text === decl.name) {
      this.unsupported(n, `Writing into the parameter array '${decl.name}'`,
        `If '${decl.name}' receives the gradient (a function that returns its value and fills the gradient it is passed), declare it: \`@gradient ${this.sf.name} fused\`. Otherwise copy it first: \`const ${decl.name}2 = ${decl.name}.slice();\`.`);
    }
    super.checkWritable(v, n);
  }

  /** Method names of the file's record classes (asked per method call; the file's classes are few). */
  /** Per method name, the record classes that declare it (the file's, then imported ones). */
  private readonly recordMethods = new Map<string, string[]>();

  /**
   * The record classes declaring the instance method `method`: the file's classes are found by
   * their methods' names, and only those are read as records (placed: engine/statementSplice.ts).
   */
  private recordClassesWithMethod(method: string): string[] {
    let out = this.recordMethods.get(method);
    if (out) return out;
    out = [];
    for (const c of classesWithMethod(this.sfile, method)) if (recordClass(c.name!.text, this.sfile)) out.push(c.name!.text);
    for (const [name, c] of this.fileImports()?.importedRecordClasses() ?? []) if (instanceMethodsOf(c.cls.decl).includes(method)) out.push(name);
    this.recordMethods.set(method, out);
    return out;
  }

  /** The other modules this file imports from (the program's, engine/imports.ts), if it was read with a host. */
  private fileImports(): FileImports | undefined {
    return (this.program as { imports?: FileImports }).imports;
  }

  protected call(e: ts.CallExpression, range: Range): Typed {
    const callee = e.expression;
    // A receiver that is a name must be a variable (`Math.max`, `M.dot` of an import are not records).
    const receiver = ts.isPropertyAccessExpression(callee) ? callee.expression : undefined;
    if (receiver && receiver.kind !== ts.SyntaxKind.ThisKeyword && (!ts.isIdentifier(receiver) || this.lookup(receiver.text) !== undefined) &&
      !ARRAY_METHODS.has((callee as ts.PropertyAccessExpression).name.text) && this.recordClassesWithMethod((callee as ts.PropertyAccessExpression).name.text).length > 0 &&
      !this.program.resolveCallee(this.sf, callee)) {
      return this.recordMethodCall(e, callee as ts.PropertyAccessExpression, range);
    }
    return super.call(e, range);
  }

  /** `v.m(args)` on a value of a record class: the method, its `this` fields those of `v`. */
  private recordMethodCall(e: ts.CallExpression, callee: ts.PropertyAccessExpression, range: Range): Typed {
    const method = callee.name.text;
    let receiver = this.expr(callee.expression);
    // Each field the method reads repeats the receiver: a computed one (`a.sub(b).dot(c)`) goes
    // into a local before the statement where that keeps the order of evaluation (lower/core.ts).
    if (receiver.e.k !== 'var' && this.hoistInto) {
      const tmp = this.hidden('r', 'arr', receiver.d, range);
      this.hoistInto.push({ k: 'let', v: tmp, init: receiver.e, range });
      receiver = { ...receiver, e: { k: 'var', id: tmp, range } };
    }
    const cls = receiver.rec && receiver.d === 1 ? receiver.rec.name : null;
    const helper = cls ? this.program.functions.get(`${cls}.${method}`) : undefined;
    const imported = cls && !helper ? this.fileImports()?.importedMethod(cls, method) : undefined;
    if (imported?.kind === 'problem') this.unsupported(e, `A call to '${imported.name}', which ${imported.why},`, imported.advice);
    if (imported?.kind === 'function') return this.importedMethodCall(imported.name, imported.fn, receiver, e, range);
    if (!helper || helper.form !== 'method' || helper.isStatic) {
      const classes = this.recordClassesWithMethod(method);
      this.unsupported(e, `The method call '.${method}(…)' on ${cls ? `a record (${cls})` : 'a value that is not a record of a class'}`, `'${method}' is a method of ${classes.join(', ')}; call it on a value of that type (a parameter typed ${classes[0]}, or \`new ${classes[0]}(…)\`).`);
    }
    // Where it cannot (a loop's test, a branch that may not run), a long chain of methods
    // (`a.m(b).m(c).m(d)…`) would grow exponentially. Past a size, a local is asked for.
    if (irSize(receiver.e, MAX_RECEIVER_NODES) > MAX_RECEIVER_NODES) {
      this.unsupported(callee.expression, 'A chain of method calls this long on a record', `Assign part of it to a local: \`const v = ${boundUserText(callee.expression.getText(this.sfile), 40)};\`.`);
    }
    return this.callFunctionOn(helper, receiver, e.arguments, e, range);
  }

  /** A method of a record class another module declares, lowered there (engine/imports.ts), called with `this` bound to `receiver`'s fields. */
  private importedMethodCall(name: string, fn: IrFunction, receiver: Typed, e: ts.CallExpression, range: Range): Typed {
    const declared = fn.params.filter((p) => !p.implicit);
    if (e.arguments.length !== declared.length) this.unsupported(e, `A call to '${name}' with ${plural(e.arguments.length, 'argument')} (it takes ${declared.length})`, 'Pass every parameter.');
    const args: Expr[] = e.arguments.map((a, i) => {
      const x = this.expr(a);
      const p = declared[i];
      if ((p.constant === 'bool') !== (x.t === 'bool') || (p.constant === 'str') !== !!x.str) this.unsupported(a, `${x.t === 'bool' ? 'A boolean' : x.str ? 'A string' : 'An'} argument where '${name}' takes ${p.typeText}`);
      if (p.record && p.depth === 1) return this.coerce(x, p.record, a).e;
      if (x.rec && x.d === 1) this.unsupported(a, 'A record passed where a number or array is expected');
      return x.e;
    });
    for (const p of fn.params.filter((q) => q.implicit)) {
      const k = p.implicit === 'this' ? receiver.rec!.fields.findIndex((f) => `this.${f.path}` === p.name) : -1;
      if (k < 0) this.unsupported(e, `A call to '${name}', which reads '${p.name}' (not a field of ${receiver.rec!.name})`, 'A method called on a record reads its fields.');
      args.push(this.fieldOf(receiver, k, range).e);
    }
    this.calls.add(name);
    const d = fn.returnType === 'num' ? 0 : fn.returnRecord ? 1 : Math.max(1, (fn.returnTypeText?.match(/\[\]|Array</g) ?? []).length);
    return { e: { k: 'call', fn: name, args, range }, t: fn.returnType, d, rec: fn.returnRecord };
  }

  /** A method of a record class called with `this` bound to `receiver`'s fields. */
  private callFunctionOn(helper: SourceFunction, receiver: Typed, argNodes: readonly ts.Expression[], node: ts.Node, range: Range): Typed {
    if (argNodes.length !== helper.node.parameters.length) this.unsupported(node, `A call to '${helper.name}' with ${plural(argNodes.length, 'argument')} (it takes ${helper.node.parameters.length})`, 'Pass every parameter.');
    const args: Expr[] = argNodes.map((a, i) => this.argument(a, helper, i));
    for (const inp of this.program.contextInputs(helper).inputs) {
      const field = inp.kind === 'this' ? inp.name.slice('this.'.length) : undefined;
      const k = field !== undefined ? receiver.rec!.fields.findIndex((f) => f.path === field) : -1;
      if (k < 0) this.unsupported(node, `A call to '${helper.name}', which reads '${inp.name}' (not a field of ${receiver.rec!.name})`, 'A method called on a record reads its fields.');
      args.push(this.fieldOf(receiver, k, range).e);
    }
    this.calls.add(helper.name);
    const rt = helper.node.type ? paramType(helper.node.type, this.sfile) : this.undeclaredReturnShape(helper);
    const e: Expr = { k: 'call', fn: helper.name, args, range };
    if (rt) return { e, t: rt.type, d: rt.depth, rec: rt.depth === 1 ? rt.record : undefined };
    // As for any helper whose return syntax alone tells (calls.ts callFunction): guessed from its returns.
    const t = guessedReturnKind(helper.node, this.sfile, helper.decl) ?? guessReturnType(helper.node);
    return { e, t, d: t === 'arr' ? 1 : 0, rec: this.returnedRecord(helper, undefined, node) };
  }

  /** The imported record class this file calls `name` (an ES import or `require` of the class itself). */
  private importedRecordClass(name: string): RecordClass | undefined {
    const imports = this.fileImports();
    const b = imports?.typeBindings().get(name);
    const t = b && b.kind !== 'namespace' ? imports!.typeTarget([name]) : undefined;
    return t ? imports!.importedRecordClasses().get(t.local)?.cls : undefined;
  }

  /** `new C(…)` of a record class: its fields from the constructor's parameters and assignments. */
  protected newExpr(e: ts.NewExpression, range: Range): Typed {
    if (!ts.isIdentifier(e.expression) || this.lookup(e.expression.text) !== undefined) return super.newExpr(e, range);
    const local = recordClass(e.expression.text, this.sfile);
    const imported = local ? undefined : this.importedRecordClass(e.expression.text);
    const cls = local ?? imported;
    if (!cls) return super.newExpr(e, range);
    // Another file's constructor: its parameter properties only (its expressions are that file's text).
    const computed = imported && ([...imported.sources.values()].some((x) => x.kind !== 'param' || x.defaultValue) ||
      (imported.ctor?.body?.statements.length ?? 0) > 0 || imported.ctor?.parameters.some((p) => !ts.getModifiers(p)?.length));
    if (computed) this.unsupported(e, `\`new ${e.expression.text}(…)\` of a class of another module whose constructor computes or defaults its fields`, 'Declare the fields as constructor parameter properties (`constructor(public x: number, public y: number) {}`), or build the value in that module.');
    const args = e.arguments ?? [];
    const ctor = cls.ctor;
    const params = ctor?.parameters ?? ts.factory.createNodeArray<ts.ParameterDeclaration>();
    if (args.length > params.length) this.unsupported(e, `\`new ${cls.decl.name!.text}(…)\` with ${plural(args.length, 'argument')} (its constructor takes ${params.length})`, 'Pass the constructor\'s parameters.');
    const stray = ctor?.body!.statements.find((s) => !isFieldAssignment(s));
    if (stray) this.unsupported(stray, `This statement of the constructor of '${cls.decl.name!.text}' (a record class's constructor only assigns fields: \`this.x = x\`)`, 'Assign each field from the parameters, and nothing else.');
    // The arguments are the caller's expressions: lowered before any parameter is declared (a
    // parameter named as a variable of the caller, `new Vec(x, 2 * x)` with `constructor(public x, public y)`,
    // would otherwise stand for the caller's `x` in the arguments after it); the constructor's code
    // is lowered where the caller's variables are not seen (a local `S` must not stand for the module's).
    const given = args.map((a) => this.expr(a));
    return this.isolated(() => {
      // The constructor's parameters stand for the arguments (substituted, as `map`'s value); a
      // default sees the parameters before it, as in JavaScript.
      for (const [i, p] of params.entries()) {
        if (!ts.isIdentifier(p.name)) this.unsupported(p, 'A destructured constructor parameter', 'Give it a name.');
        const node = args[i] ?? p.initializer;
        if (!node) this.unsupported(e, `\`new ${cls.decl.name!.text}(…)\` without '${p.name.text}'`, 'Pass every parameter the constructor has no default for.');
        const x = given[i] ?? this.expr(node);
        if (x.t === 'arr') this.unsupported(node, 'An array or record argument of a record class\'s constructor', 'Its fields are numbers.');
        const v = this.declare(p.name.text, x.t, 0, 'local', imported ? range : this.range(p.name));
        this.vars[v].name = `$alias${v}`;
        this.aliases.set(v, substitute(x.e, this.aliases));
        this.note(v, { str: x.str });
      }
      const elements = cls.shape.record!.fields.map((f) => {
        const source = cls.sources.get(f.path)!;
        if (source.kind === 'param') return { k: 'var', id: this.lookup((params[source.index].name as ts.Identifier).text)!, range } as Expr;
        const x = this.expr(source.value);
        if (x.t === 'arr') this.unsupported(source.value, `The field '${f.path}' of '${cls.decl.name!.text}' set to an array or record`, 'Its fields are numbers.');
        return x.e;
      });
      const built: Expr = { k: 'arrayLit', elements: elements.map((x) => substitute(x, this.aliases)), range };
      return { e: built, t: 'arr' as const, d: 1, rec: cls.shape.record };
    });
  }
}

/** The size of a receiver's IR past which a method call on it asks for a local. */
const MAX_RECEIVER_NODES = 4096;

/** Nodes of an expression, counted up to `cap` (then `cap + 1`). */
function irSize(e: Expr, cap: number): number {
  let n = 0;
  const stack = [e];
  while (stack.length > 0 && n <= cap) {
    n++;
    stack.push(...children(stack.pop()!));
  }
  return n;
}


function isFieldAssignment(s: ts.Statement): boolean {
  return ts.isExpressionStatement(s) && ts.isBinaryExpression(s.expression) && s.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    ts.isPropertyAccessExpression(s.expression.left) && s.expression.left.expression.kind === ts.SyntaxKind.ThisKeyword;
}
