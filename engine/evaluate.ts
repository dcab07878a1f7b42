// The IR interpreter, generic over the scalar algebra: the same loop runs plain numbers, dual
// numbers, tape nodes, complex numbers and symbolic expressions. A step budget (statements,
// operations and array elements of one run) turns an infinite loop or a huge computation in user
// code into GL007 instead of a hung server; the same work is charged to the function's meter
// (engine/budget.ts), which bounds all runs of one analysis together, in time too.

import { Algebra, numberAlgebra, ScalarOp } from './algebra';
import type { EngineDiagnostic, KinkEvent, UncomputedCall } from './api';
import { Meter, meter } from './budget';
import { kinkAt } from './derivativeRules';
import { Expr, IrFunction, Range, Stmt } from './ir';
import { Tape } from './reverseMode';
import type { Program } from './program';
import { ruleApplies, rulePartials } from './userRules';

export type Value<T> = T | Value<T>[] | boolean;

/** An evaluation that cannot go on: reported as a diagnostic with this code at `range`. */
export class EvalError extends Error {
  constructor(readonly code: 'GL002' | 'GL003' | 'GL007', message: string, readonly range: Range, readonly uncomputedCall?: UncomputedCall) {
    super(message);
  }

  /** As a warning of `functionName` (`message` in place of the error's own, e.g. with the point). */
  diagnostic(functionName: string | undefined, message = this.message): EngineDiagnostic {
    return { code: this.code, severity: 'warning', range: this.range, ...(functionName !== undefined ? { functionName } : {}), message, ...(this.uncomputedCall ? { uncomputedCall: this.uncomputedCall } : {}) };
  }
}

export interface EvalHooks<T> {
  /** Called on every declaration and assignment of a variable of the top-level function. */
  onAssign?(varId: number, value: Value<T>): void;
  /** Called when a loop of the top-level function starts an iteration (0-based), and with -1 when it ends. */
  onLoop?(loop: Stmt & { k: 'loop' }, iteration: number): void;
  /** When given, non-differentiable points the evaluation passes through are collected here. */
  kinks?: KinkEvent[];
  /** Whether a value depends on the inputs (needed for kink detection). */
  active?(x: T): boolean;
  /** Called before each operation with the range of the expression computing it (graph view). */
  beforeOp?(range: Range): void;
  /** Called when the top-level function calls a helper (`enter`, after its arguments) and when the call returns (graph view). */
  onCall?(range: Range, name: string, phase: 'enter' | 'exit'): void;
}

const MAX_CALL_DEPTH = 64;
const BREAK = 1;
const CONTINUE = 2;
const RETURN = 3;

export class Interpreter<T> {
  steps = 0;
  private readonly meter: Meter = meter();
  /** The reverse-mode tape, when this run records one: its size is budgeted. */
  private readonly sized: Tape<unknown> | null;
  /** Ranges of the loops running, innermost last. */
  private readonly loops: Range[] = [];
  private depth = 0;
  private returned: Value<T> | undefined;
  /** The `return` statement the last top-level run left through (for component ranges). */
  lastReturn: (Stmt & { k: 'return' }) | undefined;

  constructor(
    readonly A: Algebra<T>,
    readonly program: Program,
    readonly budget: number,
    readonly hooks: EvalHooks<T> = {},
  ) {
    this.sized = A instanceof Tape ? (A as Tape<unknown>) : null;
  }

  run(fn: IrFunction, args: Value<T>[]): Value<T> {
    const env: Value<T>[] = new Array(fn.vars.length);
    fn.params.forEach((p, i) => { env[p.v] = args[i]; });
    const top = this.depth === 0;
    this.depth++;
    try {
      if (top && this.hooks.onAssign) fn.params.forEach((p) => this.hooks.onAssign!(p.v, env[p.v]));
      const r = this.block(fn.body, env, fn, top);
      if (r === RETURN) {
        const v = this.returned!;
        this.returned = undefined;
        return v;
      }
      throw new EvalError('GL003', `'${fn.name}' ended without returning a value.`, fn.nameRange);
    } finally {
      this.depth--;
    }
  }

  private tick(range: Range, n = 1) {
    this.steps += n;
    if (this.steps > this.budget) {
      // Reported on the innermost loop running, if any: that is what to look at.
      throw new EvalError('GL007', `Evaluation stopped after ${this.budget.toLocaleString('en-US')} steps (statements, operations and array elements; the step budget, setting gradlens.stepBudget): an infinite loop, or a very long computation.`, this.loops[this.loops.length - 1] ?? range);
    }
    this.meter.chargeOperations(n);
  }

  /** An array about to be built with `n` elements: bounded on its own, whatever the step budget. */
  private allocate(n: number, range: Range) {
    const limit = this.meter.limits.arrayElements;
    if (n > limit) {
      throw new EvalError('GL007', `An array of ${n.toLocaleString('en-US')} elements is over the memory budget (${limit.toLocaleString('en-US')} elements per array).`, range);
    }
    this.tick(range, n);
  }

  private block(stmts: Stmt[], env: Value<T>[], fn: IrFunction, top: boolean): number {
    for (let i = 0; i < stmts.length; i++) {
      const r = this.stmt(stmts[i], env, fn, top);
      if (r !== 0) return r;
    }
    return 0;
  }

  private stmt(s: Stmt, env: Value<T>[], fn: IrFunction, top: boolean): number {
    this.tick(s.range);
    switch (s.k) {
      case 'let':
      case 'assign': {
        const v = this.expr(s.k === 'let' ? s.init : s.value, env, fn);
        env[s.v] = v;
        if (top && this.hooks.onAssign) this.hooks.onAssign(s.v, v);
        return 0;
      }
      case 'store': {
        const arr = env[s.array] as Value<T>[];
        const i = this.indexOf(this.expr(s.index, env, fn) as T, arr, s.index.range, true);
        arr[i] = this.expr(s.value, env, fn);
        if (top && this.hooks.onAssign) this.hooks.onAssign(s.array, arr);
        return 0;
      }
      case 'push': {
        const arr = env[s.array] as Value<T>[];
        if (arr.length >= this.meter.limits.arrayElements) this.allocate(arr.length + 1, s.range);
        arr.push(this.expr(s.value, env, fn));
        if (top && this.hooks.onAssign) this.hooks.onAssign(s.array, arr);
        return 0;
      }
      case 'if':
        return this.block(this.truth(s.test, env, fn) ? s.then : s.else, env, fn, top);
      case 'loop': {
        let iteration = 0;
        this.loops.push(s.range);
        try {
          for (;;) {
            if (s.test && !this.truth(s.test, env, fn)) return 0;
            this.tick(s.range);
            if (top && this.hooks.onLoop) this.hooks.onLoop(s, iteration);
            const r = this.block(s.body, env, fn, top);
            if (r === BREAK) return 0;
            if (r === RETURN) return r;
            const u = this.block(s.update, env, fn, top);
            if (u === BREAK) return 0;
            if (u === RETURN) return u;
            iteration++;
          }
        } finally {
          this.loops.pop();
          if (top && this.hooks.onLoop) this.hooks.onLoop(s, -1);
        }
      }
      case 'break': return BREAK;
      case 'continue': return CONTINUE;
      case 'return':
        this.returned = this.expr(s.value, env, fn);
        if (top) this.lastReturn = s;
        return RETURN;
    }
  }

  private truth(e: Expr, env: Value<T>[], fn: IrFunction): boolean {
    return this.expr(e, env, fn) as boolean;
  }

  private indexOf(x: T, arr: Value<T>[], range: Range, forWrite: boolean): number {
    const i = this.A.primal(x);
    if (!Array.isArray(arr)) throw new EvalError('GL003', 'Indexing something that is not an array.', range);
    const limit = forWrite ? arr.length : arr.length - 1;
    if (!Number.isInteger(i)) throw new EvalError('GL003', `Index ${i} is not an integer index (the array has length ${arr.length}).`, range);
    if (i < 0 || i > limit) {
      throw new EvalError('GL003', `Index ${i} is out of bounds for an array of length ${arr.length}.`, range);
    }
    return i;
  }

  private op(op: ScalarOp, args: T[], range: Range): T {
    this.tick(range);
    if (this.sized && this.sized.size >= this.meter.limits.tapeEntries) {
      throw new EvalError('GL007', `Reverse mode stopped at ${this.meter.limits.tapeEntries.toLocaleString('en-US')} recorded operations (the memory budget of one tape).`, range);
    }
    const { kinks, active, beforeOp } = this.hooks;
    if (beforeOp) beforeOp(range);
    if (kinks && active && args.some(active)) {
      const k = kinkAt(op, args.map((a) => this.A.primal(a)));
      if (k) kinks.push({ range, description: k });
    }
    return this.A.apply(op, args);
  }

  expr(e: Expr, env: Value<T>[], fn: IrFunction): Value<T> {
    const A = this.A;
    switch (e.k) {
      case 'const': return A.constant(e.value);
      case 'bool': return e.value;
      case 'var': return env[e.id];
      case 'neg': return this.op('neg', [this.expr(e.x, env, fn) as T], e.range);
      case 'binary':
        return this.op(e.op, [this.expr(e.a, env, fn) as T, this.expr(e.b, env, fn) as T], e.range);
      case 'math':
        return this.op(e.fn, e.args.map((a) => this.expr(a, env, fn) as T), e.range);
      case 'compare': {
        const a = this.expr(e.a, env, fn) as T;
        const b = this.expr(e.b, env, fn) as T;
        const x = A.primal(a);
        const y = A.primal(b);
        const { kinks, active } = this.hooks;
        if (kinks && active && x === y && (e.op !== '===' && e.op !== '!==') && (active(a) || active(b))) {
          kinks.push({ range: e.range, description: `the branch condition is tied (both sides are ${Number(x.toPrecision(6))})` });
        }
        switch (e.op) {
          case '<': return x < y;
          case '<=': return x <= y;
          case '>': return x > y;
          case '>=': return x >= y;
          case '===': return x === y;
          case '!==': return x !== y;
        }
      }
      // eslint-disable-next-line no-fallthrough
      case 'logical': {
        const a = this.truth(e.a, env, fn);
        if (e.op === '&&') return a ? this.truth(e.b, env, fn) : false;
        return a ? true : this.truth(e.b, env, fn);
      }
      case 'not': return !this.truth(e.x, env, fn);
      case 'cond': return this.truth(e.test, env, fn) ? this.expr(e.then, env, fn) : this.expr(e.else, env, fn);
      case 'index': {
        const arr = this.expr(e.array, env, fn) as Value<T>[];
        return arr[this.indexOf(this.expr(e.index, env, fn) as T, arr, e.range, false)];
      }
      case 'length': {
        const arr = this.expr(e.array, env, fn) as Value<T>[];
        return A.constant(arr.length);
      }
      case 'arrayLit':
        this.tick(e.range, e.elements.length);
        return e.elements.map((x) => this.expr(x, env, fn));
      case 'arrayFill': {
        const n = this.size(this.expr(e.length, env, fn) as T, e.range);
        const v = this.expr(e.fill, env, fn);
        return new Array(n).fill(v);
      }
      case 'arrayFrom': {
        const n = this.size(this.expr(e.length, env, fn) as T, e.range);
        const out: Value<T>[] = new Array(n);
        for (let i = 0; i < n; i++) {
          env[e.indexVar] = A.constant(i);
          out[i] = this.expr(e.body, env, fn);
        }
        return out;
      }
      case 'call': return this.call(e, env, fn);
    }
  }

  private size(x: T, range: Range): number {
    const n = this.A.primal(x);
    if (!Number.isInteger(n) || n < 0) throw new EvalError('GL003', `Array length ${n} is not a non-negative integer.`, range);
    this.allocate(n, range);
    return n;
  }

  private call(e: Expr & { k: 'call' }, env: Value<T>[], fn: IrFunction): Value<T> {
    const lowered = this.program.lower(e.fn);
    if (!lowered) throw new EvalError('GL002', `'${e.fn}' is not a function of this file.`, e.range, 'notInFile');
    const helper = lowered.fn;
    if (!helper.ok) {
      throw new EvalError('GL002', `'${e.fn}' uses constructs outside the differentiable subset (see its warnings), so its value cannot be computed: rewrite it inside the subset, or pass its value in as a parameter (held constant); @nondifferentiable and @derivative change how a helper is differentiated, not whether it can be evaluated.`, e.range, 'outsideSubset');
    }
    if (this.depth >= MAX_CALL_DEPTH) {
      throw new EvalError('GL007', `Calls nested deeper than ${MAX_CALL_DEPTH} (recursion is supported only to that depth).`, e.range);
    }
    const args = e.args.map((a) => this.expr(a, env, fn));
    const ann = helper.annotations;
    if (ann.nondifferentiable) {
      const v = this.runPrimal(helper, args);
      return liftConstant(this.A, v);
    }
    const onCall = this.depth === 1 ? this.hooks.onCall : undefined;
    onCall?.(e.range, e.fn, 'enter');
    const v = ann.derivative ? this.callWithRule(helper, ann.derivative, args, e.range) : this.run(helper, args);
    onCall?.(e.range, e.fn, 'exit');
    return v;
  }

  /** Runs `fn` on the primal numbers of `args` (no derivatives), sharing this run's step budget. */
  runPrimal(fn: IrFunction, args: Value<T>[]): Value<number> {
    const sub = new Interpreter<number>(numberAlgebra, this.program, this.budget);
    sub.steps = this.steps;
    sub.depth = this.depth;
    const v = sub.run(fn, args.map((a) => toPrimal(this.A, a)));
    this.steps = sub.steps;
    return v;
  }

  /**
   * A helper with a `@derivative` rule: its value, and its partials from the rule, as userRules.ts
   * reads them (a number for one parameter, else one entry per parameter, arrays for arrays).
   */
  private callWithRule(helper: IrFunction, ruleName: string, args: Value<T>[], range: Range): Value<T> {
    const rule = this.program.lower(ruleName);
    if (!rule || !rule.fn.ok) throw new EvalError('GL002', `The @derivative rule '${ruleName}' of '${helper.name}' is missing or outside the subset.`, range);
    if (!ruleApplies(helper)) throw new EvalError('GL002', `@derivative is supported on helpers that return a number; '${helper.name}' returns an array.`, range);
    const value = this.runPrimal(helper, args) as number;
    const grad = this.runPrimal(rule.fn, args);
    const r = rulePartials(helper, args, grad);
    if ('kind' in r) {
      throw new EvalError('GL003', r.kind === 'entries'
        ? `The @derivative rule '${ruleName}' must return one entry per parameter of '${helper.name}' (${r.params.join(', ')}).`
        : `The @derivative rule '${ruleName}' returns a wrongly sized entry for '${r.param}'.`, range);
    }
    // The call itself is the operation: its node maps to the call's source, not its last argument's.
    this.hooks.beforeOp?.(range);
    return this.A.lift(value, r.inputs, r.partials);
  }
}

/** A deep copy of a value (its arrays, and the arrays in them). */
export function copyValue<T>(v: Value<T>): Value<T> {
  return Array.isArray(v) ? v.map(copyValue) : v;
}

export function flatten<T>(v: Value<T>): Value<T>[] {
  if (!Array.isArray(v)) return [v];
  const out: Value<T>[] = [];
  for (const x of v) out.push(...flatten(x));
  return out;
}

export function toPrimal<T>(A: Algebra<T>, v: Value<T>): Value<number> {
  if (Array.isArray(v)) return v.map((x) => toPrimal(A, x));
  if (typeof v === 'boolean') return v;
  return A.primal(v as T);
}

function liftConstant<T>(A: Algebra<T>, v: Value<number>): Value<T> {
  if (Array.isArray(v)) return v.map((x) => liftConstant(A, x));
  if (typeof v === 'boolean') return v;
  return A.constant(v);
}

/** Converts a plain value (a check point's entry) into the algebra. */
export function fromNumbers<T>(A: Algebra<T>, v: number | number[] | Value<number>): Value<T> {
  return liftConstant(A, v as Value<number>);
}
