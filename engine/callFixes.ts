// The quick fix of a GL002 on a call whose value Gradlens cannot compute, a function that is not in
// the file (an import) or a helper outside the subset (`@nondifferentiable` would not help: the
// helper's value is still computed from its body): pass its value in as a parameter, held
// constant. The value the call computes becomes an input the caller gives: the call (every identical one) is replaced by a new
// parameter, the parameter is added to the function and to its plain hand-written gradients (which
// take the function's parameters), and, without `@wrt`, a `@wrt` naming the parameters that were
// differentiated keeps the new one out of the gradient; each `@at` point gives it the value 1.
//
// Offered only when that is the same computation: the call's arguments read parameters and
// module constants, never the function's locals.

import ts = require('typescript');
import type { DiagnosticFix, EngineDiagnostic } from './api';
import type { HandSpec } from './check/conventions';
import { jsDocTagEdit, type Edit } from './fixEdits';
import type { IrFunction } from './ir';
import type { Program, SourceFunction } from './program';
import { annotationsOf, tagRangeOf } from './sourceFunction';

/** Attaches the fix to each GL002 of `sf` on a call whose value cannot be computed. */
export function attachCallFixes(diagnostics: EngineDiagnostic[], program: Program, sf: SourceFunction, fn: IrFunction, specs: readonly HandSpec[]): void {
  const node = sf.node;
  if (!node.body || sf.hasSyntaxError || !diagnostics.some((d) => d.code === 'GL002' && d.functionName === sf.name && !d.fixes)) return;
  const sfile = program.sourceFile;
  const calls: ts.CallExpression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression)) calls.push(n);
    n.forEachChild(visit);
  };
  node.body.forEachChild(visit);
  const done = new Set<string>();
  // Walked once for every fix of the function.
  let names: { locals: Set<string>; taken: Set<string> } | null = null;
  for (const d of diagnostics) {
    if (d.code !== 'GL002' || d.functionName !== sf.name || d.fixes) continue;
    // On the callee of a call to another file's function (lowering), or on the whole call of a
    // helper outside the subset (evaluation).
    const call = d.uncomputedCall === 'outsideSubset' ? calls.find((c) => c.getStart(sfile) === d.range.start && c.end === d.range.end)
      : d.uncomputedCall === 'notInFile' ? calls.find((c) => c.expression.getStart(sfile) === d.range.start && c.expression.end === d.range.end && !program.resolveCallee(sf, c.expression))
      : undefined;
    if (!call) continue;
    const key = normalized(call.getText(sfile));
    if (done.has(key)) continue;
    done.add(key);
    names ??= { locals: localNames(node), taken: new Set([...identifiersIn(node), ...program.functions.keys()]) };
    const fix = passAsParameter(program, sf, fn, specs, call, calls, names);
    if (fix) d.fixes = [fix];
  }
}

function normalized(s: string): string {
  return s.replace(/\s+/g, '');
}

/** Names declared inside the function (parameters excluded). */
function localNames(node: SourceFunction['node']): Set<string> {
  const out = new Set<string>();
  const visit = (n: ts.Node): void => {
    if ((ts.isVariableDeclaration(n) || ts.isFunctionDeclaration(n) || ts.isParameter(n)) && n.name && ts.isIdentifier(n.name) && n !== node && !(ts.isParameter(n) && n.parent === node)) out.add(n.name.text);
    n.forEachChild(visit);
  };
  node.body?.forEachChild(visit);
  return out;
}

function identifiersIn(n: ts.Node, out = new Set<string>()): Set<string> {
  if (ts.isIdentifier(n)) out.add(n.text);
  n.forEachChild((c) => { identifiersIn(c, out); });
  return out;
}

function passAsParameter(program: Program, sf: SourceFunction, fn: IrFunction, specs: readonly HandSpec[], call: ts.CallExpression, calls: ts.CallExpression[],
  { locals, taken }: { locals: Set<string>; taken: Set<string> }): DiagnosticFix | null {
  const sfile = program.sourceFile;
  const node = sf.node;
  const params = node.parameters;
  const last = params[params.length - 1];
  // A parameter after a rest, an optional or a defaulted one would not be a plain input.
  if (!last || params.some((p) => p.dotDotDotToken || p.questionToken || p.initializer)) return null;
  for (const a of call.arguments) {
    for (const id of identifiersIn(a)) if (locals.has(id)) return null;
  }
  const callee = (call.expression as ts.Identifier).text;
  let name = `${callee}Value`;
  for (let i = 2; taken.has(name); i++) name = `${callee}Value${i}`;
  const typed = params.some((p) => p.type);
  const declaration = `${name}${typed ? ': number' : ''}`;
  const key = normalized(call.getText(sfile));
  const edits: Edit[] = calls
    .filter((c) => normalized(c.getText(sfile)) === key)
    .map((c) => ({ range: { start: c.getStart(sfile), end: c.end }, newText: name }));
  edits.push({ range: { start: last.end, end: last.end }, newText: `, ${declaration}` });
  // Hand-written gradients take the function's parameters: the new one too.
  for (const spec of specs) {
    if (spec.kind !== 'gradient' || spec.convention !== 'plain' || spec.self) continue;
    const hand = program.functions.get(spec.name)?.node;
    const hp = hand?.parameters;
    if (!hp || hp.length !== params.length || hp.some((p) => p.dotDotDotToken)) continue;
    edits.push({ range: { start: hp[hp.length - 1].end, end: hp[hp.length - 1].end }, newText: `, ${declaration}` });
  }
  // Every @at point gives every parameter: the new one at 1 (its value from the caller is unknown here).
  for (const r of annotationsOf(sf).atRanges) edits.push({ range: { start: r.end, end: r.end }, newText: `, ${name} = 1` });
  // Held constant: without @wrt, every number parameter would now be differentiated.
  if (!sf.tags.wrt) {
    const declared = new Set(params.map((p) => (ts.isIdentifier(p.name) ? p.name.text : '')));
    const wrt = fn.params.filter((p) => declared.has(p.name) && p.depth <= 1).map((p) => p.name);
    const doc = tagRangeOf(sf, sf.tags.docRange);
    const tag = doc && !sf.inheritedDoc && wrt.length > 0 ? jsDocTagEdit(program.text, doc, `@wrt ${wrt.join(', ')}`) : null;
    if (!tag) return null;
    edits.push(tag);
  }
  const shown = call.getText(sfile).replace(/\s+/g, ' ');
  return { title: `Pass ${shown.length > 40 ? `${callee}(…)` : shown} in as a parameter '${name}' (held constant)`, edits: merged(edits) };
}

/** An insertion where another edit starts joins it (`@at …` then the new `@wrt` line): no two edits touch. */
function merged(edits: Edit[]): Edit[] {
  const out: Edit[] = [];
  for (const e of edits) {
    const at = e.range.start === e.range.end ? out.find((o) => o.range.start === e.range.start) ?? null : null;
    if (at) { at.newText = e.newText + at.newText; continue; }
    const into = out.find((o) => o.range.start === o.range.end && o.range.start === e.range.start);
    if (into) { into.range = { ...e.range }; into.newText += e.newText; continue; }
    out.push({ range: { ...e.range }, newText: e.newText });
  }
  return out;
}
