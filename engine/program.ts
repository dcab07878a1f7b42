// Finds the functions of a source file and their JSDoc annotations, and lowers them to IR on
// demand (a helper is lowered the first time an annotated function calls it). With a module
// context, names imported from other files are lowered by their own files' programs
// (engine/imports.ts) and answered by `lower` under the names this file calls them by.

import ts = require('typescript');
import { callbackName, discoverAfterSplice, discoverFunctions, dottedName, type Discovery, type PreviousDiscovery, printedCallee, resolveCallee, unwrapInitializer } from './declarationForms';
import { contextInputsOf } from './implicitInputs';
import { Range } from './ir';
import { lowerFunction } from './lowerToIr';
import { tagRangeOf, type ContextInputs, type DeclarationForm, type Lowered, type ProgramView, type SourceFunction } from './sourceFunction';
import { mathConstant, numberConstant } from './mathConstants';
import { MATH_FNS, MathFn, OPS } from './ops';
import { arithOp } from './lower/operators';
import { parseAnnotations } from './annotations';
import { FileImports, type ModuleLink } from './imports';
import { ambientModuleContext, ModuleGraph, type ImportedRef, type ModuleContext } from './modules';
import { setImportedTypes } from './lower/types';
import { commonPrefix, commonSuffix } from './textDiff';
import { placeAll, placeStatement, placeStatementOf, spliceStatement } from './statementSplice';

export type { FunctionNode, Lowered, SourceFunction } from './sourceFunction';
export { unwrapInitializer } from './declarationForms';

const NO_INPUTS: ContextInputs = { inputs: [], constants: new Map(), unsupported: new Map(), environment: '' };

export class Program implements ProgramView {
  /** The file's functions by qualified name (engine/declarationForms.ts): `f`, `activations.logistic.fn`, `Model.loss`. */
  readonly functions: Map<string, SourceFunction>;
  /**
   * How its functions were found (engine/declarationForms.ts `Discovery`); its per-statement shapes
   * (names and forms) are the same strings as another program's while the statements are.
   */
  readonly discovery: Discovery;
  /** Functions whose tags this program copied to put check points in place: made again by the next discovery. */
  readonly retagged = new Set<SourceFunction>();
  /** Top-level `const NAME = <number>` declarations, inlined where used. */
  readonly constants = new Map<string, number>();
  private readonly lowered = new Map<string, Lowered>();
  /** Per context node: its instance (or only) context, and a class's static one. */
  private readonly contexts = new Map<ts.Node, ContextInputs[]>();

  /** The other modules this file's imports reach (engine/imports.ts), when a host was given. */
  readonly imports: FileImports | undefined;

  constructor(readonly text: string, readonly sourceFile: ts.SourceFile, link: ModuleLink | undefined, discovery: Discovery) {
    this.discovery = discovery;
    this.functions = discovery.functions;
    this.imports = link ? new FileImports(this, link) : undefined;
    const imports = this.imports;
    // Parameter types imported from other files resolve in the files that declare them.
    if (imports) {
      setImportedTypes(sourceFile, (chain, specifier) => {
        const t = imports.typeTarget(chain, specifier);
        return t && { sourceFile: t.program.sourceFile, name: t.local };
      });
    }
  }

  // ---- The gate before positions are read. After an edit the nodes of the statements after it
  // are moved only when read (engine/statementSplice.ts): whatever reads a node's pos, end,
  // getStart() or getText() calls one of these first.

  /** Places the top-level statement `node` is in. */
  ensurePlaced(node: ts.Node): void {
    placeStatementOf(node);
  }

  /** Places every statement (a reader of the whole tree). */
  ensureAllPlaced(): void {
    placeAll(this.sourceFile);
  }

  /**
   * Places what analysing or lowering `fns` reads of their own: their statements and their
   * contexts' (a prototype method's constructor). What lowering reads of other statements by name
   * (types, record classes, enums, helpers, prototype fields, imports) is placed where it is found
   * (engine/statementSplice.ts `declarationsNamed`), and a statement of functions alone is read
   * through its functions, which are then among `fns` or lowered.
   */
  ensurePlacedFor(fns: Iterable<SourceFunction>): void {
    for (const f of fns) {
      placeStatement(f.statement);
      if (f.context) placeStatementOf(f.context);
    }
  }

  /** Lowers `name` (once); undefined when the file has no such function (nor imports one under that name). */
  lower(name: string): Lowered | undefined {
    const cached = this.lowered.get(name);
    if (cached) return cached;
    const sf = this.functions.get(name);
    if (!sf) return this.imports?.lower(name);
    this.ensurePlacedFor([sf]);
    // The analysis puts check points in the IR's form in place (engine/checkPoints.ts
    // validatePoint); the tags as discovered are shared with other parses (engine/declarationForms.ts).
    if (sf.tags.at.length > 0) {
      sf.tags = { ...sf.tags, at: sf.tags.at.map((p) => ({ ...p })) };
      this.retagged.add(sf);
    }
    const result = this.imports ? this.imports.lowering(name, () => lowerFunction(this, sf)) : lowerFunction(this, sf);
    this.lowered.set(name, result);
    return result;
  }

  resolveImport(ref: ts.Expression): ImportedRef | undefined {
    return this.imports?.resolve(ref);
  }

  /** Annotated functions, in source order. */
  annotated(): SourceFunction[] {
    return [...this.functions.values()].filter((f) => f.tags.differentiable);
  }

  resolveCallee(caller: SourceFunction, callee: ts.Expression): SourceFunction | undefined {
    return resolveCallee(this.functions, caller, callee);
  }

  /** Captured values and `this` fields the functions of `sf`'s context read (computed once per context). */
  contextInputs(sf: SourceFunction): ContextInputs {
    const context = sf.context;
    if (!context) return NO_INPUTS;
    const both = this.contexts.get(context) ?? [];
    this.contexts.set(context, both);
    const i = sf.isStatic ? 1 : 0;
    if (!both[i]) this.ensurePlacedFor([sf]);
    return both[i] ??= contextInputsOf(this.functions, sf, this.sourceFile, (e) => constantValue(e, this.constants), (f) => this.retagged.add(f));
  }
}

/** The last parse, kept by a cache so the next edit re-parses only what changed. */
export interface ParseState {
  text: string;
  sourceFile: ts.SourceFile;
  /** Its program's discovery, which the next parse's may start from (its map is then taken over). */
  discovery?: PreviousDiscovery;
}

/** What the next parse's discovery may start from (`ParseState.discovery`). */
export function discoveryOf(program: Program): PreviousDiscovery {
  return { ...program.discovery, retagged: program.retagged };
}

/**
 * Parses `text`; with the previous parse, incrementally: the top-level statement an edit is in
 * parsed alone and spliced in (engine/statementSplice.ts), else TypeScript's incremental parser,
 * which reuses the unchanged nodes around the edited span. Either invalidates the previous tree.
 */
export function parseSource(text: string, previous?: ParseState): ts.SourceFile {
  if (previous && previous.text !== text) {
    const old = previous.text;
    const start = commonPrefix(old, text);
    const suffix = commonSuffix(old, text, start);
    const endOld = old.length - suffix;
    const endNew = text.length - suffix;
    return spliceStatement(previous.sourceFile, text, start, endOld, endNew) ??
      ts.updateSourceFile(previous.sourceFile, text, { span: { start, length: endOld - start }, newLength: endNew - start });
  }
  if (previous) return previous.sourceFile;
  // Parent pointers, as the incremental parser sets them (JSDoc types of JavaScript parameters need them).
  return ts.createSourceFile('input.ts', text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

/**
 * The program of `text`; with a context (the file and a host, engine/modules.ts), names it imports
 * from other modules of the workspace are read from their files.
 */
export function parseProgram(text: string, previous?: ParseState, context: ModuleContext | undefined = ambientModuleContext()): Program {
  if (!context) return parseLinked(text, previous, undefined);
  const graph: ModuleGraph<Program> = new ModuleGraph<Program>(context.host, (t, file, depth, known) => parseLinked(t, undefined, { graph, file, depth }, known));
  return parseLinked(text, previous, { graph, file: context.file, depth: 0 }, (p) => graph.register(context.file, p));
}

/** A program: its functions, then (once `known` has put it in the graph, as imports may cycle) its constants. */
function parseLinked(text: string, previous: ParseState | undefined, link: ModuleLink | undefined, known?: (program: Program) => void): Program {
  const sourceFile = parseSource(text, previous);
  const parseErrors: number[] = ((sourceFile as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [])
    .map((d) => d.start ?? 0);
  const discovery = (previous?.discovery && sourceFile !== previous.sourceFile && discoverAfterSplice(text, sourceFile, parseErrors, previous.discovery)) || discoverFunctions(text, sourceFile, parseErrors);
  const program = new Program(text, sourceFile, link, discovery);
  known?.(program);
  foldConstants(program);
  return program;
}

/**
 * The file's module constants (`const SQRT2PI = Math.sqrt(2 * Math.PI)`, `const T = 2 * K` with
 * `K` imported), in source order.
 */
function foldConstants(program: Program): void {
  const { text, sourceFile, imports } = program;
  let assigned: Map<string, number> | undefined;
  let sources: Set<string> | undefined;
  // An imported numeric constant (`K`, `M.K`), noting the binding for the cache key.
  const imported = imports && ((e: ts.Expression) => {
    const v = imports.importedConstant(e);
    if (v !== undefined) sources!.add(rootName(e));
    return v;
  });
  for (const stmt of sourceFile.statements) {
    if (!ts.isVariableStatement(stmt)) continue;
    // `var SQRT2PI = …` (JavaScript before `const`) is a constant too when nothing assigns it (issue 13).
    const flags = stmt.declarationList.flags;
    if ((flags & ts.NodeFlags.Let) !== 0 || (flags & ts.NodeFlags.Using) !== 0) continue;
    const isConst = (flags & ts.NodeFlags.Const) !== 0;
    for (const d of stmt.declarationList.declarations) {
      if (!ts.isIdentifier(d.name) || !d.initializer) continue;
      if (!isConst && ((assigned ??= assignmentCounts(text)).get(d.name.text) ?? 0) > 1) continue;
      sources = new Set();
      const v = constantValue(unwrapInitializer(d.initializer), program.constants, imported);
      if (v === undefined) continue;
      program.constants.set(d.name.text, v);
      if (sources.size > 0) imports!.constantSources.set(d.name.text, sources);
    }
  }
}

function rootName(e: ts.Expression): string {
  while (ts.isPropertyAccessExpression(e)) e = e.expression;
  return ts.isIdentifier(e) ? e.text : '';
}

/**
 * How many times each name is assigned in the text (`name =`, `name +=`, `name++`, `--name`, its
 * declaration's `=` included): one conservative scan of the whole text.
 */
function assignmentCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  const re = /(?<![\w$.])([A-Za-z_$][\w$]*)\s*(?:(?:[-+*/%&|^]|\*\*|<<|>>>?|&&|\|\||\?\?)?=(?![=>])|\+\+|--)|(?:\+\+|--)\s*([A-Za-z_$][\w$]*)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const name = m[1] ?? m[2];
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

/**
 * The numeric value of a constant initializer, if it is one: a pure numeric expression of
 * literals, `Math`/`Number` constants, `Infinity`/`NaN`, earlier constants, the arithmetic
 * operators and the Math functions (`Math.sqrt(2 * Math.PI)`), computed with the op table's own
 * values (as JavaScript computes them), never `eval`.
 */
export function constantValue(e: ts.Expression, known: ReadonlyMap<string, number>, imported?: (ref: ts.Expression) => number | undefined): number | undefined {
  if (ts.isNumericLiteral(e)) return Number(e.text);
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e)) return constantValue(e.expression, known, imported);
  if (ts.isIdentifier(e)) {
    const v = known.get(e.text) ?? imported?.(e);
    if (v !== undefined) return v;
    return e.text === 'Infinity' ? Infinity : e.text === 'NaN' ? NaN : undefined;
  }
  if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression)) {
    if (e.expression.text === 'Math') return mathConstant(e.name.text)?.value;
    if (e.expression.text === 'Number') return numberConstant(e.name.text)?.value;
    return imported?.(e);
  }
  if (ts.isPrefixUnaryExpression(e) && (e.operator === ts.SyntaxKind.MinusToken || e.operator === ts.SyntaxKind.PlusToken)) {
    const v = constantValue(e.operand, known, imported);
    return v === undefined ? undefined : e.operator === ts.SyntaxKind.MinusToken ? OPS.neg.number(v, NaN) : v;
  }
  if (ts.isBinaryExpression(e)) {
    const op = arithOp(e.operatorToken.kind);
    if (!op) return undefined;
    const a = constantValue(e.left, known, imported);
    const b = a === undefined ? undefined : constantValue(e.right, known, imported);
    return a === undefined || b === undefined ? undefined : OPS[op].number(a, b);
  }
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && ts.isIdentifier(e.expression.expression) &&
    e.expression.expression.text === 'Math' && (MATH_FNS as readonly string[]).includes(e.expression.name.text)) {
    const fn = e.expression.name.text as MathFn;
    const args: number[] = [];
    for (const a of e.arguments) {
      if (ts.isSpreadElement(a)) return undefined;
      const v = constantValue(a, known, imported);
      if (v === undefined) return undefined;
      args.push(v);
    }
    // min and max fold left to right as JavaScript's do (exactly); hypot of more than two
    // arguments rounds differently from nested binary ones, so it is not folded here.
    if ((fn === 'min' || fn === 'max') && args.length >= 1) return args.slice(1).reduce((acc, v) => OPS[fn].number(acc, v), args[0]);
    if (fn === 'hypot' && args.length === 1) return OPS.abs.number(args[0], NaN);
    if (args.length !== OPS[fn].arity) return undefined;
    return OPS[fn].number(args[0], args[1]);
  }
  return undefined;
}

// ---- Where the functions are, as plain data -------------------------------------------------
// The code actions (server/codeEdits.ts) edit the functions this discovery finds, so a function
// the engine analyses is always one an action can locate.

export interface LocatedParam {
  name: string;
  /** The annotation as written (`number`, `readonly number[]`, `[number, number]`), or null. */
  typeText: string | null;
}

export interface FunctionLocation {
  /** The qualified name (`activations.logistic.fn`, `Model.loss`). */
  name: string;
  /** The name it is declared under (`fn`, `loss`). */
  shortName: string;
  /** Where it is declared (engine/sourceFunction.ts `DeclarationForm`). */
  form: DeclarationForm;
  /** `function f() {}`, `const f = (…) => …`, `const f = function (…) {…}`, a method `f(…) {…}`, a getter. */
  kind: 'declaration' | 'arrow' | 'expression' | 'method' | 'getter';
  /**
   * Start of its declaration, leading JSDoc excluded: the whole statement (at its `export`, if any)
   * for a top-level or nested function or an assignment, the member for a method or property.
   */
  statementStart: number;
  /** End of that declaration (after a `;` of a `const f = …;`; before the `,` after a member). */
  statementEnd: number;
  /** End of the top-level statement it is in (the whole table, class or factory). */
  topStatementEnd: number;
  nameStart: number;
  nameEnd: number;
  params: LocatedParam[];
  returnTypeText: string | null;
  /** The `{ … }` body; null for an expression-bodied arrow. */
  body: Range | null;
  /** The JSDoc block the engine reads its tags from (the last one before the declaration), or null. */
  jsDoc: Range | null;
  exported: boolean;
  /** The object or class it is a member of (`activations.logistic`, `Model`), if any. */
  container: string | null;
  /** A member of an object literal, a member of a class, or neither. */
  memberOf: 'object' | 'class' | null;
  /** A class method declared `static`. */
  isStatic: boolean;
  /** A function returned by its factory (`return function loss(w) {…}`): code goes before the `return`. */
  returned: boolean;
  /**
   * The body of a curried factory's arrow (`const makeLoss = (data) => (w) => …`): no statement
   * holds it, so code placed beside it needs the factory's body made a block first.
   */
  curried: boolean;
  /** Its implicit inputs (captured values, `this` fields), the IR function's last parameters, in order. */
  implicit: string[];
  /** How code at the top level of the file calls it (`activations.logistic.fn`, `module.exports.f`), or null (a method, a closure). */
  callee: string | null;
}

export function locationOf(f: SourceFunction, program: Program): FunctionLocation {
  program.ensureAllPlaced();
  const sourceFile = program.sourceFile;
  const node = f.node;
  const top = f.form === 'top';
  const declNode = top ? f.statement : f.decl;
  // (A nested function with a container is a member of an object literal its factory returns.)
  const memberOf = (ts.isObjectLiteralExpression(f.context ?? f.node) && (f.form === 'member') && !ts.isExpressionStatement(f.decl)) || (f.form === 'nested' && f.container !== undefined) ? 'object'
    : f.form === 'method' ? 'class' : null;
  return {
    name: f.name,
    shortName: f.shortName,
    form: f.form,
    kind: ts.isFunctionDeclaration(node) ? 'declaration' : ts.isArrowFunction(node) ? 'arrow' : ts.isMethodDeclaration(node) ? 'method'
      : ts.isGetAccessorDeclaration(node) ? 'getter' : 'expression',
    statementStart: declNode.getStart(sourceFile),
    statementEnd: declNode.end,
    topStatementEnd: f.statement.end,
    nameStart: f.nameNode.getStart(sourceFile),
    nameEnd: f.nameNode.end,
    params: node.parameters.map((p) => ({
      name: ts.isIdentifier(p.name) ? p.name.text : p.name.getText(sourceFile),
      typeText: p.type ? p.type.getText(sourceFile) : null,
    })),
    returnTypeText: node.type ? node.type.getText(sourceFile) : null,
    body: node.body && ts.isBlock(node.body) ? { start: node.body.getStart(sourceFile), end: node.body.end } : null,
    jsDoc: f.tags.docRange && !f.inheritedDoc ? { ...tagRangeOf(f, f.tags.docRange) } : null,
    exported: f.exported,
    container: f.container ?? null,
    memberOf,
    isStatic: !!f.isStatic,
    returned: ts.isReturnStatement(f.decl),
    curried: f.form === 'nested' && f.container === undefined && !ts.isReturnStatement(f.decl) && !ts.isStatement(f.decl) && !ts.isVariableDeclaration(f.decl),
    implicit: program.contextInputs(f).inputs.map((i) => i.name),
    callee: printedCallee(f),
  };
}

/** The functions of the file the engine sees (the one the engine analyses, for a repeated name), in source order. */
export function locateFunctions(text: string): FunctionLocation[] {
  const program = parseProgram(text);
  return [...program.functions.values()].map((f) => locationOf(f, program))
    .sort((a, b) => a.statementStart - b.statementStart || a.nameStart - b.nameStart);
}

export function locateFunction(text: string, name: string): FunctionLocation | null {
  const program = parseProgram(text);
  const f = program.functions.get(name);
  return f ? locationOf(f, program) : null;
}

/** Every name declared at the top level of the file (functions, variables, classes, types, enums, imports). */
export function topLevelNames(text: string): Set<string> {
  const sf = parseSource(text);
  const names = new Set<string>();
  const bind = (n: ts.BindingName): void => {
    if (ts.isIdentifier(n)) { names.add(n.text); return; }
    for (const e of n.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
  };
  for (const stmt of sf.statements) {
    if ((ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt) || ts.isInterfaceDeclaration(stmt) ||
      ts.isTypeAliasDeclaration(stmt) || ts.isEnumDeclaration(stmt)) && stmt.name) {
      names.add(stmt.name.text);
    } else if (ts.isModuleDeclaration(stmt) && ts.isIdentifier(stmt.name)) {
      names.add(stmt.name.text);
    } else if (ts.isVariableStatement(stmt)) {
      for (const d of stmt.declarationList.declarations) bind(d.name);
    } else if (ts.isImportDeclaration(stmt) && stmt.importClause) {
      const c = stmt.importClause;
      if (c.name) names.add(c.name.text);
      const nb = c.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) names.add(nb.name.text);
      if (nb && ts.isNamedImports(nb)) for (const e of nb.elements) names.add(e.name.text);
    } else if (ts.isImportEqualsDeclaration(stmt)) {
      names.add(stmt.name.text);
    }
  }
  return names;
}

// ---- @differentiable tags the engine does not analyse ------------------------------------------
// Never silent: a `@differentiable` on a form the engine does not analyse (a method, a nested
// function, a CommonJS export, …) is reported on its tag, naming the form and what to do.

export interface UnanalysedTag {
  /** What the tag sits on, as a path (`activations.logistic.fn`, `Foo.bar`, `outer.inner`). */
  name: string;
  /** The `@differentiable` tag. */
  tagRange: Range;
  /** `a method of an object literal`, `a function nested in 'outer'`, … */
  form: string;
  /** What to do today: "Move it to a top-level function `logisticFn` and call it from here." */
  advice: string;
}

/**
 * Every JSDoc block carrying `@differentiable` that is not the block of a function the engine
 * analyses. One walk of the tree, and each distinct comment position scanned once: linear.
 */
export function unanalysedTags(program: Program, lastAllAnalysed = false): UnanalysedTag[] {
  const { text, sourceFile } = program;
  // The usual file: every `@differentiable` in it sits in the JSDoc of an analysed function. When
  // it was so in the program this one's discovery comes from after a splice, only the statement
  // the splice replaced can have changed that (the others' functions are those, moved).
  if (everyTagAnalysed(program, lastAllAnalysed ? program.discovery.replaced : undefined)) return [];
  const analysed = new Set<number>();
  program.functions.forEach((f) => {
    if (f.tags.differentiable && f.tags.docRange) analysed.add(tagRangeOf(f, f.tags.docRange).start);
  });
  program.ensureAllPlaced();
  const parseErrors: number[] = ((sourceFile as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? []).map((d) => d.start ?? 0);
  // The outermost node starting at each position (its leading comments are its JSDoc), and the
  // ends of nodes (comments there and before a closing `}` belong to no node).
  const hosts = new Map<number, ts.Node>();
  const ends = new Set<number>();
  const parents = new Map<ts.Node, ts.Node>();
  const stack: ts.Node[] = [sourceFile];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n !== sourceFile && !hosts.has(n.pos)) hosts.set(n.pos, n);
    ends.add(n.end);
    n.forEachChild((c) => { parents.set(c, n); stack.push(c); });
  }
  const out: UnanalysedTag[] = [];
  const seen = new Set<number>();
  const scan = (pos: number, host: ts.Node | undefined): void => {
    // Leading comments, and the ones on the line of the token before (`xs.map(/** … */ (x) => …)`),
    // which TypeScript calls that token's trailing comments.
    const comments = [...(host ? ts.getTrailingCommentRanges(text, pos) ?? [] : []), ...(ts.getLeadingCommentRanges(text, pos) ?? [])];
    for (const c of comments) {
      if (seen.has(c.pos)) continue;
      seen.add(c.pos);
      if (c.kind !== ts.SyntaxKind.MultiLineCommentTrivia || !text.startsWith('/**', c.pos) || analysed.has(c.pos)) continue;
      if (text.slice(c.pos, c.end).indexOf('@differentiable') < 0) continue;
      const { annotations } = parseAnnotations(text, c.pos, c.end, '');
      if (!annotations.differentiable) continue;
      const tag = annotations.tagRanges.find((t) => t.tag === 'differentiable')!;
      // Mid-edit (an error in the top-level statement holding the tag, or right after it, where an
      // unclosed bracket is reported): the parser's error says all.
      if (parseErrors.length > 0 && host) {
        let top: ts.Node = host;
        for (let p = parents.get(top); p && p !== sourceFile; p = parents.get(p)) top = p;
        const next = nextToken(text, top.end);
        if (parseErrors.some((p) => p >= top.pos && p <= next)) continue;
      }
      const described = describeForm(host, parents, program, c.pos);
      out.push({ ...described, tagRange: { start: tag.range.start, end: tag.range.start + '@differentiable'.length } });
    }
  };
  for (const [pos, host] of hosts) scan(pos, host);
  for (const end of ends) if (!hosts.has(end)) scan(end, undefined);
  return out.sort((a, b) => a.tagRange.start - b.tagRange.start);
}

const TAG = '@differentiable';

/**
 * Per top-level statement, the analysed functions whose JSDoc holds each `@differentiable` of its
 * text. A statement's text is its own while its node is (an edit re-parses the statements it
 * touches); the functions are checked again at each use (another of the same name may have
 * replaced one, or its tag may have changed).
 */
const tagHolders = new WeakMap<ts.Node, readonly string[]>();

/**
 * Whether every `@differentiable` of the file sits in the JSDoc of an analysed function: this
 * runs on every analysis, so the text of a statement is searched only when it is new (a whole-file
 * search and a sort of every function's JSDoc took 2.6 ms an edit at 50,000 lines).
 */
function everyTagAnalysed(program: Program, only?: number): boolean {
  const { text, sourceFile, functions } = program;
  const statements = sourceFile.statements;
  const inside = (r: Range | null, s: { pos: number; end: number }): boolean => !!r && r.start >= s.pos && r.end <= s.end;
  /** Whether the analysed function `name` has its JSDoc (where it now is: tagRangeOf, without the copy) inside `s`. */
  const docInside = (name: string, s: { pos: number; end: number }): boolean => {
    const f = functions.get(name);
    const r = f && f.tags.differentiable ? f.tags.docRange : null;
    return !!r && r.start + f!.tagShift >= s.pos && r.end + f!.tagShift <= s.end;
  };
  const misses: ts.Statement[] = [];
  for (let i = only ?? 0; i < (only === undefined ? statements.length : only + 1); i++) {
    const s = statements[i];
    const holders = tagHolders.get(s);
    let known = holders !== undefined;
    for (let k = 0; known && k < holders!.length; k++) known = docInside(holders![k], s);
    if (!known) misses.push(s);
  }
  // (after the last statement: comments only, never a function's JSDoc)
  const tail = statements.length > 0 ? statements[statements.length - 1].end : 0;
  if (text.indexOf(TAG, tail) >= 0) return false;
  if (misses.length === 0) return true;
  // The analysed JSDoc blocks in the statements to search (one pass over the functions; the
  // statements are in order, and so are the blocks once sorted: binary searches, since at an open
  // every statement is to search).
  const last = (n: number, before: (k: number) => boolean): number => {
    let lo = 0;
    let hi = n;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (before(mid)) lo = mid + 1; else hi = mid; }
    return lo - 1;
  };
  const docs: { range: Range; name: string }[] = [];
  const addDoc = (f: SourceFunction): void => {
    const r = f.tags.differentiable ? tagRangeOf(f, f.tags.docRange) : null;
    if (!r) return;
    const m = misses[last(misses.length, (k) => misses[k].pos <= r.start)];
    if (m && inside(r, m)) docs.push({ range: r, name: f.name });
  };
  // One statement to search: its functions as discovered (one it does not list leaves its tag
  // unheld here, and the caller's full search decides).
  const replaced = only === undefined ? undefined : program.discovery.found[only];
  if (replaced) for (const raw of [...replaced.main, ...replaced.exportsPass]) { const f = functions.get(raw.name); if (f) addDoc(f); }
  else functions.forEach(addDoc);
  docs.sort((a, b) => a.range.start - b.range.start);
  for (const m of misses) {
    const names = new Set<string>();
    const own = text.slice(m.pos, m.end);
    for (let at = own.indexOf(TAG); at >= 0; at = own.indexOf(TAG, at + 1)) {
      // (JSDoc blocks do not overlap: the last one starting at or before the tag is the only one that can hold it)
      const holder = docs[last(docs.length, (k) => docs[k].range.start <= m.pos + at)];
      if (!holder || m.pos + at >= holder.range.end) return false;
      names.add(holder.name);
    }
    tagHolders.set(m, [...names]);
  }
  return true;
}

const TRIVIA = /(?:\s+|\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$))*/y;

/** The offset of the first token at or after `pos` (blanks and comments, an unclosed one too, skipped). */
export function nextToken(text: string, pos: number): number {
  TRIVIA.lastIndex = pos;
  TRIVIA.exec(text);
  return Math.max(pos, TRIVIA.lastIndex);
}

const TOP_LEVEL_ADVICE = 'Gradlens analyses `function f(…) {…}` and `const f = (…) => …` at the top level or nested in another, methods and function-valued properties of top-level objects and classes and of objects a function returns, prototype methods, CommonJS exports, and named callbacks at the top level.';

function describeForm(host: ts.Node | undefined, parents: Map<ts.Node, ts.Node>, program: Program, commentPos: number): Omit<UnanalysedTag, 'tagRange'> {
  const sf = program.sourceFile;
  if (!host || host.kind === ts.SyntaxKind.EndOfFileToken) {
    return { name: '(no declaration)', form: 'a JSDoc block that precedes no declaration', advice: 'Put it right before the function it annotates.' };
  }
  const nameOf = (n: ts.Node): string | undefined => {
    const nm = (n as { name?: ts.Node }).name;
    return nm && (ts.isIdentifier(nm) || ts.isStringLiteral(nm) || ts.isNumericLiteral(nm) || ts.isPrivateIdentifier(nm)) ? nm.text : undefined;
  };
  const moveTo = (suggested: string, from: string): string =>
    `Move the computation to a top-level function \`function ${suggested}(…) {…}\` (or \`const ${suggested} = (…) => …\`), annotate that one, and call it from ${from}. ${TOP_LEVEL_ADVICE}`;
  // The enclosing function, if any (for nested functions).
  const enclosing = (n: ts.Node): ts.Node | undefined => {
    for (let p = parents.get(n); p; p = parents.get(p)) if (ts.isFunctionLike(p)) return p;
    return undefined;
  };
  const functionName = (f: ts.Node): string => {
    const own = nameOf(f);
    if (own) return own;
    const p = parents.get(f);
    if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p))) return nameOf(p) ?? 'an anonymous function';
    return 'an anonymous function';
  };
  // The path of property names of an object-literal member (`logistic.fn`), and the variable or
  // assignment target holding the object, if any (`activations`).
  const objectPath = (n: ts.Node): { root: string | undefined; props: string[] } => {
    const props: string[] = [];
    let root: string | undefined;
    for (let m: ts.Node | undefined = n; m; ) {
      props.unshift(nameOf(m) ?? '?');
      const obj = parents.get(m);
      const holder = obj && ts.isObjectLiteralExpression(obj) ? parents.get(obj) : undefined;
      if (!holder) break;
      if (ts.isPropertyAssignment(holder)) { m = holder; continue; }
      if (ts.isVariableDeclaration(holder)) root = nameOf(holder);
      else if (ts.isBinaryExpression(holder)) root = holder.left.getText(sf);
      break;
    }
    return { root, props };
  };
  const camel = (parts: string[]): string => {
    const words = parts.map((p) => p.replace(/[^A-Za-z0-9_$]/g, '')).filter((p) => p.length > 0);
    if (words.length === 0) return 'f';
    const s = words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('');
    return /^[0-9]/.test(s) ? `_${s}` : s;
  };

  if ((ts.isMethodDeclaration(host) || ts.isPropertyAssignment(host) || ts.isShorthandPropertyAssignment(host) ||
    ts.isGetAccessorDeclaration(host) || ts.isSetAccessorDeclaration(host)) && parents.get(host) && ts.isObjectLiteralExpression(parents.get(host)!)) {
    const { root, props } = objectPath(host);
    const suggested = camel(props.slice(-2));
    const name = [...(root ? [root] : []), ...props].join('.');
    if (ts.isShorthandPropertyAssignment(host)) {
      return { name, form: `a shorthand property ('${host.name.text}') of an object literal`, advice: `Put @differentiable on the declaration of '${host.name.text}' instead. ${TOP_LEVEL_ADVICE}` };
    }
    const isFn = ts.isMethodDeclaration(host) || (ts.isPropertyAssignment(host) && (ts.isArrowFunction(unwrapInitializer(host.initializer)) || ts.isFunctionExpression(unwrapInitializer(host.initializer))));
    const form = ts.isMethodDeclaration(host) ? 'a method of an object literal'
      : ts.isPropertyAssignment(host) ? (isFn ? 'a function-valued property of an object literal' : 'a property of an object literal')
        : 'an accessor of an object literal';
    return { name, form, advice: moveTo(suggested, `the object (\`${nameOf(host) ?? 'f'}: ${suggested}\`)`) };
  }
  if (ts.isClassElement(host) && parents.get(host) && ts.isClassLike(parents.get(host)!)) {
    const cls = nameOf(parents.get(host)!) ?? 'an anonymous class';
    const member = ts.isConstructorDeclaration(host) ? 'constructor' : nameOf(host) ?? 'member';
    const form = ts.isMethodDeclaration(host) ? `a class method (of class '${cls}')`
      : ts.isConstructorDeclaration(host) ? `a class constructor (of class '${cls}')`
        : ts.isPropertyDeclaration(host) ? `a class property (of class '${cls}')`
          : ts.isGetAccessorDeclaration(host) || ts.isSetAccessorDeclaration(host) ? `a class accessor (of class '${cls}')` : `a class member (of class '${cls}')`;
    return { name: `${cls}.${member}`, form, advice: moveTo(member === 'constructor' ? camel([cls, 'f']) : member, `the method (pass what it reads from \`this\` as parameters)`) };
  }
  if (ts.isExpressionStatement(host) && ts.isBinaryExpression(host.expression) && host.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = host.expression.left.getText(sf);
    const last = ts.isPropertyAccessExpression(host.expression.left) ? host.expression.left.name.text : left;
    const right = unwrapInitializer(host.expression.right);
    // `module.exports = { f: (x) => …, g(x) {…} }`: the first function of the object names the suggestion.
    const firstFn = ts.isObjectLiteralExpression(right)
      ? right.properties.find((p) => ts.isMethodDeclaration(p) || (ts.isPropertyAssignment(p) && (ts.isArrowFunction(unwrapInitializer(p.initializer)) || ts.isFunctionExpression(unwrapInitializer(p.initializer)))))
      : undefined;
    const base = firstFn ? nameOf(firstFn) : left === 'module.exports' || left === 'exports' ? undefined : last;
    const suggested = camel([base && /^[A-Za-z_$][\w$]*$/.test(base) ? base : 'f']);
    if (/^(module\.)?exports\b/.test(left)) {
      return { name: left, form: `a CommonJS export (\`${left} = …\`)`, advice: `Declare \`function ${suggested}(…) {…}\` at the top level, annotate it, and export it (\`${left === 'module.exports' ? `module.exports = { ${suggested} }` : `${left} = ${suggested}`}\`). ${TOP_LEVEL_ADVICE}` };
    }
    if (/\.prototype\./.test(left)) {
      return { name: left, form: `a prototype method (\`${left} = …\`)`, advice: moveTo(suggested, `the method (pass what it reads from \`this\` as parameters)`) };
    }
    return { name: left, form: `a function assigned to a property (\`${left} = …\`)`, advice: `Declare \`function ${suggested}(…) {…}\` at the top level, annotate it, and assign it (\`${left} = ${suggested}\`). ${TOP_LEVEL_ADVICE}` };
  }
  const outer = enclosing(host);
  const call = parents.get(host);
  let inClass = false;
  for (let p = call; p && !inClass; p = parents.get(p)) inClass = ts.isClassLike(p);
  if (!outer && !inClass && (ts.isArrowFunction(host) || ts.isFunctionExpression(host)) && call && (ts.isCallExpression(call) || ts.isNewExpression(call))) {
    // A callback at the top level (declarationForms.ts `callbackName`): unnamed, or its name taken.
    const named = callbackName(host, call);
    const callee = dottedName(call.expression) ?? 'a call';
    if (named && program.functions.has(named.name)) {
      return { name: named.name, form: `a callback named '${named.name}' like another function of this file`, advice: 'A later declaration of the same name is the one analysed; rename one of them.' };
    }
    if (!named) {
      return {
        name: `${callee}(…)`, form: `a callback passed to \`${callee}(…)\` with neither a name nor a string key`,
        advice: `Name the function (\`function f(…) {…}\`): a callback at the top level is analysed under its own name, or the string its call gives (\`register('smooth', function (t) {…})\` is 'smooth').`,
      };
    }
  }
  if (outer) {
    const inner = ts.isVariableStatement(host) ? host.declarationList.declarations.map((d) => nameOf(d)).find((n) => n) : nameOf(host);
    const outerName = functionName(outer);
    const where = outerName === 'an anonymous function' ? 'an anonymous function' : `'${outerName}'`;
    const p = parents.get(host);
    if ((ts.isArrowFunction(host) || ts.isFunctionExpression(host)) && p && (ts.isCallExpression(p) || ts.isNewExpression(p))) {
      return {
        name: `${outerName}.(callback)`, form: `a callback (a function passed to a call) in ${where}`,
        advice: `Declare it in ${where} as \`const f = (…) => …\`, annotate that, and pass \`f\` to the call. ${TOP_LEVEL_ADVICE}`,
      };
    }
    return {
      name: `${outerName}.${inner ?? '?'}`, form: `a function nested in ${where}`,
      advice: `Declare '${inner ?? 'it'}' in ${where} as \`function ${inner ?? 'f'}(…) {…}\` or \`const ${inner ?? 'f'} = (…) => …\` (or move it to the top level of the file) and call it from there. ${TOP_LEVEL_ADVICE}`,
    };
  }
  if (ts.isFunctionDeclaration(host)) {
    const name = nameOf(host);
    if (!name) return { name: '(anonymous)', form: 'an anonymous function declaration', advice: `Give it a name: \`function f(…) {…}\`.` };
    if (!host.body) return { name, form: `an overload signature of '${name}'`, advice: `Put @differentiable on the implementation of '${name}' (the declaration with a body).` };
    const known = program.functions.get(name);
    if (known && known.node !== host) return { name, form: `an earlier declaration of '${name}'`, advice: `A later declaration of the same name is the one analysed; rename one of them.` };
    if (known && known.tags.docRange && tagRangeOf(known, known.tags.docRange).start !== commentPos) {
      return { name, form: `a JSDoc block of '${name}' that is not the last one before it`, advice: 'Gradlens reads the last JSDoc block before a function; merge the tags into that one.' };
    }
  }
  if (ts.isVariableStatement(host)) {
    const decls = host.declarationList.declarations;
    const names = decls.map((d) => nameOf(d) ?? d.name.getText(sf));
    if (decls.length > 1) return { name: names.join(', '), form: `a declaration of several variables (${names.map((n) => `'${n}'`).join(', ')})`, advice: 'Declare each function in a statement of its own: `const f = (…) => …;`.' };
    const d = decls[0];
    if (d && !ts.isIdentifier(d.name)) return { name: names[0], form: 'a destructuring declaration', advice: TOP_LEVEL_ADVICE };
    if (d && d.initializer) {
      const known = program.functions.get(names[0]);
      if (known && known.node !== unwrapInitializer(d.initializer)) return { name: names[0], form: `an earlier declaration of '${names[0]}'`, advice: `A later declaration of the same name is the one analysed; rename one of them.` };
      if (known && known.tags.docRange && tagRangeOf(known, known.tags.docRange).start !== commentPos) {
        return { name: names[0], form: `a JSDoc block of '${names[0]}' that is not the last one before it`, advice: 'Gradlens reads the last JSDoc block before a function; merge the tags into that one.' };
      }
      if (ts.isObjectLiteralExpression(unwrapInitializer(d.initializer))) {
        return { name: names[0], form: `a table ('${names[0]}') none of whose functions it applies to`, advice: "A @differentiable on a table applies to its function members without a JSDoc of their own that are not a sibling's derivative; put it on the functions themselves." };
      }
      return { name: names[0], form: `a variable whose value is not a function literal ('${names[0]}')`, advice: `Write '${names[0]}' as \`function ${names[0]}(…) {…}\` or \`const ${names[0]} = (…) => …\`.` };
    }
  }
  if (ts.isModuleBlock(parents.get(host) ?? host) || ts.isBlock(parents.get(host) ?? host)) {
    const name = (ts.isVariableStatement(host) ? nameOf(host.declarationList.declarations[0]) : nameOf(host)) ?? '?';
    const within = ts.isModuleBlock(parents.get(host)!) ? 'a namespace' : 'a block';
    return { name, form: `a function inside ${within}`, advice: `Move '${name}' to the top level of the file. ${TOP_LEVEL_ADVICE}` };
  }
  if (ts.isExportAssignment(host)) return { name: 'default', form: 'a default export expression', advice: 'Declare it as `export default function f(…) {…}` or `function f…` with `export default f`.' };
  const words = ts.SyntaxKind[host.kind].replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  const name = nameOf(host) ?? words;
  return { name, form: `${/^[aeiou]/.test(words) ? 'an' : 'a'} ${words}`, advice: `${TOP_LEVEL_ADVICE} Put @differentiable on one of those.` };
}
