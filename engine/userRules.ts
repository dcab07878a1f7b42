// User rules: a helper with `@derivative d` (like `jax.custom_jvp`) is differentiated through `d`
// rather than through its body. This module says, once for the interpreter (evaluate.ts) and the
// code generators (codegen/reverse.ts, codegen/jvp.ts), what such a rule means:
//
// - it covers the helper's `@wrt` parameters, or all of them, in parameter order (`ruleEntries`);
//   the others are held constant;
// - it takes the helper's arguments and returns, for one covered parameter, that parameter's
//   partial (a number for a number, an array of the parameter's shape for an array), and for
//   several, one entry per covered parameter in that order (`partialOf`);
// - a call's value depends on its arguments only through covered ones (`helperDependsOn`);
// - flattened, the partials pair with the flattened arguments one to one (`rulePartials`).
//
// A rule is used on a helper that returns a number (`ruleApplies`).

import type { IrFunction } from './ir';

/** A covered parameter and where the rule's result holds its partial. */
export interface RuleEntry {
  /** The parameter's index. */
  param: number;
  /** The entry of the result holding its partial; null: the result itself (a rule over one parameter). */
  entry: number | null;
  /** An array parameter: its partial is an array of the parameter's shape. */
  array: boolean;
  /** The parameter's array depth (0 for a number). */
  depth: number;
}

/** Indices of the parameters a `@derivative` rule covers: the helper's `@wrt`, or all of them. */
export function ruleParams(helper: IrFunction): number[] {
  const w = helper.annotations.wrt;
  return helper.params.map((_, i) => i).filter((i) => !w || w.includes(helper.params[i].name));
}

/** The covered parameters, in order, with where each one's partial is in the rule's result. */
export function ruleEntries(helper: IrFunction): RuleEntry[] {
  const params = ruleParams(helper);
  return params.map((param, k) => ({
    param,
    entry: params.length === 1 ? null : k,
    array: helper.params[param].type === 'arr',
    depth: helper.params[param].depth,
  }));
}

/** Whether the helper's rule can be used: rules are for helpers that return a number. */
export function ruleApplies(helper: IrFunction): boolean {
  return helper.returnType === 'num';
}

/** The partial of `entry` in a rule's result, `index` reading an entry of it. */
export function partialOf<V>(result: V, entry: RuleEntry, index: (v: V, k: number) => V): V {
  return entry.entry === null ? result : index(result, entry.entry);
}

/**
 * Whether a call of `helper` depends on the differentiated inputs, given which arguments do: never
 * for a `@nondifferentiable` helper, through covered parameters only for one with a rule.
 */
export function helperDependsOn(helper: IrFunction, argActive: readonly boolean[]): boolean {
  if (helper.annotations.nondifferentiable) return false;
  if (helper.annotations.derivative) {
    const covered = ruleParams(helper);
    return argActive.some((a, i) => a && covered.includes(i));
  }
  return argActive.some((a) => a);
}

/** A value of the interpreter: a scalar, a (nested) array, or a boolean. */
type Nested<T> = T | Nested<T>[] | boolean;

function flat<T>(v: Nested<T>, out: Nested<T>[]): Nested<T>[] {
  if (!Array.isArray(v)) out.push(v);
  else for (const x of v) flat(x, out);
  return out;
}

/** What is wrong with the shape of a rule's result. */
export type RuleShapeError =
  /** Not one entry per covered parameter. */
  | { kind: 'entries'; params: string[] }
  /** An entry whose size is not its parameter's. */
  | { kind: 'size'; param: string };

/**
 * The covered arguments' scalars and their partials from the rule's `result`, both flattened in
 * the same order (covered parameters in order, array elements in order), or what is wrong with
 * the result's shape.
 */
export function rulePartials<T>(helper: IrFunction, args: Nested<T>[], result: Nested<number>): { inputs: T[]; partials: number[] } | RuleShapeError {
  const entries = ruleEntries(helper);
  if (entries.length !== 1 && (!Array.isArray(result) || result.length !== entries.length)) {
    return { kind: 'entries', params: entries.map((e) => helper.params[e.param].name) };
  }
  const inputs: T[] = [];
  const partials: number[] = [];
  for (const e of entries) {
    const flatIn = flat(args[e.param], []) as T[];
    const flatD = flat(partialOf(result, e, (r, k) => (r as Nested<number>[])[k]), []) as number[];
    if (flatIn.length !== flatD.length) return { kind: 'size', param: helper.params[e.param].name };
    inputs.push(...flatIn);
    partials.push(...flatD);
  }
  return { inputs, partials };
}
