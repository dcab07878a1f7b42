// Everything the editor shows about one annotated function: its check points, value and gradient
// (or Jacobian) at the first one, the closed form where readable, the partials of its locals, and
// the check of its hand-written gradient. Returns plain data; evaluation errors become diagnostics.

import { AnalysisOptions, EngineDiagnostic, FunctionAnalysis, LocalPartials } from './api';
import { BudgetExceeded, BudgetPhase, inPhase, meter } from './budget';
import { randomPoints, validatePoint } from './checkPoints';
import { Differentiator } from './differentiate';
import { EvalError, Value } from './evaluate';
import { Dual } from './forwardMode';
import { formatPoint } from './format';
import { checkGradient } from './gradientCheck';
import { IrFunction, Point, Range } from './ir';
import type { KinkEvent } from './api';
import { forEachExpr } from './irWalk';
import type { Program, SourceFunction } from './program';
import { closedFormFor } from './closedFormBridge';

/** The hand-written gradient of `sf`: named by `@gradient`, or paired by name. */
export function findHandGradient(program: Program, sf: SourceFunction): { name: string; pairedBy: 'tag' | 'name' } | null {
  const ann = sf.annotations;
  if (ann.derivative && !ann.differentiable) return { name: ann.derivative, pairedBy: 'tag' };
  if (ann.gradient) return { name: ann.gradient, pairedBy: 'tag' };
  const cap = sf.name[0].toUpperCase() + sf.name.slice(1);
  for (const n of [`${sf.name}Grad`, `${sf.name}_grad`, `grad${cap}`]) {
    if (program.functions.has(n)) return { name: n, pairedBy: 'name' };
  }
  return null;
}

/** Parameters differentiated: `@wrt`, else every number or one-level array parameter. */
export function wrtOf(fn: IrFunction): string[] {
  return fn.annotations.wrt ?? fn.params.filter((p) => p.depth <= 1).map((p) => p.name);
}

/**
 * The analysis of one annotated function, within the current meter's budgets: when one runs out,
 * the results already computed are kept and one GL007 names the phase that ran out.
 */
export function analyzeFunction(program: Program, sf: SourceFunction, options: AnalysisOptions): FunctionAnalysis {
  const lowered = inPhase('lowering', () => program.lower(sf.name)!);
  const fn = lowered.fn;
  const analysis: FunctionAnalysis = {
    name: sf.name, range: sf.range, nameRange: fn.nameRange,
    params: fn.params.map((p) => p.name), wrt: [], vectorValued: fn.returnType === 'arr',
    points: [], value: null, gradient: null, jacobian: null, closedForm: null, check: null,
    locals: [], diagnostics: [...sf.annotationDiagnostics, ...lowered.diagnostics], closedFormAvailable: false,
  };
  try {
    analyzeInto(analysis, program, sf, fn, options);
  } catch (e) {
    if (!(e instanceof BudgetExceeded)) throw e;
    analysis.diagnostics.push(budgetDiagnostic(analysis, sf.name, fn.nameRange, e));
  }
  return analysis;
}

const PHASE_DOING: Record<BudgetPhase, string> = {
  'lowering': 'reading the function',
  'evaluation': 'evaluating the function',
  'memory': 'evaluating the function',
  'check points': 'looking for check points',
  'gradient check': 'checking the hand-written gradient',
  'finite differences': 'computing the finite-difference witness',
  'symbolic simplification': 'simplifying the closed form',
  'symbolic printing': 'printing the closed form',
  'code generation': 'generating code',
  'local partials': 'computing the partials of the locals',
};

/** GL007 for a budget that ran out, saying what was kept. */
export function budgetDiagnostic(analysis: FunctionAnalysis, name: string, range: Range, e: BudgetExceeded): EngineDiagnostic {
  const kept = analysis.gradient || analysis.jacobian ? ' The value and gradient shown were computed before it stopped.' : '';
  return {
    code: 'GL007', severity: 'warning', range, functionName: name,
    message: `Gradlens stopped analysing '${name}' while ${PHASE_DOING[e.phase]}: the ${e.phase} budget ran out (${e.resource}).${kept}`,
  };
}

function analyzeInto(analysis: FunctionAnalysis, program: Program, sf: SourceFunction, fn: IrFunction, options: AnalysisOptions): void {
  const limits = meter().limits;
  const diagnostics = analysis.diagnostics;
  const ann = sf.annotations;
  const tagRange = (tag: string): Range => ann.tagRanges.find((t) => t.tag === tag)?.range ?? fn.nameRange;
  const gl005 = (range: Range, message: string) => diagnostics.push({ code: 'GL005', severity: 'error', range, message, functionName: sf.name });

  // Helpers called (transitively) that are outside the subset: their warnings sit in the helper.
  for (const h of inPhase('lowering', () => helpersOf(program, fn))) {
    const l = inPhase('lowering', () => program.lower(h));
    if (l && !l.fn.ok) diagnostics.push(...l.diagnostics);
  }

  // @wrt
  const wrt = wrtOf(fn);
  if (ann.wrt) {
    for (const w of ann.wrt) {
      const p = fn.params.find((q) => q.name === w);
      if (!p) gl005(tagRange('wrt'), `@wrt names '${w}', which is not a parameter of '${sf.name}' (parameters: ${fn.params.map((q) => q.name).join(', ') || 'none'}).`);
    }
  }
  analysis.wrt = wrt.filter((w) => fn.params.some((p) => p.name === w));

  // The hand-written gradient (or @derivative rule).
  const handRef = findHandGradient(program, sf);
  let hand: IrFunction | null = null;
  if (handRef) {
    const l = inPhase('lowering', () => program.lower(handRef.name));
    if (!l) {
      const range = (ann.derivative && !ann.differentiable ? ann.derivativeRange : ann.gradientRange) ?? fn.nameRange;
      gl005(range, `'${handRef.name}' is not a function of this file; @${ann.derivative && !ann.differentiable ? 'derivative' : 'gradient'} names the hand-written gradient to check.`);
    } else if (!l.fn.ok) {
      diagnostics.push(...l.diagnostics);
    } else if (!program.functions.get(handRef.name)!.hasSyntaxError) {
      hand = l.fn;
    }
  }

  // Nothing to evaluate: outside the subset, or an @wrt that names no parameter (GL005 above).
  if (!fn.ok || (ann.wrt && analysis.wrt.length === 0 && fn.params.length > 0)) return;

  // Check points, at most the point budget's worth (each costs every mode's runs).
  const points: Point[] = [];
  ann.at.forEach((p, i) => {
    const err = validatePoint(fn, p);
    const size = Object.values(p).reduce<number>((n, v) => n + (Array.isArray(v) ? v.length : 1), 0);
    if (err) gl005(ann.atRanges[i], `@at: ${err}.`);
    else if (size > limits.pointElements) {
      diagnostics.push({ code: 'GL007', severity: 'warning', range: ann.atRanges[i], functionName: sf.name,
        message: `This @at point has ${size.toLocaleString('en-US')} numbers, over the check-point budget (${limits.pointElements.toLocaleString('en-US')}); it is not checked.` });
    } else if (points.length < limits.points) points.push(p);
  });
  if (ann.at.length > limits.points) {
    diagnostics.push({ code: 'GL007', severity: 'information', range: ann.atRanges[limits.points], functionName: sf.name,
      message: `'${sf.name}' has ${ann.at.length} @at points; the first ${limits.points} are checked (the check-point budget).` });
  }
  const atPoints = points.length;
  if (points.length === 0 && ann.at.length === 0) {
    try {
      points.push(...inPhase('check points', () => randomPoints(program, fn, Math.max(1, options.randomPoints), options.seed, options.stepBudget)));
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
    }
  }
  analysis.points = points;
  if (points.length === 0) {
    if (ann.at.length === 0) {
      // Evaluate once at a plain point to surface the real problem (budget, bad index).
      const probe: Point = {};
      for (const p of fn.params) probe[p.name] = p.type === 'num' ? 0.5 : new Array(p.tupleLength ?? 4).fill(0.5);
      try {
        new Differentiator(program, fn, analysis.wrt, probe, options.stepBudget).value();
        diagnostics.push({ code: 'GL003', severity: 'warning', range: fn.nameRange, functionName: sf.name, message: `No point was found where '${sf.name}' is finite; give one with @at.` });
      } catch (e) {
        if (!(e instanceof EvalError)) throw e;
        diagnostics.push({ code: e.code, severity: 'warning', range: e.range, functionName: sf.name, message: e.message });
      }
    }
    return;
  }

  // Value and derivative at every point: non-finite values (GL003), kinks (GL004), budget (GL007).
  // The tapes are dropped once their Jacobians are read: only the results are kept per point.
  const reverse: { value: unknown; jacobian: number[][]; kinks: KinkEvent[] }[] = [];
  for (let i = 0; i < points.length; i++) {
    const point = points[i];
    const d = new Differentiator(program, fn, analysis.wrt, point, options.stepBudget);
    try {
      const rev = inPhase('evaluation', () => d.reverse());
      reverse.push({ value: rev.value, jacobian: rev.jacobian, kinks: rev.kinks });
      if (i === 0) {
        analysis.value = rev.value as number | number[];
        if (analysis.vectorValued) analysis.jacobian = rev.jacobian;
        else analysis.gradient = d.toGradient(rev.jacobian[0] ?? []);
      }
      const vals = Array.isArray(rev.value) ? rev.value : [rev.value as number];
      const isAt = i < atPoints;
      if (!vals.every(Number.isFinite)) {
        diagnostics.push({ code: 'GL003', severity: 'warning', range: isAt ? ann.atRanges[i] : fn.nameRange, functionName: sf.name, message: `'${sf.name}' is not finite at ${formatPoint(point)} (value ${vals.map(String).join(', ')}).` });
      } else if (!rev.jacobian.flat().every(Number.isFinite)) {
        const bad = d.components.filter((_, k) => rev.jacobian.some((row) => !Number.isFinite(row[k]))).map((c) => c.label);
        diagnostics.push({ code: 'GL003', severity: 'warning', range: isAt ? ann.atRanges[i] : fn.nameRange, functionName: sf.name, message: `The derivative of '${sf.name}' is not finite at ${formatPoint(point)} (with respect to ${bad.join(', ')}).` });
      }
      if (isAt && rev.kinks.length > 0) {
        const seen = new Set<string>();
        for (const k of rev.kinks) {
          const key = `${k.range.start}:${k.description}`;
          if (seen.has(key)) continue;
          seen.add(key);
          diagnostics.push({ code: 'GL004', severity: 'hint', range: k.range, functionName: sf.name, message: `The check point ${formatPoint(point)} sits on a non-differentiable point: ${k.description}. Gradlens uses the minimum-norm subgradient there (PyTorch's rule); finite differences cannot confirm it.` });
        }
      }
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
      diagnostics.push({ code: e.code, severity: 'warning', range: e.range, functionName: sf.name, message: `${e.message} (at ${formatPoint(point)})` });
      return;
    }
  }

  if (hand) {
    const { check, diagnostics: cd } = inPhase('gradient check', () => checkGradient({
      program, fn, wrt: analysis.wrt, hand, pairedBy: handRef!.pairedBy, points, reverse,
      options: { rtol: options.rtol, atol: options.atol, budget: options.stepBudget },
    }));
    analysis.check = check;
    diagnostics.push(...cd);
  }

  analysis.locals = inPhase('local partials', () => localPartials(program, fn, analysis.wrt, points[0], options.stepBudget));
  const closed = closedFormFor(program, fn);
  analysis.closedForm = closed.unicode;
  analysis.closedFormAvailable = closed.available;
  if (closed.exhausted) diagnostics.push(budgetDiagnostic(analysis, sf.name, fn.nameRange, closed.exhausted));
}

/** Partials of every scalar local with respect to the inputs, by forward-mode sweeps. */
function localPartials(program: Program, fn: IrFunction, wrt: string[], point: Point, budget: number): LocalPartials[] {
  const d = new Differentiator(program, fn, wrt, point, budget);
  const n = d.components.length;
  if (n > 32) return [];
  const columns = new Map<number, number[]>();
  const values = new Map<number, Value<number>>();
  // One forward sweep per input component; each sweep records the last value of every variable.
  const sweeps: Map<number, Value<Dual>>[] = [];
  try {
    d.forward((k) => {
      const seen = new Map<number, Value<Dual>>();
      sweeps[k] = seen;
      return { onAssign: (v, x) => { seen.set(v, x); } };
    });
  } catch (e) {
    if (e instanceof EvalError) return [];
    throw e;
  }
  sweeps.forEach((seen, k) => {
    for (const [v, x] of seen) {
      if (Array.isArray(x) || typeof x === 'boolean') continue;
      const col = columns.get(v) ?? new Array(n).fill(0);
      col[k] = (x as Dual).d;
      columns.set(v, col);
      values.set(v, (x as Dual).v);
    }
  });
  const uses = useRanges(fn);
  const out: LocalPartials[] = [];
  for (const [v, col] of columns) {
    const decl = fn.vars[v];
    if (decl.kind === 'param' || decl.name.startsWith('$')) continue;
    out.push({ name: decl.name, ranges: [decl.range, ...(uses.get(v) ?? [])], value: values.get(v) as number, partials: d.toGradient(col) });
  }
  return out;
}

/** Every range where each variable is read. */
function useRanges(fn: IrFunction): Map<number, Range[]> {
  const uses = new Map<number, Range[]>();
  forEachExpr(fn.body, (e) => {
    if (e.k !== 'var') return;
    const l = uses.get(e.id) ?? [];
    l.push(e.range);
    uses.set(e.id, l);
  });
  return uses;
}

/** Names of the helpers `fn` calls, directly or through other helpers. */
export function helpersOf(program: Program, fn: IrFunction): string[] {
  const seen = new Set<string>();
  const visit = (f: IrFunction) => {
    for (const c of f.calls) {
      if (seen.has(c)) continue;
      seen.add(c);
      const l = program.lower(c);
      if (l) {
        visit(l.fn);
        if (l.fn.annotations.derivative) seen.add(l.fn.annotations.derivative);
      }
    }
  };
  visit(fn);
  seen.delete(fn.name);
  return [...seen];
}
