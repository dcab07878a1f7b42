// Quick fixes for a hand-written gradient of the wrong shape (GL006), found where the check finds
// it: edits that are mechanical, offered as the diagnostic's `fixes`.
//
// - A 1-element array returned for one number parameter: return the number (`[2 * x]` → `2 * x`).
// - One entry per parameter returned while `@wrt` differentiates fewer: keep the `@wrt` entries,
//   in `@wrt` order (`[dx, dy, dz]` with `@wrt x, z` → `[dx, dz]`).
// - An object with keys that are not differentiated: drop them.
// - A gradient taking one parameter more than the function, in no convention its shape gives away:
//   declare the convention it is written in (`@gradient g vjp`, `@gradient g output`), offered only
//   for a convention under which the check gets past the shape (and said when it then agrees).
//
// A declared return type is rewritten with the return (`number[]` → `number`).
//
// And for a GL001 whose values are right but in the wrong places: a tuple whose entries match AD
// once reordered (`[dy, dx]` for `@wrt x, y`) is put in `@wrt` order.

import ts = require('typescript');
import type { DiagnosticFix, EngineDiagnostic, GradientCheck, GradientConvention } from '../api';
import { checkGradient, type CheckInput } from '../gradientCheck';
import type { Range } from '../ir';
import { tagRangeOf } from '../sourceFunction';
import type { Program, SourceFunction } from '../program';
import { jsDocTagEdit, type Edit } from '../fixEdits';
import { conventionDescription, type HandSpec } from './conventions';

/** Attaches the fixes of a GL006 of `input`'s check (`diagnostics` are the check's). */
export function attachShapeFixes(diagnostics: EngineDiagnostic[], input: CheckInput & { spec: HandSpec; sf: SourceFunction }): void {
  const d = diagnostics.find((x) => x.code === 'GL006');
  if (!d) return;
  const fixes = shapeFixes(input);
  if (fixes.length > 0) d.fixes = [...(d.fixes ?? []), ...fixes];
}

export function shapeFixes(input: CheckInput & { spec: HandSpec; sf: SourceFunction }): DiagnosticFix[] {
  const { spec, program, fn, hand } = input;
  // Plain gradients and @derivative rules only: a convention's extra parameter (out array, flag,
  // upstream gradient) may have been rewritten in the shadow of the file.
  if (spec.self || !(spec.kind === 'rule' || (spec.kind === 'gradient' && spec.convention === 'plain'))) return [];
  const handSf = program.functions.get(hand.name);
  if (!handSf || handSf.hasSyntaxError) return [];
  const fixes: DiagnosticFix[] = [];
  if (hand.params.length === fn.params.length) {
    const f = returnFix(program, handSf, input.fn.params.map((p) => p.name), input.wrt, fn.params.filter((p) => input.wrt.includes(p.name)).every((p) => p.type === 'num'));
    if (f && fn.returnType !== 'arr') fixes.push(f);
  }
  if (spec.kind === 'gradient' && !spec.declared) fixes.push(...conventionFixes(input));
  return fixes;
}

/**
 * Attaches "Reorder the returned tuple" to the GL001s of a wrong plain gradient whose entries are
 * right in another order, the same one at every point (and no other order fits).
 */
export function attachOrderFix(diagnostics: EngineDiagnostic[], check: GradientCheck, input: CheckInput & { spec: HandSpec }): void {
  const { spec, program, hand, wrt, options } = input;
  if (spec.self || !(spec.kind === 'rule' || (spec.kind === 'gradient' && spec.convention === 'plain'))) return;
  const n = wrt.length;
  if (n < 2 || n > 6 || check.points.length === 0) return;
  if (check.points.some((p) => p.components.length !== n || p.components.some((c, k) => c.param !== wrt[k] || c.index !== null))) return;
  const handSf = program.functions.get(hand.name);
  if (!handSf || handSf.hasSyntaxError) return;
  const returns = returnExpressions(handSf.node).map(strip);
  if (returns.length === 0 || !returns.every((e) => ts.isArrayLiteralExpression(e) && e.elements.length === n && !e.elements.some(ts.isSpreadElement))) return;
  const close = (h: number, a: number, maxAd: number): boolean =>
    Math.abs(h - a) <= (options.atol ?? 1e-8 * (1 + maxAd)) + options.rtol * Math.max(Math.abs(h), Math.abs(a));
  // Entry k of the fixed tuple is entry order[k] of the written one.
  const fits = permutations(n).filter((order) => order.some((j, k) => j !== k) && check.points.every((p) => {
    const maxAd = Math.max(0, ...p.components.map((c) => Math.abs(c.ad)).filter(Number.isFinite));
    return p.components.every((c, k) => close(p.components[order[k]].hand, c.ad, maxAd));
  }));
  if (fits.length !== 1) return;
  const order = fits[0];
  const sfile = program.sourceFile;
  const edits: Edit[] = (returns as ts.ArrayLiteralExpression[]).map((a) => ({
    range: { start: a.getStart(sfile), end: a.end },
    newText: `[${order.map((j) => a.elements[j].getText(sfile)).join(', ')}]`,
  }));
  const fix: DiagnosticFix = { title: `Reorder the returned tuple to @wrt order (${wrt.join(', ')})`, edits };
  for (const d of diagnostics) if (d.code === 'GL001') d.fixes = [fix, ...(d.fixes ?? [])];
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const rest of permutations(n - 1)) {
    for (let i = 0; i <= rest.length; i++) out.push([...rest.slice(0, i), n - 1, ...rest.slice(i)]);
  }
  return out;
}

/** The return expressions of a function (an arrow's expression body; not those of nested functions). */
function returnExpressions(node: SourceFunction['node']): ts.Expression[] {
  const body = node.body;
  if (!body) return [];
  if (!ts.isBlock(body)) return [body as ts.Expression];
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isReturnStatement(n)) { if (n.expression) out.push(n.expression); return; }
    if (!ts.isFunctionLike(n)) n.forEachChild(visit);
  };
  body.forEachChild(visit);
  return out;
}

function strip(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

/** A return of the wrong shape that can be rewritten: every return the same mechanical way. */
function returnFix(program: Program, handSf: SourceFunction, params: string[], wrt: string[], wrtNumbers: boolean): DiagnosticFix | null {
  const sfile = program.sourceFile;
  const returns = returnExpressions(handSf.node).map(strip);
  if (returns.length === 0) return null;
  const text = (n: ts.Node) => n.getText(sfile);
  const range = (n: ts.Node): Range => ({ start: n.getStart(sfile), end: n.end });
  const edits: Edit[] = [];
  let title: string | null = null;
  const singleNumber = wrt.length === 1 && wrtNumbers;

  if (returns.every((e) => ts.isArrayLiteralExpression(e) && !e.elements.some(ts.isSpreadElement))) {
    const arrays = returns as ts.ArrayLiteralExpression[];
    if (singleNumber && arrays.every((a) => a.elements.length === 1)) {
      for (const a of arrays) edits.push({ range: range(a), newText: text(a.elements[0]) });
      title = arrays.length === 1 ? `Return ${short(text(arrays[0].elements[0]))}, not a 1-element array` : 'Return numbers, not 1-element arrays';
      edits.push(...returnTypeEdit(program, handSf, 'number'));
    } else if (wrt.length < params.length && wrt.length > 0 && arrays.every((a) => a.elements.length === params.length)) {
      // One entry per parameter: keep the differentiated ones, in @wrt order.
      const keep = wrt.map((w) => params.indexOf(w));
      if (keep.some((k) => k < 0)) return null;
      for (const a of arrays) {
        const kept = keep.map((k) => text(a.elements[k]));
        edits.push({ range: range(a), newText: singleNumber ? kept[0] : `[${kept.join(', ')}]` });
      }
      title = singleNumber ? `Return only ∂/∂${wrt[0]} (@wrt ${wrt[0]})` : `Return only the @wrt entries (${wrt.join(', ')})`;
      edits.push(...returnTypeEdit(program, handSf, singleNumber ? 'number' : `[${wrt.map(() => 'number').join(', ')}]`, params.length));
    }
  } else if (returns.every((e) => ts.isObjectLiteralExpression(e))) {
    const objects = returns as ts.ObjectLiteralExpression[];
    const keyOf = (p: ts.ObjectLiteralElementLike): string | null =>
      (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : null;
    if (objects.some((o) => o.properties.some((p) => keyOf(p) === null))) return null;
    if (singleNumber) {
      // One number differentiated: the gradient is the number itself, not an object.
      const w = wrt[0];
      const values = objects.map((o) => o.properties.find((p) => keyOf(p) === w));
      if (values.some((v) => !v)) return null;
      values.forEach((v, i) => edits.push({ range: range(objects[i]), newText: ts.isPropertyAssignment(v!) ? text(v.initializer) : w }));
      return { title: `Return ∂/∂${w} (the entry '${w}'), not an object`, edits };
    }
    const extra = new Set(objects.flatMap((o) => o.properties.map((p) => keyOf(p)!).filter((k) => !wrt.includes(k))));
    const complete = objects.every((o) => wrt.every((w) => o.properties.some((p) => keyOf(p) === w)));
    if (extra.size === 0 || !complete) return null;
    for (const o of objects) {
      const kept = o.properties.filter((p) => wrt.includes(keyOf(p)!)).map(text);
      edits.push({ range: range(o), newText: `{ ${kept.join(', ')} }` });
    }
    title = `Remove ${[...extra].map((k) => `'${k}'`).join(', ')} (not differentiated: @wrt ${wrt.join(', ')})`;
  }
  return title && edits.length > 0 ? { title, edits } : null;
}

/** The declared return type rewritten to `type`, when it is an array type or a tuple of `length` numbers. */
function returnTypeEdit(program: Program, handSf: SourceFunction, type: string, length?: number): Edit[] {
  const t = handSf.node.type;
  if (!t) return [];
  const written = t.getText(program.sourceFile).replace(/\s+/g, '');
  const arrayLike = /^(number\[\]|Array<number>|Float64Array|readonlynumber\[\])$/.test(written) || /^\[number(,number)*\]$/.test(written);
  if (!arrayLike) return [];
  if (length !== undefined && /^\[/.test(written) && written.split(',').length !== length) return [];
  return [{ range: { start: t.getStart(program.sourceFile), end: t.end }, newText: type }];
}

/** Index of the hand-written function's parameter the function does not have. */
function extraParam(handNames: string[], fnNames: string[]): number {
  const foreign = handNames.map((n, i) => (fnNames.includes(n) ? -1 : i)).filter((i) => i >= 0);
  return foreign.length === 1 ? foreign[0] : handNames.length - 1;
}

/** "Declare `@gradient g vjp`": for each convention under which the gradient's shape is right. */
function conventionFixes(input: CheckInput & { spec: HandSpec; sf: SourceFunction }): DiagnosticFix[] {
  const { spec, fn, hand, sf, program } = input;
  const handNames = hand.params.map((p) => p.name);
  const fnNames = fn.params.map((p) => p.name);
  const candidates: { convention: GradientConvention; extra: number }[] = [];
  if (handNames.length === fnNames.length + 1) {
    const extra = extraParam(handNames, fnNames);
    candidates.push({ convention: 'vjp', extra }, { convention: 'output', extra });
  } else if (handNames.length === 1 && fnNames.length > 1) {
    candidates.push({ convention: 'output', extra: 0 });
  }
  const tried: { convention: GradientConvention; ok: boolean; description: string }[] = [];
  for (const c of candidates) {
    const trial: HandSpec = { ...spec, convention: c.convention, extra: c.extra, declared: true };
    let status: string;
    try {
      status = checkGradient({ ...input, spec: trial }).check.status;
    } catch {
      continue; // a budget: no fix is offered rather than a guess
    }
    if (status !== 'shape' && status !== 'error') tried.push({ convention: c.convention, ok: status === 'ok', description: conventionDescription(trial) });
  }
  // The conventions that agree with AD; else every one whose shape fits.
  const offered = tried.some((t) => t.ok) ? tried.filter((t) => t.ok) : tried;
  const fixes: DiagnosticFix[] = [];
  for (const t of offered) {
    const edit = declareEdit(program, sf, spec, t.convention);
    if (!edit) continue;
    fixes.push({ title: `Declare the convention: @gradient ${spec.name} ${t.convention} (${t.description}${t.ok ? ', agrees with AD' : ''})`, edits: [edit] });
  }
  return fixes;
}

/** ` vjp` after the name in `@gradient g`, or a new `@gradient g vjp` line in the JSDoc. */
function declareEdit(program: Program, sf: SourceFunction, spec: HandSpec, convention: GradientConvention): Edit | null {
  if (spec.pairedBy === 'tag' && spec.nameRange) return { range: { start: spec.nameRange.end, end: spec.nameRange.end }, newText: ` ${convention}` };
  const doc = tagRangeOf(sf, sf.tags.docRange);
  return doc && !sf.inheritedDoc ? jsDocTagEdit(program.text, doc, `@gradient ${spec.name} ${convention}`) : null;
}

function short(s: string): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > 40 ? `${one.slice(0, 39)}…` : one;
}
