// Edits that the engine's quick fixes share (check/shapeFixes.ts, callFixes.ts): a tag added to a
// function's JSDoc on a line of its own, indented like the block (tags start a line of the block;
// an `@word` after other text is prose).

import type { Range } from './ir';

export interface Edit {
  range: Range;
  newText: string;
}

/** `tag` (`@gradient g vjp`) as a new line of the JSDoc block at `doc` in `text`, or null. */
export function jsDocTagEdit(text: string, doc: Range, tag: string): Edit | null {
  const close = text.lastIndexOf('*/', doc.end);
  if (close < doc.start || !text.startsWith('/**', doc.start)) return null;
  const docLine = text.lastIndexOf('\n', doc.start) + 1;
  const indent = /^[ \t]*/.exec(text.slice(docLine, doc.start))![0];
  const lineStart = text.lastIndexOf('\n', close) + 1;
  if (lineStart <= doc.start) {
    // `/** @differentiable */` on one line becomes a block.
    const inner = text.slice(doc.start + 3, close).trim();
    return { range: { start: doc.start, end: close + 2 }, newText: `/**\n${indent} * ${inner}\n${indent} * ${tag}\n${indent} */` };
  }
  const before = text.slice(lineStart, close);
  if (/^\s*$/.test(before)) return { range: { start: lineStart, end: lineStart }, newText: `${indent} * ${tag}\n` };
  // ` * @at x = 1 */`: the tag goes on a line between the last one and the `*/`.
  const contentEnd = lineStart + before.trimEnd().length;
  return { range: { start: contentEnd, end: close }, newText: `\n${indent} * ${tag}\n${indent} ` };
}
