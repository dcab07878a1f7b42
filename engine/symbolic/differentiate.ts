// Symbolic gradients: run the function on the symbolic algebra (which records every operation),
// then accumulate adjoints backwards through those operations with the one table of derivative
// rules (ops.ts, read through derivativeRules.ts) evaluated in the same expression graph. The
// result shares subexpressions the way reverse mode does, and the simplifier keeps it in normal
// form as it is built.

import { inPhase } from '../budget';
import { localPartials } from '../derivativeRules';
import { EvalError, Interpreter, Value } from '../evaluate';
import { IrFunction, IrParam, Point } from '../ir';
import type { Program } from '../program';
import { checkTime } from './charge';
import { ExprGraph, NodeId } from './expr';
import { derivativeAlgebra, NotStraightLine, SymbolicAlgebra } from './symbolicAlgebra';
import { identifierBase } from '../codegen/names';

const SYMBOLIC_STEP_BUDGET = 200_000;

export interface SymbolicParam {
  name: string;
  param: IrParam;
  /** The variable node of a scalar parameter, or one per element of an array parameter. */
  value: NodeId | NodeId[];
}

export interface SymbolicPartial {
  param: string;
  /** ∂f/∂param: one node for a scalar parameter, one per element for an array parameter. */
  value: NodeId | NodeId[];
}

export interface SymbolicGradient {
  graph: ExprGraph;
  fn: IrFunction;
  params: SymbolicParam[];
  /** The function's value as an expression. */
  output: NodeId;
  /** In `@wrt` order (or every parameter's, without `@wrt`). */
  partials: SymbolicPartial[];
  /** Expressions the function names with a `const` (or a `let` never reassigned): node → name. */
  locals: Map<NodeId, string>;
  /** Operations to evaluate the function, and its gradient, with shared subexpressions counted once. */
  functionOps: number;
  gradientOps: number;
}

export type SymbolicResult = { ok: true; gradient: SymbolicGradient } | { ok: false; reason: string };

export interface SymbolicOptions {
  /** Parameters to differentiate; default: the function's `@wrt`, else every parameter. */
  wrt?: string[];
  /** Lengths for array parameters that are not tuples (for instance from a check point). */
  lengths?: Record<string, number>;
  /** Variables named as identifiers (`this.k` as `thisK`): for code that takes them as parameters (closedForm.ts). */
  identifierNames?: boolean;
}

/**
 * The symbolic gradient of `fnName`, or the reason there is none (never throws on user input; throws
 * BudgetExceeded when the current meter's symbolic-node, operation or time budget runs out).
 */
export function symbolicGradient(program: Program, fnName: string, options: SymbolicOptions = {}): SymbolicResult {
  return inPhase('symbolic simplification', () => {
    checkTime('symbolic simplification'); // a spent meter starts no more work
    return gradientOf(program, fnName, options);
  });
}

function gradientOf(program: Program, fnName: string, options: SymbolicOptions): SymbolicResult {
  const lowered = program.lower(fnName);
  if (!lowered) return { ok: false, reason: `'${fnName}' is not a function of this file.` };
  const fn = lowered.fn;
  if (!fn.ok) return { ok: false, reason: `'${fnName}' uses constructs outside the differentiable subset.` };
  if (fn.returnType !== 'num') return { ok: false, reason: `'${fnName}' is vector-valued; a closed form is offered for functions that return a number.` };

  const graph = new ExprGraph();
  const varName = (n: string) => (options.identifierNames ? identifierBase(n) : n);
  const params: SymbolicParam[] = [];
  for (const p of fn.params) {
    if (p.type === 'num') {
      params.push({ name: p.name, param: p, value: graph.variable(varName(p.name)) });
      continue;
    }
    if (p.depth !== 1) return { ok: false, reason: `Parameter '${p.name}' is a nested array; a closed form is offered for numbers and fixed-length arrays.` };
    const n = p.tupleLength ?? options.lengths?.[p.name];
    if (n === undefined) {
      return { ok: false, reason: `Array parameter '${p.name}' has no fixed length; declare it as a tuple (e.g. [number, number]) for a closed form.` };
    }
    params.push({ name: p.name, param: p, value: Array.from({ length: n }, (_, i) => graph.variable(varName(p.name), i)) });
  }

  const wrt = options.wrt ?? fn.annotations.wrt ?? fn.params.filter((p) => !p.implicit).map((p) => p.name); // captured values and fields are held constant
  for (const w of wrt) {
    if (!params.some((p) => p.name === w)) return { ok: false, reason: `'${w}' is not a parameter of '${fnName}'.` };
  }

  const algebra = new SymbolicAlgebra(graph);
  const locals = new Map<NodeId, string>();
  let output: Value<NodeId>;
  try {
    const interpreter = new Interpreter(algebra, program, SYMBOLIC_STEP_BUDGET, {
      onAssign(varId, value) {
        const v = fn.vars[varId];
        if (v.kind !== 'local' || v.reassigned || v.name.startsWith('$') || typeof value !== 'number') return;
        const k = graph.node(value).k;
        if (k !== 'num' && k !== 'var' && !locals.has(value)) locals.set(value, v.name);
      },
    });
    // Arrays are copied: the interpreter may write into an argument array.
    output = interpreter.run(fn, params.map((p) => (Array.isArray(p.value) ? [...p.value] : p.value)));
  } catch (e) {
    if (e instanceof NotStraightLine) {
      const opaque = opaqueHelper(program, fn);
      if (opaque) return { ok: false, reason: `No closed form: '${opaque}' is used through its @derivative or @nondifferentiable rule, not its body.` };
      return { ok: false, reason: `No closed form: ${e.message}.` };
    }
    if (e instanceof EvalError) return { ok: false, reason: `No closed form: ${e.message}` };
    if (e instanceof RangeError) return { ok: false, reason: 'No closed form: the expression is too deep.' };
    throw e;
  }
  if (typeof output !== 'number') return { ok: false, reason: `'${fnName}' does not return a number.` };

  const inputs = new Set<NodeId>();
  for (const p of params) if (wrt.includes(p.name)) for (const v of flat(p.value)) inputs.add(v);
  const adjoints = backward(algebra, output, inputs);
  const zero = graph.zero;
  const partials: SymbolicPartial[] = wrt.map((w) => {
    const p = params.find((q) => q.name === w)!;
    const value = Array.isArray(p.value) ? p.value.map((v) => adjoints.get(v) ?? zero) : (adjoints.get(p.value) ?? zero);
    return { param: w, value };
  });
  const roots = partials.flatMap((p) => flat(p.value));
  graph.charge();
  return {
    ok: true,
    gradient: {
      graph, fn, params, output, partials, locals,
      functionOps: graph.operationCount([output]),
      gradientOps: graph.operationCount(roots),
    },
  };
}

/**
 * Reverse accumulation over the recorded operations. Adjoints are keyed by node: a node stands for
 * one function of the inputs, so any one operation that produced it is a valid way to
 * differentiate it. The first operation that produced a node defines it; later operations that
 * returned an existing node (a repeated subexpression, or `x * 1`) are skipped, or their inputs
 * would be counted twice.
 */
function backward(algebra: SymbolicAlgebra, output: NodeId, inputs: Set<NodeId>): Map<NodeId, NodeId> {
  const graph = algebra.graph;
  const D = derivativeAlgebra(graph);
  const ops = algebra.ops;

  const defining: number[] = [];
  const defined = new Set<NodeId>();
  for (let i = 0; i < ops.length; i++) {
    const out = ops[i].out;
    const n = graph.node(out);
    if (n.k === 'num' || n.k === 'var' || defined.has(out)) continue;
    defined.add(out);
    defining.push(i);
  }

  // Which nodes depend on the inputs being differentiated (activity). Children have smaller ids
  // than their parents, so one ascending pass decides every node of the function.
  const activity: boolean[] = new Array(graph.nodes.length);
  for (let id = 0; id < activity.length; id++) {
    activity[id] = inputs.has(id) || graph.children(id).some((c) => activity[c]);
  }
  const isActive = (id: NodeId): boolean => activity[id] === true;

  const adjoint = new Map<NodeId, NodeId>();
  adjoint.set(output, graph.one);
  for (let j = defining.length - 1; j >= 0; j--) {
    const { op, args, out } = ops[defining[j]];
    const a = adjoint.get(out);
    if (a === undefined || a === graph.zero) continue;
    const act = args.map(isActive);
    if (!act.includes(true)) continue;
    const partials = localPartials(D, op, args, out, act);
    for (let k = 0; k < args.length; k++) {
      if (!act[k]) continue;
      const contribution = graph.mul(partials[k], a);
      const prev = adjoint.get(args[k]);
      adjoint.set(args[k], prev === undefined ? contribution : graph.add(prev, contribution));
    }
  }
  return adjoint;
}

/** A helper reached from `fn` whose body the symbolic run cannot enter (a rule stands for it). */
function opaqueHelper(program: Program, fn: IrFunction): string | null {
  const seen = new Set<string>();
  const stack = [...fn.calls];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const h = program.lower(name)?.fn;
    if (!h) continue;
    if (h.annotations.derivative || h.annotations.nondifferentiable) return name;
    stack.push(...h.calls);
  }
  return null;
}

export function flat(v: NodeId | NodeId[]): NodeId[] {
  return Array.isArray(v) ? v : [v];
}

export type SymbolicValueResult =
  | { ok: true; value: number; gradient: Record<string, number | number[]> }
  | { ok: false; reason: string };

/**
 * The symbolic gradient evaluated at `point` (array lengths are taken from the point), for
 * comparing with the other modes.
 */
export function symbolicDerivativeValue(program: Program, fnName: string, point: Point, wrt?: string[]): SymbolicValueResult {
  const lengths: Record<string, number> = {};
  for (const [k, v] of Object.entries(point)) if (Array.isArray(v)) lengths[k] = v.length;
  const r = symbolicGradient(program, fnName, { wrt, lengths });
  if (!r.ok) return r;
  const g = r.gradient;
  const env = (v: { param: string; index: number | null }): number => {
    const x = point[v.param];
    if (x === undefined) return NaN;
    return Array.isArray(x) ? (v.index === null ? NaN : x[v.index]) : x;
  };
  const roots = [g.output, ...g.partials.flatMap((p) => flat(p.value))];
  const values = g.graph.evaluate(roots, env);
  let i = 1;
  const gradient: Record<string, number | number[]> = {};
  for (const p of g.partials) {
    if (Array.isArray(p.value)) {
      gradient[p.param] = p.value.map(() => values[i++]);
    } else {
      gradient[p.param] = values[i++];
    }
  }
  return { ok: true, value: values[0], gradient };
}
