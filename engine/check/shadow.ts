// A "shadow" of the file for hand-written derivatives that write into a parameter array (out-array
// and fused value-and-gradient functions), take a boolean flag, or return nothing. The subset
// refuses those in differentiated code (a write into a parameter aliases the caller's array, a
// boolean is no number), yet running them is all a check needs. So the check lowers them from a
// copy of the text edited in a few places, each edit keeping the meaning for the check:
//
//   function fprime(x: number[], out: number[]): void { out[0] = …; }
//   function fprime(x: number[], out$gl: number[]) { let out = out$gl; out[0] = …; return out; }
//
// (the local `out` is the caller's array, so the writes land where the check reads them), and a
// flag `derivative?: boolean` (or a JavaScript `derivative`, typed by JSDoc or not) becomes a
// number (0 or 1). Ranges found in the shadow are mapped back to the user's text (`toOriginal`).
// Nothing runs but the interpreter, as everywhere else.

import ts = require('typescript');
import type { Range } from '../ir';
import { parseProgram, type Program } from '../program';
import type { SourceFunction } from '../sourceFunction';
import { mapRangesInPlace } from '../ranges';
import { jsDocParamTypes } from '../lower/types';

export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** The suffix of a written parameter's name in the shadow (its local alias keeps the name). */
export const SHADOW_SUFFIX = '$gl';

export class Shadow {
  private constructor(readonly program: Program, private readonly edits: TextEdit[]) {}

  /** The shadow of `program` with `edits` (none: the program itself). */
  static of(program: Program, edits: TextEdit[]): Shadow {
    if (edits.length === 0) return new Shadow(program, []);
    const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
    let text = '';
    let at = 0;
    for (const e of sorted) {
      text += program.text.slice(at, e.start) + e.text;
      at = e.end;
    }
    text += program.text.slice(at);
    return new Shadow(parseProgram(text, undefined, program.imports?.context), sorted);
  }

  get identity(): boolean {
    return this.edits.length === 0;
  }

  /** An offset of the shadow's text in the user's text (inside inserted text: where it was inserted). */
  toOriginal(offset: number): number {
    let delta = 0;
    for (const e of this.edits) {
      const start = e.start + delta;
      if (offset < start) break;
      if (offset < start + e.text.length) return offset - start >= e.end - e.start ? e.end : e.start + (offset - start);
      delta += e.text.length - (e.end - e.start);
    }
    return offset - delta;
  }

  /** An offset of the user's text in the shadow's (inside replaced text: where the replacement starts). */
  fromOriginal(offset: number): number {
    let delta = 0;
    for (const e of this.edits) {
      if (offset < e.start) break;
      if (offset < e.end) return e.start + delta;
      delta += e.text.length - (e.end - e.start);
    }
    return offset + delta;
  }

  range(r: Range): Range {
    if (this.identity) return r;
    return { start: this.toOriginal(r.start), end: Math.max(this.toOriginal(r.start), this.toOriginal(r.end)) };
  }

  /**
   * Maps every range in `x` (an analysis, a check, diagnostics: objects `{ start, end }`) back to the
   * user's text, in place. Check points are user data, never ranges (a parameter may be `start`).
   */
  mapRanges(x: unknown, direction: 'toOriginal' | 'toShadow' = 'toOriginal'): void {
    if (this.identity) return;
    const map = (r: Range): Range => {
      if (direction === 'toOriginal') return this.range(r);
      const start = this.fromOriginal(r.start);
      return { start, end: Math.max(start, this.fromOriginal(r.end)) };
    };
    mapRangesInPlace(x, map);
  }
}

/** What a hand-written function needs edited to be lowered for its check. */
export interface ShadowNeeds {
  /** Index of the parameter array it writes into (out-array, fused). */
  written?: number;
  /** Index of its boolean flag parameter. */
  flag?: number;
}

/** The edits that let `sf` be lowered for its check (none when it needs none). */
export function shadowEdits(sf: SourceFunction, program: Program, needs: ShadowNeeds): TextEdit[] {
  const sfile = program.sourceFile;
  const node = sf.node;
  const edits: TextEdit[] = [];
  const params = node.parameters;
  const flag = needs.flag !== undefined ? params[needs.flag] : undefined;
  if (flag?.type && flag.type.kind !== ts.SyntaxKind.NumberKeyword) {
    edits.push({ start: flag.type.getStart(sfile), end: flag.type.end, text: 'number' });
  } else if (flag && !flag.type) {
    // JavaScript (a JSDoc `@param {boolean}`, a `= false` default, or nothing): the annotation
    // wins over the JSDoc type and the default, so the flag is a number 0 or 1 as in TypeScript.
    const at = (flag.questionToken ?? flag.name).end;
    edits.push({ start: at, end: at, text: ': number' });
  }
  const flagDefault = flag?.initializer;
  if (flagDefault && (flagDefault.kind === ts.SyntaxKind.FalseKeyword || flagDefault.kind === ts.SyntaxKind.TrueKeyword)) {
    edits.push({ start: flagDefault.getStart(sfile), end: flagDefault.end, text: flagDefault.kind === ts.SyntaxKind.TrueKeyword ? '1' : '0' });
  }
  const written = needs.written !== undefined ? params[needs.written] : undefined;
  if (written && ts.isIdentifier(written.name) && node.body && ts.isBlock(node.body)) {
    const name = written.name.text;
    edits.push({ start: written.name.end, end: written.name.end, text: SHADOW_SUFFIX });
    // JavaScript: the renamed parameter keeps its JSDoc type (`@param {number[]} out`) as an annotation.
    const docType = !written.type ? jsDocParamTypes(sf.decl).get(name) : undefined;
    if (docType) edits.push({ start: (written.questionToken ?? written.name).end, end: (written.questionToken ?? written.name).end, text: `: ${docType.getText(sfile)}` });
    // `number[] | null`, `number[] | undefined`: the check passes an array.
    if (written.type && (ts.isUnionTypeNode(written.type) || ts.isTypeReferenceNode(written.type) && !/^(Float64Array|Float32Array|Array|ReadonlyArray)$/.test(written.type.typeName.getText(sfile)))) {
      edits.push({ start: written.type.getStart(sfile), end: written.type.end, text: 'number[]' });
    }
    const body = node.body;
    edits.push({ start: body.getStart(sfile) + 1, end: body.getStart(sfile) + 1, text: ` let ${name} = ${name}${SHADOW_SUFFIX};` });
    // A function that returns nothing gives back the array it wrote.
    const returnsNothing = !node.type ? !returnsValue(body) : node.type.kind === ts.SyntaxKind.VoidKeyword || node.type.kind === ts.SyntaxKind.UndefinedKeyword;
    if (returnsNothing) {
      if (node.type) edits.push({ start: node.type.getStart(sfile), end: node.type.end, text: 'number[]' });
      forEachReturn(body, (r) => {
        if (!r.expression) edits.push({ start: r.getStart(sfile) + 'return'.length, end: r.getStart(sfile) + 'return'.length, text: ` ${name}` });
      });
      const last = body.statements[body.statements.length - 1];
      if (!last || !ts.isReturnStatement(last)) edits.push({ start: body.end - 1, end: body.end - 1, text: ` return ${name}; ` });
    }
  }
  return edits;
}

function forEachReturn(body: ts.Node, f: (r: ts.ReturnStatement) => void): void {
  const visit = (n: ts.Node): void => {
    if (ts.isReturnStatement(n)) f(n);
    if (!ts.isFunctionLike(n)) n.forEachChild(visit);
  };
  body.forEachChild(visit);
}

function returnsValue(body: ts.Node): boolean {
  let found = false;
  forEachReturn(body, (r) => { if (r.expression) found = true; });
  return found;
}
