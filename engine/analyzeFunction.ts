// Everything the editor shows about one annotated function: its check points, value and gradient
// (or Jacobian) at the first one, the closed form where readable, the partials of its locals, and
// the check of its hand-written gradient. Returns plain data; evaluation errors become diagnostics.

import { AnalysisOptions, DiagnosticFix, EngineDiagnostic, FunctionAnalysis, GradientCheck, LocalPartials } from './api';
import { handSpecs, pairedByName, selfConvention, shadowNeeds, type HandSpec, type SelfConvention } from './check/conventions';
import { Shadow, SHADOW_SUFFIX, shadowEdits, type TextEdit } from './check/shadow';
import { attachOrderFix, attachShapeFixes } from './check/shapeFixes';
import { attachCallFixes } from './callFixes';
import { BudgetExceeded, BudgetPhase, inPhase, meter } from './budget';
import { randomPoints, validatePoint } from './checkPoints';
import { Differentiator } from './differentiate';
import { EvalError, Value } from './evaluate';
import { Dual } from './forwardMode';
import { closestName, formatPoint } from './format';
import { checkGradient } from './gradientCheck';
import { LiveCode } from './compiled/live';
import { IrFunction, Point, Range, Stmt } from './ir';
import { annotationDiagnosticsOf, annotationsOf } from './sourceFunction';
import type { KinkEvent } from './api';
import { forEachExpr } from './irWalk';
import { someStmt } from './codegen/stmtWalk';
import type { Program, SourceFunction } from './program';
import { closedFormFor } from './closedFormBridge';
import { wrtOf } from './wrt';

/** The hand-written gradient of `sf` (the first, when there are several): named by a tag, or paired by name. */
export function findHandGradient(program: Program, sf: SourceFunction): { name: string; pairedBy: 'tag' | 'name' } | null {
  const ann = sf.tags;
  if (ann.derivative && !ann.differentiable) return { name: ann.derivative, pairedBy: 'tag' };
  if (ann.gradient) return { name: ann.gradient, pairedBy: 'tag' };
  const paired = pairedByName(program, sf);
  return paired ? { name: paired, pairedBy: 'name' } : null;
}

/**
 * Every function the check of `sf` runs: each hand-written derivative its tags name (several
 * `@gradient`, `@partial`, `@hessian`, `@jvp`), or the one paired by name. A cache key of `sf`'s
 * analysis involves them all.
 */
export function handFunctionNames(program: Program, sf: SourceFunction): string[] {
  return [...new Set(handSpecs(program, sf, selfConvention(program, sf)).map((s) => s.name))].filter((n) => program.functions.has(n));
}

// (engine/wrt.ts: the code generators read it there)
export { wrtOf } from './wrt';

/**
 * The analysis of one annotated function, within the current meter's budgets: when one runs out,
 * the results already computed are kept and one GL007 names the phase that ran out.
 */
export function analyzeFunction(original: Program, originalSf: SourceFunction, options: AnalysisOptions): FunctionAnalysis {
  const { shadow, self, specs } = checkProgram(original, originalSf);
  const program = shadow.program;
  const sf = program.functions.get(originalSf.name) ?? originalSf;
  // The tags' ranges, in the shadow's text (mapped back with everything else).
  const shadowSpecs = structuredClone(specs);
  shadow.mapRanges(shadowSpecs, 'toShadow');
  const analysis = analyzeIn(program, sf, options, self, shadowSpecs);
  shadow.mapRanges(analysis);
  if (self) {
    // The points show the parameter under its own name.
    const renamed = self.param + SHADOW_SUFFIX;
    for (const p of analysis.points) {
      if (!(renamed in p)) continue;
      p[self.param] = p[renamed];
      delete p[renamed];
    }
  }
  return analysis;
}

/**
 * The program the checks of `originalSf` run in, and its hand-written derivatives. Those that
 * write into a parameter array or take a boolean flag (and a function that is its own derivative)
 * are lowered from the shadow of the file (engine/check/shadow.ts), whose ranges map back.
 */
export function checkProgram(original: Program, originalSf: SourceFunction): { shadow: Shadow; self: SelfConvention | null; specs: HandSpec[] } {
  const self = selfConvention(original, originalSf);
  const specs = handSpecs(original, originalSf, self);
  const edits: TextEdit[] = [];
  const edited = new Set<string>();
  if (self) {
    edits.push(...shadowEdits(originalSf, original, self.convention === 'fused' ? { written: self.index } : { flag: self.index }));
    edited.add(originalSf.name);
  }
  for (const spec of specs) {
    const needs = shadowNeeds(spec);
    const h = original.functions.get(spec.name);
    if (!needs || !h || edited.has(spec.name)) continue;
    edited.add(spec.name);
    edits.push(...shadowEdits(h, original, needs));
  }
  return { shadow: Shadow.of(original, edits), self, specs };
}

function analyzeIn(program: Program, sf: SourceFunction, options: AnalysisOptions, self: SelfConvention | null, specs: HandSpec[]): FunctionAnalysis {
  const lowered = inPhase('lowering', () => program.lower(sf.name)!);
  const fn = lowered.fn;
  const analysis: FunctionAnalysis = {
    name: sf.name, range: sf.range, nameRange: fn.nameRange,
    params: fn.params.map((p) => p.name), wrt: [], vectorValued: fn.returnType === 'arr',
    points: [], value: null, gradient: null, jacobian: null, closedForm: null, check: null,
    locals: [], diagnostics: [...annotationDiagnosticsOf(sf), ...lowered.diagnostics], closedFormAvailable: false,
  };
  try {
    analyzeInto(analysis, program, sf, fn, options, self, specs);
  } catch (e) {
    if (!(e instanceof BudgetExceeded)) throw e;
    analysis.diagnostics.push(budgetDiagnostic(analysis, sf.name, fn.nameRange, e));
  }
  // A call whose value Gradlens cannot compute (another file's function, a helper outside the
  // subset): its fix, passing the value in, is found on the syntax tree (callFixes.ts).
  try {
    attachCallFixes(analysis.diagnostics, program, sf, fn, specs);
  } catch {
    // A fix is an extra: a fault in finding one costs the fix, never the function's analysis.
  }
  return analysis;
}

/** Quick fixes are extras: a fault in finding one costs the fix (a budget that ran out still stops the analysis). */
function optionalFixes(find: () => void): void {
  try {
    find();
  } catch (e) {
    if (e instanceof BudgetExceeded) throw e;
  }
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
/** One interpreted evaluation of at most this many steps tells a cheap function from an expensive one. */
const PROBE_STEPS = 4_000;
/** Interpreted work (steps × components × points) above which compiling (a few ms a function) pays. */
const COMPILE_WORK = 50_000;
/** Numbers in a check point above which a function with a loop is compiled without the probe. */
const COMPILE_POINT_NUMBERS = 2_000;

function numbersIn(point: Point): number {
  let n = 0;
  const count = (v: unknown): void => {
    if (Array.isArray(v)) { if (v.length > 0 && !Array.isArray(v[0])) n += v.length; else v.forEach(count); } else n++;
  };
  for (const v of Object.values(point)) count(v);
  return n;
}

/**
 * Whether the analysis should run compiled code (engine/compiled/live.ts): generating and compiling
 * a function's code costs a few milliseconds, more than interpreting a small function everywhere
 * the analysis needs it, so one short interpreted run at the first point measures its cost first.
 */
function worthCompiling(program: Program, fn: IrFunction, wrt: string[], points: Point[]): boolean {
  if (points.length === 0) return false;
  // A loop over a point of many numbers: expensive, no probe needed (it would copy them all once more).
  if (numbersIn(points[0]) >= COMPILE_POINT_NUMBERS && someStmt(fn.body, (s) => s.k === 'loop')) return true;
  const m = meter();
  const before = m.operations;
  let components = 1;
  try {
    const d = new Differentiator(program, fn, wrt, points[0], PROBE_STEPS);
    components = Math.max(1, d.components.length);
    d.value();
  } catch (e) {
    // over the probe's steps: an expensive function; any other problem is the evaluation's to report
    return e instanceof EvalError && e.code === 'GL007';
  }
  return (m.operations - before) * components * points.length >= COMPILE_WORK;
}

export function budgetDiagnostic(analysis: FunctionAnalysis, name: string, range: Range, e: BudgetExceeded): EngineDiagnostic {
  const kept = analysis.gradient || analysis.jacobian ? ' The value and gradient shown were computed before it stopped.' : '';
  return {
    code: 'GL007', severity: 'warning', range, functionName: name,
    message: `Gradlens stopped analysing '${name}' while ${PHASE_DOING[e.phase]}: the ${e.phase} budget ran out (${e.resource}).${kept}`,
  };
}

function analyzeInto(analysis: FunctionAnalysis, program: Program, sf: SourceFunction, fn: IrFunction, options: AnalysisOptions, self: SelfConvention | null, specs: HandSpec[]): void {
  const limits = meter().limits;
  const diagnostics = analysis.diagnostics;
  const ann = annotationsOf(sf);
  const tagRange = (tag: string): Range => ann.tagRanges.find((t) => t.tag === tag)?.range ?? fn.nameRange;
  const gl005 = (range: Range, message: string, fixes?: DiagnosticFix[]) =>
    diagnostics.push({ code: 'GL005', severity: 'error', range, message, functionName: sf.name, ...(fixes ? { fixes } : {}) });

  // Helpers called (transitively) that are outside the subset: their warnings sit in the helper.
  for (const h of inPhase('lowering', () => helpersOf(program, fn))) {
    const l = inPhase('lowering', () => program.lower(h));
    if (l && !l.fn.ok) diagnostics.push(...l.diagnostics);
  }

  // @wrt (a function that is its own derivative: its gradient array or flag is no input)
  // (In the shadow, a written parameter is renamed: `grad` is `grad$gl`, its alias keeps the name.)
  const selfName = self ? fn.params[self.index]?.name ?? self.param : null;
  const wrt = wrtOf(fn).filter((w) => w !== selfName);
  if (ann.wrt) {
    for (const w of ann.wrt) {
      const p = fn.params.find((q) => q.name === w);
      if (p) continue;
      const names = fn.params.map((q) => q.name);
      const guess = closestName(w, names);
      // on the name itself (the tag when it cannot be found), as a type checker underlines a misspelt name
      const wrtTags = ann.tagRanges.filter((t) => t.tag === 'wrt');
      gl005(nameRangeIn(wrtTags, program.text, w) ?? tagRange('wrt'), `@wrt names '${w}', which is not a parameter of '${sf.name}' (parameters: ${names.join(', ') || 'none'})${guess ? `; did you mean '${guess}'?` : '.'}`,
        guess ? nameFix(wrtTags, program.text, w, guess) : undefined);
    }
  }
  analysis.wrt = wrt.filter((w) => fn.params.some((p) => p.name === w));

  // The hand-written derivatives (or the @derivative rule), each lowered once.
  const hands: { spec: HandSpec; hand: IrFunction }[] = [];
  const reportedHands = new Set<string>();
  for (const spec of specs) {
    if (spec.self) {
      if (fn.ok) hands.push({ spec, hand: fn });
      continue;
    }
    const l = inPhase('lowering', () => program.lower(spec.name));
    const what = spec.kind === 'rule' ? '@derivative names the rule to check' : spec.kind === 'partial' ? '@partial names the function returning the partial derivative'
      : spec.kind === 'gradient' ? '@gradient names the hand-written gradient to check' : `@${spec.kind === 'hvp' ? 'hessian' : spec.kind} names the hand-written function to check`;
    if (!l) {
      gl005(spec.nameRange ?? fn.nameRange, `'${spec.name}' is not a function of this file; ${what}.`);
    } else if (!l.fn.ok) {
      if (!reportedHands.has(spec.name)) diagnostics.push(...l.diagnostics);
      reportedHands.add(spec.name);
    } else if (!program.functions.get(spec.name)?.hasSyntaxError) { // (an imported one has none: engine/imports.ts)
      if (spec.flagName && !l.fn.params.some((p) => p.name === spec.flagName)) {
        gl005(spec.tagRange ?? fn.nameRange, `@gradient ${spec.name} flag ${spec.flagName}: '${spec.name}' has no parameter '${spec.flagName}' (parameters: ${l.fn.params.map((p) => p.name).join(', ')}).`);
        continue;
      }
      if (spec.kind === 'partial' && spec.param && !analysis.wrt.includes(spec.param)) {
        gl005(spec.paramRange ?? spec.tagRange ?? fn.nameRange, `@partial names '${spec.param}', which is not a differentiated parameter of '${sf.name}' (${analysis.wrt.join(', ') || 'none'}).`);
        continue;
      }
      hands.push({ spec, hand: l.fn });
    }
  }

  // Nothing to evaluate: outside the subset, or an @wrt that names no parameter (GL005 above).
  if (!fn.ok || (ann.wrt && analysis.wrt.length === 0 && fn.params.length > 0)) return;

  // Check points, at most the point budget's worth (each costs every mode's runs).
  const points: Point[] = [];
  // A function that is its own derivative gets its gradient array (zeros) or its flag (off) from the check.
  const complete = (p: Point): Point => (self && selfName ? { ...p, [selfName]: self.convention === 'flag' ? 0 : new Array(gradientLength(fn, analysis.wrt, p)).fill(0) } : p);
  ann.at.forEach((written, i) => {
    let p = written;
    if (self && selfName) {
      const given = written[self.param];
      // A flag-fused function's own value (and its AD) is the flag-off branch, whatever the point says.
      if (self.convention === 'flag' && given !== undefined && (given as unknown) !== false && given !== 0) {
        gl005(ann.atRanges[i], `@at: '${self.param}' is the derivative flag of '${sf.name}'; the check sets it (false for the value, true for the derivative), so the value given is not used; leave it out.`);
      }
      p = given === undefined || self.convention === 'flag' ? complete(written) : { ...Object.fromEntries(Object.entries(written).filter(([k]) => k !== self.param)), [selfName]: given };
    }
    const err = validatePoint(fn, p);
    const size = Object.values(p).reduce<number>((n, v) => n + (Array.isArray(v) ? v.length : 1), 0);
    if (err) {
      // A name that is no parameter but close to one: "did you mean", with the fix.
      const names = fn.params.map((q) => q.name);
      const unknown = Object.keys(p).find((k) => !names.includes(k));
      const guess = unknown !== undefined ? closestName(unknown, names.filter((n) => !(n in p))) : null;
      gl005(ann.atRanges[i], `@at: ${err}${guess ? `; did you mean '${guess}'?` : '.'}`,
        guess ? nameFix([{ textRange: ann.atRanges[i] }], program.text, unknown!, guess) : undefined);
    }
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
      points.push(...inPhase('check points', () => randomPoints(program, fn, Math.max(1, options.randomPoints), options.seed, options.stepBudget)).map(complete));
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
        diagnostics.push(e.diagnostic(sf.name));
      }
    }
    return;
  }

  // Value and derivative at every point: non-finite values (GL003), kinks (GL004), budget (GL007).
  // The tapes are dropped once their Jacobians are read: only the results are kept per point.
  // Compiled code where it is trusted, the interpreter (the reference) otherwise (engine/compiled/live.ts).
  const live = worthCompiling(program, fn, analysis.wrt, points) ? new LiveCode(program, fn, analysis.wrt, options.stepBudget) : null;
  const reverse: { value: unknown; jacobian: number[][]; kinks: KinkEvent[]; compiled?: boolean }[] = [];
  for (let i = 0; i < points.length; i++) {
    const point = points[i];
    const d = new Differentiator(program, fn, analysis.wrt, point, options.stepBudget);
    d.compiled = live;
    try {
      const rev = inPhase('evaluation', () => d.liveReverse());
      reverse.push({ value: rev.value, jacobian: rev.jacobian, kinks: rev.kinks, compiled: rev.compiled });
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
      diagnostics.push(e.diagnostic(sf.name, `${e.message} (at ${formatPoint(point)})`));
      return;
    }
  }

  const checks: GradientCheck[] = [];
  for (const { spec, hand } of hands) {
    const { check, diagnostics: cd } = inPhase('gradient check', () => checkGradient({
      program, fn, wrt: analysis.wrt, hand, pairedBy: spec.pairedBy, spec, points, reverse, live,
      options: { rtol: options.rtol, atol: options.atol, budget: options.stepBudget },
    }));
    // A wrong shape, or right entries in the wrong order: the edits that fix it, where they are mechanical (check/shapeFixes.ts).
    const fixInput = { program, fn, wrt: analysis.wrt, hand, pairedBy: spec.pairedBy, spec, points, reverse, sf, options: { rtol: options.rtol, atol: options.atol, budget: options.stepBudget } };
    if (check.status === 'shape') inPhase('gradient check', () => optionalFixes(() => attachShapeFixes(cd, fixInput)));
    if (check.status === 'wrong') optionalFixes(() => attachOrderFix(cd, check, fixInput));
    checks.push(check);
    diagnostics.push(...cd);
  }
  if (checks.length > 0) {
    analysis.checks = checks;
    analysis.check = checks.find((c) => c.status === 'shape' || c.status === 'wrong')
      ?? checks.find((c) => c.status !== 'ok' && c.status !== 'kink') ?? checks[0];
  }

  // (the CLI's check shows neither the locals' partials nor the closed form)
  if (options.checkOnly) return;
  // One interpreted forward sweep per component: only where that stays cheap (as for n > 32, none otherwise).
  const sweeps = (reverse[0]?.jacobian[0]?.length ?? 0) * Math.max(live?.lastSteps ?? 0, 1);
  if (!reverse[0]?.compiled || sweeps <= LOCALS_WORK) {
    analysis.locals = inPhase('local partials', () => localPartials(program, fn, analysis.wrt, points[0], options.stepBudget));
  }
  const closed = closedFormFor(program, fn);
  analysis.closedForm = closed.unicode;
  analysis.closedFormAvailable = closed.available;
  if (closed.exhausted) diagnostics.push(budgetDiagnostic(analysis, sf.name, fn.nameRange, closed.exhausted));
}

/** Interpreted steps the locals' partials may take (components × steps of one run): about a tenth of a second. */
const LOCALS_WORK = 300_000;

/** The number of flat `@wrt` components at a point (the length of a fused function's gradient array). */
function gradientLength(fn: IrFunction, wrt: string[], p: Point): number {
  let n = 0;
  for (const w of wrt) {
    const v = p[w];
    const param = fn.params.find((q) => q.name === w);
    n += Array.isArray(v) ? (v as unknown[]).flat(4).length : v === undefined && param?.type === 'arr' ? param.tupleLength ?? 4 : 1;
  }
  return n;
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

/** "Change 'xx' to 'x'": the first whole-word occurrence of `wrong` in the given tags' text. */
function nameFix(tags: { textRange: Range }[], text: string, wrong: string, right: string): DiagnosticFix[] | undefined {
  const range = nameRangeIn(tags, text, wrong);
  return range ? [{ title: `Change '${wrong}' to '${right}'`, edits: [{ range, newText: right }] }] : undefined;
}

/** Where the word `name` stands in one of the tags' texts. */
function nameRangeIn(tags: { textRange: Range }[], text: string, name: string): Range | null {
  const isWord = (c: string | undefined) => c !== undefined && /[\w$]/.test(c);
  for (const t of tags) {
    let at = text.indexOf(name, t.textRange.start);
    while (at >= 0 && at + name.length <= t.textRange.end) {
      if (!isWord(text[at - 1]) && !isWord(text[at + name.length])) return { start: at, end: at + name.length };
      at = text.indexOf(name, at + 1);
    }
  }
  return null;
}
