// The edits of the code actions, computed on the document's current text. They call the engine's
// code generation and its discovery of the file's functions (engine/program.ts, through
// sourceLocate.ts), so they run in the analysis worker (engineTasks.ts), never on the LSP thread.

import { componentFixes, generateDerivative } from '../engine';
import { isPlainCheck } from '../engine/fixGradient';
import type { CodegenMode, FunctionAnalysis } from '../engine/api';
import { addJsDocTag, gradientCheckTest, hasJsDocTag, insertAfter } from './edits';
import { freeName, locateFunction, locateFunctions, topLevelNames, type LocatedFunction } from './sourceLocate';
import { identifierBase } from '../engine/codegen/names';
import { DEFAULT_CODE_STYLE, withCodeStyle, type CodeStyle } from '../engine/codegen/code';
import { resolveCodeStyle, type StyleSources } from './codeStyle';
import { conventionFixEdits, conventionOf, fixedSizesOf, inConventionCode, partialsCode, partialsPlan, previousGenerated, blankedOut, regenerated } from './conventionCode';
import type { OffsetEdit } from './toLsp';
import * as fs from 'node:fs';
import { detectTestSetup, readProjectFacts, renderTestFile } from './testFile';

/** `style`: what the document's .editorconfig and editor settings say (server/codeStyle.ts), added by the server. */
export type EditAction = (
  | { action: 'insert'; fn: string; mode: CodegenMode }
  | { action: 'test'; fn: string }
  | { action: 'fix'; fn: string }
  | { action: 'annotate'; fn: string }
) & { style?: StyleSources };

const SUFFIX: Record<CodegenMode, string> = { reverse: 'Grad', closed: 'Grad', jvp: 'Jvp', hessian: 'Hessian' };
const CONVENTION_WORDS = { out: 'out-array', output: 'output', vjp: 'vector-Jacobian product' } as const;

export function computeEdits(a: EditAction, text: string, fa: FunctionAnalysis | null, log: (m: string) => void): OffsetEdit[] | null {
  const style = resolveCodeStyle(a.style, text);
  switch (a.action) {
    case 'insert': return insertEdits(text, a.fn, a.mode, fa, log, style);
    case 'test': return testEdits(text, a.fn, fa, log, style);
    case 'fix': return fixEdits(text, a.fn, fa, log, style);
    case 'annotate': return annotateEdits(text, a.fn);
  }
}

/**
 * Generated `mode` code placed by the function's form (engine/declarationForms.ts): after a
 * top-level function, with `@gradient <name>` in its JSDoc; beside a member of a table (a
 * `derivative` property beside `fn`, else `<name>Grad`) or of a class (a method `<name>Grad`,
 * `static` for a static one); inside the factory of a closure; as `Foo.prototype.fGrad = …` beside
 * an assignment. Those are paired with the function by their names (no tag), and read what the
 * function reads from `this` or its factory where they are. Generated code that needs helpers of
 * its own (pullbacks) goes after the top-level statement as functions taking the implicit inputs
 * (`this.k` as `thisK`) as parameters, named by `@gradient`. Beside a function with `@partial`
 * tags it writes the missing partials (conventionCode.ts partialsCode).
 */
export function insertEdits(text: string, fnName: string, mode: CodegenMode, fa: FunctionAnalysis | null, log: (m: string) => void, style: CodeStyle = DEFAULT_CODE_STYLE): OffsetEdit[] | null {
  const fn = locateFunction(text, fnName);
  if (!fn) return null;
  // A closed form prints captured values and fields under their own names (`this.k`), not as code.
  if (mode === 'closed' && fn.implicit.length > 0) mode = 'reverse';
  const gradient = mode === 'reverse' || mode === 'closed';
  // Written like the file's other derivatives (out arrays, derivatives of the output): conventionCode.ts.
  const convention = gradient ? conventionOf(text, fnName) : null;
  // (A curried factory's arrow has no statement to put a member beside: a function after the top-level statement.)
  // (A callback, issue 13: a function after the top-level statement with the call, named by `@gradient`.)
  const member = fn.form === 'top' || fn.form === 'callback' || fn.curried ? null : memberNameFor(text, fn, mode);
  const base = `${identifierBase(fnName)}${SUFFIX[mode]}`;
  // Inserting again replaces what Gradlens generated before under the names this insert uses (not the user's own).
  const conventionBase = convention === 'vjp' ? `${identifierBase(fnName)}Backward` : `${base}Into`;
  const previous = member ? [] : previousGenerated(text, convention === 'out' || convention === 'vjp' ? [base, conventionBase] : [base]);
  const blanked = blankedOut(text, previous);
  const name = freeName(base, topLevelNames(blanked));
  // (A member without a JSDoc of its own takes its tags from its table's: a block of its own would end that.)
  const inherits = fn.form !== 'top' && fn.jsDoc === null;
  const tagged = gradient && !fa?.check && !inherits && !hasJsDocTag(text, fn, 'gradient');
  // One function per partial (`@partial p d`): the missing ones, beside the plain gradient they read.
  const partials = gradient && !convention && !member ? partialsPlan(blanked, fn) : null;
  // Generated from the text with the tag's line(s) in place, so its `// adjoint of line N` comments
  // count the lines of the document as it will be (any tag adds as many lines; a member gets none).
  const tagLines = partials ? partials.tags : tagged && !member ? addJsDocTag(blanked, fn, '@gradient x') : null;
  const genText = tagLines ? blanked.slice(0, tagLines.start) + tagLines.newText + blanked.slice(tagLines.end) : blanked;
  const { generated, diagnostics } = generateDerivative(genText, fnName, mode, { name, style });
  if (!generated) {
    log(`Gradlens: no ${mode} code for ${fnName}: ${diagnostics.map((d) => d.message).join('; ')}`);
    return null;
  }
  const shaped = convention ? inConventionCode(genText, fn, generated, convention, freeName(conventionBase, topLevelNames(blanked)), style, log, fixedSizesOf(fa)) : null;
  if (convention && !shaped) log(`Gradlens: ${generated.name} is written as a plain gradient: the ${CONVENTION_WORDS[convention]} convention of this file does not fit ${fnName}'s parameters.`);
  const partialCode = partials ? partialsCode(fn, partials, generated, style) : null;
  if (partials && !partialCode) log(`Gradlens: no partials of ${fnName} are written: its gradient is not one number per @wrt parameter; the plain gradient is inserted.`);
  const code = partialCode ?? shaped?.code ?? generated.code;
  const gradName = shaped?.name ?? generated.name;
  const tag = shaped?.tag ?? `@gradient ${gradName}`;
  if (member) {
    const beside = besideEdit(text, fn, code, member.name, style, member.replace);
    if (beside) return [beside];
  }
  const edits: OffsetEdit[] = [];
  if (partials && partialCode) edits.push(partials.tags);
  else if (tagged) edits.push(addJsDocTag(text, fn, tag));
  if (previous.length > 0) {
    edits.push({ start: previous[0].start, end: previous[0].end, newText: code.trim() });
    for (const r of previous.slice(1)) edits.push({ start: text.slice(0, r.start).trimEnd().length, end: r.end, newText: '' });
    return edits;
  }
  edits.push(insertAfter(text, fn.form === 'top' ? fn : { ...fn, statementEnd: fn.topStatementEnd }, code));
  return edits;
}

/** Names a table's derivative member takes beside a member called like a function (`fn`, `f`, `value`). */
const FUNCTION_MEMBER = /^(fn|f|func|function|value|forward|activation)$/;

/**
 * The name of the generated member: `derivative` beside `fn`, else `<name>Grad` (`Jvp`, `Hessian`),
 * free among its siblings; a sibling of that name that Gradlens generated is replaced (`replace`).
 */
function memberNameFor(text: string, fn: LocatedFunction, mode: CodegenMode): { name: string; replace?: { start: number; end: number } } {
  const siblingFns = locateFunctions(text).filter((f) => f.container !== null && f.container === fn.container);
  const siblings = siblingFns.map((f) => f.shortName);
  const taken = new Set([...siblings, ...(fn.form === 'nested' ? topLevelNames(text) : [])]);
  const wanted = (mode === 'reverse' || mode === 'closed') && fn.memberOf === 'object' && FUNCTION_MEMBER.test(fn.shortName) ? 'derivative' : `${fn.shortName}${SUFFIX[mode]}`;
  const same = siblingFns.find((f) => f.shortName === wanted);
  if (same && same !== fn) {
    const replace = previousGenerated(text, [same.name], [same])[0];
    if (replace) return { name: wanted, replace };
  }
  if (wanted === 'derivative' && !taken.has('derivative')) return { name: wanted };
  return { name: freeName(`${fn.shortName}${SUFFIX[mode]}`, taken) };
}

/**
 * The generated function, when it is one function, as a member beside `fn` (or a function in its
 * factory, or an assignment beside it): its implicit parameters (the last ones) become locals
 * reading `this.k` or the captured variable, so its signature is the function's own.
 */
function besideEdit(text: string, fn: LocatedFunction, code: string, memberName: string, style: CodeStyle, replace?: { start: number; end: number }): OffsetEdit | null {
  const gens = locateFunctions(code);
  if (gens.length !== 1 || !gens[0].body) return null;
  const gen = gens[0];
  const k = fn.implicit.length;
  if (gen.params.length < k) return null;
  const explicit = gen.params.slice(0, gen.params.length - k);
  const prologue = gen.params.slice(gen.params.length - k)
    .map((p, i) => (p.name === fn.implicit[i] ? null : `${style.indent}const ${p.name} = ${fn.implicit[i]};`))
    .filter((l): l is string => l !== null);
  const sig = `(${explicit.map((p) => (p.typeText ? `${p.name}: ${p.typeText}` : p.name)).join(', ')})${gen.returnTypeText ? `: ${gen.returnTypeText}` : ''}`;
  const inner = code.slice(gen.body!.start + 1, gen.body!.end - 1).replace(/^\n/, '').replace(/\s+$/, '');
  const body = `{\n${[...prologue, inner].join('\n')}\n}`;
  const doc = gen.jsDoc ? `${code.slice(gen.jsDoc.start, gen.jsDoc.end)}\n` : '';
  const lineStart = text.lastIndexOf('\n', fn.statementStart - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const indented = (s: string) => s.split('\n').map((l, i) => (i === 0 || l.length === 0 ? l : indent + l)).join('\n');
  let member: string;
  let at = fn.statementEnd;
  if (fn.memberOf === 'object' || fn.memberOf === 'class') {
    member = `${doc}${fn.isStatic ? 'static ' : ''}${memberName}${sig} ${body}`;
    // The member Gradlens generated before, replaced where it is (its `,` stays).
    if (replace) return { start: replace.start, end: replace.end, newText: indented(member) };
    // After the member's `,` (or `;`); a last member of an object literal may lack its `,`.
    const next = /^[ \t]*([,;])?/.exec(text.slice(at))!;
    if (fn.memberOf === 'object' && next[1] !== ',') return { start: at, end: at, newText: `,\n${indent}${indented(member)},` };
    at += next[0].length;
    if (fn.memberOf === 'object') member += ',';
  } else if (fn.form === 'nested') {
    member = `${doc}function ${memberName}${sig} ${body}`;
    if (replace) return { start: replace.start, end: replace.end, newText: indented(member) };
    // Before the factory's `return function …`, where it is reachable and in scope.
    const before = fn.jsDoc?.start ?? fn.statementStart;
    if (fn.returned) return { start: before, end: before, newText: `${indented(member)}\n${indent}` };
  } else if (fn.form === 'assigned' || fn.form === 'member') {
    // `Foo.prototype.energy = function …;` gets `Foo.prototype.energyGrad = function …;`.
    const target = text.slice(fn.statementStart, fn.nameStart);
    if (!/^[\w$.]+\.$/.test(target)) return null;
    member = `${doc}${target}${memberName} = function ${sig} ${body};`;
    if (replace) return { start: replace.start, end: replace.end, newText: indented(text[replace.end - 1] === ';' ? member : member.slice(0, -1)) };
  } else {
    return null;
  }
  return { start: at, end: at, newText: `\n${indent}${indented(member)}` };
}

/** A gradient-check test after the hand-written gradient (or after a generated one it inserts). */
export function testEdits(text: string, fnName: string, fa: FunctionAnalysis | null, log: (m: string) => void, style: CodeStyle = DEFAULT_CODE_STYLE): OffsetEdit[] | null {
  const plan = testPlan(text, fnName, fa, log, style);
  if (!plan) return null;
  // The test is a template written with two-space steps and single quotes: given the file's (codeStyle.ts).
  const test = withCodeStyle(style, () => gradientCheckTest({
    testName: freeName(`${identifierBase(fnName)}GradientCheck`, plan.taken),
    fnName: plan.callee,
    gradName: plan.gradName,
    params: plan.fn.params,
    wrt: plan.wrt,
    point: plan.point,
  }));
  if (!test) return null;
  const after = plan.hand ?? plan.fn;
  plan.edits.push(insertAfter(text, after.form === 'top' ? after : { ...after, statementEnd: after.topStatementEnd }, plan.gradCode + reindented(test, style.indent)));
  return plan.edits;
}

/**
 * The gradient-check test as a test file of the project's runner (server/testFile.ts), importing
 * the function and its gradient: for a top-level function that is exported, with a hand-written
 * gradient that is exported too, or one generated beside it (then inserted by `edits`). Null when
 * the test cannot import them; the action then writes the test into the file (`testEdits`).
 */
export function testFileEdits(text: string, fnName: string, fa: FunctionAnalysis | null, log: (m: string) => void, style: CodeStyle, sourcePath: string): { edits: OffsetEdit[]; file: { path: string; text: string } } | null {
  const plan = testPlan(text, fnName, fa, log, style);
  if (!plan || plan.fn.form !== 'top' || !plan.fn.exported) return null;
  if (plan.hand && (plan.hand.form !== 'top' || !plan.hand.exported)) return null;
  const values = Object.values(plan.point);
  // points of numbers and arrays of numbers only: a record's point crosses as an array (its type would not match)
  if (values.some((v) => !(typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'number'))))) return null;
  if (plan.fn.params.some((p) => p.typeText !== null && !/^(number|number\[\]|readonly number\[\]|Float64Array|\[[\w\s:,]*\])$/.test(p.typeText.trim()))) return null;
  const setup = detectTestSetup(readProjectFacts(sourcePath), sourcePath);
  const rendered = renderTestFile(setup, { fnName: plan.callee, gradName: plan.gradName, params: plan.fn.params, wrt: plan.wrt, point: plan.point, sourceFile: sourcePath }, fs.existsSync);
  if (!rendered) return null;
  if (plan.gradCode) plan.edits.push(insertAfter(text, plan.fn, plan.gradCode));
  return { edits: plan.edits, file: { path: rendered.file, text: rendered.text } };
}

/** What a gradient-check test of `fnName` calls, and the edits that give it a gradient to call. */
interface TestPlan {
  edits: OffsetEdit[];
  fn: LocatedFunction;
  hand: LocatedFunction | null;
  /** How code at the top level calls the function, and its gradient. */
  callee: string;
  gradName: string;
  /** A generated gradient to insert (empty when the function has a hand-written one). */
  gradCode: string;
  wrt: string[];
  point: FunctionAnalysis['points'][number];
  taken: Set<string>;
}

function testPlan(text: string, fnName: string, fa: FunctionAnalysis | null, log: (m: string) => void, style: CodeStyle): TestPlan | null {
  const fns = functionsOf(text);
  const fn = fns.get(fnName);
  if (!fn || !fa || fa.points.length === 0) return null;
  // The test is a top-level function: it calls the function and its gradient from there.
  if (fn.callee === null || fn.implicit.length > 0) {
    log(`Gradlens: no gradient-check test for ${fnName}: a ${fn.form === 'nested' ? 'closure' : 'method'} that code at the top level of the file cannot call on its own.`);
    return null;
  }
  const taken = topLevelNames(text);
  const wrt = fa.wrt.length > 0 ? fa.wrt : fa.params;
  const handName = fa.check?.name;
  const hand = handName ? fns.get(handName) ?? null : null;
  const edits: OffsetEdit[] = [];
  let gradName: string;
  let gradCode = '';
  if (hand && handName) {
    if (hand.callee === null) {
      log(`Gradlens: no gradient-check test for ${fnName}: its gradient ${handName} is a method or closure that code at the top level of the file cannot call.`);
      return null;
    }
    gradName = hand.callee;
  } else {
    gradName = freeName(`${identifierBase(fnName)}Grad`, taken);
    taken.add(gradName);
    const { generated, diagnostics } = generateDerivative(text, fnName, 'reverse', { name: gradName, style });
    if (!generated) {
      log(`Gradlens: no gradient for ${fnName}: ${diagnostics.map((d) => d.message).join('; ')}`);
      return null;
    }
    gradName = generated.name;
    gradCode = generated.code.trim() + '\n\n';
    if (!(fn.form !== 'top' && fn.jsDoc === null) && !hasJsDocTag(text, fn, 'gradient')) edits.push(addJsDocTag(text, fn, `@gradient ${gradName}`));
  }
  return { edits, fn, hand, callee: fn.callee, gradName, gradCode, wrt, point: fa.points[0], taken };
}

/** Code written with two-space steps, each step of its leading indentation as `unit`. */
function reindented(code: string, unit: string): string {
  return unit === '  ' ? code : code.replace(/^((?: {2})+)(?=\S)/gm, (lead: string) => unit.repeat(lead.length / 2));
}

/**
 * Replaces just the wrong components where it can (see engine/fixGradient.ts); otherwise
 * regenerates the hand-written gradient under the user's name. When the generated function has the
 * user's parameters and return shape, only the body is replaced (the signature, its types and its
 * JSDoc stay as written); otherwise the whole function is, keeping `export` and the JSDoc. An
 * out-array or fused gradient is regenerated in its convention (conventionCode.ts).
 */
export function fixEdits(text: string, fnName: string, fa: FunctionAnalysis | null, log: (m: string) => void, style: CodeStyle = DEFAULT_CODE_STYLE): OffsetEdit[] | null {
  // Smallest fix first: just the wrong components' expressions, in closed form.
  const wrong = fa?.checks && fa.checks.length > 0 ? fa.checks.some((c) => c.status === 'wrong') : fa?.check?.status === 'wrong';
  const parts = wrong ? componentFixes(text, fnName) : null;
  if (parts) return parts;
  // The first wrong derivative (of several partials, the one to fix; fixing again fixes the next).
  const check = fa?.check && fa.check.status !== 'ok' ? fa.check : fa?.checks?.find((c) => c.status !== 'ok' && !isPlainCheck(c)) ?? fa?.check;
  // A hand-written derivative in another convention is regenerated whole in that convention
  // where Gradlens can write it (out array, fused, vector-Jacobian product, scaled partial:
  // conventionCode.ts; a flag's derivative branch); the others (Hessian…) are fixed component by component only.
  if (check && !isPlainCheck(check)) {
    // (conventionFixEdits regenerates only top-level functions without implicit inputs: a closed form fits them.)
    const whole = check.status !== 'ok' ? conventionFixEdits(text, fnName, check, fa?.closedFormAvailable ? 'closed' : 'reverse', style, log, fixedSizesOf(fa)) : null;
    if (whole) return whole;
    log(`Gradlens: no component of ${check.name} (${check.description ?? 'hand-written derivative'}) could be fixed in place, nor regenerated whole in its convention; it is left as written.`);
    return null;
  }
  const fns = functionsOf(text);
  const handName = check?.name ?? [`${fnName}Grad`, `${fnName}_grad`, `grad${fnName[0]?.toUpperCase()}${fnName.slice(1)}`]
    .find((n) => fns.has(n));
  if (!handName) return null;
  const hand = fns.get(handName);
  if (!hand) return null;
  const fn = fns.get(fnName);
  const implicit = fn?.implicit ?? [];
  const mode: CodegenMode = fa?.closedFormAvailable && implicit.length === 0 ? 'closed' : 'reverse';
  // A member, method or closure keeps its place and signature: only its body is regenerated.
  const genName = hand.form === 'top' ? handName : freeName(`${identifierBase(handName)}`, topLevelNames(text));
  const generated = regenerated(text, fnName, mode, genName, style, handName, log);
  if (!generated) return null;
  const genFns = locateFunctions(generated.code);
  const gen = genFns.find((f) => f.name === generated.name) ?? null;
  if (hand.form !== 'top') {
    // The generated function takes the implicit inputs last; in place they are `this.k` or the captured variable.
    const k = implicit.length;
    if (!gen || genFns.length !== 1 || !hand.body || !gen.body || check?.status === 'shape' || gen.params.length !== hand.params.length + k) return null;
    if (!hand.params.every((p, i) => p.name === gen.params[i].name)) return null;
    const prologue = gen.params.slice(hand.params.length).map((p, i) => (p.name === implicit[i] ? '' : `\n${style.indent}const ${p.name} = ${implicit[i]};`)).join('');
    const body = generated.code.slice(gen.body.start, gen.body.end);
    return [{ start: hand.body.start, end: hand.body.end, newText: `{${prologue}${body.slice(1)}` }];
  }
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
