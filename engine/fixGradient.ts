// "Fix hand-written gradient" at the smallest scope that works: each wrong component's own
// expression (an element of the returned tuple or array literal, a value of the returned object,
// the returned expression of a one-parameter gradient, the value stored into `out[k]`) is replaced
// by the closed-form partial derivative, written in the convention of the hand-written function:
// `g * (∂f/∂x)` in a vector-Jacobian product, `0.01 * (∂f/∂sigma)` in a partial scaled by 0.01,
// the function's value for the value a fused function returns. Where that is not possible (a
// component computed in a loop, no closed form, renamed parameters), a plain gradient makes it
// return null and the caller regenerates the whole function; other conventions keep the edits
// that are possible, and when none is the caller regenerates out-array and fused
// gradients whole in their convention (server/conventionCode.ts), the others not at all.

import { AnalysisOptions, DEFAULT_OPTIONS, GradientCheck, Range } from './api';
import { analyzeFile } from './analyzeFile';
import { checkProgram } from './analyzeFunction';
import { budgeted } from './budget';
import type { HandSpec } from './check/conventions';
import { SHADOW_SUFFIX } from './check/shadow';
import { IrFunction, Point, Stmt } from './ir';
import { forEachExpr } from './irWalk';
import { parseProgram } from './program';
import { symbolicGradient, type SymbolicGradient } from './symbolic/differentiate';
import { PrintedSizes, toCodeInline } from './symbolic/print';

/** A component's fix is pasted inline: longer than this, it is no fix a person can read. */
const MAX_INLINE_FIX = 400;

export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export function componentFixes(text: string, fnName: string, options?: Partial<AnalysisOptions>): TextEdit[] | null {
  try {
    return budgeted({ ...DEFAULT_OPTIONS, ...options }.timeBudgetMs, () => fixes(text, fnName, options));
  } catch {
    return null;
  }
}

/** A plain gradient (or `@derivative` rule): the shape Gradlens can regenerate whole. */
export function isPlainCheck(c: GradientCheck): boolean {
  return (c.kind === undefined || c.kind === 'gradient' || c.kind === 'rule') && (c.convention === undefined || c.convention === 'plain');
}

function fixes(text: string, fnName: string, options?: Partial<AnalysisOptions>): TextEdit[] | null {
  const fa = analyzeFile(text, options).functions.find((f) => f.name === fnName);
  const checks = (fa?.checks && fa.checks.length > 0 ? fa.checks : fa?.check ? [fa.check] : []).filter((c) => c.status === 'wrong');
  if (!fa || checks.length === 0) return null;
  const original = parseProgram(text);
  const sf = original.functions.get(fnName);
  if (!sf) return null;
  const { shadow, specs } = checkProgram(original, sf);
  const program = shadow.program;
  const fn = program.lower(fnName)?.fn;
  if (!fn) return null;
  const edits = new Map<string, TextEdit>();
  const key = (r: Range) => `${r.start}:${r.end}`;
  let symbolic: SymbolicGradient | null | undefined;
  const gradient = (): SymbolicGradient | null => {
    if (symbolic !== undefined) return symbolic;
    // Array lengths from the check point, for a convention's fix only (a plain gradient over arrays
    // is regenerated whole, as it always was).
    const lengths = checks.some((c) => !isPlainCheck(c)) && fixedShape(fn) ? arrayLengths(fa.points[0]) : undefined;
    const sym = symbolicGradient(program, fnName, { wrt: fa.wrt, lengths });
    symbolic = sym.ok ? sym.gradient : null;
    return symbolic;
  };

  for (const check of checks) {
    const spec = specs.find((s) => s.name === check.name && (s.kind === check.kind || (s.kind === 'gradient' && check.kind === undefined)) && (check.param === undefined || s.param === check.param));
    const plain = isPlainCheck(check);
    const hand = spec?.self ? fn : program.lower(check.name)?.fn;
    const ok = spec && hand ? fixCheck(text, fn, hand, spec, check, gradient, edits, key) : false;
    // A plain gradient that cannot be fixed component by component is regenerated whole by the caller.
    if (!ok && plain) return null;
  }
  return edits.size > 0 ? [...edits.values()] : null;
}

/** The edits of one wrong check into `edits`; false when some wrong component has none. */
function fixCheck(
  text: string, fn: IrFunction, hand: IrFunction, spec: HandSpec, check: GradientCheck,
  gradient: () => SymbolicGradient | null, edits: Map<string, TextEdit>, key: (r: Range) => string,
): boolean {
  // Which hand-written parameters take the function's arguments: the replacement is written in
  // the function's parameter names, so they must be the same names.
  const names = hand.params.map((p) => (p.name.endsWith(SHADOW_SUFFIX) ? p.name.slice(0, -SHADOW_SUFFIX.length) : p.name));
  const inputs = spec.self ? fn.params.map((p) => p.name)
    : spec.kind === 'gradient' && spec.extra !== undefined ? names.filter((_, i) => i !== spec.extra) : names;
  const fnNames = fn.params.map((p) => p.name).filter((_, i) => !(spec.self && i === spec.extra));
  const shareNames = spec.convention === 'output'
    ? fnNames.every((n) => inputs.includes(n))
    : inputs.filter((_, i) => !(spec.self && i === spec.extra)).length === fnNames.length && fnNames.every((n, i) => inputs.filter((_, j) => !(spec.self && j === spec.extra))[i] === n);
  if (!shareNames) return false;
  if (spec.kind === 'hessian' || spec.kind === 'hvp' || spec.kind === 'jvp') return false;
  if (spec.convention === 'vjp' && fn.returnType !== 'num') return false;
  const g = gradient();
  if (!g) return false;

  // Which components share a source range: a range computing several components (a loop) cannot
  // take one closed-form expression.
  const owners = new Map<string, Set<string>>();
  for (const p of check.points) for (const c of p.components) {
    if (!c.range) continue;
    const s = owners.get(key(c.range)) ?? new Set<string>();
    s.add(c.label);
    owners.set(key(c.range), s);
  }
  const sizes = new PrintedSizes(g.graph);
  let all = true;
  for (const p of check.points) for (const c of p.components) {
    if (c.verdict !== 'wrong') continue;
    if (!c.range || owners.get(key(c.range))!.size !== 1) { all = false; continue; }
    // The value of `out[k] = …` only: `out[k] += …` accumulates, and a closed form would not fit.
    if ((spec.convention === 'out' || spec.convention === 'fused') && c.label !== 'value' && !plainStoreBefore(text, c.range.start)) { all = false; continue; }
    let id;
    if (c.label === 'value') {
      id = g.output;
    } else {
      const partial = g.partials.find((q) => q.param === c.param);
      if (!partial) { all = false; continue; }
      id = Array.isArray(partial.value) ? (c.index === null ? undefined : partial.value[c.index]) : partial.value;
    }
    if (id === undefined) { all = false; continue; }
    // A swelling partial (unrolled iterations): the caller regenerates the whole function instead.
    if (sizes.of(id) > MAX_INLINE_FIX) { all = false; continue; }
    const code = toCodeInline(g.graph, id);
    edits.set(key(c.range), { start: c.range.start, end: c.range.end, newText: inConvention(code, spec, names, c.label === 'value') });
  }
  return all;
}

/** The closed-form partial as the convention writes it. */
function inConvention(code: string, spec: HandSpec, names: string[], value: boolean): string {
  if (value) return code;
  const wrapped = /^[\w$.]+(\[\d+\])?$/.test(code) ? code : `(${code})`;
  if (spec.kind === 'partial' && spec.scale !== undefined && spec.scale !== 1) {
    return spec.scale === -1 ? `-${wrapped}` : `${spec.scaleText} * ${wrapped}`;
  }
  if (spec.convention === 'vjp' && spec.extra !== undefined) return `${names[spec.extra]} * ${wrapped}`;
  return code;
}

/** Whether the expression at `start` is the right side of a plain `name[…] =` (not `+=`). */
function plainStoreBefore(text: string, start: number): boolean {
  const before = text.slice(Math.max(0, start - 200), start);
  return /\]\s*=\s*$/.test(before);
}

/** No loop, `.length` or array built from a length: a closed form over the check point's array lengths holds for every length it can have. */
function fixedShape(fn: IrFunction): boolean {
  let fixed = true;
  const visit = (stmts: Stmt[]) => {
    for (const s of stmts) {
      if (s.k === 'loop') fixed = false;
      if (s.k === 'if') { visit(s.then); visit(s.else); }
    }
  };
  visit(fn.body);
  forEachExpr(fn.body, (e) => { if (e.k === 'length' || e.k === 'arrayFrom' || e.k === 'arrayFill') fixed = false; });
  return fixed;
}

function arrayLengths(point: Point | undefined): Record<string, number> | undefined {
  if (!point) return undefined;
  const out: Record<string, number> = {};
  // (A written parameter is renamed in the shadow.)
  for (const [k, v] of Object.entries(point)) if (Array.isArray(v)) out[k] = out[k + SHADOW_SUFFIX] = v.length;
  return out;
}
