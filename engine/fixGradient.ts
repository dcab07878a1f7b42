// "Fix hand-written gradient" at the smallest scope that works: each wrong component's own
// expression (an element of the returned tuple or array literal, a value of the returned object,
// or the returned expression of a one-parameter gradient) is replaced by the closed-form partial
// derivative. Where that is not possible (a component computed in a loop, no closed form, renamed
// parameters), it returns null and the caller regenerates the whole function.

import { AnalysisOptions, DEFAULT_OPTIONS, Range } from './api';
import { analyzeFile } from './analyzeFile';
import { budgeted } from './budget';
import { parseProgram } from './program';
import { symbolicGradient } from './symbolic/differentiate';
import { PrintedSizes, toCodeInline } from './symbolic/print';

/** A component's fix is pasted inline: longer than this, it is no fix a person can read. */
const MAX_INLINE_FIX = 400;

export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export function componentFixes(text: string, fnName: string, options?: Partial<AnalysisOptions>): TextEdit[] | null {
  try {
    return budgeted({ ...DEFAULT_OPTIONS, ...options }.timeBudgetMs, () => fixes(text, fnName, options));
  } catch {
    return null;
  }
}

function fixes(text: string, fnName: string, options?: Partial<AnalysisOptions>): TextEdit[] | null {
  const fa = analyzeFile(text, options).functions.find((f) => f.name === fnName);
  const check = fa?.check;
  if (!fa || !check || check.status !== 'wrong') return null;
  const program = parseProgram(text);
  const fn = program.lower(fnName)?.fn;
  const hand = program.lower(check.name)?.fn;
  if (!fn || !hand) return null;
  // The replacement is written in the function's parameter names.
  if (hand.params.length !== fn.params.length || hand.params.some((p, i) => p.name !== fn.params[i].name)) return null;
  const sym = symbolicGradient(program, fnName, { wrt: fa.wrt });
  if (!sym.ok) return null;
  const g = sym.gradient;

  // Which components share a source range: a range computing several components (a loop) cannot
  // take one closed-form expression.
  const owners = new Map<string, Set<string>>();
  const key = (r: Range) => `${r.start}:${r.end}`;
  for (const p of check.points) for (const c of p.components) {
    if (!c.range) continue;
    const s = owners.get(key(c.range)) ?? new Set<string>();
    s.add(c.label);
    owners.set(key(c.range), s);
  }
  const edits = new Map<string, TextEdit>();
  const sizes = new PrintedSizes(g.graph);
  for (const p of check.points) for (const c of p.components) {
    if (c.verdict !== 'wrong') continue;
    if (!c.range || owners.get(key(c.range))!.size !== 1) return null;
    const partial = g.partials.find((q) => q.param === c.param);
    if (!partial) return null;
    const id = Array.isArray(partial.value) ? (c.index === null ? undefined : partial.value[c.index]) : partial.value;
    if (id === undefined) return null;
    // A swelling partial (unrolled iterations): the caller regenerates the whole function instead.
    if (sizes.of(id) > MAX_INLINE_FIX) return null;
    edits.set(key(c.range), { start: c.range.start, end: c.range.end, newText: toCodeInline(g.graph, id) });
  }
  return edits.size > 0 ? [...edits.values()] : null;
}
