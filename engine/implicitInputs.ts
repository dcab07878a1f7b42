// The implicit inputs of a function: what it reads that is no parameter of it, the captured
// variables of the functions around it and the `this` fields of its class, object literal or
// constructor function (engine/declarationForms.ts finds the context of each function). Decided
// per context, so a function and its hand-written derivative in one context take the same inputs;
// lowering makes them parameters after the declared ones (lower/core.ts `implicitParams`), held
// constant unless `@wrt` names them. A literal value is a default (a field) or a constant (a
// captured `const`); a captured `const` computed from other inputs (`const n = D.length`,
// `const tx = target.x`) is derived, never an input of its own.

import ts = require('typescript');
import { isFunctionValue, propName, unwrapInitializer } from './declarationForms';
import type { Point } from './ir';
import { declaredParamType, jsDocParamTypes, paramType } from './lower/types';
import type { ContextInputs, DerivedCapture, FunctionNode, ImplicitInput, SourceFunction } from './sourceFunction';
import { placeStatement } from './statementSplice';

/** Whether two functions share their implicit inputs: one class (both static or both not), object or enclosing function. */
export function sameContext(a: SourceFunction, b: SourceFunction): boolean {
  return a.context !== undefined && a.context === b.context && !!a.isStatic === !!b.isStatic;
}

/** What a function body reads: identifiers, and `this.x` reads that are not calls. */
function readsOf(node: FunctionNode | ts.FunctionExpression | ts.FunctionDeclaration): { names: Set<string>; thisFields: string[]; declared: Set<string> } {
  const names = new Set<string>();
  const declared = new Set<string>();
  const fields: string[] = [];
  const bind = (n: ts.BindingName): void => {
    if (ts.isIdentifier(n)) { declared.add(n.text); return; }
    for (const e of n.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
  };
  for (const p of node.parameters) bind(p.name);
  // Each node with its parent (the tree is parsed without parent pointers).
  const stack: [ts.Node, ts.Node][] = node.body ? [[node.body, node]] : [];
  while (stack.length > 0) {
    const [n, parent] = stack.pop()!;
    if (ts.isPropertyAccessExpression(n)) {
      if (n.expression.kind === ts.SyntaxKind.ThisKeyword && ts.isIdentifier(n.name)) {
        const called = ts.isCallExpression(parent) && parent.expression === n;
        if (!called) fields.push(n.name.text);
      } else {
        stack.push([n.expression, n]);
      }
      continue;
    }
    if (ts.isIdentifier(n)) {
      const p = parent;
      const isDeclName = (ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p) || ts.isBindingElement(p)) && p.name === n;
      const isKey = ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p)) && p.name === n) ||
        (ts.isBindingElement(p) && p.propertyName === n);
      if (isDeclName) declared.add(n.text);
      else if (!isKey) names.add(n.text);
      continue;
    }
    if (ts.isShorthandPropertyAssignment(n)) names.add(n.name.text);
    // A non-arrow function inside has its own `this`; its identifiers still read the scope.
    if (ts.isFunctionExpression(n) || ts.isFunctionDeclaration(n)) {
      if (n.name) declared.add(n.name.text);
      const inner = readsOf(n);
      for (const x of inner.names) names.add(x);
      for (const x of inner.declared) declared.add(x);
      continue;
    }
    n.forEachChild((c) => { stack.push([c, n]); });
  }
  return { names, thisFields: fields, declared };
}

interface FieldInfo { typeNode?: ts.TypeNode; init?: ts.Expression; isConst: boolean; isFunction: boolean }

/** Variables declared in a function (its parameters, typed by JSDoc in JavaScript, and its locals, not those of functions inside). */
function declarationsOf(fn: FunctionNode, decl: ts.Node): Map<string, FieldInfo> {
  const out = new Map<string, FieldInfo>();
  const docTypes = jsDocParamTypes(decl);
  for (const p of fn.parameters) if (ts.isIdentifier(p.name)) out.set(p.name.text, { typeNode: declaredParamType(p, docTypes), init: p.initializer, isConst: false, isFunction: false });
  const stack: ts.Node[] = fn.body ? [fn.body] : [];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (ts.isVariableDeclarationList(n)) {
      const isConst = (n.flags & ts.NodeFlags.Const) !== 0;
      for (const d of n.declarations) {
        if (ts.isIdentifier(d.name)) out.set(d.name.text, { typeNode: d.type, init: d.initializer, isConst, isFunction: isFunctionValue(d.initializer) });
      }
    }
    if (ts.isFunctionDeclaration(n) && n.name) out.set(n.name.text, { isConst: true, isFunction: true });
    if (ts.isFunctionLike(n) || ts.isClassLike(n)) continue;
    n.forEachChild((c) => { stack.push(c); });
  }
  return out;
}

/** The fields of a class or object literal as written: type, initialiser (or the constructor's `this.k = …`). */
function fieldsOf(context: ts.Node): Map<string, FieldInfo> {
  const out = new Map<string, FieldInfo>();
  if (ts.isObjectLiteralExpression(context)) {
    for (const p of context.properties) {
      const n = propName(p.name);
      if (n === undefined) continue;
      if (ts.isPropertyAssignment(p)) out.set(n, { init: p.initializer, isConst: true, isFunction: isFunctionValue(p.initializer) || ts.isObjectLiteralExpression(unwrapInitializer(p.initializer)) });
      else out.set(n, { isConst: true, isFunction: true });
    }
    return out;
  }
  if (!ts.isClassLike(context)) return out;
  for (const m of context.members) {
    const n = propName(m.name as ts.PropertyName | undefined);
    if (ts.isPropertyDeclaration(m) && n !== undefined) {
      out.set(n, { typeNode: m.type, init: m.initializer, isConst: !!m.modifiers?.some((x) => x.kind === ts.SyntaxKind.ReadonlyKeyword), isFunction: isFunctionValue(m.initializer) });
    } else if ((ts.isMethodDeclaration(m) || ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) && n !== undefined) {
      out.set(n, { isConst: true, isFunction: true });
    } else if (ts.isConstructorDeclaration(m) && m.body) {
      // `constructor(private readonly k: number)`: a parameter property.
      for (const p of m.parameters) {
        if (ts.isIdentifier(p.name) && ts.getModifiers(p)?.some((x) => x.kind === ts.SyntaxKind.PublicKeyword || x.kind === ts.SyntaxKind.PrivateKeyword || x.kind === ts.SyntaxKind.ProtectedKeyword || x.kind === ts.SyntaxKind.ReadonlyKeyword)) {
          out.set(p.name.text, { typeNode: p.type, init: p.initializer, isConst: false, isFunction: false });
        }
      }
      constructorFields(m, new Map(), out);
    }
  }
  return out;
}

/**
 * The fields a constructor assigns, `this.k = …` statements of its body: typed by the parameter
 * they copy (its annotation or JSDoc `@param {T}`), else by the value (`this.k = 1.5` a default).
 */
function constructorFields(ctor: ts.SignatureDeclarationBase & { body?: ts.ConciseBody }, docTypes: ReadonlyMap<string, ts.TypeNode>, out: Map<string, FieldInfo>): Map<string, FieldInfo> {
  if (!ctor.body || !ts.isBlock(ctor.body)) return out;
  const params = new Map(ctor.parameters.filter((p) => ts.isIdentifier(p.name)).map((p) => [(p.name as ts.Identifier).text, p]));
  for (const s of ctor.body.statements) {
    if (!ts.isExpressionStatement(s) || !ts.isBinaryExpression(s.expression) || s.expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
    const l = s.expression.left;
    if (!ts.isPropertyAccessExpression(l) || l.expression.kind !== ts.SyntaxKind.ThisKeyword || !ts.isIdentifier(l.name)) continue;
    const r = s.expression.right;
    const prior = out.get(l.name.text);
    const fromParam = ts.isIdentifier(r) ? params.get(r.text) : undefined;
    out.set(l.name.text, { typeNode: prior?.typeNode ?? (fromParam && declaredParamType(fromParam, docTypes)), init: fromParam ? undefined : r, isConst: false, isFunction: isFunctionValue(r) });
  }
  return out;
}

/** `Foo.prototype.k = 0.1;` at the top level: a default every instance shares (until its constructor assigns its own). */
function prototypeFields(sourceFile: ts.SourceFile, name: string): Map<string, FieldInfo> {
  const out = new Map<string, FieldInfo>();
  for (const s of sourceFile.statements) {
    if (!ts.isExpressionStatement(s) || !ts.isBinaryExpression(s.expression) || s.expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
    const l = s.expression.left;
    if (!ts.isPropertyAccessExpression(l) || !ts.isIdentifier(l.name) || !ts.isPropertyAccessExpression(l.expression)) continue;
    const proto = l.expression;
    if (proto.name.text !== 'prototype' || !ts.isIdentifier(proto.expression) || proto.expression.text !== name) continue;
    // (its value is read where it now is: engine/statementSplice.ts)
    placeStatement(s);
    out.set(l.name.text, { init: s.expression.right, isConst: false, isFunction: isFunctionValue(s.expression.right) });
  }
  return out;
}

/** The shape of an initialiser written as a literal (`[1, 2]`, `[[1, 0], [0, 1]]`, a number). */
function literalShape(e: ts.Expression | undefined, sf: ts.SourceFile): { type: 'num' | 'arr'; depth: number } | null {
  if (!e) return null;
  e = unwrapInitializer(e);
  if (ts.isArrayLiteralExpression(e)) {
    const first = e.elements[0];
    const inner = first && !ts.isSpreadElement(first) ? literalShape(first, sf) : { type: 'num' as const, depth: 0 };
    return { type: 'arr', depth: (inner?.depth ?? 0) + 1 };
  }
  if ((ts.isNewExpression(e) || ts.isCallExpression(e)) && /^(Array|Float64Array|Float32Array)\b/.test(e.expression.getText(sf))) return { type: 'arr', depth: 1 };
  return null;
}

/**
 * The implicit inputs of the functions of one context (a class, an object literal, an enclosing
 * function): the union of what its functions read (so a function and its hand-written derivative
 * in one context take the same inputs, and `this.m(x)` passes its own). A field with a literal value
 * is an input whose points default to it (`IrParam.defaultValue`); a captured `const` with one is
 * held at it unless a tag of the context names it (`@at c = …`, `@wrt c`).
 */
export function contextInputsOf(
  functions: ReadonlyMap<string, SourceFunction>, sf: SourceFunction, sourceFile: ts.SourceFile,
  constantValue: (e: ts.Expression) => number | undefined,
  /** Told of each function whose tags are copied here (its check points given defaults). */
  retagged?: (f: SourceFunction) => void,
): ContextInputs {
  const context = sf.context!;
  // A class's static methods (whose `this` is the class) and its instance methods are two contexts.
  const members = [...functions.values()].filter((f) => sameContext(f, sf));
  const named = new Set<string>();
  for (const f of members) {
    for (const w of f.tags.wrt ?? []) named.add(w);
    for (const p of f.tags.at) for (const k of Object.keys(p)) named.add(k);
  }
  const inputs: ImplicitInput[] = [];
  const constants = new Map<string, number>();
  const unsupported = new Map<string, string>();
  const seen = new Set<string>();
  const derived = new Map<string, DerivedCapture>();
  const arrayDefaults = new Map<string, number[] | number[][]>();
  // The captured variables in scope (set below for a nested function).
  let resolve: (name: string) => FieldInfo | undefined = () => undefined;
  const consider = (name: string, kind: ImplicitInput['kind'], info: FieldInfo): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const value = info.init ? constantValue(info.init) : undefined;
    // `const n = D.length`: computed from the inputs it reads, never drawn or given on its own.
    if (kind === 'captured' && info.isConst && info.init && value === undefined && !info.typeNode && !named.has(name)) {
      const reads = derivationReads(info.init, resolve);
      if (reads && reads.every((r) => { consider(r, 'captured', resolve(r)!); return !unsupported.has(r); })) {
        derived.set(name, { init: info.init, reads });
        return;
      }
    }
    const declared = info.typeNode ? paramType(info.typeNode, sourceFile) : undefined;
    // A record (`target: { x: number; y: number }`) is an input given whole (`@at target = { x: 1, y: 2 }`).
    if (info.typeNode && (!declared || declared.constant)) {
      unsupported.set(name, `its type is '${info.typeNode.getText(sourceFile)}'`);
      return;
    }
    const shape = declared ?? literalShape(info.init, sourceFile) ?? { type: 'num' as const, depth: 0 };
    // A field's literal value (`k = 2`, `this.k = 2`) is its default: it stays an input (an instance
    // may change it; generated code reads `this.k`). A captured `const` is held at its value unless
    // a tag names it.
    const defaultValue = value !== undefined && (kind === 'this' || info.isConst) ? value : undefined;
    if (defaultValue !== undefined && kind === 'captured' && !named.has(name)) { constants.set(name, defaultValue); return; }
    // (issue 13) A field's literal array (`ys: number[] = [3, 2.5]`) fills the check points too.
    const arrayDefault = kind === 'this' && value === undefined && info.init ? literalArrayValue(info.init, constantValue) : undefined;
    if (arrayDefault) arrayDefaults.set(name, arrayDefault);
    inputs.push({
      name, kind, type: shape.type, depth: shape.depth,
      typeText: info.typeNode ? info.typeNode.getText(sourceFile) : shape.type === 'num' ? 'number' : `number${'[]'.repeat(shape.depth)}`,
      ...(declared?.record ? { record: declared.record } : {}),
      ...(defaultValue !== undefined ? { defaultValue } : {}),
    });
  };
  if (ts.isClassLike(context) || ts.isObjectLiteralExpression(context) || ts.isBlock(context)) {
    // A block: the body of the constructor function of `Foo.prototype.f` (attachConstructors).
    const ctor = ts.isBlock(context) ? functions.get(sf.thisObject!) : undefined;
    const fields = ctor ? constructorFields(ctor.node, jsDocParamTypes(ctor.decl), prototypeFields(sourceFile, ctor.name)) : fieldsOf(context);
    const missing = ctor ? `neither the constructor '${ctor.name}' nor '${ctor.name}.prototype' assigns it (\`this.k = …\`)` : 'it is not a field declared in the class or object';
    for (const f of members) {
      if (!f.thisObject) continue;
      for (const x of readsOf(f.node).thisFields) {
        const info = fields.get(x);
        if (info?.isFunction) continue;
        if (!info) { if (!seen.has(`this.${x}`)) { seen.add(`this.${x}`); unsupported.set(`this.${x}`, missing); } continue; }
        consider(`this.${x}`, 'this', info);
      }
    }
  } else if (members[0]?.enclosing) {
    // The variables of the enclosing function and of the functions around it (innermost first).
    const scopes: Map<string, FieldInfo>[] = [];
    for (let e = functions.get(members[0].enclosing); e; e = e.enclosing ? functions.get(e.enclosing) : undefined) scopes.push(declarationsOf(e.node, e.decl));
    resolve = (x) => scopes.find((s) => s.has(x))?.get(x);
    for (const f of members) {
      const r = readsOf(f.node);
      // `this.k` in a member of a returned object (`return { k: 2, value(x) {…} }`).
      if (f.thisObject) for (const x of r.thisFields) unsupported.set(`this.${x}`, 'a field of an object a function returns, which Gradlens does not read; read a variable of the function around instead');
      for (const x of r.names) {
        if (r.declared.has(x)) continue;
        const info = scopes.find((s) => s.has(x))?.get(x);
        if (!info || info.isFunction) continue;
        consider(x, 'captured', info);
      }
    }
  }
  // A check point that does not name a defaulted input gets its literal value.
  for (const f of members) {
    const missing = (p: Point) => inputs.some((inp) => (inp.defaultValue !== undefined || arrayDefaults.has(inp.name)) && !Object.hasOwn(p, inp.name));
    if (!f.tags.at.some(missing)) continue;
    // A copy: the tags as parsed are shared with the memo of the statement (see discoverFunctions).
    f.tags = { ...f.tags, at: f.tags.at.map((p) => ({ ...p })) };
    retagged?.(f);
    for (const p of f.tags.at) {
      for (const inp of inputs) if (inp.defaultValue !== undefined && !Object.hasOwn(p, inp.name)) p[inp.name] = inp.defaultValue;
      for (const [name, v] of arrayDefaults) if (!Object.hasOwn(p, name)) p[name] = v as number[]; // a matrix too, as `@at M = [[…]]` gives
    }
  }
  // (A field's literal array is part of it too: the check points read it, so a cached analysis made
  // with another value must not be taken.)
  const environment = JSON.stringify([inputs, [...constants], [...unsupported], [...derived].map(([n, d]) => [n, d.init.getText(sourceFile)]), [...arrayDefaults]]);
  return { inputs, constants, unsupported, derived, environment };
}

/** (issue 13) A literal array of numbers, or of such arrays (a field's default value), else undefined. */
function literalArrayValue(e: ts.Expression, constantValue: (e: ts.Expression) => number | undefined, depth = 0): number[] | number[][] | undefined {
  e = unwrapInitializer(e);
  if (!ts.isArrayLiteralExpression(e) || depth > 1) return undefined;
  const out: (number | number[])[] = [];
  for (const el of e.elements) {
    const x = ts.isSpreadElement(el) ? undefined : ts.isArrayLiteralExpression(unwrapInitializer(el)) ? literalArrayValue(el, constantValue, depth + 1) as number[] | undefined : constantValue(el);
    if (x === undefined || (out.length > 0 && typeof x !== typeof out[0])) return undefined;
    out.push(x);
  }
  return out as number[] | number[][];
}

/**
 * The captured variables a `const`'s initialiser reads, when it computes a value from them alone
 * (`D.length`, `2 * n`, `Math.sqrt(D.length)`); undefined when it calls a function of the scope,
 * holds a function or reads `this` or anything else.
 */
function derivationReads(init: ts.Expression, resolve: (name: string) => FieldInfo | undefined): string[] | undefined {
  const reads = new Set<string>();
  let ok = true;
  const visit = (n: ts.Node, parent: ts.Node | undefined): void => {
    if (!ok) return;
    if (ts.isFunctionLike(n) || ts.isClassLike(n) || n.kind === ts.SyntaxKind.ThisKeyword) { ok = false; return; }
    if (ts.isIdentifier(n)) {
      const isName = parent !== undefined && ((ts.isPropertyAccessExpression(parent) && parent.name === n) || (ts.isPropertyAssignment(parent) && parent.name === n));
      if (isName) return;
      const info = resolve(n.text);
      if (info && !info.isFunction) reads.add(n.text);
      else if (info || !GLOBALS.has(n.text)) ok = false;
      return;
    }
    n.forEachChild((c) => visit(c, n));
  };
  visit(init, undefined);
  return ok && reads.size > 0 ? [...reads] : undefined;
}

const GLOBALS = new Set(['Math', 'Number', 'Infinity', 'NaN']);
