// Compiles IR (never user text) to JavaScript functions for fast repeated evaluation: the primal
// function with the helpers it calls, its generated reverse-mode gradient and JVP. Every
// identifier in the compiled source comes from the IR with a sanitized name (v0, v1… for
// variables, f0, f1… for functions), every number is printed from its value, so nothing the user
// wrote is evaluated.
//
// The live analysis runs modules compiled with the printers' instrumentation (GenOptions
// `instrument`, engine/codegen/context.ts): a step counter ticked at every loop iteration and call
// (a short innermost counted loop's iterations at once, before it: hoistCountedTicks), charged to
// the ambient meter at checkpoints (so a `while (true)` stops within the budgets, with
// BudgetExceeded), and, in the functions printed from the IR as they are, what the interpreter
// checks (an index out of bounds, an array size, the call depth, a missing return). Where a
// compiled run meets one of those, or its own step budget, it stops and returns null: the
// interpreter (engine/evaluate.ts), the reference, runs instead and reports it exactly.

import { applyNumber, ScalarOp } from './algebra';
import { applyComplex, Complex } from './complexStep';
import { forEachExpr } from './irWalk';
import { complex as toComplexValue, OPS } from './ops';
import { BudgetExceeded, meter } from './budget';
import { analyzeActivity } from './codegen/activity';
import { CompileInstrumentation, GenContext, GenOptions } from './codegen/context';
import { generateFromProgram } from './codegen/generate';
import { printIrFunction } from './codegen/jvp';
import { budgetTick } from './codegen/printIr';
import { kinkAt } from './derivativeRules';
import { Expr, IrFunction, Stmt } from './ir';
import type { Program } from './program';

export type CompiledFunction = (...args: unknown[]) => unknown;

const COMPILE_OPTIONS = { ts: false, sanitize: true } as const;

/** The primal function `name` (and its helpers) as a JavaScript function, or null when it cannot be compiled. */
export function compileFunction(program: Program, name: string): ((...args: unknown[]) => number | number[]) | null {
  try {
    const ctx = new GenContext(program, COMPILE_OPTIONS);
    const entry = ctx.fnName(name);
    const parts = definePrimals(program, ctx, new Set());
    if (!parts) return null;
    return link(parts, entry) as ((...args: unknown[]) => number | number[]) | null;
  } catch {
    return null;
  }
}

/**
 * The reverse-mode gradient of `name` (shaped as a hand-written gradient: a number, a tuple in `@wrt` order; a Jacobian for a vector-valued function),
 * compiled from the generated code, or null when it cannot be generated.
 */
export function compileGradient(program: Program, name: string): CompiledFunction | null {
  return compileMode(program, name, 'reverse', COMPILE_OPTIONS)?.code ?? null;
}

/** The forward-mode JVP `(…params, …tangents) => [value, derivative]`, compiled. */
export function compileJvp(program: Program, name: string): CompiledFunction | null {
  return compileMode(program, name, 'jvp', COMPILE_OPTIONS)?.code ?? null;
}

function compileMode(program: Program, name: string, mode: 'reverse' | 'jvp', opts: GenOptions, prelude = ''): { code: CompiledFunction; source: string } | null {
  try {
    const ctx = new GenContext(program, opts);
    // generateFromProgram makes its own context: run it, then define every function of the file it names
    const r = generateFromProgram(program, name, mode, `$${mode}`, opts, ctx);
    if (!r.generated) {
      if (r.exhausted) return spentOrNull(r.exhausted);
      return null;
    }
    const generatedNames = new Set([`$${mode}`, ...[...ctx.pullbacks.values()].map((p) => p.name), ...[...ctx.jvps.values()].map((j) => j.name)]);
    const parts = definePrimals(program, ctx, generatedNames);
    if (!parts) return null;
    const all = opts.instrument ? [tickEveryLoop(r.generated.code), ...parts].map(hoistCountedTicks) : [r.generated.code, ...parts];
    const code = link(all, ctx.fnName(`$${mode}`), prelude);
    return code ? { code, source: all.join('\n\n') } : null;
  } catch (e) {
    if (e instanceof BudgetExceeded) return spentOrNull(e);
    return null;
  }
}

/**
 * A tick in every loop of generated code that has none: the loops the reverse sweep runs (built
 * by the generator beside the printers of printIr.ts, which tick their own). Their trip counts
 * follow the forward sweep's, so one step an iteration bounds them. Generated code prints a loop
 * head alone on its line, ending with `{` (comments start with `//`, and there are no strings).
 */
function tickEveryLoop(code: string): string {
  const lines = code.split('\n');
  const out: string[] = [];
  lines.forEach((line, i) => {
    out.push(line);
    const head = /^(\s*)(for|while) \(.*\) \{$/.exec(line);
    if (head && !/^\s*if \(\(\$n \+= /.test(lines[i + 1] ?? '')) out.push(`${head[1]}  ${budgetTick(1)}`);
  });
  return out.join('\n');
}

/**
 * The tick of an innermost counted loop charged once, before it, for all its iterations, when they
 * are few: `for (let i = a; i < n; i++)` (and the reverse sweep's `for (let i = a; i >= 0; i--)`)
 * whose body has no loop and writes neither `i` nor its bound. Freshly compiled code runs in V8's
 * interpreter until it is optimised, where the tick of an inner loop is a good part of each
 * iteration. The count is the same (more after a `break`, which may only stop a run sooner); over
 * HOIST_STEPS steps (or with a bound that is not a number: no iteration) the loop ticks each
 * iteration as printed, so that the runtime still reads the clock every few thousand steps. The
 * code is ours, printed a statement a line and indented by block: a loop ends at the first `}` at
 * its indent.
 */
function hoistCountedTicks(code: string): string {
  const lines = code.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const up = /^(\s*)for \(let (v\d+) = (0|v\d+); \2 < (v\d+(?:\.length)?); \2\+\+\) \{$/.exec(line);
    const down = up ? null : /^(\s*)for \(let (v\d+) = (v\d+(?:\.length)?(?: - 1)?); \2 >= 0; \2--\) \{$/.exec(line);
    const tick = /^\s*if \(\(\$n \+= (\d+)\) > \$lim\) \$over\(\);$/.exec(lines[i + 1] ?? '');
    const head = up ?? down;
    if (!head || !tick) { out.push(line); continue; }
    const indent = head[1];
    const end = lines.indexOf(`${indent}}`, i + 2);
    const body = end < 0 ? [] : lines.slice(i + 2, end);
    const bound = up ? up[4] : null;
    const boundVar = bound?.replace(/\.length$/, '') ?? null;
    const safe = end >= 0 && body.every((l) => l.startsWith(`${indent}  `) || l.trim() === '')
      && !body.some((l) => /^\s*(for|while) \(/.test(l))
      && !writes(body, head[2]) && !(boundVar && writes(body, boundVar))
      // a length may change through any array that aliases it (a store at its length appends):
      // no store, push, pop, splice or helper call in the body
      && !(bound?.endsWith('.length') && body.some((l) => /\.(push|pop|splice|length =)|\bf\d+\(|\]\s*[-+*/%]?=(?!=)/.test(l)));
    if (!safe) { out.push(line); continue; }
    const trips = up ? `${up[4]} - ${up[3]}` : `${down![3]} + 1`;
    // (one loop, not two copies of it: V8 optimises a function later the longer its bytecode)
    const each = `$each${i}`;
    out.push(
      `${indent}const ${each} = !(${trips} <= ${Math.max(1, Math.floor(HOIST_STEPS / Number(tick[1])))});`,
      `${indent}if (!${each} && ($n += ${tick[1]} * Math.max(0, Math.ceil(${trips}))) > $lim) $over();`,
      line,
      `${indent}  if (${each} && ($n += ${tick[1]}) > $lim) $over();`,
    );
    i++;
  }
  return out.join('\n');
}

/** Steps of an inner loop charged at once, at most (the steps between two visits to the runtime stay few). */
const HOIST_STEPS = 1 << 16;

/** Whether a line of `body` assigns `v` (`v = `, `v += `, `v++`, `--v`…). */
function writes(body: string[], v: string): boolean {
  const assign = new RegExp(`\\b${v}\\s*(?:[-+*/%]?=(?!=)|\\+\\+|--)|(?:\\+\\+|--)\\s*${v}\\b`);
  return body.some((l) => assign.test(l));
}

/** Compiles the primal of every function of the file the context has named (and what they call). */
function definePrimals(program: Program, ctx: GenContext, generated: Set<string>): string[] | null {
  const done = new Set<string>();
  const parts: string[] = [];
  for (;;) {
    const todo = [...ctx.sanitizedNames().keys()].filter((n) => !done.has(n) && !generated.has(n));
    if (todo.length === 0) return parts;
    for (const n of todo) {
      done.add(n);
      const lowered = program.lower(n);
      if (!lowered || !lowered.fn.ok) return null;
      parts.push(printIrFunction(ctx, lowered.fn, [], false));
    }
  }
}

function link(parts: string[], entry: string, prelude = ''): CompiledFunction | null {
  if (!/^f\d+$/.test(entry)) return null;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- source printed from IR only (see above)
  const make = new Function('$rt', `'use strict';\n${prelude}${parts.join('\n\n')}\nreturn ${prelude ? `$entry(${entry})` : entry};`) as (rt: unknown) => CompiledFunction;
  return make(RUNTIME_FOR_LINK.current);
}

// ---- budgeted modules (the live analysis) ---------------------------------------------------------

/** A compiled step weighs this much of an interpreted one on the meter: it takes about that share of the time. */
export const COMPILED_STEP_COST = 1 / 32;
/** Steps between two visits to the runtime (a few microseconds of compiled code). */
const CHECKPOINT = 1 << 12;
/**
 * Over the first WARM_STEPS steps, a visit every FIRST_CHECKPOINT: each loop's call of the runtime
 * has run (and has type feedback) before V8 optimises the loop around it, which would otherwise
 * deoptimise at its first checkpoint and run on unoptimised for a while.
 */
const FIRST_CHECKPOINT = 256;
const WARM_STEPS = 1 << 15;
/** The interpreter's limit on nested calls (evaluate.ts). */
const MAX_CALL_DEPTH = 64;

/** Thrown inside compiled code where the interpreter would report something: the caller runs the interpreter. */
class CompiledStop extends Error {}
const STOP = new CompiledStop('stopped: the interpreter decides');

/**
 * The functions the instrumented code calls (defined once per module, before the compiled functions).
 * Names start with `$`, which no sanitized name does.
 */
const PRELUDE = `let $n = 0, $lim = 0, $depth = 0, $kink = 0, $ret = -1;
const $maxElements = $rt.maxElements, $maxDepth = ${MAX_CALL_DEPTH};
function $over() { $lim = $rt.over($n); }
function $stop() { throw $rt.stop; }
function $badIndex() { $stop(); }
function $tooBig() { $stop(); }
function $tooDeep() { $stop(); }
function $noReturn() { $stop(); }
function $size(n, per) { if (!(Number.isInteger(n) && n >= 0 && n <= $maxElements)) $stop(); if (($n += n * per) > $lim) $over(); return n; }
function $st(a, i) { if (!(Array.isArray(a) && Number.isInteger(i) && i >= 0 && i <= a.length)) $stop(); return i; }
function $leave(v) { $depth--; return v; }
function $leaveEntry(i, v) { $depth--; $ret = i; return v; }
function $lt(a, b) { if (a === b) $kink = 1; return a < b; }
function $le(a, b) { if (a === b) $kink = 1; return a <= b; }
function $gt(a, b) { if (a === b) $kink = 1; return a > b; }
function $ge(a, b) { if (a === b) $kink = 1; return a >= b; }
function $kinkOp(op, a, b) { if ($rt.kinkAt(op, a, b)) $kink = 1; return $rt.apply(op, a, b); }
function $complex(op, a, b) { return $rt.complex(op, a, b); }
function $re(a) { return typeof a === 'object' ? a.re : a; }
function $entry(f) {
  return {
    run(args) { $n = 0; $depth = 0; $kink = 0; $ret = -1; $lim = $rt.first; return f(...args); },
    stats() { return [$n, $kink, $ret]; },
  };
}
`;

interface Runtime {
  maxElements: number;
  stop: CompiledStop;
  first: number;
  over(n: number): number;
  kinkAt(op: ScalarOp, a: number, b: number): boolean;
  apply(op: ScalarOp, a: number, b: number): number;
  complex(op: ScalarOp, a: number | Complex, b: number | Complex): number | Complex;
}

/** The runtime the module being linked gets (set around `link`: the engine is synchronous). */
const RUNTIME_FOR_LINK: { current: Runtime | null } = { current: null };

export interface CompiledRun {
  value: unknown;
  /** Steps counted (loop iterations, calls, array elements: about the interpreter's count). */
  steps: number;
  /** A comparison tied or an operation sat on its non-differentiable point, on values that may depend on the inputs. */
  kinkSuspect: boolean;
  /** The entry's `return` taken, in the order of forEachStmt over its IR (see `entryReturns`). */
  returnIndex: number;
}

/** One compiled, budgeted module: its entry runs with a step limit, or gives null where the interpreter must decide. */
export class CompiledModule {
  private limit = 0;
  private charged = 0;
  private readonly rt: Runtime;
  private entry: { run(args: unknown[]): unknown; stats(): [number, number, number] } | null = null;

  /** The compiled functions' text (for tests and debugging). */
  source = '';

  constructor() {
    this.rt = {
      maxElements: meter().limits.arrayElements,
      stop: STOP,
      first: 0,
      over: (n) => {
        if (n > this.limit) throw STOP;
        meter().chargeOperations((n - this.charged) * COMPILED_STEP_COST);
        this.charged = n;
        return Math.min(n + (n < WARM_STEPS ? FIRST_CHECKPOINT : CHECKPOINT), this.limit);
      },
      kinkAt: (op, a, b) => kinkAt(op, [a, b]) !== null,
      apply: (op, a, b) => applyNumber(op, [a, b]),
      complex: (op, a, b) => {
        // (a real result stays a number: the common case, and what indices and sizes need)
        const r = applyComplex(op, [toComplex(a), toComplex(b)]);
        return r.im === 0 ? r.re : r;
      },
    };
  }

  /** @internal set by the compile functions below. */
  bind(make: () => CompiledFunction | null): boolean {
    RUNTIME_FOR_LINK.current = this.rt;
    try {
      this.entry = make() as unknown as CompiledModule['entry'];
    } finally {
      RUNTIME_FOR_LINK.current = null;
    }
    return this.entry !== null;
  }

  /** Runs the entry on `args` (they may be written to: pass copies) within `stepLimit` steps; null where the interpreter must decide. */
  run(args: unknown[], stepLimit: number): CompiledRun | null {
    const entry = this.entry!;
    this.limit = stepLimit;
    this.charged = 0;
    // (an early first visit: see FIRST_CHECKPOINT)
    this.rt.first = Math.min(FIRST_CHECKPOINT, stepLimit);
    let value: unknown;
    try {
      value = entry.run(args);
    } catch (e) {
      if (e instanceof BudgetExceeded) throw e;
      // (STOP, or what JavaScript throws where the interpreter reports: a stack overflow, a bad call)
      return null;
    }
    const [steps, kink, ret] = entry.stats();
    meter().chargeOperations((steps - this.charged) * COMPILED_STEP_COST);
    if (value === undefined) return null;
    return { value, steps, kinkSuspect: kink !== 0, returnIndex: ret };
  }
}

/** Every function `name` calls, transitively (with itself). */
function reachable(program: Program, name: string): IrFunction[] | null {
  const out = new Map<string, IrFunction>();
  const visit = (n: string): boolean => {
    if (out.has(n)) return true;
    const l = program.lower(n);
    if (!l || !l.fn.ok) return false;
    out.set(n, l.fn);
    return l.fn.calls.every(visit);
  };
  return visit(name) ? [...out.values()] : null;
}

/**
 * Whether compiled code means exactly what the interpreter means for `name`: not where a helper
 * has a `@derivative` rule (the interpreter checks the rule's shape on every call).
 */
function compilable(program: Program, name: string): IrFunction[] | null {
  const fns = reachable(program, name);
  if (!fns || fns.some((f) => f.annotations.derivative)) return null;
  return fns;
}

/**
 * The primal `name` compiled with its budget and interpreter checks, and, for `kinkWrt` (the
 * differentiated parameters), probes that note a possible kink on values that may depend on them.
 * Null when it cannot be compiled.
 */
export function compilePrimalModule(program: Program, name: string, kinkWrt: string[] | null): CompiledModule | null {
  const fns = compilable(program, name);
  if (!fns) return null;
  const probes = new Map<string, (e: Expr) => boolean>();
  if (kinkWrt) {
    for (const f of fns) {
      // Helpers run by the interpreter without derivatives (@nondifferentiable) record no kinks.
      if (f.annotations.nondifferentiable) continue;
      const active = f.name === name ? new Set(f.params.filter((p) => kinkWrt.includes(p.name)).map((p) => p.v)) : new Set(f.params.map((p) => p.v));
      probes.set(f.name, analyzeActivity({ fn: f, vars: f.vars, body: f.body }, active, () => true).expr);
    }
  }
  const instrument: CompileInstrumentation = { kinkProbes: (n) => probes.get(n) ?? null, entry: name, entryReturns: [] };
  return primalModule(program, name, instrument);
}

/** The primal of `name` (and the functions it calls) printed with `instrument`, compiled and bound. */
function primalModule(program: Program, name: string, instrument: CompileInstrumentation): CompiledModule | null {
  try {
    const ctx = new GenContext(program, { ...COMPILE_OPTIONS, instrument });
    const entry = ctx.fnName(name);
    const printed = definePrimals(program, ctx, new Set());
    if (!printed) return null;
    const parts = printed.map(hoistCountedTicks);
    const m = new CompiledModule();
    m.source = parts.join('\n\n');
    return m.bind(() => link(parts, entry, PRELUDE)) ? m : null;
  } catch (e) {
    if (e instanceof BudgetExceeded) return spentOrNull(e);
    return null;
  }
}

/**
 * The complex step of `name`: the primal compiled over complex numbers (every operation through
 * the table's complex extensions, engine/complexStep.ts), where the function is analytic on what
 * depends on `wrt` (each such operation has an exact complex extension: the derivative rules, which
 * AD uses, play no part, so it is an independent witness). Null where it is not, or cannot be compiled.
 */
export function compileComplexModule(program: Program, name: string, wrt: string[]): CompiledModule | null {
  const fns = compilable(program, name);
  if (!fns || fns.some((f) => f.annotations.nondifferentiable)) return null;
  for (const f of fns) {
    const active = f.name === name ? new Set(f.params.filter((p) => wrt.includes(p.name)).map((p) => p.v)) : new Set(f.params.map((p) => p.v));
    const depends = analyzeActivity({ fn: f, vars: f.vars, body: f.body }, active, () => true).expr;
    let analytic = true;
    forEachExpr(f.body, (e) => {
      const op = e.k === 'binary' ? e.op : e.k === 'math' ? e.fn : e.k === 'neg' ? 'neg' : null;
      const args = e.k === 'binary' ? [e.a, e.b] : e.k === 'math' ? e.args : e.k === 'neg' ? [e.x] : [];
      if (op && !OPS[op].complex && args.some(depends)) analytic = false;
    });
    if (!analytic) return null;
  }
  const instrument: CompileInstrumentation = { kinkProbes: () => null, entry: null, entryReturns: [], complex: true };
  return primalModule(program, name, instrument);
}

/** The generated reverse-mode gradient (or JVP) of `name`, compiled with budget ticks. Null when it cannot be. */
export function compileDerivativeModule(program: Program, name: string, mode: 'reverse' | 'jvp'): CompiledModule | null {
  if (!compilable(program, name)) return null;
  const instrument: CompileInstrumentation = { kinkProbes: () => null, entry: null, entryReturns: [] };
  const m = new CompiledModule();
  const ok = m.bind(() => {
    const made = compileMode(program, name, mode, { ...COMPILE_OPTIONS, instrument }, PRELUDE);
    m.source = made?.source ?? '';
    return made?.code ?? null;
  });
  return ok ? m : null;
}

/** The `return` statements of `fn` in the order the instrumented printer numbers them. */
export function returnsInOrder(fn: IrFunction): Stmt[] {
  const out: Stmt[] = [];
  const walk = (stmts: Stmt[]) => {
    for (const s of stmts) {
      if (s.k === 'return') out.push(s);
      else if (s.k === 'if') { walk(s.then); walk(s.else); }
      else if (s.k === 'loop') { walk(s.body); walk(s.update); }
    }
  };
  walk(fn.body);
  return out;
}

function toComplex(x: number | Complex | undefined): Complex {
  return typeof x === 'object' ? x : toComplexValue(x ?? 0);
}

/**
 * A budget that ran out while compiling: time is the analysis's and stays spent (it goes on up);
 * a size (generated characters, expression nodes) only means this code is not compiled: null, and
 * the interpreter runs instead.
 */
function spentOrNull(e: BudgetExceeded): null {
  if (meter().spent) throw e;
  return null;
}
