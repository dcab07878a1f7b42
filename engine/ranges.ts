// Every source range inside a plain-data result, moved in place: an analysis cached under an
// earlier text (analyzeFile's rebase), one computed on a shadow of the file (check/shadow.ts), one
// carried over while a function is mid-edit (server/carryOver.ts). A range is an object with
// exactly `start` and `end`; check points are user data, never ranges (a parameter may well be
// called `start`), so `point` and a top-level `points` are left alone.

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
    for (const [k, y] of Object.entries(o)) if (k !== 'point' && !(top && k === 'points')) visit(y, false);
  };
  visit(x, true);
}
