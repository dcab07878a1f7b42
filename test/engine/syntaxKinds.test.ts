// Nothing is dropped silently (SPEC §2): every TypeScript syntax kind the lowering can meet inside a
// function either gets its JavaScript meaning (it lowers without a diagnostic and the interpreter
// computes what JavaScript computes from the same source) or a GL002 warning whose range covers the
// construct. The kinds are enumerated from TypeScript's own SyntaxKind ranges, so a kind a later
// TypeScript adds fails the "every kind is classified" test until it is given a row here; kinds that
// cannot come out of the parser inside a function body are listed as not applicable, with the reason.

import * as assert from 'node:assert/strict';
import * as vm from 'node:vm';
import ts from 'typescript';
import { numberAlgebra } from '../../engine/algebra';
import { Differentiator } from '../../engine/differentiate';
import { EngineDiagnostic } from '../../engine/api';
import { Interpreter, Value } from '../../engine/evaluate';
import { parseProgram } from '../../engine/program';
import { generateDerivative } from '../../engine/codegen/generate';
import { gradientAt } from '../../engine/queries';
import { flat, load, relError, typeErrors } from '../codegen/harness';
import { checkDiagnostics } from './fixture';

/** A body for `function f(x: number, y: number): number { … }`, and what must happen to it. */
interface Snippet {
  body: string;
  /** `ok`: lowers without a diagnostic, evaluates as JavaScript does. `GL002`: reported on the construct. */
  expect: 'ok' | 'GL002';
  /** Declarations before `f` (helpers, constants). */
  prelude?: string;
  /** For a GL002: a substring of its message (what the construct is called). */
  says?: string;
  /**
   * For a GL002 on a part of the kind's node (the `var` of a declaration, an operand): the text of
   * the construct; the last node with exactly this text is the one the warning must cover.
   */
  at?: string;
}

type Row = Snippet[] | { na: string };

const ok = (body: string, prelude?: string): Snippet => ({ body, expect: 'ok', prelude });
const gl002 = (body: string, says?: string, prelude?: string): Snippet => ({ body, expect: 'GL002', says, prelude });
const gl002At = (body: string, at: string, says: string): Snippet => ({ body, expect: 'GL002', says, at });
const na = (why: string): Row => ({ na: why });

const K = ts.SyntaxKind;
const JSX = 'JSX: the engine parses TypeScript (ScriptKind.TS), where JSX syntax does not exist';
const SYNTHESIZED = 'made by TypeScript\'s checker or transformers, never by the parser';

/** Every expression and statement kind (and their parts), classified. */
const KINDS = new Map<ts.SyntaxKind, Row>([
  // Literals
  [K.NumericLiteral, [ok('return x + 2.5e-1 + 0x10;')]],
  [K.BigIntLiteral, [gl002('const b = 2n; return x;', 'BigInt')]],
  [K.StringLiteral, [ok('\'use strict\'; return x * y;'), ok('const s = \'a\'; return s === \'a\' ? x : y;'), gl002At('return x + \'a\';', '\'a\'', 'Arithmetic on a string')]],
  [K.JsxText, na(JSX)],
  [K.JsxTextAllWhiteSpaces, na(JSX)],
  [K.RegularExpressionLiteral, [gl002('const r = /a+/; return x;', 'regular expression')]],
  [K.NoSubstitutionTemplateLiteral, [ok('const s = `a`; return s !== \'a\' ? x : y;'), gl002At('return x * `a`;', '`a`', 'Arithmetic on a string')]],
  // Names and keywords used as expressions
  [K.Identifier, [ok('const a = x; return a * y + Infinity * 0 + (NaN > 1 ? 1 : 0);'), gl002At('return x * z;', 'z', '\'z\'')]],
  [K.PrivateIdentifier, [gl002('return #p in [x] ? x : y;', '`in`')]],
  [K.TrueKeyword, [ok('return true ? x : y;')]],
  [K.FalseKeyword, [ok('let b = false; b ||= x > 1; return b ? x : y;')]],
  [K.NullKeyword, [gl002('const n = null; return x;', '`null`')]],
  [K.ThisKeyword, [gl002('const t = this; return x;', '`this`')]],
  [K.SuperKeyword, [gl002('const s = super.g; return x;')]],
  [K.ImportKeyword, [gl002('const m = import(\'m\'); return x;', 'This call')]],
  // Binding patterns
  [K.ObjectBindingPattern, [ok('const { a, b: c } = { a: x, b: y }; return a * c;'), gl002At('const { a } = [x]; return x;', '[x]', 'Destructuring an array')]],
  [K.ArrayBindingPattern, [ok('const [a, b] = [x, y]; return a * b;')]],
  [K.BindingElement, [ok('const [a, , c] = [x, y, 3]; return a * c;'), gl002At('const [a, ...r] = [x, y]; return a;', '...r', 'destructuring')]],
  // Expressions
  [K.ArrayLiteralExpression, [ok('const a = [x, y, 3]; const m = [[x, 1], [2, y]]; return a[0] * a[1] + m[1][1] * a.length;'), gl002('const a = [x, [y]]; return x;', 'mixing')]],
  [K.ObjectLiteralExpression, [ok('const a = Array.from({ length: 3 }, (_, i) => x * i); return a[2] + y;'), ok('const o = { a: x, b: { c: y } }; return o.a * o.b.c;'), gl002At('const o = { a: [x] }; return x;', 'a: [x]', 'holding an array')]],
  [K.PropertyAccessExpression, [ok('const a = [x, y]; return Math.PI * a.length + Math.LOG2E * y + (a?.length ?? 0) + Number.EPSILON * x;'), gl002('return Date.now + x;', '.now')]],
  [K.ElementAccessExpression, [ok('const a = [x, y]; const i = 1; return a[0] * a[i] + a?.[1];'), gl002('const m = [[x, 1], [2, y]]; m[0][1] = x; return x;', 'nested array element'), gl002At('const a = [x]; return a[\'0\'];', '\'0\'', 'A string')]],
  [K.CallExpression, [ok('return Math.sin(x) + sq(y) + Math?.cos(y);', 'function sq(t: number): number { return t * t; }'), gl002('const a = [x]; return a.indexOf(x);', '.indexOf'), gl002At('return parseFloat(\'1\') + x;', 'parseFloat', 'not a function of this file')]],
  [K.NewExpression, [ok('const a = new Float64Array(3); a[1] = x; const b = new Array(2).fill(y); return a[1] + a[0] + b[1];'),
    ok('const c = new Array<number>(2); c[0] = x * y; c[1] = y; return c[0] + c[1];'), ok('const h = new Array(2); return h[1] + x;'),
    gl002('const d = new Date(); return x;', '`new Date(…)`')]],
  [K.TaggedTemplateExpression, [gl002('const s = String.raw`a`; return x;', 'tagged template')]],
  [K.TypeAssertionExpression, [ok('return <number>x * y;')]],
  [K.ParenthesizedExpression, [ok('return (x + y) * (x - (y));')]],
  [K.FunctionExpression, [ok('const g = function (t: number) { return t * y; }; return g(x) + g(2);')]],
  [K.ArrowFunction, [ok('const a = [x, y].map((v, i) => v * v + i); return a[0] + a[1];'), ok('const g = (t: number) => t * y; return g(x) - g(y);'),
    gl002At('const a = Array.from({ length: 2 }, (v, i) => v); return x;', 'v', 'always undefined'),
    gl002At('const a = [x, y].map((v, i, arr) => v); return x;', 'arr', 'callback'),
    gl002At('const a = Array.from({ length: 2 }, (_, i) => i * x, 3); return a[1];', '3', '`this` argument')]],
  [K.DeleteExpression, [gl002('const a = [x]; delete a[0]; return x;', '`delete`')]],
  [K.TypeOfExpression, [gl002('return typeof x === \'number\' ? x : 0;', '`typeof`')]],
  [K.VoidExpression, [gl002('const v = void 0; return x;', '`void`')]],
  [K.AwaitExpression, [gl002('const v = await x; return x;', '`await`')]],
  [K.PrefixUnaryExpression, [ok('let i = x; ++i; --i; ++i; return -x + +y + (!(x > 1) ? 1 : 0) + i;'), gl002('return ~x;', 'bitwise'), ok('let i = 0; const b = x * ++i + i; return b;'), ok('let i = 0; const b = x > 0 ? ++i : 0; return b + i;'), gl002('let i = 0; const b = i + ++i; return b;', 'reads \'i\' before it')]],
  [K.PostfixUnaryExpression, [ok('let a = x; a++; a--; a++; const b = [x, y]; b[1]++; b[0]--; return a * b[1] + b[0];'), ok('let i = 1; const b = x * i++ + i; return b;'), ok('let i = 0; const b = x > 0 && i++ > 0 ? 1 : 0; return b + i;'), gl002('let i = 0; const b = i * i++; return b;', 'reads \'i\' before it')]],
  [K.BinaryExpression, [ok('return x * y - x / y + x ** 2 - (x % 0.5);')]],
  [K.ConditionalExpression, [ok('return x > y ? x * y : x + y;'), gl002('const a = x > 0 ? [x] : [[x]]; return x;', 'different types')]],
  [K.TemplateExpression, [gl002('const s = `${x}`; return x;', 'A string')]],
  [K.YieldExpression, [gl002('yield x; return x;', '`yield`')]],
  [K.SpreadElement, [ok('const a = [x, y]; const b = [...a]; return b[0] * b[1];'), gl002('const a = [x, y]; return Math.max(...a);', 'spread'), gl002('const a = [x, y]; const b = [...a, 1]; return x;', 'spread')]],
  [K.ClassExpression, [gl002('const C = class {}; return x;', 'class expression')]],
  [K.OmittedExpression, [ok('const [, b] = [x, y]; return b;'), gl002('const a = [x, , y]; return x;', 'hole')]],
  [K.ExpressionWithTypeArguments, [gl002('const g = h<number>; return x;', 'instantiation expression', 'function h<T>(t: T): T { return t; }')]],
  [K.AsExpression, [ok('return (x as number) * y;')]],
  [K.NonNullExpression, [ok('return x! * y;')]],
  [K.MetaProperty, [gl002('const t = new.target; return x;', 'new.target')]],
  [K.SyntheticExpression, na(SYNTHESIZED)],
  [K.SatisfiesExpression, [ok('return (x satisfies number) * y;')]],
  [K.TemplateSpan, [gl002('const s = `a${x}b`; return x;', 'A string')]],
  [K.SemicolonClassElement, [gl002('class C { ; } return x;', 'A class')]],
  // Statements
  [K.Block, [ok('let a = x; { const a = y; x = a * 2; } return a + x;')]],
  [K.EmptyStatement, [ok(';;; return x;')]],
  [K.VariableStatement, [ok('const a = x; let b = y, c = 2; let d: number; d = a; return a * b * c * d;'), ok('var a = x; return a;'), gl002At('if (x > 0) { var a = x; } return a;', 'a', '\'a\''), gl002At('using a = x; return x;', 'using a = x', '`using`'), gl002At('declare const d: number; return x;', 'declare', '`declare`')]],
  [K.ExpressionStatement, [ok('let a = x; a = a * y, a += 1; return a;'), gl002At('x * 2; return x;', 'x * 2', 'no effect'), gl002At('const a = [x]; void a[0]; return x;', 'void a[0]', '`void`')]],
  [K.IfStatement, [ok('let a = 0; if (x > 1) a = x; else if (y) a = y; else a = 2; if (x) a += 1; return a;')]],
  [K.DoStatement, [ok('let s = x; let n = 0; do { s = s * 0.5 + 1; n++; if (n === 2) continue; } while (n < 4); return s;')]],
  [K.WhileStatement, [ok('let s = 0; let i = 3; while (i) { s += x * i; i--; } return s;')]],
  [K.ForStatement, [ok('let s = 0; for (let i = 0, j = 2; i < 3; i++, j--) s += x ** i + j * y; for (;;) { break; } return s;')]],
  [K.ForInStatement, [gl002('const a = [x]; for (const k in a) {} return x;', '`for…in`')]],
  [K.ForOfStatement, [ok('let s = 0; for (const v of [x, y, 2]) s += v * v; return s;'), gl002At('for (const v of [x]) { v = 2; } return x;', 'v', '`const`'), ok('let s = 0; for (var v of [x, y]) s += v; return s;')]],
  [K.ContinueStatement, [ok('let s = 0; for (let i = 0; i < 4; i++) { if (i === 1) continue; s += x * i; } return s;'), gl002('let s = 0; a: for (let i = 0; i < 4; i++) { continue a; } return s;', 'label')]],
  [K.BreakStatement, [ok('let s = 0; for (let i = 0; i < 4; i++) { if (i === 2) break; s += x * i; } return s;')]],
  [K.ReturnStatement, [ok('if (x > 100) return y; return x;'), gl002('if (x > 1) return; return x;', '`return` without a value')]],
  [K.WithStatement, [gl002('with (Math) { x = sin(x); } return x;', '`with`')]],
  [K.SwitchStatement, [ok('switch (x) { case 1: return y; default: return x; }'), gl002At('switch (x) { case 1: y = 2; case 2: return y; } return x;', 'case 1: y = 2;', 'falls through')]],
  [K.LabeledStatement, [gl002('a: { x = 1; } return x;', 'labelled statement')]],
  [K.ThrowStatement, [gl002('if (x < 0) throw new Error(\'no\'); return x;', '`throw`')]],
  [K.TryStatement, [gl002('try { x = 1; } finally { y = 2; } return x;', '`try`')]],
  [K.DebuggerStatement, [gl002('debugger; return x;', '`debugger`')]],
  // Declarations and their parts
  [K.VariableDeclaration, [ok('const a = x, b = y; return a - b;')]],
  [K.VariableDeclarationList, [ok('let a = x; for (let i = 0; i < 2; i++) a *= y; return a;')]],
  [K.FunctionDeclaration, [ok('function g(t: number): number { return t * y; } return g(x) + 1;')]],
  [K.ClassDeclaration, [gl002('class C {} return x;', 'A class')]],
  [K.InterfaceDeclaration, [ok('interface P { a: number } return x * y;')]],
  [K.TypeAliasDeclaration, [ok('type N = number; const a: N = x; return a * y;')]],
  [K.EnumDeclaration, [gl002('enum E { A } return x;', '`enum`')]],
  [K.ModuleDeclaration, [gl002('namespace N {} return x;', 'namespace')]],
  [K.ModuleBlock, [gl002('namespace N { const a = 1; } return x;', 'namespace')]],
  [K.CaseBlock, [ok('let s = 0; switch (x > 0 ? 1 : 2) { case 1: s = y; break; case 2: s = -y; break; } return s;'), gl002At('switch (x) { case 1: if (y > 0) break; return y; } return x;', 'break;', 'before the end of its case')]],
  [K.NamespaceExportDeclaration, [gl002('export as namespace Z; return x;', 'export')]],
  [K.ImportEqualsDeclaration, [gl002('import m = require(\'m\'); return x;', 'import')]],
  [K.ImportDeclaration, [gl002('import \'m\'; return x;', 'import')]],
  [K.ImportClause, [gl002('import d from \'m\'; return x;', 'import')]],
  [K.NamespaceImport, [gl002('import * as m from \'m\'; return x;', 'import')]],
  [K.NamedImports, [gl002('import { a } from \'m\'; return x;', 'import')]],
  [K.ImportSpecifier, [gl002('import { a as b } from \'m\'; return x;', 'import')]],
  [K.ExportAssignment, [gl002('export default x; return x;', 'export')]],
  [K.ExportDeclaration, [gl002('export * from \'m\'; return x;', 'export')]],
  [K.NamedExports, [gl002('export { x }; return x;', 'export')]],
  [K.NamespaceExport, [gl002('export * as n from \'m\'; return x;', 'export')]],
  [K.ExportSpecifier, [gl002('export { x as z }; return x;', 'export')]],
  [K.MissingDeclaration, [gl002('@dec; return x;', 'MissingDeclaration')]],
  [K.ExternalModuleReference, [gl002('import m = require(\'m\'); return x;', 'import')]],
  [K.JsxElement, na(JSX)],
  [K.JsxSelfClosingElement, na(JSX)],
  [K.JsxOpeningElement, na(JSX)],
  [K.JsxClosingElement, na(JSX)],
  [K.JsxFragment, na(JSX)],
  [K.JsxOpeningFragment, na(JSX)],
  [K.JsxClosingFragment, na(JSX)],
  [K.JsxAttribute, na(JSX)],
  [K.JsxAttributes, na(JSX)],
  [K.JsxSpreadAttribute, na(JSX)],
  [K.JsxExpression, na(JSX)],
  [K.JsxNamespacedName, na(JSX)],
  [K.CaseClause, [ok('const m = \'put\'; switch (m) { case \'call\': case \'put\': return x; } return y;'), gl002At('switch (x) { case \'a\': return y; } return x;', '\'a\'', 'not of the type')]],
  [K.DefaultClause, [ok('switch (x) { default: x = 2; } return x;'), gl002At('switch (x) { default: return y; case 1: return x; }', 'default: return y;', 'not the last case')]],
  [K.HeritageClause, [gl002('class C extends Array {} return x;', 'A class')]],
  [K.CatchClause, [gl002('try { x = 1; } catch { x = 2; } return x;', '`try`')]],
  [K.ImportAttributes, [gl002('import d from \'m\' with { type: \'json\' }; return x;', 'import')]],
  [K.ImportAttribute, [gl002('import d from \'m\' with { type: \'json\' }; return x;', 'import')]],
  [K.ImportTypeAssertionContainer, na('type syntax (`import(\'m\', { assert: … })` in a type): the lowering reads types only as declared types')],
  [K.PropertyAssignment, [ok('const a = Array.from({ length: 2 }, (_, i) => i * x); return a[1];'), ok('const o = { a: x, b: { c: y } }; return o.a * o.b.c;'), gl002At('const o = { a: [x] }; return x;', 'a: [x]', 'holding an array')]],
  [K.ShorthandPropertyAssignment, [ok('const o = { x }; return o.x * y;'), gl002At('const a = [x]; const o = { a }; return x;', 'a', 'holding an array')]],
  [K.SpreadAssignment, [ok('const p = { a: x }; const o = { ...p, b: y }; return o.a * o.b;'), gl002At('const o = { ...[x] }; return x;', '...[x]', 'A spread of an array')]],
  [K.EnumMember, [gl002('enum E { A = 1 } return x;', '`enum`')]],
  // Made by the compiler, not the parser
  [K.SyntaxList, na(SYNTHESIZED)],
  [K.NotEmittedStatement, na(SYNTHESIZED)],
  [K.NotEmittedTypeElement, na(SYNTHESIZED)],
  [K.PartiallyEmittedExpression, na(SYNTHESIZED)],
  [K.CommaListExpression, na(SYNTHESIZED)],
  [K.SyntheticReferenceExpression, na(SYNTHESIZED)],
]);

/** Every assignment, binary, prefix and postfix operator, classified the same way. */
const OPERATORS = new Map<ts.SyntaxKind, Row>([
  [K.CommaToken, [ok('let a = x; let b = y; a += 1, b *= 2; return a * b;'), gl002('return (x, y);', 'comma')]],
  [K.LessThanToken, [ok('return x < y ? 1 : 0;')]],
  [K.LessThanSlashToken, na('JSX closing tag, not an operator')],
  [K.GreaterThanToken, [ok('return x > y ? 1 : 0;')]],
  [K.LessThanEqualsToken, [ok('return x <= y ? 1 : 0;')]],
  [K.GreaterThanEqualsToken, [ok('return x >= y ? 1 : 0;')]],
  [K.EqualsEqualsToken, [ok('return x == y ? 1 : 0;')]],
  [K.ExclamationEqualsToken, [ok('return x != y ? 1 : 0;')]],
  [K.EqualsEqualsEqualsToken, [ok('return x === 0 ? 1 : 0;')]],
  [K.ExclamationEqualsEqualsToken, [ok('return x !== x ? 1 : 0;')]],
  [K.EqualsGreaterThanToken, na('the arrow of an arrow function (see ArrowFunction), not an operator')],
  [K.PlusToken, [ok('return x + y + +x;')]],
  [K.MinusToken, [ok('return x - y - -x;')]],
  [K.AsteriskToken, [ok('return x * y;')]],
  [K.AsteriskAsteriskToken, [ok('return x ** 3 + 2 ** y;')]],
  [K.SlashToken, [ok('return x / (y + 3);')]],
  [K.PercentToken, [ok('return x % 0.7 + y % 2;')]],
  [K.PlusPlusToken, [ok('let a = x; a++; ++a; return a;'), gl002At('const a = x; a++; return x;', 'a', '`const`')]],
  [K.MinusMinusToken, [ok('let a = x; a--; --a; return a;')]],
  [K.LessThanLessThanToken, [gl002('return x << 1;', 'bit shift, not differentiable')]],
  [K.GreaterThanGreaterThanToken, [gl002('return x >> 1;', 'bit shift, not differentiable')]],
  [K.GreaterThanGreaterThanGreaterThanToken, [gl002('return x >>> 1;', 'bit shift, not differentiable')]],
  [K.AmpersandToken, [gl002('return x & 1;', 'bitwise operation, not differentiable')]],
  [K.BarToken, [gl002('return x | 0;', 'bitwise operation, not differentiable')]],
  [K.CaretToken, [gl002('return x ^ 1;', 'bitwise operation, not differentiable')]],
  [K.ExclamationToken, [ok('return !(x > 0) ? 1 : !x ? 2 : 3;')]],
  [K.TildeToken, [gl002('return ~x;', 'bitwise')]],
  [K.AmpersandAmpersandToken, [ok('return x > 0 && y > 0 ? 1 : 0;'), ok('return x && y;'), gl002('const a = [x]; return x && a;', 'different types')]],
  [K.BarBarToken, [ok('return x > 0 || y > 0 ? 1 : 0;'), ok('return x || y;'), gl002('const a = [x]; return x || a;', 'different types')]],
  [K.QuestionToken, na('part of `?:` (see ConditionalExpression) and of optional members, not a binary operator')],
  [K.ColonToken, na('part of `?:` (see ConditionalExpression), not a binary operator')],
  [K.AtToken, na('decorators (see MissingDeclaration), not an operator')],
  [K.QuestionQuestionToken, [ok('const a = [x, y]; const b = x * 2; return (x ?? 1) + (b ?? 2) + (a ?? [1])[1];'), gl002('const a = [x]; return a[1] ?? y;', '`??`'),
    gl002('let d: number; return d ?? y;', '`??`')]],
  [K.BacktickToken, na('template delimiter (see TemplateExpression), not an operator')],
  [K.HashToken, na('the start of a private name (see PrivateIdentifier), not an operator')],
  [K.EqualsToken, [ok('let a = x; a = a * y; return a;'), gl002At('const a = x; a = 2; return x;', 'a', '`const`'), ok('let a = x; let b = y; a = b = 3 * x; return a + b;'), gl002At('let a = x; let b = y; a = x * (x = 3); return a;', 'x = 3', 'reads \'x\' before it')]],
  [K.PlusEqualsToken, [ok('let a = x; a += y; const b = [x, y]; b[0] += y; return a * b[0];')]],
  [K.MinusEqualsToken, [ok('let a = x; a -= y; return a;')]],
  [K.AsteriskEqualsToken, [ok('let a = x; a *= y; return a;')]],
  [K.AsteriskAsteriskEqualsToken, [ok('let u = x; u **= 3; const b = [x, y]; b[1] **= 2; return u + b[1];')]],
  [K.SlashEqualsToken, [ok('let a = x; a /= y + 3; return a;')]],
  [K.PercentEqualsToken, [ok('let a = x; a %= 0.7; return a;')]],
  [K.LessThanLessThanEqualsToken, [gl002('let a = y; a <<= 1; return x * a;', 'bit shift, not differentiable')]],
  [K.GreaterThanGreaterThanEqualsToken, [gl002('let a = y; a >>= 1; return x * a;', 'bit shift, not differentiable')]],
  [K.GreaterThanGreaterThanGreaterThanEqualsToken, [gl002('let a = y; a >>>= 1; return x * a;', 'bit shift, not differentiable')]],
  [K.AmpersandEqualsToken, [gl002('let a = y; a &= 1; return x * a;', 'bitwise operation, not differentiable')]],
  [K.BarEqualsToken, [gl002('let a = y; a |= 0; return x * a;', 'bitwise operation, not differentiable')]],
  [K.BarBarEqualsToken, [ok('let w = x; w ||= 2; const b = [x, y]; b[1] ||= 3; let c = b; c ||= [1, 2]; let t = x > 1; t ||= y > 1; return w * b[1] + c[0] + (t ? 1 : 0);'),
    gl002('let w: number[]; w ||= [x]; return x;', 'declared without a value')]],
  [K.AmpersandAmpersandEqualsToken, [ok('let w = x; w &&= w + y; const b = [x, y]; b[0] &&= 3; let c = b; c &&= [y, 2]; return w * b[0] + c[0];'),
    gl002('let w: number[]; w &&= [x]; return x;', 'declared without a value')]],
  [K.QuestionQuestionEqualsToken, [ok('let w = x; w ??= 2; let c = [y]; c ??= [1]; return w * c[0];'),
    gl002('let w: number; w ??= 2; return x * w;', 'declared without a value'), gl002('const b = [x]; b[1] ??= 2; return b[0];', 'array element')]],
  [K.CaretEqualsToken, [gl002('let a = y; a ^= 1; return x * a;', 'bitwise operation, not differentiable')]],
  [K.InKeyword, [gl002('return 0 in [x] ? x : y;', '`in`')]],
  [K.InstanceOfKeyword, [gl002('return [x] instanceof Array ? x : y;', '`instanceof`')]],
]);

// ---- the kinds, from TypeScript's own ranges ------------------------------------------------------

const range = (a: number, b: number): ts.SyntaxKind[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/** Expressions, statements, declarations and their parts: every kind a function body can hold. */
const EXPECTED_KINDS: ts.SyntaxKind[] = [
  ...range(K.FirstLiteralToken, K.LastLiteralToken),
  K.Identifier, K.PrivateIdentifier,
  K.TrueKeyword, K.FalseKeyword, K.NullKeyword, K.ThisKeyword, K.SuperKeyword, K.ImportKeyword,
  // From the binding patterns through the expressions, statements and declarations to the parts of
  // object literals and enums: everything between the type nodes and SourceFile.
  ...range(K.LastTypeNode + 1, K.SourceFile - 1),
  // Nodes the compiler makes (after the JSDoc nodes).
  ...range(K.LastJSDocNode + 1, K.Count - 1),
];

/** Operators: the comma, the binary/assignment punctuation range, and the keyword operators. */
const EXPECTED_OPERATORS: ts.SyntaxKind[] = [
  K.CommaToken, ...range(K.FirstBinaryOperator, K.LastBinaryOperator), K.InKeyword, K.InstanceOfKeyword,
  K.PlusPlusToken, K.MinusMinusToken, K.ExclamationToken, K.TildeToken,
];

/** The kind's own name (SyntaxKind maps a value to its last alias, such as FirstStatement). */
function kindName(k: ts.SyntaxKind): string {
  const names = Object.keys(K).filter((n) => (K as unknown as Record<string, number>)[n] === k && !/^(First|Last)/.test(n));
  return names[0] ?? K[k];
}

// ---- checking one snippet --------------------------------------------------------------------------

const POINTS: { x: number; y: number }[] = [
  { x: 1.5, y: -0.25 }, { x: 0, y: 2 }, { x: NaN, y: 3 }, { x: -2, y: 0 }, { x: 0.5, y: NaN },
];

function source(s: Snippet): { text: string; bodyStart: number } {
  const head = `${s.prelude ? s.prelude + '\n' : ''}/** @differentiable */\nfunction f(x: number, y: number): number {\n  `;
  return { text: `${head}${s.body}\n}\n`, bodyStart: head.length };
}

function fNode(sf: ts.SourceFile): ts.FunctionDeclaration {
  const f = sf.statements.find((st): st is ts.FunctionDeclaration => ts.isFunctionDeclaration(st) && st.name?.text === 'f');
  assert.ok(f?.body, 'f is declared with a body');
  return f;
}

/** Nodes inside f's body that `match`, in source order, each with the statement of the body holding it. */
function find(body: ts.Block, match: (n: ts.Node) => boolean): { node: ts.Node; top: ts.Statement }[] {
  const found: { node: ts.Node; top: ts.Statement }[] = [];
  for (const top of body.statements) {
    const visit = (n: ts.Node) => { if (match(n)) found.push({ node: n, top }); ts.forEachChild(n, visit); };
    visit(top);
  }
  return found;
}

function jsValue(text: string, point: { x: number; y: number }): unknown {
  const js = ts.transpileModule(text + '\nresult = f(__x, __y);', { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
  const ctx: Record<string, unknown> = { __x: point.x, __y: point.y, result: undefined };
  vm.runInNewContext(js, ctx);
  return ctx.result;
}

function check(s: Snippet, match: (n: ts.Node) => boolean, what: string): void {
  const { text } = source(s);
  const program = parseProgram(text);
  const body = fNode(program.sourceFile).body!;
  const nodes = find(body, match);
  assert.ok(nodes.length > 0, `the snippet holds a ${what}: ${s.body}`);
  const lowered = program.lower('f')!;
  const show = (d: EngineDiagnostic) => `${d.code} ${JSON.stringify(text.slice(d.range.start, d.range.end))}: ${d.message}`;
  if (s.expect === 'ok') {
    assert.deepEqual(lowered.diagnostics.map(show), [], `${s.body}: lowers without diagnostics`);
    for (const point of POINTS) {
      const expected = jsValue(text, point);
      const actual = new Interpreter(numberAlgebra, program, 1e6).run(lowered.fn, [point.x, point.y] as Value<number>[]);
      assert.ok(Object.is(actual, expected), `${s.body} at x = ${point.x}, y = ${point.y}: Gradlens ${actual}, JavaScript ${expected}`);
      if (!Number.isFinite(actual) || !Number.isFinite(point.x) || !Number.isFinite(point.y)) continue;
      const d = new Differentiator(program, lowered.fn, ['x', 'y'], point, 1e6);
      const rev = d.reverse().jacobian[0];
      const fwd = d.forward().jacobian[0];
      rev.forEach((g, k) => assert.ok(Object.is(g, fwd[k]) || Math.abs(g - fwd[k]) <= 1e-12 * Math.max(1, Math.abs(g)),
        `${s.body}: reverse ${g} vs forward ${fwd[k]}`));
    }
    return;
  }
  // GL002 on the construct: its range covers the first node of the kind, and stays inside the
  // statement of f's body that holds it (it is on the construct, not on the whole function).
  let { node, top } = nodes[0];
  if (s.at) {
    const marked = find(body, (n) => n.getText(program.sourceFile) === s.at);
    assert.ok(marked.length > 0, `${s.body}: no node reads ${JSON.stringify(s.at)}`);
    ({ node, top } = marked[marked.length - 1]);
  }
  const start = node.getStart(program.sourceFile);
  const covering = lowered.diagnostics.filter((d) => d.code === 'GL002' && d.range.start <= start && node.end <= d.range.end &&
    d.range.start >= top.getStart(program.sourceFile) && d.range.end <= top.end);
  assert.ok(covering.length > 0, `${s.body}: a GL002 covering ${JSON.stringify(node.getText(program.sourceFile))}; got:\n${lowered.diagnostics.map(show).join('\n') || '(none)'}`);
  assert.equal(lowered.fn.ok, false);
  if (s.says) {
    assert.ok(covering.some((d) => d.message.includes(s.says!)), `${s.body}: the message names the construct (${s.says}); got:\n${covering.map(show).join('\n')}`);
  }
  for (const d of covering) assert.match(d.message, /is outside Gradlens's differentiable subset\. \S/, 'says what to do instead');
}

function isOperator(op: ts.SyntaxKind): (n: ts.Node) => boolean {
  return (n) => (ts.isBinaryExpression(n) && n.operatorToken.kind === op) ||
    ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && n.operator === op);
}

// ---- the tests ----------------------------------------------------------------------------------------

describe('engine: every syntax kind is lowered with its JavaScript meaning or gets a GL002', () => {
  it('every expression and statement kind of this TypeScript is classified', () => {
    const missing = EXPECTED_KINDS.filter((k) => !KINDS.has(k)).map(kindName);
    assert.deepEqual(missing, [], 'kinds without a row (give each a snippet, or a reason it cannot occur in a function body)');
    const extra = [...KINDS.keys()].filter((k) => !EXPECTED_KINDS.includes(k)).map(kindName);
    assert.deepEqual(extra, [], 'rows for kinds outside the enumerated ranges');
    const missingOps = EXPECTED_OPERATORS.filter((k) => !OPERATORS.has(k)).map(kindName);
    assert.deepEqual(missingOps, [], 'operators without a row');
  });

  it('counts: lowered, GL002, not applicable', () => {
    const count = (rows: Map<ts.SyntaxKind, Row>) => {
      let lowered = 0, reported = 0, notApplicable = 0;
      for (const row of rows.values()) {
        if ('na' in row) notApplicable++;
        else if (row.some((s) => s.expect === 'ok')) lowered++;
        else reported++;
      }
      return { lowered, reported, notApplicable };
    };
    const kinds = count(KINDS);
    const ops = count(OPERATORS);
    assert.equal(kinds.lowered + kinds.reported + kinds.notApplicable, EXPECTED_KINDS.length);
    assert.equal(ops.lowered + ops.reported + ops.notApplicable, OPERATORS.size);
  });

  for (const [kind, row] of KINDS) {
    if ('na' in row) continue;
    row.forEach((s, i) => it(`${kindName(kind)}${row.length > 1 ? ` #${i + 1}` : ''}: ${s.expect === 'ok' ? 'JavaScript\'s value' : 'GL002'}`, () => {
      check(s, (n) => n.kind === kind, kindName(kind));
    }));
  }

  for (const [op, row] of OPERATORS) {
    if ('na' in row) continue;
    row.forEach((s, i) => it(`operator ${ts.tokenToString(op) ?? kindName(op)}${row.length > 1 ? ` #${i + 1}` : ''}: ${s.expect === 'ok' ? 'JavaScript\'s value' : 'GL002'}`, () => {
      check(s, isOperator(op), `'${ts.tokenToString(op)}'`);
    }));
  }
});

describe('engine: compound and logical assignments are never dropped (the issue\'s example)', () => {
  it('y <<= 1 is a GL002 on the construct, beside ||= and **= that lower', () => {
    checkDiagnostics(`
/**
 * @differentiable
 * @at x = 4.5, y = 1.5, w = 0
 */
function f(x: number, y: number, w: number): number {
  y <<= 1;
//^^^^^^^ GL002 '<<=' (a bit shift, not differentiable)
  w ||= 2;
  let u = x;
  u **= 3;
  return x * y * w;
}
`);
  });

  const withoutShift = `/**
 * @differentiable
 * @at x = 4.5, y = 1.5, w = 0
 */
function f(x: number, y: number, w: number): number {
  y *= 2;
  w ||= 2;
  let u = x;
  u **= 3;
  let v = y;
  v &&= v * w;
  let z = w;
  z ??= 100;
  return x * y * w + u + v + z;
}
`;

  it('||=, &&=, ??= and **= evaluate as JavaScript does, on truthy, zero and NaN values', () => {
    const program = parseProgram(withoutShift);
    const lowered = program.lower('f')!;
    assert.deepEqual(lowered.diagnostics, []);
    const js = ts.transpileModule(withoutShift + '\nresult = f;', { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
    const ctx: { result?: (...a: number[]) => number } = { result: undefined };
    vm.runInNewContext(js, ctx);
    for (const [x, y, w] of [[4.5, 1.5, 0], [4.5, 1.5, 3], [1, 0, -0], [2, 1, NaN], [2, NaN, 1], [-1, 2, -3]]) {
      const actual = new Interpreter(numberAlgebra, program, 1e6).run(lowered.fn, [x, y, w]);
      assert.ok(Object.is(actual, ctx.result!(x, y, w)), `f(${x}, ${y}, ${w}): Gradlens ${actual}, JavaScript ${ctx.result!(x, y, w)}`);
    }
    // With w = 0, `w ||= 2` makes w 2: x * y * w = 4.5 * 3 * 2, as JavaScript computes.
    assert.equal(ctx.result!(4.5, 1.5, 0), 4.5 * 3 * 2 + 4.5 ** 3 + 3 * 2 + 2);
  });

  it('their gradient: reverse = forward = complex step, and central differences agree', () => {
    const program = parseProgram(withoutShift);
    const fn = program.lower('f')!.fn;
    for (const point of [{ x: 4.5, y: 1.5, w: 0 }, { x: 4.5, y: 1.5, w: 3 }, { x: -1, y: 2, w: -3 }]) {
      const d = new Differentiator(program, fn, ['x', 'y', 'w'], point, 1e6);
      const rev = d.reverse().jacobian[0];
      const fwd = d.forward().jacobian[0];
      const cs = d.complexStep()[0];
      const fd = d.numerical(-1);
      rev.forEach((g, k) => {
        assert.ok(Math.abs(g - fwd[k]) <= 1e-9 * Math.max(1, Math.abs(g)), `forward ${fwd[k]} vs reverse ${g}`);
        assert.ok(Math.abs(g - cs[k]) <= 1e-9 * Math.max(1, Math.abs(g)), `complex step ${cs[k]} vs reverse ${g}`);
        // At w = 0, \`w ||= 2\` jumps: central differences in w straddle the jump.
        if (point.w !== 0 || k !== 2) assert.ok(Math.abs(g - fd[k]) <= 1e-5 * Math.max(1, Math.abs(g)), `finite differences ${fd[k]} vs reverse ${g}`);
      });
      // ∂f/∂x = y·w + 3x², with y and w as the assignments left them.
      assert.ok(Math.abs(rev[0] - (2 * point.y * (point.w || 2) + 3 * point.x ** 2)) <= 1e-9 * Math.abs(rev[0]), `∂f/∂x = ${rev[0]}`);
    }
  });

  it('a number as a condition is false for NaN, as in JavaScript', () => {
    const text = 'function f(x: number, y: number): number { let a = 0; if (x) a += 1; if (x * y) a += 10; while (y) { a += 100; y = 0; } return !x ? a : -a; }';
    const program = parseProgram(text);
    const lowered = program.lower('f')!;
    assert.deepEqual(lowered.diagnostics, []);
    const js = ts.transpileModule(text + '\nresult = f;', {}).outputText;
    const ctx: { result?: (...a: number[]) => number } = { result: undefined };
    vm.runInNewContext(js, ctx);
    for (const [x, y] of [[NaN, 1], [1, NaN], [0, 2], [2, 3], [-0, -1]]) {
      const actual = new Interpreter(numberAlgebra, program, 1e6).run(lowered.fn, [x, y]);
      assert.ok(Object.is(actual, ctx.result!(x, y)), `f(${x}, ${y}): Gradlens ${actual}, JavaScript ${ctx.result!(x, y)}`);
    }
  });

  it('generated reverse-mode, JVP and Hessian code keeps their meaning, and compiles under --strict', function () {
    this.timeout(120_000);
    const src = `/**
 * @differentiable
 * @at x = 1.5, y = 0, w = 0
 */
export function f(x: number, y: number, w: number): number {
  w ||= 2;
  let u = x;
  u **= 3;
  const b = [x, y];
  b[1] ||= x * 3;
  b[0] &&= b[0] * y;
  let s = 0;
  if (x * w) s += x * w;
  if (y) s += 100 * y;
  let z = w;
  z ??= 7;
  return s + u + b[1] * b[0] + z * x + (y ?? 1);
}
`;
    for (const mode of ['reverse', 'jvp', 'hessian'] as const) {
      const r = generateDerivative(src, 'f', mode);
      assert.ok(r.generated, `${mode}: ${JSON.stringify(r.diagnostics)}`);
      const full = `${src}\n${r.generated.code}`;
      assert.deepEqual(typeErrors(full), [], full);
      if (mode !== 'reverse') continue;
      const mod = load(full);
      for (const point of [{ x: 1.5, y: 0, w: 0 }, { x: 1.5, y: 0.5, w: NaN }, { x: -2, y: 3, w: 0.5 }, { x: 0, y: NaN, w: 1 }]) {
        const got = flat(mod[r.generated.name](point.x, point.y, point.w));
        const want = flat(Object.values(gradientAt(src, 'f', point).gradient ?? {}));
        assert.equal(want.length, 3);
        assert.ok(got.every((g, k) => Object.is(g, want[k])) || relError(got, want) < 1e-12, `at ${JSON.stringify(point)}: generated ${got}, AD ${want}`);
      }
    }
  });

  it('async and generator functions are reported (their value is a Promise or an iterator)', () => {
    checkDiagnostics(`
/** @differentiable */
export async function f(x: number) {
//     ^^^^^ GL002 \`async\`
  return x * x;
}
/** @differentiable */
function* g(x: number) {
//      ^ GL002 generator
  return x * x;
}
`);
  });
});
