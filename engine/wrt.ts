// Which parameters are differentiated: one definition for the analysis and the code generators
// (which read it without importing the analysis, so that the compiled live path can import them).

import { IrFunction } from './ir';

/**
 * Parameters differentiated: `@wrt`, else every number, one-level array, record or array of records
 * (not arrays of arrays, captured values, `this` fields, nor parameters held constant: booleans,
 * strings, enums, options objects).
 */
export function wrtOf(fn: IrFunction): string[] {
  return fn.annotations.wrt ?? fn.params.filter((p) => !p.implicit && !p.constant && (p.depth <= 1 || (!!p.record && p.depth === 2))).map((p) => p.name);
}
