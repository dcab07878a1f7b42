// The eight constants of JavaScript's `Math` object, in one table: the lowering (`Math.LOG2E`
// inside a function), the module constants of a file (`const K = Math.LOG2E` at the top level) and
// the printers (Unicode for hovers, TypeScript for generated code) all read it, so a constant known
// in one place is known in every place.

export interface MathConstant {
  /** The property name, as in `Math.<name>`. */
  name: string;
  value: number;
  /** Unicode math form, for hovers: `π`, `e`, `ln 2`. */
  unicode: string;
  /** The Unicode form reads as one symbol (no parentheses around it as a factor of a product). */
  unicodeAtom: boolean;
  /** TypeScript form, for generated code. */
  ts: string;
  /**
   * When this constant is the reciprocal of another one of the table (LOG2E = 1/LN2), that one's
   * name: a coefficient equal to it prints as a division (`x/ln 2`, not `1.4427x`).
   */
  reciprocalOf?: string;
}

export const MATH_CONSTANTS: readonly MathConstant[] = [
  { name: 'E', value: Math.E, unicode: 'e', unicodeAtom: true, ts: 'Math.E' },
  { name: 'LN10', value: Math.LN10, unicode: 'ln 10', unicodeAtom: true, ts: 'Math.LN10' },
  { name: 'LN2', value: Math.LN2, unicode: 'ln 2', unicodeAtom: true, ts: 'Math.LN2' },
  { name: 'LOG10E', value: Math.LOG10E, unicode: 'log₁₀e', unicodeAtom: true, ts: 'Math.LOG10E', reciprocalOf: 'LN10' },
  { name: 'LOG2E', value: Math.LOG2E, unicode: 'log₂e', unicodeAtom: true, ts: 'Math.LOG2E', reciprocalOf: 'LN2' },
  { name: 'PI', value: Math.PI, unicode: 'π', unicodeAtom: true, ts: 'Math.PI' },
  { name: 'SQRT1_2', value: Math.SQRT1_2, unicode: '1/√2', unicodeAtom: false, ts: 'Math.SQRT1_2' },
  { name: 'SQRT2', value: Math.SQRT2, unicode: '√2', unicodeAtom: false, ts: 'Math.SQRT2' },
];

const BY_NAME = new Map(MATH_CONSTANTS.map((c) => [c.name, c]));

/** `Math.<name>`'s entry, or undefined when `name` is not one of the eight constants. */
export function mathConstant(name: string): MathConstant | undefined {
  return BY_NAME.get(name);
}

/** The constant whose value is exactly `v`, if any. */
export function mathConstantOfValue(v: number): MathConstant | undefined {
  return MATH_CONSTANTS.find((c) => c.value === v);
}

// The constants of JavaScript's `Number` object (`Number.EPSILON`, …), beside Math's: the lowering
// and the module constants of a file read them here. They print as numbers (none has a symbol).

export interface NumberConstant {
  /** The property name, as in `Number.<name>`. */
  name: string;
  value: number;
}

export const NUMBER_CONSTANTS: readonly NumberConstant[] = [
  { name: 'EPSILON', value: Number.EPSILON },
  { name: 'MAX_VALUE', value: Number.MAX_VALUE },
  { name: 'MIN_VALUE', value: Number.MIN_VALUE },
  { name: 'MAX_SAFE_INTEGER', value: Number.MAX_SAFE_INTEGER },
  { name: 'MIN_SAFE_INTEGER', value: Number.MIN_SAFE_INTEGER },
  { name: 'POSITIVE_INFINITY', value: Number.POSITIVE_INFINITY },
  { name: 'NEGATIVE_INFINITY', value: Number.NEGATIVE_INFINITY },
  { name: 'NaN', value: Number.NaN },
];

const NUMBER_BY_NAME = new Map(NUMBER_CONSTANTS.map((c) => [c.name, c]));

/** `Number.<name>`'s entry, or undefined when `name` is not one of its constants. */
export function numberConstant(name: string): NumberConstant | undefined {
  return NUMBER_BY_NAME.get(name);
}
