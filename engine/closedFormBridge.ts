// The one place the analysis asks the symbolic engine for a closed form. Kept apart so a failure
// there (an expression it cannot print) only costs the hover its formula.

import { ClosedFormPartial } from './api';
import { IrFunction, Point } from './ir';
import type { Program } from './program';

export function closedFormFor(program: Program, fn: IrFunction): { unicode: ClosedFormPartial[] | null; available: boolean } {
  void program; void fn;
  return { unicode: null, available: false };
}

/** The symbolic gradient evaluated at `point` (flat, in `@wrt` order), where there is one. */
export function symbolicGradientValues(program: Program, fn: IrFunction, wrt: string[], point: Point): number[] | null {
  void program; void fn; void wrt; void point;
  return null;
}
