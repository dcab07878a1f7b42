// Forward mode: dual numbers v + d·ε. One sweep gives a Jacobian-vector product; a full gradient
// takes one sweep per input component.

import { Algebra, applyNumber, numberAlgebra } from './algebra';
import { localPartials } from './derivativeRules';

export interface Dual {
  v: number;
  d: number;
}

export const dualAlgebra: Algebra<Dual> = {
  constant: (c) => ({ v: c, d: 0 }),
  primal: (x) => x.v,
  apply(op, args) {
    const vals = args.map((a) => a.v);
    const v = applyNumber(op, vals);
    const active = args.map((a) => a.d !== 0);
    if (!active.includes(true)) return { v, d: 0 };
    const p = localPartials(numberAlgebra, op, vals, v, active);
    let d = 0;
    for (let i = 0; i < args.length; i++) if (active[i]) d += p[i] * args[i].d;
    return { v, d };
  },
  lift(value, inputs, partials) {
    let d = 0;
    for (let i = 0; i < inputs.length; i++) if (inputs[i].d !== 0) d += partials[i] * inputs[i].d;
    return { v: value, d };
  },
};
