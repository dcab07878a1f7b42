// Which hand-written derivatives a function has, and in which convention each is written: the
// tags (engine/check/tags.ts), pairing by name, and detection where the shape is unambiguous
// (an extra array parameter the function writes into; a boolean flag). Works on the syntax tree,
// before lowering: a hand-written function that writes into its parameter only lowers in the
// shadow (engine/check/shadow.ts), which these results say how to build.

import ts = require('typescript');
import type { GradientConvention, HandKind } from '../api';
import type { Range } from '../ir';
import { tagRangeOf } from '../sourceFunction';
import type { Program, SourceFunction } from '../program';
import { handTagsOf } from './tags';
import { structuralPair } from '../declarationForms';
import { declaredParamType, jsDocParamTypes } from '../lower/types';
import type { ShadowNeeds } from './shadow';

/** One hand-written derivative to check, resolved. */
export interface HandSpec {
  kind: HandKind;
  convention: GradientConvention;
  /** The convention was written in the tag (else the default, or detected from the shape). */
  declared: boolean;
  name: string;
  pairedBy: 'tag' | 'name';
  /** Range of the name in its tag (null when paired by name). */
  nameRange: Range | null;
  tagRange: Range | null;
  /** Index of the hand-written function's extra parameter (out, grad, flag, gOut, y, v), if any. */
  extra?: number;
  /** `@gradient g flag name`: the flag's name as written (resolved to `extra` when it exists). */
  flagName?: string;
  /** `@partial`: the parameter, and the factor. */
  param?: string;
  paramRange?: Range;
  scale?: number;
  scaleText?: string;
  /** The hand-written function is the differentiable function itself (fused, flag). */
  self: boolean;
}

/** A differentiable function that is its own derivative: its extra parameter is no input. */
export interface SelfConvention {
  convention: 'fused' | 'flag';
  /** Index and name of the parameter (the gradient array it writes, or the flag). */
  index: number;
  param: string;
}

/** Names of a fused function's gradient parameter (detection without a tag). */
const OUT_NAMES = /^(g|grad|grads|gradient|gradients|out|gout|dx|dfdx|df|storage|result)$/i;
/** Names of a derivative flag (detection without a tag). */
const FLAG_NAMES = /^(derivative|deriv|derive|prime)$/i;

interface ParamInfo {
  name: string;
  array: boolean;
  booleanLike: boolean;
  written: boolean;
}

/**
 * Per function node: what its parameters are. Asked for every function on every analysis (to
 * find each function's hand-written derivatives, for the cache key), so it is kept per syntax node,
 * which an incremental re-parse reuses for every function the edit did not touch.
 */
const paramInfoCache = new WeakMap<SourceFunction['node'], ParamInfo[]>();

export function paramInfos(sf: SourceFunction, program: Program): ParamInfo[] {
  let infos = paramInfoCache.get(sf.node);
  if (!infos) {
    infos = computeParamInfos(sf, program);
    paramInfoCache.set(sf.node, infos);
  }
  return infos;
}

function computeParamInfos(sf: SourceFunction, program: Program): ParamInfo[] {
  const sfile = program.sourceFile;
  // (its text is read: the statement in place first, engine/statementSplice.ts; kept per node after)
  program.ensurePlaced(sf.statement);
  const writes = writtenNames(sf.node);
  const docTypes = jsDocParamTypes(sf.decl); // JavaScript: `@param {number[]} fxprime` (issue 13)
  return sf.node.parameters.map((p) => {
    const name = ts.isIdentifier(p.name) ? p.name.text : p.name.getText(sfile);
    const type = declaredParamType(p, docTypes)?.getText(sfile).replace(/\s+/g, '') ?? '';
    const init = p.initializer;
    const booleanLike = /(^|\|)boolean(\||$)/.test(type) ||
      (!!init && (init.kind === ts.SyntaxKind.TrueKeyword || init.kind === ts.SyntaxKind.FalseKeyword));
    const array = /\[\]|Float64Array|Float32Array|Array</.test(type);
    return { name, array, booleanLike, written: writes.has(name) };
  });
}

/**
 * Identifiers whose elements the function assigns (`out[i] = …`, `out[i] += …`), directly or
 * through a local alias (`const g = out ?? new Array(n)`, `const g = out`).
 */
function writtenNames(node: SourceFunction['node']): Set<string> {
  const out = new Set<string>();
  const aliases = new Map<string, string>();
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) {
      let e: ts.Expression = n.initializer;
      while (ts.isParenthesizedExpression(e)) e = e.expression;
      if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken)) e = e.left;
      if (ts.isIdentifier(e)) aliases.set(n.name.text, aliases.get(e.text) ?? e.text);
    }
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      let t: ts.Expression = n.left;
      while (ts.isParenthesizedExpression(t)) t = t.expression;
      if (ts.isElementAccessExpression(t) && ts.isIdentifier(t.expression)) out.add(aliases.get(t.expression.text) ?? t.expression.text);
    }
    if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && ts.isElementAccessExpression(n.operand) && ts.isIdentifier(n.operand.expression)) {
      out.add(aliases.get(n.operand.expression.text) ?? n.operand.expression.text);
    }
    if (!ts.isFunctionLike(n) || n === node) n.forEachChild(visit);
  };
  if (node.body) visit(node.body);
  return out;
}

/** What the function returns, from its declared type or its `return` statements. */
function returnKind(sf: SourceFunction, program: Program, written: string | null): 'number' | 'array' | 'none' {
  const node = sf.node;
  const t = node.type;
  if (t) {
    if (t.kind === ts.SyntaxKind.NumberKeyword) return 'number';
    if (t.kind === ts.SyntaxKind.VoidKeyword || t.kind === ts.SyntaxKind.UndefinedKeyword) return 'none';
    return 'array';
  }
  if (!node.body) return 'none';
  if (!ts.isBlock(node.body)) return ts.isArrayLiteralExpression(node.body) ? 'array' : 'number';
  let kind: 'number' | 'array' | 'none' = 'none';
  const visit = (n: ts.Node): void => {
    if (ts.isReturnStatement(n) && n.expression) {
      let e = n.expression;
      while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) e = e.expression;
      const isArray = ts.isArrayLiteralExpression(e) || (ts.isIdentifier(e) && e.text === written);
      if (isArray) kind = 'array';
      else if (kind === 'none') kind = 'number';
    }
    if (!ts.isFunctionLike(n)) n.forEachChild(visit);
  };
  node.body.forEachChild(visit);
  void program;
  return kind;
}

/**
 * The differentiable function's own convention, when it is its own derivative: `@gradient f fused`
 * or `@gradient f flag d` naming itself, or (without a tag naming another function) a last array
 * parameter named like a gradient (`grad`, `out`, `g`) that it writes into while returning a number,
 * or a boolean parameter named `derivative` (or `deriv`, `prime`).
 */
export function selfConvention(program: Program, sf: SourceFunction): SelfConvention | null {
  const ann = sf.tags;
  const tags = handTagsOf(ann).filter((t) => t.kind === 'gradient');
  const selfTag = tags.find((t) => t.name === sf.name);
  if (tags.length > 0 && !selfTag) return null;
  const infos = paramInfos(sf, program);
  const wrt = ann.wrt;
  const free = (i: number) => !wrt || !wrt.includes(infos[i].name);
  const fusedAt = (): number => {
    const i = infos.length - 1;
    return i > 0 && infos[i].array && infos[i].written && free(i) ? i : -1;
  };
  const flagAt = (named: string | undefined, strict: boolean): number =>
    infos.findIndex((p, i) => free(i) && (named ? p.name === named : p.booleanLike && (!strict || FLAG_NAMES.test(p.name))));
  if (selfTag) {
    if (selfTag.convention === 'flag' || (selfTag.convention === null && flagAt(selfTag.flagParam, false) >= 0 && fusedAt() < 0)) {
      const i = flagAt(selfTag.flagParam, false);
      return i >= 0 ? { convention: 'flag', index: i, param: infos[i].name } : null;
    }
    if (selfTag.convention === 'fused' || selfTag.convention === null) {
      const i = fusedAt();
      return i >= 0 ? { convention: 'fused', index: i, param: infos[i].name } : null;
    }
    return null;
  }
  // Detection: only when nothing else is the gradient.
  if (ann.derivative || pairedByName(program, sf)) return null;
  const f = fusedAt();
  if (f >= 0 && OUT_NAMES.test(infos[f].name) && returnKind(sf, program, infos[f].name) === 'number') {
    return { convention: 'fused', index: f, param: infos[f].name };
  }
  const g = flagAt(undefined, true);
  if (g >= 0) return { convention: 'flag', index: g, param: infos[g].name };
  return null;
}

/**
 * `<name>Grad`, `<name>_grad` or `grad<Name>`, when the file has one; for a member of a table or
 * class, its derivative by the table's structure first (`derivative` beside `fn`; declarationForms.ts).
 */
export function pairedByName(program: Program, sf: SourceFunction): string | null {
  const structural = structuralPair(program.functions, sf);
  if (structural) return structural;
  for (const n of namePairs(sf)) if (program.functions.has(n)) return n;
  return null;
}

/** `<name>Grad`, `<name>_grad`, `grad<Name>`: the names pairedByName looks for after the structure's. */
export function namePairs(sf: SourceFunction): string[] {
  const cap = sf.name[0].toUpperCase() + sf.name.slice(1);
  return [`${sf.name}Grad`, `${sf.name}_grad`, `grad${cap}`].filter((n) => n !== sf.name);
}

/**
 * Every hand-written derivative of `sf`, in tag order: each `@gradient` (several are all checked),
 * `@partial`, `@hessian`, `@jvp`; without `@gradient`, the one paired by name; on a helper, its
 * `@derivative` rule. `self` is `sf`'s own convention (selfConvention).
 */
export function handSpecs(program: Program, sf: SourceFunction, self: SelfConvention | null): HandSpec[] {
  const ann = sf.tags;
  // (its ranges where they are now: the tags' are where the function's statement was found)
  const at = (r: Range | null) => tagRangeOf(sf, r);
  const specs: HandSpec[] = [];
  if (ann.derivative && !ann.differentiable) {
    specs.push({ kind: 'rule', convention: 'plain', declared: false, name: ann.derivative, pairedBy: 'tag', nameRange: at(ann.derivativeRange), tagRange: at(ann.derivativeRange), self: false });
    return specs;
  }
  const tags = handTagsOf(ann);
  for (const t of tags) {
    const base = { name: t.name, pairedBy: 'tag' as const, nameRange: at(t.nameRange), tagRange: at(t.tagRange), self: t.name === sf.name };
    switch (t.kind) {
      case 'gradient': {
        if (base.self) {
          specs.push({ ...base, kind: 'gradient', convention: self?.convention ?? t.convention ?? 'plain', declared: t.convention !== null, extra: self?.index, flagName: t.flagParam });
          break;
        }
        const hand = program.functions.get(t.name);
        const detected = hand ? detect(program, sf, hand, t.convention, t.flagParam) : { convention: t.convention ?? 'plain' };
        specs.push({ ...base, kind: 'gradient', declared: t.convention !== null, flagName: t.flagParam, ...detected });
        break;
      }
      case 'partial':
        specs.push({ ...base, kind: 'partial', convention: 'plain', declared: true, param: t.param, paramRange: t.paramRange && tagRangeOf(sf, t.paramRange), scale: t.scale ?? 1, scaleText: t.scaleText ?? '1' });
        break;
      case 'hessian': {
        const hand = program.functions.get(t.name);
        specs.push({ ...base, kind: t.hvp ? 'hvp' : 'hessian', convention: 'plain', declared: true, extra: t.hvp && hand ? extraIndex(program, sf, hand) : undefined });
        break;
      }
      case 'jvp':
        specs.push({ ...base, kind: 'jvp', convention: 'plain', declared: true });
        break;
    }
  }
  if (!tags.some((t) => t.kind === 'gradient')) {
    if (self) {
      specs.unshift({ kind: 'gradient', convention: self.convention, declared: false, name: sf.name, pairedBy: 'name', nameRange: null, tagRange: null, extra: self.index, self: true });
    } else {
      const paired = pairedByName(program, sf);
      const hand = paired ? program.functions.get(paired) : undefined;
      if (paired && hand) specs.unshift({ kind: 'gradient', declared: false, name: paired, pairedBy: 'name', nameRange: null, tagRange: null, self: false, ...detect(program, sf, hand, null, undefined) });
    }
  }
  return specs;
}

/** The hand-written function's parameter that the differentiable function does not have. */
function extraIndex(program: Program, sf: SourceFunction, hand: SourceFunction): number | undefined {
  const mine = new Set(paramInfos(sf, program).map((p) => p.name));
  const theirs = paramInfos(hand, program);
  if (theirs.length !== mine.size + 1) return theirs.length > mine.size ? theirs.length - 1 : undefined;
  const foreign = theirs.map((p, i) => (mine.has(p.name) ? -1 : i)).filter((i) => i >= 0);
  return foreign.length === 1 ? foreign[0] : theirs.length - 1;
}

/** The convention of a hand-written gradient: as declared, else detected from its shape. */
function detect(program: Program, sf: SourceFunction, hand: SourceFunction, declared: GradientConvention | null, flagName: string | undefined): { convention: GradientConvention; extra?: number } {
  const theirs = paramInfos(hand, program);
  const n = sf.node.parameters.length;
  if (declared === 'flag' && flagName) {
    // A name that is not a parameter is a GL005 (analyzeFunction); the check goes on with the extra one.
    const i = theirs.findIndex((p) => p.name === flagName);
    return { convention: 'flag', extra: i >= 0 ? i : extraIndex(program, sf, hand) };
  }
  if (declared === 'output') {
    // g(y), or g(params, y).
    if (theirs.length === 1) return { convention: 'output', extra: 0 };
    return { convention: 'output', extra: extraIndex(program, sf, hand) };
  }
  if (declared && declared !== 'plain') return { convention: declared, extra: extraIndex(program, sf, hand) };
  if (declared === 'plain' || theirs.length !== n + 1) return { convention: 'plain' };
  const i = extraIndex(program, sf, hand)!;
  const p = theirs[i];
  if (p.array && p.written) {
    const rk = returnKind(hand, program, p.name);
    return { convention: rk === 'number' ? 'fused' : 'out', extra: i };
  }
  if (p.booleanLike) return { convention: 'flag', extra: i };
  return { convention: 'plain' };
}

/** Whether lowering the hand-written function for its check needs the shadow (and which edits). */
export function shadowNeeds(spec: HandSpec): ShadowNeeds | null {
  if (spec.extra === undefined) return null;
  if (spec.convention === 'out' || spec.convention === 'fused') return { written: spec.extra };
  if (spec.convention === 'flag') return { flag: spec.extra };
  return null;
}

/** How the hand-written function is called, in words (hovers, the CLI). */
export function conventionDescription(spec: HandSpec): string {
  switch (spec.kind) {
    case 'rule': return '`@derivative` rule';
    case 'partial': return spec.scale === 1 ? `partial derivative with respect to ${spec.param}` : `partial derivative with respect to ${spec.param}, scaled by ${spec.scaleText}`;
    case 'hessian': return 'Hessian';
    case 'hvp': return 'Hessian-vector product';
    case 'jvp': return 'Jacobian-vector product';
    case 'gradient': break;
  }
  switch (spec.convention) {
    case 'plain': return 'gradient';
    case 'out': return 'out-array gradient';
    case 'fused': return spec.self ? 'fused value and gradient (the function itself)' : 'fused value and gradient';
    case 'flag': return spec.self ? 'flag-fused value and derivative (the function itself)' : 'flag-fused value and derivative';
    case 'vjp': return 'vector-Jacobian product';
    case 'output': return 'derivative in terms of the output';
  }
}

// ---- generation side: which convention generated code is written in (server/codeEdits.ts) --------

/** The hand-written gradient `handName` of `sf` as the checker sees it: its convention and extra parameter. */
export function gradientSpecOf(program: Program, sf: SourceFunction, handName: string): HandSpec | null {
  return handSpecs(program, sf, selfConvention(program, sf)).find((s) => s.kind === 'gradient' && s.name === handName) ?? null;
}

/** The `@partial param handName` of `sf` as the checker sees it (its factor). */
export function partialSpecOf(program: Program, sf: SourceFunction, handName: string, param: string | undefined): HandSpec | null {
  return handSpecs(program, sf, selfConvention(program, sf)).find((s) => s.kind === 'partial' && s.name === handName && (param === undefined || s.param === param)) ?? null;
}

/** Conventions Gradlens writes a new derivative in, besides the plain one. */
export type GeneratedConvention = 'out' | 'output' | 'vjp';
const GENERATED: readonly GeneratedConvention[] = ['out', 'output', 'vjp'];
const generated = (c: GradientConvention | null): GeneratedConvention | null => (GENERATED as readonly (GradientConvention | null)[]).includes(c) ? c as GeneratedConvention : null;

/**
 * The convention a new gradient of `sf` is written in, so that it looks like the file's other
 * derivatives: the one `sf`'s own (or its table's) `@gradient` tag declares; else the one most of
 * the file's other hand-written gradients follow (a table of derivatives of the output, out-array
 * gradients, vector-Jacobian products), when that is an out array, the output or a VJP; else null
 * (plain: a flag-fused file gets plain derivatives, its flag being no shape a new function needs).
 * Bounded by the file's functions, each asked once.
 */
export function generationConvention(program: Program, sf: SourceFunction): GeneratedConvention | null {
  const own = handTagsOf(sf.tags).find((t) => t.kind === 'gradient');
  if (own) return generated(own.convention);
  const counts = new Map<GradientConvention, number>();
  let total = 0;
  for (const other of program.functions.values()) {
    if (other === sf || !other.tags.differentiable) continue;
    for (const spec of handSpecs(program, other, selfConvention(program, other))) {
      if (spec.kind !== 'gradient' || spec.self) continue;
      counts.set(spec.convention, (counts.get(spec.convention) ?? 0) + 1);
      total++;
    }
  }
  for (const c of GENERATED) if ((counts.get(c) ?? 0) * 2 > total) return c;
  return null;
}

/**
 * A function whose derivatives are written one per parameter (`@partial p d [scale s]`, option
 * Greeks): the parameters it is differentiated with respect to (`@wrt`, else all), and those that
 * already have a partial. Null when it has no `@partial` tag (or a `@gradient`: then that is its derivative).
 */
export function partialsOf(program: Program, sf: SourceFunction): { wrt: string[]; covered: Set<string> } | null {
  const tags = handTagsOf(sf.tags);
  if (tags.some((t) => t.kind === 'gradient')) return null;
  const partials = tags.filter((t) => t.kind === 'partial');
  if (partials.length === 0) return null;
  const wrt = sf.tags.wrt ?? paramInfos(sf, program).map((p) => p.name);
  return { wrt: [...wrt], covered: new Set(partials.map((t) => t.param ?? '')) };
}
