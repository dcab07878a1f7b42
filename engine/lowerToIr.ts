// Lowers one TypeScript function to the IR (ir.ts).
//
// Whatever is outside the differentiable subset (the constructs README.md lists) becomes a GL002 diagnostic on the exact
// construct, naming it and what is supported, and lowering goes on past it so one bad line does
// not hide the rest of the function's problems.
//
// The lowering is one class built in layers, each in its own file under lower/ and each extending
// the one before: core.ts (state, variables and scopes, diagnostics, the budget on expressions),
// expressions.ts, calls.ts (Math, helpers, building arrays), statements.ts, and here `Lowerer`,
// which lowers the parameters, the body and the return type of the whole function. The type
// annotations a parameter may have are lower/types.ts (`paramType`), the operator tables
// lower/operators.ts.

import ts from 'typescript';
import type { IrFunction, IrParam, Stmt } from './ir';
import type { Lowered, ProgramView, SourceFunction } from './sourceFunction';
import { LoweringBudget } from './lower/core';
import { StatementLowerer } from './lower/statements';
import { paramType } from './lower/types';

export { paramType } from './lower/types';

export function lowerFunction(program: ProgramView, sf: SourceFunction): Lowered {
  return new Lowerer(program, sf).run();
}

class Lowerer extends StatementLowerer {
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
