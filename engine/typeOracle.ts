// The type oracle: TypeScript's own checker, asked only where the syntactic typing of
// lower/types.ts cannot decide (a JavaScript helper whose result is inferred, `return
// exps.map(…)`; a local's type in JSDoc-typed code). It is built lazily, once per parse of a
// file, as a `ts.Program` in memory: the file's text (its own parse for TypeScript; a JavaScript
// parse of the same text for JavaScript, so that JSDoc types count), the texts the module host
// already reads (engine/modules.ts), and a small library of our own (`LIB`) declaring what the
// subset uses. No IO, `noLib`. Files that syntax types fully never build it: a checker costs tens
// of milliseconds and megabytes (issue 13's budget: 2,000 lines analysed in 300 ms warm).
//
// Checker types are mapped to the engine's shapes (`ShapeType`): numbers, arrays, tuples,
// records (object and class instance types whose properties are numbers, booleans, strings or
// records; methods are not fields), held-constant booleans, strings and enums.

import ts = require('typescript');
import { MAX_MODULE_CHARS, MAX_MODULES, type ModuleContext } from './modules';
import { guessedReturnKind, recordShape, type ShapeType } from './lower/types';
import type { RecordField } from './ir';
import { placeAll } from './statementSplice';

/** What the subset needs of the standard library, declared for the checker (`noLib`). */
const LIB = `
interface Object { hasOwnProperty(v: string): boolean; }
interface Function { apply(this: Function, thisArg: any, argArray?: any): any; call(this: Function, thisArg: any, ...args: any[]): any; }
interface CallableFunction extends Function {}
interface NewableFunction extends Function {}
interface IArguments { length: number; [index: number]: any; }
interface RegExp { test(s: string): boolean; }
interface Boolean {}
interface String { readonly length: number; charCodeAt(i: number): number; }
interface Number { toFixed(digits?: number): string; }
interface Symbol {}
interface ReadonlyArray<T> {
  readonly length: number;
  readonly [n: number]: T;
  map<U>(f: (value: T, index: number, array: readonly T[]) => U): U[];
  slice(start?: number, end?: number): T[];
  reduce<U>(f: (acc: U, value: T, index: number) => U, initial: U): U;
  indexOf(v: T): number;
}
interface Array<T> {
  length: number;
  [n: number]: T;
  push(...items: T[]): number;
  pop(): T | undefined;
  map<U>(f: (value: T, index: number, array: T[]) => U): U[];
  filter(f: (value: T, index: number, array: T[]) => unknown): T[];
  forEach(f: (value: T, index: number, array: T[]) => void): void;
  reduce<U>(f: (acc: U, value: T, index: number) => U, initial: U): U;
  reduce(f: (acc: T, value: T, index: number) => T): T;
  slice(start?: number, end?: number): T[];
  concat(...items: (T | readonly T[])[]): T[];
  fill(value: T, start?: number, end?: number): this;
  indexOf(v: T): number;
}
interface ArrayConstructor {
  new (n?: number): any[];
  new <T>(n: number): T[];
  <T>(n: number): T[];
  from<T>(a: ArrayLike<T>): T[];
  from<T, U>(a: ArrayLike<T>, f: (v: T, i: number) => U): U[];
  isArray(a: any): a is any[];
}
interface ArrayLike<T> { readonly length: number; readonly [n: number]: T; }
declare var Array: ArrayConstructor;
interface Float64Array { readonly length: number; [n: number]: number; fill(v: number): Float64Array; slice(): Float64Array; map(f: (v: number, i: number) => number): Float64Array; }
declare var Float64Array: { new (n: number | ArrayLike<number>): Float64Array };
interface Float32Array { readonly length: number; [n: number]: number; }
declare var Float32Array: { new (n: number | ArrayLike<number>): Float32Array };
interface NumberConstructor { readonly EPSILON: number; readonly MAX_VALUE: number; readonly MIN_VALUE: number; readonly POSITIVE_INFINITY: number; readonly NEGATIVE_INFINITY: number; readonly NaN: number; isFinite(x: unknown): boolean; isNaN(x: unknown): boolean; isInteger(x: unknown): boolean; (v?: any): number; }
declare var Number: NumberConstructor;
declare function isFinite(x: number): boolean;
declare function isNaN(x: number): boolean;
declare var NaN: number;
declare var Infinity: number;
interface Math {
  readonly E: number; readonly PI: number; readonly LN2: number; readonly LN10: number; readonly LOG2E: number; readonly LOG10E: number; readonly SQRT2: number; readonly SQRT1_2: number;
  abs(x: number): number; acos(x: number): number; acosh(x: number): number; asin(x: number): number; asinh(x: number): number; atan(x: number): number; atanh(x: number): number;
  atan2(y: number, x: number): number; cbrt(x: number): number; ceil(x: number): number; cos(x: number): number; cosh(x: number): number; exp(x: number): number; expm1(x: number): number;
  floor(x: number): number; fround(x: number): number; hypot(...v: number[]): number; log(x: number): number; log1p(x: number): number; log2(x: number): number; log10(x: number): number;
  max(...v: number[]): number; min(...v: number[]): number; pow(x: number, y: number): number; random(): number; round(x: number): number; sign(x: number): number;
  sin(x: number): number; sinh(x: number): number; sqrt(x: number): number; tan(x: number): number; tanh(x: number): number; trunc(x: number): number;
}
declare var Math: Math;
declare var module: { exports: any };
declare var exports: any;
declare function require(id: string): any;
type Readonly<T> = { readonly [P in keyof T]: T[P] };
type Partial<T> = { [P in keyof T]?: T[P] };
type Record<K extends keyof any, T> = { [P in K]: T };
`;

const LIB_NAME = '/$gradlens/lib.d.ts';
let libFile: ts.SourceFile | undefined;

const OPTIONS: ts.CompilerOptions = {
  noLib: true, allowJs: true, checkJs: false, strict: true, noEmit: true, skipLibCheck: true,
  target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
  types: [], noResolve: false,
};

/** The module context of a parse (set by engine/imports.ts for a program read with a host). */
const CONTEXTS = new WeakMap<ts.SourceFile, ModuleContext>();

export function setOracleContext(sf: ts.SourceFile, context: ModuleContext): void {
  CONTEXTS.set(sf, context);
}

/** Per parse: its oracle, or null when building one failed (not tried again). */
const ORACLES = new WeakMap<ts.SourceFile, TypeOracle | null>();
/** The last programs built, by root file: the next one reuses what did not change (`oldProgram`). */
const PREVIOUS = new Map<string, ts.Program>();
const MAX_PREVIOUS = 4;
/** Other files' parses, by name and text (reused across programs), at most `MAX_PARSED_CHARS` of text. */
const PARSED = new Map<string, ts.SourceFile>();
const MAX_PARSED_CHARS = 8_000_000;
let parsedChars = 0;
/** The most fields a checker type may have to be a record (as lower/types.ts's syntactic records). */
const MAX_RECORD_FIELDS = 1024;

let built = 0;
/** How many checkers were built in this process (tests assert that syntax alone sufficed). */
export function oraclesBuilt(): number {
  return built;
}

/** The oracle of a parse, built on first use; undefined when it cannot be built. */
export function typeOracle(sf: ts.SourceFile): TypeOracle | undefined {
  const known = ORACLES.get(sf);
  if (known !== undefined) return known ?? undefined;
  let oracle: TypeOracle | null = null;
  if (sf.text.length > MAX_MODULE_CHARS) { ORACLES.set(sf, null); return undefined; }
  try {
    // The checker reads every position (engine/statementSplice.ts moves them lazily).
    placeAll(sf);
    oracle = TypeOracle.build(sf, CONTEXTS.get(sf));
  } catch {
    // A fault of the checker's is no reason to fail: syntax typing stands.
    oracle = null;
  }
  ORACLES.set(sf, oracle);
  // Its time is the function's (the meter's clock runs on): past the first slice (25 ms, less than
  // a cold checker takes), the function is analysed again later, its lowering and the oracle kept.
  // Lowering itself never stops on time, so no throw here.
  return oracle ?? undefined;
}

const TS_MODIFIERS = new Set([ts.SyntaxKind.PublicKeyword, ts.SyntaxKind.PrivateKeyword, ts.SyntaxKind.ProtectedKeyword, ts.SyntaxKind.ReadonlyKeyword, ts.SyntaxKind.AbstractKeyword, ts.SyntaxKind.DeclareKeyword, ts.SyntaxKind.OverrideKeyword]);

/** Whether text parsed as TypeScript uses no TypeScript syntax (then it is read as JavaScript, its JSDoc types counting). */
function looksLikeJavaScript(sf: ts.SourceFile): boolean {
  let ts_ = false;
  const visit = (n: ts.Node): void => {
    if (ts_) return;
    if ((ts.isTypeNode(n) && !ts.isJSDocTypeExpression(n.parent) && !(ts.isExpressionWithTypeArguments(n) && !n.typeArguments)) || ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n) || ts.isEnumDeclaration(n) ||
      ts.isAsExpression(n) || ts.isNonNullExpression(n) || ts.isSatisfiesExpression(n) || (ts.isImportDeclaration(n) && n.importClause?.isTypeOnly)) { ts_ = true; return; }
    if (ts.isParameter(n) && (n.type || n.questionToken || ts.getModifiers(n)?.length)) { ts_ = true; return; }
    if ((ts.isHeritageClause(n) && n.token === ts.SyntaxKind.ImplementsKeyword) || (ts.canHaveModifiers(n) && ts.getModifiers(n)?.some((m) => TS_MODIFIERS.has(m.kind)))) { ts_ = true; return; }
    n.forEachChild(visit);
  };
  sf.forEachChild(visit);
  return !ts_;
}

function extensionOf(file: string): ts.Extension | undefined {
  for (const x of [ts.Extension.Dts, ts.Extension.Ts, ts.Extension.Tsx, ts.Extension.Js, ts.Extension.Jsx, ts.Extension.Mjs, ts.Extension.Cjs, ts.Extension.Mts, ts.Extension.Cts]) {
    if (file.endsWith(x)) return x;
  }
  return undefined;
}

function scriptKindOf(file: string): ts.ScriptKind {
  const x = extensionOf(file);
  return x === ts.Extension.Js || x === ts.Extension.Mjs || x === ts.Extension.Cjs ? ts.ScriptKind.JS : x === ts.Extension.Jsx ? ts.ScriptKind.JSX : x === ts.Extension.Tsx ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
}

export class TypeOracle {
  private constructor(readonly program: ts.Program, readonly checker: ts.TypeChecker, private readonly file: ts.SourceFile, private readonly engineFile: ts.SourceFile) {}

  static build(sf: ts.SourceFile, context: ModuleContext | undefined): TypeOracle {
    built++;
    const contextKind = context ? extensionOf(context.file) : undefined;
    const javaScript = contextKind ? scriptKindOf(context!.file) === ts.ScriptKind.JS : looksLikeJavaScript(sf);
    // TypeScript: the parse lowering reads, under its own name (its nodes are the checker's, as a
    // language service binds the trees its incremental parser gives). JavaScript: the same text
    // parsed as JavaScript, so that JSDoc types count, whose nodes are found by position (`node`).
    const rootName = javaScript ? '/$gradlens/input.js' : sf.fileName;
    const file = javaScript ? ts.createSourceFile(rootName, sf.text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS) : sf;
    const previousKey = context?.file ?? rootName;
    libFile ??= ts.createSourceFile(LIB_NAME, LIB, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    let read = 0;
    const sourceOf = (name: string): ts.SourceFile | undefined => {
      if (name === rootName) return file;
      if (name === LIB_NAME) return libFile;
      if (!context || read >= MAX_MODULES) return undefined;
      read++;
      let text: string | null = null;
      try { text = context.host.read(name); } catch { text = null; }
      if (text === null || text.length > MAX_MODULE_CHARS) return undefined;
      const key = `${name}\u0000${text}`;
      let parsed = PARSED.get(key);
      if (!parsed) {
        parsed = ts.createSourceFile(name, text, ts.ScriptTarget.ES2022, true, scriptKindOf(name));
        for (const [k, f] of PARSED) {
          if (parsedChars + text.length <= MAX_PARSED_CHARS) break;
          PARSED.delete(k);
          parsedChars -= f.text.length;
        }
        PARSED.set(key, parsed);
        parsedChars += text.length;
      }
      return parsed;
    };
    const host: ts.CompilerHost = {
      getSourceFile: (name) => sourceOf(name),
      getDefaultLibFileName: () => LIB_NAME,
      writeFile: () => undefined,
      getCurrentDirectory: () => '/',
      getCanonicalFileName: (f) => f,
      useCaseSensitiveFileNames: () => true,
      getNewLine: () => '\n',
      fileExists: (f) => f === rootName || f === LIB_NAME,
      readFile: () => undefined,
      resolveModuleNameLiterals: (literals, containing) => literals.map((lit) => {
        let r: ReturnType<ModuleContext['host']['resolve']> = null;
        try { r = context ? context.host.resolve(lit.text, containing === rootName ? context.file : containing) : null; } catch { r = null; }
        const ext = r && r.kind !== 'package' ? extensionOf(r.file) : undefined;
        return { resolvedModule: r && ext ? { resolvedFileName: r.file, extension: ext, isExternalLibraryImport: false } : undefined };
      }),
    };
    const program = ts.createProgram({ rootNames: [rootName, LIB_NAME], options: OPTIONS, host, oldProgram: PREVIOUS.get(previousKey) });
    PREVIOUS.delete(previousKey);
    if (PREVIOUS.size >= MAX_PREVIOUS) PREVIOUS.delete(PREVIOUS.keys().next().value!);
    PREVIOUS.set(previousKey, program);
    const oracle = new TypeOracle(program, program.getTypeChecker(), file, sf);
    return oracle;
  }

  /** The checker's node for a node of the engine's parse (the same one, or the one at the same place in the JavaScript parse). */
  node(n: ts.Node): ts.Node | undefined {
    if (this.file === this.engineFile) return n;
    const pos = n.getStart(this.engineFile);
    const end = n.end;
    let found: ts.Node | undefined;
    const visit = (x: ts.Node): void => {
      if (found || x.end < end || x.pos > pos) return;
      if (x.kind === n.kind && x.end === end && x.getStart(this.file) === pos) { found = x; return; }
      x.forEachChild(visit);
    };
    visit(this.file);
    return found;
  }

  /** The shape of what a function returns (declared, or inferred by the checker). */
  returnShape(fn: ts.SignatureDeclaration): ShapeType | undefined {
    const node = this.node(fn);
    if (!node || !ts.isFunctionLike(node)) return undefined;
    const sig = this.checker.getSignatureFromDeclaration(node as ts.SignatureDeclaration);
    return sig ? this.shape(this.checker.getReturnTypeOfSignature(sig)) : undefined;
  }

  /** The engine's shape of a checker type; `optional`: `T | undefined` is `T` (a parameter given in `@at` or defaulted). */
  shape(t: ts.Type, optional = false, depth = 0): ShapeType | undefined {
    if (depth > 16) return undefined;
    const c = this.checker;
    if (optional && t.isUnion()) {
      const rest = t.types.filter((x) => !(x.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
      if (rest.length === 1) return this.shape(rest[0], false, depth + 1);
    }
    const f = t.flags;
    if (f & (ts.TypeFlags.Number | ts.TypeFlags.NumberLiteral)) return { type: 'num', depth: 0 };
    if (f & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return { type: 'num', depth: 0, constant: 'bool' };
    if (f & (ts.TypeFlags.String | ts.TypeFlags.StringLiteral)) return { type: 'num', depth: 0, constant: 'str' };
    if (f & ts.TypeFlags.EnumLike) return { type: 'num', depth: 0, constant: t.isUnion() && t.types.every((x) => x.flags & ts.TypeFlags.StringLiteral) ? 'str' : 'enum' };
    if (t.isUnion()) {
      const parts = t.types.map((x) => this.shape(x, false, depth + 1));
      if (parts.every((p) => p?.constant === 'str')) return { type: 'num', depth: 0, constant: 'str' };
      if (parts.every((p) => p?.constant === 'bool')) return { type: 'num', depth: 0, constant: 'bool' };
      return undefined;
    }
    if (c.isTupleType(t)) {
      const els = c.getTypeArguments(t as ts.TypeReference).map((x) => this.shape(x, false, depth + 1));
      if (els.some((x) => !x || x.record || x.constant)) return undefined;
      return { type: 'arr', depth: Math.max(0, ...els.map((x) => x!.depth)) + 1, tupleLength: els.length };
    }
    if (c.isArrayType(t)) {
      const el = this.shape(c.getTypeArguments(t as ts.TypeReference)[0], false, depth + 1);
      if (!el || (el.constant && el.constant !== 'options')) return undefined;
      return { type: 'arr', depth: el.type === 'num' ? 1 : el.depth + 1, record: el.record, constant: el.constant };
    }
    const name = t.getSymbol()?.getName();
    if (name === 'Float64Array' || name === 'Float32Array') return { type: 'arr', depth: 1 };
    if (f & ts.TypeFlags.Object) return this.record(t, depth);
    return undefined;
  }

  /** An object or class instance type as a record: its non-method properties, each a leaf or a record. */
  private record(t: ts.Type, depth: number): ShapeType | undefined {
    if (t.getCallSignatures().length > 0) return undefined;
    const fields: RecordField[] = [];
    for (const p of this.checker.getPropertiesOfType(t)) {
      if (p.flags & (ts.SymbolFlags.Method | ts.SymbolFlags.GetAccessor | ts.SymbolFlags.SetAccessor)) continue;
      const decl = p.valueDeclaration ?? p.declarations?.[0];
      if (!decl) return undefined;
      const pt = this.checker.getTypeOfSymbolAtLocation(p, decl);
      if (pt.getCallSignatures().length > 0) continue; // a function-valued field is no datum
      const ft = this.shape(pt, (p.flags & ts.SymbolFlags.Optional) !== 0, depth + 1);
      if (!ft) return undefined;
      if (ft.type === 'num' && !ft.record) fields.push({ path: p.name, kind: ft.constant === 'bool' ? 'bool' : ft.constant ? 'str' : 'num' });
      else if (ft.record && ft.depth === 1) fields.push(...ft.record.fields.map((x) => ({ path: `${p.name}.${x.path}`, kind: x.kind })));
      else return undefined;
      if (fields.length > MAX_RECORD_FIELDS) return undefined;
    }
    if (fields.length === 0) return undefined;
    const symbol = t.getSymbol();
    const named = symbol && (symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias)) ? symbol.getName() : t.aliasSymbol?.getName() ?? null;
    return recordShape(fields, named);
  }
}

/**
 * The shape a helper returns when it declares none and syntax cannot tell (`return exps.map(…)`,
 * `return helper(x)`): the checker's inference. Undefined when syntax decides (the checker is not
 * built) or the checker's type is no shape of the subset.
 */
export function inferredReturnShape(fn: ts.FunctionLikeDeclaration, sf: ts.SourceFile, decl: ts.Node = fn): ShapeType | undefined {
  let memo = INFERRED.get(sf);
  if (!memo) INFERRED.set(sf, memo = new WeakMap());
  const known = memo.get(fn);
  if (known !== undefined) return known ?? undefined;
  let shape: ShapeType | undefined;
  if (!fn.type && guessedReturnKind(fn, sf, decl) === undefined) {
    const oracle = typeOracle(sf);
    try {
      shape = oracle?.returnShape(fn);
    } catch {
      shape = undefined; // a fault of the checker's (a stack overflow on a pathological type): syntax typing stands
    }
  }
  memo.set(fn, shape ?? null);
  return shape;
}

/**
 * Per parse and function node: its inferred return shape, or null (syntax decides, or the checker
 * cannot). Per parse: an incremental re-parse keeps a function's node while what it calls changes.
 */
const INFERRED = new WeakMap<ts.SourceFile, WeakMap<ts.Node, ShapeType | null>>();
