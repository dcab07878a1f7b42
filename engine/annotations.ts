// Parses a JSDoc block's Gradlens tags (@differentiable, @wrt, @at, @gradient, …) from the raw comment text, keeping the exact
// offset of every tag so a malformed one gets its GL005 on the right range.

import { EngineDiagnostic } from './api';
import { Annotations, Range } from './ir';
import { addHandTag, parseHandTag } from './check/tags';
import { parsePoint } from './pointGrammar';

const TAGS = new Set(['differentiable', 'nondifferentiable', 'wrt', 'at', 'gradient', 'derivative', 'partial', 'hessian', 'jvp']);

export function emptyAnnotations(): Annotations {
  return {
    differentiable: false, nondifferentiable: false, wrt: null, at: [], atRanges: [], gradient: null,
    gradientRange: null, derivative: null, derivativeRange: null, docRange: null, tagRanges: [],
  };
}

/**
 * Parses the tags of one JSDoc comment `text[start, end)`. Diagnostics are GL005 for malformed
 * tag values; unknown or other tags (`@param`, `@returns`) are left alone.
 */
export function parseAnnotations(text: string, start: number, end: number, functionName: string): { annotations: Annotations; diagnostics: EngineDiagnostic[] } {
  const ann = emptyAnnotations();
  ann.docRange = { start, end };
  const diagnostics: EngineDiagnostic[] = [];
  const body = text.slice(start, end);
  // A tag starts a line of the comment (after the `*`), or follows the opening `/**`, as in JSDoc;
  // an `@word` inside a sentence is prose. It runs to the next tag or the end of the comment.
  // A hand-written scan, linear in the comment (a regular expression with two optional runs of
  // blanks around the `*` backtracks quadratically on a long blank line).
  const found = findTags(body, start);
  for (let i = 0; i < found.length; i++) {
    const { name, at, valueStart } = found[i];
    if (!TAGS.has(name)) continue;
    let valueEnd = i + 1 < found.length ? found[i + 1].at : end - 2; // stop before `*/`
    // Values live on the tag's line and continuation lines; strip JSDoc's leading `*`.
    const rawValue = text.slice(valueStart, valueEnd);
    const value = stripContinuations(rawValue);
    const trimmedLead = value.length - value.trimStart().length;
    const textStart = valueStart + trimmedLead;
    const trimmed = value.trim();
    valueEnd = textStart + trimmed.length;
    const tagRange: Range = { start: at, end: Math.max(valueEnd, valueStart) };
    const textRange: Range = { start: textStart, end: Math.max(textStart, valueEnd) };
    ann.tagRanges.push({ tag: name, range: tagRange, textRange });
    const err = (message: string) => diagnostics.push({ code: 'GL005', severity: 'error', message, range: tagRange, functionName });
    switch (name) {
      case 'differentiable': ann.differentiable = true; break;
      case 'nondifferentiable': ann.nondifferentiable = true; break;
      case 'wrt': {
        const names = trimmed.split(/[\s,]+/).filter((s) => s.length > 0);
        if (names.length === 0) { err('@wrt needs at least one parameter name, e.g. `@wrt x, y`.'); break; }
        // `this.k`: a field of the method's object (engine/declarationForms.ts).
        const bad = names.find((n) => !/^(this\.)?[A-Za-z_$][\w$]*$/.test(n));
        if (bad) { err(`@wrt: '${bad}' is not a parameter name; write \`@wrt x, y\`.`); break; }
        ann.wrt = [...(ann.wrt ?? []), ...names];
        break;
      }
      case 'at': {
        const parsed = parsePoint(trimmed);
        if (typeof parsed === 'string') err(`Malformed @at: ${parsed}. Write \`@at x = 1.5, w = [0.1, -2, 3]\`.`);
        else { ann.at.push(parsed); ann.atRanges.push(tagRange); }
        break;
      }
      case 'gradient':
      case 'partial':
      case 'hessian':
      case 'jvp': {
        // Every one is checked (several `@gradient` tags too); `gradient` keeps the first's name.
        const tag = parseHandTag(name, trimmed, textStart, tagRange, functionName);
        if (typeof tag === 'string') { err(tag); break; }
        addHandTag(ann, tag);
        if (name === 'gradient' && ann.gradient === null) { ann.gradient = tag.name; ann.gradientRange = tag.nameRange; }
        break;
      }
      case 'derivative': {
        const target = trimmed.split(/\s+/)[0] ?? '';
        if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(target)) { err(`@${name} needs the name of a function of this file, e.g. \`@${name} ${functionName}Grad\`.`); break; }
        ann.derivative = target;
        ann.derivativeRange = { start: textStart, end: textStart + target.length };
        break;
      }
    }
  }
  return { annotations: ann, diagnostics };
}

const isBlank = (c: string): boolean => c === ' ' || c === '\t';
const isLetter = (c: string): boolean => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');

/** Tags of a comment body: `@name` at the start of a line (after blanks and one `*`), or after `/**`. */
function findTags(body: string, offset: number): { name: string; at: number; valueStart: number }[] {
  const found: { name: string; at: number; valueStart: number }[] = [];
  const tagAt = (i: number): void => {
    if (body[i] !== '@') return;
    let j = i + 1;
    while (j < body.length && isLetter(body[j])) j++;
    if (j === i + 1) return;
    const at = offset + i;
    found.push({ name: body.slice(i + 1, j), at, valueStart: at + (j - i) });
  };
  if (body.startsWith('/**')) {
    let i = 3;
    while (i < body.length && isBlank(body[i])) i++;
    tagAt(i);
  }
  for (let nl = body.indexOf('\n'); nl >= 0; nl = body.indexOf('\n', nl + 1)) {
    let i = nl + 1;
    while (i < body.length && isBlank(body[i])) i++;
    if (body[i] === '*') i++;
    while (i < body.length && isBlank(body[i])) i++;
    tagAt(i);
  }
  return found;
}

/**
 * A tag's value without JSDoc's leading `*` on its continuation lines (a `*` that closes the
 * comment stays) and without the closing `*\/`. Linear: one pass over the lines.
 */
function stripContinuations(raw: string): string {
  const lines = raw.split('\n');
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k];
    let i = 0;
    while (i < line.length && (isBlank(line[i]) || line[i] === '\r' || line[i] === '\f' || line[i] === '\v')) i++;
    if (line[i] === '*' && line[i + 1] !== '/') lines[k] = line.slice(i + 1);
  }
  let value = lines.join('\n');
  if (value.endsWith('*/')) value = value.slice(0, -2);
  return value;
}

// The check-point grammar of `@at` is engine/pointGrammar.ts, shared with the CLI's `--at` and the
// graph view's point picker.
export { parsePoint } from './pointGrammar';
