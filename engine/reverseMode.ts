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

export interface TapeEntry<S> {
  op: ScalarOp | 'input' | 'lift';
  value: S;
  parents: number[];
  partials: S[];
  range: Range | null;
  loop?: { id: number; iteration: number };
}

export class Tape<S> implements Algebra<TapeValue<S>> {
  readonly entries: TapeEntry<S>[] = [];
  /** Set by the caller before an operation is recorded (graph view). */
  site: Range | null = null;
  loop: { id: number; iteration: number } | undefined;

  constructor(readonly base: Algebra<S>) {}

  input(v: S): TapeValue<S> {
    this.entries.push({ op: 'input', value: v, parents: [], partials: [], range: null });
    return { v, i: this.entries.length - 1 };
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
    const parents: number[] = [];
    const partials: S[] = [];
    for (let k = 0; k < args.length; k++) {
      if (active[k]) { parents.push(args[k].i); partials.push(p[k]); }
    }
    this.entries.push({ op, value: v, parents, partials, range: this.site, loop: this.loop });
    return { v, i: this.entries.length - 1 };
  }

  lift(value: number, inputs: TapeValue<S>[], partials: number[]): TapeValue<S> {
    const parents: number[] = [];
    const ps: S[] = [];
    inputs.forEach((x, k) => { if (x.i >= 0 && partials[k] !== 0) { parents.push(x.i); ps.push(this.base.constant(partials[k])); } });
    const v = this.base.constant(value);
    if (parents.length === 0) return { v, i: -1 };
    this.entries.push({ op: 'lift', value: v, parents, partials: ps, range: this.site, loop: this.loop });
    return { v, i: this.entries.length - 1 };
  }

  /** Adjoints of every entry for the seed `seedAdjoint` on entry `output`. */
  backward(output: number, seedAdjoint: S = this.base.constant(1)): S[] {
    const B = this.base;
    const zero = B.constant(0);
    const adj: S[] = new Array(this.entries.length).fill(zero);
    if (output < 0) return adj;
    adj[output] = seedAdjoint;
    if (B === (numberAlgebra as unknown)) {
      // Plain numbers: skip the generic algebra on the hot loop.
      const a = adj as unknown as number[];
      for (let i = output; i >= 0; i--) {
        const ai = a[i];
        if (ai === 0) continue;
        const e = this.entries[i] as unknown as TapeEntry<number>;
        for (let k = 0; k < e.parents.length; k++) a[e.parents[k]] += e.partials[k] * ai;
      }
      return adj;
    }
    for (let i = output; i >= 0; i--) {
      const ai = adj[i];
      if (B.primal(ai) === 0 && ai === zero) continue;
      const e = this.entries[i];
      for (let k = 0; k < e.parents.length; k++) {
        const p = e.parents[k];
        adj[p] = B.apply('+', [adj[p], B.apply('*', [e.partials[k], ai])]);
      }
    }
    return adj;
  }
}
