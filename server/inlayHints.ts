// Inlay hints: after each local's declaration in an annotated function, its value and
// partial derivatives at the first check point, the way a debugger shows values inline:
//
//   const t = Math.sin(x);  t = 0.8415 (∂/∂x 0.5403)
//
// From the last good analysis only (FunctionAnalysis.locals), never the engine. The analysis keeps
// one value per local, the last it took, so a local assigned more than once, or declared in a loop
// or a callback, says `at return` instead of passing that value off as its first. A function whose
// text changed since the analysis gets no hints until the next analysis (its numbers are stale).

import { MarkupKind, type InlayHint } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { FunctionAnalysis, LocalPartials } from '../engine/api';
import { Lexer, type Token } from './completion';
import type { AnalysisSnapshot } from './documentAnalysis';
import { formatNumber } from './format';
import { localHover } from './hover';
import type { OffsetMapping } from './offsetMapping';
import { functionPlaces } from './workerProtocol';

/** At most this many hints per request. */
export const MAX_INLAY_HINTS = 200;
/** Partials shown in a label (the tooltip has them all). */
const MAX_PARTIALS = 4;
/** Array elements shown in a label. */
const MAX_ELEMENTS = 3;
/** Tokens read after a declaration to find the end of its statement. */
const STATEMENT_TOKENS = 500;

/**
 * The hints for the annotated functions of `snap` that lie in `range` (offsets of the live
 * document `doc`), positions mapped from the analysed text through `mapping`.
 */
export function inlayHints(snap: AnalysisSnapshot, doc: TextDocument, mapping: OffsetMapping, range: { start: number; end: number }, max = MAX_INLAY_HINTS): InlayHint[] {
  const analysed = snap.doc.getText();
  const live = doc.getText();
  const hints: InlayHint[] = [];
  // (Only the functions in `range` are moved into place: hints are asked for after every edit.)
  const places = functionPlaces(snap.analysis).sort((a, b) => a.range.start - b.range.start);
  for (const place of places) {
    if (hints.length >= max) break;
    if (place.made.locals.length === 0 || place.made.points.length === 0) continue;
    const start = mapping.toLive(place.range.start);
    if (start === null) continue;
    const end = start + (place.range.end - place.range.start);
    if (end < range.start || start > range.end) continue;
    const fa = place.placed();
    // Edited since the analysis: its values are stale, so it shows none until the next one.
    if (live.slice(start, end) !== analysed.slice(fa.range.start, fa.range.end)) continue;
    const shift = start - fa.range.start;
    const scan = scanFunction(analysed, fa);
    const anchored: { at: number; local: LocalPartials; repeated: boolean }[] = [];
    for (const local of fa.locals) {
      const decl = local.ranges[0];
      if (!decl || typeof local.value !== 'number') continue;
      if (scan.loopHeader.has(decl.start) && allZero(local)) continue; // a loop counter
      const at = statementEnd(analysed, decl.end, fa.range.end) + shift;
      if (at < range.start || at > range.end) continue;
      anchored.push({ at, local, repeated: scan.repeated.has(decl.start) || scan.reassigned.has(local.name) });
    }
    anchored.sort((a, b) => a.at - b.at);
    for (const { at, local, repeated } of anchored) {
      if (hints.length >= max) break;
      hints.push({
        position: doc.positionAt(at),
        label: hintLabel(fa, local, repeated),
        paddingLeft: true,
        tooltip: { kind: MarkupKind.Markdown, value: hintTooltip(fa, local, repeated) },
      });
    }
  }
  return hints;
}

/** `t = 0.8415 (∂/∂x 0.5403, ∂/∂y 0)`; `at return` for a local whose last value is not its first. */
export function hintLabel(fa: FunctionAnalysis, local: LocalPartials, repeated: boolean): string {
  const wrt = fa.wrt.length > 0 ? fa.wrt : fa.params;
  const keys = [...wrt.filter((k) => k in local.partials), ...Object.keys(local.partials).filter((k) => !wrt.includes(k))];
  const partials = keys.slice(0, MAX_PARTIALS).map((k) => `∂/∂${k} ${compact(local.partials[k])}`);
  if (keys.length > MAX_PARTIALS) partials.push('…');
  const value = `${local.name} = ${compact(local.value)}${repeated ? ' at return' : ''}`;
  return partials.length > 0 ? `${value} (${partials.join(', ')})` : value;
}

function hintTooltip(fa: FunctionAnalysis, local: LocalPartials, repeated: boolean): string {
  const note = repeated
    ? `\n\n\`${local.name}\` is assigned more than once (or in a loop or a callback): these are its value and partials when **${fa.name}** returned.`
    : '';
  return localHover(fa, local) + note;
}

function compact(v: number | readonly number[]): string {
  if (typeof v === 'number') return formatNumber(v, 4);
  const shown = v.slice(0, MAX_ELEMENTS).map((x) => formatNumber(x, 4));
  if (v.length > MAX_ELEMENTS) shown.push('…');
  return `[${shown.join(', ')}]`;
}

function allZero(local: LocalPartials): boolean {
  return Object.values(local.partials).every((p) => (typeof p === 'number' ? p === 0 : p.every((x) => x === 0)));
}

// ---- reading the analysed text -------------------------------------------------------------------

const ASSIGNMENTS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '**=', '&&=', '||=', '??=', '<<=', '>>>=', '&=', '|=', '^=']);
const OPENERS = new Set(['(', '[', '{']);
const CLOSERS = new Set([')', ']', '}']);

interface FunctionScan {
  /** Declarations (by offset) inside a loop, a loop header, a callback or a nested function. */
  repeated: Set<number>;
  /** Declarations (by offset) in a `for (…)` header. */
  loopHeader: Set<number>;
  /** Locals written after their declaration (`s += …`, `i++`, `s = …`). */
  reassigned: Set<string>;
}

/**
 * One pass of the lexer over the function's text: which declarations may run more than once and
 * which locals are written again. Conservative: a shadowing name in a nested scope counts.
 */
function scanFunction(text: string, fa: FunctionAnalysis): FunctionScan {
  const declStarts = new Set(fa.locals.map((l) => l.ranges[0]?.start ?? -1));
  const names = new Set(fa.locals.map((l) => l.name));
  const scan: FunctionScan = { repeated: new Set(), loopHeader: new Set(), reassigned: new Set() };
  const stack: { repeated: boolean; loopHeader: boolean }[] = [];
  let braces = 0;
  let pending: 'loopHeader' | 'loopBody' | 'functionBody' | null = null;
  let afterArrow = false;
  const lx = new Lexer(text, fa.range.start, Math.min(text.length, fa.range.end));
  let prev: Token | null = null;
  let prevPrev: Token | null = null;
  for (let t = lx.next(); t; prevPrev = prev, prev = t, t = lx.next()) {
    // An arrow's expression body (no braces) ends the wait for a function body.
    if (afterArrow && t.text !== '{') pending = null;
    afterArrow = false;
    const top = stack[stack.length - 1];
    const inRepeated = top?.repeated ?? false;
    // A write to a local: `name = …`, `name += …`, `name++`, `++name` (not `o.name = …`).
    if (prev?.kind === 'name' && names.has(prev.text) && !declStarts.has(prev.start) && prevPrev?.text !== '.' && prevPrev?.text !== '?.' &&
      (ASSIGNMENTS.has(t.text) || t.text === '++' || t.text === '--')) scan.reassigned.add(prev.text);
    if (t.kind === 'name' && names.has(t.text) && (prev?.text === '++' || prev?.text === '--')) scan.reassigned.add(t.text);
    if (t.kind === 'name') {
      if (declStarts.has(t.start)) {
        if (inRepeated) scan.repeated.add(t.start);
        if (stack.some((s) => s.loopHeader)) scan.loopHeader.add(t.start);
      }
      if (t.text === 'for' || t.text === 'while') pending = 'loopHeader';
      else if (t.text === 'do') pending = 'loopBody';
      else if (t.text === 'function' && braces > 0) pending = 'functionBody';
      else if (pending !== 'loopHeader' && pending !== 'functionBody') pending = null;
      continue;
    }
    if (t.text === '=>') {
      if (braces > 0) {
        pending = 'functionBody';
        afterArrow = true;
      }
      continue;
    }
    if (OPENERS.has(t.text)) {
      const loopHeader = t.text === '(' && pending === 'loopHeader';
      const body = t.text === '{' && (pending === 'loopBody' || pending === 'functionBody');
      stack.push({ repeated: inRepeated || loopHeader || body, loopHeader });
      if (t.text === '{') braces++;
      if (loopHeader || t.text === '{') pending = null;
      continue;
    }
    if (CLOSERS.has(t.text)) {
      const popped = stack.pop();
      if (t.text === '}') braces = Math.max(0, braces - 1);
      pending = popped?.loopHeader ? 'loopBody' : pending === 'functionBody' ? 'functionBody' : null;
      continue;
    }
    // Any other token: a loop body without braces (no declaration can be there) ends the wait.
    if (pending === 'loopBody') pending = null;
  }
  return scan;
}

/**
 * Where the statement declaring a local ends (an offset of `text`): after its `;`, before the
 * bracket that closes around it (a `for (…)` header), or at the end of its last line when the
 * statement ends without a semicolon. Commas do not end it: `let a = 1, b = 2;` puts both hints
 * after the `;`, and the names of a destructuring pattern after the whole statement.
 */
function statementEnd(text: string, from: number, limit: number): number {
  const lx = new Lexer(text, from, Math.min(text.length, limit));
  let depth = 0;
  let prev: Token | null = null;
  for (let k = 0; k < STATEMENT_TOKENS; k++) {
    const t = lx.next();
    if (!t) break;
    if (depth === 0 && t.text === ';') return t.end;
    if (OPENERS.has(t.text)) depth++;
    else if (CLOSERS.has(t.text)) {
      // The end of a destructuring pattern (`const [a, b] = …`, `const { a }: T = …`) is not the end of the statement.
      const next = depth === 0 && t.text !== ')' ? lx.peek() : null;
      if (depth === 0 && next?.text !== '=' && next?.text !== ':') return prev ? prev.end : from;
      if (depth > 0) depth--;
    }
    if (depth === 0 && prev && endsExpression(prev) && startsStatement(t) && hasNewline(text, prev.end, t.start)) return prev.end;
    prev = t;
  }
  return prev ? prev.end : from;
}

/** Whether `text[from, to)` (the blanks and comments between two tokens) breaks the line. */
function hasNewline(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

function endsExpression(t: Token): boolean {
  return t.kind !== 'punct' || t.text === ')' || t.text === ']' || t.text === '}' || t.text === '++' || t.text === '--';
}

function startsStatement(t: Token): boolean {
  return t.kind !== 'punct' || t.text === '{' || t.text === '}';
}
