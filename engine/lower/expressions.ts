// Lowering of expressions: literals, names, operators, conditions (JavaScript's truthiness),
// indexing, array literals and copies, each with its type and array depth (`Typed`). Calls and
// `new` are calls.ts, layered on this.

import ts from 'typescript';
import type { ArithOp, Expr, Range } from '../ir';
import { mathConstant, numberConstant } from '../mathConstants';
import { LowererCore, Typed, typeName, Unsupported } from './core';
import { arithOp, BITWISE_HINT, bitwiseWhat, compareOp, isAssignment } from './operators';

export abstract class ExpressionLowerer extends LowererCore {
  protected num(e: ts.Expression): Expr {
    const x = this.expr(e);
    if (x.t !== 'num') this.unsupported(e, `A ${typeName(x.t)} where a number is expected`);
    return x.e;
  }

  protected bool(e: ts.Expression): Expr {
    const x = this.expr(e);
    if (x.t === 'arr') this.unsupported(e, 'An array used as a condition', 'An array is always truthy; test its `.length` or an element.');
    return this.truthy(x);
  }

  /**
   * A number or boolean as a condition, as in JavaScript: a number is true unless it is 0 or NaN.
   * A variable or element is tested as `x !== 0 && x === x`; a larger expression, which that would
   * copy (and copies of copies grow exponentially), as `Math.abs(x) > 0`, which is the same test.
   */
  protected truthy(x: Typed): Expr {
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
  protected neverNullish(x: Expr): boolean {
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

  protected arith(op: ArithOp, a: Typed, b: Typed, range: Range): Typed {
    if (a.t !== 'num' || b.t !== 'num') {
      const bad = a.t !== 'num' ? a : b;
      this.diagnostics.push({ code: 'GL002', severity: 'warning', range: bad.e.range, functionName: this.sf.name,
        message: `Arithmetic on ${bad.t === 'arr' ? 'an' : 'a'} ${typeName(bad.t)} is outside Gradlens's differentiable subset. Operate on numbers (index arrays element by element).` });
      throw new Unsupported();
    }
    return { e: { k: 'binary', op, a: a.e, b: b.e, range }, t: 'num', d: 0 };
  }

  protected exprNode(e: ts.Expression): Typed {
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
      if (ts.isIdentifier(e.expression) && e.expression.text === 'Number' && this.lookup('Number') === undefined) {
        const c = numberConstant(e.name.text);
        if (c !== undefined) return { e: { k: 'const', value: c.value, range }, t: 'num', d: 0 };
        this.unsupported(e, `Number.${e.name.text} used as a value`, 'Supported: Number.EPSILON, MAX_VALUE, MIN_VALUE, MAX_SAFE_INTEGER, MIN_SAFE_INTEGER, POSITIVE_INFINITY, NEGATIVE_INFINITY, NaN.');
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

  protected copy(src: ts.Expression, range: Range): Typed {
    const arr = this.expr(src);
    if (arr.t !== 'arr') this.unsupported(src, `Copying a ${typeName(arr.t)}`);
    if (arr.e.k === 'var') {
      const i = this.hidden('i', 'num', 0, range);
      return { e: { k: 'arrayFrom', length: { k: 'length', array: arr.e, range }, indexVar: i, body: { k: 'index', array: arr.e, index: { k: 'var', id: i, range }, range }, range }, t: 'arr', d: arr.d };
    }
    this.unsupported(src, 'Copying an array expression', 'Copy a variable: `const b = a.slice()`.');
  }

  protected binary(e: ts.BinaryExpression, range: Range): Typed {
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

  /** A call (calls.ts). */
  protected abstract call(e: ts.CallExpression, range: Range): Typed;
  /** A `new` expression (calls.ts). */
  protected abstract newExpr(e: ts.NewExpression, range: Range): Typed;
}

/** A variable, a constant, or an element of one: cheap to test twice. */
function isLeaf(e: Expr): boolean {
  return e.k === 'const' || e.k === 'var' || (e.k === 'index' && isLeaf(e.array) && isLeaf(e.index));
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
