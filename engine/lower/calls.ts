// Lowering of calls: Math functions, calls to the file's other functions (by name, nested ones
// first, and as members: `this.m(x)`, `activations.logistic.fn(x)`, `exports.f(x)`), the ways to
// build an array (`new Array(n).fill(v)`, `new Float64Array(n)`, `Array.from`, `.slice()`,
// `.map`), and what a method or closure reads besides its parameters: `this.k` fields, getters
// and captured values (engine/declarationForms.ts decides which are inputs); functions and numeric
// constants imported from other modules of the workspace (engine/imports.ts).

import ts = require('typescript');
import { BINARY_MATH_FNS, Expr, IrParam, MATH_FNS, MathFn, Range, Stmt } from '../ir';
import { substitute } from '../irWalk';
import { Typed, typeName, Unsupported } from './core';
import type { SourceFunction } from '../sourceFunction';
import { unwrapInitializer } from '../declarationForms';
import { sameContext } from '../implicitInputs';
import { describeTyped, ExpressionLowerer } from './expressions';
import { guessedReturnKind, guessReturnType, paramType } from './types';
import { plural } from '../format';

/** The first name of `a.b.c` (or `a`). */
function rootName(e: ts.Expression): string | undefined {
  while (ts.isPropertyAccessExpression(e)) e = e.expression;
  return ts.isIdentifier(e) ? e.text : undefined;
}

export abstract class CallLowerer extends ExpressionLowerer {
  /** Inside a callback lowered as a loop: a `return` before its end is a GL002 (statements.ts). */
  protected inCallback = false;
  /** One statement (statements.ts). */
  protected abstract stmt(s: ts.Statement, out: Stmt[]): void;

  /**
   * Whether `s` declares functions nested in this one (`function sq(v) {…}`, `const sq = (v) => …`),
   * which engine/declarationForms.ts found as functions of their own (`energy.sq`): calls to them
   * pass what they read of this function's variables.
   */
  protected declaresNestedFunction(s: ts.Statement): boolean {
    const nested = (name: string, node: ts.Node) => this.program.functions.get(`${this.sf.name}.${name}`)?.node === node;
    if (ts.isFunctionDeclaration(s)) return !!s.name && nested(s.name.text, s);
    if (!ts.isVariableStatement(s)) return false;
    return s.declarationList.declarations.every((d) => ts.isIdentifier(d.name) && d.initializer !== undefined && nested(d.name.text, unwrapInitializer(d.initializer)));
  }

  /** (issue 13) A captured record (`target: { x: number; y: number }`) reads its fields as a parameter's do. */
  protected override implicitParams(): IrParam[] {
    const params = super.implicitParams();
    for (const p of params) if (p.record) this.note(p.v, { rec: p.record });
    return params;
  }

  /** `this.k` (a field or a getter) and the constants captured from the function around. */
  protected exprNode(e: ts.Expression): Typed {
    if (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword && ts.isIdentifier(e.name)) return this.thisField(e);
    if (ts.isIdentifier(e) && this.sf.context && this.lookup(e.text) === undefined) {
      const inputs = this.program.contextInputs(this.sf);
      const c = inputs.constants.get(e.text);
      if (c !== undefined) return { e: { k: 'const', value: c, range: this.range(e) }, t: 'num', d: 0 };
      const derived = inputs.derived?.get(e.text);
      if (derived) {
        // `n` of `const n = D.length`: computed from the inputs it reads, as the factory computes it.
        const hidden = derived.reads.find((r) => this.lookup(r) !== undefined && this.lookup(r) !== this.implicitVars.get(r));
        if (hidden) this.unsupported(e, `The captured '${e.text}' (computed from '${hidden}', which a variable of this function of the same name hides)`, `Rename the variable '${hidden}' of this function.`);
        return this.expr(derived.init);
      }
      const why = inputs.unsupported.get(e.text);
      if (why) this.unsupported(e, `The captured variable '${e.text}' (${why})`, 'A function reads numbers and arrays of numbers from the function around it; pass other values as parameters.');
    }
    const imported = this.importedValue(e);
    if (imported) return imported;
    return super.exprNode(e);
  }

  /** `K`, `M.K`: a numeric constant imported from another module (engine/imports.ts). */
  private importedValue(e: ts.Expression): Typed | undefined {
    if (!this.program.resolveImport || !(ts.isIdentifier(e) || ts.isPropertyAccessExpression(e))) return undefined;
    const root = rootName(e);
    if (root === undefined || this.lookup(root) !== undefined || this.program.constants.has(root)) return undefined;
    const ref = this.program.resolveImport(e);
    if (ref?.kind === 'constant') return { e: { k: 'const', value: ref.value, range: this.range(e) }, t: 'num', d: 0 };
    if (ref?.kind === 'problem') this.unsupported(e, `Reading '${ref.name}', which ${ref.why},`, ref.advice);
    return undefined;
  }

  /**
   * A call to a function imported from another module of the workspace: lowered in its own file
   * (engine/imports.ts), its arguments taken as its parameters take them, as for a helper of the file.
   */
  private importedCall(callee: ts.Expression, e: ts.CallExpression, range: Range): Typed | undefined {
    const root = rootName(callee);
    if (!this.program.resolveImport || root === undefined || this.lookup(root) !== undefined) return undefined;
    const ref = this.program.resolveImport(callee);
    if (!ref) return undefined;
    if (ref.kind === 'problem') this.unsupported(callee, `A call to '${ref.name}', which ${ref.unread ? `is not a function of this file: it ${ref.why}` : ref.why},`, ref.advice, ref.unread ? 'notInFile' : undefined);
    if (ref.kind === 'constant') this.unsupported(callee, `A call to the imported number '${callee.getText(this.sfile)}'`, 'Only functions can be called.');
    const { fn, name } = ref;
    const declared = fn.params.filter((p) => !p.implicit);
    if (declared.length !== fn.params.length) {
      this.unsupported(callee, `A call to '${name}', which reads ${fn.params.filter((p) => p.implicit).map((p) => `'${p.name}'`).join(', ')} from its class, object or enclosing function in its module`,
        'Import a function of the top level of its module (or a static method), which reads only its parameters.');
    }
    if (e.arguments.length !== declared.length) this.unsupported(e, `A call to '${name}' with ${plural(e.arguments.length, 'argument')} (it takes ${declared.length})`, 'Pass every parameter.');
    const args = e.arguments.map((a, i) => {
      const x = this.expr(a);
      const p = declared[i];
      if (p.constant === 'bool' ? x.t !== 'bool' : x.t === 'bool') this.unsupported(a, x.t === 'bool' ? 'A boolean argument for a parameter that is not a boolean' : 'A non-boolean argument for a boolean parameter');
      if ((p.constant === 'str') !== !!x.str) this.unsupported(a, x.str ? 'A string argument for a parameter that is not a string' : 'A non-string argument for a string parameter');
      if (p.record && p.depth === 1) return this.coerce(x, p.record, a).e;
      if (x.rec && x.d === 1 && !p.record) this.unsupported(a, 'A record passed where a number or array is expected');
      return x.e;
    });
    this.calls.add(name);
    const d = fn.returnType === 'num' ? 0 : fn.returnRecord ? 1 : Math.max(1, (fn.returnTypeText?.match(/\[\]|Array</g) ?? []).length);
    return { e: { k: 'call', fn: name, args, range }, t: fn.returnType, d, rec: fn.returnRecord };
  }

  /** `this.k`: an implicit input, a field held at its literal value, or a getter (called). */
  private thisField(e: ts.PropertyAccessExpression): Typed {
    const range = this.range(e);
    const name = `this.${e.name.text}`;
    const getter = this.program.resolveCallee(this.sf, e);
    if (getter && ts.isGetAccessorDeclaration(getter.node)) return this.callFunction(getter, [], e, range);
    const v = this.implicitVars.get(name);
    if (v !== undefined) return { e: { k: 'var', id: v, range }, t: this.vars[v].type, d: this.vars[v].depth };
    const inputs = this.program.contextInputs(this.sf);
    const c = inputs.constants.get(name);
    if (c !== undefined) return { e: { k: 'const', value: c, range }, t: 'num', d: 0 };
    if (!this.sf.thisObject) {
      this.unsupported(e, '`this` in a function without an object of its own (an arrow function or a plain function)', 'Pass the value as a parameter, or write the function as a method of its class or object.');
    }
    const why = inputs.unsupported.get(name);
    this.unsupported(e, `The field '${name}'${why ? ` (${why})` : ''}`,
      `A method reads fields that are numbers or arrays of numbers, declared in ${this.sf.form === 'method' ? 'the class (`k = 2`, or `this.k = k` in the constructor)' : this.sf.form === 'assigned' ? 'the constructor (`this.k = 2`, `this.k = k`)' : 'the object (`k: 2`)'}; give values with \`@at ${name} = …\`.`);
  }

  protected newExpr(e: ts.NewExpression, range: Range): Typed {
    const callee = e.expression;
    const args = e.arguments ?? [];
    if (ts.isIdentifier(callee) && callee.text === 'Float64Array' && args.length === 1) {
      const a = this.expr(args[0]);
      if (a.t === 'num') return { e: { k: 'arrayFill', length: a.e, fill: { k: 'const', value: 0, range }, range }, t: 'arr', d: 1 };
      if (a.t === 'arr' && args[0] && ts.isIdentifier(args[0])) return this.copy(args[0], range);
    }
    if (ts.isIdentifier(callee) && callee.text === 'Array' && args.length === 1) {
      // `new Array(n)`: n holes, each reading as `undefined`, which arithmetic and comparisons treat
      // as NaN does (as `Array.from({ length: n })` below); code that writes before it reads, like
      // Gradlens's own generated gradients, means what JavaScript means
      const a = this.expr(args[0]);
      if (a.t === 'num') return { e: { k: 'arrayFill', length: a.e, fill: { k: 'const', value: NaN, range }, range }, t: 'arr', d: 1 };
      this.unsupported(e, '`new Array(…)` of a non-number', 'Write `new Array(n)` with a length, or an array literal.');
    }
    this.unsupported(e, `\`new ${callee.getText(this.sfile)}(…)\``, 'Arrays: `new Array(n).fill(v)`, `new Float64Array(n)`, literals, `Array.from({ length: n }, (_, i) => …)`.');
  }

  protected call(e: ts.CallExpression, range: Range): Typed {
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
      if (ts.isIdentifier(obj) && obj.text === 'Number' && (method === 'isFinite' || method === 'isNaN') && this.lookup('Number') === undefined) {
        return this.numberPredicate(method, e, range);
      }
      // A function of the file as a member: `this.m(x)`, `activations.logistic.fn(x)`, `exports.f(x)`.
      const member = this.program.resolveCallee(this.sf, callee);
      if (member) return this.callFunction(member, e.arguments, e, range);
      const imported = this.importedCall(callee, e, range);
      if (imported) return imported;
      if (obj.kind === ts.SyntaxKind.ThisKeyword) {
        this.unsupported(e, `A call to 'this.${method}', which is not a ${this.sf.form === 'method' ? (this.sf.isStatic ? 'static ' : '') + 'method of the class' : 'function of the object'}`, 'Call methods of the same class or functions of the same object; other calls are outside the subset.');
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
      if (method === 'reduce' && e.arguments.length === 2) return this.callbackLoop('reduce', obj, e.arguments[0], e.arguments[1], range)!;
      if (method === 'reduce') this.unsupported(e, '`.reduce` without an initial value', 'Give it one: `a.reduce((s, v) => s + v, 0)` (without it, an empty array throws).');
      if (method === 'push') this.unsupported(e, '`push` inside an expression', 'Use `a.push(v)` as a statement.');
      this.unsupported(e, `The method call '.${method}(…)'`, 'Supported on arrays: indexing, .length, push, slice(), map, forEach (as a statement), reduce with an initial value.');
    }
    if (!ts.isIdentifier(callee)) this.unsupported(e, 'This call');
    const name = callee.text;
    if (this.lookup(name) !== undefined) this.unsupported(e, `Calling the local '${name}'`, 'Only functions declared in this file (at the top level, or nested in the function around) can be called.');
    const helper = this.program.resolveCallee(this.sf, callee);
    if (!helper && (name === 'isFinite' || name === 'isNaN')) return this.numberPredicate(name, e, range);
    const imported = helper ? undefined : this.importedCall(callee, e, range);
    if (imported) return imported;
    if (!helper) this.unsupported(callee, `A call to '${name}', which is not a function of this file`, 'Calls to functions declared in this file (at the top level, or nested in the function around) and to functions imported from modules of the workspace are supported.', 'notInFile');
    return this.callFunction(helper, e.arguments, e, range);
  }

  /**
   * A call to a function of the file: its arguments, then its implicit inputs, which are the
   * caller's own (a method calling a method of its class, a closure a closure of its factory).
   */
  protected callFunction(helper: SourceFunction, argNodes: readonly ts.Expression[], node: ts.Node, range: Range): Typed {
    // Records and constants (issue 13, lower/types.ts): each argument as the helper's parameter takes it.
    const args = argNodes.map((a, i) => this.argument(a, helper, i));
    const name = helper.name;
    if (args.length !== helper.node.parameters.length) this.unsupported(node, `A call to '${name}' with ${plural(args.length, 'argument')} (it takes ${helper.node.parameters.length})`, 'Pass every parameter.');
    const inputs = this.program.contextInputs(helper).inputs;
    if (inputs.length > 0 && helper.enclosing === this.sf.name) {
      // A function nested in this one reads this one's variables as they are at the call.
      for (const inp of inputs) {
        const v = this.lookup(inp.name) ?? this.implicitVars.get(inp.name);
        if (v === undefined) this.unsupported(node, `A call to '${name}', which reads '${inp.name}' before it is declared`, 'Declare it before the call.');
        this.readsSoFar.add(v); // read at the call, as an argument is
        args.push({ k: 'var', id: v, range });
      }
    } else if (inputs.length > 0) {
      if (!sameContext(helper, this.sf)) {
        this.unsupported(node, `A call to '${name}', which reads ${inputs.map((i) => `'${i.name}'`).join(', ')} from its ${helper.form === 'nested' ? 'enclosing function' : helper.form === 'method' ? 'class' : 'object'}`,
          'Call it from a function of the same class, object or enclosing function, where those values are the same.');
      }
      for (const inp of inputs) args.push({ k: 'var', id: this.implicitVars.get(inp.name)!, range });
    }
    this.calls.add(name);
    // The return type comes from the helper's declaration, without lowering it here (recursion).
    const rt = helper.node.type ? paramType(helper.node.type, this.sfile) : undefined;
    const t: 'num' | 'arr' = rt?.type ?? guessedReturnKind(helper.node, this.sfile, helper.decl) ?? guessReturnType(helper.node);
    const rec = this.returnedRecord(helper, rt, node);
    return { e: { k: 'call', fn: name, args, range }, t, d: rt?.depth ?? (t === 'arr' ? 1 : 0), rec };
  }

  /**
   * `isFinite(x)`, `isNaN(x)` and their `Number.` forms on a number (they agree on numbers), as
   * comparisons the IR has, exact for ±Infinity and NaN: isNaN(x) ⇔ x !== x; isFinite(x) ⇔
   * x * 0 === 0 (0 for a finite x, NaN for ±Infinity and NaN), which reads x once. Predicates:
   * their derivative is zero, and an equality test is never reported as a tied branch.
   */
  protected numberPredicate(fn: 'isFinite' | 'isNaN', e: ts.CallExpression, range: Range): Typed {
    if (e.arguments.length !== 1 || ts.isSpreadElement(e.arguments[0])) this.unsupported(e, `\`${fn}\` with ${plural(e.arguments.length, 'argument')}`, `Pass one number: \`${fn}(x)\`.`);
    const x = this.num(e.arguments[0]);
    if (fn === 'isNaN') return { e: { k: 'compare', op: '!==', a: x, b: x, range }, t: 'bool', d: 0 };
    const zero: Expr = { k: 'const', value: 0, range };
    return { e: { k: 'compare', op: '===', a: { k: 'binary', op: '*', a: x, b: zero, range }, b: zero, range }, t: 'bool', d: 0 };
  }

  protected mathCall(fn: MathFn, args: Expr[], range: Range, node: ts.Node): Expr {
    if (fn === 'min' || fn === 'max' || fn === 'hypot') {
      if (args.length === 0) this.unsupported(node, `Math.${fn}() without arguments`);
      if (args.length === 1) return fn === 'hypot' ? { k: 'math', fn: 'abs', args, range } : args[0];
      // n-ary min/max/hypot fold into binary ones, left to right.
      let acc = args[0];
      for (let i = 1; i < args.length; i++) acc = { k: 'math', fn, args: [acc, args[i]], range };
      return acc;
    }
    const arity = BINARY_MATH_FNS.has(fn) ? 2 : 1;
    if (args.length !== arity) this.unsupported(node, `Math.${fn} with ${plural(args.length, 'argument')}`, `Math.${fn} takes ${arity}.`);
    return { k: 'math', fn, args, range };
  }

  protected arrayFrom(e: ts.CallExpression, range: Range): Typed {
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

  protected mapCall(obj: ts.Expression, mapper: ts.Expression, range: Range): Typed {
    // A callback with statements, one that assigns (`(v) => (s += v)`), or one building a record
    // (`(p) => ({ x: …, y: … })`, `(p) => new Vec(…)`: an array of records is pushed row by row), runs as a loop.
    if (!isExpressionCallback(mapper) || (this.hoistInto && assigns(mapper.body)) || buildsRecord(callbackExpression(mapper))) return this.callbackLoop('map', obj, mapper, undefined, range)!;
    const arr = this.expr(obj);
    if (arr.t !== 'arr') this.unsupported(obj, `.map on a ${typeName(arr.t)}`);
    return this.indexedMapper({ k: 'length', array: arr.e, range }, mapper, arr, range);
  }

  /** What any callback must be: an arrow or a `function` without `this`, `async`, `*`, or parameters other than plain names. */
  protected checkCallback(f: ts.Expression, maxParams = 2): asserts f is ts.ArrowFunction | ts.FunctionExpression {
    if (!ts.isArrowFunction(f) && !ts.isFunctionExpression(f)) this.unsupported(f, 'This callback (not a function written here)', 'Write the function in place: `(v, i) => …` or `function (v, i) { … }`.');
    if (ts.getModifiers(f)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) this.unsupported(f, 'An `async` callback', 'Remove `async`.');
    if (f.asteriskToken) this.unsupported(f, 'A generator callback', 'Remove the `*`.');
    if (ts.isFunctionExpression(f)) {
      // A `function` has a `this` of its own (undefined here), not the method's.
      const self = ts.forEachChild(f.body, thisIn);
      if (self) this.unsupported(self, '`this` inside a `function` callback (it is not the `this` of the function around)', 'Use an arrow function, which keeps the outer `this`.');
    }
    for (const [k, p] of f.parameters.entries()) {
      if (k >= maxParams || !ts.isIdentifier(p.name) || p.dotDotDotToken || p.initializer) {
        this.unsupported(p, 'This parameter of a callback', `Write ${maxParams === 3 ? '`(acc, v, i) => …`' : '`(v, i) => …`'} with plain names (the array itself is not passed).`);
      }
    }
  }

  /**
   * `a.map(function (p, i) { …; return v; })`, `a.forEach((p, i) => { … })` (a statement) and
   * `a.reduce((acc, p, i) => { …; return acc2; }, init)`, as JavaScript runs them: the array and
   * the initial value read once, then a loop over the indices, before the rest of the statement
   * (core.ts `hoistInto`). The callback's parameters are locals of each iteration; it returns only
   * at its end, and writes nothing the statement read before it (`readBeforeCallback`). The result is a hidden
   * variable (the mapped array, the accumulator); null for forEach.
   */
  protected callbackLoop(kind: 'map' | 'forEach' | 'reduce', obj: ts.Expression, cb: ts.Expression, init: ts.Expression | undefined, range: Range): Typed | null {
    const out = this.hoistInto;
    if (!out) this.unsupported(cb, `A \`${kind}\` callback with statements inside ${this.hoistBlocked}`, 'Compute it in a statement of its own before.');
    this.checkCallback(cb, kind === 'reduce' ? 3 : 2);
    const src = this.expr(obj);
    if (src.t !== 'arr' || src.str || (src.rec && src.d === 1)) this.unsupported(obj, `.${kind} on ${src.str ? 'a string' : src.rec && src.d === 1 ? 'a record' : `a ${typeName(src.t)}`}`);
    const acc0 = init ? this.expr(init) : undefined;
    const r = this.range(cb);
    const srcVar = this.hidden('arr', 'arr', src.d, r);
    this.note(srcVar, { rec: src.rec });
    out.push({ k: 'let', v: srcVar, init: src.e, range: r });
    let accVar = -1;
    if (acc0) {
      accVar = this.hidden('acc', acc0.t, acc0.d, r);
      this.note(accVar, acc0);
      out.push({ k: 'let', v: accVar, init: acc0.e, range: r });
    }
    let outVar = -1;
    const i = this.hidden('i', 'num', 0, r);
    out.push({ k: 'let', v: i, init: { k: 'const', value: 0, range: r }, range: r });
    const iv: Expr = { k: 'var', id: i, range: r };
    const sv: Expr = { k: 'var', id: srcVar, range: r };
    const stmts = ts.isBlock(cb.body) ? [...cb.body.statements] : [];
    const last = stmts[stmts.length - 1];
    const final = ts.isBlock(cb.body) ? (last && ts.isReturnStatement(last) && last.expression ? last.expression : undefined) : cb.body;
    if (kind !== 'forEach' && !final) this.unsupported(last ?? cb, `A \`${kind}\` callback that does not end in \`return <value>\``, 'Return the value at the end of the callback.');
    if (final && kind === 'forEach') this.unsupported(last ?? cb, 'A value returned from a `forEach` callback (ignored by JavaScript)', 'Use `map` for the values, or leave the `return` out.');
    if (final && ts.isBlock(cb.body)) stmts.pop();
    const reads = new Set(this.readsSoFar);
    const saved = { reads: this.readBeforeCallback, loops: this.loopDepth, returns: this.inCallback };
    const body: Stmt[] = [];
    let value: Typed | undefined;
    this.scoped(() => {
      this.readBeforeCallback = new Set([...reads, ...(saved.reads ?? [])]);
      this.loopDepth = 0;
      this.inCallback = true;
      try {
        const params = cb.parameters as readonly (ts.ParameterDeclaration & { name: ts.Identifier })[];
        const [pAcc, pv, pi] = kind === 'reduce' ? params : [undefined, ...params];
        if (pAcc) {
          const v = this.declare(pAcc.name.text, this.vars[accVar].type, this.vars[accVar].depth, 'local', this.range(pAcc.name));
          this.note(v, { rec: this.recOf.get(accVar), str: this.strVars.has(accVar) });
          body.push({ k: 'let', v, init: { k: 'var', id: accVar, range: r }, range: r });
        }
        if (pv) {
          const v = this.declare(pv.name.text, src.d > 1 ? 'arr' : 'num', src.d - 1, 'local', this.range(pv.name));
          if (src.d > 1) this.note(v, { rec: src.rec });
          body.push({ k: 'let', v, init: { k: 'index', array: sv, index: iv, range: r }, range: r });
        }
        if (pi) {
          const v = this.declare(pi.name.text, 'num', 0, 'local', this.range(pi.name));
          body.push({ k: 'let', v, init: iv, range: r });
        }
        for (const st of stmts) {
          try { this.stmt(st, body); } catch (err) { if (!(err instanceof Unsupported)) throw err; }
        }
        if (final) {
          this.readsSoFar.clear();
          value = this.hoisting(body, () => this.expr(final));
        }
      } finally {
        this.readBeforeCallback = saved.reads;
        this.loopDepth = saved.loops;
        this.inCallback = saved.returns;
      }
    });
    for (const v of reads) this.readsSoFar.add(v);
    if (kind === 'reduce') {
      const a = value!;
      if (a.t !== acc0!.t || a.d !== acc0!.d || !a.str !== !acc0!.str) this.unsupported(final!, `A \`reduce\` callback returning ${describeTyped(a)} for an accumulator that starts as ${describeTyped(acc0!)}`, 'Return a value of the type of the initial value.');
      const coerced = acc0!.rec ? this.coerce(a, acc0!.rec, final!) : a;
      body.push({ k: 'assign', v: accVar, value: coerced.e, range: r });
      this.vars[accVar].reassigned = true;
    }
    if (kind === 'map') {
      const a = value!;
      if (a.t === 'bool' || a.str) this.unsupported(final!, `A \`map\` callback returning ${describeTyped(a)}`, 'Map to numbers, arrays or records.');
      outVar = this.hidden('map', 'arr', a.d + 1, r);
      this.note(outVar, { rec: a.rec });
      out.push({ k: 'let', v: outVar, init: { k: 'arrayLit', elements: [], range: r }, range: r });
      body.push({ k: 'push', array: outVar, value: a.e, range: r });
    }
    const test: Expr = { k: 'compare', op: '<', a: iv, b: { k: 'length', array: sv, range: r }, range: r };
    const update: Stmt[] = [{ k: 'assign', v: i, value: { k: 'binary', op: '+', a: iv, b: { k: 'const', value: 1, range: r }, range: r }, range: r }];
    out.push({ k: 'loop', test, body, update, range });
    if (kind === 'map') return this.varTyped(outVar, range);
    if (kind === 'reduce') return this.varTyped(accVar, range);
    return null;
  }

  /** `(v, i) => body` as an index loop: v is `source[i]` (for map) and i the index. */
  protected indexedMapper(length: Expr, mapper: ts.Expression, source: Typed | null, range: Range): Typed {
    if (!isExpressionCallback(mapper)) this.unsupported(mapper, 'This mapping function', 'Write an arrow with an expression body: `(v, i) => …`.');
    this.checkCallback(mapper);
    const bodyExpr = callbackExpression(mapper);
    return this.scoped(() => {
      const i = this.hidden('i', 'num', 0, range);
      const [p0, p1] = mapper.parameters as readonly (ts.ParameterDeclaration & { name: ts.Identifier })[];
      const body = this.scoped(() => {
        if (p0) {
          if (source) {
            // v is an alias for source[i]; lowered by substitution so no statement is needed.
            const v = this.declare(p0.name.text, source.d > 1 ? 'arr' : 'num', source.d - 1, 'local', this.range(p0.name));
            if (source.d > 1) this.note(v, { rec: source.rec }); // `points.map((p) => p.x)` (records, issue 13)
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
        return this.hoisting(null, () => this.expr(bodyExpr), 'a mapping function with an expression body (it runs once per element)');
      });
      if (body.t !== 'num') this.unsupported(mapper.body, 'A mapping function that does not return a number');
      return { e: { k: 'arrayFrom', length, indexVar: i, body: substitute(body.e, this.aliases), range }, t: 'arr' as const, d: 1 };
    });
  }
}

/** `(v, i) => expr`, or a function whose body is a single `return expr;`: lowered as an expression. */
function isExpressionCallback(f: ts.Expression): f is ts.ArrowFunction | ts.FunctionExpression {
  if (!ts.isArrowFunction(f) && !ts.isFunctionExpression(f)) return false;
  if (!ts.isBlock(f.body)) return true;
  const [only] = f.body.statements;
  return f.body.statements.length === 1 && ts.isReturnStatement(only) && only.expression !== undefined;
}

/** `{ x: …, y: … }` or `new C(…)`, parenthesised or not. */
function buildsRecord(e: ts.Expression): boolean {
  const inner = unwrapInitializer(e);
  return ts.isObjectLiteralExpression(inner) || ts.isNewExpression(inner);
}

function callbackExpression(f: ts.ArrowFunction | ts.FunctionExpression): ts.Expression {
  return ts.isBlock(f.body) ? (f.body.statements[0] as ts.ReturnStatement).expression! : f.body;
}

/** The first `this` of a `function` (not inside a nested function of its own). */
function thisIn(n: ts.Node): ts.Node | undefined {
  if (n.kind === ts.SyntaxKind.ThisKeyword) return n;
  if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isClassLike(n)) return undefined;
  return ts.forEachChild(n, thisIn);
}

/** Whether `n` assigns (`=`, `+=`, `++`…) outside functions nested in it. */
function assigns(n: ts.Node): boolean {
  if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) return true;
  if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) return true;
  if (ts.isFunctionLike(n)) return false;
  return ts.forEachChild(n, (c) => (assigns(c) ? true : undefined)) ?? false;
}
