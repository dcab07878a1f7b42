// Closed forms for the hover (Unicode math) and for "Insert gradient function (closed form)"
// (TypeScript with named temporaries). Both are offered only where they are readable: the gradient,
// with shared subexpressions counted once, takes at most a small multiple of the function's own
// operations; and a hover formula, printed as a tree (shared subexpressions written out at every
// use), is at most UNICODE_MAX_LENGTH characters, which is decided from memoised sizes before
// anything is printed.
//
// The work is charged to the current meter (engine/budget.ts): nodes built, characters printed,
// time. An exhausted budget is not a fault: closedFormGradient lets BudgetExceeded through, and
// closedFormInfo reports it in `exhausted`.

import ts = require('typescript');
import { BudgetExceeded, inPhase } from '../budget';
import type { IrParam } from '../ir';
import type { Program } from '../program';
import { chargeGeneratedChars } from './charge';
import { flat, SymbolicGradient, symbolicGradient } from './differentiate';
import { toCode, toUnicodeWithin } from './print';
import { indentUnit, typeAnnotation } from '../codegen/code';
import { identifierBase } from '../codegen/names';

/** Gradient operations allowed per operation of the function (plus a little slack for tiny ones). */
const OPS_RATIO = 6;
const OPS_SLACK = 16;
/** Above this many operations a closed form is not readable whatever the function's size. */
const OPS_CAP = 400;
/** Longest Unicode partial shown in a hover. */
export const UNICODE_MAX_LENGTH = 160;
/** Longest line of generated code before the returned array is broken over lines. */
const LINE_WIDTH = 100;

function readability(g: SymbolicGradient): string | null {
  const limit = Math.min(OPS_CAP, OPS_RATIO * g.functionOps + OPS_SLACK);
  if (g.gradientOps > limit) {
    return `The closed form would take ${g.gradientOps} operations against the function's ${g.functionOps}; it is not readable (use the reverse-mode gradient).`;
  }
  return null;
}

/**
 * `∂f/∂x` for each `@wrt` parameter (each element `w[i]` of a fixed-length array) in Unicode math,
 * or null when the function has no readable closed form.
 */
export function closedFormUnicode(program: Program, fnName: string): { param: string; unicode: string }[] | null {
  return closedFormInfo(program, fnName).unicode;
}

/**
 * A TypeScript function `name` with the parameters of `fnName` that returns its gradient in closed
 * form (the shape of a hand-written gradient: a number or number[] for one `@wrt` parameter, a tuple in `@wrt` order for
 * several), or the reason none is offered. Throws BudgetExceeded when a budget of the current
 * meter runs out (the caller reports which).
 */
export function closedFormGradient(program: Program, fnName: string, name: string, overArrays?: ClosedFormOverArrays): { code: string } | { reason: string } {
  try {
    return generateClosedForm(program, fnName, name, overArrays);
  } catch (e) {
    if (e instanceof BudgetExceeded) throw e;
    // A fault of ours costs the closed form, never the analysis.
    return { reason: `Internal error of the symbolic engine: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * A closed form for engine/codegen/generate.ts to call from a function with the user's signature:
 * record parameters typed as the arrays of their fields (as the IR holds them), with respect to
 * `wrt`, not exported.
 */
export interface ClosedFormOverArrays { wrt: string[] }

function generateClosedForm(program: Program, fnName: string, name: string, overArrays?: ClosedFormOverArrays): { code: string } | { reason: string } {
  const r = symbolicGradient(program, fnName, { ...(overArrays ? { wrt: overArrays.wrt } : {}), identifierNames: true });
  if (!r.ok) return { reason: r.reason };
  const g = r.gradient;
  const notReadable = readability(g);
  if (notReadable) return { reason: notReadable };

  const paramNames = new Set(g.fn.params.map((p) => identifierBase(p.name)));
  const prefix = ['t', 'tmp', 'u', 'aux'].find((c) => ![...paramNames, name].some((n) => new RegExp(`^${c}\\d+$`).test(n))) ?? '_t';
  const roots = g.partials.flatMap((p) => flat(p.value));
  // A shared subexpression the function names with a `const` keeps that name (`const c =
  // Math.exp(a)` stays `c`, not `t1`): the reader recognises it; each name once, never a parameter's.
  const localNames = new Set<string>();
  const tempName = (i: number, id: number): string => {
    const local = g.locals.get(id);
    if (local && !localNames.has(local) && !paramNames.has(local) && local !== name && !new RegExp(`^${prefix}\\d+$`).test(local)) {
      localNames.add(local);
      return local;
    }
    return `${prefix}${i}`;
  };
  const listing = inPhase('symbolic printing', () => toCode(g.graph, roots, tempName));

  // Reassemble the roots into the gradient's shape.
  let k = 0;
  const parts = g.partials.map((p) => {
    if (Array.isArray(p.value)) return { array: p.value.map(() => listing.roots[k++]) };
    return { scalar: listing.roots[k++] };
  });
  const partType = (x: { array?: string[] }) => (x.array ? 'number[]' : 'number');
  const returnType = parts.length === 1 ? partType(parts[0]) : `[${parts.map(partType).join(', ')}]`;
  const value: Shape = parts.length === 1
    ? (parts[0].array ? parts[0].array : parts[0].scalar!)
    : parts.map((x) => (x.array ? x.array : x.scalar!));

  const source = program.functions.get(fnName);
  const exported = !overArrays && source !== undefined && isExported(source.decl);
  const typeText = (p: IrParam) => (overArrays && p.record ? (p.depth > 1 ? 'number[][]' : 'number[]') : p.typeText);
  const wrtText = g.partials.map((p) => p.param).join(', ');
  const lines: string[] = [
    '/**',
    ` * Gradient of \`${fnName}\` with respect to ${wrtText}, in closed form.`,
    ' * Generated by Gradlens from the symbolic derivative (simplified, shared subexpressions named);',
    ' * regenerate it when the function changes.',
    ' */',
    `${exported ? 'export ' : ''}function ${name}(${g.fn.params.map((p) => `${identifierBase(p.name)}${typeAnnotation(typeText(p))}`).join(', ')})${typeAnnotation(returnType)} {`,
  ];
  for (const t of listing.temporaries) lines.push(`${indentUnit()}const ${t.name} = ${t.expr};`);
  lines.push(...formatReturn(value));
  lines.push('}');
  const code = lines.join('\n') + '\n';
  chargeGeneratedChars(code.length);
  return { code };
}

type Shape = string | Shape[];

function inline(v: Shape): string {
  return typeof v === 'string' ? v : `[${v.map(inline).join(', ')}]`;
}

/** `return …;`, on one line when it fits, else one array element per line. */
function formatReturn(value: Shape): string[] {
  const unit = indentUnit();
  const oneLine = `${unit}return ${inline(value)};`;
  if (oneLine.length <= LINE_WIDTH || typeof value === 'string') return [oneLine];
  const out: string[] = [`${unit}return [`];
  const emit = (v: Shape, indent: string, last: string) => {
    const flatText = `${indent}${inline(v)}${last}`;
    if (typeof v === 'string' || flatText.length <= LINE_WIDTH) { out.push(flatText); return; }
    out.push(`${indent}[`);
    for (const x of v) emit(x, indent + unit, ',');
    out.push(`${indent}]${last}`);
  };
  for (const x of value) emit(x, unit + unit, ',');
  out.push(`${unit}];`);
  return out;
}

function isExported(decl: ts.Node): boolean {
  const mods = ts.canHaveModifiers(decl) ? ts.getModifiers(decl) : undefined;
  return mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
}

export interface ClosedFormInfo {
  /** Unicode partials for the hover, or null when not readable. */
  unicode: { param: string; unicode: string }[] | null;
  /** Whether "Insert gradient function (closed form)" can be offered. */
  available: boolean;
  /** Why there is no closed form, when there is none. */
  reason: string | null;
  /** The budget that stopped the symbolic engine (not a readability refusal), if one did. */
  exhausted: BudgetExceeded | null;
}

/**
 * What the analysis needs for one function, from one symbolic differentiation. Never throws: an
 * exhausted budget comes back in `exhausted` (no formula, no closed form).
 */
export function closedFormInfo(program: Program, fnName: string): ClosedFormInfo {
  try {
    return info(program, fnName);
  } catch (e) {
    if (e instanceof BudgetExceeded) return { unicode: null, available: false, reason: `No closed form: ${e.message}.`, exhausted: e };
    return { unicode: null, available: false, reason: `Internal error of the symbolic engine: ${e instanceof Error ? e.message : String(e)}`, exhausted: null };
  }
}

function info(program: Program, fnName: string): ClosedFormInfo {
  const r = symbolicGradient(program, fnName);
  if (!r.ok) return { unicode: null, available: false, reason: r.reason, exhausted: null };
  const notReadable = readability(r.gradient);
  if (notReadable) return { unicode: null, available: false, reason: notReadable, exhausted: null };
  if (r.gradient.fn.params.some((p) => p.type === 'arr' && p.tupleLength === undefined)) {
    return { unicode: null, available: false, reason: 'An array parameter has no fixed length.', exhausted: null };
  }
  const unicode = inPhase('symbolic printing', () => unicodePartials(r.gradient));
  return { unicode, available: true, reason: null, exhausted: null };
}

function unicodePartials(g: SymbolicGradient): { param: string; unicode: string }[] | null {
  const items = g.partials.flatMap((p) => (Array.isArray(p.value)
    ? p.value.map((id, i) => ({ param: `${p.param}[${i}]`, id }))
    : [{ param: p.param, id: p.value }]));
  const ids = items.map((it) => it.id);
  // Inline first; when that is too long, say it with the function's own named locals (ex, ey,
  // d1), which the reader sees right below the hover; all partials alike, for consistency. (With
  // no locals the second attempt would print the same.) A partial whose tree-expanded size is
  // over the limit is refused before it is printed.
  for (const names of g.locals.size > 0 ? [undefined, g.locals] : [undefined]) {
    const printed = toUnicodeWithin(g.graph, ids, UNICODE_MAX_LENGTH, names);
    if (printed) return items.map(({ param }, i) => ({ param, unicode: printed[i] }));
  }
  return null;
}
