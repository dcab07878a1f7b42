// The live analysis's compiled code: the function (with kink probes), its generated reverse-mode
// gradient and JVP, and the hand-written derivatives, each compiled once per version of the texts
// involved (engine/compileIr.ts) and run within the budgets. Every method returns null where the
// compiled code cannot be trusted to mean what the interpreter means (it could not be compiled,
// a run stopped on something the interpreter reports, or its step budget): the caller then runs
// the interpreter, which stays the reference.

import { wrtIndices } from '../codegen/generate';
import { someStmt } from '../codegen/stmtWalk';
import { CompiledModule, CompiledRun, compileComplexModule, compileDerivativeModule, compilePrimalModule, returnsInOrder } from '../compileIr';
import { copyValue as copy, flatten, type Value } from '../evaluate';
import { IrFunction, Point, Stmt } from '../ir';
import type { Program } from '../program';

type Mode = 'primal' | 'reverse' | 'jvp' | 'hand' | 'complex';

/** Compiled modules by the texts they were compiled from (a few recent versions of a few functions). */
const CACHE = new Map<string, CompiledModule | null>();
const CACHE_SIZE = 64;

export class LiveCode {
  private readonly modules = new Map<string, CompiledModule | null>();

  /** Steps of the last run of the function (about the interpreter's count). */
  lastSteps = 0;

  /** Compiled runs that gave a result, per mode (the tests count them). */
  readonly runs: Record<Mode, number> = { primal: 0, reverse: 0, jvp: 0, hand: 0, complex: 0 };

  constructor(readonly program: Program, readonly fn: IrFunction, readonly wrt: string[], readonly stepBudget: number) {}

  /** The parameters the generated gradient differentiates, in the order of its result (null: it has none). */
  get generatedWrt(): string[] | null {
    const w = wrtIndices(this.fn);
    return typeof w === 'string' ? null : w.map((i) => this.fn.params[i].name);
  }

  /** The function's value, and whether it may have met a kink on values that depend on the `@wrt` inputs. */
  value(args: Value<number>[]): CompiledRun | null {
    const r = this.run('primal', this.fn.name, args);
    if (r) this.lastSteps = r.steps;
    return r;
  }

  /** The generated reverse-mode gradient, shaped as generated (a number, an array, a tuple in `@wrt` order, a Jacobian). */
  gradient(args: Value<number>[]): Value<number> | null {
    return (this.run('reverse', this.fn.name, args)?.value as Value<number> | undefined) ?? null;
  }

  /** The generated JVP: `[value, derivative]` along `tangents` (one per `@wrt` parameter, shaped like it). */
  jvp(args: Value<number>[], tangents: Value<number>[]): Value<number> | null {
    return (this.run('jvp', this.fn.name, [...args, ...tangents])?.value as Value<number> | undefined) ?? null;
  }

  /**
   * J·v at `point` (in the IR's form) along `v`, flat over `components` (in `@wrt` order, as the
   * Differentiator numbers them), from the generated JVP: `outputs` numbers, or null where it does
   * not apply (another `@wrt` than the generated code's, records) or is not trusted (a stop, a
   * number not finite, another shape). Callers use it only where the compiled value met no kink.
   */
  jvpAlong(point: Point, components: readonly { param: string }[], v: number[], outputs: number): number[] | null {
    const generated = this.generatedWrt;
    if (!generated || this.fn.returnRecord || this.fn.params.some((p) => p.record)) return null;
    const first = new Map<string, number>();
    components.forEach((c, k) => { if (!first.has(c.param)) first.set(c.param, k); });
    if (generated.length !== first.size || !generated.every((n) => first.has(n))) return null;
    // (the generated JVP takes one tangent per differentiated parameter, in the parameters' order)
    const tangents = this.fn.params.filter((p) => first.has(p.name)).map((p) => {
      let k = first.get(p.name)!;
      const shaped = (x: Value<number>): Value<number> => (Array.isArray(x) ? x.map(shaped) : v[k++]);
      return shaped(point[p.name] as Value<number>);
    });
    const out = this.jvp(this.fn.params.map((p) => point[p.name] as Value<number>), tangents);
    if (!Array.isArray(out) || out.length !== 2) return null;
    const derivative = flatten(out[1]);
    if (derivative.length !== outputs || !derivative.every((x) => typeof x === 'number' && Number.isFinite(x))) return null;
    return derivative as number[];
  }

  /**
   * The function over complex numbers (args: the `@wrt` components perturbed along i·h·v), where
   * it is analytic on what depends on the inputs; null where it is not (or a run stopped).
   */
  complexStep(args: Value<number>[]): unknown | null {
    return this.run('complex', this.fn.name, args)?.value ?? null;
  }

  /** A hand-written function's result and the `return` it left through (for the components' ranges). */
  hand(hand: IrFunction, args: Value<number>[]): { value: Value<number>; ret: (Stmt & { k: 'return' }) | undefined } | null {
    const r = this.run('hand', hand.name, args);
    if (!r) return null;
    const returns = returnsInOrder(hand);
    return { value: r.value as Value<number>, ret: returns[r.returnIndex] as (Stmt & { k: 'return' }) | undefined };
  }

  private run(mode: Mode, name: string, args: Value<number>[]): CompiledRun | null {
    const m = this.module(mode, name);
    if (!m) return null;
    // (copies only where the code may write into an array: the callers' arrays stay as they were)
    const r = m.run(this.mayWrite(name) ? args.map(copy) : args, this.stepBudget);
    if (r) this.runs[mode]++;
    return r;
  }

  private readonly writes = new Map<string, boolean>();

  /** Whether `name` or a function it calls stores into or pushes onto an array (any: an array may alias a parameter). */
  private mayWrite(name: string): boolean {
    let w = this.writes.get(name);
    if (w === undefined) {
      const seen = new Set<string>();
      const visit = (n: string): boolean => {
        if (seen.has(n)) return false;
        seen.add(n);
        const l = this.program.lower(n);
        return !l || someStmt(l.fn.body, (s) => s.k === 'store' || s.k === 'push') || l.fn.calls.some(visit);
      };
      w = visit(name);
      this.writes.set(name, w);
    }
    return w;
  }

  private module(mode: Mode, name: string): CompiledModule | null {
    const local = `${mode}\u0000${name}`;
    if (this.modules.has(local)) return this.modules.get(local)!;
    const key = this.key(mode, name);
    let m: CompiledModule | null;
    if (key !== null && CACHE.has(key)) {
      m = CACHE.get(key)!;
      CACHE.delete(key);
    } else {
      m = mode === 'primal' ? compilePrimalModule(this.program, name, this.wrt)
        : mode === 'hand' ? compilePrimalModule(this.program, name, null)
          : mode === 'complex' ? compileComplexModule(this.program, name, this.wrt)
          : compileDerivativeModule(this.program, name, mode);
    }
    if (key !== null) {
      CACHE.set(key, m);
      if (CACHE.size > CACHE_SIZE) CACHE.delete(CACHE.keys().next().value!);
    }
    this.modules.set(local, m);
    return m;
  }

  /**
   * What a module is compiled from: the IR of the functions reachable from `name` without its
   * source positions (so whatever the lowering read elsewhere in the file counts: constants,
   * record layouts), and the `@wrt` of the kink probes and the generated derivatives. Null when a
   * function does not lower (nothing is cached then).
   */
  private key(mode: Mode, name: string): string | null {
    const parts: string[] = [];
    const seen = new Set<string>();
    const visit = (n: string): boolean => {
      if (seen.has(n)) return true;
      seen.add(n);
      const l = this.program.lower(n);
      if (!l) return false;
      parts.push(irText(l.fn));
      return l.fn.calls.every(visit);
    };
    if (!visit(name)) return null;
    return [mode, name, mode === 'hand' ? '' : this.wrt.join(','), ...parts.sort()].join('\u0000');
  }
}


/** Each lowered function's key text, once (the primal, its gradient and the check all key on it). */
const IR_TEXTS = new WeakMap<IrFunction, string>();

function irText(fn: IrFunction): string {
  let t = IR_TEXTS.get(fn);
  if (t === undefined) {
    t = JSON.stringify(fn, withoutPositions);
    IR_TEXTS.set(fn, t);
  }
  return t;
}

/**
 * JSON without source ranges (they move with every edit above a function; the code does not) and
 * of the tags only those that change the code (not an @at point's data); -0, NaN and the
 * infinities kept apart.
 */
function withoutPositions(key: string, value: unknown): unknown {
  if (/range$/i.test(key) || /Ranges$/.test(key)) return undefined;
  if (key === 'annotations' && value && typeof value === 'object') {
    const a = value as { wrt?: unknown; nondifferentiable?: unknown; derivative?: unknown };
    return { wrt: a.wrt, nondifferentiable: a.nondifferentiable, derivative: a.derivative };
  }
  if (typeof value === 'number' && (Object.is(value, -0) || !Number.isFinite(value))) return `#${Object.is(value, -0) ? '-0' : String(value)}`;
  return value;
}


