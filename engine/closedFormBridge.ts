// The one place the analysis asks the symbolic engine for a closed form. A failure there (an
// expression it cannot print) only costs the hover its formula, never the analysis; neither does
// an exhausted budget, which is returned (for a GL007) rather than thrown.

import { ClosedFormPartial } from './api';
import { BudgetExceeded, meter } from './budget';
import { IrFunction, Point } from './ir';
import type { Program } from './program';
import { closedFormInfo } from './symbolic/closedForm';
import { symbolicDerivativeValue } from './symbolic/differentiate';

export interface ClosedFormResult {
  /** The hover's partials, or null when there is no readable formula. */
  unicode: ClosedFormPartial[] | null;
  /** Whether "Insert gradient function (closed form)" is offered. */
  available: boolean;
  /**
   * The budget (symbolic nodes, printed characters, time) that stopped the symbolic engine, or
   * null. A formula refused as unreadable (too long) is not an exhaustion. Once the meter's time
   * is spent this is its failure, whatever else went wrong.
   */
  exhausted: BudgetExceeded | null;
}

export function closedFormFor(program: Program, fn: IrFunction): ClosedFormResult {
  try {
    const info = closedFormInfo(program, fn.name);
    return { unicode: info.unicode, available: info.available, exhausted: info.exhausted ?? meter().failure };
  } catch (e) {
    return { unicode: null, available: false, exhausted: e instanceof BudgetExceeded ? e : meter().failure };
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
