// While the user types in a function it often does not parse. The engine then leaves it out of
// the analysis (`FileAnalysis.skipped`: its own syntax error, or one in its hand-written gradient
// or a helper), and a function swallowed by an unclosed `{` above it is not even found. Rather than
// let such functions' diagnostics, code lenses, hovers and inlay hints vanish on each keystroke,
// the server keeps showing their last good results, moved to where their code now is.

import type { EngineDiagnostic, FileAnalysis, FunctionAnalysis, Range } from '../engine/api';
import { dedupeDiagnostics as dedupe } from '../engine/diagnosticCodes';
export { dedupe };
import { mapRangesInPlace } from '../engine/ranges';
import { commonPrefix, commonSuffix } from '../engine/textDiff';
import { analysedFunctions, withChanges } from './workerProtocol';

/** The engine's reasons for skipping a function mid-edit all say "syntax error" (engine/analyzeFile.ts). */
export function skippedForSyntaxError(reason: string): boolean {
  return /syntax error/.test(reason);
}

interface Hunk { oldStart: number; oldEnd: number; newStart: number; newEnd: number }

/**
 * Maps offsets of an older text to a newer one, the texts differing in any number of places (the
 * edits of one debounce interval: a multi-cursor edit, a rename, a second place typed in).
 * Offsets outside the edited regions move exactly; offsets inside one are clamped to its new
 * extent (a range's start to its start, its end to its end).
 */
export class TextShift {
  private readonly hunks: Hunk[];

  constructor(older: string, newer: string) {
    this.hunks = older === newer ? [] : diff(older, newer);
  }

  /** Whether the text of `r` is outside every edited region (so it maps exactly). */
  unchanged(r: Range): boolean {
    return this.hunks.every((h) => r.end <= h.oldStart || r.start >= h.oldEnd);
  }

  /** `r` in the newer text. */
  range(r: Range): Range {
    const start = this.offset(r.start, true);
    const end = this.offset(r.end, false);
    return { start, end: Math.max(start, end) };
  }

  private offset(o: number, isStart: boolean): number {
    let delta = 0;
    for (const h of this.hunks) {
      // Text inserted at a range's start or end stays out of it.
      if (isStart ? o < h.oldStart : o <= h.oldStart) break;
      if (o < h.oldEnd) return isStart ? h.newStart : h.newEnd;
      delta = h.newEnd - h.oldEnd;
    }
    return o + delta;
  }
}

/** Lines the line diff may insert or delete before it settles for one region between the common prefix and suffix. */
const MAX_DIFF_LINES = 200;

/** The regions where `a` and `b` differ: a line diff (Myers) of what lies between their common prefix and suffix, each changed block trimmed to the characters that differ. */
function diff(a: string, b: string): Hunk[] {
  const p = commonPrefix(a, b);
  const s = commonSuffix(a, b, p);
  const whole: Hunk = { oldStart: p, oldEnd: a.length - s, newStart: p, newEnd: b.length - s };
  // From the start of the line the first difference is on, so that whole lines are compared.
  const from = a.lastIndexOf('\n', p - 1) + 1;
  const linesA = splitLines(a.slice(from, a.length - s));
  const linesB = splitLines(b.slice(from, b.length - s));
  const blocks = lineDiff(linesA, linesB, MAX_DIFF_LINES);
  if (!blocks) return [whole];
  const offsetsA = lineOffsets(linesA, from);
  const offsetsB = lineOffsets(linesB, from);
  const hunks: Hunk[] = [];
  for (const [i0, i1, j0, j1] of blocks) {
    let h: Hunk = { oldStart: offsetsA[i0], oldEnd: offsetsA[i1], newStart: offsetsB[j0], newEnd: offsetsB[j1] };
    h = trim(a, b, h);
    if (h.oldStart !== h.oldEnd || h.newStart !== h.newEnd) hunks.push(h);
  }
  return hunks;
}

function splitLines(t: string): string[] {
  return t === '' ? [] : t.split(/(?<=\n)/);
}

function lineOffsets(lines: string[], from: number): number[] {
  const out = [from];
  for (const l of lines) out.push(out[out.length - 1] + l.length);
  return out;
}

/** `h` without the characters its two sides share at their start and end. */
function trim(a: string, b: string, h: Hunk): Hunk {
  let { oldStart, oldEnd, newStart, newEnd } = h;
  while (oldStart < oldEnd && newStart < newEnd && a.charCodeAt(oldStart) === b.charCodeAt(newStart)) { oldStart++; newStart++; }
  while (oldEnd > oldStart && newEnd > newStart && a.charCodeAt(oldEnd - 1) === b.charCodeAt(newEnd - 1)) { oldEnd--; newEnd--; }
  return { oldStart, oldEnd, newStart, newEnd };
}

/**
 * Myers' O(ND) diff of two line lists: the changed blocks `[i0, i1, j0, j1]` (lines `a[i0..i1)`
 * replaced by `b[j0..j1)`), in order; null beyond `maxD` inserted and deleted lines.
 */
function lineDiff(a: string[], b: string[], maxD: number): [number, number, number, number][] | null {
  const n = a.length;
  const m = b.length;
  const off = maxD + 1;
  const v = new Int32Array(2 * maxD + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= maxD; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) { x++; y++; }
      v[off + k] = x;
      if (x >= n && y >= m) return blocksOf(trace, d, n, m, off);
    }
  }
  return null;
}

function blocksOf(trace: Int32Array[], dEnd: number, n: number, m: number, off: number): [number, number, number, number][] {
  const deleted = new Uint8Array(n);
  const inserted = new Uint8Array(m);
  let x = n;
  let y = m;
  for (let d = dEnd; d > 0; d--) {
    const v = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? k + 1 : k - 1;
    const prevX = v[off + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) { x--; y--; }
    if (x === prevX) inserted[prevY] = 1;
    else deleted[prevX] = 1;
    x = prevX;
    y = prevY;
  }
  const blocks: [number, number, number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && !deleted[i] && !inserted[j]) { i++; j++; continue; }
    const i0 = i;
    const j0 = j;
    while (i < n && deleted[i]) i++;
    while (j < m && inserted[j]) j++;
    if (i === i0 && j === j0) { i = n; j = m; } // cannot happen with a consistent trace; never loop
    blocks.push([i0, i, j0, j]);
  }
  return blocks;
}

/** An earlier analysis, with the text its offsets refer to. */
export interface Earlier {
  text: string;
  functions: readonly FunctionAnalysis[];
}

/**
 * The functions of `earlier` to keep showing over `next`: those skipped for a syntax error,
 * `pending` ones (still being analysed), and, while some function does not parse, those missing
 * from `next` whose code is untouched (an unclosed `{` or `(` above them swallowed them).
 */
export function namesToCarry(earlier: Earlier | null, next: FileAnalysis, nextText: string, pending: readonly string[] = []): Set<string> {
  const names = new Set(pending);
  const midEdit = next.skipped.filter((s) => skippedForSyntaxError(s.reason));
  for (const s of midEdit) names.add(s.name);
  if (!earlier || midEdit.length === 0) return names;
  const present = new Set([...analysedFunctions(next).map((f) => f.name), ...next.skipped.map((s) => s.name), ...pending]);
  let shift: TextShift | null = null;
  for (const f of earlier.functions) {
    if (present.has(f.name)) continue;
    shift ??= new TextShift(earlier.text, nextText);
    if (shift.unchanged(f.range)) names.add(f.name);
  }
  return names;
}

/**
 * The earlier results of the functions `names`, with every range moved into `nextText`. A
 * function's diagnostics are those of its analysis (some name its hand-written gradient or a
 * helper) and those that name it.
 */
export function carriedResults(
  earlier: { text: string; functions: readonly FunctionAnalysis[]; diagnostics: readonly EngineDiagnostic[] },
  nextText: string,
  names: ReadonlySet<string>,
): { functions: FunctionAnalysis[]; diagnostics: EngineDiagnostic[] } {
  const fns = earlier.functions.filter((f) => names.has(f.name));
  const ds = dedupe([
    ...fns.flatMap((f) => f.diagnostics.map((d) => ({ ...d, functionName: d.functionName ?? f.name }))),
    ...earlier.diagnostics.filter((d) => d.functionName !== undefined && names.has(d.functionName)),
  ]);
  if (fns.length === 0 && ds.length === 0) return { functions: [], diagnostics: [] };
  if (earlier.text === nextText) return { functions: [...fns], diagnostics: ds };
  const shift = new TextShift(earlier.text, nextText);
  return { functions: fns.map((f) => moveRanges(f, shift)), diagnostics: ds.map((d) => moveRanges(d, shift)) };
}

function key(d: EngineDiagnostic): string {
  return `${d.code}:${d.range.start}:${d.range.end}:${d.message}`;
}

/**
 * `next` with the earlier results of the functions `names` added (functions in source order), and
 * the names actually carried (a name with neither an analysis nor a diagnostic carries nothing).
 */
export function withCarried(
  next: FileAnalysis,
  carried: { functions: FunctionAnalysis[]; diagnostics: EngineDiagnostic[] },
  names: ReadonlySet<string>,
): { analysis: FileAnalysis; names: string[] } {
  // Names only: `next`'s functions are not moved into place for it (server/workerProtocol.ts).
  const have = new Set(analysedFunctions(next).map((f) => f.name));
  const functions = carried.functions.filter((f) => !have.has(f.name));
  const known = new Set(next.diagnostics.map(key));
  const diagnostics = carried.diagnostics.filter((d) => !known.has(key(d)));
  if (functions.length === 0 && diagnostics.length === 0) return { analysis: next, names: [] };
  const shown = [...names].filter((n) => functions.some((f) => f.name === n) || diagnostics.some((d) => d.functionName === n));
  const changes: Partial<FileAnalysis> = { diagnostics: [...next.diagnostics, ...diagnostics] };
  if (functions.length > 0) changes.functions = [...next.functions, ...functions].sort((a, b) => a.range.start - b.range.start);
  return { analysis: withChanges(next, changes), names: shown };
}

/**
 * A deep copy of `x` with every `{ start, end }` range moved. Check points are user data, never
 * ranges (a parameter may well be called `start`): a function's `points` and each check's `point`.
 */
function moveRanges<T>(x: T, shift: TextShift): T {
  const moved = structuredClone(x);
  mapRangesInPlace(moved, (r) => shift.range(r));
  return moved;
}
