// Reverse mode: a tape (Wengert list) recorded while the interpreter runs, then one backward sweep
// accumulates adjoints. Generic over the base algebra of the recorded values so that running it
// over dual numbers gives Hessian-vector products (forward over reverse).

import { Algebra, numberAlgebra, ScalarOp } from './algebra';
import { localPartials } from './derivativeRules';
import { Range } from './ir';

/** A value on (or off, for constants: `i === -1`) the tape. */
export interface TapeValue<S> {
  v: S;
  i: number;
}

/** One recorded operation, as the graph view reads it (built on demand by `entry(i)`). */
export interface TapeEntry<S> {
  op: ScalarOp | 'input' | 'lift';
  value: S;
  parents: number[];
  partials: S[];
  range: Range | null;
  loop?: { id: number; iteration: number };
}

/**
 * The tape is stored flat, so that its memory stays within the budget of engine/budget.ts: per entry its operation, value, source site
 * and the start of its edges; edges (parent, local partial) in two arrays beside. Over plain
 * numbers the value and partial arrays hold unboxed doubles, ~60 bytes an entry in all, instead
 * of an object and two arrays per entry.
 */
export class Tape<S> implements Algebra<TapeValue<S>> {
  private readonly ops: (ScalarOp | 'input' | 'lift')[] = [];
  private readonly values: S[] = [];
  private readonly sites: (Range | null)[] = [];
  /** Edges of entry i are edgeParent/edgePartial[edgeStart[i] .. edgeStart[i + 1]). */
  private readonly edgeStart: number[] = [0];
  private readonly edgeParent: number[] = [];
  private readonly edgePartial: S[] = [];
  /** Loop iterations of entries recorded inside loops (the graph view sets `loop`). */
  private readonly loops = new Map<number, { id: number; iteration: number }>();
  /** Set by the caller before an operation is recorded (graph view). */
  site: Range | null = null;
  loop: { id: number; iteration: number } | undefined;

  constructor(readonly base: Algebra<S>) {}

  /** Entries recorded so far. */
  get size(): number {
    return this.ops.length;
  }

  /** Entry `i` as an object (for the graph view; the sweeps read the flat arrays). */
  entry(i: number): TapeEntry<S> {
    const from = this.edgeStart[i];
    const to = this.edgeStart[i + 1];
    const loop = this.loops.get(i);
    return {
      op: this.ops[i], value: this.values[i], parents: this.edgeParent.slice(from, to), partials: this.edgePartial.slice(from, to),
      range: this.sites[i], ...(loop ? { loop } : {}),
    };
  }

  private record(op: ScalarOp | 'input' | 'lift', value: S): number {
    const i = this.ops.length;
    this.ops.push(op);
    this.values.push(value);
    this.sites.push(op === 'input' ? null : this.site);
    this.edgeStart.push(this.edgeParent.length);
    if (this.loop && op !== 'input') this.loops.set(i, this.loop);
    return i;
  }

  private edge(parent: number, partial: S): void {
    this.edgeParent.push(parent);
    this.edgePartial.push(partial);
    this.edgeStart[this.edgeStart.length - 1] = this.edgeParent.length;
  }

  input(v: S): TapeValue<S> {
    return { v, i: this.record('input', v) };
  }

  constant(c: number): TapeValue<S> {
    return { v: this.base.constant(c), i: -1 };
  }

  primal(x: TapeValue<S>): number {
    return this.base.primal(x.v);
  }

  apply(op: ScalarOp, args: TapeValue<S>[]): TapeValue<S> {
    const B = this.base;
    const vals = args.map((a) => a.v);
    const v = B.apply(op, vals);
    const active = args.map((a) => a.i >= 0);
    if (!active.includes(true)) return { v, i: -1 };
    const p = localPartials(B, op, vals, v, active);
    const i = this.record(op, v);
    for (let k = 0; k < args.length; k++) if (active[k]) this.edge(args[k].i, p[k]);
    return { v, i };
  }

  lift(value: number, inputs: TapeValue<S>[], partials: number[]): TapeValue<S> {
    const v = this.base.constant(value);
    if (!inputs.some((x, k) => x.i >= 0 && partials[k] !== 0)) return { v, i: -1 };
    const i = this.record('lift', v);
    inputs.forEach((x, k) => { if (x.i >= 0 && partials[k] !== 0) this.edge(x.i, this.base.constant(partials[k])); });
    return { v, i };
  }

  /** Adjoints of every entry for the seed `seedAdjoint` on entry `output`. */
  backward(output: number, seedAdjoint: S = this.base.constant(1)): S[] {
    const B = this.base;
    const zero = B.constant(0);
    const adj: S[] = new Array(this.size).fill(zero);
    if (output < 0) return adj;
    adj[output] = seedAdjoint;
    const start = this.edgeStart;
    const parent = this.edgeParent;
    if (B === (numberAlgebra as unknown)) {
      // Plain numbers: skip the generic algebra on the hot loop.
      const a = adj as unknown as number[];
      const partial = this.edgePartial as unknown as number[];
      for (let i = output; i >= 0; i--) {
        const ai = a[i];
        if (ai === 0) continue;
        for (let e = start[i]; e < start[i + 1]; e++) a[parent[e]] += partial[e] * ai;
      }
      return adj;
    }
    const partial = this.edgePartial;
    for (let i = output; i >= 0; i--) {
      const ai = adj[i];
      if (B.primal(ai) === 0 && ai === zero) continue;
      for (let e = start[i]; e < start[i + 1]; e++) {
        const p = parent[e];
        adj[p] = B.apply('+', [adj[p], B.apply('*', [partial[e], ai])]);
      }
    }
    return adj;
  }
}
