// The edits of the code actions, computed on the document's current text. They call the engine's
// code generation and its discovery of the file's functions (engine/program.ts, through
// sourceLocate.ts), so they run in the analysis worker (engineTasks.ts), never on the LSP thread.

import { componentFixes, generateDerivative } from '../engine';
import { isPlainCheck } from '../engine/fixGradient';
import type { CodegenMode, FunctionAnalysis } from '../engine/api';
import { addJsDocTag, gradientCheckTest, hasJsDocTag, insertAfter } from './edits';
import { freeName, locateFunction, locateFunctions, topLevelNames, type LocatedFunction } from './sourceLocate';
import type { OffsetEdit } from './toLsp';

export type EditAction =
  | { action: 'insert'; fn: string; mode: CodegenMode }
  | { action: 'test'; fn: string }
  | { action: 'fix'; fn: string }
  | { action: 'annotate'; fn: string };

const SUFFIX: Record<CodegenMode, string> = { reverse: 'Grad', closed: 'Grad', jvp: 'Jvp', hessian: 'Hessian' };

export function computeEdits(a: EditAction, text: string, fa: FunctionAnalysis | null, log: (m: string) => void): OffsetEdit[] | null {
  switch (a.action) {
    case 'insert': return insertEdits(text, a.fn, a.mode, fa, log);
    case 'test': return testEdits(text, a.fn, fa, log);
    case 'fix': return fixEdits(text, a.fn, fa, log);
    case 'annotate': return annotateEdits(text, a.fn);
  }
}

/** Generated `mode` code after the function; for a gradient, `@gradient <name>` in its JSDoc too. */
export function insertEdits(text: string, fnName: string, mode: CodegenMode, fa: FunctionAnalysis | null, log: (m: string) => void): OffsetEdit[] | null {
  const fn = locateFunction(text, fnName);
  if (!fn) return null;
  const name = freeName(`${fnName}${SUFFIX[mode]}`, topLevelNames(text));
  const { generated, diagnostics } = generateDerivative(text, fnName, mode, { name });
  if (!generated) {
    log(`Gradlens: no ${mode} code for ${fnName}: ${diagnostics.map((d) => d.message).join('; ')}`);
    return null;
  }
  const edits: OffsetEdit[] = [];
  if ((mode === 'reverse' || mode === 'closed') && !fa?.check && !hasJsDocTag(text, fn, 'gradient')) {
    edits.push(addJsDocTag(text, fn, `@gradient ${generated.name}`));
  }
  edits.push(insertAfter(text, fn, generated.code));
  return edits;
}

/** A gradient-check test after the hand-written gradient (or after a generated one it inserts). */
export function testEdits(text: string, fnName: string, fa: FunctionAnalysis | null, log: (m: string) => void): OffsetEdit[] | null {
  const fns = functionsOf(text);
  const fn = fns.get(fnName);
  if (!fn || !fa || fa.points.length === 0) return null;
  const taken = topLevelNames(text);
  const wrt = fa.wrt.length > 0 ? fa.wrt : fa.params;
  const handName = fa.check?.name;
  const hand = handName ? fns.get(handName) ?? null : null;
  const edits: OffsetEdit[] = [];
  let gradName: string;
  let gradCode = '';
  if (hand && handName) {
    gradName = handName;
  } else {
    gradName = freeName(`${fnName}Grad`, taken);
    taken.add(gradName);
    const { generated, diagnostics } = generateDerivative(text, fnName, 'reverse', { name: gradName });
    if (!generated) {
      log(`Gradlens: no gradient for ${fnName}: ${diagnostics.map((d) => d.message).join('; ')}`);
      return null;
    }
    gradName = generated.name;
    gradCode = generated.code.trim() + '\n\n';
    if (!hasJsDocTag(text, fn, 'gradient')) edits.push(addJsDocTag(text, fn, `@gradient ${gradName}`));
  }
  const test = gradientCheckTest({
    testName: freeName(`${fnName}GradientCheck`, taken),
    fnName,
    gradName,
    params: fn.params,
    wrt,
    point: fa.points[0],
  });
  if (!test) return null;
  edits.push(insertAfter(text, hand ?? fn, gradCode + test));
  return edits;
}

/**
 * Replaces just the wrong components where it can (see engine/fixGradient.ts); otherwise
 * regenerates the hand-written gradient under the user's name. When the generated function has the
 * user's parameters and return shape, only the body is replaced (the signature, its types and its
 * JSDoc stay as written); otherwise the whole function is, keeping `export` and the JSDoc.
 */
export function fixEdits(text: string, fnName: string, fa: FunctionAnalysis | null, log: (m: string) => void): OffsetEdit[] | null {
  // Smallest fix first: just the wrong components' expressions, in closed form.
  const wrong = fa?.checks && fa.checks.length > 0 ? fa.checks.some((c) => c.status === 'wrong') : fa?.check?.status === 'wrong';
  const parts = wrong ? componentFixes(text, fnName) : null;
  if (parts) return parts;
  const check = fa?.check;
  // A hand-written derivative in another convention (out array, fused, flag, vector-Jacobian
  // product, scaled partial, Hessian…) is fixed component by component only: regenerating it
  // whole would change its convention.
  if (check && !isPlainCheck(check)) {
    log(`Gradlens: no component of ${check.name} (${check.description ?? 'hand-written derivative'}) could be fixed in place; it is not regenerated, to keep its convention.`);
    return null;
  }
  const fns = functionsOf(text);
  const handName = check?.name ?? [`${fnName}Grad`, `${fnName}_grad`, `grad${fnName[0]?.toUpperCase()}${fnName.slice(1)}`]
    .find((n) => fns.has(n));
  if (!handName) return null;
  const hand = fns.get(handName);
  if (!hand) return null;
  const mode: CodegenMode = fa?.closedFormAvailable ? 'closed' : 'reverse';
  let result = generateDerivative(text, fnName, mode, { name: handName });
  if (!result.generated && mode === 'closed') result = generateDerivative(text, fnName, 'reverse', { name: handName });
  const generated = result.generated;
  if (!generated) {
    log(`Gradlens: cannot regenerate ${handName}: ${result.diagnostics.map((d) => d.message).join('; ')}`);
    return null;
  }
  const genFns = locateFunctions(generated.code);
  const gen = genFns.find((f) => f.name === generated.name) ?? null;
  if (gen && genFns.length === 1 && hand.body && gen.body && sameParams(hand, gen) && check?.status !== 'shape' &&
    (hand.returnTypeText === null || shapeOfType(hand.returnTypeText) === shapeOfType(gen.returnTypeText))) {
    return [{ start: hand.body.start, end: hand.body.end, newText: generated.code.slice(gen.body.start, gen.body.end) }];
  }
  // Whole function: drop the generated JSDoc (the user's stays in place) and keep the user's `export`.
  let code = gen ? generated.code.slice(gen.statementStart).trim() : generated.code.trim();
  if (gen && genFns.length > 1) code = generated.code.trim();
  const startsExported = /^export\s/.test(code);
  if (hand.exported && !startsExported) code = `export ${code}`;
  if (!hand.exported && startsExported) code = code.replace(/^export\s+/, '');
  return [{ start: hand.statementStart, end: hand.statementEnd, newText: code }];
}

export function annotateEdits(text: string, fnName: string): OffsetEdit[] | null {
  const fn = locateFunction(text, fnName);
  if (!fn || hasJsDocTag(text, fn, 'differentiable')) return null;
  return [addJsDocTag(text, fn, '@differentiable')];
}

/** The functions of the file by name (one parse, however many are looked up). */
function functionsOf(text: string): Map<string, LocatedFunction> {
  return new Map(locateFunctions(text).map((f) => [f.name, f]));
}

function sameParams(a: LocatedFunction, b: LocatedFunction): boolean {
  return a.params.length === b.params.length && a.params.every((p, i) => p.name === b.params[i].name);
}

function shapeOfType(t: string | null): string | null {
  if (t === null) return null;
  const s = t.replace(/\s+/g, '');
  if (s.startsWith('{') || s.startsWith('Record<')) return 'object';
  if (s.startsWith('[')) return 'tuple';
  if (s.endsWith('[]') || s.includes('Float64Array') || s.startsWith('Array<')) return 'array';
  if (s === 'number') return 'number';
  return s;
}
