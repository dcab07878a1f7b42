// Lowers one TypeScript function to the IR (ir.ts).
//
// Whatever is outside the differentiable subset (the constructs README.md lists) becomes a GL002 diagnostic on the exact
// construct, naming it and what is supported, and lowering goes on past it so one bad line does
// not hide the rest of the function's problems.
//
// The lowering is one class built in layers, each in its own file under lower/ and each extending
// the one before: core.ts (state, variables and scopes, diagnostics, the budget on expressions),
// expressions.ts, calls.ts (Math, helpers, building arrays), assignments.ts, statements.ts,
// typed.ts (what needs types beyond syntax), and here `Lowerer`,
// which lowers the parameters, the body and the return type of the whole function. The type
// annotations a parameter may have are lower/types.ts (`paramType`), the operator tables
// lower/operators.ts.

import ts = require('typescript');
import type { IrFunction, IrParam, Stmt } from './ir';
import { annotationsOf, type Lowered, type ProgramView, type SourceFunction } from './sourceFunction';
import { LoweringBudget } from './lower/core';
import { bodyDefault } from './lower/statements';
import { TypedLowerer } from './lower/typed';
import { declaredParamType, jsDocParamTypes, jsDocReturnType, parameterShape, paramType, typedByParameters, recordShape, sameLayout, ShapeType } from './lower/types';

export { paramType } from './lower/types';

export function lowerFunction(program: ProgramView, sf: SourceFunction): Lowered {
  return new Lowerer(program, sf).run();
}

class Lowerer extends TypedLowerer {
  /** A function declared in the body is a function of its own (lower/calls.ts), not a statement. */
  protected stmt(s: ts.Statement, out: Stmt[]): void {
    if (!this.declaresNestedFunction(s)) super.stmt(s, out);
  }

  /** A default parameter's value: a number (constant expression), boolean or string literal. */
  private defaultValue(e: ts.Expression): number | boolean | string | number[] | undefined {
    while (ts.isParenthesizedExpression(e)) e = e.expression;
    if (ts.isArrayLiteralExpression(e)) {
      const xs = e.elements.map((el) => (ts.isSpreadElement(el) ? undefined : this.defaultValue(el)));
      return xs.every((x): x is number => typeof x === 'number') ? xs : undefined;
    }
    if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
    if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
    let sign = 1;
    if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken) { sign = -1; e = e.operand; }
    if (ts.isNumericLiteral(e)) return sign * Number(e.text);
    if (ts.isIdentifier(e) && this.program.constants.has(e.text)) return sign * this.program.constants.get(e.text)!;
    return undefined;
  }

  /** The string literals of the function body: what a string parameter's random value is drawn from. */
  private stringLiterals(): string[] {
    const out = new Set<string>();
    const visit = (n: ts.Node) => {
      if (ts.isStringLiteral(n) && !ts.isPropertyAssignment(n.parent) && !ts.isElementAccessExpression(n.parent)) out.add(n.text);
      if (out.size < 32) ts.forEachChild(n, visit);
    };
    if (this.sf.node.body) visit(this.sf.node.body);
    return [...out];
  }

  run(): Lowered {
    const { sf } = this;
    const node = sf.node;
    this.scopes.push(new Map());
    const params: IrParam[] = [];
    const choices = this.stringLiterals();
    const docTypes = jsDocParamTypes(sf.decl);
    for (const p of node.parameters) {
      const range = this.range(p);
      if (!ts.isIdentifier(p.name)) { const d = this.destructuredParam(p, params.length, declaredParamType(p, docTypes)); if (d) params.push(d); continue; }
      if (p.dotDotDotToken) { this.report(p, 'A rest parameter', 'Pass an array instead.'); continue; }
      const typeNode = declaredParamType(p, docTypes);
      // A default the body gives (`if (s === undefined) s = 1.5;`, lower/statements.ts) is one too.
      const bodyDef = !p.initializer && node.body && ts.isBlock(node.body) ? bodyDefault(node.body, p.name.text) : undefined;
      const def = p.initializer ? this.defaultValue(p.initializer) : bodyDef ? this.defaultValue(bodyDef) : undefined;
      if (p.initializer && def === undefined) { this.report(p.initializer, 'This default value (not a number, an array of numbers, a boolean or a string literal)', 'Give the parameter a literal default (`scale = 1`, `w = [0, 0]`), or none.'); continue; }
      // Untyped (JavaScript without JSDoc): typed by its default, or by its value in the first `@at`.
      const ty = typeNode ? parameterShape(typeNode, this.sfile) : def !== undefined ? shapeOfValue(def) : shapeOfValue(sf.tags.at[0]?.[p.name.text]);
      if (!ty) {
        this.report(typeNode ?? p, `A parameter of type '${typeNode?.getText(this.sfile)}'`,
          'Parameters are number, number[], readonly number[], Float64Array, tuples, records of numbers (interfaces, type aliases, `{ x: number }`), arrays of those, booleans and strings.');
        continue;
      }
      const v = this.declare(p.name.text, ty.constant === 'bool' ? 'bool' : ty.type, ty.depth, 'param', this.range(p.name));
      this.note(v, { rec: ty.record, str: ty.constant === 'str' });
      if (bodyDef && def !== undefined) this.undefinedDefaults.add(v);
      params.push({
        name: p.name.text, v, type: ty.type, depth: ty.depth, typeText: typeNode ? typeNode.getText(this.sfile) : def !== undefined ? (Array.isArray(def) ? 'number[]' : typeof def) : 'number',
        tupleLength: ty.tupleLength, range,
        ...(ty.record ? { record: ty.record } : {}),
        ...(ty.constant ? { constant: ty.constant } : {}),
        ...(def !== undefined ? { defaultValue: def } : {}),
        ...(ty.constant === 'str' || ty.constant === 'options' ? { choices } : {}),
      });
    }
    // Captured values and `this` fields: parameters after the declared ones (lower/core.ts).
    params.push(...this.implicitParams());

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
        body = [...this.prologue, ...body]; // a destructured parameter's names (lower/typed.ts)
      } else {
        const e = this.tryExpr(bodyNode);
        if (e) {
          this.returnTypes.push({ t: e.t, d: e.d });
          body = [...this.prologue, { k: 'return', value: e.e, range: this.range(bodyNode) }];
        }
      }
      // Fields of record-array elements written while an element is shared (lower/assignments.ts).
      this.checkRowStores(body);
    } catch (e) {
      if (!(e instanceof LoweringBudget)) throw e;
      body = [];
    }

    // `{ w: number[]; b: number }` keyed by the parameters is a gradient's type (issue 13): its shape
    // is what the body returns, as unannotated. JavaScript's `@returns {T}` counts when it is a shape.
    const keyed = !!node.type && typedByParameters(node.type, node, this.sfile);
    const docReturn = node.type ? undefined : jsDocReturnType(sf.decl);
    const declared = node.type && !keyed ? paramType(node.type, this.sfile) : docReturn ? paramType(docReturn, this.sfile) : undefined;
    let returnType: 'num' | 'arr' = 'num';
    if (declared) returnType = declared.type;
    else if (this.returnTypes.length > 0 && this.returnTypes.every((r) => r.t === 'arr')) returnType = 'arr';
    const returnRecord = declared?.record && declared.depth === 1 ? declared.record : this.returnRecords[0];
    if (!declared?.record && this.returnRecords.length > 1 && this.returnRecords.some((r) => !sameLayout(r, this.returnRecords[0]))) {
      this.report(sf.nameNode, 'A function returning records with different fields', 'Return the same fields on every path.');
    }
    const returnTypeNode = node.type ?? docReturn;
    if (declared?.constant && returnTypeNode) this.report(returnTypeNode, `A return type of '${returnTypeNode.getText(this.sfile)}'`, 'A differentiable function returns a number, a number array, a record of numbers, or an array of those.');
    else if (node.type && !declared && !keyed) {
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
      ...(returnRecord ? { returnRecord } : {}),
      range: sf.range,
      nameRange: this.range(sf.nameNode),
      bodyRange: this.range(bodyNode),
      annotations: annotationsOf(sf),
      text: sf.text,
      calls: [...this.calls],
      ok: this.diagnostics.length === 0,
    };
    return { fn, diagnostics: this.diagnostics };
  }
}

/** The shape of an `@at` value (or a default), for an untyped JavaScript parameter. */
function shapeOfValue(v: unknown): ShapeType | undefined {
  if (v === undefined || typeof v === 'number') return { type: 'num', depth: 0 };
  if (typeof v === 'boolean') return { type: 'num', depth: 0, constant: 'bool' };
  if (typeof v === 'string') return { type: 'num', depth: 0, constant: 'str' };
  if (Array.isArray(v)) {
    if (v.length === 0) return { type: 'arr', depth: 1 };
    const el = shapeOfValue(v[0]);
    if (!el || (el.constant && el.constant !== 'options')) return undefined;
    return { type: 'arr', depth: el.type === 'num' ? 1 : el.depth + 1, record: el.record, constant: el.constant };
  }
  if (typeof v === 'object' && v !== null) {
    const fields: { path: string; kind: 'num' | 'bool' | 'str' }[] = [];
    const walk = (o: object, prefix: string): boolean => {
      for (const [k, x] of Object.entries(o)) {
        if (typeof x === 'number') fields.push({ path: prefix + k, kind: 'num' });
        else if (typeof x === 'boolean') fields.push({ path: prefix + k, kind: 'bool' });
        else if (typeof x === 'string') fields.push({ path: prefix + k, kind: 'str' });
        else if (x && typeof x === 'object' && !Array.isArray(x)) { if (!walk(x, `${prefix}${k}.`)) return false; } else return false;
      }
      return true;
    };
    return walk(v, '') && fields.length > 0 ? recordShape(fields, null) : undefined;
  }
  return undefined;
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

/** A directive of the function's prologue (`'use strict';`): a string literal statement. */
function isDirective(s: ts.Statement): boolean {
  return ts.isExpressionStatement(s) && ts.isStringLiteral(s.expression);
}
