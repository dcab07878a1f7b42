// One-function queries: the gradient at a point, the computation graph with forward values and
// adjoints, and the comparison of every differentiation method. Source text in, plain data out.

import { AnalysisOptions, ComputationGraph, DEFAULT_OPTIONS, EngineDiagnostic, GradientResult, GraphEdge, GraphNode, MethodComponent, MethodsComparison, Point } from './api';
import { wrtOf } from './analyzeFunction';
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
  if (e instanceof EvalError) return [{ code: e.code, severity: 'warning', range: e.range, message: e.message }];
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
    let tapeRef: Tape<number> | null = null;
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
    }, (tape) => { tapeRef = tape; });
    const tape = result.tape;
    const adj = result.outputs.length === 1 ? tape.backward(result.outputs[0]) : new Array(tape.size).fill(0);
    const n = Math.min(tape.size, MAX_GRAPH_NODES);
    const inputLabels = new Map<number, string>();
    result.inputs.forEach((i, k) => inputLabels.set(i, d.components[k].label));
    const nodes: GraphNode[] = [];
    const edges: GraphEdge[] = [];
    for (let i = 0; i < n; i++) {
      const e = tape.entry(i);
      const op = e.op === 'lift' ? 'call' : e.op;
      // An input's component, else the variable it was assigned to, else its source text.
      const label = inputLabels.get(i) ?? labels.get(i) ?? (e.range ? text.slice(e.range.start, e.range.end) : op);
      nodes.push({
        id: i, op, label: label.length > 40 ? label.slice(0, 39) + '…' : label, range: e.range, value: e.value,
        adjoint: adj[i], inputs: e.parents.slice(), ...(e.loop ? { loop: e.loop } : {}),
      });
      e.parents.forEach((p, k) => edges.push({ from: p, to: i, partial: e.partials[k] }));
    }
    return {
      graph: { functionName: fnName, point: r.point, nodes, edges, outputs: result.outputs.filter((o) => o < n), loops, truncated: tape.size > n },
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
    const components: MethodComponent[] = d.components.map((c, k) => ({
      label: c.label,
      forward: forward[k],
      reverse: reverse[k],
      closed: closed ? closed[k] : null,
      central: richardsonDerivative(f, x, k),
      complexStep: Number.isFinite(complex[k]) ? complex[k] : null,
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
    return { comparison: { functionName: fnName, point: r.point, components, errorCurve }, diagnostics: [] };
  } catch (e) {
    return { comparison: null, diagnostics: evalDiagnostic(e) };
  }
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
