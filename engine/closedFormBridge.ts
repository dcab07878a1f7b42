// The one place the analysis asks the symbolic engine for a closed form. A failure there (an
// expression it cannot print) only costs the hover its formula, never the analysis.

import { ClosedFormPartial } from './api';
import { IrFunction, Point } from './ir';
import type { Program } from './program';
import { closedFormInfo } from './symbolic/closedForm';
import { symbolicDerivativeValue } from './symbolic/differentiate';

export function closedFormFor(program: Program, fn: IrFunction): { unicode: ClosedFormPartial[] | null; available: boolean } {
  try {
    const info = closedFormInfo(program, fn.name);
    return { unicode: info.unicode, available: info.available };
  } catch {
    return { unicode: null, available: false };
  }
}

/** The symbolic gradient evaluated at `point` (flat, in `@wrt` order), where there is one. */
export function symbolicGradientValues(program: Program, fn: IrFunction, wrt: string[], point: Point): number[] | null {
  try {
    const r = symbolicDerivativeValue(program, fn.name, point, wrt);
    if (!r.ok) return null;
    return wrt.flatMap((w) => {
      const g = r.gradient[w];
      return Array.isArray(g) ? g : [g];
    });
  } catch {
    return null;
  }
}
