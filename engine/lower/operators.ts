// The operator tables of the lowering: TypeScript's arithmetic, comparison and assignment
// operators as the IR's, and what a bitwise or shift operator is (outside the subset).

import ts = require('typescript');
import type { ArithOp, CompareOp } from '../ir';

export function isAssignment(k: ts.SyntaxKind): boolean {
  return k >= ts.SyntaxKind.FirstAssignment && k <= ts.SyntaxKind.LastAssignment;
}

export const BITWISE_HINT =
  'Bitwise and shift operators convert to 32-bit integers, so they are not differentiable. Use arithmetic (`y * 2` for `y << 1`, `Math.floor(y / 2)` for `y >> 1`) and Math.floor/Math.trunc where an integer is meant.';

/** What a bitwise or shift operator (plain or compound) is, or null for any other operator. */
export function bitwiseWhat(k: ts.SyntaxKind): string | null {
  switch (k) {
    case ts.SyntaxKind.LessThanLessThanToken: case ts.SyntaxKind.LessThanLessThanEqualsToken:
    case ts.SyntaxKind.GreaterThanGreaterThanToken: case ts.SyntaxKind.GreaterThanGreaterThanEqualsToken:
    case ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken: case ts.SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken:
      return 'a bit shift, not differentiable';
    case ts.SyntaxKind.AmpersandToken: case ts.SyntaxKind.AmpersandEqualsToken:
    case ts.SyntaxKind.BarToken: case ts.SyntaxKind.BarEqualsToken:
    case ts.SyntaxKind.CaretToken: case ts.SyntaxKind.CaretEqualsToken:
      return 'a bitwise operation, not differentiable';
    default: return null;
  }
}

export type AssignmentKind =
  | { k: 'arith'; op: ArithOp | null }
  | { k: 'logical'; op: '||' | '&&' | '??' }
  | { k: 'bitwise'; what: string };

/** Every assignment operator, classified: `=` and arithmetic, logical (`||=`), or unsupported. */
export function assignmentKind(k: ts.SyntaxKind): AssignmentKind {
  switch (k) {
    case ts.SyntaxKind.EqualsToken: return { k: 'arith', op: null };
    case ts.SyntaxKind.PlusEqualsToken: return { k: 'arith', op: '+' };
    case ts.SyntaxKind.MinusEqualsToken: return { k: 'arith', op: '-' };
    case ts.SyntaxKind.AsteriskEqualsToken: return { k: 'arith', op: '*' };
    case ts.SyntaxKind.SlashEqualsToken: return { k: 'arith', op: '/' };
    case ts.SyntaxKind.PercentEqualsToken: return { k: 'arith', op: '%' };
    case ts.SyntaxKind.AsteriskAsteriskEqualsToken: return { k: 'arith', op: '**' };
    case ts.SyntaxKind.BarBarEqualsToken: return { k: 'logical', op: '||' };
    case ts.SyntaxKind.AmpersandAmpersandEqualsToken: return { k: 'logical', op: '&&' };
    case ts.SyntaxKind.QuestionQuestionEqualsToken: return { k: 'logical', op: '??' };
    default: return { k: 'bitwise', what: bitwiseWhat(k) ?? 'an assignment operator Gradlens does not know' };
  }
}

export function arithOp(k: ts.SyntaxKind): ArithOp | null {
  switch (k) {
    case ts.SyntaxKind.PlusToken: return '+';
    case ts.SyntaxKind.MinusToken: return '-';
    case ts.SyntaxKind.AsteriskToken: return '*';
    case ts.SyntaxKind.SlashToken: return '/';
    case ts.SyntaxKind.PercentToken: return '%';
    case ts.SyntaxKind.AsteriskAsteriskToken: return '**';
    default: return null;
  }
}

export function compareOp(k: ts.SyntaxKind): CompareOp | null {
  switch (k) {
    case ts.SyntaxKind.LessThanToken: return '<';
    case ts.SyntaxKind.LessThanEqualsToken: return '<=';
    case ts.SyntaxKind.GreaterThanToken: return '>';
    case ts.SyntaxKind.GreaterThanEqualsToken: return '>=';
    case ts.SyntaxKind.EqualsEqualsEqualsToken: case ts.SyntaxKind.EqualsEqualsToken: return '===';
    case ts.SyntaxKind.ExclamationEqualsEqualsToken: case ts.SyntaxKind.ExclamationEqualsToken: return '!==';
    default: return null;
  }
}
