// The declaration forms real code writes functions in, found on the syntax tree, each under one
// qualified name used everywhere (hovers, the CLI, diagnostics, `@gradient` and calls):
//
//   function f / const f = (…) => …                     f                       (top)
//   const activations = { logistic: { fn(x) {…} } }      activations.logistic.fn (member)
//   module.exports = { f: function … }, exports.f = …,
//   module.exports.f = …                                 exports.f               (member, assigned)
//   Foo.prototype.f = function …, Foo.f = function …     Foo.f                   (assigned)
//   class Model { loss(w) {…}; static f(x) {…}; get k() }  Model.loss, Model.f, Model.k (method)
//   function makeLoss(data) { return function loss(w) {…} }  makeLoss.loss        (nested)
//   const makeLoss = (data) => (w) => …                  makeLoss.returned       (nested)
//
// A `@differentiable` on a table (`/** @differentiable */ export const activations = {…}`)
// applies to each function member without a JSDoc of its own that is not a sibling's derivative.
// Besides: the implicit inputs of a context (captured values, `this` fields), the resolution of
// callees and of tag names relative to a function, and the pairing of a derivative by the table's
// structure (`derivative` beside `fn`).

import ts from 'typescript';
import type { EngineDiagnostic } from './api';
import { emptyAnnotations, parseAnnotations } from './annotations';
import { handTagsOf } from './check/tags';
import type { Annotations, Range } from './ir';
import { paramType, propertyName } from './lower/types';
import type { ContextInputs, DeclarationForm, DerivedCapture, FunctionNode, ImplicitInput, SourceFunction } from './sourceFunction';

/** The last `/** … *\/` comment before `decl`, parsed. */
/** A JSDoc tag of Gradlens's annotation language (engine/annotations.ts). */
const GRADLENS_TAG = /@(?:differentiable|nondifferentiable|derivative|wrt|at|gradient|partial|hessian|jvp)\b/;

export function readJsDoc(text: string, decl: ts.Node, name: string): { annotations: Annotations; diagnostics: EngineDiagnostic[] } {
  const comments = ts.getLeadingCommentRanges(text, decl.getFullStart()) ?? [];
  for (let i = comments.length - 1; i >= 0; i--) {
    const c = comments[i];
    if (c.kind === ts.SyntaxKind.MultiLineCommentTrivia && text.startsWith('/**', c.pos)) {
      return parseAnnotations(text, c.pos, c.end, name);
    }
  }
  return { annotations: emptyAnnotations(), diagnostics: [] };
}

/** What `const f = …` holds under parentheses, `as` and `satisfies`: `((x) => x) satisfies F` is a function. */
export function unwrapInitializer(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

const isFunctionValue = (e: ts.Expression | undefined): e is ts.ArrowFunction | ts.FunctionExpression =>
  !!e && (ts.isArrowFunction(unwrapInitializer(e)) || ts.isFunctionExpression(unwrapInitializer(e)));

/** A property's name as written (`fn`, `'fn'`, `0`), or undefined for a computed or private one. */
const propName = (n: ts.PropertyName | undefined): string | undefined => (n ? propertyName(n) : undefined);

/** `a.b.c`, `this.f`, `module.exports.f` as dotted text (`module.exports` read as `exports`), or undefined. */
export function dottedName(e: ts.Expression): string | undefined {
  const parts: string[] = [];
  let x: ts.Expression = e;
  while (ts.isPropertyAccessExpression(x)) {
    if (!ts.isIdentifier(x.name)) return undefined;
    parts.unshift(x.name.text);
    x = x.expression;
  }
  if (ts.isIdentifier(x)) parts.unshift(x.text);
  else if (x.kind === ts.SyntaxKind.ThisKeyword) parts.unshift('this');
  else return undefined;
  if (parts[0] === 'module' && parts[1] === 'exports') parts.splice(0, 2, 'exports');
  return parts.join('.');
}

interface Place {
  form: DeclarationForm;
  shortName: string;
  statement: ts.Statement;
  exported: boolean;
  container?: string;
  thisObject?: string;
  isStatic?: boolean;
  enclosing?: string;
  context?: ts.Node;
}

/** Names a derivative member has beside the function (`derivative` beside `fn`). */
const FUNCTION_NAMES = new Set(['fn', 'f', 'func', 'function', 'value', 'forward', 'activation', 'call', 'eval']);
const DERIVATIVE_NAMES = new Set(['derivative', 'deriv', 'prime', 'grad', 'gradient', 'df', 'dfdx', 'fprime', 'backward', 'dfn', 'dydx']);

/** Sibling names of the derivative of a member called `s`: `fprime`, `df`, `fDerivative`, `dF`… */
function derivativeSiblingNames(s: string): string[] {
  const cap = s[0].toUpperCase() + s.slice(1);
  return [`${s}prime`, `${s}Prime`, `${s}_prime`, `d${s}`, `d${cap}`, `${s}Derivative`, `${s}_derivative`, `${s}Deriv`, `${s}Grad`, `${s}_grad`, `grad${cap}`];
}

/**
 * The derivative paired with `sf` by its table's structure: a `derivative` (`prime`, `grad`, `df`,
 * …) member beside a member called `fn` (`f`, `func`, `value`, …), or a sibling named after it
 * (`fprime`, `df` beside `f`; `softplusPrime` beside `softplus`). Null for a top-level function
 * (pairing by name, `fGrad`, is engine/check/conventions.ts's).
 */
export function structuralPair(functions: ReadonlyMap<string, SourceFunction>, sf: SourceFunction): string | null {
  if (!sf.container || (sf.form !== 'member' && sf.form !== 'method' && sf.form !== 'assigned')) return null;
  const sibling = (n: string): string | null => {
    const q = `${sf.container}.${n}`;
    return q !== sf.name && functions.has(q) ? q : null;
  };
  for (const n of derivativeSiblingNames(sf.shortName)) { const q = sibling(n); if (q) return q; }
  if (FUNCTION_NAMES.has(sf.shortName)) {
    for (const n of DERIVATIVE_NAMES) { const q = sibling(n); if (q) return q; }
  }
  return null;
}

/** The derivatives of a sibling by the table's structure (a table's tag does not make them differentiable). One pass. */
function structuralDerivatives(functions: ReadonlyMap<string, SourceFunction>): Set<string> {
  const out = new Set<string>();
  for (const f of functions.values()) {
    const d = structuralPair(functions, f);
    if (d) out.add(d);
  }
  return out;
}

/**
 * Every function of the file in the forms above, in source order (a later one of the same name
 * replaces an earlier one). Linear: one visit of each statement, member and function body.
 */
export function discoverFunctions(text: string, sourceFile: ts.SourceFile, parseErrors: readonly number[]): Map<string, SourceFunction> {
  const functions = new Map<string, SourceFunction>();
  const tables: { members: SourceFunction[]; doc: { annotations: Annotations; diagnostics: EngineDiagnostic[] } }[] = [];

  const add = (node: FunctionNode, name: string, nameNode: ts.Node, decl: ts.Node, place: Place): SourceFunction => {
    const range: Range = { start: decl.getStart(sourceFile), end: decl.end };
    const { annotations, diagnostics } = readJsDoc(text, decl, name);
    const textStart = annotations.docRange?.start ?? range.start;
    const sf: SourceFunction = {
      name, node, decl, nameNode, annotations, annotationDiagnostics: diagnostics, ...place,
      hasSyntaxError: parseErrors.some((p) => p >= range.start && p <= range.end),
      range, textStart, text: text.slice(textStart, decl.end),
    };
    functions.delete(name);
    functions.set(name, sf);
    if (node.body) visitBody(sf);
    return sf;
  };

  // Functions declared in a function's body: declarations, `const`/`let`/`var` of a function, a
  // function returned (a factory's). Callbacks and other function expressions are not discovered.
  const visitBody = (outer: SourceFunction): void => {
    const nested = (node: FunctionNode, short: string, nameNode: ts.Node, decl: ts.Node) =>
      add(node, `${outer.name}.${short}`, nameNode, decl, {
        form: 'nested', shortName: short, statement: outer.statement, exported: false, enclosing: outer.name, context: outer.node,
      });
    const returned = (e: ts.Expression, decl: ts.Node) => {
      const f = unwrapInitializer(e) as ts.ArrowFunction | ts.FunctionExpression;
      const own = ts.isFunctionExpression(f) && f.name ? f.name : undefined;
      nested(f, own ? own.text : 'returned', own ?? (ts.isArrowFunction(f) ? f.equalsGreaterThanToken : f.parameters[0] ?? f.body), decl);
    };
    // Children pushed last first, so that functions are found in source order.
    const stack: ts.Node[] = [];
    const pushChildren = (n: ts.Node): void => {
      const children: ts.Node[] = [];
      n.forEachChild((c) => { children.push(c); });
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    };
    const body = outer.node.body!;
    // A curried factory, `const makeLoss = (data) => (w) => …`: the arrow's body is the function
    // it returns, named as a returned one (`makeLoss.returned`, or its own name).
    if (!ts.isBlock(body) && isFunctionValue(body as ts.Expression)) {
      // Its JSDoc sits before the arrow, inside parentheses around it or before them.
      const inner = unwrapInitializer(body as ts.Expression);
      const docBefore = (n: ts.Node) => (ts.getLeadingCommentRanges(text, n.getFullStart()) ?? []).some((c) => text.startsWith('/**', c.pos));
      returned(body as ts.Expression, docBefore(body) || !docBefore(inner) ? body : inner);
      return;
    }
    pushChildren(body);
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (ts.isFunctionDeclaration(n)) {
        if (n.name && n.body) nested(n, n.name.text, n.name, n);
        continue;
      }
      if (ts.isVariableStatement(n)) {
        const decls = n.declarationList.declarations;
        for (const d of decls) {
          if (ts.isIdentifier(d.name) && d.initializer && isFunctionValue(d.initializer)) {
            nested(unwrapInitializer(d.initializer) as ts.ArrowFunction, d.name.text, d.name, decls.length === 1 ? n : d);
          }
        }
        for (let i = decls.length - 1; i >= 0; i--) {
          const init = decls[i].initializer;
          if (init && !(ts.isIdentifier(decls[i].name) && isFunctionValue(init))) stack.push(init);
        }
        continue;
      }
      if (ts.isReturnStatement(n) && n.expression && isFunctionValue(n.expression)) {
        returned(n.expression, n);
        continue;
      }
      if (ts.isFunctionLike(n) || ts.isClassLike(n)) continue;
      pushChildren(n);
    }
  };

  // The members of an object literal, at any depth (`activations.logistic.fn`). `doc`: the JSDoc
  // of the table's declaration, when it carries `@differentiable`.
  const visitObject = (obj: ts.ObjectLiteralExpression, prefix: string, statement: ts.Statement, exported: boolean, doc: { annotations: Annotations; diagnostics: EngineDiagnostic[] } | null): void => {
    const members: SourceFunction[] = [];
    for (const p of obj.properties) {
      const short = propName(p.name);
      if (short === undefined) continue;
      const place: Place = { form: 'member', shortName: short, statement, exported, container: prefix, context: obj };
      if (ts.isMethodDeclaration(p) && p.body && !p.asteriskToken) {
        members.push(add(p, `${prefix}.${short}`, p.name, p, { ...place, thisObject: prefix }));
      } else if (ts.isPropertyAssignment(p) && isFunctionValue(p.initializer)) {
        const f = unwrapInitializer(p.initializer) as ts.ArrowFunction | ts.FunctionExpression;
        members.push(add(f, `${prefix}.${short}`, p.name, p, { ...place, ...(ts.isFunctionExpression(f) ? { thisObject: prefix } : {}) }));
      } else if (ts.isPropertyAssignment(p) && ts.isObjectLiteralExpression(unwrapInitializer(p.initializer))) {
        visitObject(unwrapInitializer(p.initializer) as ts.ObjectLiteralExpression, `${prefix}.${short}`, statement, exported, doc);
      }
    }
    if (doc && members.length > 0) tables.push({ members, doc });
  };

  const visitClass = (cls: ts.ClassLikeDeclaration, name: string, statement: ts.Statement, exported: boolean): void => {
    for (const m of cls.members) {
      const short = propName(m.name as ts.PropertyName | undefined);
      if (short === undefined) continue;
      const isStatic = !!ts.getModifiers(m as ts.HasModifiers)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
      const place: Place = { form: 'method', shortName: short, statement, exported, container: name, thisObject: name, isStatic, context: cls };
      if ((ts.isMethodDeclaration(m) && !m.asteriskToken) || ts.isGetAccessorDeclaration(m)) {
        if (m.body) add(m, `${name}.${short}`, m.name, m, place);
      } else if (ts.isPropertyDeclaration(m) && isFunctionValue(m.initializer)) {
        // `loss = (w: number) => …`: an arrow in a field initialiser sees the instance as `this`.
        add(unwrapInitializer(m.initializer!) as ts.ArrowFunction, `${name}.${short}`, m.name, m, place);
      }
    }
  };

  const hasExport = (s: ts.Statement) => !!ts.getModifiers(s as ts.HasModifiers)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const tableDoc = (decl: ts.Node) => {
    const d = readJsDoc(text, decl, '');
    return d.annotations.differentiable ? d : null;
  };

  for (const stmt of sourceFile.statements) {
    const exported = hasExport(stmt);
    if (ts.isFunctionDeclaration(stmt) && stmt.name && stmt.body) {
      add(stmt, stmt.name.text, stmt.name, stmt, { form: 'top', shortName: stmt.name.text, statement: stmt, exported });
    } else if (ts.isFunctionDeclaration(stmt) && stmt.body) {
      // `export default function (x) {…}`: named `default`, as an import sees it.
      const def = ts.getModifiers(stmt)?.find((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
      if (def) add(stmt, 'default', def, stmt, { form: 'top', shortName: 'default', statement: stmt, exported: true });
    } else if (ts.isVariableStatement(stmt)) {
      const decls = stmt.declarationList.declarations;
      for (const d of decls) {
        if (!ts.isIdentifier(d.name) || !d.initializer) continue;
        const init = unwrapInitializer(d.initializer);
        // The JSDoc sits on the variable statement; with one declarator that is this function's.
        const decl = decls.length === 1 ? stmt : d;
        if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) {
          add(init, d.name.text, d.name, decl, { form: 'top', shortName: d.name.text, statement: stmt, exported });
        } else if (ts.isObjectLiteralExpression(init)) {
          visitObject(init, d.name.text, stmt, exported, tableDoc(decl));
        } else if (ts.isClassExpression(init)) {
          visitClass(init, d.name.text, stmt, exported);
        }
      }
    } else if (ts.isClassDeclaration(stmt) && stmt.name) {
      visitClass(stmt, stmt.name.text, stmt, exported);
    } else if (ts.isExpressionStatement(stmt) && ts.isBinaryExpression(stmt.expression) && stmt.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = stmt.expression.left;
      const right = unwrapInitializer(stmt.expression.right);
      const target = dottedName(left);
      if (!target || !target.includes('.') || target.startsWith('this.')) continue;
      const parts = target.split('.');
      // `Foo.prototype.f = …` is the instance method `Foo.f`; its `this` is a `Foo`.
      const proto = parts.length === 3 && parts[1] === 'prototype';
      const name = proto ? `${parts[0]}.${parts[2]}` : target;
      const container = name.slice(0, name.lastIndexOf('.'));
      const commonJs = parts[0] === 'exports';
      if ((ts.isArrowFunction(right) || ts.isFunctionExpression(right)) && ts.isPropertyAccessExpression(left)) {
        add(right, name, left.name, stmt, {
          form: commonJs ? 'member' : 'assigned', shortName: parts[parts.length - 1], statement: stmt, exported: commonJs, container, isStatic: !proto,
          ...(ts.isFunctionExpression(right) ? { thisObject: container } : {}),
        });
      } else if (ts.isObjectLiteralExpression(right) && !proto) {
        visitObject(right, name, stmt, commonJs, tableDoc(stmt));
      }
    }
  }
  // `module.exports = { … }` (a table of exports) and `module.exports = function (x) {…}` (the module is the function).
  for (const stmt of sourceFile.statements) {
    if (!ts.isExpressionStatement(stmt) || !ts.isBinaryExpression(stmt.expression) || stmt.expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
    const left = stmt.expression.left;
    const right = unwrapInitializer(stmt.expression.right);
    if (dottedName(left) !== 'exports') continue;
    if (ts.isObjectLiteralExpression(right)) visitObject(right, 'exports', stmt, true, tableDoc(stmt));
    else if ((ts.isArrowFunction(right) || ts.isFunctionExpression(right)) && ts.isPropertyAccessExpression(left)) {
      add(right, 'module.exports', left.name, stmt, { form: 'assigned', shortName: 'exports', statement: stmt, exported: true });
    }
  }

  // A table's `@differentiable` applies to its function members without Gradlens tags of their own
  // (no JSDoc, or one with only `@param`, `@returns`, prose) that are not a sibling's derivative
  // (`derivative` beside `fn`).
  const derivatives = tables.length > 0 ? structuralDerivatives(functions) : new Set<string>();
  const ownTags = (m: SourceFunction) => !!m.annotations.docRange && GRADLENS_TAG.test(text.slice(m.annotations.docRange.start, m.annotations.docRange.end));
  for (const { members, doc } of tables) {
    let first = true;
    for (const m of members) {
      if (ownTags(m) || functions.get(m.name) !== m || derivatives.has(m.name)) continue;
      m.annotations = structuredClone(doc.annotations);
      m.annotationDiagnostics = first ? doc.diagnostics : [];
      m.inheritedDoc = true;
      m.text = `${text.slice(doc.annotations.docRange!.start, doc.annotations.docRange!.end)}\u0000${m.text}`;
      first = false;
    }
  }
  resolveTagNames(functions);
  return functions;
}

/**
 * The function a name written in a tag of `sf` means: a function nested in `sf` or in the
 * functions around it, a sibling member (`derivative` beside `fn`, `this.derivative`), or a
 * function of the file by its qualified name (`activations.logistic.derivative`, `fGrad`).
 */
export function resolveRelative(functions: ReadonlyMap<string, SourceFunction>, sf: SourceFunction, name: string): string {
  if (name.startsWith('this.') && sf.thisObject) {
    const q = `${sf.thisObject}.${name.slice(5)}`;
    if (functions.has(q)) return q;
  }
  for (let s: SourceFunction | undefined = sf; s; s = s.enclosing ? functions.get(s.enclosing) : undefined) {
    if (functions.has(`${s.name}.${name}`)) return `${s.name}.${name}`;
    if (s.container && functions.has(`${s.container}.${name}`)) return `${s.container}.${name}`;
  }
  if (name.startsWith('module.exports.')) return `exports.${name.slice('module.exports.'.length)}`;
  return name;
}

/** Every name a tag of a function gives (`@gradient`, `@partial`, `@hessian`, `@jvp`, `@derivative`), resolved relative to it. */
function resolveTagNames(functions: ReadonlyMap<string, SourceFunction>): void {
  for (const sf of functions.values()) {
    const ann = sf.annotations;
    if (ann.gradient) ann.gradient = resolveRelative(functions, sf, ann.gradient);
    if (ann.derivative) ann.derivative = resolveRelative(functions, sf, ann.derivative);
    for (const t of handTagsOf(ann)) t.name = resolveRelative(functions, sf, t.name);
  }
}

/** The function `callee` names in a call (or a getter read) inside `caller`, if it is one of the file's. */
export function resolveCallee(functions: ReadonlyMap<string, SourceFunction>, caller: SourceFunction, callee: ts.Expression): SourceFunction | undefined {
  if (ts.isIdentifier(callee)) {
    for (let s: SourceFunction | undefined = caller; s; s = s.enclosing ? functions.get(s.enclosing) : undefined) {
      const f = functions.get(`${s.name}.${callee.text}`);
      if (f && f.form === 'nested') return f;
    }
    const top = functions.get(callee.text);
    return top && top.form === 'top' ? top : undefined;
  }
  const dotted = dottedName(callee);
  if (!dotted || !dotted.includes('.')) return undefined;
  if (dotted.startsWith('this.')) {
    const f = caller.thisObject ? functions.get(`${caller.thisObject}.${dotted.slice(5)}`) : undefined;
    // A static method's `this` is the class: it calls static methods; an instance method, instance ones.
    if (!f || ((f.form === 'method' || f.form === 'assigned') && !!f.isStatic !== !!caller.isStatic)) return undefined;
    return f;
  }
  const f = functions.get(dotted);
  // `Model.loss(x)` of an instance method is a TypeError in JavaScript; nested functions are not properties.
  if (!f || f.form === 'top' || f.form === 'nested' || ((f.form === 'method' || f.form === 'assigned') && !f.isStatic)) return undefined;
  return f;
}

/**
 * How generated code placed outside the function's class, object or factory calls it, or null
 * when it cannot (an instance method, a getter, a closure, a default export).
 */
export function printedCallee(sf: SourceFunction): string | null {
  switch (sf.form) {
    case 'top': return sf.name === 'default' ? null : sf.name;
    // `module.exports.f` is right whether the module assigned `module.exports` or `exports.f`.
    case 'member': return sf.name.startsWith('exports.') ? `module.${sf.name}` : sf.name;
    case 'assigned': return sf.name === 'module.exports' || sf.isStatic ? (sf.name.startsWith('exports.') ? `module.${sf.name}` : sf.name) : null;
    case 'method': return sf.isStatic && !ts.isGetAccessorDeclaration(sf.node) ? sf.name : null;
    case 'nested': return null;
  }
}

// ---- Implicit inputs: captured values and `this` fields --------------------------------------

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

/** Variables declared in a function (its parameters and its locals, not those of functions inside). */
function declarationsOf(fn: FunctionNode): Map<string, FieldInfo> {
  const out = new Map<string, FieldInfo>();
  for (const p of fn.parameters) if (ts.isIdentifier(p.name)) out.set(p.name.text, { typeNode: p.type, init: p.initializer, isConst: false, isFunction: false });
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
      const params = new Map(m.parameters.filter((p) => ts.isIdentifier(p.name)).map((p) => [(p.name as ts.Identifier).text, p]));
      // `constructor(private readonly k: number)`: a parameter property.
      for (const [pn, p] of params) if (ts.getModifiers(p)?.some((x) => x.kind === ts.SyntaxKind.PublicKeyword || x.kind === ts.SyntaxKind.PrivateKeyword || x.kind === ts.SyntaxKind.ProtectedKeyword || x.kind === ts.SyntaxKind.ReadonlyKeyword)) out.set(pn, { typeNode: p.type, init: p.initializer, isConst: false, isFunction: false });
      for (const s of m.body.statements) {
        if (!ts.isExpressionStatement(s) || !ts.isBinaryExpression(s.expression) || s.expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
        const l = s.expression.left;
        if (!ts.isPropertyAccessExpression(l) || l.expression.kind !== ts.SyntaxKind.ThisKeyword || !ts.isIdentifier(l.name)) continue;
        const r = s.expression.right;
        const prior = out.get(l.name.text);
        const fromParam = ts.isIdentifier(r) ? params.get(r.text) : undefined;
        out.set(l.name.text, { typeNode: prior?.typeNode ?? fromParam?.type, init: fromParam ? undefined : r, isConst: false, isFunction: isFunctionValue(r) });
      }
    }
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
): ContextInputs {
  const context = sf.context!;
  // A class's static methods (whose `this` is the class) and its instance methods are two contexts.
  const members = [...functions.values()].filter((f) => sameContext(f, sf));
  const named = new Set<string>();
  for (const f of members) {
    for (const w of f.annotations.wrt ?? []) named.add(w);
    for (const p of f.annotations.at) for (const k of Object.keys(p)) named.add(k);
  }
  const inputs: ImplicitInput[] = [];
  const constants = new Map<string, number>();
  const unsupported = new Map<string, string>();
  const seen = new Set<string>();
  const derived = new Map<string, DerivedCapture>();
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
    if (info.typeNode && (!declared || declared.constant || declared.record)) {
      unsupported.set(name, `its type is '${info.typeNode.getText(sourceFile)}'`);
      return;
    }
    const shape = declared ?? literalShape(info.init, sourceFile) ?? { type: 'num' as const, depth: 0 };
    // A field's literal value (`k = 2`, `this.k = 2`) is its default: it stays an input (an instance
    // may change it; generated code reads `this.k`). A captured `const` is held at its value unless
    // a tag names it.
    const defaultValue = value !== undefined && (kind === 'this' || info.isConst) ? value : undefined;
    if (defaultValue !== undefined && kind === 'captured' && !named.has(name)) { constants.set(name, defaultValue); return; }
    inputs.push({
      name, kind, type: shape.type, depth: shape.depth,
      typeText: info.typeNode ? info.typeNode.getText(sourceFile) : shape.type === 'num' ? 'number' : `number${'[]'.repeat(shape.depth)}`,
      ...(defaultValue !== undefined ? { defaultValue } : {}),
    });
  };
  if (ts.isClassLike(context) || ts.isObjectLiteralExpression(context)) {
    const fields = fieldsOf(context);
    for (const f of members) {
      if (!f.thisObject) continue;
      for (const x of readsOf(f.node).thisFields) {
        const info = fields.get(x);
        if (info?.isFunction) continue;
        if (!info) { if (!seen.has(`this.${x}`)) { seen.add(`this.${x}`); unsupported.set(`this.${x}`, 'it is not a field declared in the class or object'); } continue; }
        consider(`this.${x}`, 'this', info);
      }
    }
  } else if (members[0]?.enclosing) {
    // The variables of the enclosing function and of the functions around it (innermost first).
    const scopes: Map<string, FieldInfo>[] = [];
    for (let e = functions.get(members[0].enclosing); e; e = e.enclosing ? functions.get(e.enclosing) : undefined) scopes.push(declarationsOf(e.node));
    resolve = (x) => scopes.find((s) => s.has(x))?.get(x);
    for (const f of members) {
      const r = readsOf(f.node);
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
    for (const p of f.annotations.at) {
      for (const inp of inputs) if (inp.defaultValue !== undefined && !Object.hasOwn(p, inp.name)) p[inp.name] = inp.defaultValue;
    }
  }
  const environment = JSON.stringify([inputs, [...constants], [...unsupported], [...derived].map(([n, d]) => [n, d.init.getText(sourceFile)])]);
  return { inputs, constants, unsupported, derived, environment };
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
