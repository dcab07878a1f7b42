// State shared by everything generated in one request: the helpers' pullbacks and JVPs emitted
// beside the main function, the file's naming scope (names.ts), and how names are printed.

import { LINE_TERMINATOR, stripUnsafe } from '../format';
import ts = require('typescript');
import { Expr, IrFunction, RecordLayout, Stmt } from '../ir';
import { stringId } from '../lower/types';
import { chargeCodeNodes } from '../symbolic/charge';
import type { PrintOptions } from './expr';
import type { Program } from '../program';
import { NameScope } from './names';
import { printedCallee } from '../declarationForms';
import { CodegenError } from './work';
import { quoted, type CodeStyle } from './code';

export interface GenOptions {
  /** TypeScript (types, non-null assertions) or plain JavaScript (the compile path). */
  ts: boolean;
  /** Print variables as v0, v1… and functions as f0, f1… (the compile path never prints user names). */
  sanitize: boolean;
  /** Only the compile path (engine/compileIr.ts) sets it: the readable code users insert never has it. */
  instrument?: CompileInstrumentation;
  /** Indentation and quotes of the readable code users insert (the file's: server/codeStyle.ts); two spaces and `'` when absent, as the compile path always prints. */
  style?: CodeStyle;
}

/**
 * What compiled code checks as it runs, so that it means what the interpreter means or stops:
 * budget ticks at every loop iteration and call (a counter the runtime of compileIr.ts charges to
 * the meter), and, in functions printed from the IR as they are, checked indexing, array sizes,
 * call depth and a missing return. The names it prints (`$n`, `$over`…) start with `$`, which no
 * sanitized name does; compileIr.ts defines them.
 */
export interface CompileInstrumentation {
  /**
   * For a function whose operations may meet a kink (a tie, abs at 0…) on values that depend on
   * the inputs: which expressions may so depend (probes are printed on them). Null for none.
   */
  kinkProbes(fnName: string): ((e: Expr) => boolean) | null;
  /** The function whose `return` statements record which one was taken (the hand-written one). */
  entry: string | null;
  /** Its `return` statements, in the order printed (the index `$leaveEntry` records). */
  entryReturns: Stmt[];
  /** Arithmetic on complex numbers (the complex step): every operation through `$complex`, comparisons and indices on real parts. */
  complex?: boolean;
}

export interface PullbackInfo {
  name: string;
  /** Parameter indices whose adjoints the pullback returns (numbers), in order. */
  scalars: number[];
  /** Parameter indices whose adjoint arrays the pullback accumulates into (passed after dOut). */
  arrays: number[];
}

export class GenContext {
  readonly synthetic = new Map<string, IrFunction>();
  /** The file scope: the file's functions and the functions generated so far (names.ts). */
  readonly names: NameScope;
  /** Extra functions (pullbacks, helper JVPs), in the order they were completed. */
  readonly extra: string[] = [];
  readonly pullbacks = new Map<string, PullbackInfo>();
  readonly jvps = new Map<string, { name: string; active: boolean[] }>();
  private readonly sanitized = new Map<string, string>();
  /** Functions of the file that generated code calls under another name (copies over arrays of helpers taking records: generate.ts). */
  readonly renamed = new Map<string, string>();
  /**
   * Prints a copy of a function of the file as a function of its own (jvp.ts `printIrFunction`,
   * set by generate.ts: this module does not import the printers): for a helper generated code
   * cannot call where it is (`copyOf`).
   */
  printCopy: ((fn: IrFunction, doc: string[]) => string) | null = null;

  constructor(readonly program: Program, readonly opts: GenOptions) {
    this.names = NameScope.file(program.functions.keys());
  }

  resolve(name: string): IrFunction {
    const syn = this.synthetic.get(name);
    if (syn) return syn;
    const lowered = this.program.lower(name);
    if (!lowered) throw new CodegenError(`'${name}' is not a function of this file`);
    if (!lowered.fn.ok) throw new CodegenError(`'${name}' uses constructs outside the differentiable subset (see its warnings)`);
    return lowered.fn;
  }

  /**
   * A name for a generated function: free in the file and in every function generated so far, so
   * that no local of a caller shadows it (the callers' later locals avoid it in turn).
   */
  freshFunctionName(base: string): string {
    return this.names.fresh(base);
  }

  /** How a function of the file or a generated one is called in the output. */
  fnName(name: string): string {
    const renamed = this.renamed.get(name);
    if (renamed !== undefined) return renamed;
    if (!this.opts.sanitize) {
      // A function of the file as generated code calls it: `activations.logistic.fn`, `module.exports.f`, `Model.f`.
      const sf = this.program.functions.get(name);
      if (!sf) {
        // An imported function is called as the file imports it (`f`, `M.f`); a helper of its module it does not import cannot be (engine/imports.ts).
        if (this.program.imports?.calleeText(name) === null) throw new CodegenError(`a call to '${name.replace(/^\$/, '')}', a function of another module that this file does not import`);
        return name;
      }
      const callee = printedCallee(sf);
      if (callee === null) return this.copyOf(name);
      return callee;
    }
    let s = this.sanitized.get(name);
    if (!s) {
      s = `f${this.sanitized.size}`;
      this.sanitized.set(name, s);
    }
    return s;
  }

  /**
   * A helper generated code cannot call from outside its function, class or object (a nested
   * function, an instance method): a copy of it, printed from its IR beside the generated code,
   * with what it reads from around it (captured values, `this` fields) as parameters after its
   * own, which is how every call in the IR passes them.
   */
  private copyOf(name: string): string {
    if (!this.printCopy) throw new CodegenError(`a call to '${name}' (a method or closure that generated code cannot call from outside its class, object or factory)`);
    const fn = this.resolve(name);
    const copyName = this.freshFunctionName(name);
    this.names.claim(copyName);
    // Registered before printing: the copy may call itself, or helpers that call it.
    this.renamed.set(name, copyName);
    const copy: IrFunction = { ...fn, returnTypeText: fn.returnTypeText ?? (fn.returnType === 'num' ? 'number' : 'number[]') };
    const implicit = fn.params.filter((p) => p.implicit).map((p) => p.name);
    this.extra.push(this.printCopy(copy, [
      `A copy of \`${stripUnsafe(name)}\`, which generated code cannot call from outside ${fn.params.some((p) => p.implicit === 'this') ? 'its object' : 'the function around it'}${implicit.length ? ` (what it reads from there, ${implicit.map((n) => stripUnsafe(n)).join(', ')}, as parameters)` : ''}.`,
      'Generated by Gradlens.',
    ]));
    return copyName;
  }

  private stringTable: Map<number, string> | null = null;

  /**
   * How the readable code prints what the IR holds constant (issue 13): a string, a number in the
   * IR (`stringId`), as its literal from the file (JavaScript compares the real strings), and a
   * field of an options object (a record parameter held constant, passed as it is) by its name.
   * The compile path prints the IR as it is (the hashes, compared only with ===).
   */
  heldPrinting(fn: IrFunction, body: Stmt[] = fn.body): PrintOptions['special'] {
    if (this.opts.sanitize) return undefined;
    const held = new Map<number, RecordLayout>();
    const depth = new Map<number, number>();
    for (const p of fn.params) if (p.constant === 'options' && p.record) { held.set(p.v, p.record); depth.set(p.v, p.depth); }
    if (held.size > 0) heldAliases(body, held, depth);
    return (e, sub) => {
      if (e.k === 'const' && isStringId(e.value)) {
        const s = this.strings().get(e.value);
        if (s !== undefined) return stringLiteral(s);
        // (a number a person writes is never this large with a half; a string of another module is)
        if (e.value >= 2 ** 40) throw new CodegenError('a string that is not written in this file (compared in another module)', e.range);
      }
      if (e.k === 'index' && e.index.k === 'const' && held.size > 0) {
        let root = e.array;
        let levels = 0;
        while (root.k === 'index') { root = root.array; levels++; }
        const layout = root.k === 'var' ? held.get(root.id) : undefined;
        const field = layout?.fields[e.index.value];
        if (root.k === 'var' && field && levels === depth.get(root.id)! - 1) return `${sub(e.array, 17)}${field.path.split('.').map(member).join('')}`;
      }
      return undefined;
    };
  }

  /** The string literals of the file by their IR values (stringId), read once. */
  private strings(): Map<number, string> {
    if (this.stringTable) return this.stringTable;
    const table = new Map<number, string>();
    // charged as it walks (a big file is stopped by the budget, not walked whole first)
    let visited = 0;
    const visit = (n: ts.Node): void => {
      if (++visited === 1024) { chargeCodeNodes(visited); visited = 0; }
      if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) table.set(stringId(n.text), n.text);
      ts.forEachChild(n, visit);
    };
    visit(this.program.sourceFile);
    chargeCodeNodes(visited);
    this.stringTable = table;
    return table;
  }

  /** Functions of the file referenced by sanitized names (the compile path must define them). */
  sanitizedNames(): Map<string, string> {
    return this.sanitized;
  }
}

/**
 * Locals that hold an options object (`const { drag } = opts` reads through a hidden copy of
 * `opts`): declared as one and only ever assigned one, so they are printed as it is too.
 */
export function heldAliases(body: Stmt[], held: Map<number, RecordLayout>, depth: Map<number, number>): void {
  const writes = new Map<number, Expr[]>();
  const walk = (ss: Stmt[]): void => {
    for (const st of ss) {
      if (st.k === 'let') writes.set(st.v, [...(writes.get(st.v) ?? []), st.init]);
      else if (st.k === 'assign') writes.set(st.v, [...(writes.get(st.v) ?? []), st.value]);
      else if (st.k === 'store' || st.k === 'push') writes.set(st.array, [...(writes.get(st.array) ?? []), st.value]);
      else if (st.k === 'if') { walk(st.then); walk(st.else); } else if (st.k === 'loop') { walk(st.body); walk(st.update); }
    }
  };
  walk(body);
  for (let changed = true; changed;) {
    changed = false;
    for (const [v, values] of writes) {
      if (held.has(v)) continue;
      const from = values[0]?.k === 'var' ? values[0].id : -1;
      const layout = held.get(from);
      if (!layout || !values.every((x) => x.k === 'var' && held.get(x.id) === layout)) continue;
      held.set(v, layout);
      depth.set(v, depth.get(from)!);
      changed = true;
    }
  }
}

/** A string's IR value (lower/types.ts `stringId`: a large integer plus one half), not a number a person writes. */
export function isStringId(v: number): boolean {
  return Number.isInteger(v - 0.5) && Math.abs(v) >= 2 ** 20;
}

/** `'call'` in the style's quotes, every character outside printable ASCII escaped (no user text reaches generated code raw). */
function stringLiteral(s: string): string {
  const q = quoted('').charAt(0);
  const body = Array.from(s).map((c) => {
    const code = c.codePointAt(0)!;
    if (c === q || c === '\\') return `\\${c}`;
    if (code >= 0x20 && code <= 0x7e) return c;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  }).join('');
  return `${q}${body}${q}`;
}

/** `.kind`, or `['max-iter']` for a key that is not an identifier. */
function member(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${stringLiteral(key)}]`;
}

/** 1-based line of `offset`, counting line breaks as editors do (LF, CRLF and a lone CR). */
export function lineOf(text: string, offset: number): number {
  const starts = lineStarts(text);
  // the last line starting at or before the offset
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Offsets where each line starts, for the last text asked about (a generator asks about one file many times). */
let lastLines: { text: string; starts: number[] } | null = null;

function lineStarts(text: string): number[] {
  if (lastLines?.text === text) return lastLines.starts;
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  lastLines = { text, starts };
  return starts;
}

/**
 * The first line of a statement's source, for `// adjoint of line N: …` comments: the one place
 * where free source text (not a name or a type) is copied into generated code, so it is made inert
 * here. JavaScript ends a
 * `//` comment at a CR, U+2028 or U+2029 as well as at a line feed, so the text is cut at the first
 * line terminator of any kind; controls and the bidirectional overrides of Trojan Source are
 * dropped (stripUnsafe), and a comment closer (star, slash) is broken up so that the text stays
 * inert inside a block comment too.
 */
export function sourceSnippet(text: string, start: number, end: number): string {
  const first = text.slice(start, Math.min(end, start + 200)).split(LINE_TERMINATOR)[0];
  let s = stripUnsafe(first).trim();
  if (s.endsWith('{')) s = s.slice(0, -1).trim();
  if (s.length > 72) s = `${Array.from(s).slice(0, 69).join('')}...`;
  return s.replace(/\*\//g, '* /');
}
