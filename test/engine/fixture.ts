// Data-driven fixtures in the style of rust-analyzer: the expected diagnostics are written in the
// fixture itself, as a line of carets under the range they mark (removed before analysis):
//
//     const o = { a: x };
//     //        ^^^^^^^^ GL002
//
// `checkDiagnostics` runs the analysis and compares the sets of (code, range) exactly for the
// codes the fixture mentions (or every code, with `all`).

import * as assert from 'node:assert/strict';
import { analyzeFile, AnalysisOptions, EngineDiagnostic, FileAnalysis } from '../../engine/index';

export interface Expected {
  code: string;
  line: number;
  start: number;
  end: number;
  /** Text after the code on the caret line, matched as a substring of the message. */
  contains: string;
}

const CARETS = /^(\s*)(\/\/|\*)(\s*)(\^+)\s+(GL\d{3})\s*(.*)$/;

/**
 * Splits a fixture into the source to analyse (caret lines removed) and its expectations. Caret
 * lines start with `//` or, inside a JSDoc block, with `*`; the carets mark columns of the line above.
 */
export function parseFixture(fixture: string): { src: string; expected: Expected[] } {
  const kept: string[] = [];
  const expected: Expected[] = [];
  for (const line of fixture.split('\n')) {
    const m = CARETS.exec(line);
    if (!m) { kept.push(line); continue; }
    const col = m[1].length + m[2].length + m[3].length;
    expected.push({ code: m[5], line: kept.length - 1, start: col, end: col + m[4].length, contains: m[6].trim() });
  }
  return { src: kept.join('\n'), expected };
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, col: before[before.length - 1].length };
}

export function describe_(d: EngineDiagnostic, text: string): string {
  const a = lineCol(text, d.range.start);
  const b = lineCol(text, d.range.end);
  return `${d.code} ${a.line}:${a.col}-${b.line}:${b.col} ${JSON.stringify(text.slice(d.range.start, d.range.end))} ${d.message}`;
}

export function checkDiagnostics(fixture: string, opts: { all?: boolean; options?: Partial<AnalysisOptions> } = {}): FileAnalysis {
  const { src, expected } = parseFixture(fixture);
  const result = analyzeFile(src, opts.options);
  const codes = new Set(expected.map((e) => e.code));
  const actual = result.diagnostics.filter((d) => opts.all || codes.has(d.code));
  const fmt = (e: Expected) => `${e.code} ${e.line}:${e.start}-${e.line}:${e.end}`;
  const actualKeys = actual.map((d) => {
    const a = lineCol(src, d.range.start);
    const b = lineCol(src, d.range.end);
    // Multi-line ranges are compared by their first line's extent up to the line end.
    return `${d.code} ${a.line}:${a.col}-${b.line === a.line ? `${b.line}:${b.col}` : `${a.line}:${src.split('\n')[a.line].length}`}`;
  });
  const expectedKeys = expected.map(fmt);
  assert.deepEqual(
    [...actualKeys].sort(), [...expectedKeys].sort(),
    `diagnostics differ.\nactual:\n${actual.map((d) => describe_(d, src)).join('\n') || '(none)'}\n`,
  );
  for (const e of expected) {
    if (!e.contains) continue;
    const d = actual.find((x) => lineCol(src, x.range.start).line === e.line && x.code === e.code && lineCol(src, x.range.start).col === e.start);
    assert.ok(d && d.message.includes(e.contains), `message of ${fmt(e)} should contain ${JSON.stringify(e.contains)}; got ${d?.message}`);
  }
  return result;
}
