// Completion inside JSDoc blocks: the Gradlens tags after `@` at the start of a JSDoc
// line (or after `/**`), the function's parameter names after `@wrt` and `@at`, and the file's
// function names after `@gradient` and `@derivative`.
//
// Completion runs on the LSP thread, mid-edit: the file may not parse and the last analysis may be
// versions behind. So it reads the live text alone, with linear scans near the cursor (no parser,
// no regular expression), and falls back on the last analysis only for the parameters of a
// function whose header the scan cannot read. Every scan is bounded or linear in the text.

import {
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { FunctionAnalysis } from '../engine/api';
import { toLspRange } from './toLsp';

// ---- the tags ------------------------------------------------------------------------------------

export interface TagInfo {
  tag: string;
  /** One line, shown beside the label. */
  detail: string;
  /** What the tag does and an example (the README's annotation-language table, in more words). */
  documentation: string;
  /** Whether the tag may appear more than once in a block. */
  repeatable: boolean;
}

const example = (code: string): string => '```ts\n' + code + '\n```';

export const TAGS: readonly TagInfo[] = [
  {
    tag: 'differentiable',
    detail: 'Gradlens: analyse this function',
    documentation: 'Analyse this function: its gradient on hover, a live check of its hand-written gradient, ' +
      'derivative code to insert, and its computation graph.\n\n' + example(
        '/**\n * @differentiable\n * @at x = 1.5, y = -0.25\n */\nexport function rosenbrock(x: number, y: number): number {\n  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;\n}'),
    repeatable: false,
  },
  {
    tag: 'wrt',
    detail: 'Gradlens: differentiate with respect to these parameters',
    documentation: 'Differentiate with respect to these parameters, in this order; the others are held constant. ' +
      'Default: every `number`, `number[]`, `Float64Array` or tuple parameter.\n\n' + example(
        '/**\n * @differentiable\n * @wrt w, b\n */\nfunction loss(w: number[], b: number, x: number[], y: number): number { … }'),
    repeatable: false,
  },
  {
    tag: 'at',
    detail: 'Gradlens: a check point (repeatable)',
    documentation: 'A check point, where the gradient is shown and the hand-written gradient is checked (repeatable). ' +
      'Without one, seeded random points are drawn, and redrawn where the function is not finite.\n\n' + example(
        '/**\n * @differentiable\n * @at x = 1.5, w = [0.1, -2, 3]\n * @at x = -1, w = [0, 0, 1]\n */'),
    repeatable: true,
  },
  {
    tag: 'gradient',
    detail: 'Gradlens: a hand-written gradient to check (repeatable)',
    documentation: 'Names a hand-written gradient to check against automatic differentiation; repeatable, every one ' +
      'is checked. Without it, `<name>Grad`, `<name>_grad` or `grad<Name>` is paired by name. By default it takes ' +
      'the function\'s parameters and returns a number (one `@wrt` parameter), a tuple in `@wrt` order, or an object ' +
      'keyed by parameter name. A convention word after the name says how it is called: `out` (writes into an extra ' +
      'array), `fused` (returns the value, writes the gradient), `flag p` (a boolean parameter selects f or f′), ' +
      '`vjp` (takes the upstream gradient), `output` (f′ in terms of the output y = f(x)).\n\n' + example(
        '/**\n * @differentiable\n * @gradient rosenbrockGrad\n * @gradient rosenbrockGradInto out\n */\nexport function rosenbrock(x: number, y: number): number { … }'),
    repeatable: true,
  },
  {
    tag: 'partial',
    detail: 'Gradlens: a hand-written partial derivative (repeatable)',
    documentation: 'Names a function returning one partial derivative, `s · ∂f/∂p`, with the function\'s parameters: ' +
      '`@partial p d [scale s]` (`s` defaults to 1; `0.01` per 1 %, `-1/365` per day). One per parameter, as option ' +
      'Greeks are written.\n\n' + example(
        '/**\n * @differentiable\n * @partial S delta\n * @partial sigma vega scale 0.01\n * @partial T theta scale -1/365\n */\nexport function callPrice(S: number, K: number, sigma: number, r: number, T: number): number { … }'),
    repeatable: true,
  },
  {
    tag: 'hessian',
    detail: 'Gradlens: a hand-written Hessian to check',
    documentation: 'Names a function returning the Hessian (`number[][]`, rows and columns the flat `@wrt` components), ' +
      'checked against forward-over-reverse AD; with `hvp`, `h(params, dx, dy…)` returns H·v in the gradient\'s shape.\n\n' + example(
        '/**\n * @differentiable\n * @hessian rosenbrockHessian\n */'),
    repeatable: true,
  },
  {
    tag: 'jvp',
    detail: 'Gradlens: a hand-written Jacobian-vector product to check',
    documentation: 'Names a function `j(params, dx, dy…)` returning J·v, or `[value, J·v]` (the shape Gradlens ' +
      'generates), checked against forward mode.\n\n' + example('/**\n * @differentiable\n * @jvp rosenbrockJvp\n */'),
    repeatable: true,
  },
  {
    tag: 'derivative',
    detail: 'Gradlens: use this function as the helper\'s derivative rule',
    documentation: 'On a helper: use the named function as its derivative rule (like `jax.custom_jvp`) instead of ' +
      'differentiating its body; the rule is checked too. It takes the helper\'s parameters and returns the ' +
      'derivative (one entry per parameter).\n\n' + example(
        '/**\n * @derivative softplusDerivative\n */\nfunction softplus(x: number): number {\n  return Math.log1p(Math.exp(x));\n}\n\n' +
        'function softplusDerivative(x: number): number {\n  return 1 / (1 + Math.exp(-x));\n}'),
    repeatable: false,
  },
  {
    tag: 'nondifferentiable',
    detail: 'Gradlens: this helper\'s derivative is zero',
    documentation: 'On a helper: its derivative is zero (an index, a bucket, a count), so its kinks (`Math.floor`, ' +
      'comparisons) are not differentiated; Gradlens still evaluates its body.\n\n' + example('/** @nondifferentiable */\nfunction bucket(x: number): number {\n  return Math.floor(x / 10);\n}'),
    repeatable: false,
  },
];

// ---- options -------------------------------------------------------------------------------------

export interface CompletionOptions {
  /** The client accepts snippets (`${1:0.5}` placeholders). */
  snippets: boolean;
  /** Completion was asked for explicitly (Ctrl+Space), not by typing a trigger character. */
  invoked: boolean;
  /** The last analysis, for a function whose parameter list the text scan cannot read (mid-edit). */
  analysed?: { functions: readonly FunctionAnalysis[]; toLive: (offset: number) => number | null };
}

/** How far a scan looks: a JSDoc block, a function header or a tag line longer than this is not read. */
const BLOCK_LIMIT = 64_000;
const HEADER_LIMIT = 20_000;
const LINE_LIMIT = 4000;
const MAX_FUNCTION_NAMES = 1000;

// ---- entry point ---------------------------------------------------------------------------------

/** The completion items at `offset` of `doc` (the live text), or [] outside a JSDoc block. */
export function completionsAt(doc: TextDocument, offset: number, options: CompletionOptions): CompletionItem[] {
  const text = doc.getText();
  // Every space typed in a file asks: answer a line that cannot be a JSDoc line at once.
  if (!mayBeJsDocLine(text, offset)) return [];
  const block = jsDocAt(text, offset);
  if (!block) return [];
  const ctx = lineContext(text, block, offset);
  if (!ctx) return [];
  const range = (start: number) => toLspRange(doc, { start, end: offset });
  switch (ctx.kind) {
    case 'tag': {
      if (ctx.start === offset && !options.invoked) return []; // a space after `*` is not a request for tags
      const present = tagsInBlock(text, block, ctx.lineStart);
      return TAGS.filter((t) => t.repeatable || !present.has(t.tag)).map((t, i) => ({
        label: `@${t.tag}`,
        kind: CompletionItemKind.Keyword,
        detail: t.detail,
        documentation: { kind: MarkupKind.Markdown, value: t.documentation },
        sortText: String(i).padStart(2, '0'),
        filterText: `@${t.tag}`,
        textEdit: { range: range(ctx.start), newText: `@${t.tag}` },
      }));
    }
    case 'wrt':
    case 'at': {
      const fn = documentedFunction(text, block, offset, options);
      if (!fn) return [];
      const taken = new Set(ctx.taken);
      const candidates = fn.params.filter((p) => p.kind !== 'other' && !taken.has(p.name));
      return candidates.map((p, i) => paramItem(ctx.kind, p, i, range(ctx.start), ctx.spaceBefore, options.snippets));
    }
    case 'function': {
      const own = block.close >= 0 ? functionHeader(text, block.close + 2)?.name ?? null : null;
      const names = functionNames(text).filter((n) => n !== own);
      return names.map((name, i) => {
        const paired = own !== null && pairsWith(own, name, ctx.tag);
        return {
          label: name,
          kind: CompletionItemKind.Function,
          detail: paired ? `${PAIRED_DETAIL[ctx.tag]} of ${own}?` : 'function of this file',
          sortText: `${paired ? '0' : '1'}${String(i).padStart(5, '0')}`,
          textEdit: { range: range(ctx.start), newText: name },
        };
      });
    }
    case 'word':
      return ctx.words.map((w, i) => ({
        label: w.word,
        kind: CompletionItemKind.EnumMember,
        detail: w.detail,
        sortText: String(i).padStart(2, '0'),
        textEdit: { range: range(ctx.start), newText: w.word },
      }));
  }
}

function paramItem(tag: 'wrt' | 'at', p: ParamInfo, i: number, range: ReturnType<typeof toLspRange>, spaceBefore: boolean, snippets: boolean): CompletionItem {
  const lead = spaceBefore ? ' ' : '';
  const item: CompletionItem = {
    label: p.name,
    kind: CompletionItemKind.Variable,
    detail: p.type,
    sortText: String(i).padStart(3, '0'),
    filterText: p.name,
  };
  if (tag === 'wrt') {
    item.textEdit = { range, newText: lead + p.name };
    return item;
  }
  const values = p.kind === 'arr' ? new Array<string>(Math.min(p.length, 64)).fill('0.5').join(', ') : '0.5';
  const value = p.kind === 'arr' ? `[${values}]` : values;
  item.labelDetails = { detail: ` = ${value}` };
  if (snippets) {
    item.insertTextFormat = InsertTextFormat.Snippet;
    const body = p.kind === 'arr' ? `[\${1:${values}}]` : `\${1:${values}}`;
    item.textEdit = { range, newText: `${lead}${escapeSnippet(p.name)} = ${body}` };
  } else {
    item.textEdit = { range, newText: `${lead}${p.name} = ${value}` };
  }
  return item;
}

function escapeSnippet(s: string): string {
  let out = '';
  for (const c of s) out += c === '$' || c === '}' || c === '\\' ? `\\${c}` : c;
  return out;
}

const PAIRED_DETAIL: Record<FunctionTag, string> = {
  gradient: 'hand-written gradient',
  derivative: 'derivative rule',
  partial: 'partial derivative',
  hessian: 'hand-written Hessian',
  jvp: 'hand-written JVP',
};

/** Whether `name` is the conventional partner of `fn` for the tag (`fnGrad`, `fnHessian`, …). */
function pairsWith(fn: string, name: string, tag: FunctionTag): boolean {
  const cap = fn.charAt(0).toUpperCase() + fn.slice(1);
  if (tag === 'gradient') return name === `${fn}Grad` || name === `${fn}_grad` || name === `grad${cap}` || name === `${fn}Gradient`;
  if (tag === 'hessian') return name === `${fn}Hessian` || name === `${fn}Hvp` || name === `hessian${cap}`;
  if (tag === 'jvp') return name === `${fn}Jvp` || name === `jvp${cap}`;
  if (tag === 'partial') return false; // delta, vega…: no naming rule to go by
  return name.startsWith(fn) && name !== fn;
}

// ---- where the cursor is -------------------------------------------------------------------------

/** A JSDoc line starts with `*`, `@` (or is blank), or has the opening `/**` before the cursor. */
function mayBeJsDocLine(text: string, offset: number): boolean {
  let lineStart = offset;
  while (lineStart > 0 && text[lineStart - 1] !== '\n' && offset - lineStart <= LINE_LIMIT) lineStart--;
  if (offset - lineStart > LINE_LIMIT) return false;
  let i = lineStart;
  while (i < offset && isBlank(text[i])) i++;
  if (i === offset || text[i] === '*' || text[i] === '@') return true;
  for (let k = i; k + 3 <= offset; k++) if (text[k] === '/' && text[k + 1] === '*' && text[k + 2] === '*') return true;
  return false;
}

export interface JsDocBlock {
  /** Offset of `/**`. */
  open: number;
  /** Offset of the closing `*\/`, or -1 while the block is not closed yet. */
  close: number;
}

/**
 * The JSDoc block around `offset`: the last `/**` before it with no `*\/` between them. One backward
 * and one forward search, each linear.
 */
export function jsDocAt(text: string, offset: number): JsDocBlock | null {
  if (offset < 3 || offset > text.length) return null;
  const open = text.lastIndexOf('/**', offset - 3);
  if (open < 0 || offset - open > BLOCK_LIMIT) return null;
  const close = text.indexOf('*/', open + 2);
  if (close >= 0 && close < offset) return null; // the block ends before the cursor (or the cursor is inside its `*\/`)
  // `/**` inside a line comment is not a block.
  const lineStart = text.lastIndexOf('\n', open - 1) + 1;
  const slashes = text.indexOf('//', lineStart);
  if (slashes >= 0 && slashes < open) return null;
  return { open, close };
}

type LineContext =
  | { kind: 'tag'; start: number; lineStart: number }
  | { kind: 'wrt' | 'at'; start: number; taken: string[]; spaceBefore: boolean }
  | { kind: 'function'; tag: FunctionTag; start: number }
  | { kind: 'word'; words: readonly ConventionWord[]; start: number };

type FunctionTag = 'gradient' | 'derivative' | 'partial' | 'hessian' | 'jvp';

interface ConventionWord { word: string; detail: string }

/** The words that may follow a tag's function name (engine/check/tags.ts parses them). */
const CONVENTION_WORDS_BY_TAG: Record<FunctionTag, readonly ConventionWord[]> = {
  gradient: [
    { word: 'out', detail: 'writes the gradient into an extra array parameter' },
    { word: 'fused', detail: 'returns the value and writes the gradient into an array' },
    { word: 'flag', detail: 'a boolean parameter selects f or f′' },
    { word: 'vjp', detail: 'takes the upstream gradient: returns g · f′(x)' },
    { word: 'output', detail: 'f′ written in terms of the output y = f(x)' },
  ],
  partial: [{ word: 'scale', detail: 'the factor it returns ∂f/∂p times: 0.01, -1/365' }],
  hessian: [{ word: 'hvp', detail: 'a Hessian-vector product h(params, dx, …)' }],
  jvp: [],
  derivative: [],
};

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';
const isLetter = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isIdentStart = (c: string | undefined): boolean => c !== undefined && (isLetter(c) || c === '_' || c === '$' || c > '\u007f');
const isIdentPart = (c: string | undefined): boolean => c !== undefined && (isIdentStart(c) || (c >= '0' && c <= '9'));
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** What the line of the block up to the cursor asks for: a tag, or the value of one. */
function lineContext(text: string, block: JsDocBlock, offset: number): LineContext | null {
  const lineStart = Math.max(block.open, text.lastIndexOf('\n', offset - 1) + 1);
  if (offset - lineStart > LINE_LIMIT) return null;
  let i = lineStart;
  if (lineStart === block.open) {
    i += 3; // the `/**` line: a tag may follow the opening
  } else {
    while (i < offset && isBlank(text[i])) i++;
    if (text[i] === '*' && i < offset) i++;
  }
  while (i < offset && isBlank(text[i])) i++;
  if (i === offset) return { kind: 'tag', start: offset, lineStart };
  if (text[i] !== '@') return null;
  const at = i;
  let j = at + 1;
  while (j < offset && isLetter(text[j])) j++;
  if (j === offset) return { kind: 'tag', start: at, lineStart };
  const tag = text.slice(at + 1, j);
  if (!isBlank(text[j])) return null;
  // The value: from after the tag to the end of the line (or of the block), the cursor inside it.
  const valueStart = j;
  let lineEnd = text.indexOf('\n', offset);
  if (lineEnd < 0) lineEnd = text.length;
  if (block.close >= 0 && block.close < lineEnd) lineEnd = block.close;
  if (lineEnd - valueStart > LINE_LIMIT) return null;
  let start = offset;
  while (start > valueStart && isIdentPart(text[start - 1])) start--;
  if (start < offset && !isIdentStart(text[start])) return null; // inside a number
  switch (tag) {
    case 'wrt': {
      const names = splitNames(text, valueStart, lineEnd, start, offset);
      return { kind: 'wrt', start, taken: names, spaceBefore: text[start - 1] === ',' };
    }
    case 'at': {
      // A name goes at the start of the value or after a comma (or `;`) outside brackets.
      let depth = 0;
      let lastSeparator = valueStart;
      for (let k = valueStart; k < start; k++) {
        const c = text[k];
        if (c === '[') depth++;
        else if (c === ']') depth = Math.max(0, depth - 1);
        else if (depth === 0 && (c === ',' || c === ';')) lastSeparator = k + 1;
      }
      if (depth > 0) return null;
      for (let k = lastSeparator; k < start; k++) if (!isBlank(text[k])) return null;
      return { kind: 'at', start, taken: assignedNames(text, valueStart, lineEnd, start, offset), spaceBefore: text[start - 1] === ',' || text[start - 1] === ';' };
    }
    case 'gradient':
    case 'derivative':
    case 'partial':
    case 'hessian':
    case 'jvp': {
      // The words before the cursor's: a function name first (after the parameter, for `@partial`),
      // then a convention word.
      const before = text.slice(valueStart, start).trim();
      const words = before === '' ? 0 : before.split(/\s+/).length;
      const nameAt = tag === 'partial' ? 1 : 0;
      if (tag === 'partial' && words === 0) return { kind: 'wrt', start, taken: [], spaceBefore: false };
      if (words === nameAt) return { kind: 'function', tag, start };
      if (words === nameAt + 1) {
        const options = CONVENTION_WORDS_BY_TAG[tag];
        return options.length > 0 ? { kind: 'word', words: options, start } : null;
      }
      return null;
    }
    default:
      return null;
  }
}

/** The names of an `@wrt` value on its line, except the word being typed (`[from, to)`). */
function splitNames(text: string, start: number, end: number, from: number, to: number): string[] {
  const names: string[] = [];
  let k = start;
  while (k < end) {
    if (!isIdentStart(text[k])) { k++; continue; }
    const s = k;
    while (k < end && isIdentPart(text[k])) k++;
    if (s !== from || from === to) names.push(text.slice(s, k));
  }
  return names;
}

/** The names already given a value in an `@at` value (`name =` or `name :` outside brackets), except the word being typed (`[from, to)`). */
function assignedNames(text: string, start: number, end: number, from: number, to: number): string[] {
  const names: string[] = [];
  let depth = 0;
  let k = start;
  while (k < end) {
    const c = text[k];
    if (c === '[') { depth++; k++; continue; }
    if (c === ']') { depth = Math.max(0, depth - 1); k++; continue; }
    if (depth > 0 || !isIdentStart(c) || (k > start && isIdentPart(text[k - 1]))) { k++; continue; }
    const s = k;
    while (k < end && isIdentPart(text[k])) k++;
    let m = k;
    while (m < end && isBlank(text[m])) m++;
    if ((text[m] === '=' || text[m] === ':') && (s !== from || from === to)) names.push(text.slice(s, k));
  }
  return names;
}

/** The tags of the block outside the cursor's line (to offer each non-repeatable tag once). */
function tagsInBlock(text: string, block: JsDocBlock, cursorLine: number): Set<string> {
  const found = new Set<string>();
  const end = block.close >= 0 ? block.close : Math.min(text.length, block.open + BLOCK_LIMIT);
  const tagAt = (i: number): void => {
    if (text[i] !== '@') return;
    let j = i + 1;
    while (j < end && isLetter(text[j])) j++;
    found.add(text.slice(i + 1, j));
  };
  let i = block.open + 3;
  while (i < end && isBlank(text[i])) i++;
  if (block.open !== cursorLine) tagAt(i);
  for (let nl = text.indexOf('\n', block.open); nl >= 0 && nl < end; nl = text.indexOf('\n', nl + 1)) {
    if (nl + 1 === cursorLine) continue;
    i = nl + 1;
    while (i < end && isBlank(text[i])) i++;
    if (text[i] === '*') i++;
    while (i < end && isBlank(text[i])) i++;
    tagAt(i);
  }
  return found;
}

// ---- the documented function's parameters --------------------------------------------------------

export interface ParamInfo {
  name: string;
  /** `num` a number, `arr` a flat array of `length` numbers (3 when the type does not say), `other` anything else. */
  kind: 'num' | 'arr' | 'other';
  length: number;
  /** The declared type as written (shortened), for the item's detail. */
  type: string;
}

function documentedFunction(text: string, block: JsDocBlock, offset: number, options: CompletionOptions): { name: string | null; params: ParamInfo[] } | null {
  const header = block.close >= 0 ? functionHeader(text, block.close + 2) : null;
  if (header?.params) return { name: header.name, params: header.params };
  // Mid-edit (an unclosed block or parameter list): the last analysis, by name or by position.
  const fns = options.analysed?.functions ?? [];
  let fa = header ? fns.find((f) => f.name === header.name) : undefined;
  if (!fa && block.close < 0) {
    let best = Infinity;
    for (const f of fns) {
      const at = options.analysed!.toLive(f.nameRange.start);
      if (at !== null && at > offset && at < best) { best = at; fa = f; }
    }
  }
  if (!fa) return null;
  const point = fa.points[0] ?? {};
  return {
    name: fa.name,
    params: fa.params.map((name): ParamInfo => {
      const v = Object.prototype.hasOwnProperty.call(point, name) ? point[name] : undefined;
      if (Array.isArray(v)) return { name, kind: 'arr', length: v.length || 3, type: `number[] (${v.length})` };
      return { name, kind: v === undefined && fa!.points.length > 0 ? 'other' : 'num', length: 1, type: 'number' };
    }),
  };
}

/**
 * The function declared at `from` (after a JSDoc block): `[export] [default] [async] function name(…)`
 * or `const name = [async] (…) =>` / `= function (…)` / `= x =>`. `params` is null when the parameter
 * list cannot be read (mid-edit).
 */
export function functionHeader(text: string, from: number): { name: string; params: ParamInfo[] | null } | null {
  const lx = new Lexer(text, from, Math.min(text.length, from + HEADER_LIMIT));
  let t = lx.next();
  while (t && t.kind === 'name' && (t.text === 'export' || t.text === 'default' || t.text === 'async' || t.text === 'declare')) t = lx.next();
  if (!t || t.kind !== 'name') return null;
  let name: string;
  if (t.text === 'function') {
    t = lx.next();
    if (t?.text === '*') t = lx.next();
    if (!t || t.kind !== 'name') return null;
    name = t.text;
    t = lx.next();
  } else if (t.text === 'const' || t.text === 'let' || t.text === 'var') {
    t = lx.next();
    if (!t || t.kind !== 'name') return null;
    name = t.text;
    t = lx.next();
    if (t?.text === ':') t = skipTo(lx, '=');
    if (t?.text !== '=') return { name, params: null };
    t = functionValue(lx);
    if (t?.text === 'function') {
      t = lx.next();
      if (t?.text === '*') t = lx.next();
      if (t?.kind === 'name') t = lx.next();
    } else if (t?.kind === 'name') {
      const arrow = lx.next();
      return { name, params: arrow?.text === '=>' ? [{ name: t.text, kind: 'num', length: 1, type: 'number' }] : null };
    }
  } else {
    return null;
  }
  if (t?.text === '<') t = skipTo(lx, '>') ? lx.next() : null; // type parameters
  if (t?.text !== '(') return { name, params: null };
  return { name, params: readParams(lx) };
}

/**
 * The first token of the value after `=` that matters for a function: past the parentheses around
 * it (`((x: number) => …) satisfies T`, `(function (…) {…})`) and `async`.
 */
function functionValue(lx: Lexer): Token | null {
  let t = lx.next();
  while (t?.text === '(') {
    const n = lx.peek();
    if (n?.text !== '(' && n?.text !== 'function' && n?.text !== 'async' && n?.text !== '<') break;
    t = lx.next();
  }
  if (t?.text === 'async') t = lx.next();
  return t;
}

/** Skips tokens, tracking brackets, up to `stop` at depth 0; returns it (or null). */
function skipTo(lx: Lexer, stop: string): Token | null {
  let depth = 0;
  for (let t = lx.next(); t; t = lx.next()) {
    if (depth === 0 && t.text === stop) return t;
    if (t.text === '(' || t.text === '[' || t.text === '{' || t.text === '<') depth++;
    else if (t.text === ')' || t.text === ']' || t.text === '}' || t.text === '>') depth--;
    if (depth < 0) return null;
  }
  return null;
}

/** The parameters after an opening `(`, to its `)`; null when the list is not closed. */
function readParams(lx: Lexer): ParamInfo[] | null {
  const params: ParamInfo[] = [];
  let current: Token[] = [];
  let depth = 0;
  for (let t = lx.next(); t; t = lx.next()) {
    if (depth === 0 && (t.text === ',' || t.text === ')')) {
      const p = readParam(lx.text, current);
      if (p) params.push(p);
      current = [];
      if (t.text === ')') return params;
      if (params.length >= 64) return params;
      continue;
    }
    if (t.text === '(' || t.text === '[' || t.text === '{' || t.text === '<') depth++;
    else if (t.text === ')' || t.text === ']' || t.text === '}' || t.text === '>') depth--;
    if (depth < 0) return null;
    current.push(t);
  }
  return null;
}

function readParam(text: string, tokens: Token[]): ParamInfo | null {
  if (tokens.length === 0) return null;
  let k = 0;
  const rest = tokens[0].text === '...';
  if (rest) k++;
  const nameTok = tokens[k];
  if (!nameTok || nameTok.kind !== 'name' || nameTok.text === 'this') return null;
  k++;
  if (tokens[k]?.text === '?') k++;
  let type: Token[] = [];
  let init: Token[] = [];
  if (tokens[k]?.text === ':') {
    const s = k + 1;
    let depth = 0;
    k = s;
    while (k < tokens.length && !(depth === 0 && tokens[k].text === '=')) {
      const x = tokens[k].text;
      if (x === '(' || x === '[' || x === '{' || x === '<') depth++;
      else if (x === ')' || x === ']' || x === '}' || x === '>') depth--;
      k++;
    }
    type = tokens.slice(s, k);
  }
  if (tokens[k]?.text === '=') init = tokens.slice(k + 1);
  const shape = rest ? null : type.length > 0 ? typeShape(type) : initShape(init);
  const written = type.length > 0 ? text.slice(type[0].start, type[type.length - 1].end) : shape?.kind === 'arr' ? 'number[]' : 'number';
  const display = written.length > 40 ? `${written.slice(0, 39)}…` : written;
  if (!shape) return { name: nameTok.text, kind: 'other', length: 1, type: display };
  return { name: nameTok.text, kind: shape.kind, length: shape.length, type: display };
}

type Shape = { kind: 'num' | 'arr'; length: number };

/** The shape of a parameter type the check points can give a value: `number`, a flat array or tuple. */
function typeShape(tokens: Token[]): Shape | null {
  let a = 0;
  let b = tokens.length;
  for (;;) {
    if (b - a >= 2 && tokens[a].text === '(' && tokens[b - 1].text === ')') { a++; b--; continue; }
    if (b - a >= 2 && tokens[a].text === 'readonly') { a++; continue; }
    break;
  }
  if (b - a === 1) {
    const t = tokens[a].text;
    if (t === 'number') return { kind: 'num', length: 1 };
    if (t === 'Float64Array' || t === 'Float32Array') return { kind: 'arr', length: 3 };
    return null;
  }
  if (b - a >= 3 && tokens[b - 2].text === '[' && tokens[b - 1].text === ']') {
    return typeShape(tokens.slice(a, b - 2))?.kind === 'num' ? { kind: 'arr', length: 3 } : null;
  }
  if (b - a >= 4 && (tokens[a].text === 'Array' || tokens[a].text === 'ReadonlyArray') && tokens[a + 1].text === '<' && tokens[b - 1].text === '>') {
    return typeShape(tokens.slice(a + 2, b - 1))?.kind === 'num' ? { kind: 'arr', length: 3 } : null;
  }
  if (b - a >= 3 && tokens[a].text === '[' && tokens[b - 1].text === ']') {
    // A tuple: every element a number (`[number, number]`, `[x: number, y: number]`).
    let n = 0;
    let depth = 0;
    let s = a + 1;
    for (let k = a + 1; k <= b - 1; k++) {
      const x = tokens[k].text;
      if (k === b - 1 || (depth === 0 && x === ',')) {
        let el = tokens.slice(s, k);
        // A named member: `x: number`, `x?: number`.
        if (el.length >= 3 && el[0].kind === 'name' && el[1].text === ':') el = el.slice(2);
        else if (el.length >= 4 && el[0].kind === 'name' && el[1].text === '?' && el[2].text === ':') el = el.slice(3);
        if (el.length === 0 && k === b - 1 && n > 0) break; // trailing comma
        if (typeShape(el)?.kind !== 'num') return null;
        n++;
        s = k + 1;
        continue;
      }
      if (x === '(' || x === '[' || x === '{' || x === '<') depth++;
      else if (x === ')' || x === ']' || x === '}' || x === '>') depth--;
    }
    return n > 0 ? { kind: 'arr', length: n } : null;
  }
  return null;
}

/** The shape of an untyped parameter from its default value (none: a number, as the engine assumes). */
function initShape(tokens: Token[]): Shape {
  if (tokens.length === 0 || tokens[0].text !== '[') return { kind: 'num', length: 1 };
  let n = 0;
  let depth = 0;
  let items = false;
  for (let k = 1; k < tokens.length; k++) {
    const x = tokens[k].text;
    if (depth === 0 && x === ']') break;
    if (x === '(' || x === '[' || x === '{') depth++;
    else if (x === ')' || x === ']' || x === '}') depth--;
    else if (depth === 0 && x === ',') { n++; items = false; continue; }
    items = true;
  }
  if (items) n++;
  return { kind: 'arr', length: n > 0 ? n : 3 };
}

// ---- the file's function names -------------------------------------------------------------------

/**
 * Names of the functions declared in `text` (`function f`, `const f = (…) =>`, `const f = function`),
 * in order, without duplicates. One pass of the lexer over the text.
 */
export function functionNames(text: string): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  const add = (n: string): void => {
    if (!seen.has(n) && names.length < MAX_FUNCTION_NAMES) { seen.add(n); names.push(n); }
  };
  const lx = new Lexer(text, 0, text.length);
  let prev: Token | null = null;
  for (let t = lx.next(); t; t = lx.next()) {
    if (t.kind === 'name' && t.text === 'function' && prev?.text !== '.') {
      let n = lx.next();
      if (n?.text === '*') n = lx.next();
      if (n?.kind === 'name') add(n.text);
      prev = n;
      continue;
    }
    if (t.kind === 'name' && (t.text === 'const' || t.text === 'let' || t.text === 'var')) {
      const n = lx.next();
      if (n?.kind !== 'name') { prev = n; continue; }
      let eq = lx.next();
      if (eq?.text === ':') eq = skipTo(lx, '=');
      if (eq?.text !== '=') { prev = eq; continue; }
      const v = functionValue(lx);
      if (v?.text === 'function') { add(n.text); prev = v; continue; }
      if (v?.kind === 'name') {
        const arrow = lx.next();
        if (arrow?.text === '=>') add(n.text);
        prev = arrow;
        continue;
      }
      if (v?.text === '<' || v?.text === '(') {
        // `(…) =>` or `(…): T =>` is an arrow; anything else is an expression.
        if (v.text === '<' && (skipTo(lx, '>') === null || lx.next()?.text !== '(')) { prev = v; continue; }
        if (skipTo(lx, ')') === null) break;
        let after = lx.next();
        if (after?.text === ':') after = skipArrowReturnType(lx);
        if (after?.text === '=>') add(n.text);
        prev = after;
        continue;
      }
      prev = v;
      continue;
    }
    prev = t;
  }
  return names;
}

/** Skips a return type annotation up to the `=>` that follows it (at most 200 tokens). */
function skipArrowReturnType(lx: Lexer): Token | null {
  let depth = 0;
  for (let k = 0; k < 200; k++) {
    const t = lx.next();
    if (!t) return null;
    if (depth === 0 && t.text === '=>') return t;
    if (depth === 0 && (t.text === ';' || t.text === '=')) return t;
    if (t.text === '(' || t.text === '[' || t.text === '{' || t.text === '<') depth++;
    else if (t.text === ')' || t.text === ']' || t.text === '}' || t.text === '>') depth--;
    if (depth < 0) return null;
  }
  return null;
}

// ---- a small lexer -------------------------------------------------------------------------------

export interface Token {
  kind: 'name' | 'number' | 'string' | 'punct';
  start: number;
  end: number;
  /** The token's text (empty for strings, which are never needed). */
  text: string;
}

/** Operators of more than one character, longest first. `>>` is not one: it closes two type arguments. */
const OPERATORS = ['>>>=', '...', '===', '!==', '**=', '&&=', '||=', '??=', '<<=', '=>', '==', '!=', '<=', '>=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '**', '++', '--', '&&', '||', '??', '?.', '<<'];

/**
 * A linear lexer for TypeScript text that is enough to read declarations: names, numbers, strings,
 * operators; comments and blanks skipped; template literals skipped whole (with their `${…}` parts,
 * through an explicit stack, never recursion). Regular-expression literals are not recognised (a
 * `/` is an operator); a quote inside one starts a string that ends at the line's end at worst.
 */
export class Lexer {
  constructor(readonly text: string, private pos: number, private readonly end: number) {}

  get offset(): number {
    return this.pos;
  }

  /** The next token, without consuming it. */
  peek(): Token | null {
    const pos = this.pos;
    const t = this.next();
    this.pos = pos;
    return t;
  }

  next(): Token | null {
    const s = this.text;
    const end = this.end;
    let i = this.pos;
    // Blanks and comments.
    for (;;) {
      while (i < end && s.charCodeAt(i) <= 32) i++;
      if (s[i] === '/' && s[i + 1] === '/') {
        const nl = s.indexOf('\n', i + 2);
        i = nl < 0 || nl > end ? end : nl + 1;
        continue;
      }
      if (s[i] === '/' && s[i + 1] === '*') {
        const close = s.indexOf('*/', i + 2);
        i = close < 0 || close + 2 > end ? end : close + 2;
        continue;
      }
      break;
    }
    if (i >= end) {
      this.pos = end;
      return null;
    }
    const start = i;
    const c = s[i];
    let kind: Token['kind'];
    if (isIdentStart(c)) {
      i++;
      while (i < end && isIdentPart(s[i])) i++;
      kind = 'name';
    } else if (isDigit(c) || (c === '.' && isDigit(s[i + 1]))) {
      i++;
      while (i < end && (isIdentPart(s[i]) || s[i] === '.' || ((s[i] === '+' || s[i] === '-') && (s[i - 1] === 'e' || s[i - 1] === 'E')))) i++;
      kind = 'number';
    } else if (c === '"' || c === "'") {
      i = skipString(s, i, end);
      kind = 'string';
    } else if (c === '`') {
      i = skipTemplate(s, i, end);
      kind = 'string';
    } else {
      kind = 'punct';
      const op = OPERATORS.find((o) => s.startsWith(o, i));
      i += op ? op.length : 1;
    }
    this.pos = i;
    return { kind, start, end: i, text: kind === 'string' ? '' : s.slice(start, i) };
  }
}

/** After a quoted string starting at `i`; an unterminated string ends at its line's end. */
function skipString(s: string, i: number, end: number): number {
  const q = s[i];
  i++;
  while (i < end) {
    const c = s[i];
    if (c === '\\') { i += 2; continue; }
    if (c === q) return i + 1;
    if (c === '\n') return i;
    i++;
  }
  return end;
}

/** After a template literal starting at `i`, its `${…}` parts (and templates inside them) included. */
function skipTemplate(s: string, i: number, end: number): number {
  const stack: ('template' | 'brace')[] = ['template'];
  i++;
  while (i < end && stack.length > 0) {
    const c = s[i];
    if (stack[stack.length - 1] === 'template') {
      if (c === '\\') i += 2;
      else if (c === '`') { stack.pop(); i++; }
      else if (c === '$' && s[i + 1] === '{') { stack.push('brace'); i += 2; }
      else i++;
      continue;
    }
    if (c === '{') { stack.push('brace'); i++; }
    else if (c === '}') { stack.pop(); i++; }
    else if (c === '`') { stack.push('template'); i++; }
    else if (c === '"' || c === "'") i = skipString(s, i, end);
    else if (c === '/' && s[i + 1] === '/') { const nl = s.indexOf('\n', i); i = nl < 0 ? end : nl + 1; }
    else if (c === '/' && s[i + 1] === '*') { const cl = s.indexOf('*/', i + 2); i = cl < 0 ? end : cl + 2; }
    else i++;
  }
  return Math.min(i, end);
}
