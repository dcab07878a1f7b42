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
//   function Logistic(s) { return { value: function … } }  Logistic.value        (nested, a member)
//   register('smooth', function (t) {…}) at the top level  smooth                 (callback)
//
// A callback is named by its own name (`function smooth(t) {…}`), else by the string its call
// gives (`register('smooth', …)`, camel-cased: `'ease-in'` is `easeIn`), the name a registry
// files it under; one with neither gets a GL005 saying to name it. A member of an object a
// function returns captures that function's variables as a nested function does; its siblings
// are its table (`derivative` beside `value`), but no binding of the function around.
// `Foo.prototype.f = function …` reads the fields the constructor `function Foo(…)` assigns
// (`this.k = 1.5` is a field with a default; `this.b = b || 0` one given in `@at this.b = …`).
//
// A `@differentiable` on a table (`/** @differentiable */ export const activations = {…}`)
// applies to each function member without a JSDoc of its own that is not a sibling's derivative.
// Besides: the resolution of callees and of tag names relative to a function, and the pairing of
// a derivative by the table's structure (`derivative` beside `fn`). The implicit inputs of a
// context (captured values, `this` fields) are engine/implicitInputs.ts's.

import ts = require('typescript');
import type { EngineDiagnostic } from './api';
import { emptyAnnotations, parseAnnotations } from './annotations';
import { handTagsOf, type HandTag } from './check/tags';
import type { Annotations, Range } from './ir';
import { propertyName } from './lower/types';
import { tagRangeOf, type DeclarationForm, type FunctionNode, type SourceFunction } from './sourceFunction';
import { spliceOf } from './statementSplice';
import { detached, detachStrings } from './textDiff';

/** The last `/** … *\/` comment before `decl`, parsed. */
/** A JSDoc tag of Gradlens's annotation language (engine/annotations.ts). */
const GRADLENS_TAG = /@(?:differentiable|nondifferentiable|derivative|wrt|at|gradient|partial|hessian|jvp)\b/;

export function readJsDoc(text: string, decl: ts.Node, name: string): { annotations: Annotations; diagnostics: EngineDiagnostic[] } {
  // A function expression's JSDoc may sit on the line of the token before (`f(/** … */ (x) => …)`),
  // as TypeScript reads it (`getJSDocCommentRanges`).
  const sameLine = ts.isFunctionExpression(decl) || ts.isArrowFunction(decl) || ts.isParenthesizedExpression(decl);
  const comments = [...(sameLine ? ts.getTrailingCommentRanges(text, decl.getFullStart()) ?? [] : []), ...ts.getLeadingCommentRanges(text, decl.getFullStart()) ?? []];
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

export const isFunctionValue = (e: ts.Expression | undefined): e is ts.ArrowFunction | ts.FunctionExpression =>
  !!e && (ts.isArrowFunction(unwrapInitializer(e)) || ts.isFunctionExpression(unwrapInitializer(e)));

/** A property's name as written (`fn`, `'fn'`, `0`), or undefined for a computed or private one. */
export const propName = (n: ts.PropertyName | undefined): string | undefined => (n ? propertyName(n) : undefined);

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
  for (const q of structuralPairNames(sf)) if (functions.get(q)?.container === sf.container) return q;
  return null;
}

/** The siblings structuralPair looks for, in its order (qualified names). */
export function structuralPairNames(sf: SourceFunction): string[] {
  // (A nested function has a container when it is a member of an object its factory returns.)
  if (!sf.container || sf.form === 'top' || sf.form === 'callback') return [];
  const names = derivativeSiblingNames(sf.shortName);
  if (FUNCTION_NAMES.has(sf.shortName)) names.push(...DERIVATIVE_NAMES);
  return names.map((n) => `${sf.container}.${n}`).filter((q) => q !== sf.name);
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

type TableDoc = { annotations: Annotations; diagnostics: EngineDiagnostic[] };

/**
 * What one top-level statement declares, found once per statement node: TypeScript's incremental
 * parser keeps the statements an edit does not touch (the same objects, moved), so an edit costs
 * the discovery of the statements it touches, whatever the size of the file.
 */
export interface StatementFunctions {
  /** The statement's `pos` and length when found (the ranges below are those of that time). */
  pos: number;
  length: number;
  /** Its functions in the order found: the main pass, then the `module.exports = …` pass. */
  main: SourceFunction[];
  exportsPass: SourceFunction[];
  tables: { members: SourceFunction[]; doc: TableDoc }[];
  /** Its functions' names, forms and `static`s (what callee and tag resolution read of them), made once. */
  shape?: string;
  /** It declares functions only: no type, constant, class or `@typedef` (isFunctionsOnly). */
  functionsOnly: boolean;
}

/**
 * `function f…`, or `const f = (…) => …` (every declarator a function), without a `@typedef` or
 * `@callback` (read by name, lower/types.ts): a statement read only through its functions, which
 * declares no type, constant or class.
 */
export function isFunctionsOnly(s: ts.Statement): boolean {
  if (!ts.isFunctionDeclaration(s) && !(ts.isVariableStatement(s) && s.declarationList.declarations.every((d) => isFunctionValue(d.initializer)))) return false;
  return !(s as { jsDoc?: ts.JSDoc[] }).jsDoc?.some((doc) => doc.tags?.some((t) => ts.isJSDocTypedefTag(t) || ts.isJSDocCallbackTag(t)));
}

const discovered = new WeakMap<ts.Statement, StatementFunctions>();

/** Discoveries made (statements not found in the memo): for tests of incrementality. */
export const discoveryStats = { statements: 0, versions: 0, afterSplice: 0 };

/**
 * Every function of the file in the forms above, in source order (a later one of the same name
 * replaces an earlier one). Linear: one visit of each statement, member and function body, and
 * per edit only of the statements the incremental parser re-parsed (the others are memoised).
 * Each call returns fresh SourceFunction objects with ranges moved to where their statement is
 * now; their tags are shared with the memo (where the statement was found, `tagShift` behind), so
 * whatever changes them copies them first.
 */
export function discoverFunctions(text: string, sourceFile: ts.SourceFile, parseErrors: readonly number[]): Discovery {
  const functions = new Map<string, SourceFunction>();
  const shapes: string[] = [];
  const tables: { members: SourceFunction[]; doc: TableDoc; shift: number }[] = [];
  // Indexed loops, no per-statement objects: this runs on every edit over every statement, mostly
  // before V8 has optimised it (where a `for…of` allocates a result object per step).
  const statements = sourceFile.statements;
  const found: StatementFunctions[] = new Array(statements.length);
  let exportsPass = false;
  // (a prototype assignment's function reads its constructor's statement)
  let assigned = false;
  let copies: Map<SourceFunction, SourceFunction> | undefined;
  for (let i = 0; i < statements.length; i++) {
    const s = statementFunctionsOf(text, sourceFile, statements[i]);
    found[i] = s;
    shapes.push(s.shape);
    if (s.exportsPass.length > 0) exportsPass = true;
    if (!assigned && s.main.some((f) => f.form === 'assigned')) assigned = true;
    // Which copy stands for which function found, for the statements' tables.
    if (s.tables.length > 0) copies ??= new Map();
  }
  const place = (list: 'main' | 'exportsPass') => {
    for (let i = 0; i < found.length; i++) {
      const s = found[i];
      const raws = list === 'main' ? s.main : s.exportsPass;
      const delta = statements[i].pos - s.pos;
      for (let j = 0; j < raws.length; j++) {
        const sf = instantiate(raws[j], delta, parseErrors);
        copies?.set(raws[j], sf);
        // A later function of the same name replaces an earlier one, in the later one's place.
        if (functions.has(sf.name)) functions.delete(sf.name);
        functions.set(sf.name, sf);
      }
    }
  };
  place('main');
  if (exportsPass) place('exportsPass');
  attachConstructors(functions, sourceFile);
  if (copies) {
    for (let i = 0; i < found.length; i++) {
      for (const t of found[i].tables) {
        tables.push({ members: t.members.map((m) => copies!.get(m)!), doc: t.doc, shift: statements[i].pos - found[i].pos });
      }
    }
  }

  // A table's `@differentiable` applies to its function members without Gradlens tags of their own
  // (no JSDoc, or one with only `@param`, `@returns`, prose) that are not a sibling's derivative
  // (`derivative` beside `fn`).
  const derivatives = tables.length > 0 ? structuralDerivatives(functions) : new Set<string>();
  const ownTags = (m: SourceFunction) => {
    const r = tagRangeOf(m, m.tags.docRange);
    return !!r && GRADLENS_TAG.test(text.slice(r.start, r.end));
  };
  for (const { members, doc, shift } of tables) {
    let first = true;
    for (const m of members) {
      if (ownTags(m) || functions.get(m.name) !== m || derivatives.has(m.name)) continue;
      // (the table's tags where its statement's discovery found them, as the member's own are)
      m.tags = structuredClone(doc.annotations);
      m.tagDiagnostics = first ? doc.diagnostics : [];
      m.tagShift = shift;
      m.inheritedDoc = true;
      const docRange = tagRangeOf(m, doc.annotations.docRange!);
      m.text = `${text.slice(docRange.start, docRange.end)}\u0000${m.text}`;
      first = false;
    }
  }
  const resolved = new WeakMap<Annotations, Annotations>();
  resolveTagNames(functions, undefined, resolved);
  const plain = !exportsPass && !copies && !assigned;
  return { functions, shapes, plain, found, resolved, functionsOnlyEdit: false };
}

/** What a statement declares: the memo's record, or found now (and memoised) when the statement is new or changed length. */
function statementFunctionsOf(text: string, sourceFile: ts.SourceFile, stmt: ts.Statement): StatementFunctions & { shape: string } {
  let s = discovered.get(stmt);
  if (!s || s.length !== stmt.end - stmt.pos) {
    s = statementFunctions(text, sourceFile, stmt);
    discovered.set(stmt, s);
    discoveryStats.statements++;
  }
  s.shape ??= shapeOf(s);
  return s as StatementFunctions & { shape: string };
}

/**
 * A discovery: the file's functions by name; per statement, its functions' shape (names, forms) and
 * record; whether the file is plain (no tables, prototype assignments or `module.exports` pass,
 * whose functions read other statements); and the tags with their names resolved.
 */
export interface Discovery {
  functions: Map<string, SourceFunction>;
  shapes: string[];
  plain: boolean;
  /** Per statement, what it declares (the memo's record): the next discovery after a splice reads the replaced one's here. */
  found: readonly StatementFunctions[];
  /** Per function's tags as discovered, the tags with their names resolved: valid while the file's names are (a discovery after a splice keeps them). */
  resolved: WeakMap<Annotations, Annotations>;
  /**
   * It comes from the last one after a splice that replaced a statement declaring functions only
   * by another (isFunctionsOnly): the edit changed no type, constant or class of the file.
   */
  functionsOnlyEdit: boolean;
  /** The statement it discovered again, when it comes from the last one after a splice (the others' functions are the last one's, moved). */
  replaced?: number;
}

/** A discovery to start from, and the functions whose tags the program made from it copied since (engine/program.ts `retagged`). */
export interface PreviousDiscovery extends Discovery {
  retagged: ReadonlySet<SourceFunction>;
}

/**
 * Discovery in proportion to the edit: after a splice (engine/statementSplice.ts) that replaced a
 * statement of a plain file by one declaring the same functions (names and forms), the last
 * discovery's map is updated in place: the statement's functions and those whose tags the last
 * program copied are made again; those of the statements after it are moved where they are (their
 * ranges and `tagShift`: their tags, and their names as resolved, are not copied); the others stay
 * as they are. Null when that is not certain: then everything is discovered.
 * The last discovery's map is the new one's: the program made from it must not be read again.
 */
export function discoverAfterSplice(text: string, sourceFile: ts.SourceFile, parseErrors: readonly number[], previous: PreviousDiscovery): Discovery | null {
  const spliced = spliceOf(sourceFile);
  if (!spliced || !previous.plain || parseErrors.length > 0) return null;
  const statements = sourceFile.statements;
  // (The last discovery is of the tree the splice started from: the same statements but one.)
  if (previous.found.length !== statements.length) return null;
  const before = previous.found[spliced.index];
  const stmt = statements[spliced.index];
  const s = statementFunctionsOf(text, sourceFile, stmt);
  if (s.shape !== before.shape || s.tables.length > 0 || s.exportsPass.length > 0) return null;
  const functions = previous.functions;
  // Each old function is the one of its name (no later one of the same name replaced it).
  for (const raw of before.main) if (functions.get(raw.name)?.node !== raw.node) return null;
  const renewed = s.main.map((raw) => instantiate(raw, stmt.pos - s.pos, parseErrors));
  // The discoveries of the statements after it are the last discovery's (the same nodes: a splice
  // replaces one statement), each of the same length as when it was found.
  const found = previous.found;
  const moved = spliced.delta !== 0;
  if (moved) {
    for (let k = spliced.index + 1; k < statements.length; k++) if (found[k].length !== statements[k].end - statements[k].pos) return null;
  }
  // Nothing is changed before this point: a null above leaves the last discovery as it was.
  for (const f of renewed) functions.set(f.name, f);
  // The functions of the statements after it are moved where they are (no copy of each: typing
  // moves every one after the edit); a function that another of its name replaced is not in the map.
  for (let k = moved ? spliced.index + 1 : statements.length; k < statements.length; k++) {
    const m = found[k];
    const delta = statements[k].pos - m.pos;
    for (let j = 0; j < m.main.length; j++) {
      const raw = m.main[j];
      const f = functions.get(raw.name);
      if (!f || f.origin !== raw) continue;
      moveTo(f, raw, delta);
    }
  }
  for (const f of previous.retagged) {
    if (functions.get(f.name) !== f || !f.origin) continue;
    const home = discovered.get(f.statement);
    if (!home) continue;
    const again = instantiate(f.origin, f.statement.pos - home.pos, parseErrors);
    functions.set(again.name, again);
    renewed.push(again);
  }
  // The moved functions keep their tags as resolved: the file's names are the same (the statement
  // declares the same ones), and moving them copied nothing.
  resolveTagNames(functions, renewed, previous.resolved);
  discoveryStats.afterSplice++;
  // (The last discovery's list, taken over as its map is.)
  (previous.found as StatementFunctions[])[spliced.index] = s;
  return { functions, shapes: previous.shapes, plain: true, found: previous.found, resolved: previous.resolved, functionsOnlyEdit: before.functionsOnly && s.functionsOnly, replaced: spliced.index };
}

/** A statement's functions' names, forms and `static`s, in the order they are placed. */
function shapeOf(s: StatementFunctions): string {
  let out = '';
  for (const f of s.main) out += `${f.name}\u0001${f.form}\u0001${f.isStatic ? 1 : 0}\u0000`;
  out += '\u0002';
  for (const f of s.exportsPass) out += `${f.name}\u0001${f.form}\u0001${f.isStatic ? 1 : 0}\u0000`;
  return out;
}

/**
 * `Foo.prototype.f = function …`: its `this` is an instance of `Foo`, whose fields the constructor
 * assigns (`function Foo(b) { this.b = b || 0; }`, or a class `Foo`'s): its context is that
 * constructor's body (or the class). Found per discovery, across statements (never memoised with
 * the method's statement: the constructor's may change alone).
 */
function attachConstructors(functions: ReadonlyMap<string, SourceFunction>, sourceFile: ts.SourceFile): void {
  let classes: Map<string, ts.ClassDeclaration> | undefined;
  functions.forEach((f) => {
    if (f.form !== 'assigned' || f.isStatic || !f.thisObject || f.context) return;
    const ctor = functions.get(f.thisObject);
    if (ctor?.form === 'top' && (ts.isFunctionDeclaration(ctor.node) || ts.isFunctionExpression(ctor.node)) && ctor.node.body) {
      f.context = ctor.node.body;
      return;
    }
    if (!classes) {
      classes = new Map();
      for (const s of sourceFile.statements) if (ts.isClassDeclaration(s) && s.name) classes.set(s.name.text, s);
    }
    f.context = classes.get(f.thisObject);
  });
}

/** `f` (made from `raw`) put where `raw`'s statement now is: `delta` from where it was found (its tags not copied: they are read where they are now with annotationsOf). */
function moveTo(f: SourceFunction, raw: SourceFunction, delta: number): void {
  f.range = movedRange(raw, delta);
  f.textStart = raw.textStart + delta;
  f.tagShift = delta;
}

function movedRange(raw: SourceFunction, delta: number): Range {
  return delta === 0 ? raw.range : { start: raw.range.start + delta, end: raw.range.end + delta };
}

/** A function found in a statement, as this parse has it: ranges moved by `delta`. */
function instantiate(raw: SourceFunction, delta: number, parseErrors: readonly number[]): SourceFunction {
  const range = movedRange(raw, delta);
  // Every field written, in one order, whatever the form: one object shape for every function, so
  // that the passes over all of a file's functions read them at one inline-cached offset.
  return {
    name: raw.name,
    shortName: raw.shortName,
    form: raw.form,
    node: raw.node,
    decl: raw.decl,
    statement: raw.statement,
    exported: raw.exported,
    nameNode: raw.nameNode,
    container: raw.container,
    thisObject: raw.thisObject,
    isStatic: raw.isStatic,
    enclosing: raw.enclosing,
    context: raw.context,
    inheritedDoc: raw.inheritedDoc,
    // Shared with the memo, where the statement's discovery found them: whatever changes a
    // function's tags copies them first (resolveTagNames, contextInputsOf, Program.lower for the
    // check points).
    tags: raw.tags,
    tagDiagnostics: raw.tagDiagnostics,
    tagShift: delta,
    hasSyntaxError: parseErrors.length > 0 && parseErrors.some((p) => p >= range.start && p <= range.end),
    deepNesting: raw.deepNesting,
    range,
    textStart: raw.textStart + delta,
    text: raw.text,
    version: raw.version,
    origin: raw,
  };
}

/** The functions one top-level statement declares (see StatementFunctions). */
function statementFunctions(text: string, sourceFile: ts.SourceFile, stmt: ts.Statement): StatementFunctions {
  const result: StatementFunctions = { pos: stmt.pos, length: stmt.end - stmt.pos, main: [], exportsPass: [], tables: [], functionsOnly: isFunctionsOnly(stmt) };
  // What is kept (memoised) holds no slice of this version of the text: its own strings (the
  // tags are read afresh for each declaration, so their strings are replaced in place).
  const tables = result.tables;
  let out = result.main;

  const add = (node: FunctionNode, name: string, nameNode: ts.Node, decl: ts.Node, place: Place): SourceFunction => {
    const range: Range = { start: decl.getStart(sourceFile), end: decl.end };
    const { annotations, diagnostics } = readJsDoc(text, decl, name);
    const textStart = annotations.docRange?.start ?? range.start;
    const sf: SourceFunction = {
      name, node, decl, nameNode, tags: detachStrings(annotations), tagDiagnostics: detachStrings(diagnostics), tagShift: 0, ...place,
      hasSyntaxError: false,
      range, textStart, text: detached(text.slice(textStart, decl.end)), version: ++discoveryStats.versions,
    };
    out.push(sf);
    if (node.body) visitBody(sf);
    return sf;
  };

  // Functions declared in a function's body: declarations, `const`/`let`/`var` of a function, a
  // function returned (a factory's), the function members of an object literal returned.
  // Callbacks and other function expressions there are not discovered (GL005 says what to do).
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
    // `return { value: function (x) {…}, derivative(x) {…} }`: members `Logistic.value`, whose
    // siblings (`container`) are the object's members, whose `this` is the object (not an arrow's).
    const returnedObject = (obj: ts.ObjectLiteralExpression, container: string): void => {
      for (const p of obj.properties) {
        const short = propName(p.name);
        if (short === undefined) continue;
        const place: Place = {
          form: 'nested', shortName: short, statement: outer.statement, exported: false, enclosing: outer.name, context: outer.node, container,
        };
        if (ts.isMethodDeclaration(p) && p.body && !p.asteriskToken) {
          add(p, `${container}.${short}`, p.name, p, { ...place, thisObject: container });
        } else if (ts.isPropertyAssignment(p) && isFunctionValue(p.initializer)) {
          const f = unwrapInitializer(p.initializer) as ts.ArrowFunction | ts.FunctionExpression;
          add(f, `${container}.${short}`, p.name, p, { ...place, ...(ts.isFunctionExpression(f) ? { thisObject: container } : {}) });
        } else if (ts.isPropertyAssignment(p) && ts.isObjectLiteralExpression(unwrapInitializer(p.initializer))) {
          returnedObject(unwrapInitializer(p.initializer) as ts.ObjectLiteralExpression, `${container}.${short}`);
        }
      }
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
    // `const make = (k) => ({ value: (x) => k * x })`: the object the arrow returns.
    if (!ts.isBlock(body) && ts.isObjectLiteralExpression(unwrapInitializer(body as ts.Expression))) {
      returnedObject(unwrapInitializer(body as ts.Expression) as ts.ObjectLiteralExpression, outer.name);
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
      if (ts.isReturnStatement(n) && n.expression && ts.isObjectLiteralExpression(unwrapInitializer(n.expression))) {
        returnedObject(unwrapInitializer(n.expression) as ts.ObjectLiteralExpression, outer.name);
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
    return d.annotations.differentiable ? detachStrings(d) : null;
  };

  // Tagged callbacks of calls outside any function (only a statement holding the tag is walked).
  const visitCallbacks = (): void => {
    if (text.slice(stmt.pos, stmt.end).indexOf('@differentiable') < 0) return;
    const stack: ts.Node[] = [stmt];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if ((ts.isCallExpression(n) || ts.isNewExpression(n)) && n.arguments) {
        for (const a of n.arguments) {
          if (!isFunctionValue(a)) continue;
          const f = unwrapInitializer(a) as ts.ArrowFunction | ts.FunctionExpression;
          // The JSDoc before the argument, or inside parentheses around it.
          const decl = [a, f].find((d) => readJsDoc(text, d, '').annotations.differentiable);
          const named = decl && callbackName(f, n);
          if (!named) continue;
          add(f, named.name, named.nameNode, decl!, { form: 'callback', shortName: named.name, statement: stmt, exported: false });
        }
      }
      if (ts.isFunctionLike(n) || ts.isClassLike(n)) continue;
      const children: ts.Node[] = [];
      n.forEachChild((c) => { children.push(c); });
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    }
  };

  {
    visitCallbacks();
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
      if (!target || !target.includes('.') || target.startsWith('this.')) return exportsPass();
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
  return exportsPass();

  // `module.exports = { … }` (a table of exports) and `module.exports = function (x) {…}` (the module
  // is the function): found after every other statement's functions.
  function exportsPass(): StatementFunctions {
    out = result.exportsPass;
    if (!ts.isExpressionStatement(stmt) || !ts.isBinaryExpression(stmt.expression) || stmt.expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return result;
    const left = stmt.expression.left;
    const right = unwrapInitializer(stmt.expression.right);
    if (dottedName(left) !== 'exports') return result;
    if (ts.isObjectLiteralExpression(right)) visitObject(right, 'exports', stmt, true, tableDoc(stmt));
    else if ((ts.isArrowFunction(right) || ts.isFunctionExpression(right)) && ts.isPropertyAccessExpression(left)) {
      add(right, 'module.exports', left.name, stmt, { form: 'assigned', shortName: 'exports', statement: stmt, exported: true });
    }
    return result;
  }
}

/**
 * The name a callback is analysed under: its own (`function smooth(t) {…}`), else the first string
 * its call gives (`register('smooth', …)`), camel-cased into a name (`'ease-in'` is `easeIn`);
 * undefined with neither (a GL005 then says to name it).
 */
export function callbackName(f: ts.ArrowFunction | ts.FunctionExpression, call: ts.CallExpression | ts.NewExpression): { name: string; nameNode: ts.Node } | undefined {
  const anonymous = ts.isArrowFunction(f) ? f.equalsGreaterThanToken : f.parameters[0] ?? f.body;
  if (ts.isFunctionExpression(f) && f.name) return { name: f.name.text, nameNode: f.name };
  const key = call.arguments?.find((a) => ts.isStringLiteralLike(a));
  const name = key && identifierOf((key as ts.StringLiteralLike).text);
  return name ? { name, nameNode: anonymous } : undefined;
}

/** `'ease-in out'` as a name, `easeInOut`; undefined for a string without letters or digits. */
export function identifierOf(s: string): string | undefined {
  const words = s.split(/[^A-Za-z0-9_$]+/).filter((w) => w.length > 0);
  if (words.length === 0) return undefined;
  const joined = words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('');
  return /^[0-9]/.test(joined) ? `_${joined}` : joined;
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

const NO_NAMES: readonly string[] = [];

/** Every name a tag of a function gives (`@gradient`, `@partial`, `@hessian`, `@jvp`, `@derivative`), resolved relative to it. */
function resolveTagNames(functions: ReadonlyMap<string, SourceFunction>, only: readonly SourceFunction[] | undefined, memo: WeakMap<Annotations, Annotations>): void {
  const resolve = (sf: SourceFunction): void => {
    const ann = sf.tags;
    const known = memo.get(ann);
    if (known) { sf.tags = known; return; }
    const tags = handTagsOf(ann);
    if (!ann.gradient && !ann.derivative && tags.length === 0) { memo.set(ann, ann); return; }
    const gradient = ann.gradient && resolveRelative(functions, sf, ann.gradient);
    const derivative = ann.derivative && resolveRelative(functions, sf, ann.derivative);
    const hands = tags.length === 0 ? NO_NAMES : tags.map((t) => resolveRelative(functions, sf, t.name));
    if (gradient === ann.gradient && derivative === ann.derivative && hands.every((h, i) => h === tags[i].name)) { memo.set(ann, ann); return; }
    // A copy: the tags as parsed are shared with the memo of the statement (see discoverFunctions).
    const copy = { ...ann, gradient, derivative } as Annotations & { hands?: HandTag[] };
    if (hands.length > 0) copy.hands = tags.map((t, i) => ({ ...t, name: hands[i] }));
    memo.set(ann, copy);
    sf.tags = copy;
  };
  if (only) only.forEach(resolve);
  else functions.forEach(resolve);
}

/** The function `callee` names in a call (or a getter read) inside `caller`, if it is one of the file's. */
export function resolveCallee(functions: ReadonlyMap<string, SourceFunction>, caller: SourceFunction, callee: ts.Expression): SourceFunction | undefined {
  if (ts.isIdentifier(callee)) {
    for (let s: SourceFunction | undefined = caller; s; s = s.enclosing ? functions.get(s.enclosing) : undefined) {
      const f = functions.get(`${s.name}.${callee.text}`);
      // (A member of an object the function returns is no variable of it.)
      if (f && f.form === 'nested' && f.container === undefined) return f;
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
    // In a member of a returned object, `this` is that object: its members, not the function's locals.
    if (f.form === 'nested' && f.container !== caller.thisObject) return undefined;
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
    case 'callback': return null;
  }
}
