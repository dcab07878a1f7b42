// What a function's type annotations say: the IR type of a parameter or return type annotation
// (`paramType`, the one place a new parameter shape is recognised), and a helper's return type
// guessed from its body when it declares none.
//
// Records (`interface Vec2 { x: number; y: number }`, type aliases, inline `{ x: number }`, nested
// ones) are resolved syntactically among the file's top-level declarations and flattened: a record
// value is an array of its leaves sorted by path (`RecordLayout`), so `{ y, x }` and `Vec2` agree
// and the IR and every mode stay as they are. Booleans, strings, string unions, enums and records
// holding them (options objects) are parameters held constant, given in `@at`.

import ts = require('typescript');
import type { RecordField, RecordLayout } from '../ir';
import { rememberString } from '../format';
import { declarationsNamed } from '../statementSplice';

export interface ShapeType {
  type: 'num' | 'arr';
  depth: number;
  tupleLength?: number;
  /** The innermost arrays are records of this layout. */
  record?: RecordLayout;
  /** Held constant: a boolean (an IR boolean), a string or enum (a number: `stringId`), an options record. */
  constant?: 'bool' | 'str' | 'enum' | 'options';
}

const NUM: ShapeType = { type: 'num', depth: 0 };
/** How deep type references are followed (a recursive type is not a record of numbers). */
const MAX_TYPE_DEPTH = 16;
/** The most fields a record type may have (types nesting records of many fields grow exponentially). */
const MAX_RECORD_FIELDS = 1024;

/** The IR type of a TypeScript parameter/return type annotation, or undefined if unsupported. */
export function paramType(t: ts.TypeNode | undefined, sf: ts.SourceFile, depth = 0): ShapeType | undefined {
  if (!t) return NUM;
  if (depth > MAX_TYPE_DEPTH) return undefined;
  const inner = (x: ts.TypeNode) => paramType(x, sf, depth + 1);
  if (t.kind === ts.SyntaxKind.NumberKeyword) return NUM;
  if (t.kind === ts.SyntaxKind.BooleanKeyword) return { type: 'num', depth: 0, constant: 'bool' };
  if (t.kind === ts.SyntaxKind.StringKeyword) return { type: 'num', depth: 0, constant: 'str' };
  if (ts.isLiteralTypeNode(t)) {
    if (ts.isStringLiteral(t.literal)) return { type: 'num', depth: 0, constant: 'str' };
    if (ts.isNumericLiteral(t.literal)) return NUM;
    if (t.literal.kind === ts.SyntaxKind.TrueKeyword || t.literal.kind === ts.SyntaxKind.FalseKeyword) return { type: 'num', depth: 0, constant: 'bool' };
  }
  // `'call' | 'put'`, `number | undefined` is not a number.
  if (ts.isUnionTypeNode(t)) {
    const parts = t.types.map(inner);
    if (parts.every((p) => p?.constant === 'str')) return { type: 'num', depth: 0, constant: 'str' };
    if (parts.every((p) => p?.constant === 'bool')) return { type: 'num', depth: 0, constant: 'bool' };
    return undefined;
  }
  if (ts.isParenthesizedTypeNode(t)) return inner(t.type);
  if (ts.isTypeOperatorNode(t) && t.operator === ts.SyntaxKind.ReadonlyKeyword) return inner(t.type);
  if (ts.isArrayTypeNode(t)) return arrayOf(inner(t.elementType));
  if (ts.isTupleTypeNode(t)) {
    const els = t.elements.map((el) => inner(ts.isNamedTupleMember(el) ? el.type : el));
    if (els.some((x) => !x || x.record || x.constant)) return undefined;
    const d = Math.max(0, ...els.map((x) => x!.depth)) + 1;
    return { type: 'arr', depth: d, tupleLength: t.elements.length };
  }
  if (ts.isTypeLiteralNode(t)) return recordOf(t.members, null, sf, depth);
  // JSDoc's `{import('./vec').Vec2}`: the type `Vec2` of that module.
  if (ts.isImportTypeNode(t) && !t.isTypeOf && !t.typeArguments && t.qualifier && ts.isLiteralTypeNode(t.argument) && ts.isStringLiteral(t.argument.literal)) {
    return importedType(entityText(t.qualifier), sf, depth, t.argument.literal.text);
  }
  if (ts.isTypeReferenceNode(t)) {
    const name = entityText(t.typeName);
    if (name === 'Float64Array' || name === 'Float32Array') return { type: 'arr', depth: 1 };
    if ((name === 'Array' || name === 'ReadonlyArray') && t.typeArguments?.length === 1) return arrayOf(inner(t.typeArguments[0]));
    if ((name === 'Readonly') && t.typeArguments?.length === 1) return inner(t.typeArguments[0]);
    if (!t.typeArguments) return namedType(name, sf, depth);
  }
  return undefined;
}

/**
 * A parameter's (or an optional field's) shape: `number | undefined` is a number there, since a
 * check point or a default gives it its value (engine/checkPoints.ts asks for one).
 */
export function parameterShape(t: ts.TypeNode | undefined, sf: ts.SourceFile): ShapeType | undefined {
  return paramType(t && withoutUndefined(t), sf);
}

function withoutUndefined(t: ts.TypeNode): ts.TypeNode {
  if (!ts.isUnionTypeNode(t)) return t;
  const rest = t.types.filter((x) => x.kind !== ts.SyntaxKind.UndefinedKeyword && !(ts.isLiteralTypeNode(x) && x.literal.kind === ts.SyntaxKind.NullKeyword));
  return rest.length === 1 ? rest[0] : t;
}

function arrayOf(el: ShapeType | undefined): ShapeType | undefined {
  if (!el || (el.constant && el.constant !== 'options')) return undefined;
  return { type: 'arr', depth: el.type === 'num' ? 1 : el.depth + 1, record: el.record, constant: el.constant };
}

/** Resolved named types, per parse (a type resolves the same wherever it is used; failures are not kept). */
const NAMED = new WeakMap<ts.SourceFile, Map<string, ShapeType>>();

/**
 * Where a type name the file imports (`Vec2` of `import type { Vec2 } from './vec'`, `V.Vec2` of
 * `import * as V`) is declared: the other file's parse and its name there. Set by engine/program.ts
 * for a program read with a module host (engine/imports.ts `typeTarget`); without one an imported
 * type is unknown, as any other unknown type.
 */
export type ImportedTypeResolver = (chain: string[], specifier?: string) => { sourceFile: ts.SourceFile; name: string } | undefined;
const IMPORTED_TYPES = new WeakMap<ts.SourceFile, ImportedTypeResolver>();

/** Resolves `sf`'s imported type names through `resolver` from now on (forgetting what was resolved without it, or against older files). */
export function setImportedTypes(sf: ts.SourceFile, resolver: ImportedTypeResolver): void {
  IMPORTED_TYPES.set(sf, resolver);
  NAMED.delete(sf);
}

/** A top-level interface, type alias or enum of the file, by name. */
function namedType(name: string, sf: ts.SourceFile, depth: number): ShapeType | undefined {
  let known = NAMED.get(sf);
  if (!known) NAMED.set(sf, known = new Map());
  const hit = known.get(name);
  if (hit) return hit;
  const found = findNamedType(name, sf, depth) ?? importedType(name, sf, depth);
  if (found) known.set(name, found);
  return found;
}

/** A type the file imports (or names in `import('…')`), resolved in the file that declares it (syntactically there, as here). */
function importedType(name: string, sf: ts.SourceFile, depth: number, specifier?: string): ShapeType | undefined {
  const resolver = IMPORTED_TYPES.get(sf);
  if (!resolver) return undefined;
  let target: ReturnType<ImportedTypeResolver>;
  try { target = resolver(name.split('.'), specifier); } catch { return undefined; }
  return target ? namedType(target.name, target.sourceFile, depth + 1) : undefined;
}

/** `Vec2`, `V.Vec2`: a type's name as written, from its identifiers (no position is read: engine/statementSplice.ts). */
function entityText(n: ts.EntityName): string {
  return ts.isIdentifier(n) ? n.text : `${entityText(n.left)}.${n.right.text}`;
}

function findNamedType(name: string, sf: ts.SourceFile, depth: number): ShapeType | undefined {
  // (each declares `name`; the first of these kinds that reads as a type is it)
  for (const s of declarationsNamed(sf, name)) {
    if (ts.isInterfaceDeclaration(s) && !s.typeParameters) {
      // `interface Body extends Vec2 { m: number }`: the members of the bases come first.
      const members: ts.TypeElement[] = [];
      for (const h of s.heritageClauses ?? []) {
        for (const base of h.types) {
          if (!ts.isIdentifier(base.expression) || base.typeArguments) return undefined;
          const b = findDeclaration(base.expression.text, sf);
          if (!b || !ts.isInterfaceDeclaration(b)) return undefined;
          members.push(...b.members);
        }
      }
      members.push(...s.members);
      return recordOf(members, name, sf, depth);
    }
    if (ts.isTypeAliasDeclaration(s) && !s.typeParameters) {
      const r = paramType(s.type, sf, depth + 1);
      return r?.record && r.depth === 1 && r.type === 'arr' ? { ...r, record: { ...r.record, name } } : r;
    }
    if (ts.isEnumDeclaration(s)) {
      return enumValues(s) ? { type: 'num', depth: 0, constant: 'enum' } : { type: 'num', depth: 0, constant: 'str' };
    }
    if (ts.isClassDeclaration(s)) return classRecord(s, sf, depth)?.shape;
  }
  return typedef(name, sf, depth);
}

/**
 * A JSDoc `@typedef` of the file (JavaScript's record types): `@typedef {{ x: number, y: number }} Vec2`,
 * or `@typedef {Object} Vec2` with a `@property {number} x` per field.
 */
function typedef(name: string, sf: ts.SourceFile, depth: number): ShapeType | undefined {
  for (const node of [...sf.statements, sf.endOfFileToken]) {
    for (const doc of (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? []) {
      for (const tag of doc.tags ?? []) {
        if (!ts.isJSDocTypedefTag(tag) || !tag.name || !ts.isIdentifier(tag.name) || tag.name.text !== name || !tag.typeExpression) continue;
        const t = tag.typeExpression;
        if (ts.isJSDocTypeExpression(t)) {
          const r = paramType(t.type, sf, depth + 1);
          return r?.record && r.depth === 1 ? { ...r, record: { ...r.record, name } } : r;
        }
        const fields: RecordField[] = [];
        for (const prop of t.jsDocPropertyTags ?? []) {
          if (!ts.isIdentifier(prop.name) || !prop.typeExpression) return undefined;
          const ft = paramType(prop.typeExpression.type, sf, depth + 1);
          if (!ft) return undefined;
          if (ft.type === 'num' && !ft.record) fields.push({ path: prop.name.text, kind: ft.constant === 'bool' ? 'bool' : ft.constant ? 'str' : 'num' });
          else if (ft.record && ft.depth === 1) fields.push(...ft.record.fields.map((f) => ({ path: `${entityText(prop.name)}.${f.path}`, kind: f.kind })));
          else return undefined;
        }
        return fields.length > 0 ? recordShape(fields, name) : undefined;
      }
    }
  }
  return undefined;
}

/** Whether the file declares a JSDoc `@typedef` of this name (a JavaScript module exports each of its typedefs). */
export function declaresTypedef(name: string, sf: ts.SourceFile): boolean {
  for (const node of [...sf.statements, sf.endOfFileToken]) {
    for (const doc of (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? []) {
      if (doc.tags?.some((tag) => ts.isJSDocTypedefTag(tag) && !!tag.name && ts.isIdentifier(tag.name) && tag.name.text === name)) return true;
    }
  }
  return false;
}

/** Where a record class's field gets its value when `new C(…)` builds one. */
export type FieldSource =
  | { kind: 'param'; index: number; defaultValue?: ts.Expression }
  | { kind: 'assigned'; value: ts.Expression }
  | { kind: 'initializer'; value: ts.Expression };

/**
 * A class whose instance fields are numbers (declared `x: number`, initialised `k = 0`, constructor
 * parameter properties `constructor(public x: number)`, or assigned in the constructor `this.x =
 * x`) is a record layout (issue 13: `class Vector2`); its methods are not fields. Undefined for a
 * class with a base class, type parameters, an index signature or a field of another kind.
 */
export function classRecord(c: ts.ClassDeclaration, sf: ts.SourceFile, depth = 0): { shape: ShapeType; sources: Map<string, FieldSource>; ctor?: ts.ConstructorDeclaration } | undefined {
  if (c.heritageClauses?.length || c.typeParameters || depth > MAX_TYPE_DEPTH) return undefined;
  const fields: RecordField[] = [];
  const sources = new Map<string, FieldSource>();
  const isStatic = (m: ts.Node) => !!ts.getModifiers(m as ts.HasModifiers)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
  const add = (key: string, t: ts.TypeNode | undefined, init: ts.Expression | undefined, source: FieldSource): boolean => {
    if (sources.has(key)) return true;
    const ft = t ? paramType(t, sf, depth + 1) : init && (ts.isNumericLiteral(init) || (ts.isPrefixUnaryExpression(init) && ts.isNumericLiteral(init.operand))) ? NUM : undefined;
    if (!ft || ft.type !== 'num' || ft.record) return false; // leaves only: `new C(…)` builds them from its arguments
    fields.push({ path: key, kind: ft.constant === 'bool' ? 'bool' : ft.constant ? 'str' : 'num' });
    sources.set(key, source);
    return true;
  };
  const ctor = c.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
  if (ctor) {
    for (const [index, p] of ctor.parameters.entries()) {
      if (!ts.getModifiers(p)?.length) continue;
      if (!ts.isIdentifier(p.name) || !add(p.name.text, p.type, p.initializer, { kind: 'param', index, defaultValue: p.initializer })) return undefined;
    }
  }
  for (const m of c.members) {
    if (isStatic(m) || ts.isMethodDeclaration(m) || ts.isAccessor(m) || ts.isConstructorDeclaration(m) || ts.isClassStaticBlockDeclaration(m) || ts.isSemicolonClassElement(m)) continue;
    if (!ts.isPropertyDeclaration(m)) return undefined;
    const key = propertyName(m.name);
    if (key === undefined) return undefined;
    if (m.initializer && (ts.isArrowFunction(m.initializer) || ts.isFunctionExpression(m.initializer))) continue;
    const assigned = ctor && constructorAssignment(ctor, key);
    const source: FieldSource | undefined = assigned ? { kind: 'assigned', value: assigned } : m.initializer ? { kind: 'initializer', value: m.initializer } : undefined;
    if (!source || !add(key, m.type, m.initializer, source)) return undefined;
  }
  // JavaScript's classes declare fields by assigning them in the constructor: `this.x = x`.
  if (ctor) {
    for (const s of ctor.body!.statements) {
      const a = thisAssignment(s);
      if (!a || sources.has(a.key)) continue;
      const p = ts.isIdentifier(a.value) ? ctor.parameters.find((q) => ts.isIdentifier(q.name) && q.name.text === (a.value as ts.Identifier).text) : undefined;
      if (!add(a.key, p?.type ?? (p ? NUMBER_TYPE : undefined), a.value, { kind: 'assigned', value: a.value })) return undefined;
    }
  }
  if (fields.length === 0) return undefined;
  const shape = recordShape(fields, c.name?.text ?? null);
  return { shape: { ...shape, constant: shape.constant }, sources, ...(ctor ? { ctor } : {}) };
}

/** A synthetic `number` (an untyped JavaScript constructor parameter assigned to a field). */
const NUMBER_TYPE = ts.factory.createKeywordTypeNode(ts.SyntaxKind.NumberKeyword);

function thisAssignment(s: ts.Statement): { key: string; value: ts.Expression } | undefined {
  if (!ts.isExpressionStatement(s) || !ts.isBinaryExpression(s.expression) || s.expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  const l = s.expression.left;
  if (!ts.isPropertyAccessExpression(l) || l.expression.kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  return { key: l.name.text, value: s.expression.right };
}

function constructorAssignment(ctor: ts.ConstructorDeclaration, key: string): ts.Expression | undefined {
  for (const s of ctor.body!.statements) {
    const a = thisAssignment(s);
    if (a?.key === key) return a.value;
  }
  return undefined;
}

/** The record class of the file named `name` (for `new C(…)` and method calls on its values). */
export function recordClass(name: string, sf: ts.SourceFile): RecordClass | undefined {
  let known = RECORD_CLASSES.get(sf);
  if (!known) RECORD_CLASSES.set(sf, known = new Map());
  if (known.has(name)) return known.get(name) ?? undefined;
  const decl = declarationsNamed(sf, name).find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s));
  const r = decl && classRecord(decl, sf);
  const found = r && decl ? { decl, ...r } : undefined;
  known.set(name, found ?? null);
  return found;
}

/** The names of a class's instance methods (names only: no position is read). */
export function instanceMethodsOf(c: ts.ClassDeclaration): string[] {
  const out: string[] = [];
  for (const m of c.members) {
    if (ts.isMethodDeclaration(m) && ts.isIdentifier(m.name) && !ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) out.push(m.name.text);
  }
  return out;
}

/** Per parse, its named top-level classes by the instance methods they declare. */
const CLASSES_BY_METHOD = new WeakMap<ts.SourceFile, Map<string, ts.ClassDeclaration[]>>();

/** The file's named top-level classes that declare the instance method `method`, in order (not placed: a reader of one asks `recordClass`). */
export function classesWithMethod(sf: ts.SourceFile, method: string): readonly ts.ClassDeclaration[] {
  let index = CLASSES_BY_METHOD.get(sf);
  if (!index) {
    index = new Map();
    for (const s of sf.statements) {
      if (!ts.isClassDeclaration(s) || !s.name) continue;
      for (const m of new Set(instanceMethodsOf(s))) {
        const list = index.get(m);
        if (list) list.push(s);
        else index.set(m, [s]);
      }
    }
    CLASSES_BY_METHOD.set(sf, index);
  }
  return index.get(method) ?? [];
}

export interface RecordClass { decl: ts.ClassDeclaration; shape: ShapeType; sources: Map<string, FieldSource>; ctor?: ts.ConstructorDeclaration }

/** The file's record classes by name, per parse (null: no record class of that name). */
const RECORD_CLASSES = new WeakMap<ts.SourceFile, Map<string, RecordClass | null>>();

function findDeclaration(name: string, sf: ts.SourceFile): ts.Statement | undefined {
  return declarationsNamed(sf, name).find((s) => ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s));
}

/** A record type from its members: every member a number, boolean, string or record (no arrays, no methods). */
function recordOf(members: readonly ts.TypeElement[], name: string | null, sf: ts.SourceFile, depth: number): ShapeType | undefined {
  const fields: RecordField[] = [];
  const seen = new Set<string>();
  for (const m of members) {
    if (!ts.isPropertySignature(m) || !m.type) return undefined;
    const key = propertyName(m.name);
    if (key === undefined) return undefined;
    if (seen.has(key)) continue; // an interface redeclaring a base's member
    seen.add(key);
    const ft = paramType(m.questionToken ? withoutUndefined(m.type) : m.type, sf, depth + 1);
    if (!ft) return undefined;
    if (ft.type === 'num' && !ft.record) fields.push({ path: key, kind: ft.constant === 'bool' ? 'bool' : ft.constant ? 'str' : 'num' });
    else if (ft.record && ft.depth === 1) fields.push(...ft.record.fields.map((f) => ({ path: `${key}.${f.path}`, kind: f.kind })));
    else return undefined; // arrays inside records: not flattened
    if (fields.length > MAX_RECORD_FIELDS) return undefined;
  }
  if (fields.length === 0) return undefined;
  return recordShape(fields, name);
}

/** The shape of a record of these leaves (sorted by path: the one layout of the type). */
export function recordShape(fields: RecordField[], name: string | null): ShapeType {
  const sorted = [...fields].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const constant = sorted.some((f) => f.kind !== 'num') ? 'options' as const : undefined;
  return { type: 'arr', depth: 1, tupleLength: sorted.length, record: { fields: sorted, name }, constant };
}

export function propertyName(n: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n)) return n.text;
  return undefined;
}

/** The values of a numeric enum's members, or undefined when one is not a number literal (or a string enum). */
export function enumValues(e: ts.EnumDeclaration): Map<string, number> | undefined {
  const out = new Map<string, number>();
  let next = 0;
  for (const m of e.members) {
    const key = propertyName(m.name);
    if (key === undefined) return undefined;
    if (m.initializer) {
      let init = m.initializer;
      let sign = 1;
      if (ts.isPrefixUnaryExpression(init) && init.operator === ts.SyntaxKind.MinusToken) { sign = -1; init = init.operand; }
      if (!ts.isNumericLiteral(init)) return undefined;
      next = sign * Number(init.text);
    }
    out.set(key, next);
    next++;
  }
  return out;
}

/** Two layouts hold the same fields (then their arrays agree element by element). */
export function sameLayout(a: RecordLayout, b: RecordLayout): boolean {
  return a.fields.length === b.fields.length && a.fields.every((f, i) => f.path === b.fields[i].path);
}

/**
 * A string's value in the IR: strings are held constant and only compared, so each is a number,
 * a 50-bit hash plus one half (never an integer; two strings of one program colliding is not a
 * practical concern). The messages show it as the string (engine/format.ts `rememberString`).
 */
export function stringId(s: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 16777619) >>> 0;
    h2 = Math.imul(h2 ^ c, 2246822519) >>> 0;
  }
  const id = ((h1 >>> 2) * 0x100000 + (h2 >>> 12)) + 0.5;
  rememberString(id, s);
  return id;
}

/**
 * The JSDoc `@param {T} name` types of a declaration (JavaScript's parameter types), read from the
 * JSDoc the parser attaches to `decl` (the tree has no parent pointers, so not `ts.getJSDocType`).
 */
export function jsDocParamTypes(decl: ts.Node): Map<string, ts.TypeNode> {
  const out = new Map<string, ts.TypeNode>();
  const docs = (decl as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
  const last = docs[docs.length - 1];
  for (const tag of last?.tags ?? []) {
    if (!ts.isJSDocParameterTag(tag) || !tag.typeExpression || !ts.isIdentifier(tag.name)) continue;
    let t: ts.TypeNode = tag.typeExpression.type;
    if (ts.isJSDocOptionalType(t)) t = t.type;
    out.set(tag.name.text, t);
  }
  return out;
}

/** A parameter's type: its annotation, else its JSDoc `@param {T}` type (JavaScript). */
export function declaredParamType(p: ts.ParameterDeclaration, docTypes: ReadonlyMap<string, ts.TypeNode>): ts.TypeNode | undefined {
  if (p.type) return p.type;
  if (!ts.isIdentifier(p.name)) return undefined;
  const t = docTypes.get(p.name.text);
  return t && t.kind !== ts.SyntaxKind.JSDocAllType && t.kind !== ts.SyntaxKind.JSDocUnknownType ? t : undefined;
}

/** A helper's return type when it declares none: an array if some `return` gives an array literal. */
export function guessReturnType(node: ts.FunctionLikeDeclaration): 'num' | 'arr' {
  let found: 'num' | 'arr' = 'num';
  const visit = (n: ts.Node) => {
    if (ts.isReturnStatement(n) && n.expression && (ts.isArrayLiteralExpression(n.expression) || ts.isObjectLiteralExpression(n.expression))) found = 'arr';
    if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
  };
  if (node.body) {
    if (ts.isBlock(node.body)) ts.forEachChild(node.body, visit);
    else if (ts.isArrayLiteralExpression(node.body)) found = 'arr';
    else if (ts.isParenthesizedExpression(node.body) && ts.isObjectLiteralExpression(node.body.expression)) found = 'arr';
  }
  return found;
}

/** Whether a function returns an object literal whose keys are all its parameters' names (a gradient keyed by parameter). */
export function returnsKeyedByParameters(node: ts.FunctionLikeDeclaration): boolean {
  const params = new Set(node.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : '')));
  let keyed = false;
  const visit = (n: ts.Node) => {
    if (keyed) return;
    let e: ts.Expression | undefined = ts.isReturnStatement(n) ? n.expression : undefined;
    while (e && (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e))) e = e.expression;
    if (e && ts.isObjectLiteralExpression(e) && e.properties.length > 0 && e.properties.every((p) => p.name !== undefined && ts.isIdentifier(p.name) && params.has(p.name.text))) keyed = true;
    if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
  };
  if (node.body) ts.forEachChild(node.body, visit);
  return keyed;
}

/** The record a helper without a declared return type returns, read from its first returned object literal (numbers only). */
export function guessReturnRecord(node: ts.FunctionLikeDeclaration): RecordLayout | undefined {
  let lit: ts.ObjectLiteralExpression | undefined;
  const visit = (n: ts.Node) => {
    if (lit) return;
    if (ts.isReturnStatement(n) && n.expression) {
      let e = n.expression;
      while (ts.isParenthesizedExpression(e)) e = e.expression;
      if (ts.isObjectLiteralExpression(e)) lit = e;
    }
    if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
  };
  if (node.body) {
    if (ts.isBlock(node.body)) ts.forEachChild(node.body, visit);
    else {
      let e: ts.Expression = node.body;
      while (ts.isParenthesizedExpression(e)) e = e.expression;
      if (ts.isObjectLiteralExpression(e)) lit = e;
    }
  }
  if (!lit) return undefined;
  const fields: RecordField[] = [];
  const walk = (o: ts.ObjectLiteralExpression, prefix: string): boolean => {
    for (const p of o.properties) {
      const key = p.name && propertyName(p.name);
      if (key === undefined) return false;
      let v: ts.Expression | undefined = ts.isPropertyAssignment(p) ? p.initializer : undefined;
      while (v && ts.isParenthesizedExpression(v)) v = v.expression;
      if (v && ts.isObjectLiteralExpression(v)) { if (!walk(v, `${prefix}${key}.`)) return false; continue; }
      if (!ts.isPropertyAssignment(p) && !ts.isShorthandPropertyAssignment(p)) return false;
      fields.push({ path: prefix + key, kind: 'num' });
    }
    return true;
  };
  if (!walk(lit, '') || fields.length === 0) return undefined;
  return recordShape(fields, null).record;
}

/** A JSDoc `@returns {T}` (or `@return {T}`) of a declaration: JavaScript's return type. */
export function jsDocReturnType(decl: ts.Node): ts.TypeNode | undefined {
  const docs = (decl as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
  for (const tag of docs[docs.length - 1]?.tags ?? []) {
    if (ts.isJSDocReturnTag(tag) && tag.typeExpression) return tag.typeExpression.type;
  }
  return undefined;
}

/** How deep `guessedReturnKind` follows a returned local to its initialiser. */
const MAX_GUESS_DEPTH = 8;

/**
 * What a function without a declared return type returns, when its syntax tells: each `return`
 * gives arithmetic, a number literal, `Math.*`, `.length`, an array or object literal, a typed
 * parameter, a helper with a declared type, or a local initialised with one of those. Undefined
 * when some `return` is undecided (`return exps.map(…)`, `return helper(x)` of an untyped helper):
 * then the type oracle (engine/typeOracle.ts) infers it.
 */
export function guessedReturnKind(fn: ts.FunctionLikeDeclaration, sf: ts.SourceFile, decl: ts.Node = fn): 'num' | 'arr' | undefined {
  if (!fn.body) return 'num';
  const returns: ts.Expression[] = [];
  if (!ts.isBlock(fn.body)) returns.push(fn.body);
  else {
    const visit = (n: ts.Node) => {
      if (ts.isReturnStatement(n) && n.expression) returns.push(n.expression);
      if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
    };
    ts.forEachChild(fn.body, visit);
  }
  const docTypes = jsDocParamTypes(decl);
  const locals = new Map<string, ts.VariableDeclaration>();
  if (ts.isBlock(fn.body)) {
    const visit = (n: ts.Node) => {
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && !locals.has(n.name.text)) locals.set(n.name.text, n);
      if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
    };
    ts.forEachChild(fn.body, visit);
  }
  const ofShape = (t: ts.TypeNode | undefined): 'num' | 'arr' | undefined => {
    const s = t ? paramType(t, sf) : undefined;
    return s ? s.type : undefined;
  };
  const kind = (e: ts.Expression, depth: number): 'num' | 'arr' | undefined => {
    if (depth > MAX_GUESS_DEPTH) return undefined;
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e)) {
      if (!ts.isParenthesizedExpression(e) && !ts.isNonNullExpression(e)) return ofShape(e.type);
      e = e.expression;
    }
    if (ts.isNumericLiteral(e) || ts.isPrefixUnaryExpression(e) || ts.isPostfixUnaryExpression(e)) return 'num';
    if (ts.isArrayLiteralExpression(e) || ts.isObjectLiteralExpression(e)) return 'arr';
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.CommaToken || (op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment)) {
        const r = kind(e.right, depth + 1);
        return op === ts.SyntaxKind.CommaToken || op === ts.SyntaxKind.EqualsToken || r === kind(e.left, depth + 1) ? r : undefined;
      }
      return 'num'; // arithmetic, comparisons, bitwise: a number (or a boolean, which a number return refuses alike)
    }
    if (ts.isConditionalExpression(e)) {
      const a = kind(e.whenTrue, depth + 1);
      return a === kind(e.whenFalse, depth + 1) ? a : undefined;
    }
    if (ts.isPropertyAccessExpression(e)) {
      if (e.name.text === 'length' || (ts.isIdentifier(e.expression) && (e.expression.text === 'Math' || e.expression.text === 'Number'))) return 'num';
      return undefined;
    }
    if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && /^(Array|Float64Array|Float32Array)$/.test(e.expression.text)) return 'arr';
    if (ts.isCallExpression(e)) {
      const c = e.expression;
      if (ts.isPropertyAccessExpression(c) && ts.isIdentifier(c.expression)) {
        if (c.expression.text === 'Math' || c.expression.text === 'Number') return 'num';
        if (c.expression.text === 'Array' && c.name.text === 'from') return 'arr';
      }
      if (ts.isIdentifier(c)) {
        if (c.text === 'isFinite' || c.text === 'isNaN') return 'num';
        const helper = declarationsNamed(sf, c.text).find((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s));
        const declared = helper && (helper.type ?? jsDocReturnType(helper));
        if (declared) return ofShape(declared);
      }
      return undefined;
    }
    if (ts.isIdentifier(e)) {
      const p = fn.parameters.find((q) => ts.isIdentifier(q.name) && q.name.text === e.text);
      if (p) return ofShape(declaredParamType(p, docTypes));
      const local = locals.get(e.text);
      if (local) return local.type ? ofShape(local.type) : local.initializer ? kind(local.initializer, depth + 1) : undefined;
      return undefined;
    }
    return undefined;
  };
  let out: 'num' | 'arr' | undefined = 'num';
  for (const [i, r] of returns.entries()) {
    const k = kind(r, 0);
    if (k === undefined || (i > 0 && k !== out)) return undefined;
    out = k;
  }
  return out;
}

/** A return type `{ w: number[]; b: number }` whose keys are the function's parameters, each of a type of the subset: a gradient keyed by parameter. */
export function typedByParameters(t: ts.TypeNode, fn: ts.SignatureDeclaration, sf: ts.SourceFile): boolean {
  if (!ts.isTypeLiteralNode(t) || t.members.length === 0) return false;
  const params = new Set(fn.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : '')));
  return t.members.every((m) => ts.isPropertySignature(m) && !!m.type && propertyName(m.name) !== undefined && params.has(propertyName(m.name)!) && paramType(m.type, sf) !== undefined);
}
