// Lowering of expressions: literals, names, operators, conditions (JavaScript's truthiness),
// indexing, array literals and copies, each with its type and array depth (`Typed`). Calls and
// `new` are calls.ts, layered on this.

import ts = require('typescript');
import type { ArithOp, CompareOp, Expr, Range, RecordField, RecordLayout, Stmt } from '../ir';
import { mathConstant, numberConstant } from '../mathConstants';
import { LowererCore, Typed, typeName, Unsupported } from './core';
import type { SourceFunction } from '../sourceFunction';
import { declarationsNamed } from '../statementSplice';
import { arithOp, BITWISE_HINT, bitwiseWhat, compareOp, isAssignment } from './operators';
import { declaredParamType, enumValues, guessReturnRecord, jsDocParamTypes, paramType, propertyName, recordShape, returnsKeyedByParameters, sameLayout, ShapeType, stringId } from './types';

/** What a value is, for a message: `a record (Vec2)`, `an array`, `a string`. */
export function describeTyped(x: Typed): string {
  if (x.str) return 'a string';
  if (x.rec && x.d === 1) return `a record${x.rec.name ? ` (${x.rec.name})` : ''}`;
  return `${x.t === 'arr' ? 'an' : 'a'} ${typeName(x.t)}`;
}

export abstract class ExpressionLowerer extends LowererCore {
  /** Variables holding records (or arrays of records): their layout. */
  protected readonly recOf = new Map<number, RecordLayout>();
  /** Variables holding strings (held constant, compared only). */
  protected readonly strVars = new Set<number>();
  /** Reads of a record's field: never undefined (a check point gives every field a value), so `p.k ?? 1` is `p.k`. */
  protected readonly fieldReads = new WeakSet<Expr>();

  protected num(e: ts.Expression): Expr {
    const x = this.expr(e);
    if (x.t !== 'num' || x.str) this.unsupported(e, `${cap(describeTyped(x))} where a number is expected`);
    return x.e;
  }

  protected bool(e: ts.Expression): Expr {
    const x = this.expr(e);
    if (x.t === 'arr') this.unsupported(e, `${cap(describeTyped(x))} used as a condition`, 'An array or record is always truthy; test its `.length`, an element or a field.');
    if (x.str) this.unsupported(e, 'A string used as a condition', "Compare it: `mode === 'call'`.");
    return this.truthy(x);
  }

  /** A variable's value with what the lowerer knows of it (its record layout, its being a string). */
  protected varTyped(v: number, range: Range): Typed {
    const d = this.vars[v];
    this.readsSoFar.add(v);
    return { e: { k: 'var', id: v, range }, t: d.type, d: d.depth, rec: this.recOf.get(v), str: this.strVars.has(v) || undefined };
  }

  /** Records what a newly declared variable holds (its layout, its being a string). */
  protected note(v: number, x: { rec?: RecordLayout; str?: boolean }): void {
    if (x.rec) this.recOf.set(v, x.rec);
    if (x.str) this.strVars.add(v);
  }

  // ---- records ----------------------------------------------------------------------------------

  /** Field `k` of a record value (an element of a literal directly, not an index into it). */
  protected fieldOf(rec: Typed, k: number, range: Range): Typed {
    const f = rec.rec!.fields[k];
    const e: Expr = rec.e.k === 'arrayLit' ? rec.e.elements[k] : { k: 'index', array: rec.e, index: { k: 'const', value: k, range }, range };
    this.fieldReads.add(e);
    return { e, t: f.kind === 'bool' ? 'bool' : 'num', d: 0, str: f.kind === 'str' || undefined };
  }

  /** `rec.name`: a leaf (a number, boolean or string), or a nested record (a literal of its leaves). */
  protected selectField(rec: Typed, name: string, node: ts.Node, range: Range): Typed {
    const fields = rec.rec!.fields;
    const exact = fields.findIndex((f) => f.path === name);
    if (exact >= 0) return this.fieldOf(rec, exact, range);
    const prefix = `${name}.`;
    const sub = fields.map((f, k) => ({ f, k })).filter(({ f }) => f.path.startsWith(prefix));
    if (sub.length === 0) {
      const names = [...new Set(fields.map((f) => f.path.split('.')[0]))];
      this.unsupported(node, `'${name}', which is not a field of ${describeTyped(rec)},`, `Its fields: ${names.join(', ')}.`);
    }
    const layout: RecordLayout = { fields: sub.map(({ f }) => ({ path: f.path.slice(prefix.length), kind: f.kind })), name: null };
    return { e: { k: 'arrayLit', elements: sub.map(({ k }) => this.fieldOf(rec, k, range).e), range }, t: 'arr', d: 1, rec: layout };
  }

  /** A value where a record of `layout` is expected: the same fields, reordered if need be, or a GL002. */
  protected coerce(x: Typed, layout: RecordLayout | undefined, node: ts.Node): Typed {
    if (!layout) {
      if (x.rec && x.d === 1) this.unsupported(node, `${cap(describeTyped(x))} where a number or an array is expected`);
      return x;
    }
    if (!x.rec || x.d !== 1) this.unsupported(node, `${cap(describeTyped(x))} where a record${layout.name ? ` (${layout.name})` : ''} is expected`);
    if (sameLayout(x.rec, layout)) return { ...x, rec: layout.name ? layout : x.rec };
    // A record with more fields (TypeScript's structural typing): the fields wanted, by name.
    const picked = layout.fields.map((f) => x.rec!.fields.findIndex((g) => g.path === f.path));
    const missing = layout.fields.filter((_, i) => picked[i] < 0).map((f) => f.path);
    if (missing.length > 0) this.unsupported(node, `${cap(describeTyped(x))} without the field${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}`, `${layout.name ?? 'The record'} has the fields ${layout.fields.map((f) => f.path).join(', ')}.`);
    const r = x.e.range;
    return { e: { k: 'arrayLit', elements: picked.map((k) => this.fieldOf(x, k, r).e), range: r }, t: 'arr', d: 1, rec: layout };
  }

  /** `{ x: a, y: b }`, `{ x, y }`, `{ ...p, x: 1 }`, nested: the leaves in the layout's order. */
  protected objectLiteral(e: ts.ObjectLiteralExpression, range: Range, target?: RecordLayout): Typed {
    const leaves = new Map<string, { e: Expr; kind: RecordField['kind'] }>();
    const put = (path: string, x: Typed, node: ts.Node) => {
      if (x.rec && x.d === 1) {
        x.rec.fields.forEach((f, k) => leaves.set(`${path}.${f.path}`, { e: this.fieldOf(x, k, x.e.range).e, kind: f.kind }));
        return;
      }
      if (x.t === 'arr') this.unsupported(node, 'A record field holding an array', 'Records hold numbers, booleans, strings and other records; pass arrays as parameters of their own.');
      for (const key of [...leaves.keys()]) if (key.startsWith(`${path}.`)) leaves.delete(key);
      leaves.set(path, { e: x.e, kind: x.str ? 'str' : x.t === 'bool' ? 'bool' : 'num' });
    };
    const walk = (o: ts.ObjectLiteralExpression, prefix: string) => {
      for (const p of o.properties) {
        if (ts.isSpreadAssignment(p)) {
          const x = this.expr(p.expression);
          if (!x.rec || x.d !== 1) this.unsupported(p, `A spread of ${describeTyped(x)} in an object literal`, 'Spread a record: `{ ...p, x: 1 }`.');
          x.rec.fields.forEach((f, k) => leaves.set(prefix + f.path, { e: this.fieldOf(x, k, x.e.range).e, kind: f.kind }));
          continue;
        }
        const key = p.name && propertyName(p.name);
        if (key === undefined || !(ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p))) {
          this.unsupported(p, 'This object property (a method, an accessor or a computed name)', 'Write `{ x: value }`.');
        }
        if (ts.isShorthandPropertyAssignment(p)) { put(prefix + key, this.expr(p.name), p); continue; }
        let v = p.initializer;
        while (ts.isParenthesizedExpression(v)) v = v.expression;
        if (ts.isObjectLiteralExpression(v)) { walk(v, `${prefix}${key}.`); continue; }
        put(prefix + key, this.expr(p.initializer), p);
      }
    };
    walk(e, '');
    if (leaves.size === 0) this.unsupported(e, 'An empty object literal', 'A record has at least one field.');
    const shape = recordShape([...leaves].map(([path, l]) => ({ path, kind: l.kind })), null).record!;
    const value: Typed = { e: { k: 'arrayLit', elements: shape.fields.map((f) => leaves.get(f.path)!.e), range }, t: 'arr', d: 1, rec: shape };
    if (!target) return value;
    const extra = shape.fields.filter((f) => !target.fields.some((g) => g.path === f.path)).map((f) => f.path);
    if (extra.length > 0) this.unsupported(e, `The field${extra.length > 1 ? 's' : ''} ${extra.map((x) => `'${x}'`).join(', ')}, not in ${target.name ?? 'the record type'},`, `${target.name ?? 'The record'} has the fields ${target.fields.map((f) => f.path).join(', ')}.`);
    return this.coerce(value, target, e);
  }

  /** An argument of a call to a helper, as its parameter `p` takes it (a record coerced to its layout). */
  protected argument(a: ts.Expression, helper: SourceFunction, i: number): Expr {
    const x = this.expr(a);
    const p = helper.node.parameters[i] as ts.ParameterDeclaration | undefined;
    const shape = p ? paramType(declaredParamType(p, jsDocParamTypes(helper.decl)), this.sfile) : undefined;
    if (shape?.constant === 'bool' ? x.t !== 'bool' : x.t === 'bool') this.unsupported(a, x.t === 'bool' ? 'A boolean argument for a parameter that is not a boolean' : 'A non-boolean argument for a boolean parameter');
    if ((shape?.constant === 'str') !== !!x.str) this.unsupported(a, x.str ? 'A string argument for a parameter that is not a string' : 'A non-string argument for a string parameter');
    if (shape?.record && shape.depth === 1) return this.coerce(x, shape.record, a).e;
    if (x.rec && x.d === 1 && !shape?.record) this.unsupported(a, `${describeTyped(x)} passed where a number or array is expected`.replace(/^./, (c) => c.toUpperCase()));
    return x.e;
  }

  /**
   * The record a call to `helper` returns: its declared record type, or the one its returned
   * literal has. A helper returning an object keyed by its own parameters (a gradient
   * `{ a: dA, b: dB }`) holds one value per parameter, not a record's fields: a call reading it is a GL002.
   */
  protected returnedRecord(helper: SourceFunction, rt: ShapeType | undefined, node: ts.Node): RecordLayout | undefined {
    const rec = rt ? (rt.depth === 1 ? rt.record : undefined) : guessReturnRecord(helper.node);
    if (rec && returnsKeyedByParameters(helper.node)) {
      this.unsupported(node, `A call to '${helper.name}', which returns an object keyed by its parameters (a gradient)`, 'Return a record of another type from a helper both use, and call that.');
    }
    return rec;
  }

  /** `Mode.Put` of a top-level enum of the file: its number, or its string's id. */
  protected enumMember(e: ts.PropertyAccessExpression, range: Range): Typed | undefined {
    if (!ts.isIdentifier(e.expression) || this.lookup(e.expression.text) !== undefined) return undefined;
    const name = e.expression.text;
    const decl = declarationsNamed(this.sfile, name).find((s): s is ts.EnumDeclaration => ts.isEnumDeclaration(s));
    if (!decl) return undefined;
    const values = enumValues(decl);
    if (values?.has(e.name.text)) return { e: { k: 'const', value: values.get(e.name.text)!, range }, t: 'num', d: 0 };
    const m = decl.members.find((x) => propertyName(x.name) === e.name.text);
    if (m?.initializer && ts.isStringLiteral(m.initializer)) return { e: { k: 'const', value: stringId(m.initializer.text), range }, t: 'num', d: 0, str: true };
    this.unsupported(e, `The enum member '${name}.${e.name.text}'`, 'Enum members with number or string literal values are supported.');
  }

  /** A declared type's shape, for a local (`const v: Vec2 = …`). */
  protected declaredShape(t: ts.TypeNode | undefined) {
    return t ? paramType(t, this.sfile) : undefined;
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
    if (a.t !== 'num' || b.t !== 'num' || a.str || b.str) {
      const bad = a.t !== 'num' || a.str ? a : b;
      this.diagnostics.push({ code: 'GL002', severity: 'warning', range: bad.e.range, functionName: this.sf.name,
        message: `Arithmetic on ${describeTyped(bad)} is outside Gradlens's differentiable subset. ${bad.rec ? 'Operate on its fields (`a.x + b.x`).' : bad.str ? 'Strings are held constant and compared.' : 'Operate on numbers (index arrays element by element).'}` });
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
        return this.varTyped(v, range);
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
        default: return this.assignmentExpr(e, range);
      }
    }
    if (ts.isPostfixUnaryExpression(e)) return this.assignmentExpr(e, range);
    if (ts.isBinaryExpression(e)) return this.binary(e, range);
    if (ts.isConditionalExpression(e)) {
      const before = new Set(this.readsSoFar);
      const test = this.bool(e.condition);
      const [sa, sb] = this.afterTest(before, [
        () => this.branch(e.whenTrue, 'a branch of `?:` (it runs only on one side)'),
        () => this.branch(e.whenFalse, 'a branch of `?:` (it runs only on one side)'),
      ]);
      const a = sa.x;
      const b = sb.x;
      if (a.t !== b.t || a.d !== b.d || !a.str !== !b.str || !!a.rec !== !!b.rec) this.unsupported(e, 'A `?:` whose branches have different types', 'Make both branches numbers, or both arrays of the same depth.');
      const b2 = a.rec ? this.coerce(b, a.rec, e.whenFalse) : b;
      const hoisted = this.onSide(test, sa, { ...sb, x: b2 }, range);
      if (hoisted) return hoisted;
      return { e: { k: 'cond', test, then: a.e, else: b2.e, range }, t: a.t, d: Math.max(a.d, b.d), rec: a.rec, str: a.str };
    }
    if (ts.isElementAccessExpression(e)) {
      const arr = this.expr(e.expression);
      if (arr.t !== 'arr' || arr.str) this.unsupported(e.expression, `Indexing ${describeTyped(arr)}`);
      if (arr.rec && arr.d === 1) {
        if (ts.isStringLiteral(e.argumentExpression)) return this.selectField(arr, e.argumentExpression.text, e.argumentExpression, range);
        this.unsupported(e, 'Indexing a record by something other than a field name', "Name the field: `p.x` or `p['x']`.");
      }
      const index = this.num(e.argumentExpression);
      return { e: { k: 'index', array: arr.e, index, range }, t: arr.d > 1 ? 'arr' : 'num', d: arr.d - 1, rec: arr.d > 1 ? arr.rec : undefined };
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
      const member = this.enumMember(e, range);
      if (member) return member;
      // `Date.now`: a property of something that is no value of the function, named whole.
      if (ts.isIdentifier(e.expression) && this.lookup(e.expression.text) === undefined && !this.program.constants.has(e.expression.text)) {
        this.unsupported(e, `The property access '${e.expression.text}.${e.name.text}'`, 'Properties are read from records (`p.x` of `p: Vec2`); pass numbers, arrays and records.');
      }
      const base = this.expr(e.expression);
      if (base.rec && base.d === 1) return this.selectField(base, e.name.text, e.name, range);
      if (e.name.text === 'length') {
        if (base.t !== 'arr' || base.str) this.unsupported(e, `.length of ${describeTyped(base)}`);
        return { e: { k: 'length', array: base.e, range }, t: 'num', d: 0 };
      }
      this.unsupported(e, `The property access '.${e.name.text}' on ${describeTyped(base)}`, 'Properties are read from records (`p.x` of `p: Vec2`); pass numbers, arrays and records.');
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
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return { e: { k: 'const', value: stringId(e.text), range }, t: 'num', d: 0, str: true };
    if (ts.isTemplateExpression(e)) this.unsupported(e, 'A string template (a string built from values)', 'Strings are held constant and compared (`mode === \'call\'`); they are not built.');
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) this.unsupported(e, 'A function expression (a closure)', 'Use a top-level function of this file.');
    if (ts.isObjectLiteralExpression(e)) return this.objectLiteral(e, range);
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
      const undef = this.undefinedTest(e, cmp, range);
      if (undef) return undef;
      const a = this.expr(e.left);
      const b = this.expr(e.right);
      if (a.str || b.str) {
        // Strings are compared for equality only (their ids are equal exactly when they are).
        if (!a.str || !b.str) this.unsupported(e, 'Comparing a string with something that is not a string');
        if (cmp !== '===' && cmp !== '!==') this.unsupported(e, `Ordering strings with '${e.operatorToken.getText(this.sfile)}'`, 'Strings are compared with === and !== only.');
        return { e: { k: 'compare', op: cmp, a: a.e, b: b.e, range }, t: 'bool', d: 0 };
      }
      if (a.t !== 'num') this.unsupported(e.left, `${cap(describeTyped(a))} where a number is expected`);
      if (b.t !== 'num') this.unsupported(e.right, `${cap(describeTyped(b))} where a number is expected`);
      return { e: { k: 'compare', op: cmp, a: a.e, b: b.e, range }, t: 'bool', d: 0 };
    }
    if (k === ts.SyntaxKind.AmpersandAmpersandToken || k === ts.SyntaxKind.BarBarToken) {
      const before = new Set(this.readsSoFar);
      const a = this.expr(e.left);
      const and = k === ts.SyntaxKind.AmpersandAmpersandToken;
      const [sb] = this.afterTest(before, [() => this.branch(e.right, `the right side of \`${and ? '&&' : '||'}\` (it runs only when the left side ${and ? 'is truthy' : 'is falsy'})`)]);
      const b = sb.x;
      if (a.t === 'bool' && b.t === 'bool') {
        const side = { x: a, pre: null };
        const hoisted = and ? this.onSide(a.e, sb, side, range) : this.onSide(a.e, side, sb, range);
        return hoisted ?? { e: { k: 'logical', op: and ? '&&' : '||', a: a.e, b: b.e, range }, t: 'bool', d: 0 };
      }
      return this.valueLogical(e, and, a, sb, range);
    }
    if (k === ts.SyntaxKind.QuestionQuestionToken) {
      const a = this.expr(e.left);
      // Checked, though JavaScript evaluates it only when the left side is null or undefined.
      // (and what it would assign, which never happens, is dropped)
      this.branch(e.right, 'the right side of `??` (it runs only when the left side is null or undefined)');
      if (!this.neverNullish(a.e) && !this.fieldReads.has(a.e)) {
        this.unsupported(e, '`??` on a value that can be undefined (an array element, a variable declared without a value, or a call)',
          'Test the index against `.length`, give the variable its value where it is declared, or declare the helper\'s return type.');
      }
      // A number, boolean or array is never null or undefined: `a ?? b` is `a`.
      return a;
    }
    if (isAssignment(k)) return this.assignmentExpr(e, range);
    const bitwise = bitwiseWhat(k);
    if (bitwise) this.unsupported(e, `The operator '${e.operatorToken.getText(this.sfile)}' (${bitwise})`, BITWISE_HINT);
    if (k === ts.SyntaxKind.CommaToken) this.unsupported(e, 'The comma operator inside an expression', 'Write each part as a statement of its own.');
    if (k === ts.SyntaxKind.InKeyword) this.unsupported(e, 'The `in` operator', 'Objects are outside the subset; compare an index with `.length`.');
    if (k === ts.SyntaxKind.InstanceOfKeyword) this.unsupported(e, '`instanceof`', 'A differentiable function works on numbers and arrays, whose types are known statically.');
    this.unsupported(e, `The operator '${e.operatorToken.getText(this.sfile)}'`, 'Supported operators: + - * / % **, comparisons, && || ! ??, ?:.');
  }

  /**
   * `a || b` and `a && b` on values, as JavaScript means them: `a || b` is `a` when `a` is truthy,
   * else `b` (a default: `scale || 1`); an array or record is always truthy (`w = w || [0, 0]` keeps `w`).
   */
  protected valueLogical(e: ts.BinaryExpression, and: boolean, a: Typed, sb: OnSide, range: Range): Typed {
    const b = sb.x;
    if (a.t !== b.t || a.d !== b.d || !a.str !== !b.str || !!a.rec !== !!b.rec) {
      this.unsupported(e, `\`${and ? '&&' : '||'}\` between values of different types`, 'Both sides numbers (a default: `scale || 1`), or both arrays.');
    }
    if (a.t === 'arr') {
      // Always truthy: `a && b` always runs `b`, `a || b` never does.
      if (and && sb.pre) this.hoistInto!.push(...sb.pre);
      return and ? b : a;
    }
    // A string is falsy only when empty (`type || 'call'`: a default).
    const test: Expr = a.str ? { k: 'compare', op: '!==', a: a.e, b: { k: 'const', value: stringId(''), range }, range } : this.truthy(a);
    const side = { x: a, pre: null };
    const hoisted = and ? this.onSide(test, sb, side, range) : this.onSide(test, side, sb, range);
    if (hoisted) return hoisted;
    if (a.str) return { e: { k: 'cond', test, then: and ? b.e : a.e, else: and ? a.e : b.e, range }, t: 'num', d: 0, str: true };
    return { e: { k: 'cond', test, then: and ? b.e : a.e, else: and ? a.e : b.e, range }, t: a.t, d: 0 };
  }

  /**
   * `s === undefined` (`== undefined`, `== null`, `typeof s === 'undefined'`, and their negations)
   * on a parameter the body gives a default (core.ts `undefinedDefaults`): it holds a value at every
   * point, so the test is false. Elsewhere a GL002: Gradlens does not model a missing value.
   */
  protected undefinedTest(e: ts.BinaryExpression, cmp: CompareOp, range: Range): Typed | undefined {
    const loose = e.operatorToken.kind === ts.SyntaxKind.EqualsEqualsToken || e.operatorToken.kind === ts.SyntaxKind.ExclamationEqualsToken;
    const subject = undefinedOperand(e, loose, (n) => this.lookup(n) === undefined);
    if (!subject) return undefined;
    const v = ts.isIdentifier(subject) ? this.lookup(subject.text) : undefined;
    if (v === undefined || !this.undefinedDefaults.has(v)) {
      this.unsupported(e, 'A test for `undefined` (a missing value)',
        "Gradlens reads `if (s === undefined) s = 1.5;` (or `s = s ?? 1.5`) before any other use of a parameter as its default value; give other values where they are declared.");
    }
    return { e: { k: 'bool', value: cmp === '!==', range }, t: 'bool', d: 0 };
  }

  /**
   * A part of an expression that runs only on one side (a branch of `?:`, the right side of `&&`,
   * `||`, `??`): lowered with the statements it needs (an assignment in it) kept apart, for
   * `onSide` to run on that side only; null where the expression around may hoist none.
   */
  protected branch(e: ts.Expression, why: string): OnSide {
    if (!this.hoistInto) return { x: this.hoisting(null, () => this.expr(e), why), pre: null };
    const pre: Stmt[] = [];
    return { x: this.hoisting(pre, () => this.expr(e)), pre };
  }

  /**
   * The sides of `?:`, `&&`, `||`, lowered after their test: an assignment on a side may follow
   * the test's reads, which then run first, in the `if` `onSide` makes (and if none is made, no
   * side assigned anything); and one side's reads do not precede the other's, which does not run
   * with it. `before`: what was read before the test.
   */
  protected afterTest<T>(before: Set<number>, sides: (() => T)[]): T[] {
    const all = new Set(this.readsSoFar);
    try {
      return sides.map((side) => {
        this.readsSoFar.clear();
        before.forEach((v) => this.readsSoFar.add(v));
        try { return side(); } finally { this.readsSoFar.forEach((v) => all.add(v)); }
      });
    } finally {
      all.forEach((v) => this.readsSoFar.add(v));
    }
  }

  /**
   * `test ? a : b` where a side needs statements first (`c ? (t /= 2) : t`, `x > 0 && (y = x) > 1`):
   * a hidden variable set by an `if` before the statement, each side's statements on its own
   * branch, so they run only where JavaScript runs them. Undefined when no side needs any.
   */
  protected onSide(test: Expr, a: OnSide, b: OnSide, range: Range): Typed | undefined {
    if (!a.pre?.length && !b.pre?.length) return undefined;
    const out = this.hoistInto!;
    const t = a.x;
    const v = this.hidden('c', t.t, t.d, range);
    this.note(v, t);
    const init: Expr = t.t === 'bool' ? { k: 'bool', value: false, range } : t.t === 'arr' ? { k: 'arrayLit', elements: [], range } : { k: 'const', value: NaN, range };
    out.push({ k: 'let', v, init, range });
    out.push({ k: 'if', test, then: [...(a.pre ?? []), { k: 'assign', v, value: a.x.e, range }], else: [...(b.pre ?? []), { k: 'assign', v, value: b.x.e, range }], range });
    return this.varTyped(v, range);
  }

  /** An assignment, `++` or `--` inside an expression (assignments.ts). */
  protected abstract assignmentExpr(e: ts.BinaryExpression | ts.PrefixUnaryExpression | ts.PostfixUnaryExpression, range: Range): Typed;
  /** A call (calls.ts). */
  protected abstract call(e: ts.CallExpression, range: Range): Typed;
  /** A `new` expression (calls.ts). */
  protected abstract newExpr(e: ts.NewExpression, range: Range): Typed;
}

/** A part of an expression that runs on one side only, and the statements it needs first (`branch`). */
export interface OnSide {
  x: Typed;
  pre: Stmt[] | null;
}

/**
 * The operand `x` of `x === undefined`, `undefined !== x`, `x == null` (loose only) or
 * `typeof x === 'undefined'`, or undefined when `e` is no such test.
 */
export function undefinedOperand(e: ts.BinaryExpression, loose: boolean, unbound: (name: string) => boolean): ts.Expression | undefined {
  const isUndefined = (x: ts.Expression): boolean => {
    x = skipParens(x);
    if (ts.isIdentifier(x) && x.text === 'undefined') return unbound('undefined');
    if (ts.isVoidExpression(x)) return true;
    return loose && x.kind === ts.SyntaxKind.NullKeyword;
  };
  const typeofUndefined = (x: ts.Expression, y: ts.Expression): ts.Expression | undefined => {
    x = skipParens(x);
    y = skipParens(y);
    return ts.isTypeOfExpression(x) && ts.isStringLiteral(y) && y.text === 'undefined' ? skipParens(x.expression) : undefined;
  };
  if (isUndefined(e.right)) return skipParens(e.left);
  if (isUndefined(e.left)) return skipParens(e.right);
  return typeofUndefined(e.left, e.right) ?? typeofUndefined(e.right, e.left);
}

function skipParens(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

function cap(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
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
