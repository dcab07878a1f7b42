// Every source range inside a plain-data result, moved: an analysis cached under an earlier text
// (analyzeFile's PlacedAnalysis), one computed on a shadow of the file (check/shadow.ts), one
// carried over while a function is mid-edit (server/carryOver.ts), tags found at an earlier place
// of their statement (declarationForms.ts). A range is an object with
// exactly `start` and `end`; what is keyed by the user's names is data, never ranges (parameters
// may well be called `start` and `end`): check points (`point`, a top-level `points`), gradients and
// local partials (`gradient`, `partials`) are left alone (userData).

import type { FunctionAnalysis } from './api';
import type { Range } from './ir';

export function mapRangesInPlace(x: unknown, map: (r: Range) => Range): void {
  // Shared objects (structuredClone keeps them shared) are moved once.
  const seen = new Set<object>();
  const visit = (v: unknown, top: boolean): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) { v.forEach((y) => visit(y, false)); return; }
    const o = v as Record<string, unknown>;
    if (typeof o.start === 'number' && typeof o.end === 'number' && Object.keys(o).length === 2) {
      const r = map(o as unknown as Range);
      o.start = r.start;
      o.end = r.end;
      return;
    }
    for (const [k, y] of Object.entries(o)) if (!userData(k, top)) visit(y, false);
  };
  visit(x, true);
}

/** Ranges whose start lies in [start, end] (of an older text) move by `delta`. */
export interface RangeShift { start: number; end: number; delta: number }

/**
 * `x` with every range moved by the shift whose span holds its start (the others as they are),
 * check points left alone: what mapRangesInPlace on a structuredClone gives, in one pass, copying
 * only the objects and arrays on the way to a moved range (the rest is shared: plain data, never
 * changed once made). For an analysis cached under an earlier text (engine/analyzeFile.ts
 * `PlacedAnalysis`), and the same move made again on the LSP side (server/workerProtocol.ts).
 * `skip`: the keys whose values are not searched (user data, by default: userData).
 */
export function shiftedRanges<T>(x: T, shifts: readonly RangeShift[], skip: (key: string, top: boolean) => boolean = userData): T {
  const move = (v: unknown, top: boolean): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const y = move(v[i], false);
        if (y !== v[i]) (out ??= v.slice())[i] = y;
      }
      return out ?? v;
    }
    const o = v as Record<string, unknown>;
    if (typeof o.start === 'number' && typeof o.end === 'number' && keyCountIs2(o)) {
      const start = o.start;
      // (a loop, not find: typing moves every later function's tags this way on each keystroke)
      for (let i = 0; i < shifts.length; i++) {
        const s = shifts[i];
        if (start >= s.start && start <= s.end) return s.delta !== 0 ? { start: start + s.delta, end: (o.end as number) + s.delta } : o;
      }
      return o;
    }
    let out: Record<string, unknown> | undefined;
    for (const k in o) {
      if (skip(k, top)) continue;
      const y = move(o[k], false);
      if (y !== o[k]) (out ??= { ...o })[k] = y;
    }
    return out ?? o;
  };
  return (shifts.some((s) => s.delta !== 0) ? move(x, true) : x) as T;
}

/**
 * Whether every range of `x` (user data left alone) starts inside one of `spans`: an analysis
 * that points elsewhere (a GL002 on a statement of a record class's constructor, in its own
 * statement) cannot be moved by the shifts of its functions alone.
 */
export function rangesWithin(x: unknown, spans: Iterable<{ start: number; end: number }>): boolean {
  const list = [...spans];
  const inside = (v: unknown, top: boolean): boolean => {
    if (v === null || typeof v !== 'object') return true;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (!inside(v[i], false)) return false;
      return true;
    }
    const o = v as Record<string, unknown>;
    if (typeof o.start === 'number' && typeof o.end === 'number' && keyCountIs2(o)) {
      const start = o.start;
      for (let i = 0; i < list.length; i++) if (start >= list[i].start && start <= list[i].end) return true;
      return false;
    }
    for (const k in o) if (!userData(k, top) && !inside(o[k], false)) return false;
    return true;
  };
  return inside(x, true);
}

/** Whether plain data `o` has exactly two keys (without the array Object.keys would make). */
function keyCountIs2(o: object): boolean {
  let n = 0;
  for (const _ in o) if (++n > 2) return false;
  return n === 2;
}

/** Values keyed by the user's names, never ranges: check points (`point`, an analysis's `points`), gradients and local partials. */
function userData(key: string, top: boolean): boolean {
  return key === 'point' || key === 'gradient' || key === 'partials' || (top && key === 'points');
}

/**
 * A function's analysis as it was made (and cached), and how its ranges have moved since (none:
 * they are where they were): an edit above a function moves it without copying its analysis
 * (engine/analyzeFile.ts); the ranges are moved where they are read (`placed`), on either side of
 * the worker (server/workerProtocol.ts).
 */
export interface PlacedAnalysis {
  analysis: FunctionAnalysis;
  shifts: readonly RangeShift[];
}

/** Analyses whose ranges `placed` moved (a copy each): for tests and the bench. */
export const placedStats = { moved: 0 };

/** The analysis with its ranges where they now are. */
export function placed(p: PlacedAnalysis): FunctionAnalysis {
  if (!p.shifts.some((s) => s.delta !== 0)) return p.analysis;
  placedStats.moved++;
  return shiftedRanges(p.analysis, p.shifts);
}
