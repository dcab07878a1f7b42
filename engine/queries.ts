// One-function queries: the gradient at a point, the computation graph with forward values and
// adjoints, and the comparison of every differentiation method. Source text in, plain data out.

import { boundUserText } from './format';
import { AnalysisOptions, ComputationGraph, DEFAULT_OPTIONS, EngineDiagnostic, GradientResult, GraphEdge, GraphNode, MethodComponent, MethodsComparison, Point } from './api';
import { checkProgram, wrtOf } from './analyzeFunction';
import { checkGradient } from './gradientCheck';
import { randomPoints, validatePoint } from './checkPoints';
import { budgeted, BudgetExceeded } from './budget';
import { Differentiator } from './differentiate';
import { EvalError } from './evaluate';
import { IrFunction, Range, Stmt } from './ir';
import { centralDifference, forwardDifference, richardsonDerivative } from './numerical';
import { parseProgram, Program } from './program';
import { Tape } from './reverseMode';
import { symbolicGradientValues } from './closedFormBridge';

/**
 * The last few texts' parsed programs. Queries come in bursts on an unchanged text (the graph view
 * follows the cursor, the methods tab, a point picker): they share one parse and one lowering. A
 * Program is never mutated after parsing beyond its own lowering cache, so sharing is safe.
 */
const recentPrograms = new Map<string, Program>();
const RECENT_PROGRAMS = 2;

function programFor(text: string): Program {
  const hit = recentPrograms.get(text);
  if (hit) return hit;
  const program = parseProgram(text);
  recentPrograms.set(text, program);
  if (recentPrograms.size > RECENT_PROGRAMS) recentPrograms.delete(recentPrograms.keys().next().value as string);
  return program;
}

interface Resolved {
  program: Program;
  fn: IrFunction;
  point: Point;
  wrt: string[];
  options: AnalysisOptions;
}

/** Finds the function and the point to evaluate at, or diagnostics saying why not. */
function resolve(text: string, fnName: string, point: Point | undefined, options?: Partial<AnalysisOptions>): Resolved | EngineDiagnostic[] {
  const opts = { ...DEFAULT_OPTIONS, ...options };
  let program: Program;
  try { program = programFor(text); } catch (e) { return [fault(e)]; }
  const lowered = program.lower(fnName);
  const none: Range = { start: 0, end: 0 };
  if (!lowered) return [{ code: 'GL005', severity: 'error', range: none, message: `There is no function '${fnName}' in this file.` }];
  const fn = lowered.fn;
  if (!fn.ok) return lowered.diagnostics.length ? lowered.diagnostics : [{ code: 'GL002', severity: 'warning', range: fn.nameRange, message: `'${fnName}' is outside the differentiable subset.` }];
  let p = point;
  if (p) {
    // A partial point is completed from the first @at point (or a random one).
    const base = fn.annotations.at[0] ?? randomPoints(program, fn, 1, opts.seed, opts.stepBudget)[0] ?? {};
    p = { ...base, ...p };
    const err = validatePoint(fn, p);
    if (err) return [{ code: 'GL005', severity: 'error', range: fn.nameRange, message: `Bad point: ${err}.` }];
  } else {
    p = fn.annotations.at.find((a) => validatePoint(fn, a) === null) ?? randomPoints(program, fn, 1, opts.seed, opts.stepBudget)[0];
    if (!p) return [{ code: 'GL003', severity: 'warning', range: fn.nameRange, message: `No point was found where '${fnName}' is finite; give one with @at.` }];
  }
  const wrt = wrtOf(fn).filter((w) => fn.params.some((q) => q.name === w));
  return { program, fn, point: p, wrt, options: opts };
}

function fault(e: unknown): EngineDiagnostic {
  return { code: 'GL009', severity: 'warning', range: { start: 0, end: 0 }, message: `Internal error: ${e instanceof Error ? e.message : String(e)}` };
}

function budgetDiagnostic(e: BudgetExceeded): EngineDiagnostic {
  return { code: 'GL007', severity: 'warning', range: { start: 0, end: 0 }, message: `Gradlens stopped: ${e.message}.` };
}

function evalDiagnostic(e: unknown): EngineDiagnostic[] {
  if (e instanceof BudgetExceeded) throw e; // answered by the budgeted wrapper
  if (e instanceof EvalError) return [e.diagnostic(undefined)];
  return [fault(e)];
}

export function gradientAt(text: string, fnName: string, point?: Point, options?: Partial<AnalysisOptions>): GradientResult {
  try {
    return budgeted({ ...DEFAULT_OPTIONS, ...options }.timeBudgetMs, () => gradientAtNow(text, fnName, point, options));
  } catch (e) {
    if (!(e instanceof BudgetExceeded)) throw e;
    return { value: null, gradient: null, jacobian: null, point: point ?? null, diagnostics: [budgetDiagnostic(e)] };
  }
}

function gradientAtNow(text: string, fnName: string, point?: Point, options?: Partial<AnalysisOptions>): GradientResult {
  const r = resolve(text, fnName, point, options);
  if (Array.isArray(r)) return { value: null, gradient: null, jacobian: null, point: point ?? null, diagnostics: r };
  try {
    const d = new Differentiator(r.program, r.fn, r.wrt, r.point, r.options.stepBudget);
    const rev = d.reverse();
    const vector = Array.isArray(rev.value);
    return {
      value: rev.value as number | number[],
      gradient: vector ? null : d.toGradient(rev.jacobian[0] ?? []),
      jacobian: vector ? rev.jacobian : null,
      point: r.point,
      diagnostics: [],
    };
  } catch (e) {
    return { value: null, gradient: null, jacobian: null, point: r.point, diagnostics: evalDiagnostic(e) };
  }
}

const MAX_GRAPH_NODES = 5000;
/** Longest statement or call text a graph carries (the views shorten further). */
const MAX_GRAPH_TEXT = 80;

/** Source text for the graph view: one line, bounded and sanitised (engine/format.ts). */
function shortText(text: string, max: number): string {
  return boundUserText(text.replace(/\s+/g, ' ').trim(), max);
}

/** The statements that compute values (not the control flow around them), in source order. */
function leafStatements(body: Stmt[], out: Stmt[] = []): Stmt[] {
  for (const s of body) {
    if (s.k === 'if') { leafStatements(s.then, out); leafStatements(s.else, out); }
    else if (s.k === 'loop') { leafStatements(s.body, out); leafStatements(s.update, out); }
    else if (s.k !== 'break' && s.k !== 'continue') out.push(s);
  }
  return out.sort((a, b) => a.range.start - b.range.start);
}

/** The innermost statement whose range holds `range` (statements do not overlap, except a block's). */
function statementAt(statements: Stmt[], range: Range): number {
  let best = -1;
  for (let i = 0; i < statements.length; i++) {
    const r = statements[i].range;
    if (r.start <= range.start && range.end <= r.end && (best < 0 || r.start >= statements[best].range.start)) best = i;
  }
  return best;
}

export function computationGraph(text: string, fnName: string, point?: Point, options?: Partial<AnalysisOptions>): { graph: ComputationGraph | null; diagnostics: EngineDiagnostic[] } {
  try {
    return budgeted({ ...DEFAULT_OPTIONS, ...options }.timeBudgetMs, () => computationGraphNow(text, fnName, point, options));
  } catch (e) {
    if (!(e instanceof BudgetExceeded)) throw e;
    return { graph: null, diagnostics: [budgetDiagnostic(e)] };
  }
}

function computationGraphNow(text: string, fnName: string, point?: Point, options?: Partial<AnalysisOptions>): { graph: ComputationGraph | null; diagnostics: EngineDiagnostic[] } {
  const r = resolve(text, fnName, point, options);
  if (Array.isArray(r)) return { graph: null, diagnostics: r };
  try {
    const d = new Differentiator(r.program, r.fn, r.wrt, r.point, r.options.stepBudget);
    // Loops get ids in the order they are met; the tape tags each entry with its loop iteration.
    const loopIds = new Map<Stmt, number>();
    const loops: ComputationGraph['loops'] = [];
    const labels = new Map<number, string>();
    // Each helper call of the function: the tape entries recorded from its entry to its exit.
    const calls: (ComputationGraph['calls'][number] & { first: number; last: number })[] = [];
    let tapeRef: Tape<number> | null = null;
    let open: (typeof calls)[number] | null = null;
    const result = d.reverse({
      beforeOp: (range) => { if (tapeRef) tapeRef.site = range; },
      onLoop: (loop, iteration) => {
        if (!tapeRef) return;
        let id = loopIds.get(loop);
        if (id === undefined) { id = loops.length; loopIds.set(loop, id); loops.push({ id, range: loop.range, tripCount: 0 }); }
        if (iteration < 0) { tapeRef.loop = undefined; return; }
        loops[id].tripCount = Math.max(loops[id].tripCount, iteration + 1);
        tapeRef.loop = { id, iteration };
      },
      onAssign: (v, x) => {
        const name = r.fn.vars[v].name;
        if (x && typeof x === 'object' && !Array.isArray(x) && (x as { i: number }).i >= 0 && !name.startsWith('$')) labels.set((x as { i: number }).i, name);
      },
      onCall: (range, helper, phase) => {
        if (!tapeRef) return;
        if (phase === 'enter') {
          open = { id: calls.length, helper, range, text: shortText(text.slice(range.start, range.end), MAX_GRAPH_TEXT), first: tapeRef.size, last: tapeRef.size };
          calls.push(open);
        } else if (open) {
          open.last = tapeRef.size;
          open = null;
        }
      },
    }, (tape) => { tapeRef = tape; });
    const tape = result.tape;
    const adj = result.outputs.length === 1 ? tape.backward(result.outputs[0]) : new Array(tape.size).fill(0);
    const n = Math.min(tape.size, MAX_GRAPH_NODES);
    const inputLabels = new Map<number, string>();
    result.inputs.forEach((i, k) => inputLabels.set(i, d.components[k].label));
    const callOf = new Array<number>(n).fill(-1);
    for (const c of calls) for (let i = c.first; i < Math.min(c.last, n); i++) callOf[i] = c.id;
    const stmts = leafStatements(r.fn.body);
    const statementIds = new Map<number, number>();
    const statements: ComputationGraph['statements'] = [];
    const nodes: GraphNode[] = [];
    const edges: GraphEdge[] = [];
    for (let i = 0; i < n; i++) {
      const e = tape.entry(i);
      const op = e.op === 'lift' ? 'call' : e.op;
      const call = callOf[i] >= 0 ? calls[callOf[i]] : null;
      // A node inside a helper belongs to the statement that calls it.
      const site = call ? call.range : e.range;
      const k = op === 'input' || !site ? -1 : statementAt(stmts, site);
      let statement: number | undefined;
      if (k >= 0) {
        statement = statementIds.get(k);
        if (statement === undefined) {
          statement = statements.length;
          statementIds.set(k, statement);
          statements.push({ id: statement, range: stmts[k].range, text: shortText(text.slice(stmts[k].range.start, stmts[k].range.end), MAX_GRAPH_TEXT) });
        }
      }
      // An input's component, else the variable it was assigned to, else its source text.
      const label = inputLabels.get(i) ?? labels.get(i) ?? (e.range ? text.slice(e.range.start, e.range.end) : op);
      nodes.push({
        id: i, op, label: label.length > 40 ? label.slice(0, 39) + '…' : label, range: e.range, value: e.value,
        adjoint: adj[i], inputs: e.parents.slice(), ...(e.loop ? { loop: e.loop } : {}),
        ...(statement !== undefined ? { statement } : {}), ...(call ? { call: call.id } : {}),
      });
      e.parents.forEach((p, k) => edges.push({ from: p, to: i, partial: e.partials[k] }));
    }
    // Inputs in the parameters' order (the tape records them in `@wrt` order).
    const paramIndex = new Map(r.fn.params.map((p, k) => [p.name, k]));
    const inputOrder = new Map(result.inputs.map((t, k) => [t, paramIndex.get(d.components[k].param) ?? k]));
    const inputs = nodes.filter((x) => x.op === 'input').sort((a, b) => (inputOrder.get(a.id) ?? 0) - (inputOrder.get(b.id) ?? 0));
    let next = 0;
    const ordered = nodes.map((x) => (x.op === 'input' ? inputs[next++] : x));
    return {
      graph: {
        functionName: fnName, point: r.point, nodes: ordered, edges, outputs: result.outputs.filter((o) => o < n), loops, statements,
        calls: calls.filter((c) => c.first < n && c.last > c.first).map(({ id, helper, range, text: t }) => ({ id, helper, range, text: t })),
        truncated: tape.size > n,
      },
      diagnostics: [],
    };
  } catch (e) {
    return { graph: null, diagnostics: evalDiagnostic(e) };
  }
}

export function compareMethods(text: string, fnName: string, point?: Point, options?: Partial<AnalysisOptions>): { comparison: MethodsComparison | null; diagnostics: EngineDiagnostic[] } {
  try {
    return budgeted({ ...DEFAULT_OPTIONS, ...options }.timeBudgetMs, () => compareMethodsNow(text, fnName, point, options));
  } catch (e) {
    if (!(e instanceof BudgetExceeded)) throw e;
    return { comparison: null, diagnostics: [budgetDiagnostic(e)] };
  }
}

function compareMethodsNow(text: string, fnName: string, point?: Point, options?: Partial<AnalysisOptions>): { comparison: MethodsComparison | null; diagnostics: EngineDiagnostic[] } {
  const r = resolve(text, fnName, point, options);
  if (Array.isArray(r)) return { comparison: null, diagnostics: r };
  try {
    const d = new Differentiator(r.program, r.fn, r.wrt, r.point, r.options.stepBudget);
    const rev = d.reverse();
    if (Array.isArray(rev.value)) {
      return { comparison: null, diagnostics: [{ code: 'GL002', severity: 'information', range: r.fn.nameRange, message: 'The methods view compares gradients of scalar functions; this one is vector-valued.' }] };
    }
    const reverse = rev.jacobian[0];
    const forward = d.forward().jacobian[0];
    const complex = d.complexStep()[0];
    const f = d.scalar();
    const x = d.flatPoint();
    const closed = symbolicGradientValues(r.program, r.fn, r.wrt, r.point);
    const hand = handWrittenAt(r);
    const components: MethodComponent[] = d.components.map((c, k) => ({
      label: c.label,
      forward: forward[k],
      reverse: reverse[k],
      closed: closed ? closed[k] : null,
      central: richardsonDerivative(f, x, k),
      complexStep: Number.isFinite(complex[k]) ? complex[k] : null,
      handWritten: hand?.values.get(c.label) ?? null,
      handWrong: hand?.wrong.has(c.label) ?? false,
    }));
    // The V of truncation against round-off error, for the first component.
    const errorCurve: MethodsComparison['errorCurve'] = [];
    if (components.length > 0) {
      const exact = reverse[0];
      const scale = Math.max(Math.abs(exact), 1e-300);
      for (let e = -1; e >= -16; e -= 0.5) {
        const h = 10 ** e * Math.max(1, Math.abs(x[0]));
        const fwd = Math.abs(forwardDifference(f, x, 0, h) - exact) / scale;
        const cen = Math.abs(centralDifference(f, x, 0, h) - exact) / scale;
        // The complex step at this h: im f(x + ih) / h.
        const cs = Math.abs(d.complexStepAt(0, h) - exact) / scale;
        errorCurve.push({ h, forward: fwd, central: cen, complexStep: Number.isFinite(cs) ? cs : null });
      }
    }
    return { comparison: { functionName: fnName, point: r.point, components, handWrittenName: hand?.name ?? null, errorCurve }, diagnostics: [] };
  } catch (e) {
    return { comparison: null, diagnostics: evalDiagnostic(e) };
  }
}

/**
 * What the function's hand-written gradient gives at the point, by component label: a `@gradient`
 * (or one paired by name), else its `@partial`s (divided by their scale, to compare with AD). Run
 * by the gradient check itself, in the program it checks in, so conventions mean the same as in the
 * hover. Null when there is none, or it cannot be evaluated there (the check reports why).
 */
function handWrittenAt(r: Resolved): { name: string; values: Map<string, number>; wrong: Set<string> } | null {
  const sf = r.program.functions.get(r.fn.name);
  if (!sf) return null;
  const { shadow, specs } = checkProgram(r.program, sf);
  const gradient = specs.find((s) => s.kind === 'gradient' && !s.self);
  const chosen = gradient ? [gradient] : specs.filter((s) => s.kind === 'partial');
  if (chosen.length === 0) return null;
  const fn = shadow.program.lower(r.fn.name)?.fn;
  if (!fn?.ok) return null;
  const values = new Map<string, number>();
  const wrong = new Set<string>();
  for (const spec of chosen) {
    const hand = shadow.program.lower(spec.name)?.fn;
    if (!hand?.ok) continue;
    const { check } = checkGradient({
      program: shadow.program, fn, wrt: r.wrt, hand, pairedBy: spec.pairedBy, spec, points: [r.point],
      options: { rtol: r.options.rtol, atol: r.options.atol, budget: r.options.stepBudget },
    });
    const scale = spec.kind === 'partial' ? spec.scale ?? 1 : 1;
    for (const c of check.points[0]?.components ?? []) {
      values.set(c.label, c.hand / scale);
      if (c.verdict === 'wrong') wrong.add(c.label);
    }
  }
  return values.size > 0 ? { name: chosen.map((s) => s.name).join(', '), values, wrong } : null;
}

/**
 * Reverse mode through the interpreter's tape, prepared once: the source is parsed and lowered
 * now, and each call of the returned function records a tape at `point` and sweeps it back. (The
 * generated code of codegen/ is the fast path; this is the runtime tape, for comparison.)
 */
export function tapeGradient(text: string, fnName: string, options?: Partial<AnalysisOptions>): { gradient: ((point: Point) => GradientResult['gradient']) | null; diagnostics: EngineDiagnostic[] } {
  const opts = { ...DEFAULT_OPTIONS, ...options };
  let program: Program;
  try { program = programFor(text); } catch (e) { return { gradient: null, diagnostics: [fault(e)] }; }
  const lowered = program.lower(fnName);
  if (!lowered || !lowered.fn.ok) return { gradient: null, diagnostics: lowered?.diagnostics ?? [] };
  const fn = lowered.fn;
  const wrt = wrtOf(fn).filter((w) => fn.params.some((q) => q.name === w));
  return {
    gradient: (point: Point) => {
      const d = new Differentiator(program, fn, wrt, point, opts.stepBudget);
      return d.toGradient(d.reverse().jacobian[0] ?? []);
    },
    diagnostics: [],
  };
}
