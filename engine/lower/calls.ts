// Lowering of calls: Math functions, calls to the file's other functions, and the ways to build
// an array (`new Array(n).fill(v)`, `new Float64Array(n)`, `Array.from`, `.slice()`, `.map`).

import ts from 'typescript';
import { BINARY_MATH_FNS, Expr, MATH_FNS, MathFn, Range } from '../ir';
import { substitute } from '../irWalk';
import { Typed, typeName } from './core';
import { ExpressionLowerer } from './expressions';
import { guessReturnType, paramType } from './types';
import { plural } from '../format';

export abstract class CallLowerer extends ExpressionLowerer {
  protected newExpr(e: ts.NewExpression, range: Range): Typed {
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
    if (!helper && (name === 'isFinite' || name === 'isNaN')) return this.numberPredicate(name, e, range);
    if (!helper) this.unsupported(callee, `A call to '${name}', which is not a function of this file`, 'Calls to functions declared at the top level of this file are supported; imported functions are not analysed yet.');
    const args = e.arguments.map((a) => {
      const x = this.expr(a);
      if (x.t === 'bool') this.unsupported(a, 'A boolean argument');
      return x.e;
    });
    if (args.length !== helper.node.parameters.length) this.unsupported(e, `A call to '${name}' with ${plural(args.length, 'argument')} (it takes ${helper.node.parameters.length})`, 'Pass every parameter.');
    this.calls.add(name);
    // The return type comes from the helper's declaration, without lowering it here (recursion).
    const rt = helper.node.type ? paramType(helper.node.type, this.sfile) : undefined;
    const t: 'num' | 'arr' = rt?.type ?? guessReturnType(helper.node);
    return { e: { k: 'call', fn: name, args, range }, t, d: rt?.depth ?? (t === 'arr' ? 1 : 0) };
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
    const arr = this.expr(obj);
    if (arr.t !== 'arr') this.unsupported(obj, `.map on a ${typeName(arr.t)}`);
    return this.indexedMapper({ k: 'length', array: arr.e, range }, mapper, arr, range);
  }

  /** `(v, i) => body` as an index loop: v is `source[i]` (for map) and i the index. */
  protected indexedMapper(length: Expr, mapper: ts.Expression, source: Typed | null, range: Range): Typed {
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
}
