// Prepares an IR function for code generation, in five passes over a working copy (work.ts):
//
// 1. control flow is normalised so that `break` and `return` only end blocks, and a `return`
//    inside a loop sets a result and a flag and breaks out (normalize.ts);
// 2. array-valued subexpressions get hidden variables of their own, so adjoint arrays always
//    belong to a variable (extract.ts);
// 3. activity analysis: which variables depend on the differentiated parameters (activity.ts);
// 4. values the derivative rules need become named temporaries (extract.ts);
// 5. statements are numbered so the generator can ask "is this variable still the same when the
//    reverse sweep gets here?" (layout.ts; the reverse-mode generator builds it over its aliases).
//
// Forward mode (jvp.ts) runs a lighter pipeline: no control-flow normalisation (its statements
// keep their order), every helper call named.

import { IrFunction } from '../ir';
import { helperDependsOn } from '../userRules';
import { Activity, analyzeActivity } from './activity';
import type { GenContext } from './context';
import { exprType, extractArrays, extractTemps } from './extract';
import { normalizeWork, substituteHiddenAliases } from './normalize';
import { copyWork, Work } from './work';

/** The type of a helper's result: a number, or an array of the depth its declared type says. */
function callType(ctx: GenContext, name: string): { t: 'num' | 'arr'; d: number } {
  const f = ctx.resolve(name);
  const depth = f.returnType === 'arr' ? Math.max(1, ((f.returnTypeText ?? '').match(/\[\]/g) ?? []).length) : 0;
  return { t: f.returnType, d: depth };
}

function prepare(ctx: GenContext, fn: IrFunction, wrtVars: Set<number>, mode: 'reverse' | 'forward'): { w: Work; act: Activity } {
  const w = copyWork(fn);
  if (mode === 'reverse') normalizeWork(w);
  else substituteHiddenAliases(w);
  extractArrays(w, (e) => exprType(e, w.vars, (name) => callType(ctx, name)));
  const act = analyzeActivity(w, wrtVars, (name, argActive) => helperDependsOn(ctx.resolve(name), argActive));
  extractTemps(w, act, mode === 'forward');
  return { w, act };
}

/** Passes 1 to 4 for reverse mode, differentiating the variables `wrtVars`. */
export function prepareReverse(ctx: GenContext, fn: IrFunction, wrtVars: Set<number>): { w: Work; act: Activity } {
  return prepare(ctx, fn, wrtVars, 'reverse');
}

/** Passes 2 to 4 for forward mode (hidden aliases substituted; every helper call named). */
export function prepareForward(ctx: GenContext, fn: IrFunction, wrtVars: Set<number>): { w: Work; act: Activity } {
  return prepare(ctx, fn, wrtVars, 'forward');
}
